"""The header's number line ("Số: 34/TB-UBND") read again on its own.

On a noisy, faded or photocopied page Tesseract's reading of the whole page now and then
runs the line's parts together or reads them as scraps ("3Ố: 3+TBUBND", "Số:170SXDKH")
where the same ink read as one line alone reads as printed ("Số: 34 'TB UBND", "Số:
170/SXD-KH"). A left-column header line that opens like "Số:" or holds a slash, with a
word read unsurely, is read once more alone (``--psm 7``) and kept beside the page's
reading (``OcrResult.lines_again``): the extraction turns to it only where the page's
reading gives no number line, and flags what it takes from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from pipeline.core.model import LineAgain, OcrResult, Word
from pipeline.core.vi_text import fold
from pipeline.ocr import blanks
from pipeline.ocr.crops import moved, words_box

# A line with a word read less surely than this (0–100) is read again.
SURE_ABOVE = 85.0
# Lines read again per page, at most (the number line is one).
MAX_LINES = 2
# Blank kept round the line, in its height.
PAD = 0.5
# How "Số:" opens a line as Tesseract reads it, folded: so, s6, $o, §o, 3o, 5o.
OPENING = re.compile(r"^[\W_]*[s$§35][\W_]*[a-z0-9]?\W*")

ReadLine = Callable[[np.ndarray], list[Word]]  # a line's crop → its words (psm 7)


def candidates(result: OcrResult, shape: tuple[int, ...]) -> list[list[Word]]:
    """The header's left-column lines that may be the number line, read unsurely; each as
    its words in the page's left half."""
    height, width = shape[:2]
    out = []
    for line in result.words_by_line().values():
        # A line's words in the left half (the page's reading may run the number line and
        # the date line into one).
        words = sorted((w for w in line if w.box[0] + w.box[2] < width), key=lambda w: w.box[0])
        if not words or max(w.box[3] for w in words) >= blanks.HEADER_SHARE * height:
            continue
        text = " ".join(w.text for w in words)
        opens = OPENING.match(fold(words[0].text)) is not None
        if (opens or "/" in text) and min(w.confidence for w in words) < SURE_ABOVE:
            out.append((not opens, words))
    # Lines opening like "Số:" first (sorted is stable: reading order within each).
    return [words for _, words in sorted(out, key=lambda t: t[0])][:MAX_LINES]


def reread(image: np.ndarray, result: OcrResult, read: ReadLine) -> OcrResult:
    """``result`` with its candidate lines' second readings, in page coordinates."""
    again = []
    for words in candidates(result, image.shape):
        x0, y0, x1, y1 = words_box(words)
        pad = max(2, round(PAD * (y1 - y0)))
        left, top = max(0, x0 - pad), max(0, y0 - pad)
        crop = image[top:y1 + pad, left:x1 + pad]
        if crop.size == 0:
            continue
        read_again = [Word(w.text, w.confidence, moved(w.box, left, top), words[0].line)
                      for w in read(crop)]
        if read_again:
            again.append(LineAgain((x0, y0, x1, y1), tuple(read_again)))
    result.lines_again = tuple(again)
    return result
