"""``pipeline.process``: the order pages are OCR'd in, and what comes back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipeline import process
from pipeline.core.errors import SohoaError
from pipeline.ingest import pages
from tests.conftest import LINES, draw_page


def _dossier(folder: Path, texts: list[list[str]]) -> Path:
    """A folder of 150 dpi JPEG pages, each with the given lines (none: a blank page)."""
    folder.mkdir()
    for i, lines in enumerate(texts, start=1):
        draw_page(dpi=150, lines=lines).save(folder / f"trang-{i}.jpg", dpi=(150, 150), quality=90)
    return folder


def test_costliest_pages_go_first_ties_keep_their_order(tmp_path: Path) -> None:
    folder = _dossier(tmp_path / "ho-so", [[], LINES, [], LINES[:2]])
    frames = [draw_page(dpi=100, mode="1") for _ in range(2)]
    frames[0].save(folder / "trang-5.tif", save_all=True, append_images=frames[1:],
                   compression="group4", dpi=(100, 100))
    read = pages.read_pages(folder, max_pixels=250_000_000)
    assert [p.number for p in read] == [1, 2, 3, 4, 5, 6]
    order = [p.number for p in process.in_work_order(read)]
    # Most text first; the two blank pages, then the tiny G4 file's two pages, in order.
    assert order[:2] == [2, 4]
    assert order[2:4] == [1, 3]
    assert order[4:] == [5, 6]


def test_pages_come_back_in_dossier_order(tmp_path: Path) -> None:
    folder = _dossier(tmp_path / "ho-so", [["Trang một"], LINES, ["Trang ba"]])
    seen: list[tuple[int, int]] = []
    rec = process.process_dossier(
        folder, tmp_path / "out", ocr=process.OcrOptions(jobs=2),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [p.number for p in rec.pages] == [1, 2, 3]
    assert [p.source for p in rec.pages] == ["trang-1.jpg", "trang-2.jpg", "trang-3.jpg"]
    text = [(tmp_path / "out" / process.text_files(n)[0]).read_text(encoding="utf-8") for n in (1, 2, 3)]
    assert "một" in text[0] and "ba" in text[2]
    assert "Bát Tràng" in text[1]
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def _fails_on_page_two(page, ocr):
    if page.number == 2:
        raise SohoaError("page two is unreadable", "trang hai không đọc được", page.source)
    return process.PageWork(page.number, None)


def test_a_failing_page_fails_the_dossier_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _dossier(tmp_path / "ho-so", [["Trang một"], LINES, ["Trang ba"]])
    out = tmp_path / "out"
    out.mkdir()
    (out / "record.json").write_text(json.dumps({"earlier": True}))
    # The workers are forked from this process, so they run the replacement too.
    monkeypatch.setattr(process, "recognise_page", _fails_on_page_two)
    with pytest.raises(SohoaError, match="page two"):
        process.process_dossier(folder, out, ocr=process.OcrOptions(jobs=2))
    assert sorted(p.name for p in out.iterdir()) == ["record.json"]
    assert json.loads((out / "record.json").read_text()) == {"earlier": True}
    assert Image.open(folder / "trang-2.jpg").size  # the input is untouched


def test_errors_survive_the_trip_back_from_a_worker() -> None:
    import pickle

    from pipeline.core.errors import InputFileError

    err = pickle.loads(pickle.dumps(InputFileError("truncated image", "ảnh bị cắt cụt", "/in/trang-2.jpg")))
    assert type(err) is InputFileError
    assert (err.en, err.vi, err.path) == ("truncated image", "ảnh bị cắt cụt", Path("/in/trang-2.jpg"))
    assert str(err) == "/in/trang-2.jpg: truncated image"


def test_workers_start_after_opencv_was_used_in_this_process(tmp_path: Path) -> None:
    """A process that cleaned a page itself (OpenCV's thread pool started) and then OCRs
    a dossier in forked workers once hung for ever; run apart, so a hang is a failure."""
    folder = _dossier(tmp_path / "ho-so", [["Trang một"], LINES])
    script = (
        "import sys, numpy as np\n"
        "from pathlib import Path\n"
        "from tests.conftest import draw_page\n"
        "from pipeline import process\nfrom pipeline.cleanup import prepare as cleanup\n"
        "cleanup.prepare_for_ocr(np.array(draw_page(dpi=150)), (150, 150))\n"
        "rec = process.process_dossier(Path(sys.argv[1]), Path(sys.argv[2]),\n"
        "                              ocr=process.OcrOptions(jobs=2))\n"
        "print(len(rec.pages))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"


def _slow_page(page, ocr):
    import time

    time.sleep(0.4)
    return process.PageWork(page.number, None)


def test_assembly_is_prepared_only_once_a_core_is_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main process's own preparation must not take CPU from busy workers: it waits
    until no page is left waiting for a worker."""
    folder = _dossier(tmp_path / "ho-so", [["Trang"]] * 5)
    monkeypatch.setattr(process, "recognise_page", _slow_page)
    done = 0
    warmed_at: list[int] = []

    def progress(n: int, total: int) -> None:
        nonlocal done
        done = n

    monkeypatch.setattr(process, "warm_up", lambda: warmed_at.append(done))
    read = pages.read_pages(folder, max_pixels=250_000_000)
    results = process.recognise_pages(read, process.OcrOptions(jobs=2), progress=progress)
    assert [r.number for r in results] == [1, 2, 3, 4, 5]
    # 5 pages on 2 workers: after the 4th, one page is left and one worker idles.
    assert warmed_at == [4]


def test_numpy_runs_single_threaded_under_the_pipeline() -> None:
    """One process per core: NumPy's BLAS must not start threads of its own (they spin,
    taking CPU from the OCR), unless the user asked for them."""
    script = (
        "import os, pipeline, numpy\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=root, check=True)
    assert done.stdout.split() == ["1", "1"]
    kept = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**env, "OPENBLAS_NUM_THREADS": "2"}, cwd=root, check=True)
    assert kept.stdout.split()[0] == "2"


