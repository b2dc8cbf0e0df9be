"""A signing-authority prefix read unsurely ("TM" for "T/M"), read again on its line alone.

The signature block's authority lines open with a short prefix: "TM.", "KT.", "TL.",
"TUQ.", "Q." (and, before 2004, "T/M", "K/T", "T/L"). They are no words, and in a
full page Tesseract's language model reads them unsurely, the old ones' slash as
nothing ("TM" for "T/M") or as specks. Read with its line alone (as one line, as it
is and enlarged), the same ink reads right more often. The prefix is replaced only
when both readings agree, are a prefix, and differ little from the first reading.
"""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.core.model import OcrResult, Word
from pipeline.ocr.crops import enlarged, padded_crop
from pipeline.ocr.notation import ReadWord

PREFIX = re.compile(r"(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\.?")
# A prefix read at least this sure (0–100) is left as read.
SURE_ABOVE = 60.0
# The word after it, a capital's word of the authority's body or title, read this sure.
BODY_SURE = 80.0
# The signature block lies below this share of the page's height, right of this share
# of its width.
BELOW = 0.3
RIGHT_OF = 0.4
# Characters changed, at most, from the first reading to the one taken.
MOST_EDITS = 2
# Readings of the line (one line, ``--psm 7``): as it is, and enlarged.
SCALES = (1.0, 1.5)


def candidates(result: OcrResult, shape: tuple[int, ...]) -> list[tuple[Word, list[Word]]]:
    """Each unsure short word opening a line of the signature block before a sure word
    of capitals, with its line's words."""
    height, width = shape[:2]
    lines = result.words_by_line()
    out = []
    for words in lines.values():
        words = sorted(words, key=lambda w: w.box[0])
        first = words[0]
        if len(words) < 2 or first.box[1] < BELOW * height or first.box[0] < RIGHT_OF * width:
            continue
        body = words[1]
        if first.confidence < SURE_ABOVE and len(first.text) <= 5 \
                and body.confidence >= BODY_SURE and body.text.isupper() and len(body.text) >= 2:
            out.append((first, words))
    return out


def reread(image: np.ndarray, result: OcrResult, read: ReadWord) -> OcrResult:
    """``result`` with each candidate prefix replaced by what its line alone reads there,
    where the readings agree and are a prefix close to the first reading."""
    changed = {}
    for w, line in candidates(result, image.shape):
        box = (w.box[0], min(n.box[1] for n in line), max(n.box[2] for n in line),
               max(n.box[3] for n in line))
        crop = padded_crop(image, box)
        if crop.size == 0:
            continue
        readings = [read(enlarged(crop, scale), 7) for scale in SCALES]
        texts = {_trimmed(text.split(" ", 1)[0]) for text, _ in readings}
        if len(texts) != 1:
            continue
        (text,) = texts
        if PREFIX.fullmatch(text) is None or text == w.text \
                or Levenshtein.distance(text, _trimmed(w.text)) > MOST_EDITS:
            continue
        changed[w] = Word(text, min(c for _, c in readings), w.box, w.line)
    return result.replace_words(changed)


def _trimmed(text: str) -> str:
    """``text`` without the specks a reading of the line may open it with ("_T/M", "„KT")."""
    return re.sub(r"^[_\-.,'`‘’„\"“”]+", "", text)
