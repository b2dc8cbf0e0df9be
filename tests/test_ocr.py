"""OCR stage: hOCR parsing, NFC text, and Tesseract as a real program."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest

from pipeline import ocr
from pipeline._exec import tesseract
from pipeline.errors import MissingDependencyError
from tests.conftest import draw_page

HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<html><body><div class='ocr_page' title='bbox 0 0 2480 3508'>
 <div class='ocr_carea'><p class='ocr_par'>
  <span class='ocr_line' title="bbox 300 600 900 660; baseline 0.01 -12; x_size 50; x_descenders 10; x_ascenders 12">
   <span class='ocrx_word' title='bbox 300 600 420 660; x_wconf 96'>{decomposed}</span>
   <span class='ocrx_word' title='bbox 440 600 540 660; x_wconf 88'>lập</span>
  </span>
  <span class='ocr_line' title="bbox 300 700 900 760">
   <span class='ocrx_word' title='bbox 300 700 420 760; x_wconf 70'>Tự</span>
   <span class='ocrx_word' title='bbox 440 700 540 760; x_wconf 10'> </span>
  </span>
 </p></div></div></body></html>
"""


def test_parse_hocr_words_lines_and_nfc() -> None:
    raw = HOCR.format(decomposed=unicodedata.normalize("NFD", "Độc")).encode()
    result = ocr.parse_hocr(raw)
    assert [w.text for w in result.words] == ["Độc", "lập", "Tự"]
    assert all(unicodedata.is_normalized("NFC", w.text) for w in result.words)
    assert [w.line for w in result.words] == [0, 0, 1]
    assert result.words[0].box == (300, 600, 420, 660)
    assert result.lines[0].baseline == (0.01, -12.0)
    assert result.lines[0].size == 50.0
    assert result.lines[1].baseline[1] < 0  # no baseline given: estimated under the text
    assert result.mean_confidence == pytest.approx((96 + 88 + 70) / 3)
    assert result.text == "Độc lập\nTự"


def test_empty_hocr() -> None:
    result = ocr.parse_hocr(b"")
    assert result.words == [] and result.mean_confidence is None


def test_recognize_real_page() -> None:
    image = np.asarray(draw_page(dpi=200).convert("L"))
    result = ocr.recognize(image, dpi=200)
    text = result.text
    assert "Bát Tràng" in text and "QĐ-UBND" in text
    assert result.mean_confidence and result.mean_confidence > 80
    x0, y0, x1, y1 = result.words[0].box
    assert 200 < x0 < 400 and 150 < y0 < 300  # where draw_page put the first line


def test_missing_model_is_reported(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError, match="'vie' is not in"):
        tesseract.model_path("vie", tmp_path)


def test_model_folder_is_a_setting(tmp_path: Path) -> None:
    """A better vie model can be dropped in: the folder given is the one used."""
    default = tesseract.model_path("vie", None)
    (tmp_path / "vie.traineddata").write_bytes(default.read_bytes())
    assert tesseract.model_path("vie", tmp_path) == tmp_path / "vie.traineddata"
    image = np.asarray(draw_page(dpi=150, lines=["Độc lập - Tự do"]).convert("L"))
    result = ocr.recognize(image, tessdata_dir=tmp_path, dpi=150)
    assert "Độc" in result.text
