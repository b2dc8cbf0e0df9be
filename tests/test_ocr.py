"""OCR stage: hOCR parsing, NFC text, and Tesseract as a real program."""

from __future__ import annotations

import datetime
import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from pipeline._exec import tesseract
from pipeline.core.errors import MissingDependencyError
from pipeline.core.model import Line, OcrResult, Word
from pipeline.ocr import columns, missed
from pipeline.ocr import recognise as ocr
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


# --------------------------------------------------------------------------- second look

BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"


def _signature_block(dpi: int = 300) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A page with only a signature block (position, a scribble, the name) at the foot
    of the right column; the name's box."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(BOLD, round(13 * dpi / 72))
    cx, y = round(0.7 * width), round(0.6 * height)
    for text, dy in (("CHỦ TỊCH", 0), ("Nguyễn Văn An", round(1.1 * dpi))):
        draw.text((cx - draw.textlength(text, font=font) / 2, y + dy), text, font=font, fill=0)
    xs = np.linspace(cx - 0.5 * dpi, cx + 0.5 * dpi, 200)
    ys = y + 0.55 * dpi + 0.12 * dpi * np.sin(xs / 20)
    draw.line(list(zip(xs.tolist(), ys.tolist())), fill=0, width=5)
    name_w = draw.textlength("Nguyễn Văn An", font=font)
    box = (round(cx - name_w / 2), y + round(1.1 * dpi), round(cx + name_w / 2), y + round(1.35 * dpi))
    return np.asarray(img), box


