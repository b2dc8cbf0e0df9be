"""The flows' small parts, without a server: what is retried, what a clerk reads, names,
page checkpoints, the daily report's sums, and ``sohoa check``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from flows import common
from flows.reports import summarise
from pipeline import process
from pipeline.core.errors import (
    ArchiveRefusedError,
    InputFileError,
    StorageAccessError,
    StorageError,
    TimestampUnavailableError,
)
from pipeline.core.model import Line, LineAgain, OcrResult, Reread, SurnameMatch, Word


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (StorageError("down", "hỏng"), True),
        (TimestampUnavailableError("tsa down", "tsa hỏng"), True),
        (ConnectionError("reset"), True),
        (ArchiveRefusedError("no versioning", "không versioning"), False),
        (StorageAccessError("denied", "từ chối"), False),
        (InputFileError("not an image", "không phải ảnh"), False),
        (ValueError("bug"), False),
        (None, False),
    ],
)
def test_only_what_may_pass_by_itself_is_retried(exc, transient) -> None:
    assert common.is_transient(exc) is transient


def test_a_clerk_reads_a_sentence_in_both_languages() -> None:
    vi, en = common.reason(InputFileError("trang-3.jpg: is not an image", "trang-3.jpg: không phải ảnh"))
    assert (vi, en) == ("trang-3.jpg: không phải ảnh", "trang-3.jpg: is not an image")
    vi, en = common.reason(KeyError("x"))
    assert vi.startswith("lỗi của hệ thống, không phải do hồ sơ") and "KeyError" not in vi
    assert "a system error" in en and "KeyError" in en  # the operator's detail, after


def test_bad_input_is_told_apart_from_system_errors() -> None:
    from pipeline.core.errors import StorageError, TooLargeError

    assert common.is_bad_input(InputFileError("truncated", "bị cắt cụt"))
    assert common.is_bad_input(TooLargeError("too large", "quá lớn"))
    assert not common.is_bad_input(StorageError("down", "không kết nối được"))
    assert not common.is_bad_input(KeyError("x"))


def test_worker_paths_are_hidden_from_the_clerk() -> None:
    text = "/tmp/sohoa-run-ab_12/in/ho-so-01/trang-3.jpg: is not an image"
    assert common.hide_paths(text) == "ho-so-01/trang-3.jpg: is not an image"


def test_artifact_keys_are_what_prefect_accepts() -> None:
    assert common.artifact_key("hoso", "24958", "Hồ sơ Đất đai 01.tif") == "hoso-24958-ho-so-dat-dai-01-tif"


def test_ocr_slots(monkeypatch) -> None:
    from pipeline.core import settings as config

    two = {"24958": "/srv/a", "30316": "/srv/b"}
    s = config.Settings(flows={"ocr_slots": 6}, intake={"folders": two})
    assert common.ocr_slots(s) == (6, 3)  # a commune's backlog leaves the others half
    s = config.Settings(flows={"ocr_slots": 6}, intake={"folders": {"24958": "/srv/a"}})
    assert common.ocr_slots(s) == (6, 6)  # one commune watched: all of it
    s = config.Settings(flows={"ocr_slots": 1}, intake={"folders": two})
    assert common.ocr_slots(s) == (1, 1)
    s = config.Settings(flows={"ocr_slots": 4, "ocr_slots_per_commune": 9})
    assert common.ocr_slots(s) == (4, 4)


def test_a_full_commune_holds_no_page_process_from_another() -> None:
    """Two page processes, one commune share each: commune A's second page waits for A's
    share, and commune B's page goes through meanwhile."""
    from flows.digitise import _Gate

    worker = threading.Semaphore(2)
    a, b = _Gate(threading.Semaphore(1), worker), _Gate(threading.Semaphore(1), worker)
    order: list[str] = []
    a_first_done = threading.Event()

    def page(gate, name, hold: threading.Event | None = None) -> None:
        with gate:
            order.append(name)
            if hold is not None:
                hold.wait(5)

    first = threading.Thread(target=page, args=(a, "a1", a_first_done))
    first.start()
    while "a1" not in order:
        time.sleep(0.01)
    second = threading.Thread(target=page, args=(a, "a2"))
    second.start()
    time.sleep(0.2)  # a2 now waits for commune A's share
    page(b, "b1")  # would block for ever if a2 held the second process
    a_first_done.set()
    first.join(5)
    second.join(5)
    assert order == ["a1", "b1", "a2"]