def test_workers_read_with_their_own_engine_after_this_process_read_a_page(tmp_path: Path) -> None:
    """Tesseract's library engine belongs to the process that made it: forked workers
    make their own, and the dossier's text is the same as read in one process."""
    folder = _dossier(tmp_path / "ho-so", [["Trang một"], LINES, ["Trang ba"]])
    script = (
        "import sys, numpy as np\n"
        "from pathlib import Path\n"
        "from tests.conftest import draw_page\n"
        "from pipeline import process\nfrom pipeline.ocr import recognise as ocr\n"
        "from pipeline._exec import tesseract\n"
        "ocr.recognize(np.asarray(draw_page(dpi=150).convert('L')), dpi=150)\n"
        "assert tesseract._engines\n"
        "for jobs, out in ((2, sys.argv[2]), (1, sys.argv[3])):\n"
        "    process.process_dossier(Path(sys.argv[1]), Path(out), ocr=process.OcrOptions(jobs=jobs))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(tmp_path / "two"), str(tmp_path / "one")],
        capture_output=True, text=True, timeout=180, cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "LEAK" not in done.stderr
    for n in (1, 2, 3):
        name = process.text_files(n)[0]
        assert (tmp_path / "two" / name).read_text() == (tmp_path / "one" / name).read_text()


def test_an_ocr_failure_names_the_clerks_file_and_page(tmp_path: Path) -> None:
    """Tesseract stopped by the timeout: the message names the file dropped and the page."""
    from pipeline.core.errors import OcrError

    folder = _dossier(tmp_path / "ho-so", [["Trang một"], LINES])
    read = pages.read_pages(folder, max_pixels=250_000_000)
    with pytest.raises(OcrError) as caught:
        process.recognise_page(read[1], process.OcrOptions(timeout_seconds=0.001))
    assert caught.value.path == folder / "trang-2.jpg"
    assert "page 2: OCR took longer" in caught.value.message
    assert "trang 2:" in caught.value.message_vi


def test_the_flow_records_the_dossiers_name_not_its_temporary_copy(tmp_path: Path) -> None:
    from flows.digitise import build_documents
    from pipeline.core import settings as config

    copy = tmp_path / "sohoa-run-x7" / "in"  # where a flow run puts its copy of the dossier
    copy.parent.mkdir()
    folder = _dossier(copy, [["Trang một"]])
    opened = process.open_dossier(folder, ocr=process.OcrOptions(jobs=1))
    results = process.recognise_pages(opened.pages, opened.ocr)
    rec = build_documents.fn(opened, results, tmp_path / "out", config.Settings(), "24958/ho-so-01")
    assert rec.input == "24958/ho-so-01"
    assert "sohoa-run-x7" not in (tmp_path / "out" / "record.json").read_text(encoding="utf-8")
    # The CLI keeps the path it was given.
    assert process.assemble(opened, results, tmp_path / "cli").input == str(folder)


def test_a_born_digital_pdf_without_its_fonts_and_junk_beside_it_are_converted(tmp_path: Path) -> None:
    """Used to fail PDF/A validation (exit 8) or be refused: now rasterised and OCR'd, junk and
    a stray document set aside, each said in the record."""
    from tests.test_pages import _pdf_with_text

    folder = tmp_path / "ho-so"
    folder.mkdir()
    _pdf_with_text(folder / "van-ban.pdf", embedded=False)
    (folder / "Thumbs.db").write_bytes(b"\x00junk")
    (folder / "bao-cao.docx").write_bytes(b"PK\x03\x04 a word document")
    rec = process.process_dossier(folder, tmp_path / "out", ocr=process.OcrOptions(jobs=1))
    assert len(rec.pages) == 1 and rec.pages[0].ocr is not None and rec.pages[0].ocr.words > 3
    assert any("not embedded (Helvetica)" in w for w in rec.warnings)
    assert any(w.startswith("bao-cao.docx: not a page") for w in rec.warnings)
    assert any(w.startswith("Thumbs.db: computer junk") for w in rec.warnings)
    assert [s.file for s in rec.sources] == ["van-ban.pdf"]
