"""A header's notation ("/CV-PA83") read with a character no notation has, read again alone.

An NĐ 30 notation is abbreviations of unaccented capitals, Đ and digits joined by
dashes. In a full page Tesseract's language model now and then reads such a
word's digit as a symbol ("/CV-PAS§3" for "/CV-PA83"); read on its own, one line
and one word, the same ink reads right. The word is replaced only when both of
those readings agree, use a notation's characters only, and differ little from
the first reading: a reading of other ink is no correction.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.core.model import OcrResult, Word
from pipeline.ocr import blanks
from pipeline.ocr.crops import padded_crop

# A notation, slash first, as it may be printed (a year before it: "/2025/NQ-HĐND").
NOTATION = re.compile(r"/(?:[A-Za-zĐđ0-9]+[-/])*[A-Za-zĐđ0-9]+")
# Readings: one line, one word.
MODES = (7, 8)
# Characters changed, at most, from the first reading to the one taken.
MOST_EDITS = 2

ReadWord = Callable[[np.ndarray, int], tuple[str, float]]  # (crop, psm) → (text, confidence)


def candidates(result: OcrResult, height: int) -> list[Word]:
    """The header's words that follow a number (or "Số:") and open with a slash, but hold a
    character no notation has."""
    words = [w for w in result.words if w.box[3] < blanks.HEADER_SHARE * height]
    out = []
    for prev, w in zip(words, words[1:], strict=False):
        if prev.line != w.line or not w.text.startswith("/"):
            continue
        if blanks.before_notation(prev.text) and NOTATION.fullmatch(_trimmed(w.text)) is None:
            out.append(w)
    # "Số: 115/CV-PAS§3": the number and the notation read as one word.
    for w in words:
        if re.match(r"\d+/", w.text) and NOTATION.fullmatch(_trimmed(w.text[w.text.index("/"):])) is None:
            out.append(w)
    return out


def reread(image: np.ndarray, result: OcrResult, read: ReadWord) -> OcrResult:
    """``result`` with each candidate notation replaced by what it reads alone, where the
    readings agree and are a notation close to the first reading."""
    changed = {}
    for w in candidates(result, image.shape[0]):
        crop = padded_crop(image, w.box)
        if crop.size == 0:
            continue
        readings = [read(crop, psm) for psm in MODES]
        texts = {_trimmed(text) for text, _ in readings}
        if len(texts) != 1:
            continue
        (text,) = texts
        head = w.text[:w.text.index("/")] if not w.text.startswith("/") else ""
        if head and not text.startswith(head):
            continue
        notation = text[len(head):]
        if NOTATION.fullmatch(notation) is None \
                or Levenshtein.distance(text, _trimmed(w.text)) > MOST_EDITS:
            continue
        changed[w] = Word(text, min(c for _, c in readings), w.box, w.line)
    return result.replace_words(changed)


def _trimmed(text: str) -> str:
    """``text`` without the specks a word's reading may open or close with ("_/CV-PA83.")."""
    text = re.sub(r"^[_\-.,'`‘’]+(?=[/\d])", "", text)
    return re.sub(r"[.,;:'`]+$", "", text)
