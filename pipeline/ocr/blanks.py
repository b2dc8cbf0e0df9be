"""A number or a day written by hand into a printed blank, read again digits only.

NĐ 30 headers print "Số:      /QĐ-UBND" and "ngày    tháng 02 năm 2025" and the
blanks are filled in by hand or by a numbering stamp when the document is
issued. Tesseract's ``vie`` model reads that ink unsurely, and sometimes as
letters ("9O", "„đ4|"). Each unsure word in such a blank is read again with
only digits allowed, two ways (one line, one word) at two sizes; the reading
is offered to the extraction only when all four agree. The extraction still
decides, and flags what it takes this way for a person to check.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import cv2
import numpy as np

from pipeline.core.model import OcrResult, Reread, Word
from pipeline.core.vi_text import DAY_WORD, MONTH_WORD, fold

# Words above this share of the page's height are the header's.
HEADER_SHARE = 0.35
# A word read at least this sure (0–100) is left as read.
SURE_ABOVE = 85.0
# Readings: page segmentation mode × enlargement.
MODES = (7, 8)
SCALES = (1.0, 1.5)
DIGITS = "0123456789:"

ReadDigits = Callable[[np.ndarray, int, float], str]  # (crop, psm, enlargement) → text


def candidates(result: OcrResult, height: int) -> list[Word]:
    """Unsure words where the header's blanks are: the number before "/notation" (a word
    of its own), and the day between "ngày" and "tháng"."""
    words = [w for w in result.words if w.box[3] < HEADER_SHARE * height]
    out: list[Word] = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w.confidence >= SURE_ABOVE or nxt is None or nxt.line != w.line:
            continue
        key, after = fold(w.text), fold(nxt.text)
        prev = fold(words[i - 1].text) if i else ""
        number = after.startswith("/") and (re.search(r"\d", key) or re.match(r"s\W*o", key)
                                            or re.match(r"s\W*o", prev))
        day = re.fullmatch(DAY_WORD, prev) is not None \
            and re.match(MONTH_WORD, after) is not None and len(w.text) <= 6
        if number or day:
            out.append(w)
    return out


def reread(image: np.ndarray, result: OcrResult, read: ReadDigits) -> list[Reread]:
    """Every candidate blank the readings agree on."""
    found = []
    for w in candidates(result, image.shape[0]):
        x0, y0, x1, y1 = w.box
        pad = max(2, (y1 - y0) // 2)
        crop = image[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]
        if crop.size == 0:
            continue
        readings = set()
        for psm in MODES:
            for scale in SCALES:
                big = crop if scale == 1.0 else cv2.resize(
                    crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
                # "Số:209" read as "86:209": what precedes a colon is the printed label.
                readings.add(read(big, psm, scale).strip().rsplit(":", 1)[-1])
        if len(readings) == 1:
            (digits,) = readings
            if re.fullmatch(r"\d{1,5}", digits):
                found.append(Reread(w.box, digits))
    return found
