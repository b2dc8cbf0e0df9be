"""One pixel limit and one page limit on every path: the CLI, the flow's workers, PDFs that are
not scans, and files that declare far more than they hold. Refusals are clear, bilingual
(Vietnamese first) and exit 6; nothing is decoded before the check."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from pipeline.core.errors import ExitCode, TooLargeError
from pipeline.ingest import pages, pdfsource

REPO = Path(__file__).resolve().parents[1]
LIMIT = 250_000_000


def sohoa(*args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "sohoa.cli", *map(str, args)], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=300, cwd=REPO,
    )


def declared_page(path: Path, width_pt: float, height_pt: float) -> Path:
    """A PDF of a few hundred bytes whose one page declares its size and draws nothing."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.pages[0].obj.MediaBox = pikepdf.Array([0, 0, width_pt, height_pt])
    pdf.save(path, compress_streams=True)
    return path


def test_a_tiny_pdf_declaring_a_huge_page_is_refused_before_rasterising(tmp_path: Path) -> None:
    path = declared_page(tmp_path / "trang.pdf", 60000, 60000)
    assert path.stat().st_size < 1000
    started = time.monotonic()
    with pytest.raises(TooLargeError) as refused:
        pages.read_pages(path, max_pixels=LIMIT)
    assert time.monotonic() - started < 5
    assert refused.value.exit_code == ExitCode.too_large
    assert "60000 × 60000" in str(refused.value)


def test_a_legal_page_size_over_the_pixel_limit_at_300_dpi_is_refused(tmp_path: Path) -> None:
    # 14,000 points a side is a legal PDF page; at 300 dpi it is 58,334² = 3.4 G pixels.
    path = declared_page(tmp_path / "trang.pdf", 14000, 14000)
    with pytest.raises(TooLargeError, match="safety limit"):
        pages.read_pages(path, max_pixels=LIMIT)
    # Under a smaller limit, an A4 page drawn with vectors is refused too: one limit for all.
    a4 = declared_page(tmp_path / "a4.pdf", 595, 842)
    assert pages.read_pages(a4, max_pixels=LIMIT)[0].width == 2480
    with pytest.raises(TooLargeError):
        pages.read_pages(a4, max_pixels=1_000_000)


def test_cli_refuses_the_huge_page_in_both_languages(tmp_path: Path) -> None:
    path = declared_page(tmp_path / "trang.pdf", 60000, 60000)
    result = sohoa("process", path, "--output", tmp_path / "out")
    assert result.returncode == ExitCode.too_large, result.stderr
    assert "Traceback" not in result.stderr
    vietnamese, english = result.stderr.index("Lỗi:"), result.stderr.index("Error:")
    assert vietnamese < english
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _decode_with_pillows_default(page) -> tuple[int, ...]:
    """In a fresh interpreter, as a flow worker or a fork-server OCR worker is."""
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # Pillow's own default
    return pages.load_pixels(page).shape


def test_a_worker_decodes_a_page_within_the_configured_limit(tmp_path: Path) -> None:
    # 13,500 × 13,400 = 180.9 Mpx: within the 250 Mpx limit, over twice Pillow's default.
    path = tmp_path / "trang.tif"
    Image.new("1", (13_500, 13_400), 1).save(path, compression="group4", dpi=(400, 400))
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_decode_with_pillows_default, (page,)) == (13_400, 13_500)


def test_a_tiny_tiff_of_thousands_of_pages_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ho-so.tif"
    frame = Image.new("1", (32, 32), 1)
    frame.save(path, compression="group4", save_all=True, append_images=[frame] * 2000)
    assert path.stat().st_size < 500_000
    with pytest.raises(TooLargeError) as refused:
        pages.read_pages(path, max_pixels=LIMIT)
    assert "1,000" in str(refused.value) and refused.value.exit_code == ExitCode.too_large
    assert len(pages.read_pages(path, max_pixels=LIMIT, max_pages=2001)) == 2001


def test_the_page_limit_counts_the_whole_dossier(tmp_path: Path) -> None:
    folder = tmp_path / "ho-so"
    folder.mkdir()
    for i in range(1, 4):
        Image.new("L", (32, 32), 255).save(folder / f"trang-{i}.png", dpi=(200, 200))
    declared_page(folder / "trang-4.pdf", 595, 842)
    assert len(pages.read_pages(folder, max_pixels=LIMIT, max_pages=4)) == 4
    with pytest.raises(TooLargeError, match="3 pages"):
        pages.read_pages(folder, max_pixels=LIMIT, max_pages=3)
    with pytest.raises(TooLargeError):
        pages.read_pages(folder, max_pixels=LIMIT, max_pages=2)


def test_cli_page_limit_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "ho-so.tif"
    frame = Image.new("1", (16, 16), 1)
    frame.save(path, compression="group4", save_all=True, append_images=[frame] * 5)
    result = sohoa("process", path, "-o", tmp_path / "out", env={"SOHOA_INPUT__MAX_PAGES": "5"})
    assert result.returncode == ExitCode.too_large
    assert "input.max_pages" in result.stderr and "hãy chia nhỏ" in result.stderr


def test_pdftoppm_is_stopped_at_its_deadline(tmp_path: Path, monkeypatch) -> None:
    from pipeline.core.errors import InputFileError

    path = declared_page(tmp_path / "a4.pdf", 595, 842)
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert pages.load_pixels(page).shape == (page.height, page.width, 3) == (3509, 2480, 3)
    monkeypatch.setattr(pdfsource, "RENDER_TIMEOUT_SECONDS", 0.001)
    with pytest.raises(InputFileError, match="within 0 s"):
        pages.load_pixels(page)