def test_page_checkpoint_round_trip() -> None:
    work = process.PageWork(
        3,
        OcrResult([Word("Quyết", 91.5, (1, 2, 30, 20), 0), Word("định", 88.0, (35, 2, 60, 20), 0)],
                  [Line((1, 2, 60, 20), (0.001, -3.0), 18.5)], 89.75, 1.25),
        np.array([[1.0, 0.01, 5.0], [-0.01, 1.0, 7.0], [0.0, 0.0, 1.0]]), 90, 1.5, ["deskew"], (100, 200),
    )
    back = process.page_work_from_json(process.page_work_to_json(work))
    assert back.ocr == work.ocr and back.size == work.size and back.steps == work.steps
    assert back.rotation == 90 and back.skew == 1.5 and np.allclose(back.to_source, work.to_source)
    empty = process.PageWork(1, None)
    assert process.page_work_from_json(process.page_work_to_json(empty)).ocr is None
    # Surnames read by shape come back too; a checkpoint written before them reads as none.
    work.ocr.surnames = [SurnameMatch(("Diệu", "Loan"), (40, 2, 90, 20), 0.93,
                                      (("Kiều", 0.83), ("Tiêu", 0.72)))]
    data = process.page_work_to_json(work)
    assert process.page_work_from_json(json.loads(json.dumps(data))).ocr == work.ocr
    del data["ocr"]["surnames"]
    assert process.page_work_from_json(data).ocr.surnames == []
    # A blank's reading keeps whether it was a guess; one written before guesses reads as sure.
    work.ocr.rereads = [Reread((5, 5, 40, 20), "18", 0.52), Reread((50, 5, 90, 20), "209")]
    data = json.loads(json.dumps(process.page_work_to_json(work)))
    assert process.page_work_from_json(data).ocr.rereads == work.ocr.rereads
    data["ocr"]["rereads"] = [[[5, 5, 40, 20], "18"]]
    assert process.page_work_from_json(data).ocr.rereads == [Reread((5, 5, 40, 20), "18")]
    # The number line read again alone comes back too; a checkpoint written before it, none.
    work.ocr.lines_again = (LineAgain((1, 2, 60, 20), (Word("Số:", 50.0, (1, 2, 20, 20), 0),
                                                       Word("34/TB-UBND", 50.0, (25, 2, 60, 20), 0))),)
    data = json.loads(json.dumps(process.page_work_to_json(work)))
    assert process.page_work_from_json(data).ocr.lines_again == work.ocr.lines_again
    del data["ocr"]["linesAgain"]
    assert process.page_work_from_json(data).ocr.lines_again == ()


def test_checkpoint_text_comes_back_nfc() -> None:
    decomposed = "Quye\u0302\u0301t"
    work = process.PageWork(1, OcrResult([Word(decomposed, 90.0, (0, 0, 1, 1), 0)], [], 90.0, 0.1))
    back = process.page_work_from_json(process.page_work_to_json(work))
    assert back.ocr.words[0].text == "Quyết"


def test_daily_report_sums() -> None:
    outcomes = [
        {"commune": "24958", "status": "done", "pages": 10, "seconds": 40.0},
        {"commune": "24958", "status": "done", "pages": 5, "seconds": 20.0},
        {"commune": "24958", "status": "failed"},
        {"commune": "24958", "status": "duplicate", "pages": 10},
        {"commune": "00583", "status": "failed"},
    ]
    rows = {r["commune"]: r for r in summarise(outcomes, {"30316": {"waiting": 2, "processing": 1}})}
    assert rows["24958"] == {"commune": "24958", "dossiers_done": 2, "pages_done": 15, "duplicates": 1,
                             "failed": 1, "waiting": 0, "processing": 0, "seconds_per_page": 4.0}
    assert rows["00583"]["failed"] == 1 and rows["00583"]["seconds_per_page"] is None
    assert rows["30316"]["waiting"] == 2


def _sohoa(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "SOHOA_"))}
    return subprocess.run([sys.executable, "-m", "sohoa.cli", *args], capture_output=True, text=True,
                          env={**full, **env}, timeout=120)


def test_check_passes_on_this_machine() -> None:
    got = _sohoa("check")
    assert got.returncode == 0, got.stderr
    assert "tesseract" in got.stdout and "vie.traineddata" in got.stdout
    assert "name faces LiberationSerif-Bold" in got.stdout  # surnames under a seal, by shape
    assert "name check model" in got.stdout and "Vietnamese.traineddata" in got.stdout


def test_check_fails_without_the_model_or_the_api(tmp_path: Path) -> None:
    got = _sohoa("check", SOHOA_OCR__TESSDATA_DIR=str(tmp_path))
    assert got.returncode != 0 and "vie" in got.stderr
    assert "tesseract-ocr-script-viet" in got.stderr  # the name check's model: a warning
    got = _sohoa("check", PREFECT_API_URL="http://127.0.0.1:9/api")
    assert got.returncode != 0 and "Prefect" in got.stderr


