"""``sohoa process`` end to end on the real programs, and its failure paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pytest

from pipeline.core.errors import ExitCode
from tests.conftest import draw_page, pdftotext

SOHOA = [sys.executable, "-m", "sohoa.cli"]


def run(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SOHOA, *map(str, args)], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=600,
    )


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    dossier = tmp_path_factory.mktemp("ho-so") / "ho-so-01"
    dossier.mkdir()
    draw_page(dpi=300).save(dossier / "trang-1.jpg", dpi=(300, 300), quality=90)
    draw_page(dpi=200, mode="1").save(
        dossier / "trang-2.tif", compression="group4", dpi=(200, 200)
    )
    out = tmp_path_factory.mktemp("out")
    result = run("process", dossier, "--output", out, "--jobs", "2")
    return dossier, out, result


def test_process_makes_valid_searchable_pdfa(processed) -> None:
    _, out, result = processed
    assert result.returncode == 0, result.stderr
    rec = json.loads((out / "record.json").read_text(encoding="utf-8"))
    files = [out / o["file"] for o in rec["outputs"]]
    assert all(f.name.startswith("ho-so-01.") for f in files)
    pages = 0
    for pdf_path in files:
        assert pikepdf.pdfa.validate_written(pdf_path, "2b").passed
        with pikepdf.open(pdf_path) as pdf:
            pages += len(pdf.pages)
    assert pages == 2
    text = unicodedata.normalize("NFC", pdftotext(files[0]))
    assert "Bát Tràng" in text
    assert "rà soát" in text


def test_record_describes_the_run(processed) -> None:
    dossier, out, _ = processed
    rec = json.loads((out / "record.json").read_text(encoding="utf-8"))
    assert [p["source"] for p in rec["pages"]] == ["trang-1.jpg", "trang-2.tif"]
    assert rec["pages"][0]["embedding"] == "jpeg"
    assert rec["pages"][1]["embedding"] == "ccitt-g4"
    assert rec["pages"][0]["ocr"]["meanConfidence"] > 70
    assert rec["pages"][0]["ocr"]["words"] >= 15
    assert rec["engine"]["language"] == "vie"
    assert rec["engine"]["tesseract"].startswith("5")
    import hashlib

    sha = hashlib.sha256((dossier / "trang-1.jpg").read_bytes()).hexdigest()
    assert {"file": "trang-1.jpg", "bytes": (dossier / "trang-1.jpg").stat().st_size,
            "sha256": sha} in rec["sources"]
    out_pdf = rec["outputs"][0]
    assert out_pdf["sha256"] == hashlib.sha256((out / out_pdf["file"]).read_bytes()).hexdigest()
    assert rec["timings"]["total"] > 0


def test_scripts_get_no_progress_display(processed) -> None:
    _, _, result = processed
    assert "\r" not in result.stderr  # not a terminal: no progress bar


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"", ExitCode.input_file, "empty"),
        (b"not an image at all", ExitCode.input_file, "not an image"),
        (b"%PDF-1.7\n\x00broken", ExitCode.input_file, "not a readable PDF"),
    ],
)
def test_bad_input_clear_error_no_output(tmp_path: Path, content, code, words) -> None:
    dossier = tmp_path / "ho-so"
    dossier.mkdir()
    draw_page(dpi=100).save(dossier / "trang-1.jpg", dpi=(100, 100))
    bad = dossier / ("trang-2.pdf" if content.startswith(b"%PDF") else "trang-2.jpg")
    bad.write_bytes(content)
    out = tmp_path / "out"
    result = run("process", dossier, "--output", out)
    assert result.returncode == code
    assert "trang-2" in result.stderr and words in result.stderr
    assert "Lỗi:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())
    assert bad.exists() and (dossier / "trang-1.jpg").exists()  # nothing lost


def test_pixel_limit_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    draw_page(dpi=100).save(path)
    result = run("process", path, "-o", tmp_path / "out", env={"SOHOA_INPUT__MAX_PIXELS": "1000"})
    assert result.returncode == ExitCode.too_large
    assert "safety limit" in result.stderr


def test_missing_language_model(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    draw_page(dpi=100).save(path)
    result = run("process", path, "-o", tmp_path / "out", "--language", "xyz")
    assert result.returncode == ExitCode.missing_dependency
    assert "xyz" in result.stderr


def test_failed_run_keeps_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "record.json").write_text("{}")
    missing = tmp_path / "khong-co"
    result = run("process", missing, "-o", out)
    assert result.returncode == ExitCode.input_file
    assert (out / "record.json").read_text() == "{}"
    assert sorted(p.name for p in out.iterdir()) == ["record.json"]
