"""Watch folders without Prefect: junk, completeness, claiming, done/ and failed/."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from pipeline.intake import watch as intake
from pipeline.intake.watch import StabilityTracker, WatchFolder


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def drop(root: Path, name: str = "ho-so-01", pages: int = 2) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for i in range(1, pages + 1):
        (folder / f"trang-{i}.jpg").write_bytes(b"\xff\xd8" + bytes([i]) * 100)
    return folder


@pytest.mark.parametrize("name", ["Thumbs.db", ".DS_Store", "desktop.ini", "~$scan.docx", "scan.jpg.part",
                                  "a.tmp", ".hidden", "x.crdownload", "THUMBS.DB"])
def test_junk_is_recognised(name: str) -> None:
    assert intake.is_junk(name)


@pytest.mark.parametrize("name", ["trang-1.jpg", "ho-so.yaml", "Quyết định.pdf", "ho so 01"])
def test_pages_are_not_junk(name: str) -> None:
    assert not intake.is_junk(name)


def test_inbox_leaves_out_own_folders_and_junk(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958")
    wf.ensure()
    drop(tmp_path)
    (tmp_path / "Thumbs.db").write_bytes(b"x")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.7")
    assert [p.name for p in wf.inbox()] == ["ho-so-01", "scan.pdf"]
    files = intake.dossier_files(tmp_path / "ho-so-01")
    (tmp_path / "ho-so-01" / ".DS_Store").write_bytes(b"x")
    assert intake.dossier_files(tmp_path / "ho-so-01") == files  # junk inside is left out too


def test_ready_only_after_a_quiet_period_with_the_same_snapshot(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(10, clock)
    item = drop(tmp_path)
    assert tracker.ready([item]) == []  # first sight
    clock.t += 9
    assert tracker.ready([item]) == []  # not quiet long enough
    clock.t += 2
    assert tracker.ready([item]) == [item]


def test_a_growing_file_restarts_the_quiet_period(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(5, clock)
    item = drop(tmp_path)
    tracker.ready([item])
    clock.t += 6
    with (item / "trang-1.jpg").open("ab") as f:
        f.write(b"more")
    assert tracker.ready([item]) == []  # size changed: not ready, timer restarts
    clock.t += 4
    assert tracker.ready([item]) == []
    clock.t += 2
    assert tracker.ready([item]) == [item]


def test_an_event_restarts_the_quiet_period_even_without_a_visible_change(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(5, clock)
    item = drop(tmp_path)
    tracker.ready([item])
    clock.t += 4
    tracker.touched(item)
    clock.t += 3
    assert tracker.ready([item]) == []
    clock.t += 3
    assert tracker.ready([item]) == [item]


def test_an_empty_folder_is_never_ready(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(1, clock)
    item = tmp_path / "empty"
    item.mkdir()
    (item / "Thumbs.db").write_bytes(b"x")
    tracker.ready([item])
    clock.t += 5
    assert tracker.ready([item]) == []


def test_a_slow_writer_is_not_taken_before_it_finishes(tmp_path: Path) -> None:
    """A file written over ~3 s (real time, real mtimes) is taken only after the last write."""
    wf = WatchFolder(tmp_path, "24958")
    wf.ensure()
    target = tmp_path / "scan.tif"
    finished = threading.Event()

    def write_slowly() -> None:
        with target.open("wb") as f:
            for _ in range(12):
                f.write(b"\x00" * 4096)
                f.flush()
                time.sleep(0.25)
        finished.set()

    tracker = StabilityTracker(1.0)
    writer = threading.Thread(target=write_slowly)
    writer.start()
    taken_at = None
    deadline = time.monotonic() + 20
    while taken_at is None and time.monotonic() < deadline:
        for item in tracker.ready(wf.inbox()):
            assert finished.is_set(), "taken while still being written"
            claim = wf.claim(item)
            taken_at = time.monotonic()
            assert claim is not None and claim.files == [("scan.tif", 12 * 4096)]
        time.sleep(0.1)
    writer.join()
    assert taken_at is not None


def test_claim_is_atomic_between_two_watchers(tmp_path: Path) -> None:
    a, b = WatchFolder(tmp_path, "24958"), WatchFolder(tmp_path, "24958")
    a.ensure()
    item = drop(tmp_path)
    got = [a.claim(item), b.claim(item)]
    assert sum(c is not None for c in got) == 1
    assert len(list((tmp_path / "processing").iterdir())) == 1  # the loser left no folder


def test_claims_race_in_threads(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958")
    wf.ensure()
    items = [drop(tmp_path, f"ho-so-{i:02d}") for i in range(10)]
    results: list = []

    def grab() -> None:
        mine = WatchFolder(tmp_path, "24958")
        results.extend(c for c in (mine.claim(i) for i in items) if c is not None)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c.name for c in results) == [i.name for i in items]  # each exactly once
    assert len(wf.claims()) == 10


def test_claim_record_and_finish(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958")
    wf.ensure()
    claim = wf.claim(drop(tmp_path))
    assert claim is not None and not (tmp_path / "ho-so-01").exists()
    assert wf.dossier_path(claim).is_dir()
    again = wf.claims()[0]
    assert again == claim  # claim.json round-trips
    claim.flow_run_id = "abc"
    wf.save(claim)
    assert wf.claims()[0].flow_run_id == "abc"
    dest = wf.finish_done(claim, {"key": "68/24958/2025/x/"})
    assert dest.parent == tmp_path / "done"
    assert (dest / "ho-so-01" / "trang-1.jpg").is_file()
    assert json.loads((dest / "receipt.json").read_text())["key"] == "68/24958/2025/x/"
    assert list((tmp_path / "processing").iterdir()) == []


def test_failed_reason_in_both_languages(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958")
    wf.ensure()
    (tmp_path / "hong.pdf").write_bytes(b"not a pdf")
    claim = wf.claim(tmp_path / "hong.pdf")
    dest = wf.finish_failed(claim, "không phải tệp PDF", "not a PDF")
    text = (dest / "reason.txt").read_text(encoding="utf-8")
    assert "Lý do: không phải tệp PDF" in text and "Reason: not a PDF" in text
    assert (dest / "hong.pdf").read_bytes() == b"not a pdf"  # the original is kept


def test_same_name_twice_gets_two_folders(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958")
    wf.ensure()
    first = wf.claim(drop(tmp_path))
    wf.finish_done(first, {})
    second = wf.claim(drop(tmp_path))
    wf.finish_done(second, {})
    assert len(list((tmp_path / "done").iterdir())) == 2


def test_digest_ignores_the_dossier_name_but_not_content(tmp_path: Path) -> None:
    a = drop(tmp_path / "x", "ho-so-01")
    b = drop(tmp_path / "y", "ban-sao")
    assert intake.digest(intake.dossier_files(a)) == intake.digest(intake.dossier_files(b))
    (b / "trang-2.jpg").write_bytes(b"changed")
    assert intake.digest(intake.dossier_files(a)) != intake.digest(intake.dossier_files(b))


def test_polling_on_network_shares(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(intake, "filesystem_type", lambda p: "cifs")
    assert intake.needs_polling(tmp_path)
    monkeypatch.setattr(intake, "filesystem_type", lambda p: "ext4")
    assert not intake.needs_polling(tmp_path)
    assert intake.needs_polling(tmp_path, "always") and not intake.needs_polling(tmp_path, "never")


def test_filesystem_type_reads_the_mount_table() -> None:
    assert intake.filesystem_type(Path("/proc")) == "proc"
