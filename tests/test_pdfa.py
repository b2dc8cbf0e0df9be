"""PDF/A stage: validation, metadata, 100% page size, untouched image data, text layer."""

from __future__ import annotations

import io
import math
import re
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pikepdf
import pikepdf.pdfa
import pytest
from PIL import Image

from pipeline.core.errors import PdfaInvalidError
from pipeline.core.model import Line, OcrResult, Word
from pipeline.ingest import pages
from pipeline.pdfa import document as pdfa
from tests.conftest import draw_page, pdftotext

LIMIT = 250_000_000
INFO = pdfa.DocumentInfo(
    title="Hồ sơ rà soát đất đai",
    created=datetime(2025, 9, 15, 8, 30, tzinfo=UTC),
    document_id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    creator_tool="sohoa test",
)


def _ocr(words: list[tuple[str, tuple[int, int, int, int]]]) -> OcrResult:
    """One line of words on a flat baseline at the boxes' bottom."""
    top = min(b[1] for _, b in words)
    bottom = max(b[3] for _, b in words)
    line = Line(box=(words[0][1][0], top, words[-1][1][2], bottom), baseline=(0.0, 0.0),
                size=float(bottom - top))
    return OcrResult([Word(t, 95.0, b, 0) for t, b in words], [line], 95.0, 0.0)


def _build(tmp_path: Path, source: Path, ocr=None, to_source=None, rotation=0) -> Path:
    (page,) = pages.read_pages(source, max_pixels=LIMIT)
    out = tmp_path / "out.pdf"
    content = pdfa.PageContent(page, ocr, np.eye(3) if to_source is None else to_source, rotation)
    pdfa.build([content], INFO, out)
    return out


def _only_image(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    (image,) = [v for v in pdf.pages[0].resources.XObject.values()]
    return image


def test_jpeg_embedded_byte_for_byte_and_valid(tmp_path: Path) -> None:
    src = tmp_path / "p.jpg"
    draw_page(dpi=300).save(src, dpi=(300, 300), quality=85)
    out = _build(tmp_path, src)
    assert pikepdf.pdfa.validate_written(out, "2b").passed
    with pikepdf.open(out) as pdf:
        image = _only_image(pdf)
        assert image.Filter == "/DCTDecode"
        assert image.read_raw_bytes() == src.read_bytes()
        box = [float(v) for v in pdf.pages[0].MediaBox]
        assert box[2] == pytest.approx(2481 * 72 / 300, abs=0.01)  # pixels / dpi
        assert box[3] == pytest.approx(3507 * 72 / 300, abs=0.01)
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert meta["dc:title"] == INFO.title
        assert "vi" in str(meta["dc:language"])
        assert meta["xmpMM:DocumentID"] == f"uuid:{INFO.document_id}"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1"
        assert "sRGB" in str(intent.get("/OutputConditionIdentifier", ""))


def test_g4_embedded_as_is_and_pixels_identical(tmp_path: Path) -> None:
    src = tmp_path / "p.tif"
    original = draw_page(dpi=200, mode="1")
    original.save(src, compression="group4", dpi=(200, 200), strip_size=1 << 31)
    (page,) = pages.read_pages(src, max_pixels=LIMIT)
    strip, _ = pages.g4_strip(page)
    out = _build(tmp_path, src)
    with pikepdf.open(out) as pdf:
        image = _only_image(pdf)
        assert image.Filter == "/CCITTFaxDecode"
        assert image.read_raw_bytes() == strip
    rendered = _render(out, 200, gray=True)
    assert rendered.shape == (original.height, original.width)
    differ = np.count_nonzero((rendered > 127) != np.asarray(original))
    assert differ / rendered.size < 0.001  # black is black: no inversion


def test_png_kept_losslessly(tmp_path: Path) -> None:
    src = tmp_path / "p.png"
    original = draw_page(dpi=100)
    original.save(src, dpi=(100, 100))
    out = _build(tmp_path, src)
    with pikepdf.open(out) as pdf:
        decoded = pikepdf.PdfImage(_only_image(pdf)).as_pil_image()
    assert np.array_equal(np.asarray(decoded.convert("RGB")), np.asarray(original))


def test_right_angle_turn_is_page_rotation(tmp_path: Path) -> None:
    src = tmp_path / "p.jpg"
    draw_page(dpi=100).save(src, dpi=(100, 100))
    out = _build(tmp_path, src, rotation=90)
    with pikepdf.open(out) as pdf:
        assert pdf.pages[0].Rotate == 90
        assert _only_image(pdf).read_raw_bytes() == src.read_bytes()


def test_text_layer_lies_over_the_words(tmp_path: Path) -> None:
    src = tmp_path / "p.jpg"
    draw_page(dpi=300).save(src, dpi=(300, 300))
    words = [("Độc", (300, 600, 420, 660)), ("lập", (440, 600, 540, 660))]
    out = _build(tmp_path, src, ocr=_ocr(words))
    found = _bbox_words(out)
    assert [w for w, _ in found] == ["Độc", "lập"]
    for (_, box), (_, (x0, y0, x1, y1)) in zip(found, words, strict=True):
        cx, cy = (x0 + x1) / 2 * 72 / 300, (y0 + y1) / 2 * 72 / 300
        assert _centre(box) == pytest.approx((cx, cy), abs=3.0)


def test_text_layer_follows_a_skewed_scan(tmp_path: Path) -> None:
    """OCR ran on a deskewed image; the words must land on the tilted original."""
    src = tmp_path / "p.jpg"
    draw_page(dpi=300).save(src, dpi=(300, 300))
    angle = math.radians(3)
    c, s = math.cos(angle), math.sin(angle)
    centre = np.array([1240, 1754])
    rotate = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    shift = np.array([[1, 0, centre[0]], [0, 1, centre[1]], [0, 0, 1]])
    back = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
    to_source = shift @ rotate @ back
    word_box = (1500, 2500, 1700, 2560)
    out = _build(tmp_path, src, ocr=_ocr([("Phúc", word_box)]), to_source=to_source)
    ((text, box),) = _bbox_words(out)
    assert text == "Phúc"
    mapped = to_source @ np.array([(word_box[0] + word_box[2]) / 2, (word_box[1] + word_box[3]) / 2, 1])
    assert _centre(box) == pytest.approx((mapped[0] * 72 / 300, mapped[1] * 72 / 300), abs=4.0)


def test_invalid_pdfa_is_an_error_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    """Fault injection: a forbidden construct must fail validation, not pass silently."""
    src = tmp_path / "p.jpg"
    draw_page(dpi=100).save(src, dpi=(100, 100))
    real = pdfa._set_metadata

    def with_javascript(pdf, info):
        real(pdf, info)
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")

    monkeypatch.setattr(pdfa, "_set_metadata", with_javascript)
    with pytest.raises(PdfaInvalidError, match="PDF/A-2b check failed"):
        _build(tmp_path, src)
    assert not (tmp_path / "out.pdf").exists()


def _render(pdf: Path, dpi: int, gray: bool = False) -> np.ndarray:
    args = ["pdftoppm", "-r", str(dpi), "-singlefile", "-png"] + (["-gray"] if gray else [])
    png = subprocess.run([*args, str(pdf)], capture_output=True, check=True).stdout
    img = Image.open(io.BytesIO(png))
    return np.asarray(img.convert("L") if gray else img.convert("RGB"))


def _bbox_words(pdf: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    html = pdftotext(pdf, "-bbox")
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    return [(m[4], tuple(float(v) for v in m[:4])) for m in re.findall(pattern, html)]


def _centre(box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
