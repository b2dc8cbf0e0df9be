"""OCR: Tesseract ``vie`` on the cleaned image, with word boxes and confidences."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import cv2
import numpy as np
from lxml import html

from pipeline._exec import tesseract
from pipeline.core.model import Line, OcrResult, Word
from pipeline.ocr import (
    blanks,
    columns,
    missed,
    namewords,
    notation,
    numberline,
    prefixes,
    surnames,
    tones,
)
from pipeline.ocr.crops import moved

_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_XSIZE = re.compile(r"x_size ([\d.]+)")
_XDESC = re.compile(r"x_descenders ([\d.]+)")
_CONF = re.compile(r"x_wconf (\d+)")
AREA_LOOK_DPI = 50.0  # the page's ink is found on a copy at about this resolution
AREA_INK = 160  # darker than this there (a letter, averaged with its paper) is ink
AREA_MARGIN_MM = 5.0  # white kept round it
LINE_CLASSES = {"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"}


def recognize(
    image: np.ndarray,
    *,
    language: str = "vie",
    tessdata_dir: Path | None = None,
    dpi: int = 300,
    psm: int = 3,
    timeout: float = 600,
    second_look: bool = True,
    header_ink: np.ndarray | None = None,
) -> OcrResult:
    """Run Tesseract on a grey/bilevel uint8 image and parse its hOCR.

    Words of a line read twice over the same ink are read once (``columns.read_once``).
    With ``second_look`` (and the automatic layout, ``psm`` 3), the unsure
    parts of a line run across two columns are read again one line each, and a
    page number left unread is looked for (``_ocr_columns``); ink of a signature
    block's size that the page's layout analysis left unread is read again as a
    block of text, and its words added (``_ocr_missed``); what a seal's or a
    signature's strokes were read as is dropped; a name's tone mark stacked over a
    circumflex, lost in the page's reading, is read again on its line alone (``tones``);
    a name's word read unsurely, alone as one word (``namewords``); a surname a seal
    garbled is matched by its shape (``_ocr_surnames``); the signer's name is read again
    by a second model, and a word it reads with other marks left unsure
    (``tones.check``); a number or day written into a
    header's blank is read again (``blanks``), in ``header_ink`` (the header with its
    coloured ink kept, ``Prepared.header_ink``) where given; a notation read with a
    character no notation has is read again on its own (``notation``); the header's number
    line read unsurely, on its line alone, kept beside the page's reading (``numberline``);
    and an authority line's prefix read unsurely, on its line alone (``prefixes``).
    """
    start = time.perf_counter()
    x0, y0, x1, y1 = text_area(image, dpi)
    result = shifted(_tesseract(image[y0:y1, x0:x1], language, tessdata_dir, dpi, psm, timeout), x0, y0)
    result = columns.read_once(result)
    if second_look and psm == 3:
        result = columns.reread(
            image, result, dpi,
            lambda canvas: _tesseract(canvas, language, tessdata_dir, dpi, 6, timeout),
        )
        for box in missed.unread_regions(image, result.words, dpi):
            header = missed.in_header(box, image.shape)
            crop = missed.region_crop(image, result.words, box, dpi)
            extra = _tesseract(crop, language, tessdata_dir, dpi, 6, timeout)
            kept = len(result.lines)
            result = missed.merge(result, extra, (box[0], box[1]), header=header)
            band = None if header else missed.last_line(crop, dpi)
            if band is not None and not any(
                    line.box[1] < box[1] + band[1] and line.box[3] > box[1] + band[0]
                    for line in result.lines[kept:]):
                line = missed.without_rules(crop[band[0]:band[1]], dpi)
                extra = _tesseract(line, language, tessdata_dir, dpi, 7, timeout)
                result = missed.merge(result, extra, (box[0], box[1] + band[0]))
        result = columns.without_scraps(result, image.shape)
        result = tones.reread(
            image, result, lambda crop: _tesseract(crop, language, tessdata_dir, dpi, 7, timeout).words)

        def word(crop: np.ndarray, psm: int) -> tuple[str, float]:
            words = _tesseract(crop, language, tessdata_dir, dpi, psm, timeout).words
            return " ".join(w.text for w in words), min((w.confidence for w in words), default=0.0)

        result = namewords.reread(image, result, word)
        result.surnames = surnames.match(image, result)
        if tones.check_model(tessdata_dir) is not None:
            # After the surnames' shapes are matched: a surname left unsure here is read
            # letter for letter, only its marks in doubt.
            result = tones.check(image, result, lambda crop: _tesseract(
                crop, tones.CHECK_MODEL, tessdata_dir, dpi, 7, timeout).words)

        def digits(crop: np.ndarray, psm: int, scale: float) -> str:
            raw = tesseract.hocr_image(crop, language=language, tessdata_dir=tessdata_dir,
                                       dpi=round(dpi * scale), psm=psm, timeout=timeout,
                                       only=blanks.DIGITS)
            return "".join(w.text for w in parse_hocr(raw).words)

        result.rereads = blanks.reread(image, result, digits, header_ink)
        result = numberline.reread(
            image, result, lambda crop: _tesseract(crop, language, tessdata_dir, dpi, 7, timeout).words)
        result = notation.reread(image, result, word)
        result = prefixes.reread(image, result, word)
    result.seconds = time.perf_counter() - start
    return result


def text_area(image: np.ndarray, dpi: float) -> tuple[int, int, int, int]:
    """The box round the page's ink, with a margin: Tesseract's thresholding and layout
    analysis cost by the pixel, and white margins are a third of an A4 page."""
    h, w = image.shape
    f = max(1, round(dpi / AREA_LOOK_DPI))
    small = cv2.resize(image, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    rows = np.flatnonzero((small < AREA_INK).any(axis=1))
    cols = np.flatnonzero((small < AREA_INK).any(axis=0))
    if rows.size == 0:
        return (0, 0, w, h)
    pad = round(AREA_MARGIN_MM / 25.4 * dpi)
    # Plain ints (NumPy's would reach every word's box, and JSON cannot take them).
    x0, y0, x1, y1 = int(cols[0]) * f, int(rows[0]) * f, (int(cols[-1]) + 1) * f, (int(rows[-1]) + 1) * f
    return (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad))


def shifted(result: OcrResult, dx: int, dy: int) -> OcrResult:
    """``result`` with every box moved by (dx, dy) (baselines are relative to their line)."""
    if not dx and not dy:
        return result
    words = [Word(w.text, w.confidence, moved(w.box, dx, dy), w.line) for w in result.words]
    lines = [Line(moved(ln.box, dx, dy), ln.baseline, ln.size) for ln in result.lines]
    return OcrResult(words, lines, result.mean_confidence, result.seconds)


def _tesseract(
    image: np.ndarray, language: str, tessdata_dir: Path | None, dpi: int, psm: int, timeout: float
) -> OcrResult:
    raw = tesseract.hocr_image(
        image, language=language, tessdata_dir=tessdata_dir, dpi=dpi, psm=psm, timeout=timeout,
    )
    return parse_hocr(raw)


def parse_hocr(raw: bytes) -> OcrResult:
    """Words (NFC) and lines with baselines, in Tesseract's reading order."""
    words: list[Word] = []
    lines: list[Line] = []
    if not raw.strip():
        return OcrResult(words, lines, None, 0.0)
    tree = html.fromstring(raw)
    for element in tree.iter("span"):
        if element.get("class") not in LINE_CLASSES:
            continue
        title = element.get("title", "")
        box = _box(title)
        if box is None:
            continue
        baseline = _BASELINE.search(title)
        size = _XSIZE.search(title)
        descent = _XDESC.search(title)
        line_words = []
        for span in element.iter("span"):
            if span.get("class") != "ocrx_word":
                continue
            text = unicodedata.normalize("NFC", span.text_content()).strip()
            word_box = _box(span.get("title", ""))
            if not text or word_box is None:
                continue
            conf = _CONF.search(span.get("title", ""))
            line_words.append(
                Word(text, float(conf.group(1)) if conf else 0.0, word_box, len(lines))
            )
        if not line_words:
            continue
        height = box[3] - box[1]
        lines.append(
            Line(
                box=box,
                baseline=(
                    (float(baseline.group(1)), float(baseline.group(2)))
                    if baseline
                    else (0.0, -float(descent.group(1)) if descent else -0.2 * height)
                ),
                size=float(size.group(1)) if size else float(height),
            )
        )
        words.extend(line_words)
    return OcrResult.of(words, lines, 0.0)


def _box(title: str) -> tuple[int, int, int, int] | None:
    match = _BBOX.search(title)
    if not match:
        return None
    x0, y0, x1, y1 = (int(v) for v in match.groups())
    return (x0, y0, x1, y1)
