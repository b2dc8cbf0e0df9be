"""A word of a signer's name read unsurely ("iu" for "Siu"), read again as one word.

Tesseract's language model knows Kinh names far better than the 54 ethnic groups'
(Siu, Ksor, Lầu, Giàng): read as part of a line, an uncommon surname loses a letter
or is garbled, even when its ink is clean. Read alone as one word (``--psm 8``), as
it is and enlarged, the same ink reads right more often. Only a word of a name line
is read again: a line of the signature block with a word read surely as a name's
("Thương"). The word is replaced only when both readings agree on a capitalised
syllable or a known surname, read surely, a letter or two from the first reading; and it
stays unsure (``TAKEN_CONF``): two readings differed, and the name goes to a person.
"""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.core.model import OcrResult, Word
from pipeline.core.vi_names import capitalised_syllable, is_surname
from pipeline.ocr.crops import PAD, enlarged, padded_crop
from pipeline.ocr.notation import ReadWord

# A word read less sure than this (0–100) is read again,
UNSURE_BELOW = 50.0
# on a line with another word read at least this sure as a name's ("Thương"),
NAME_SURE = 80.0
# of at most this many words (a name; a longer line is a sentence).
MOST_WORDS = 5
# The signature block lies below this share of the page's height, right of this share
# of its width.
BELOW = 0.5
RIGHT_OF = 0.4
# Both new readings at least this sure,
READ_SURE = 70.0
# and changed by at most this many characters from the first reading.
MOST_EDITS = 2
# Readings of the word (one word, ``--psm 8``): as it is, and enlarged.
SCALES = (1.0, 1.5)
# The page and the word alone read the same ink two ways: the word taken stays this unsure
# (0–100), and the name goes to a person ("Khặăm" read again "Khăm" lost its dot below).
TAKEN_CONF = 60.0


def candidates(result: OcrResult, shape: tuple[int, ...]
               ) -> list[tuple[Word, tuple[int, int, int, int]]]:
    """The unsure words of the signature block's name lines, each with the box to read
    again; and a word there that opens with a small letter after a name's word ("Sốc na"
    for "Sóc Kha": the capital lost), with the gap before it, where that capital was."""
    height, width = shape[:2]
    lines = result.words_by_line()
    out: list[tuple[Word, tuple[int, int, int, int]]] = []
    for words in lines.values():
        if len(words) > MOST_WORDS or min(w.box[1] for w in words) < BELOW * height \
                or min(w.box[0] for w in words) < RIGHT_OF * width:
            continue
        if not any(w.confidence >= NAME_SURE and capitalised_syllable(w.text) for w in words):
            continue
        words = sorted(words, key=lambda w: w.box[0])
        for prev, w in zip([None, *words], words, strict=False):
            if w.confidence < UNSURE_BELOW and any(c.isalpha() for c in w.text):
                out.append((w, w.box))
            elif prev is not None and _trimmed(w.text)[:1].islower() \
                    and sum(c.isalpha() for c in w.text) >= 2 \
                    and _trimmed(prev.text)[:1].isupper():
                y0, y1 = min(w.box[1], prev.box[1]), max(w.box[3], prev.box[3])
                # Clear of the word before, padding and all (its last letter is no part).
                x0 = min(w.box[0], prev.box[2] + 1 + max(2, round(PAD * (y1 - y0))))
                out.append((w, (x0, y0, w.box[2], y1)))
    return out


def reread(image: np.ndarray, result: OcrResult, read: ReadWord) -> OcrResult:
    """``result`` with each candidate replaced by what it reads as one word, where the
    readings agree, are sure, are a name's word and are close to the first reading."""
    changed = {}
    for w, box in candidates(result, image.shape):
        crop = padded_crop(image, box)
        if crop.size == 0:
            continue
        readings = [read(enlarged(crop, scale), 8) for scale in SCALES]
        texts = {_trimmed(text) for text, _ in readings}
        if len(texts) != 1 or min(c for _, c in readings) < READ_SURE:
            continue
        (text,) = texts
        if not (capitalised_syllable(text) or is_surname(text)) or text == w.text \
                or Levenshtein.distance(text, _trimmed(w.text)) > MOST_EDITS:
            continue
        changed[w] = Word(text, min(TAKEN_CONF, *(c for _, c in readings)), box, w.line)
    return result.replace_words(changed)


def _trimmed(text: str) -> str:
    """``text`` without the specks a word's reading may open or close with ("»iu", "Siu'")."""
    return re.sub(r"^[\W_]+|[\W_]+$", "", text)
