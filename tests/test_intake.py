"""Watch folders without Prefect: junk, completeness, claiming, done/ and failed/."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import unicodedata
import uuid
from pathlib import Path

import pytest

from pipeline.intake import watch as intake
from pipeline.intake.watch import StabilityTracker, WatchFolder


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def state_of(root: Path) -> Path:
    """The watcher's state folder: beside the watch folder, never in it."""
    return root.with_name(root.name + "-state")


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
    wf = WatchFolder(tmp_path, "24958", state_of(tmp_path))
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


def test_the_quiet_period_starts_at_the_event_not_at_the_first_look(tmp_path: Path) -> None:
    """A dossier dropped at t=0 and first looked at 0.9 s later is taken at t=5, not 5.9."""
    clock = Clock()
    tracker = StabilityTracker(5, clock)
    item = drop(tmp_path)
    tracker.touched(item, at=clock.t)
    assert tracker.next_due() == clock.t + 5
    clock.t += 0.9
    assert tracker.ready([item]) == []  # its first snapshot
    clock.t += 4.2
    assert tracker.ready([item]) == [item]


def test_without_an_event_the_quiet_period_starts_at_the_first_look(tmp_path: Path) -> None:
    clock = Clock()
    tracker = StabilityTracker(5, clock)
    item = drop(tmp_path)
    clock.t += 3
    assert tracker.ready([item]) == []
    assert tracker.next_due() == clock.t + 5
    clock.t += 4
    assert tracker.ready([item]) == []
    clock.t += 1
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
    assert tracker.next_due() is None  # nothing to wake the watcher early for


def test_a_slow_writer_is_not_taken_before_it_finishes(tmp_path: Path) -> None:
    """A file written over ~3 s (real time, real mtimes) is taken only after the last write."""
    wf = WatchFolder(tmp_path, "24958", state_of(tmp_path))
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
    a, b = WatchFolder(tmp_path, "24958", state_of(tmp_path)), WatchFolder(tmp_path, "24958", state_of(tmp_path))
    a.ensure()
    item = drop(tmp_path)
    got = [a.claim(item), b.claim(item)]
    assert sum(c is not None for c in got) == 1
    assert len(list((tmp_path / "processing").iterdir())) == 1  # the loser left no folder


def test_claims_race_in_threads(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958", state_of(tmp_path))
    wf.ensure()
    items = [drop(tmp_path, f"ho-so-{i:02d}") for i in range(10)]
    results: list = []

    def grab() -> None:
        mine = WatchFolder(tmp_path, "24958", state_of(tmp_path))
        results.extend(c for c in (mine.claim(i) for i in items) if c is not None)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c.name for c in results) == [i.name for i in items]  # each exactly once
    assert len(wf.claims()) == 10


