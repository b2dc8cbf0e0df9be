"""A hostile or careless watch folder against the whole stack (a real Prefect server,
SeaweedFS, a worker, Tesseract): links, a pipe, a deep tree, NFD names and twins, a batch,
a dossier left without state by a crash, a tampered state in another commune, bad input,
a Retry from the UI. Each dossier ends archived exactly once or in failed/ with a reason;
what was dropped is intact; nothing holds up the rest."""

from __future__ import annotations

import json
import os
import stat
import time
import unicodedata
from pathlib import Path

import pytest

from tests.flowstack import COMMUNE, wait_for, write_dossier
from tests.seaweed import seaweed  # noqa: F401 - fixture
from tests.test_flows import _client, _runs_of, stack  # noqa: F401 - fixture
from tests.test_intake import deep_tree_removed  # noqa: F401 - fixture

pytestmark = pytest.mark.flows

OTHER = "19810"
NFD = unicodedata.normalize("NFD", "hồ sơ đất đai")


def _deep(parent: Path, levels: int) -> Path:
    top = parent / "cay-sau"
    top.mkdir()
    fd = os.open(top, os.O_RDONLY)
    for _ in range(levels):
        os.mkdir("a", dir_fd=fd)
        inner = os.open("a", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(os.open("trang.jpg", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    os.close(fd)
    return top


def _orphan(watch: Path, claim_id: str, name: str) -> Path:
    """A dossier moved into processing/ by a watcher that died before writing its state."""
    claim_dir = watch / "processing" / claim_id
    claim_dir.mkdir(parents=True)
    write_dossier(claim_dir, name, pages=1)
    os.utime(claim_dir, (time.time() - 120, time.time() - 120))
    return claim_dir


@pytest.mark.parametrize("stack", [{"SOHOA_INTAKE__EXTRA_FOLDER": OTHER}], indirect=True)
def test_a_hostile_watch_folder_loses_nothing_and_stops_nothing(deep_tree_removed, stack, tmp_path: Path) -> None:
    watch, other = stack.watch, stack.intake.folders[1].root
    state = Path(stack.settings.intake.state_dir)

    # Left by a crash: one claim without state here, one with a tampered state in the other commune.
    _orphan(watch, "20250901-080000-mo-coi", "mo-coi")
    _orphan(other, "20250901-080000-bi-sua", "bi-sua")
    (state / OTHER).mkdir(parents=True, exist_ok=True)
    (state / OTHER / "20250901-080000-bi-sua.json").write_text(json.dumps({
        "commune": OTHER, "claim_id": "20250901-080000-bi-sua", "name": "../../../../etc/ssl/certs",
        "digest": "0" * 64, "files": [], "claimed_at": "x", "host": "x"}), encoding="utf-8")
    (state / OTHER / "20250901-080000-hong.json").write_text("{ not json", encoding="utf-8")

    good = write_dossier(watch, "ho-so-tot", pages=1)
    (good / "trang-9.jpg").symlink_to("/etc/passwd")
    os.mkfifo(good / "trang-8.jpg")
    (good / "Thumbs.db").write_bytes(b"junk")
    (good / "bao-cao.docx").write_bytes(b"PK\x03\x04 a stray document")
    nfd = write_dossier(watch, "nfd-tam", pages=1)
    os.rename(nfd / "trang-1.jpg", nfd / unicodedata.normalize("NFD", "trang-một.jpg"))
    os.rename(nfd, watch / NFD)
    (watch / "lo-thang-9").mkdir()
    write_dossier(watch / "lo-thang-9", "ho-so-trong-lo", pages=1)
    twins = watch / "trung-ten"
    twins.mkdir()
    (twins / "trang-ế.jpg").write_bytes(b"one")
    (twins / unicodedata.normalize("NFD", "trang-ế.jpg")).write_bytes(b"two")
    (watch / "lien-ket").symlink_to("/etc/ssl/certs", target_is_directory=True)
    os.mkfifo(watch / "ong.pdf")
    _deep(watch, 1100)
    (watch / "hong.pdf").write_bytes(b"%PDF-1.7\nthis is no PDF at all")
    (watch / "Thumbs.db").write_bytes(b"junk")

    started = time.monotonic()
    stack.start_workers(1, tmp_path / "logs")
    stack.start_watcher()
    archived = {"ho-so-tot", "hồ sơ đất đai", "ho-so-trong-lo", "mo-coi"}
    refused = {"trung-ten", "lien-ket", "ong.pdf", "cay-sau", "hong.pdf"}

    def ended(folder: Path, sub: str) -> dict[str, Path]:
        out = {}
        for d in (folder / sub).iterdir():
            names = [p.name for p in d.iterdir() if p.name not in ("receipt.json", "reason.txt", "KET-QUA.txt")]
            out[names[0]] = d
        return out

    wait_for("every dossier archived or failed", lambda: set(ended(watch, "done")) == archived
             and set(ended(watch, "failed")) == refused and ended(other, "done"), timeout=420)
    print(f"\nhostile folder: {len(archived) + 1} archived, {len(refused)} failed "
          f"in {time.monotonic() - started:.0f} s")
    assert stack.processing() == [] and list((other / "processing").iterdir()) == []

    # Archived exactly once each, with one run each, and the clerk's result.
    done = ended(watch, "done")
    for name, d in done.items():
        receipt = stack.receipt(d)
        assert len(stack.archive.versions(receipt["record"])) == 1, name
        assert len(receipt["runs"]) == 1, name
        first = (d / "KET-QUA.txt").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("KẾT QUẢ SỐ HÓA HỒ SƠ: ") and first.endswith(name)
    (bi_sua,) = ended(other, "done").values()
    assert len(stack.archive.versions(stack.receipt(bi_sua)["record"])) == 1
    assert list((state / OTHER / "invalid").iterdir())  # the tampered state, kept for the operator

    # Links and the pipe inside a good dossier: skipped, noted, left as they were.
    tot = done["ho-so-tot"]
    result = (tot / "KET-QUA.txt").read_text(encoding="utf-8")
    assert "trang-9.jpg" in result and "trang-8.jpg" in result and "bao-cao.docx" in result
    assert (tot / "ho-so-tot" / "trang-9.jpg").readlink() == Path("/etc/passwd")
    assert stat.S_ISFIFO((tot / "ho-so-tot" / "trang-8.jpg").lstat().st_mode)
    assert [s["file"] for s in stack.receipt(tot)["sources"]] == ["trang-1.jpg"]
    assert stack.receipt(done["hồ sơ đất đai"])["pages"] == 1  # NFD names went through

    # Refused: a reason in Vietnamese first, the input as it was.
    failed = ended(watch, "failed")
    reasons = {n: (d / "reason.txt").read_text(encoding="utf-8") for n, d in failed.items()}
    assert all(r.startswith("Hồ sơ:") and "Traceback" not in r for r in reasons.values())
    assert "NFC/NFD" in reasons["trung-ten"] and "liên kết" in reasons["lien-ket"]
    assert "tệp đặc biệt" in reasons["ong.pdf"] and "quá sâu" in reasons["cay-sau"]
    assert "hong.pdf" in reasons["hong.pdf"]
    assert (failed["lien-ket"] / "lien-ket").readlink() == Path("/etc/ssl/certs")
    assert stat.S_ISFIFO((failed["ong.pdf"] / "ong.pdf").lstat().st_mode)
    assert sorted(p.read_bytes() for p in (failed["trung-ten"] / "trung-ten").iterdir()) == [b"one", b"two"]
    assert (watch / "Thumbs.db").exists()

    # The operator's view: bad input and review told apart from system failures.
    # (This stack's runs only: other tests on the same server drop a "hong.pdf" in this commune too.)
    by_name = {r.name: r for r in _runs_of(stack)}
    bad = by_name[f"hoso-{COMMUNE}-hong"]
    assert bad.state.is_failed() and bad.state.name == "Đầu vào lỗi" and "đầu vào lỗi" in bad.tags
    checked = by_name[f"hoso-{COMMUNE}-ho-so-tot"]  # the stray document asks for a person's look
    assert checked.state.is_completed() and checked.state.name == "Cần kiểm tra" and "cần kiểm tra" in checked.tags

    # Retry from the UI once the dossier is in failed/: ends at once, saying what to do instead.
    from prefect.states import AwaitingRetry

    with _client() as c:
        c.set_flow_run_state(bad.id, AwaitingRetry(), force=True)
        wait_for("the retried run to end", lambda: c.read_flow_run(bad.id).state.is_final(), timeout=120,
                 explain=lambda: f"the run is {c.read_flow_run(bad.id).state!r}\n{stack.workers_report()}")
        again = c.read_flow_run(bad.id)
    assert again.state.name == "Không chạy lại được" and "failed/" in again.state.message
    assert list(stack.intake.staging.list("dossiers/")) == []  # the retry left nothing behind


def test_retry_from_the_ui_after_a_system_error_archives_the_dossier(stack, tmp_path: Path, monkeypatch) -> None:
    """A worker without its language model fails the run (a system error, not the dossier's):
    the dossier waits in failed/ with its staged copy; once a good worker runs, Retry in the
    UI archives it, once, and the watcher moves it on to done/."""
    from prefect.states import AwaitingRetry

    monkeypatch.setenv("SOHOA_OCR__LANGUAGE", "khong-co")  # no such Tesseract model on this worker
    broken = stack.start_workers(1, tmp_path / "logs-hong")
    stack.start_watcher()
    write_dossier(stack.watch, "ho-so-chay-lai", pages=1)
    failed = wait_for("failed/", stack.failed, timeout=240)[0]
    reason = (failed / "reason.txt").read_text(encoding="utf-8")
    assert "Lý do: không có mô hình Tesseract" in reason and "Traceback" not in reason
    claim_id = failed.name
    assert list(stack.intake.staging.list(f"dossiers/{COMMUNE}/{claim_id}/files/"))  # kept for a retry
    (run,) = [r for r in _runs_of(stack) if r.parameters.get("claim_id") == claim_id]
    assert run.state.is_failed() and run.state.name == "Failed" and "lỗi hệ thống" in run.tags

    broken.__exit__(None, None, None)
    stack.workers.remove(broken)
    monkeypatch.setenv("SOHOA_OCR__LANGUAGE", "vie")
    stack.start_workers(1, tmp_path / "logs-tot")
    with _client() as c:
        c.set_flow_run_state(run.id, AwaitingRetry(), force=True)  # what Retry in the UI does
    done = wait_for("done/ after the retry", stack.done, timeout=240)[0]
    assert done.name == claim_id and not failed.exists() and stack.failed() == []
    receipt = stack.receipt(done)
    assert receipt["flowRun"] == str(run.id) and len(stack.archive.versions(receipt["record"])) == 1
    assert (done / "KET-QUA.txt").is_file() and (done / "reason-lan-truoc.txt").is_file()
    wait_for("the staged copy cleared", lambda: list(stack.intake.staging.list("dossiers/")) == [], timeout=30)