def test_serve_without_a_server_says_so() -> None:
    got = _sohoa("serve", PREFECT_API_URL="http://127.0.0.1:9/api")
    assert got.returncode != 0
    assert "sohoa server" in got.stderr and "Traceback" not in got.stderr


def test_the_retry_condition_reads_the_failed_state() -> None:
    from prefect.states import Failed

    from flows.digitise import _transient_only

    assert _transient_only(None, None, Failed(data=StorageError("down", "hỏng"))) is True
    assert _transient_only(None, None, Failed(data=TimestampUnavailableError("tsa", "tsa"))) is True
    assert _transient_only(None, None, Failed(data=InputFileError("bad", "hỏng"))) is False


def test_a_secret_dossiers_metadata_stays_out_of_prefect(tmp_path: Path) -> None:
    from flows.digitise import report_text
    from pipeline import archive
    from tests.seaweed import make_dossier

    _, rec = make_dossier(tmp_path)
    result = archive.ArchiveResult("committed", "sohoa-archive", "68/24958/2025/x/", "v1")
    receipt = {"seconds": 12.5, "ocrSeconds": 9.0, "pagesResumed": 0}
    public = report_text(rec, result, "24958", "ho-so-01", receipt)
    said = ["Về việc số hóa hồ sơ", "Nguyễn Văn A", "QĐ-UBND", "QUYẾT ĐỊNH"]
    assert all(text in public for text in said)

    secret = rec.model_copy(update={"dossier": rec.dossier.model_copy(update={"mode": "03"})})
    shown = report_text(secret, result, "24958", "ho-so-01", receipt)
    assert not [text for text in said + [rec.dossier.title] if text in shown]
    assert "Hồ sơ mật" in shown and "68/24958/2025/x/" in shown and "3 trang" in shown


def test_a_dossier_run_and_its_steps_have_deadlines(monkeypatch) -> None:
    from flows import digitise

    assert digitise.digitise_dossier.timeout_seconds == 6 * 3600
    # The worker loading the flow takes the configured deadline.
    code = "from flows.digitise import digitise_dossier as f; print(f.timeout_seconds)"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "SOHOA_FLOWS__RUN_TIMEOUT_SECONDS": "120"},
    )
    assert run.stdout.strip() == "120.0"
    # Each step is given flows.step_timeout_seconds.
    given: dict[str, float | None] = {}

    class Stop(Exception):
        pass

    def recording(task):
        def with_options(**options):
            given[task.name] = options.get("timeout_seconds")
            raise Stop
        return with_options

    monkeypatch.setenv("SOHOA_FLOWS__STEP_TIMEOUT_SECONDS", "77")
    monkeypatch.setattr(digitise.fetch, "with_options", recording(digitise.fetch))
    monkeypatch.setattr(digitise, "get_run_logger", lambda: None)
    with pytest.raises(Stop):
        digitise._digitise(common.settings(), None, "w/", "24958", "ho-so", "c1", "r1")
    assert given == {"fetch-dossier": 77.0}


def test_one_broken_watch_folder_or_dossier_does_not_stop_the_others(tmp_path: Path, monkeypatch, caplog) -> None:
    """The watcher's pass: a folder that fails (here: its inbox cannot be listed) and a dossier
    that fails (here: the store is down) are logged; the other commune's dossier is taken."""
    from flows.intake import Intake
    from pipeline.core import settings as config
    from pipeline.intake.watch import WatchFolder

    folders = {"24958": tmp_path / "a", "00583": tmp_path / "b"}
    monkeypatch.setenv("SOHOA_INTAKE__FOLDERS", json.dumps({k: str(v) for k, v in folders.items()}))
    monkeypatch.setenv("SOHOA_INTAKE__STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SOHOA_INTAKE__STABLE_SECONDS", "0.01")
    monkeypatch.setenv("SOHOA_STORAGE__ENDPOINT", "http://127.0.0.1:9")  # nothing listens: refused
    monkeypatch.setenv("SOHOA_STORAGE__RETRIES", "0")
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    intake = Intake(config.load())
    for f in intake.folders:
        f.ensure()
    page = folders["00583"] / "ho-so" / "trang-1.jpg"
    page.parent.mkdir()
    page.write_bytes(b"\xff\xd8page")
    broken = intake.folders[0]
    real_inbox = WatchFolder.inbox

    def inbox(self):
        if self is broken:
            raise PermissionError("the share went away")
        return real_inbox(self)

    monkeypatch.setattr(WatchFolder, "inbox", inbox)
    intake.tick()
    time.sleep(0.05)
    tally = intake.tick()
    assert tally.taken == ["ho-so"]
    assert "watch folder failed" in caplog.text and "following" in caplog.text
    assert intake.folders[1].claims()[0].name == "ho-so"  # waits in processing/ for the store