def test_claim_record_and_finish(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958", state_of(tmp_path))
    wf.ensure()
    claim = wf.claim(drop(tmp_path))
    assert claim is not None and not (tmp_path / "ho-so-01").exists()
    assert wf.dossier_path(claim).is_dir()
    again = wf.claims()[0]
    assert again == claim  # claim.json round-trips
    run = str(uuid.uuid4())
    claim.flow_run_id = run
    wf.save(claim)
    assert wf.claims()[0].flow_run_id == run
    dest = wf.finish_done(claim, {"key": "68/24958/2025/x/"})
    assert dest.parent == tmp_path / "done"
    assert (dest / "ho-so-01" / "trang-1.jpg").is_file()
    assert json.loads((dest / "receipt.json").read_text())["key"] == "68/24958/2025/x/"
    assert list((tmp_path / "processing").iterdir()) == []


def test_failed_reason_in_both_languages(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958", state_of(tmp_path))
    wf.ensure()
    (tmp_path / "hong.pdf").write_bytes(b"not a pdf")
    claim = wf.claim(tmp_path / "hong.pdf")
    dest = wf.finish_failed(claim, "không phải tệp PDF", "not a PDF")
    text = (dest / "reason.txt").read_text(encoding="utf-8")
    assert "Lý do: không phải tệp PDF" in text and "Reason: not a PDF" in text
    assert (dest / "hong.pdf").read_bytes() == b"not a pdf"  # the original is kept


def test_same_name_twice_gets_two_folders(tmp_path: Path) -> None:
    wf = WatchFolder(tmp_path, "24958", state_of(tmp_path))
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


# -- a hostile or careless watch folder ------------------------------------------------------


def folder(tmp_path: Path, commune: str = "24958") -> WatchFolder:
    wf = WatchFolder(tmp_path / f"watch-{commune}", commune, tmp_path / "state")
    wf.ensure()
    return wf


def within(seconds: float, fn, *args):
    """``fn(*args)`` in a thread that must finish in time (a blocking open would hang it)."""
    out: list = []

    def run() -> None:
        try:
            out.append(fn(*args))
        except BaseException as e:  # noqa: BLE001 - raised again in the test's thread
            out.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn.__name__} still running after {seconds} s"
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


def test_a_link_to_a_system_file_is_never_followed(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    item = drop(wf.root)
    (item / "trang-3.jpg").symlink_to("/etc/passwd")
    (item / "thu-muc").symlink_to("/etc/ssl", target_is_directory=True)
    claim = wf.claim(item)
    assert claim is not None and claim.refused is None
    assert [n for n, _ in claim.files] == ["ho-so-01/trang-1.jpg", "ho-so-01/trang-2.jpg"]
    assert any("trang-3.jpg" in n and "symlink" in n for n in claim.notes)
    assert any("thu-muc" in n for n in claim.notes)
    assert (wf.dossier_path(claim) / "trang-3.jpg").readlink() == Path("/etc/passwd")  # kept as it was


def test_a_dropped_link_or_pipe_goes_to_failed_with_a_reason(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    (wf.root / "lien-ket").symlink_to("/etc/ssl/certs", target_is_directory=True)
    os.mkfifo(wf.root / "ong.pdf")
    claims = [within(5, wf.claim, p) for p in wf.inbox()]
    assert all(c is not None and c.refused for c in claims)
    vi = {c.name: c.refused[0] for c in claims}
    assert "liên kết" in vi["lien-ket"] and "tệp đặc biệt" in vi["ong.pdf"]
    for c in claims:
        dest = wf.finish_failed(c, *c.refused)
        assert (dest / "reason.txt").read_text(encoding="utf-8").startswith("Hồ sơ:")
    assert (wf.root / "failed").joinpath(claims[0].claim_id, "lien-ket").readlink() == Path("/etc/ssl/certs")


def test_a_pipe_inside_a_dossier_never_blocks_and_is_noted(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    item = drop(wf.root)
    os.mkfifo(item / "trang-3.jpg")
    tracker = StabilityTracker(0, Clock())
    within(5, tracker.ready, [item])
    assert within(5, tracker.ready, [item]) == [item]
    claim = within(5, wf.claim, item)
    assert len(claim.files) == 2 and any("trang-3.jpg" in n and "pipe" in n for n in claim.notes)


def test_a_file_swapped_for_a_pipe_cannot_block_the_digest(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "ong")
    with pytest.raises(OSError, match="not a regular file"):
        within(5, intake.sha256_regular, tmp_path / "ong")


def test_a_deep_tree_is_refused_whole_without_recursion_error(tmp_path: Path, deep_tree_removed) -> None:
    wf = folder(tmp_path)
    deep = wf.root / "sau"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    for _ in range(1100):  # deeper than a path can name: made one folder at a time
        os.mkdir("a", dir_fd=fd)
        inner = os.open("a", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(os.open("trang.jpg", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    os.close(fd)
    assert wf.inbox() == [deep]  # a folder of one folder of folders: one dossier, not a batch
    started = time.monotonic()
    claim = wf.claim(deep)
    assert time.monotonic() - started < 5
    assert claim is not None and claim.refused and "quá sâu" in claim.refused[0]
    assert "nested too deep" in claim.refused[1]


@pytest.fixture
def deep_tree_removed(tmp_path: Path):
    """Removes the test's folder afterwards with find(1): shutil.rmtree, which pytest uses,
    recurses and fails on a tree deeper than Python's recursion limit."""
    yield
    subprocess.run(["find", str(tmp_path), "-mindepth", "1", "-delete"], check=False)


def test_too_many_files_are_refused_whole(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(intake, "MAX_FILES", 5)
    wf = folder(tmp_path)
    claim = wf.claim(drop(wf.root, pages=8))
    assert claim is not None and claim.refused and "quá nhiều tệp" in claim.refused[0]


def test_claim_state_is_kept_outside_the_share(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must not be inside"):
        WatchFolder(tmp_path, "24958", tmp_path / ".state")
    wf = folder(tmp_path)
    claim = wf.claim(drop(wf.root))
    assert [p.name for p in (wf.root / "processing" / claim.claim_id).iterdir()] == ["ho-so-01"]
    assert (tmp_path / "state" / "24958" / f"{claim.claim_id}.json").is_file()


@pytest.mark.parametrize("tamper", [
    lambda d: {**d, "name": "../../../etc/ssl/certs"},
    lambda d: {**d, "name": "/etc/ssl/certs"},
    lambda d: {**d, "claim_id": "../../x"},
    lambda d: {**d, "commune": "00583"},
    lambda d: {**d, "flow_run_id": "not-a-run"},
    lambda d: {**d, "files": "everything"},
    lambda d: {**d, "extra": 1},
    lambda d: ["not", "an", "object"],
    lambda d: "{ malformed",
])
def test_a_tampered_or_malformed_state_is_set_aside_and_rebuilt(tmp_path: Path, tamper) -> None:
    wf, other = folder(tmp_path), folder(tmp_path, "00583")
    claim = wf.claim(drop(wf.root))
    theirs = other.claim(drop(other.root, "ho-so-xa-khac"))
    state = tmp_path / "state" / "24958" / f"{claim.claim_id}.json"
    bad = tamper(json.loads(state.read_text(encoding="utf-8")))
    state.write_text(bad if isinstance(bad, str) else json.dumps(bad), encoding="utf-8")
    again = wf.claims()
    assert [(c.claim_id, c.name, c.digest) for c in again] == [(claim.claim_id, "ho-so-01", claim.digest)]
    assert wf.dossier_path(again[0]).resolve().is_relative_to(wf.root.resolve())
    assert list((tmp_path / "state" / "24958" / "invalid").iterdir())  # kept for the operator
    assert other.claims() == [theirs]  # the other commune is not held up


def test_a_state_naming_a_link_in_processing_is_refused(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    claim = wf.claim(drop(wf.root))
    (wf.root / "processing" / claim.claim_id / "lien-ket").symlink_to("/etc/ssl/certs")
    state = tmp_path / "state" / "24958" / f"{claim.claim_id}.json"
    state.write_text(json.dumps({**json.loads(state.read_text()), "name": "lien-ket"}), encoding="utf-8")
    (again,) = wf.claims()
    assert again.refused and "nhiều mục" in again.refused[0]  # rebuilt: the folder holds two entries


def test_a_crash_between_the_move_and_the_state_loses_nothing(tmp_path: Path, monkeypatch) -> None:
    import errno

    wf = folder(tmp_path)
    real = WatchFolder._write_state

    def disk_full(self, claim, *, create):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(WatchFolder, "_write_state", disk_full)
    with pytest.raises(OSError):
        wf.claim(drop(wf.root))
    monkeypatch.setattr(WatchFolder, "_write_state", real)
    (claim_dir,) = (wf.root / "processing").iterdir()
    assert wf.claims() == []  # young: perhaps another watcher is writing its state now
    os.utime(claim_dir, (time.time() - 60, time.time() - 60))
    (claim,) = wf.claims()
    assert claim.claim_id == claim_dir.name and claim.name == "ho-so-01" and len(claim.files) == 2
    assert wf.claims() == [claim]  # adopted once, then read back


def test_an_empty_claim_folder_left_by_a_crash_is_removed(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    empty = wf.root / "processing" / "20250101-000000-ho-so"
    empty.mkdir()
    os.utime(empty, (time.time() - 60, time.time() - 60))
    assert wf.claims() == [] and not empty.exists()


NFD_NAME = unicodedata.normalize("NFD", "hồ sơ đất đai")


def test_nfd_names_from_macos_are_taken_under_their_nfc_name(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    item = wf.root / NFD_NAME
    item.mkdir()
    (item / unicodedata.normalize("NFD", "trang-một.jpg")).write_bytes(b"\xff\xd8page")
    claim = wf.claim(item)
    assert claim.name == "hồ sơ đất đai" and wf.dossier_path(claim).is_dir()
    assert claim.files == [("hồ sơ đất đai/trang-một.jpg", 6)]
    assert intake.dossier_files(wf.dossier_path(claim))[0][1].is_file()


def test_two_pages_differing_only_in_normalisation_are_refused_not_merged(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    item = wf.root / "ho-so"
    item.mkdir()
    (item / "trang-ế.jpg").write_bytes(b"one")
    (item / unicodedata.normalize("NFD", "trang-ế.jpg")).write_bytes(b"two")
    claim = wf.claim(item)
    assert claim.refused and "NFC/NFD" in claim.refused[0] and "trang-ế.jpg" in claim.refused[0]
    assert len(list(wf.dossier_path(claim).iterdir())) == 2  # both kept, nothing lost


def test_two_dossiers_differing_only_in_normalisation_are_both_taken(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    drop(wf.root, "hồ sơ")
    drop(wf.root, unicodedata.normalize("NFD", "hồ sơ"))
    claims = [wf.claim(p) for p in wf.inbox()]
    assert len({c.claim_id for c in claims}) == 2 and all(not c.refused for c in claims)


def test_the_folders_of_a_batch_are_dossiers_of_their_own(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    batch = wf.root / "lo-thang-9"
    drop(batch, "ho-so-a")
    drop(batch, "ho-so-b")
    (batch / "Thumbs.db").write_bytes(b"x")
    assert wf.inbox() == [batch / "ho-so-a", batch / "ho-so-b"]
    claims = [wf.claim(p) for p in wf.inbox()]
    assert [(c.name, c.batch, len(c.files)) for c in claims] == [("ho-so-a", "lo-thang-9", 2),
                                                                 ("ho-so-b", "lo-thang-9", 2)]
    assert [wf.claim(p) for p in wf.inbox()] == [None]  # what is left, junk alone, is never taken


def test_a_folder_dragged_back_from_failed_is_taken_again(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    claim = wf.claim(drop(wf.root))
    dest = wf.finish_failed(claim, "thiếu trang", "a page is missing")
    (dest / "ho-so-01" / "trang-3.jpg").write_bytes(b"\xff\xd8fixed")
    os.rename(dest, wf.root / dest.name)  # the clerk drags the whole folder back
    assert wf.inbox() == [wf.root / dest.name / "ho-so-01"]
    again = wf.claim(wf.inbox()[0])
    assert again is not None and not again.refused and len(again.files) == 3


def test_the_clerks_result_is_plain_vietnamese(tmp_path: Path) -> None:
    from pipeline.intake import clerk

    wf = folder(tmp_path)
    item = drop(wf.root)
    (item / "trang-9.jpg").symlink_to("/etc/passwd")
    claim = wf.claim(item)
    receipt = {
        "bucket": "sohoa-archive", "key": "68/24958/2025/ho-so-01/", "pages": 2, "verifiedAt": "2025-09-01T10:00:00+00:00",
        "documents": [{"file": "ho-so-01.001.pdf", "pages": [1, 2], "signed": True,
                       "needsReview": [{"field": "issuedDate", "reason": "not found"},
                                       {"field": "signer.fullName", "reason": "low confidence"}]}],
        "setAside": [{"file": "bao-cao.docx", "junk": False}, {"file": "Thumbs.db", "junk": True}],
    }
    text = clerk.result_text(claim, receipt, "hoso-24958-ho-so-01")
    assert text.startswith("KẾT QUẢ SỐ HÓA HỒ SƠ: ho-so-01")
    assert "s3://sohoa-archive/68/24958/2025/ho-so-01/" in text and "Số trang: 2" in text
    assert "ngày ban hành: không tìm thấy trên trang" in text
    assert "họ tên người ký: đọc được nhưng chưa chắc chắn" in text
    assert "bao-cao.docx: không phải ảnh trang" in text and "Thumbs.db" not in text
    assert "hoso-24958-ho-so-01" in text and "trang-9.jpg" in text
    assert "issuedDate" not in text and "not found" not in text  # no codes, no English
    dest = wf.finish_done(claim, receipt, text)
    assert (dest / "KET-QUA.txt").read_text(encoding="utf-8") == text
    clean = clerk.result_text(claim, {**receipt, "documents": [], "setAside": []})
    assert "Không có mục nào cần kiểm tra." in clean


def test_a_failed_dossier_may_be_retried_then_moves_to_done(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    claim = wf.claim(drop(wf.root))
    claim.flow_run_id = str(uuid.uuid4())
    wf.save(claim)
    dest = wf.finish_failed(claim, "lỗi của hệ thống", "a system error")
    wf.remember_failed(claim)
    (kept, age), = wf.failed_claims()[0]
    assert kept == claim and age < 60 and wf.failed_claims()[1] == []
    assert wf.claims() == []  # not in processing/ any more
    done = wf.finish_done(claim, {"key": "k/"}, "KẾT QUẢ", from_failed=True)
    assert not dest.exists() and (done / "ho-so-01" / "trang-1.jpg").is_file()
    assert "lỗi của hệ thống" in (done / "reason-lan-truoc.txt").read_text(encoding="utf-8")
    assert wf.failed_claims() == ([], [])


def test_a_failed_dossier_dragged_back_is_no_longer_followed(tmp_path: Path) -> None:
    wf = folder(tmp_path)
    claim = wf.claim(drop(wf.root))
    dest = wf.finish_failed(claim, "lỗi của hệ thống", "a system error")
    wf.remember_failed(claim)
    os.rename(dest, wf.root / dest.name)
    assert wf.failed_claims() == ([], [claim.claim_id])  # its staged copy can go
    wf.forget_failed(claim.claim_id)
    assert wf.failed_claims() == ([], [])