def test_unread_regions_only_where_ink_has_no_words() -> None:
    image, (x0, y0, x1, y1) = _signature_block()
    regions = missed.unread_regions(image, [], 300)
    assert 1 <= len(regions) <= missed.MAX_REGIONS
    assert any(rx0 <= x0 and ry0 <= y0 and rx1 >= x1 and ry1 >= y1  # the name is in one
               for rx0, ry0, rx1, ry1 in regions)
    # Read (every blob under a sure word): nothing to look at again.
    h, w = image.shape
    words = [Word("x", 95.0, (w // 2, h // 2, w, h), 0)]
    assert missed.unread_regions(image, words, 300) == []
    # The same ink in the left-hand column is no signature block.
    assert missed.unread_regions(image[:, ::-1].copy(), [], 300) == []


def test_merge_keeps_sure_lines_in_page_coordinates() -> None:
    page = OcrResult([Word("Điều", 95.0, (10, 10, 60, 30), 0)], [Line((10, 10, 60, 30), (0.0, -5.0), 20.0)],
                     95.0, 1.0)
    extra = OcrResult(
        [Word("Nguyễn", 90.0, (5, 5, 50, 25), 0), Word("An", 88.0, (55, 5, 80, 25), 0),
         Word("#ã", 20.0, (5, 40, 30, 60), 1), Word("ọ", 30.0, (35, 40, 50, 60), 1),
         Word("Xã", 95.0, (5, 70, 30, 90), 2), Word("v", 90.0, (35, 70, 40, 90), 2)],
        [Line((5, 5, 80, 25), (0.0, -4.0), 20.0), Line((5, 40, 50, 60), (0.0, -4.0), 20.0),
         Line((5, 70, 40, 90), (0.0, -4.0), 20.0)],
        50.0, 0.5)
    merged = missed.merge(page, extra, (1000, 2000))
    assert [w.text for w in merged.words] == ["Điều", "Nguyễn", "An"]
    assert merged.words[1].box == (1005, 2005, 1050, 2025) and merged.words[1].line == 1
    assert merged.lines[1].box == (1005, 2005, 1080, 2025)
    assert len(merged.lines) == 2 and merged.seconds == 1.5


def test_last_line_is_the_lowest_band_of_text_under_a_signature() -> None:
    """A signature's stroke ending on the name under it: the name's rows are found as the
    lowest line-high band of ink, the stroke above it is not a line."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (900, 420), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(_BOLD_SERIF, 56)
    draw.text((200, 330), "Vũ Tấn Tâm", font=font, fill=0, anchor="ls")
    crop = np.asarray(page).copy()
    xs = np.arange(150, 700)
    ys = (150 + 110 * np.sin((xs - 150) / 30.0)).astype(np.int32)
    cv2.polylines(crop, [np.stack([xs, ys], axis=1)], False, 0, 5)
    cv2.line(crop, (150, 270), (700, 300), 0, 5)  # the flourish through the accents and capitals
    top, bottom = font.getbbox("Vũ Tấn Tâm", anchor="ls")[1::2]
    y0, y1 = missed.last_line(crop, 300)
    assert y0 <= 330 + top and y1 >= 330 + bottom  # the whole name, accents and all
    assert y0 > 200 and y1 < 380  # not the signature's loops, not the paper under it
    assert missed.last_line(np.full((200, 400), 255, np.uint8), 300) is None


def test_merge_keeps_a_sure_given_name_alone() -> None:
    """"Đinh Anh Toàn" under the seal and the signature's stroke reads ".IM Toàn": the
    given name is kept on its own line (its surname can be matched by shape); a less sure
    or lower-case word alone is not."""
    page = OcrResult([], [], None, 0.0)
    lines = [Line((5, 5 + 40 * i, 80, 25 + 40 * i), (0.0, -4.0), 20.0) for i in range(3)]
    extra = OcrResult(
        [Word(".IM", 16.0, (5, 5, 30, 25), 0), Word("Toàn", 84.0, (40, 5, 80, 25), 0),
         Word("Toàn", 70.0, (40, 45, 80, 65), 1), Word("toàn", 95.0, (40, 85, 80, 105), 2)],
        lines, 60.0, 0.5)
    merged = missed.merge(page, extra, (0, 0))
    assert [(w.text, w.box) for w in merged.words] == [("Toàn", (40, 5, 80, 25))]


def test_second_look_reads_a_block_the_layout_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the page's layout analysis drops the signature block, it is read as a block."""
    image, (x0, y0, x1, y1) = _signature_block()
    real = ocr._tesseract
    calls: list[int] = []

    def dropping(image, language, tessdata_dir, dpi, psm, timeout):
        calls.append(psm)
        return OcrResult([], [], None, 0.0) if psm == 3 else real(image, language, tessdata_dir, dpi, psm, timeout)

    monkeypatch.setattr(ocr, "_tesseract", dropping)
    result = ocr.recognize(image, dpi=300)
    # Each region read as a block, and its lowest band alone where the block kept no line.
    assert calls[0] == 3 and 6 in calls and set(calls[1:]) <= {6, 7}
    assert "Nguyễn Văn An" in result.text and result.text.count("Nguyễn") == 1
    name = [w for w in result.words if w.text == "Nguyễn"][0]
    assert abs(name.box[0] - x0) < 15 and y0 - 20 < name.box[1] < y1  # on the page, not the crop
    assert ocr.recognize(image, dpi=300, second_look=False).words == []


def _header_with_a_rule_under_its_unit_line(dpi: int = 300) -> np.ndarray:
    """The issuing body's two lines at the top left, a rule drawn right under the second
    (touching its letters' feet), the motto's line on the right."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(BOLD, round(13 * dpi / 72))
    cx = round(0.25 * width)
    for text, y in (("ỦY BAN NHÂN DÂN", 150), ("THÀNH PHỐ BUÔN MA THUỘT", 215)):
        draw.text((cx - draw.textlength(text, font=font) / 2, y), text, font=font, fill=0)
    _, _, _, foot = draw.textbbox((0, 215), "THÀNH PHỐ BUÔN MA THUỘT", font=font)
    draw.line((cx - 220, foot, cx + 220, foot), fill=0, width=4)
    draw.text((round(0.55 * width), 150), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font, fill=0)
    return np.asarray(img)


def test_second_look_reads_a_header_line_the_layout_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The unit line under the issuing body's first, lost by the layout analysis, is read
    again with its marks (the rule under it whitened) and the first line not twice."""
    image = _header_with_a_rule_under_its_unit_line()
    real = ocr._tesseract
    unit = {"THÀNH", "PHỐ", "BUÔN", "MA", "THUỘT"}

    def dropping(image, language, tessdata_dir, dpi, psm, timeout):
        result = real(image, language, tessdata_dir, dpi, psm, timeout)
        if psm == 3:
            result.words = [w for w in result.words if w.text not in unit]
        return result

    monkeypatch.setattr(ocr, "_tesseract", dropping)
    result = ocr.recognize(image, dpi=300)
    assert "THÀNH PHỐ BUÔN MA THUỘT" in result.text
    assert result.text.count("ỦY") == 1 and result.text.count("CỘNG") == 1


def test_a_rule_is_whitened_and_the_letters_kept() -> None:
    import cv2

    crop = np.full((200, 900), 255, np.uint8)
    cv2.putText(crop, "BUON MA", (50, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 8)
    cv2.line(crop, (30, 130), (870, 130), 0, 4)
    clean = missed.without_rules(crop, 300)
    assert (clean[128:133, 30:870] == 255).mean() > 0.9  # the rule gone
    assert (clean[40:120] < 128).sum() > 0.9 * (crop[40:120] < 128).sum()  # the letters kept
    letters_only = np.full((200, 900), 255, np.uint8)
    cv2.putText(letters_only, "BUON MA", (50, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 8)
    assert (missed.without_rules(letters_only, 300) == letters_only).all()


def test_a_rule_struck_through_letters_leaves_their_strokes() -> None:
    """A signature's level stroke run through a name: the rule goes, the letters' stems it
    crossed stay whole."""
    import cv2

    letters = np.full((200, 900), 255, np.uint8)
    cv2.putText(letters, "HKH MH", (50, 140), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 8)
    struck = letters.copy()
    cv2.line(struck, (30, 100), (870, 100), 0, 4)
    clean = missed.without_rules(struck, 300)
    stems = ((letters[80] < 128) & (letters[120] < 128))
    gaps = ~(letters[60:150] < 128).any(axis=0)
    assert stems.sum() > 50 and gaps[30:870].sum() > 50
    assert (clean[98:103, stems] < 128).mean() > 0.9  # the stems crossed kept
    assert (clean[98:103, 30:870][:, gaps[30:870]] == 255).mean() > 0.9  # the rule between gone


def test_the_name_band_is_read_with_the_stroke_through_it_whitened(monkeypatch: pytest.MonkeyPatch) -> None:
    """The signature's last stroke run level through the name, and the block's read missing
    the name: the name's band alone is read with the stroke whitened, its letters kept."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    draw.text((1500, 2700), "Danh Thị Sóc Kha", font=ImageFont.truetype(_BOLD_SERIF, 56), fill=0,
              anchor="ls")
    image = np.asarray(page).copy()
    xs = np.arange(1450, 1950)
    ys = (2560 + 60 * np.sin((xs - 1450) / 30.0)).astype(np.int32)
    cv2.polylines(image, [np.stack([xs, ys], axis=1)], False, 0, 5)
    cv2.line(image, (1420, 2680), (2050, 2684), 0, 5)
    real = ocr._tesseract

    def blind_but_the_band(image, language, tessdata_dir, dpi, psm, timeout):
        result = real(image, language, tessdata_dir, dpi, psm, timeout)
        if psm != 7:  # the page's and the block's reads miss the name
            result = OcrResult([], [], None, result.seconds)
        return result

    monkeypatch.setattr(ocr, "_tesseract", blind_but_the_band)
    assert "Sóc Kha" in ocr.recognize(image, dpi=300).text


def test_merge_leaves_out_a_word_read_twice() -> None:
    page = OcrResult([Word("ỦYBANNHÂNDÂN", 87.0, (378, 147, 881, 213), 0)],
                     [Line((378, 147, 881, 213), (0.0, -5.0), 50.0)], 87.0, 1.0)
    extra = OcrResult(
        [Word("ỦY", 95.0, (30, 0, 90, 60), 0), Word("BAN", 95.0, (100, 0, 190, 60), 0),
         Word("THÀNH", 93.0, (0, 60, 110, 120), 1), Word("PHỐ", 90.0, (120, 60, 190, 120), 1)],
        [Line((30, 0, 190, 60), (0.0, -4.0), 50.0), Line((0, 60, 190, 120), (0.0, -4.0), 50.0)],
        90.0, 0.5)
    merged = missed.merge(page, extra, (350, 150))
    assert [w.text for w in merged.words] == ["ỦYBANNHÂNDÂN", "THÀNH", "PHỐ"]
    # A word read unsurely: the signature block's second look may read it better (a seal's
    # scraps), and its reading takes the unsure one's place; the header's takes it for read
    # ("NHÂN DÂN" twice otherwise).
    unsure = OcrResult([Word("ỦY", 95.0, (378, 147, 440, 213), 0), Word("BAN", 94.0, (450, 147, 540, 213), 0),
                        Word("NHÂN", 33.0, (550, 147, 660, 213), 0)], [], 74.0, 1.0)
    extra = OcrResult([Word("BAN", 95.0, (100, 0, 190, 60), 0), Word("NHÂN", 95.0, (200, 0, 310, 60), 0),
                       Word("DÂN", 95.0, (320, 0, 400, 60), 0)],
                      [Line((100, 0, 400, 60), (0.0, -4.0), 50.0)], 95.0, 0.5)
    again = missed.merge(unsure, extra, (350, 150))
    assert [(w.text, w.confidence) for w in again.words] == [
        ("ỦY", 95.0), ("BAN", 94.0), ("NHÂN", missed.GIVEN_WAY_CONF), ("DÂN", 95.0)]
    assert [w.text for w in missed.merge(unsure, extra, (350, 150), header=True).words][3:] == []


def test_a_header_line_is_whole_with_a_speck_before_it() -> None:
    """The issuing body's unit line read again with a speck before it ("-. CÔNG AN TỈNH BẮC
    NINH"): the speck is no word of it, and the line is taken; a word left out (a number,
    unsure letters) still drops the line."""
    page = OcrResult([Word("BỘ", 96.0, (510, 176, 560, 229), 0)], [], 96.0, 1.0)

    def line(*words: tuple[str, float]) -> OcrResult:
        return OcrResult([Word(t, c, (10 + 100 * i, 0, 90 + 100 * i, 40), 0) for i, (t, c) in enumerate(words)],
                         [Line((10, 0, 90 + 100 * (len(words) - 1), 40), (0.0, -4.0), 40.0)], 90.0, 0.5)

    unit = (("CÔNG", 89.0), ("AN", 92.0), ("TỈNH", 90.0), ("NINH", 96.0))
    merged = missed.merge(page, line(("-.", 42.0), *unit), (300, 230), header=True)
    assert [w.text for w in merged.words] == ["BỘ", "CÔNG", "AN", "TỈNH", "NINH"]
    dropped = missed.merge(page, line(("x7", 42.0), *unit), (300, 230), header=True)
    assert [w.text for w in dropped.words] == ["BỘ"]


def test_a_line_read_twice_over_a_rule_keeps_each_word_once() -> None:
    """Tesseract's one line over "THÀNH PHỐ SÓC TRĂNG" with a rule under "PHỐ SÓC": "HỔ"
    and "SÓC" read, and "PHÔ" and "SÓC" again in boxes swelled down to the rule. Each
    stretch of ink is one word, the surer reading; a day in its blank stays."""
    words = [Word("THẦNH", 83.0, (408, 281, 592, 331), 0), Word("PHÔ", 87.0, (624, 277, 715, 375), 0),
             Word("SÓC", 92.0, (747, 277, 854, 375), 0), Word("HỔ", 34.0, (655, 279, 733, 331), 0),
             Word("SÓC", 93.0, (750, 281, 852, 332), 0), Word("TRĂNG", 85.0, (867, 282, 1055, 331), 0),
             Word("ngày", 90.0, (1500, 281, 1700, 331), 0), Word("12", 60.0, (1600, 285, 1650, 331), 0)]
    result = OcrResult(words, [Line((408, 277, 1700, 375), (0.0, -4.0), 50.0)], 80.0, 1.0)
    once = columns.read_once(result)
    assert [w.text for w in once.words] == ["THẦNH", "PHÔ", "SÓC", "TRĂNG", "ngày", "12"]
    assert once.words[2].confidence == 93.0
    # A box swelled over its neighbour ("HÒA" reaching over "XÃ") is two words still.
    motto = OcrResult([Word("CỘNG", 96.0, (1199, 244, 1344, 301), 0), Word("HÒA", 96.0, (1362, 235, 1556, 307), 0),
                       Word("XÃ", 96.0, (1481, 231, 1542, 311), 0)], [], 96.0, 1.0)
    assert columns.read_once(motto) is motto


def test_a_header_line_read_surely_but_for_a_word_is_taken_with_it() -> None:
    """The unit line under "BỘ CÔNG AN" read again as "CÔNG AN TĨNH[34] BĂC NINH": taken
    whole, its unsure word unsure (without it the body reads as "BỘ CÔNG AN", the
    ministry); a line of scraps is not."""
    page = OcrResult([Word("BỘ", 96.0, (552, 289, 621, 346), 0), Word("CÔNG", 93.0, (638, 289, 785, 335), 0),
                      Word("AN", 92.0, (800, 299, 870, 354), 0)], [], 94.0, 1.0)

    def line(*words: tuple[str, float]) -> OcrResult:
        return OcrResult([Word(t, c, (10 + 160 * i, 60, 150 + 160 * i, 100), 0) for i, (t, c) in enumerate(words)],
                         [Line((10, 60, 150 + 160 * (len(words) - 1), 100), (0.0, -4.0), 40.0)], 90.0, 0.5)

    merged = missed.merge(page, line(("CÔNG", 93.0), ("AN", 91.0), ("TĨNH", 34.0), ("BĂC", 82.0),
                                     ("NINH", 96.0)), (330, 300), header=True)
    assert [(w.text, w.confidence) for w in merged.words][3:] == [
        ("CÔNG", 93.0), ("AN", 91.0), ("TĨNH", 34.0), ("BĂC", 82.0), ("NINH", 96.0)]
    scraps = missed.merge(page, line(("VW", 16.0), ("X5YX//", 0.0), ("XIAN/71", 8.0), ("ộA", 0.0)),
                          (330, 300), header=True)
    assert len(scraps.words) == 3


def test_in_the_header_ink_read_at_all_is_no_unread_line() -> None:
    image = _header_with_a_rule_under_its_unit_line()
    h, w = image.shape
    regions = missed.unread_regions(image, [], 300)
    assert regions and all(missed.in_header(r, image.shape) for r in regions)
    words = [Word("x", 20.0, (0, 0, w, round(0.3 * h)), 0)]  # read, however unsure
    assert missed.unread_regions(image, words, 300) == []


# --------------------------------------------------------------------------- two columns, one line

REGULAR = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def _foot_of_letter(dpi: int = 300) -> tuple[np.ndarray, dict[str, tuple[int, int, int, int]]]:
    """A page with a page number at the top and, at the foot, "Nơi nhận:" (12 pt) on the
    left beside the signer's position (bold 14 pt) on the right, on one line; their boxes."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    small = ImageFont.truetype(REGULAR, round(12 * dpi / 72))
    bold = ImageFont.truetype(BOLD, round(14 * dpi / 72))
    boxes = {}
    for key, text, font, x, y in (
        ("number", "2", small, width // 2, round(0.4 * dpi)),
        ("left", "Nơi nhận:", small, round(1.2 * dpi), round(6 * dpi)),
        ("right", "CHÁNH VĂN PHÒNG", bold, round(5.2 * dpi), round(6 * dpi) - 8),
    ):
        draw.text((x, y), text, font=font, fill=0)
        boxes[key] = tuple(round(v) for v in draw.textbbox((x, y), text, font=font))
    return np.asarray(img), boxes


def _merged_first_pass(boxes: dict[str, tuple[int, int, int, int]], right_conf: float) -> OcrResult:
    """What Tesseract's layout analysis makes of the foot: one line across both columns,
    the capitals without their accents, and a signature's scrap far out on the right."""
    (lx0, ly0, lx1, ly1), (rx0, ry0, rx1, ry1) = boxes["left"], boxes["right"]
    third = (rx1 - rx0) // 3
    words = [
        Word("Nơi", 96.0, (lx0, ly0, lx0 + (lx1 - lx0) // 2 - 10, ly1), 0),
        Word("nhận:", 95.0, (lx0 + (lx1 - lx0) // 2, ly0, lx1, ly1), 0),
        Word("CHANH", right_conf, (rx0, ry0, rx0 + third - 15, ry1), 0),
        Word("VAN", right_conf, (rx0 + third, ry0, rx0 + 2 * third - 15, ry1), 0),
        Word("PHONG", right_conf, (rx0 + 2 * third, ry0, rx1, ry1), 0),
        Word("⁄", 90.0, (rx1 + 400, ry0, rx1 + 420, ry1), 0),
    ]
    line = Line((lx0, min(ly0, ry0), rx1 + 420, max(ly1, ry1)), (0.01, -12.0), 46.5)
    return OcrResult(words, [line], 90.0, 1.0)


def test_two_column_line_is_split_and_unsure_part_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line run across the recipients and the signature block: each part becomes its
    own line, the unsure one read again from the page (the accents come back), the sure
    one kept as read, the scrap dropped; the lost page number is read and comes first."""
    image, boxes = _foot_of_letter()
    first = _merged_first_pass(boxes, right_conf=80.0)
    x0, y0, _, _ = ocr.text_area(image, 300)  # the first pass reads only the box round the ink
    first = ocr.shifted(first, -x0, -y0)
    real = ocr._tesseract
    calls: list[int] = []

    def merged(image, language, tessdata_dir, dpi, psm, timeout):
        calls.append(psm)
        return first if psm == 3 else real(image, language, tessdata_dir, dpi, psm, timeout)

    monkeypatch.setattr(ocr, "_tesseract", merged)
    result = ocr.recognize(image, dpi=300)
    assert calls[:2] == [3, 6]  # one more Tesseract run for the page, not one per part
    assert result.text.splitlines() == ["2", "Nơi nhận:", "CHÁNH VĂN PHÒNG"]
    number = result.words[0]
    # Every box plain ints: a page's words are checkpointed as JSON by the flow.
    from pipeline import process

    json.dumps(process.page_work_to_json(process.PageWork(1, result)))
    nx0, ny0, nx1, ny1 = boxes["number"]
    assert abs(number.box[0] - nx0) < 10 and abs(number.box[1] - ny0) < 10  # on the page
    chanh = next(w for w in result.words if w.text == "CHÁNH")
    assert abs(chanh.box[0] - boxes["right"][0]) < 10 and abs(chanh.box[3] - boxes["right"][3]) < 10
    kept = result.lines[1]  # the sure part: the first pass's words, the line cut to them
    assert kept.box[0] == boxes["left"][0] and kept.box[2] == boxes["left"][2]
    assert kept.baseline == pytest.approx((0.01, -12.0))  # it starts where the line did
    assert [w.line for w in result.words] == [0, 1, 1, 2, 2, 2]


def test_first_pass_reads_only_the_ink_and_boxes_land_on_the_page() -> None:
    image = np.asarray(draw_page(dpi=200).convert("L"))
    x0, y0, x1, y1 = ocr.text_area(image, 200)
    h, w = image.shape
    ink = np.argwhere(image < 128)
    assert 0 < x0 < ink[:, 1].min() and 0 < y0 < ink[:, 0].min()  # margins cut, no ink lost
    assert ink[:, 1].max() < x1 < w and ink[:, 0].max() < y1 <= h
    assert (x1 - x0) * (y1 - y0) < 0.8 * w * h
    whole = ocr._tesseract(image, "vie", None, 200, 3, 60)
    cropped = ocr.recognize(image, dpi=200, second_look=False)
    assert [w.text for w in cropped.words] == [w.text for w in whole.words]
    for a, b in zip(cropped.words, whole.words):
        assert max(abs(u - v) for u, v in zip(a.box, b.box)) <= 2
    assert ocr.text_area(np.full((300, 200), 255, np.uint8), 200) == (0, 0, 200, 300)


def test_sure_parts_are_not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part read surely (and no page number lost): no second Tesseract run."""
    from pipeline.ocr import columns

    image, boxes = _foot_of_letter()
    first = _merged_first_pass(boxes, right_conf=96.0)
    first.words[2:5] = [Word(t, 96.0, w.box, 0) for t, w in zip(("CHÁNH", "VĂN", "PHÒNG"), first.words[2:5])]
    first.words[:0] = [Word("2", 95.0, boxes["number"], 0)]
    first.words[1:] = [Word(w.text, w.confidence, w.box, 1) for w in first.words[1:]]
    first.lines[:0] = [Line(boxes["number"], (0.0, -5.0), 30.0)]

    def never(canvas: np.ndarray) -> OcrResult:
        raise AssertionError("read again")

    result = columns.reread(image, first, 300, never)
    assert [w.text for w in result.words] == ["2", "Nơi", "nhận:", "CHÁNH", "VĂN", "PHÒNG"]
    assert len(result.lines) == 3  # the line cut in two parts; the scrap "⁄" is gone
    assert [w.line for w in result.words] == [0, 1, 1, 2, 2, 2]
    assert result.lines[2].box[0] == boxes["right"][0]
    slope, offset = result.lines[2].baseline
    assert offset == pytest.approx(-12.0 + 0.01 * (boxes["right"][0] - boxes["left"][0]))


def test_page_number_only_when_alone_in_the_top_margin() -> None:
    from pipeline.ocr import columns

    image, boxes = _foot_of_letter()
    found = columns.unread_page_number(image, [], 300)
    assert found is not None
    nx0, ny0, nx1, ny1 = boxes["number"]
    assert found[0] <= nx0 and found[1] <= ny0 and found[2] >= nx1 and found[3] >= ny1
    assert found[2] - found[0] < 150 and found[3] - found[1] < 150  # the digit, not the page
    # Read already: the words above start the page, nothing to look for above them.
    assert columns.unread_page_number(image, [Word("2", 95.0, boxes["number"], 0)], 300) is None
    # Specks in the margin besides the number: not one number alone.
    specked = image.copy()
    specked[ny0 + 10: ny0 + 40, nx0 - 120: nx0 - 90] = 0
    assert columns.unread_page_number(specked, [], 300) is None
    # A number off to the side is not a page number (NĐ 30 centres it).
    shifted = np.full_like(image, 255)
    shifted[:, : image.shape[1] - 600] = image[:, 600:]
    assert columns.unread_page_number(shifted, [], 300) is None


def test_scraps_of_seal_and_signature_are_dropped() -> None:
    from pipeline.ocr import columns

    h, w = 3508, 2480
    right, left = 1600, 410

    def line(y: int, x: int, *words: tuple[str, float]) -> tuple[Line, list[tuple[str, float]]]:
        return Line((x, y, x + 300, y + 50), (0.0, -10.0), 40.0), list(words)

    page = [
        line(100, 1200, ("2", 96.0)),  # a page number: a line of its own, at the top
        line(400, left, ("vụ.", 95.0)),  # a paragraph's last word, at the left margin
        line(2700, right, ("⁄", 93.0)),  # marks only
        line(2760, right, ("v.v", 48.0)),  # two letters
        line(2800, right, ("¿22", 48.0), ("N3", 36.0)),  # unsure, no word of three letters
        line(2900, right, ("Lê", 55.0), ("Văn", 60.0), ("An", 50.0)),  # a name, read unsurely
        line(2960, right, ("KT.", 96.0), ("CHỦ", 96.0), ("TỊCH", 95.0), ("ˆ", 40.0)),
    ]
    words = [Word(t, c, (ln.box[0], ln.box[1], ln.box[0] + 50, ln.box[3]), i)
             for i, (ln, ws) in enumerate(page) for t, c in ws]
    result = OcrResult(words, [ln for ln, _ in page], 80.0, 1.0)
    kept = columns.without_scraps(result, (h, w))
    assert kept.text.splitlines() == ["2", "vụ.", "Lê Văn An", "KT. CHỦ TỊCH"]
    assert [w.line for w in kept.words] == [0, 1, 2, 2, 2, 3, 3, 3]
    assert kept.lines[2].box[1] == 2900
    # The same short lines on the left-hand side are text, not the seal's scraps.
    moved = OcrResult([Word(w.text, w.confidence, w.box, w.line) for w in words],
                      [Line((left, ln.box[1], left + 300, ln.box[3]), ln.baseline, ln.size)
                       for ln, _ in page], 80.0, 1.0)
    assert "¿22 N3" in columns.without_scraps(moved, (h, w)).text


def test_a_speck_read_as_a_letter_is_dropped() -> None:
    """"Q" in a box two pixels wide (a speck of a seal's rim) is no letter; a small word of
    the page's usual size, and small punctuation, stay. The size is the page's own."""
    from pipeline.ocr import columns

    def page(scale: float) -> OcrResult:
        def box(x: int, w: int, h: int) -> tuple[int, int, int, int]:
            return (round(x * scale), round(2000 * scale), round((x + w) * scale), round((2000 + h) * scale))

        words = [Word("Q", 0.0, box(1400, 2, 3), 0), Word("TÂN", 79.0, box(1450, 70, 50), 0),
                 Word("CHỦ", 96.0, box(1600, 110, 48), 0), Word("TỊCH", 96.0, box(1730, 130, 48), 0),
                 Word("a", 96.0, box(400, 22, 22), 1), Word("là", 96.0, box(440, 40, 45), 1),
                 Word(".", 90.0, box(490, 8, 8), 1), Word("các", 96.0, box(520, 60, 35), 1)]
        lines = [Line(box(1400, 460, 60), (0.0, -10.0), 40.0 * scale),
                 Line(box(400, 180, 50), (0.0, -10.0), 40.0 * scale)]
        return OcrResult(words, lines, 80.0, 1.0)

    for scale in (1.0, 0.25):  # at 300 dpi, and at 75 dpi
        kept = columns.without_scraps(page(scale), (round(3508 * scale), round(2480 * scale)))
        assert kept.text.splitlines() == ["TÂN CHỦ TỊCH", "a là . các"]


def test_a_row_read_twice_is_kept_once() -> None:
    """Tesseract reads a faint row of the canvas twice at times, as two lines over the same
    ink ("KT. CHỦ TỊCH" and "——X⁄T. CHU ỊC"): the surer reading of each word stays."""
    from pipeline.ocr import columns

    image, boxes = _foot_of_letter()
    merged = _merged_first_pass(boxes, right_conf=80.0)
    alone = [Word(w.text, w.confidence, w.box, 1) for w in merged.words[2:5]]
    number = [Word("2", 95.0, boxes["number"], 0)]
    first = OcrResult(number + alone, [Line(boxes["number"], (0.0, -5.0), 30.0),
                                       Line(_union_of(alone), (0.0, -12.0), 46.5)], 80.0, 1.0)

    def twice(canvas: np.ndarray) -> OcrResult:
        once = ocr._tesseract(canvas, "vie", None, 300, 6, 60)
        # The same row again, as a second line, its words' boxes a little taller and wider.
        again = [Word(t, c, (w.box[0] - 20, w.box[1] - 4, w.box[2] + 6, w.box[3] + 30), 1)
                 for t, c, w in zip(("——X⁄T.", "VAN", "PHONC"), (4.0, 70.0, 1.0), once.words)]
        return OcrResult(once.words + again, once.lines + once.lines, 80.0, 1.0)

    assert columns.reread(image, first, 300, twice).text.splitlines() == ["2", "CHÁNH VĂN PHÒNG"]
    # In one line, "ngày" read with its box over the day written into its blank: both stay.
    day = [Word("ngày", 96.0, (405, 636, 574, 695), 0), Word("31", 84.0, (524, 632, 569, 699), 0),
           Word("tháng", 95.0, (594, 638, 717, 689), 0)]
    assert columns._read_once(day) == day


def test_signature_side_line_read_again_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line of the signature block on its own, read unsurely, is read again too (it was
    sized with the lines beside it); an unsure line elsewhere on the page is not."""
    from pipeline.ocr import columns

    image, boxes = _foot_of_letter()
    merged = _merged_first_pass(boxes, right_conf=80.0)
    alone = [Word(w.text, w.confidence, w.box, 0) for w in merged.words[2:5]]
    line = Line(_union_of(alone), (0.0, -12.0), 46.5)
    number = [Word("2", 95.0, boxes["number"], 0)]  # read already: no page number to look for
    first = OcrResult(number + [Word(w.text, w.confidence, w.box, 1) for w in alone],
                      [Line(boxes["number"], (0.0, -5.0), 30.0), line], 80.0, 1.0)

    def read(canvas: np.ndarray) -> OcrResult:
        return ocr._tesseract(canvas, "vie", None, 300, 6, 60)

    assert columns.reread(image, first, 300, read).text.splitlines() == ["2", "CHÁNH VĂN PHÒNG"]

    def never(canvas: np.ndarray) -> OcrResult:
        raise AssertionError("read again")

    # The same unsure line in the upper half of the page (a body line) is left as it is.
    h = image.shape[0]
    up = [Word(w.text, w.confidence, (w.box[0], w.box[1] - h // 2, w.box[2], w.box[3] - h // 2), w.line)
          for w in first.words]
    raised = OcrResult(up, [first.lines[0], Line(_union_of(up[1:]), (0.0, -12.0), 46.5)], 80.0, 1.0)
    assert columns.reread(image, raised, 300, never).text.splitlines() == ["2", "CHANH VAN PHONG"]


def _union_of(words: list[Word]) -> tuple[int, int, int, int]:
    return (min(w.box[0] for w in words), min(w.box[1] for w in words),
            max(w.box[2] for w in words), max(w.box[3] for w in words))


# --------------------------------------------------------------------------- in process



def test_library_in_process_reads_as_the_program_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract's library, loaded once in the process, gives the program's words."""
    assert tesseract._library() is not None, "libtesseract of the program's version not loaded"
    image = np.asarray(draw_page(dpi=200).convert("L"))
    inside = ocr.recognize(image, dpi=200)
    assert tesseract._engines, "the page was not read in this process"
    monkeypatch.setenv(tesseract.IN_PROCESS_ENV, "0")
    program = ocr.recognize(image, dpi=200)
    assert [(w.text, w.box) for w in inside.words] == [(w.text, w.box) for w in program.words]
    assert "Bát Tràng" in inside.text


def test_library_in_process_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """Tesseract's notes ("Detected 12 diacritics") must not reach a clerk's terminal."""
    import io

    from PIL import Image

    import synth
    from bench import corpus
    from pipeline.cleanup import prepare as cleanup

    tesseract._engines.clear()  # a fresh engine, set up as a worker's is
    # A page Tesseract makes such a note about: the benchmark's 5th clean page at 200 dpi.
    page = corpus._pages("clean", 6, 2025, 200)[4]
    image = np.asarray(Image.open(io.BytesIO(synth.encode(page, 200, page.default_format))))
    prepared = cleanup.prepare_for_ocr(image, (200.0, 200.0))
    capfd.readouterr()
    assert ocr.recognize(prepared.image, dpi=300).words
    assert capfd.readouterr() == ("", "")


def test_leptonica_complaints_do_not_reach_the_log(capfd: pytest.CaptureFixture[str]) -> None:
    """Leptonica reports what it refuses on stderr ("Error in boxClipToRectangle: box outside
    rectangle", now and then in layout analysis); loading the library quiets it."""
    import ctypes
    import ctypes.util

    assert tesseract._library() is not None
    lept = ctypes.CDLL(ctypes.util.find_library("lept") or "liblept.so.5")
    lept.boxCreate.argtypes, lept.boxCreate.restype = [ctypes.c_int] * 4, ctypes.c_void_p
    capfd.readouterr()
    assert lept.boxCreate(0, 0, -1, -1) is None  # refused: a box of negative size
    assert capfd.readouterr() == ("", "")


def test_library_in_process_keeps_to_the_timeout() -> None:
    from pipeline.core.errors import OcrError

    image = np.asarray(draw_page(dpi=300).convert("L"))
    with pytest.raises(OcrError, match="longer than"):
        tesseract.hocr_image(image, language="vie", tessdata_dir=None, dpi=300, psm=3,
                             timeout=0.001)
    # The engine is still good for the next page.
    raw = tesseract.hocr_image(image, language="vie", tessdata_dir=None, dpi=300, psm=3,
                               timeout=60)
    assert "Tràng" in ocr.parse_hocr(raw).text


# --------------------------------------------------------------------------- surnames by shape

_BOLD_SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
_SEAL_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _name_line(name: str, seal_over_surname: bool, x: int = 1300
               ) -> tuple[np.ndarray, list[tuple[str, tuple]]]:
    """A signer's name in bold serif at 300 dpi from ``x`` (right of the page's middle),
    optionally with a seal's lettering stamped across its surname; and each word's box."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(_BOLD_SERIF, 56, layout_engine=ImageFont.Layout.BASIC)
    page = Image.new("L", (2400, 260), 255)
    draw = ImageDraw.Draw(page)
    baseline = 150
    boxes = []
    for word in name.split():
        draw.text((x, baseline), word, font=font, fill=0, anchor="ls")
        boxes.append((word, tuple(int(v) for v in draw.textbbox((x, baseline), word, font=font,
                                                                    anchor="ls"))))
        x += round(font.getlength(word + " "))
    if seal_over_surname:
        # Ring lettering: bold sans capitals, tilted, over the surname's left part.
        letters = Image.new("L", (260, 90), 0)
        ImageDraw.Draw(letters).text((0, 10), "ỦY BAN", font=ImageFont.truetype(_SEAL_FONT, 34),
                                     fill=255)
        letters = letters.rotate(35, expand=True)
        x0, y0 = boxes[0][1][0] - 60, baseline - 130
        page.paste(0, (x0, y0), letters)
    return np.asarray(page), boxes


def _read_as(boxes: list[tuple[str, tuple]], first: str, first_conf: float) -> OcrResult:
    words = [Word(first, first_conf, boxes[0][1], 0)]
    words += [Word(text, 93.0, box, 0) for text, box in boxes[1:]]
    return OcrResult(words, [Line((1200, 40, 2300, 220), (0.0, -14.0), 56.0)], 80.0, 0.0)


@pytest.mark.parametrize("name, garbled", [
    ("Kiều Diệu Loan", "vu"), ("Nguyễn Trọng Lực", "Nghyền"), ("Đặng Bích Hà", "QÀ"),
    ("Hà Thị Trinh", "uỀ"), ("Trần Bích Hương", "wwẩn"),
])
def test_surname_under_a_seal_is_matched_by_its_shape(name: str, garbled: str) -> None:
    from pipeline.ocr import surnames as _ocr_surnames

    image, boxes = _name_line(name, seal_over_surname=True)
    (match,) = [m for m in _ocr_surnames.match(image, _read_as(boxes, garbled, 20.0))
                if len(m.before) == 2]
    assert match.before == tuple(name.split()[1:])
    assert match.fit > 0.9  # the given names drawn in the face found cover their ink
    assert match.ranked[0][0] == name.split()[0], match.ranked
    assert match.ranked[0][1] > match.ranked[1][1]


@pytest.mark.parametrize("name, garbled", [
    ("Lỳ Seo Phà", "Ly"), ("Lèo Thị Xuân", "co"), ("Thào Văn Dế", "Thảo"), ("Rơ Châm Hòa", "Rư"),
])
def test_an_ethnic_groups_surname_is_matched_too(name: str, garbled: str) -> None:
    """A surname misread on a faded line, a mark or a letter from a Kinh one (Lý, Lạc,
    Thân, La): the strokes only it has are on the page, so it is put first."""
    from pipeline.ocr import surnames as _ocr_surnames

    image, boxes = _name_line(name, seal_over_surname=False)
    (match,) = [m for m in _ocr_surnames.match(image, _read_as(boxes, garbled, 20.0))
                if len(m.before) == 2]
    assert match.ranked[0][0] == name.split()[0], match.ranked
    assert match.ranked[0][1] > match.ranked[1][1]


def test_middle_name_and_surname_before_a_lone_given_name_are_matched() -> None:
    """"Trồng lữu Bình": only the given name was read; the middle name is matched by shape
    first, then the surnames before it."""
    from pipeline.ocr import surnames as _ocr_surnames

    image, boxes = _name_line("Trần Hữu Bình", seal_over_surname=True)
    words = [Word("Trồng", 3.0, boxes[0][1], 0), Word("lữu", 23.0, boxes[1][1], 0),
             Word("Bình", 96.0, boxes[2][1], 0)]
    result = OcrResult(words, [Line((1200, 40, 2300, 220), (0.0, -14.0), 56.0)], 40.0, 0.0)
    (match,) = _ocr_surnames.match(image, result)
    assert match.before == ("Hữu", "Bình") and match.middles[0][0] == "Hữu"
    assert match.ranked[0][0] == "Trần", match.ranked


def test_surname_read_surely_or_a_body_line_is_not_matched() -> None:
    from pipeline.ocr import surnames as _ocr_surnames

    image, boxes = _name_line("Kiều Diệu Loan", seal_over_surname=False)
    assert _ocr_surnames.match(image, _read_as(boxes, "Kiều", 95.0)) == []
    # Under a seal but starting left of the page's middle: a line of the body.
    image, boxes = _name_line("Kiều Diệu Loan", seal_over_surname=True, x=400)
    assert _ocr_surnames.match(image, _read_as(boxes, "vu", 20.0)) == []


def test_surnames_are_not_matched_without_the_faces(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.ocr import surnames as _ocr_surnames

    image, boxes = _name_line("Kiều Diệu Loan", seal_over_surname=True)
    monkeypatch.setattr(_ocr_surnames, "FACES", (Path("/nonexistent/Serif-Bold.ttf"),))
    assert _ocr_surnames.match(image, _read_as(boxes, "vu", 20.0)) == []


# --------------------------------------------------------------------------- hand-filled blanks


def _header_words(number: str, conf: float) -> OcrResult:
    """ "Số: <number> /QĐ-UBND" and "ngày 18 tháng 02 năm 2025" near the top of a page."""
    words = [Word("Số:", 96.0, (100, 100, 160, 130), 0), Word(number, conf, (180, 100, 260, 130), 0),
             Word("/QĐ-UBND", 90.0, (280, 100, 420, 130), 0),
             Word("ngày", 96.0, (600, 100, 670, 130), 1), Word("18", 40.0, (690, 100, 730, 130), 1),
             Word("tháng", 96.0, (750, 100, 830, 130), 1), Word("02", 96.0, (850, 100, 890, 130), 1)]
    return OcrResult(words, [], 80.0, 0.0)


def test_unsure_words_in_the_headers_blanks_are_the_candidates() -> None:
    from pipeline.ocr import blanks

    assert [w.text for w in blanks.candidates(_header_words("209", 60.0), 3000)] == ["209", "18"]
    assert [w.text for w in blanks.candidates(_header_words("209", 95.0), 3000)] == ["18"]
    # Read surely, but letters are no number (a written "21" read "z7").
    assert [w.text for w in blanks.candidates(_header_words("z7", 93.0), 3000)] == ["z7", "18"]
    # Further down the page, a "ngày 18 tháng" is the body's: not a blank.
    assert blanks.candidates(_header_words("209", 60.0), 300) == []


def test_ink_between_the_label_and_a_notation_without_its_slash_is_a_candidate() -> None:
    """ "Số: øz QĐ-UBND": a written 01 read as letters, the slash lost beside it."""
    from pipeline.ocr import blanks

    def line(number: str, notation: str) -> OcrResult:
        return OcrResult([Word("Số:", 96.0, (100, 100, 160, 130), 0),
                          Word(number, 76.0, (180, 100, 230, 130), 0),
                          Word(notation, 90.0, (250, 100, 420, 130), 0)], [], 80.0, 0.0)

    assert [w.text for w in blanks.candidates(line("øz", "QĐ-UBND"), 3000)] == ["øz"]
    # Digits there are the number as read (the parse tells a slash read as a digit).
    assert blanks.candidates(line("01", "QĐ-UBND"), 3000) == []
    # No notation after it: a word of some other line.
    assert blanks.candidates(line("øz", "cho"), 3000) == []


def test_a_blank_is_read_again_only_when_every_reading_agrees() -> None:
    from pipeline.ocr import blanks

    image = np.full((3000, 2000), 255, np.uint8)
    agreeing = blanks.reread(image, _header_words("2O9", 30.0), lambda crop, psm, scale: "209")
    assert [(r.box, r.digits) for r in agreeing] == [((180, 100, 260, 130), "209"),
                                                     ((690, 100, 730, 130), "209")]
    calls = iter(["209", "209", "24", "209"] * 2)
    assert blanks.reread(image, _header_words("2O9", 30.0), lambda c, p, s: next(calls)) == []
    # The printed label before a colon is no part of the number: "86:209" is 209.
    labelled = blanks.reread(image, _header_words("Số:2O9", 30.0), lambda c, p, s: "86:209")
    assert labelled[0].digits == "209"


def test_a_reading_that_finds_nothing_is_no_vote_against_the_others() -> None:
    from pipeline.ocr import blanks

    image = np.full((3000, 2000), 255, np.uint8)
    words = _header_words("2O9", 30.0)

    def by_mode(said: dict[int, str]):
        return lambda crop, psm, scale: said[psm]

    # The line mode reads nothing on the short crop, the word mode 209 at both sizes: the
    # number "2O9" is 209; the day "18" is not (three digits read where two were).
    assert [(r.box, r.digits) for r in blanks.reread(image, words, by_mode({7: "", 8: "209"}))] == \
        [((180, 100, 260, 130), "209")]
    # Fewer digits than the word had characters ("{Xƒ" read as "4"): ink was lost.
    assert blanks.reread(image, words, by_mode({7: "", 8: "4"})) == []
    # All four agreeing need no such check.
    assert len(blanks.reread(image, words, by_mode({7: "4", 8: "4"}))) == 2
    # One reading alone is not enough.
    calls = iter(["", "", "", "209"] * 2)
    assert blanks.reread(image, words, lambda c, p, s: next(calls)) == []
    # Nothing read at all: nothing offered.
    assert blanks.reread(image, words, lambda c, p, s: "") == []


def test_digits_tesseract_lost_are_taken_from_a_sure_network_as_a_guess(monkeypatch) -> None:
    """A written "11" read "-": Tesseract, digits only, reads "1" at one mode and nothing at
    the other; the network, sure, reads "11". Offered, as a guess for a person."""
    from pipeline.core.model import Reread
    from pipeline.ocr import blanks

    image = np.full((3000, 2000), 255, np.uint8)
    words = _header_words("209", 95.0)
    words.words[4] = Word("-", 27.0, (690, 100, 730, 130), 1)

    def by_mode(said: dict[int, str]):
        return lambda crop, psm, scale: said[psm]

    monkeypatch.setattr(blanks, "_by_hand", lambda image, ink, box, labelled, most: Reread(box, "11"))
    (got,) = blanks.reread(image, words, by_mode({7: "1", 8: ""}))
    assert (got.box, got.digits, got.guess) == ((690, 100, 730, 130), "11", blanks.HAND_SURE)
    # Every reading saying "1": Tesseract lost nothing; the two disagree, left to a person.
    assert blanks.reread(image, words, by_mode({7: "1", 8: "1"})) == []
    # Other digits than the network's: no ink lost, a disagreement.
    assert blanks.reread(image, words, by_mode({7: "4", 8: ""})) == []


def test_a_day_or_month_read_surely_as_no_day_or_month_is_read_again() -> None:
    from pipeline.ocr import blanks

    def header(day: str, month: str) -> OcrResult:
        return OcrResult([Word("ngày", 96.0, (600, 100, 670, 130), 1), Word(day, 96.0, (690, 100, 730, 130), 1),
                          Word("tháng", 96.0, (750, 100, 830, 130), 1),
                          Word(month, 96.0, (850, 100, 890, 130), 1),
                          Word("năm", 96.0, (910, 100, 970, 130), 1)], [], 96.0, 0.0)

    assert blanks.candidates(header("22", "02"), 3000) == []
    assert [w.text for w in blanks.candidates(header("32", "02"), 3000)] == ["32"]  # a written 22
    assert [w.text for w in blanks.candidates(header("00", "13"), 3000)] == ["00", "13"]
    assert [w.text for w in blanks.candidates(header("2²", "02"), 3000)] == ["2²"]


def test_a_day_read_surely_is_checked_once_more_as_one_word() -> None:
    """"ngày 06 tháng 5" read surely; one word alone, digits only, reads the day "08" at
    both sizes: that reading is offered as a check. The same digits, none, readings that
    disagree, or no day or month a month has: nothing."""
    from pipeline.ocr import blanks

    words = [Word("ngày", 96.0, (600, 100, 670, 130), 1), Word("06", 95.0, (690, 100, 730, 130), 1),
             Word("tháng", 96.0, (750, 100, 830, 130), 1), Word("5", 96.0, (850, 100, 870, 130), 1),
             Word("năm", 96.0, (890, 100, 950, 130), 1)]
    result = OcrResult(words, [], 96.0, 0.0)
    image = np.full((3000, 2000), 255, np.uint8)
    assert [w.text for w, _ in blanks.sure_dates(result, 3000)] == ["06", "5"]
    modes: list[int] = []

    def reader(*answers: str):
        it = iter(answers)  # the day at both sizes, then the month at both

        def read(crop, psm, scale):
            modes.append(psm)
            return next(it)
        return read

    assert [(r.box, r.digits) for r in blanks.reread(image, result, reader("08", "08", "5", "5"))] == \
        [((690, 100, 730, 130), "08")]
    assert set(modes) == {blanks.CHECK_MODE}
    assert blanks.reread(image, result, reader("06", "06", "5", "5")) == []
    assert blanks.reread(image, result, reader("08", "06", "5", "5")) == []  # the sizes disagree
    assert blanks.reread(image, result, reader("", "", "", "")) == []
    assert blanks.reread(image, result, reader("40", "40", "15", "15")) == []
    assert [r.digits for r in blanks.reread(image, result, reader("06", "06", "6", "6"))] == ["6"]
    assert blanks.sure_dates(result, 300) == []  # the body's dates are not the header's


def _date_line(year: str, conf: float, day: str = "21") -> OcrResult:
    return OcrResult([Word("ngày", 96.0, (600, 100, 670, 130), 1), Word(day, 96.0, (690, 100, 730, 130), 1),
                      Word("tháng", 96.0, (750, 100, 830, 130), 1), Word("3", 96.0, (850, 100, 870, 130), 1),
                      Word("năm", 96.0, (890, 100, 950, 130), 1), Word(year, conf, (970, 100, 1070, 130), 1)],
                     [], 90.0, 0.0)


def test_the_header_dates_year_is_read_again_where_three_readings_agree() -> None:
    """ "năm 20235" (or "2035", surely) for a printed 2025: three of the four digits-only
    readings saying 2025, that is offered; fewer, no four digits, the page's own reading,
    or a year in the body: nothing."""
    from pipeline.ocr import blanks

    image = np.full((3000, 2000), 255, np.uint8)
    ((word, box),) = blanks.years(_date_line("20235", 81.0), 3000)
    assert word.text == "20235" and box[:2] == word.box[:2] and box[2] == word.box[2] + 30
    assert blanks.years(_date_line("20235", 81.0), 300) == []  # the body's

    def reader(*years: str):
        it = iter(["21", "21", "3", "3", *years])  # the day and month checked first
        return lambda crop, psm, scale: next(it)

    def offered(year: str, *readings: str) -> list[tuple[tuple[int, int, int, int], str]]:
        return [(r.box, r.digits) for r in blanks.reread(image, _date_line(year, 81.0), reader(*readings))]

    assert offered("20235", "2025", "2025", "2023", "2025") == [((970, 100, 1070, 130), "2025")]
    assert offered("2035", "2025", "2025", "2025", "2025") == [((970, 100, 1070, 130), "2025")]
    assert offered("20235", "2025", "2025", "2023", "2021") == []
    assert offered("20235", "20235", "20235", "20235", "20235") == []
    assert offered("2025,", "2025", "2025", "2025", "2025") == []


def test_a_thin_stroked_year_is_read_again_by_tesseract() -> None:
    """The real engine on a date line set in a high-contrast italic: the page's reading
    takes the year's 5 for a 3 ("2023"); read again alone, digits only, it is 2025."""
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr import blanks, recognise

    im = Image.new("L", (1400, 1000), 255)  # the line in the page's top third, the header
    face = ImageFont.truetype("/usr/share/fonts/truetype/noto/NotoSerifDisplay-Italic.ttf", 50)
    ImageDraw.Draw(im).text((600, 95), "ngày 21 tháng 3 năm 2025", font=face, fill=0)
    image = np.asarray(im)
    page = recognise._tesseract(image, "vie", None, 300, 6, 60)
    ((year, _),) = blanks.years(page, image.shape[0])

    def read(crop: np.ndarray, psm: int, scale: float) -> str:
        raw = tesseract.hocr_image(crop, language="vie", tessdata_dir=None, dpi=round(300 * scale),
                                   psm=psm, timeout=60, only=blanks.DIGITS)
        return "".join(w.text for w in ocr.parse_hocr(raw).words)

    offered = [r.digits for r in blanks.reread(image, page, read) if r.box == year.box]
    assert offered == ([] if year.text == "2025" else ["2025"])


def test_a_number_written_in_a_blank_is_read_digits_only_by_tesseract() -> None:
    """The real engine, four ways, on digits drawn into the blank."""
    import cv2

    image = np.full((600, 1200), 255, np.uint8)
    cv2.putText(image, "270", (180, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.1, 0, 3)
    result = OcrResult([Word("Số:", 96.0, (100, 100, 160, 135), 0),
                        Word("27O", 30.0, (175, 95, 245, 135), 0),
                        Word("/QĐ-BTNMT", 90.0, (280, 100, 460, 135), 0)], [], 80.0, 0.0)
    from pipeline.ocr import blanks

    def read(crop: np.ndarray, psm: int, scale: float) -> str:
        raw = tesseract.hocr_image(crop, language="vie", tessdata_dir=None, dpi=round(300 * scale),
                                   psm=psm, timeout=60, only=blanks.DIGITS)
        return "".join(w.text for w in ocr.parse_hocr(raw).words)

    assert [r.digits for r in blanks.reread(image, result, read)] == ["270"]


# --------------------------------------------------------------------------- handwritten digits

HAND_FACE = "/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf"
PRINT_FACE = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def _blank(label: str, digits: str, *, rule_through: bool = False) -> np.ndarray:
    """A printed label ("Số:") and digits written after it in a script face, as a scan
    of a header's blank looks (grey, ink dark)."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (60 + 60 * len(digits) + 40, 120), 255)
    d = ImageDraw.Draw(im)
    d.text((8, 40), label, font=ImageFont.truetype(PRINT_FACE, 40), fill=0)
    x = 20 + 25 * len(label)
    for ch in digits:  # a hand leaves room between its digits
        d.text((x, 28), ch, font=ImageFont.truetype(HAND_FACE, 64), fill=20)
        x += 46
    if rule_through:
        d.line((x - 46 * len(digits) - 10, 62, x + 10, 62), fill=0, width=4)
    return np.asarray(im)


@pytest.mark.parametrize("digits", ["209", "349", "241", "18", "20", "1506"])
def test_digits_written_after_the_label_are_read(digits: str) -> None:
    from pipeline.ocr import blanks, handdigits

    read = handdigits.read_blank(_blank("Số:", digits), blanks.HAND_SURE, after_label=True)
    assert read is not None and read.digits == digits
    assert read.probability >= blanks.HAND_SURE


def test_both_handwriting_networks_read_each_digit_and_their_answers_are_averaged() -> None:
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr import handdigits

    glyphs = []
    for d in range(10):
        im = Image.new("L", (120, 140), 0)
        ImageDraw.Draw(im).text((20, 10), str(d), font=ImageFont.truetype(HAND_FACE, 90), fill=255)
        glyphs.append(np.asarray(im) > 127)
    x = np.stack([handdigits.normalise(g) for g in glyphs])
    pair = handdigits.network()
    assert len(pair.members) == 2
    each = [m.probabilities(x) for m in pair.members]
    for p in each:
        assert list(p.argmax(1)) == list(range(10))
    # A digit one network is sure of and the other is not comes out unsure.
    assert np.allclose(pair.probabilities(x), (each[0] + each[1]) / 2)
    assert [d.digit for d in handdigits.classify(glyphs)] == list(range(10))


def test_ink_that_is_not_clearly_digits_is_not_read() -> None:
    import cv2

    from pipeline.ocr import blanks, handdigits

    # A line struck through the digits: their shapes are not theirs alone.
    assert handdigits.read_blank(_blank("Số:", "209", rule_through=True), blanks.HAND_SURE,
                                 after_label=True) is None
    # No colon, no label's end: nothing is read rather than the label's letters.
    assert handdigits.read_blank(_blank("So", "209"), blanks.HAND_SURE, after_label=True) is None
    # The dots of an empty blank.
    dots = np.full((80, 200), 255, np.uint8)
    for x in range(20, 180, 20):
        cv2.circle(dots, (x, 55), 3, 0, -1)
    assert handdigits.read_blank(dots, blanks.HAND_SURE) is None
    # Digits run into one another.
    joined = np.full((100, 220), 255, np.uint8)
    for x in (10, 50, 90):
        cv2.putText(joined, "8", (x, 75), cv2.FONT_HERSHEY_SIMPLEX, 2.6, 0, 9)
    assert handdigits.read_blank(joined, blanks.HAND_SURE) is None


def _joined(digits: str, overlap: int, narrow: float = 0.75) -> np.ndarray:
    """Two digits written so close that the first one's stroke runs into the second
    (``overlap`` pixels into its box), by a hand ``narrow`` times as wide as the face."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    face = ImageFont.truetype(HAND_FACE, 64)
    im = Image.new("L", (200, 120), 255)
    d = ImageDraw.Draw(im)
    d.text((20, 20), digits[0], font=face, fill=20)
    d.text((d.textbbox((20, 20), digits[0], font=face)[2] - overlap, 20), digits[1], font=face,
           fill=20)
    return cv2.resize(np.asarray(im), None, fx=narrow, fy=1.0, interpolation=cv2.INTER_AREA)


def _pieces(grey: np.ndarray) -> int:
    import cv2

    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return sum(1 for s in stats[1:] if s[4] > 20)


@pytest.mark.parametrize("digits", ["23", "12", "20"])
def test_two_digits_a_hand_joined_are_read_apart(digits: str) -> None:
    from pipeline.ocr import blanks, handdigits

    grey = _joined(digits, overlap=6)
    assert _pieces(grey) == 1  # one glyph: read whole, it would be one digit
    read = handdigits.read_blank(grey, blanks.HAND_SURE)
    assert read is not None and read.digits == digits
    assert read.probability >= blanks.HAND_SURE


@pytest.mark.parametrize("digits", ["23", "12"])
def test_two_joined_digits_wider_than_high_are_read_apart(digits: str) -> None:
    from pipeline.ocr import blanks, handdigits

    grey = _joined(digits, overlap=6, narrow=1.0)
    ys, xs = np.nonzero(grey < 128)
    assert np.ptp(xs) > 1.15 * np.ptp(ys)  # wider than one digit ever is
    read = handdigits.read_blank(grey, blanks.HAND_SURE)
    assert read is not None and read.digits == digits and read.probability >= blanks.HAND_SURE
    # With no thin join to cut at ("20": the 2's foot runs along the 0), read along the
    # best cut.
    wide = handdigits.read_blank(_joined("20", overlap=6, narrow=1.0), blanks.HAND_SURE)
    assert wide is not None and wide.digits == "20"


def test_touching_digits_with_no_thin_join_are_read_along_the_best_cut(monkeypatch) -> None:
    from pipeline.ocr import blanks, handdigits

    def sure_reads() -> tuple[int, int]:
        right = wrong = 0
        for digits in ("09", "20", "30", "94", "83", "40", "18", "21", "12", "57"):
            for overlap in (8, 10, 12):
                read = handdigits.read_blank(_joined(digits, overlap), blanks.HAND_SURE)
                if read is not None and read.probability >= blanks.HAND_SURE:
                    right += read.digits == digits
                    wrong += read.digits != digits
        return right, wrong

    right, wrong = sure_reads()
    assert wrong == 0 and right >= 18
    monkeypatch.setattr(handdigits, "PAIR_CUT", 2.0)  # never cut: half as many read
    assert sure_reads()[0] <= right - 8


def test_a_touching_pair_two_cuts_read_differently_is_left_unread(monkeypatch) -> None:
    from pipeline.ocr import handdigits

    ink = (_joined("09", 10) < 128).astype(np.uint8)
    ys, xs = np.nonzero(ink)
    ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    read = handdigits._best_cut(ink)
    assert read is not None and read[0] == "09" and read[1] > 0
    # Every cut read as well as the best, each giving other digits: no clear cut.
    calls = iter(range(10**6))

    def each_cut_other_digits(glyphs: list[np.ndarray]) -> np.ndarray:
        p = np.full((len(glyphs), handdigits.PAIR + 1), 0.01)
        for row in p:
            row[next(calls) % 10] = 0.9
        return p

    monkeypatch.setattr(handdigits, "_probabilities", each_cut_other_digits)
    assert handdigits._best_cut(ink)[1] == 0.0


def test_a_rival_cut_far_less_likely_leaves_the_cut_clear(monkeypatch) -> None:
    """"26", the 2's foot run into the 6: the best cut reads it at 0.998; a cut slanted
    against the hand reads "25" at 0.81. Not nearly as good (odds of 498 against 4): the
    glyph reads 26. A rival at 0.9 beside a best at 0.95 (odds 9 and 19) is."""
    from pipeline.ocr import handdigits

    ink = (_joined("26", 10) < 128).astype(np.uint8)
    ys, xs = np.nonzero(ink)
    ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]

    def one_rival(best: float, rival: float):
        calls = iter(range(10**6))

        def probabilities(glyphs: list[np.ndarray]) -> np.ndarray:
            p = np.full((len(glyphs), handdigits.PAIR + 1), 0.001)
            for k, row in enumerate(p):
                cut = next(calls) // 2
                first = k % 2 == 0
                row[2 if first else (6 if cut else 5)] = best if cut else rival
            return p
        return probabilities

    monkeypatch.setattr(handdigits, "_probabilities", one_rival(0.998, 0.81))
    assert handdigits._best_cut(ink) == ("26", pytest.approx(0.998))
    monkeypatch.setattr(handdigits, "_probabilities", one_rival(0.95, 0.9))
    assert handdigits._best_cut(ink)[1] == 0.0


def test_cuts_that_read_more_than_the_blank_takes_are_no_rivals(monkeypatch) -> None:
    """A day's "05", its 0 touching the 5: slanted cuts read "65" and "95" nearly as well.
    No day is 65: in a day's blank, the one reading left is clear."""
    from pipeline.ocr import handdigits

    ink = (_joined("05", 10) < 128).astype(np.uint8)
    ys, xs = np.nonzero(ink)
    ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    calls = iter(range(10**6))

    def first_digit_by_cut(glyphs: list[np.ndarray]) -> np.ndarray:
        p = np.full((len(glyphs), handdigits.PAIR + 1), 0.01)
        for k, row in enumerate(p):
            n = next(calls)
            row[(0, 6, 9)[(n // 2) % 3] if k % 2 == 0 else 5] = 0.95
        return p

    monkeypatch.setattr(handdigits, "_probabilities", first_digit_by_cut)
    assert handdigits._best_cut(ink)[1] == 0.0
    assert handdigits._best_cut(ink, most=31) == ("05", pytest.approx(0.95))
    assert handdigits._best_cut(ink, most=3) is None  # no reading it can hold


def test_a_cut_read_unsurely_is_no_guess(monkeypatch) -> None:
    from pipeline.ocr import blanks, handdigits

    grey = _joined("09", 10)
    assert handdigits.read_blank(grey, blanks.HAND_SURE).digits == "09"
    # A scribble cut anywhere reads as some digits, unsurely: not offered, not even as a guess.
    monkeypatch.setattr(handdigits, "_best_cut", lambda ink, most=None: ("66", (blanks.HAND_GUESS + blanks.HAND_SURE) / 2))
    assert handdigits.read_blank(grey, blanks.HAND_SURE).probability == 0.0


def test_a_glyph_sure_both_as_one_digit_and_as_two_is_left_unsure(monkeypatch) -> None:
    from pipeline.ocr import blanks, handdigits

    grey = _joined("12", overlap=6)
    assert _pieces(grey) == 1
    # Networks sure of both readings: the whole glyph an 8, its two halves 1 and 7.
    def both_sure(glyphs: list[np.ndarray]) -> list[handdigits.Digit]:
        if len(glyphs) == 1:
            return [handdigits.Digit(8, 0.95)]
        return [handdigits.Digit(1, 0.9), handdigits.Digit(7, 0.9)]

    monkeypatch.setattr(handdigits, "classify", both_sure)
    read = handdigits.read_blank(grey, blanks.HAND_SURE)
    assert read is not None and read.probability < blanks.HAND_SURE


def test_two_digits_touching_are_not_read_surely_as_one() -> None:
    from pipeline.ocr import blanks, handdigits

    # Two digits run together, with no thin join to cut at: the networks' eleventh answer
    # (two digits touching) keeps them from reading one digit surely ("18" as an 8).
    read = []
    for digits in ("18", "09", "30", "94", "83", "12", "40", "21"):
        for overlap in (8, 10, 12):
            glyphs = handdigits._glyphs(_joined(digits, overlap), False, None)
            if glyphs is not None and len(glyphs) == 1:
                read.append(handdigits.classify(glyphs)[0].probability)
    assert len(read) >= 15
    assert sum(p >= blanks.HAND_SURE for p in read) <= 1


def test_ink_of_the_lines_around_the_blank_is_not_read() -> None:
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr import blanks, handdigits

    grey = _blank("", "18")
    im = Image.fromarray(np.vstack([np.full((60, grey.shape[1]), 255, np.uint8), grey]))
    # A digit of the line above, whole inside the crop, above the written line's rows.
    ImageDraw.Draw(im).text((70, -8), "4", font=ImageFont.truetype(PRINT_FACE, 40), fill=0)
    grey = np.asarray(im)
    line = (60 + 28, 60 + 110)
    assert handdigits.read_blank(grey, blanks.HAND_SURE, line=line).digits == "18"
    unbounded = handdigits.read_blank(grey, blanks.HAND_SURE)
    assert unbounded is None or unbounded.digits != "18"


def _hand_header() -> tuple[np.ndarray, OcrResult]:
    """ "Số: 349 /QĐ-UBND" with 349 by hand (Tesseract read it as "5⁄4", its box short of
    the 9), and "ngày   tháng 02" with 18 by hand where Tesseract found no word."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (1400, 1400), 255)  # the blanks in the page's top third
    d = ImageDraw.Draw(im)
    serif = ImageFont.truetype(PRINT_FACE, 40)
    hand = ImageFont.truetype(HAND_FACE, 64)
    d.text((100, 100), "Số:", font=serif, fill=0)
    for i, ch in enumerate("349"):
        d.text((185 + 46 * i, 88), ch, font=hand, fill=20)
    d.text((345, 100), "/QĐ-UBND", font=serif, fill=0)
    d.text((700, 100), "ngày", font=serif, fill=0)
    for i, ch in enumerate("18"):
        d.text((800 + 46 * i, 88), ch, font=hand, fill=20)
    d.text((920, 100), "tháng 02", font=serif, fill=0)
    words = [Word("Số:", 96.0, (100, 100, 160, 150), 0), Word("5⁄4", 0.0, (185, 95, 260, 150), 0),
             Word("/QĐ-UBND", 90.0, (345, 100, 520, 150), 0),
             Word("ngày", 96.0, (700, 100, 780, 150), 1), Word("tháng", 96.0, (920, 100, 1020, 150), 1),
             Word("02", 96.0, (1035, 100, 1075, 150), 1)]
    return np.asarray(im), OcrResult(words, [], 80.0, 0.0)


def test_gaps_after_the_label_the_day_and_the_month_words_are_blanks() -> None:
    from pipeline.ocr import blanks

    words = [Word("Số:", 96.0, (100, 100, 160, 130), 0), Word("/QĐ-UBND", 96.0, (260, 100, 400, 130), 0),
             Word("ngày", 96.0, (600, 100, 670, 130), 1), Word("tháng", 96.0, (750, 100, 830, 130), 1),
             Word("năm", 96.0, (910, 100, 970, 130), 1), Word("2025", 96.0, (985, 100, 1060, 130), 1)]
    gaps = blanks.empty_blanks(OcrResult(words, [], 96.0, 0.0), 3000)
    assert gaps == [((161, 100, 259, 130), 99999), ((671, 100, 749, 130), 31), ((831, 100, 909, 130), 12)]
    # One word space is no blank.
    near = [*words[:4], Word("năm", 96.0, (840, 100, 900, 130), 1)]
    assert len(blanks.empty_blanks(OcrResult(near, [], 96.0, 0.0), 3000)) == 2
    # The notation's thin slash lost ("TIT-UBND" for /TTr-UBND): the gap before it is the
    # blank, but for the slash's width (its ink, in the gap, would be read as a digit 1).
    slash_lost = [words[0], Word("TIT-UBND", 59.0, (260, 100, 400, 130), 0)]
    assert blanks.empty_blanks(OcrResult(slash_lost, [], 59.0, 0.0), 3000) == [((161, 100, 249, 130), 99999)]
    # … and its hyphen ("QĐUBND" for /QĐ-UBND).
    run_in = [words[0], Word("QĐUBND", 31.0, (260, 100, 400, 130), 0)]
    assert blanks.empty_blanks(OcrResult(run_in, [], 31.0, 0.0), 3000) == [((161, 100, 249, 130), 99999)]
    # A word after the label that is no notation leaves no blank.
    other = [words[0], Word("thôn", 96.0, (260, 100, 400, 130), 0)]
    assert blanks.empty_blanks(OcrResult(other, [], 96.0, 0.0), 3000) == []


def test_blanks_tesseract_cannot_read_are_read_by_the_handwriting_network() -> None:
    from pipeline.ocr import blanks

    image, result = _hand_header()
    found = blanks.reread(image, result, lambda crop, psm, scale: "")
    assert [(r.box, r.digits) for r in found] == [((185, 95, 260, 150), "349"),
                                                  ((781, 100, 919, 150), "18")]
    # With no word at all where the number is written: the gap after "Số:" is read.
    unread = OcrResult([w for w in result.words if w.text != "5⁄4"], [], 80.0, 0.0)
    assert [(r.box, r.digits) for r in blanks.reread(image, unread, lambda c, p, s: "")][0] == \
        ((161, 100, 344, 150), "349")
    # Tesseract's digits-only readings agreeing on another number: the two disagree,
    # and the blank is left to a person.
    assert [r.digits for r in blanks.reread(image, result, lambda c, p, s: "34")] == ["18"]


def test_digits_written_small_in_a_tall_line_are_read() -> None:
    """"Số: 60 /KH-UBND", the 60 written no taller than the print's small letters: the
    0 is under half the printed line's box (its accents and all), and far under the
    crop that reaches above and below the line for digits written tall."""
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr import blanks

    im = Image.new("L", (900, 1400), 255)
    d = ImageDraw.Draw(im)
    serif = ImageFont.truetype(PRINT_FACE, 52)
    d.text((100, 96), "Số:", font=serif, fill=0)
    hand = ImageFont.truetype(HAND_FACE, 44)
    for i, ch in enumerate("60"):
        d.text((200 + 30 * i, 108), ch, font=hand, fill=30)
    d.text((290, 96), "/KH-UBND", font=serif, fill=0)
    image = np.asarray(im)
    ys, _ = np.nonzero(image[:, 225:262] < 128)  # the 0's ink
    assert ys.max() - ys.min() < 0.5 * 64
    words = [Word("Số:", 96.0, (100, 92, 170, 156), 0),
             Word("/KH-UBND", 92.0, (290, 100, 520, 156), 0)]
    found = blanks.reread(image, OcrResult(words, [], 94.0, 0.0), lambda c, p, s: "")
    assert [r.digits for r in found] == ["60"]


def test_a_blank_the_network_reads_unsurely_is_offered_as_a_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.ocr import blanks, handdigits

    image, result = _hand_header()
    read = handdigits.read_blank

    def less_sure(probability: float):
        def reading(*args, **kwargs):
            found = read(*args, **kwargs)
            return None if found is None else handdigits.BlankReading(found.digits, probability)
        return reading

    sure = blanks.reread(image, result, lambda c, p, s: "")
    assert [(r.digits, r.guess) for r in sure] == [("349", None), ("18", None)]
    maybe = (blanks.HAND_GUESS + blanks.HAND_SURE) / 2
    monkeypatch.setattr(handdigits, "read_blank", less_sure(maybe))
    guessed = blanks.reread(image, result, lambda c, p, s: "")
    assert [(r.box, r.digits, r.guess) for r in guessed] == \
        [(r.box, r.digits, pytest.approx(maybe, abs=1e-3)) for r in sure]
    # A guess is no vote against Tesseract's agreeing readings (a sure network's is).
    assert [(r.digits, r.guess) for r in blanks.reread(image, result, lambda c, p, s: "34")] == \
        [("34", None), ("18", pytest.approx(maybe, abs=1e-3))]
    monkeypatch.setattr(handdigits, "read_blank", less_sure(blanks.HAND_GUESS * 0.9))
    assert blanks.reread(image, result, lambda c, p, s: "") == []


def test_a_day_written_tall_above_its_line_is_read_in_a_taller_crop() -> None:
    from PIL import Image, ImageDraw, ImageFont

    from pipeline.ocr import blanks

    im = Image.new("L", (1400, 1400), 255)
    d = ImageDraw.Draw(im)
    serif = ImageFont.truetype(PRINT_FACE, 40)
    d.text((700, 300), "ngày", font=serif, fill=0)
    for i, ch in enumerate("23"):  # rising a line height above the printed words
        d.text((800 + 60 * i, 255), ch, font=ImageFont.truetype(HAND_FACE, 110), fill=20)
    d.text((960, 300), "tháng 02", font=serif, fill=0)
    words = [Word("ngày", 96.0, (700, 308, 780, 350), 1), Word("tháng", 96.0, (960, 308, 1060, 350), 1),
             Word("02", 96.0, (1075, 308, 1115, 350), 1)]
    top = 308 - round(blanks.HAND_RISES[0] * 42)
    assert top > 267  # the digits' tops: the first crop cuts them
    found = blanks.reread(np.asarray(im), OcrResult(words, [], 80.0, 0.0), lambda c, p, s: "")
    assert [(r.box, r.digits) for r in found] == [((781, 308, 959, 350), "23")]


def test_a_day_read_in_an_empty_blank_gives_the_date_flagged() -> None:
    from pipeline.core.model import Reread
    from pipeline.extract import fields as extract
    from tests.test_extract import _page_with

    ocr_result, width, height = _page_with(date="Bát Tràng, ngày tháng 01 năm 2026").page()
    ngay = next(w for w in ocr_result.words if w.text == "ngày")
    thang = next(w for w in ocr_result.words if w.text == "tháng" and w.line == ngay.line)
    blank = (ngay.box[2], ngay.box[1], thang.box[0], ngay.box[3])
    assert extract.extract_document([(ocr_result, width, height)]).issued_date.value is None
    ocr_result.rereads = [Reread(blank, "18")]
    date = extract.extract_document([(ocr_result, width, height)]).issued_date
    assert date.value == datetime.date(2026, 1, 18)
    assert date.confidence < extract.REVIEW_BELOW

    # The month left blank and written in too: both blanks read from their ink.
    ocr_result, width, height = _page_with(date="Bát Tràng, ngày tháng năm 2026").page()
    ngay = next(w for w in ocr_result.words if w.text == "ngày")
    thang = next(w for w in ocr_result.words if w.text == "tháng" and w.line == ngay.line)
    ocr_result.rereads = [Reread((ngay.box[2] + 1, ngay.box[1], ngay.box[2] + 60, ngay.box[3]), "18"),
                          Reread((thang.box[2] + 1, thang.box[1], thang.box[2] + 60, thang.box[3]), "01")]
    date = extract.extract_document([(ocr_result, width, height)]).issued_date
    assert date.value == datetime.date(2026, 1, 18)
    assert date.confidence < extract.REVIEW_BELOW


def test_a_day_written_by_hand_doubts_the_date_not_the_printed_place() -> None:
    from pipeline.core.model import Reread
    from pipeline.extract import fields as extract
    from tests.test_extract import _page_with

    ocr_result, width, height = _page_with(date="Bát Tràng, ngày tháng 01 năm 2026").page()
    ngay = next(w for w in ocr_result.words if w.text == "ngày")
    thang = next(w for w in ocr_result.words if w.text == "tháng" and w.line == ngay.line)
    ocr_result.rereads = [Reread((ngay.box[2], ngay.box[1], thang.box[0], ngay.box[3]), "18")]
    fields = extract.extract_document([(ocr_result, width, height)])
    assert fields.issued_date.confidence < extract.REVIEW_BELOW
    assert fields.issued_place.value == "Bát Tràng"
    assert fields.issued_place.confidence >= extract.REVIEW_BELOW and not fields.issued_place.reason
    # Its own words read unsurely, the place is doubted for them.
    import dataclasses

    ocr_result.words = [dataclasses.replace(w, confidence=50.0)
                        if w.line == ngay.line and w.box[0] < ngay.box[0] else w
                        for w in ocr_result.words]
    place = extract.extract_document([(ocr_result, width, height)]).issued_place
    assert place.confidence < extract.REVIEW_BELOW and "low OCR confidence" in (place.reason or "")


def test_a_dash_read_in_the_days_blank_gives_way_to_its_digits() -> None:
    """Tesseract read the handwritten 04 as an em dash; the line's text has it as "-"."""
    from pipeline.core.model import Reread
    from pipeline.extract import fields as extract
    from tests.test_extract import _page_with

    ocr_result, width, height = _page_with(date="Hải Hậu, ngày — tháng 6 năm 2026").page()
    dash = next(w for w in ocr_result.words if w.text == "—")
    assert extract.extract_document([(ocr_result, width, height)]).issued_date.value is None
    ocr_result.rereads = [Reread(dash.box, "04")]
    date = extract.extract_document([(ocr_result, width, height)]).issued_date
    assert date.value == datetime.date(2026, 6, 4)
    assert date.confidence < extract.REVIEW_BELOW and "'—' as '04'" in (date.reason or "")


def test_a_guess_in_a_blank_is_taken_less_sure_than_an_agreed_reading() -> None:
    from pipeline.core.model import Reread
    from pipeline.extract import fields as extract
    from pipeline.extract import params
    from tests.test_extract import _page_with

    ocr_result, width, height = _page_with(number="Số: /QĐ-UBND", date="Bát Tràng, ngày tháng 01 năm 2026").page()
    label = next(w for w in ocr_result.words if w.text == "Số:")
    ngay = next(w for w in ocr_result.words if w.text == "ngày")
    thang = next(w for w in ocr_result.words if w.text == "tháng" and w.line == ngay.line)
    number_blank = (label.box[2] + 1, label.box[1], label.box[2] + 80, label.box[3])
    day_blank = (ngay.box[2], ngay.box[1], thang.box[0], ngay.box[3])
    for guess, cap in ((None, params.DAY_REREAD), (0.45, 0.45)):
        ocr_result.rereads = [Reread(number_blank, "87", guess), Reread(day_blank, "18", guess)]
        found = extract.extract_document([(ocr_result, width, height)])
        assert found.code_number.value == "87" and found.issued_date.value == datetime.date(2026, 1, 18)
        for value in (found.code_number, found.issued_date):
            assert value.confidence == pytest.approx(cap, abs=0.01)
            assert ("a guess" in value.reason) == (guess is not None)


def test_a_number_read_in_an_empty_blank_is_taken_flagged() -> None:
    from pipeline.core.model import Reread
    from pipeline.extract import fields as extract
    from tests.test_extract import _page_with

    ocr_result, width, height = _page_with(number="Số: /QĐ-UBND").page()
    label = next(w for w in ocr_result.words if w.text == "Số:")
    found = extract.extract_document([(ocr_result, width, height)])
    assert found.code_number.value is None and found.code_notation.value == "QĐ-UBND"
    ocr_result.rereads = [Reread((label.box[2] + 1, label.box[1], label.box[2] + 80, label.box[3]), "87")]
    fields = extract.extract_document([(ocr_result, width, height)])
    assert fields.code_number.value == "87" and fields.code_number.confidence < extract.REVIEW_BELOW
    # The notation is printed: the number written by hand doubts only the number.
    assert fields.code_notation.value == "QĐ-UBND"
    assert fields.code_notation.confidence >= extract.REVIEW_BELOW
    assert fields.code_notation.reason is None


# --------------------------------------------------------------------------- an authority's prefix


def _authority_lines(first_read: str, first_conf: float) -> tuple[np.ndarray, OcrResult]:
    """ "T/M UBND TỈNH" over "PHÓ CHỦ TỊCH" at the foot of a page's right half, its prefix
    as the page's reading gave it."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (2100, 3000), 255)
    d = ImageDraw.Draw(im)
    face = ImageFont.truetype(PRINT_FACE, 44)
    d.text((1300, 2200), "T/M  UBND TỈNH", font=face, fill=0)
    d.text((1300, 2270), "PHÓ CHỦ TỊCH", font=face, fill=0)
    words = [Word(first_read, first_conf, (1300, 2208, 1380, 2245), 0),
             Word("UBND", 92.0, (1400, 2208, 1540, 2245), 0), Word("TỈNH", 90.0, (1556, 2200, 1660, 2245), 0),
             Word("PHÓ", 95.0, (1300, 2270, 1390, 2315), 1), Word("CHỦ", 96.0, (1402, 2270, 1510, 2315), 1),
             Word("TỊCH", 96.0, (1522, 2270, 1630, 2318), 1)]
    return np.asarray(im), OcrResult(words, [], 90.0, 0.0)


def test_an_unsure_authority_prefix_is_read_again_on_its_line_alone() -> None:
    from pipeline.ocr import prefixes

    image, result = _authority_lines("TM", 0.0)
    fixed = prefixes.reread(image, result, _read_word)
    assert [w.text for w in fixed.words][:3] == ["T/M", "UBND", "TỈNH"]
    assert fixed.words[0].box == (1300, 2208, 1380, 2245)
    # Read surely, it stays as read; so do the position's words (no prefix there).
    image, result = _authority_lines("TM", 90.0)
    assert prefixes.candidates(result, image.shape) == []
    assert prefixes.reread(image, result, _read_word).words[0].text == "TM"


def test_a_prefix_is_replaced_only_by_agreeing_readings_of_a_prefix() -> None:
    from pipeline.ocr import prefixes

    image, result = _authority_lines("„T", 30.0)

    def reader(*answers: str):
        it = iter(answers)
        return lambda crop, psm: (next(it), 80.0)

    assert prefixes.reread(image, result, reader("K/T CHỦ", "TÍM CHỦ")).words[0].text == "„T"
    assert prefixes.reread(image, result, reader("TÍM CHỦ", "TÍM CHỦ")).words[0].text == "„T"
    assert prefixes.reread(image, result, reader("_K/T CHỦ", "K/T CHỦ")).words[0].text == "K/T"
    # A reading of the header's ink, or a word left of the signature block: not looked at.
    top, left = OcrResult([Word("„T", 30.0, (1300, 300, 1380, 340), 0), Word("UBND", 92.0, (1400, 300, 1540, 340), 0)],
                          [], 90.0, 0.0), \
        OcrResult([Word("„T", 30.0, (200, 2208, 280, 2245), 0), Word("UBND", 92.0, (300, 2208, 440, 2245), 0)],
                  [], 90.0, 0.0)
    assert prefixes.candidates(top, image.shape) == prefixes.candidates(left, image.shape) == []


# --------------------------------------------------------------------------- a name's word alone


def _printed_name(name: str, first_read: list[tuple[str, float]], y: int = 2500
               ) -> tuple[np.ndarray, OcrResult]:
    """``name`` printed bold at the foot of a page's right half; its words as the page's
    reading gave them (text, confidence), with the boxes of the ink."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (2480, 3508), 255)
    d = ImageDraw.Draw(im)
    face = ImageFont.truetype(BOLD, 50)
    x, words = 1600, []
    for (text, conf), printed in zip(first_read, name.split(), strict=True):
        box = d.textbbox((x, y), printed, font=face)
        d.text((x, y), printed, font=face, fill=0)
        words.append(Word(text, conf, tuple(box), 0))
        x = box[2] + 16
    return np.asarray(im), OcrResult(words, [], 90.0, 0.0)


def test_a_name_word_whose_capital_was_lost_is_read_again_with_the_gap_before_it() -> None:
    """"Danh Thị Sóc Kha" read "… Sóc na" surely, the box round "ha" only: a word opening
    small after a name's word lost its capital; read again from the word before it, it is
    "Kha", to be checked."""
    from PIL import ImageFont

    from pipeline.ocr import namewords

    image, result = _printed_name("Danh Thị Sóc Kha", [("Danh", 96.0), ("Thị", 95.0), ("Sóc", 90.0),
                                                       ("Kha", 95.0)])
    k = round(ImageFont.truetype(BOLD, 50).getlength("K"))
    x0, y0, x1, y1 = result.words[3].box
    lost = Word("na", 95.0, (x0 + k, y0 + 12, x1, y1), 0)
    result = OcrResult([*result.words[:3], lost], [], 90.0, 0.0)
    fixed = namewords.reread(image, result, _read_word)
    assert [w.text for w in fixed.words] == ["Danh", "Thị", "Sóc", "Kha"]
    assert fixed.words[3].confidence == namewords.TAKEN_CONF
    assert result.words[2].box[2] < fixed.words[3].box[0] < lost.box[0]  # from the gap before


def test_an_unsure_word_of_a_name_is_read_again_as_one_word() -> None:
    """"Siu Thương" read "iu Thương" in the page: "Siu" alone reads right."""
    from pipeline.ocr import namewords

    image, result = _printed_name("Siu Thương", [("iu", 21.0), ("Thương", 96.0)])
    fixed = namewords.reread(image, result, _read_word)
    assert [w.text for w in fixed.words] == ["Siu", "Thương"]
    assert fixed.words[0].box == result.words[0].box
    assert fixed.words[0].confidence == namewords.TAKEN_CONF  # two readings differed: to be checked
    # Read surely, a word stays as read; with no word read surely as a name's, the line
    # is no name line; in the page's upper half it is no signature block.
    image, result = _printed_name("Siu Thương", [("iu", 90.0), ("Thương", 96.0)])
    assert namewords.candidates(result, image.shape) == []
    image, result = _printed_name("Siu Thương", [("iu", 21.0), ("Thương", 40.0)])
    assert namewords.candidates(result, image.shape) == []
    image, result = _printed_name("Siu Thương", [("iu", 21.0), ("Thương", 96.0)], y=900)
    assert namewords.candidates(result, image.shape) == []


def test_a_name_word_is_replaced_only_by_agreeing_sure_close_readings() -> None:
    from pipeline.ocr import namewords

    def reader(*answers: tuple[str, float]):
        it = iter(answers)
        return lambda crop, psm: next(it)

    def first(*answers: tuple[str, float]) -> str:
        image, result = _printed_name("Siu Thương", [("iu", 21.0), ("Thương", 96.0)])
        return namewords.reread(image, result, reader(*answers)).words[0].text

    assert first(("Siu", 85.0), ("Sịu", 85.0)) == "iu"  # the readings disagree
    assert first(("Siu", 85.0), ("Siu", 40.0)) == "iu"  # one is unsure
    assert first(("Thiều", 85.0), ("Thiều", 85.0)) == "iu"  # too far from the first reading
    assert first(("siu", 85.0), ("siu", 85.0)) == "iu"  # no name's word
    assert first(("»Siu", 82.0), ("Siu'", 75.0)) == "Siu"  # specks round it trimmed
    assert first(("Ksor", 85.0), ("Ksor", 85.0)) == "iu"  # a surname, but three letters off


# --------------------------------------------------------------------------- a notation alone


def _number_line(notation_read: str) -> tuple[np.ndarray, OcrResult]:
    """ "Số: 115/CV-PA83" printed, the notation as the page's reading gave it."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (1400, 1400), 255)
    d = ImageDraw.Draw(im)
    d.text((100, 100), "Số: 115/CV-PA83", font=ImageFont.truetype(PRINT_FACE, 40), fill=0)
    words = [Word("Số:", 96.0, (100, 106, 154, 138), 0),
             Word(f"115{notation_read}", 40.0, (165, 106, 388, 138), 0)]
    return np.asarray(im), OcrResult(words, [], 80.0, 0.0)


def _read_word(crop: np.ndarray, psm: int) -> tuple[str, float]:
    words = ocr.parse_hocr(tesseract.hocr_image(crop, language="vie", tessdata_dir=None, dpi=300,
                                                psm=psm, timeout=60)).words
    return " ".join(w.text for w in words), min((w.confidence for w in words), default=0.0)


def test_a_notation_with_a_character_no_notation_has_is_read_again_alone() -> None:
    from pipeline.ocr import notation

    image, result = _number_line("/CV-PAS§3")
    fixed = notation.reread(image, result, _read_word)
    assert [w.text for w in fixed.words] == ["Số:", "115/CV-PA83"]
    assert fixed.words[1].box == (165, 106, 388, 138)


def test_a_notation_is_replaced_only_by_agreeing_close_readings() -> None:
    from pipeline.ocr import notation

    image, result = _number_line("/CV-PAS§3")
    calls = []

    def reader(answers):
        def read(crop, psm):
            calls.append(psm)
            return answers[psm]
        return read

    # The two readings disagree: left as read.
    kept = notation.reread(image, result, reader({7: ("115/CV-PA83", 60.0), 8: ("115/CV-PAS3", 80.0)}))
    assert kept.words[1].text == "115/CV-PAS§3"
    # They agree, but on ink far from the first reading: no correction either.
    far = notation.reread(image, result, reader({7: ("115/QĐ-UBND", 90.0), 8: ("115/QĐ-UBND", 90.0)}))
    assert far.words[1].text == "115/CV-PAS§3"
    # They agree on something that is no notation either.
    odd = notation.reread(image, result, reader({7: ("115/CV-PA§3", 90.0), 8: ("115/CV-PA§3", 90.0)}))
    assert odd.words[1].text == "115/CV-PAS§3"
    # Specks round a reading are no part of it; the least sure reading's confidence is kept.
    took = notation.reread(image, result, reader({7: ("115/CV-PA83", 60.0), 8: ("115/CV-PA83.", 35.0)}))
    assert (took.words[1].text, took.words[1].confidence) == ("115/CV-PA83", 35.0)
    # A notation read cleanly is not read again.
    calls.clear()
    clean = _number_line("/CV-PA83")[1]
    assert notation.reread(image, clean, reader({})) is clean and not calls


def test_a_notation_word_after_the_number_is_a_candidate_and_the_body_is_not() -> None:
    from pipeline.ocr import notation

    words = [Word("Số:", 96.0, (100, 100, 160, 150), 0), Word("115", 60.0, (172, 100, 240, 150), 0),
             Word("/CV-PAS§3", 40.0, (240, 100, 420, 150), 0),
             Word("/CV-PAS§3", 40.0, (240, 2000, 420, 2050), 9)]
    found = notation.candidates(OcrResult(words, [], 80.0, 0.0), 3000)
    assert [w.box for w in found] == [(240, 100, 420, 150)]
    # A year between number and notation is a notation's: "/2025/NQ-HĐND".
    ok = [Word("Số:", 96.0, (100, 100, 160, 150), 0), Word("15/2025/NQ-HĐND", 90.0, (172, 100, 500, 150), 0)]
    assert notation.candidates(OcrResult(ok, [], 80.0, 0.0), 3000) == []


# --------------------------------------------------------------------------- stacked tone marks

BOLD_FACE = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"


def _bold_name_line(read_as: list[str], x: int = 1500) -> tuple[np.ndarray, OcrResult]:
    """ "Trần Hoàng Tuấn" printed bold in a signature block's place, read as ``read_as``."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (2480, 3508), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(BOLD_FACE, 46)
    words, left = [], x
    for printed, read in zip(["Trần", "Hoàng", "Tuấn"], read_as, strict=True):
        d.text((left, 2300), printed, font=font, fill=0, anchor="ls")
        x0, _, x1, _ = d.textbbox((left, 2300), printed, font=font, anchor="ls")
        # The first pass's box: the line's height without the mark stacked over the circumflex.
        words.append(Word(read, 96.0, (round(x0), 2266, round(x1), 2312), 0))
        left = round(x1) + 14
    return np.asarray(im), OcrResult(words, [], 96.0, 0.0)


def test_a_stacked_tone_mark_the_page_lost_is_read_on_the_line_alone() -> None:
    from pipeline.ocr import tones

    image, result = _bold_name_line(["Trân", "Hoàng", "Tuân"])

    def read(crop: np.ndarray) -> list[Word]:
        return ocr.parse_hocr(tesseract.hocr_image(crop, language="vie", tessdata_dir=None, dpi=300,
                                                   psm=7, timeout=60)).words

    fixed = tones.reread(image, result, read)
    assert [w.text for w in fixed.words] == ["Trần", "Hoàng", "Tuấn"]
    assert [w.box for w in fixed.words] == [w.box for w in _bold_name_line(["", "", ""])[1].words]


@pytest.mark.parametrize("first, second, taken", [
    ("Tuân", "Tuấn", True), ("Tuân", "Tuần", True), ("Dương", "Dưỡng", True),
    ("Tuấn", "Tuần", False),   # a tone read: never changed for another
    ("Tuân", "Tuấm", False),   # a letter changed: another reading, not a mark added
    ("Hoa", "Hoà", False),     # no circumflex, breve or horn: nothing stacked to lose
    ("Tuân", "Tuân", False),
])
def test_only_a_tone_mark_over_a_circumflex_breve_or_horn_is_taken(first: str, second: str,
                                                                      taken: bool) -> None:
    from pipeline.ocr import tones

    assert tones._toned(first, second) is taken


def test_a_second_reading_of_other_words_changes_nothing_and_the_body_is_not_read() -> None:
    from pipeline.ocr import tones

    image, result = _bold_name_line(["Trân", "Hoàng", "Tuân"])

    def saying(*texts: str):
        def read(crop: np.ndarray) -> list[Word]:
            return [Word(t, 90.0, (0, 0, 1, 1), 0) for t in texts]
        return read

    # A word more, or a letter another: the line as the page read it.
    for again in (("Trần", "Hoàng", "Tuấn", "Anh"), ("Trần", "Hoàng", "Tuấm")):
        assert [w.text for w in tones.reread(image, result, saying(*again)).words] == \
            ["Trân", "Hoàng", "Tuân"]
    # A word a mark was added to is left unsure, for the name to be checked.
    fixed = tones.reread(image, _bold_name_line(["Trân", "Hoàng", "Tuân"])[1], saying("Trần", "Hoàng", "Tuấn"))
    assert [w.confidence for w in fixed.words] == [tones.MARK_ADDED, 96.0, tones.MARK_ADDED]
    # A line starting at the left margin (the body's) is not read again.
    left = _bold_name_line(["Trân", "Hoàng", "Tuân"], x=300)[1]
    assert tones.candidate_lines(left, image.shape) == []


def _bold_name(printed: list[str], read_as: list[str], x: int = 1500) -> tuple[np.ndarray, OcrResult]:
    """A name printed bold in a signature block's place, read by the page as ``read_as``."""
    from PIL import Image, ImageDraw, ImageFont

    im = Image.new("L", (2480, 3508), 255)
    d = ImageDraw.Draw(im)
    font = ImageFont.truetype(BOLD_FACE, 46)
    words, left = [], x
    for word, read in zip(printed, read_as, strict=True):
        d.text((left, 2300), word, font=font, fill=0, anchor="ls")
        x0, y0, x1, y1 = d.textbbox((left, 2300), word, font=font, anchor="ls")
        words.append(Word(read, 95.0, (round(x0), round(y0), round(x1), round(y1)), 0))
        left = round(x1) + 14
    return np.asarray(im), OcrResult(words, [], 95.0, 0.0)


def test_a_name_the_check_model_reads_with_other_marks_is_left_unsure() -> None:
    """ "Chữ" read surely for a printed "Chứ": the other model, reading the line alone with
    the same letters and other marks, leaves the word unsure; its text stays as read."""
    from pipeline.ocr import tones

    image, result = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chữ"])

    def saying(*texts: str):
        return lambda crop: [Word(t, 90.0, (0, 0, 1, 1), 0) for t in texts]

    checked = tones.check(image, result, saying("Vàng", "A", "Chứ"))
    assert [(w.text, w.confidence) for w in checked.words] == \
        [("Vàng", 95.0), ("A", 95.0), ("Chữ", tones.MARKS_DIFFER)]
    # Letters the other model reads otherwise say nothing of the marks; nor does case; a
    # word it lost leaves the others compared.
    for again in (("Vàng", "A", "Chữ"), ("Vàng", "A", "Chứa"), ("VÀNG", "A", "CHỮ"), ("Vàng", "Chữ")):
        _, result = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chữ"])
        assert {w.confidence for w in tones.check(image, result, saying(*again)).words} == {95.0}
    _, result = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chữ"])
    assert [w.confidence for w in tones.check(image, result, saying("Vang", "Chữ")).words] == \
        [tones.MARKS_DIFFER, 95.0, 95.0]
    # A line starting at the left margin (the body's) is no signer's name.
    image, left = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chữ"], x=300)
    assert tones.name_line(left, image.shape) is None


def test_the_check_model_reads_a_names_marks_apart_from_the_page_model() -> None:
    """The real second model on a name printed bold: a mark the page's reading got wrong
    leaves that word unsure; read right, nothing changes."""
    from pipeline.ocr import tones

    def read(crop: np.ndarray) -> list[Word]:
        return ocr.parse_hocr(tesseract.hocr_image(crop, language=tones.CHECK_MODEL, tessdata_dir=None,
                                                   dpi=300, psm=7, timeout=60)).words

    image, wrong = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chữ"])
    assert [w.confidence for w in tones.check(image, wrong, read).words] == [95.0, 95.0, tones.MARKS_DIFFER]
    image, right = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chứ"])
    assert [w.confidence for w in tones.check(image, right, read).words] == [95.0, 95.0, 95.0]


def test_without_the_check_model_the_name_is_read_as_before(tmp_path: Path, monkeypatch) -> None:
    """A model folder holding only ``vie``: the signer's name is not read a second time,
    and the page is read all the same."""
    from pipeline.ocr import tones

    folder = tesseract.model_folder(None)
    (tmp_path / "vie.traineddata").symlink_to(folder / "vie.traineddata")
    assert tones.check_model(tmp_path) is None
    assert tones.check_model(None) == folder / "Vietnamese.traineddata"
    checked: list[int] = []
    monkeypatch.setattr(tones, "check", lambda image, result, read: checked.append(1) or result)
    image, _ = _bold_name(["Vàng", "A", "Chứ"], ["Vàng", "A", "Chứ"])
    words = ocr.recognize(image, tessdata_dir=tmp_path).words
    assert "Chứ" in [w.text for w in words] and checked == []
    ocr.recognize(image)
    assert checked == [1]


def _header_page() -> np.ndarray:
    """An A4 page at 300 dpi with an NĐ 30 header, its number line "Số: 34/TB-UBND"."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(REGULAR, 50)
    bold = ImageFont.truetype(BOLD, 50)
    for x, y, text, face in [
            (420, 300, "ỦY BAN NHÂN DÂN", font), (1250, 300, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold),
            (450, 370, "XÃ BÁT TRÀNG", bold), (1450, 370, "Độc lập - Tự do - Hạnh phúc", bold),
            (430, 480, "Số: 34/TB-UBND", font), (1350, 480, "Bát Tràng, ngày 05 tháng 01 năm 2026", font),
            (1060, 640, "THÔNG BÁO", bold), (700, 710, "Kết luận của Chủ tịch Ủy ban nhân dân xã", bold)]:
        draw.text((x, y), text, font=face, fill=0)
    return np.asarray(page)


def test_a_number_line_the_page_misreads_is_read_again_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's reading (and the columns' second look) runs the number line's parts
    together ("3Ố: 3+TBUBND"); read alone by Tesseract, the line gives the number and
    notation, which the extraction takes, flagged, only because the page's reading gives
    none."""
    from pipeline.extract import fields as extract

    image = _header_page()
    real = ocr._tesseract

    def garbling(image, language, tessdata_dir, dpi, psm, timeout):
        result = real(image, language, tessdata_dir, dpi, psm, timeout)
        line = [w for w in result.words if w.text.startswith(("Số", "34", "/TB"))]
        if psm in (3, 6) and line:  # the page's reading, and the columns' second look
            x0, y0 = min(w.box[0] for w in line), min(w.box[1] for w in line)
            x1, y1 = max(w.box[2] for w in line), max(w.box[3] for w in line)
            garbled = [Word("3Ố:", 40.0, (x0, y0, x0 + 60, y1), line[0].line),
                       Word("3+TBUBND", 30.0, (x0 + 80, y0, x1, y1), line[0].line)]
            result.words = [w for w in result.words if w not in line] + garbled
        return result

    monkeypatch.setattr(ocr, "_tesseract", garbling)
    result = ocr.recognize(image, dpi=300)
    (again,) = result.lines_again
    assert "34" in " ".join(w.text for w in again.words)
    fields = extract.extract_document([(result, image.shape[1], image.shape[0])])
    assert (fields.code_number.value, fields.code_notation.value) == ("34", "TB-UBND")
    assert fields.code_number.confidence < extract.REVIEW_BELOW
    assert "on its line alone" in fields.code_number.reason
    # Read as printed, the line is not read again.
    monkeypatch.setattr(ocr, "_tesseract", real)
    assert ocr.recognize(image, dpi=300).lines_again == ()


def test_only_the_headers_left_lines_read_unsurely_are_read_again() -> None:
    from pipeline.ocr import numberline

    words = [Word("Số:", 93.0, (400, 480, 470, 520), 0), Word("3+TBUBND", 30.0, (490, 480, 800, 520), 0),
             Word("Số:", 40.0, (1400, 480, 1470, 520), 1), Word("12/QĐ-UBND", 30.0, (1490, 480, 1800, 520), 1),
             Word("Số:", 93.0, (400, 560, 470, 600), 2), Word("12/QĐ-UBND", 96.0, (490, 560, 800, 600), 2),
             Word("Số:", 40.0, (400, 2480, 470, 2520), 3), Word("12/QĐ", 30.0, (490, 2480, 800, 2520), 3),
             Word("ỦY", 40.0, (400, 300, 470, 340), 4), Word("BAN", 30.0, (490, 300, 800, 340), 4)]
    result = OcrResult(words, [], 60.0, 0.0)
    (line,) = numberline.candidates(result, (3508, 2480))
    assert [w.text for w in line] == ["Số:", "3+TBUBND"]
    seen = []

    def read(crop: np.ndarray) -> list[Word]:
        seen.append(crop.shape)
        return [Word("Số:", 90.0, (10, 10, 60, 50), 0), Word("34/TB-UBND", 90.0, (80, 10, 300, 50), 0)]

    again = numberline.reread(np.full((3508, 2480), 255, np.uint8), result, read).lines_again
    assert len(seen) == 1 and again[0].box == (400, 480, 800, 520)
    assert again[0].words[1].box == (80 + 380, 10 + 460, 300 + 380, 50 + 460)  # on the page
