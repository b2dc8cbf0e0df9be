"""A name's tone mark stacked over a circumflex, breve or horn, read again on its line alone.

NĐ 30 sets the signer's name in bold, and a syllable such as "Tuấn" or "Trần"
carries two marks one above the other. Reading the whole page, Tesseract
now and then fits the line's height without the upper one and reads the
word surely without its tone ("Trân Hoàng Tuân"); read on its own with room
above it, the same line keeps its marks. So the signature block's lines
holding a name-like word with a bare â, ê, ô, ă, ơ or ư are read again
alone (``--psm 7``), and a word's second reading is taken only where it is
the first with a tone mark added: no letter changes, no mark goes. The two
readings differ, so the word is left unsure (``MARK_ADDED``): the name goes to
review.

A tone mark read surely and wrongly ("Chữ" for a printed "Chứ", "Điễm" for "Diễm") is
not caught so: the page's model reads the line alone the same way. The name's line is
read once more by another model, Tesseract's Vietnamese-script network (``CHECK_MODEL``,
trained apart from ``vie``), and a word the two read with the same letters but other
marks is left unsure (``MARKS_DIFFER``; ``check``): which is right, a person decides.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pipeline._exec import tesseract
from pipeline.core.model import OcrResult, Word
from pipeline.core.vi_names import capitalised_syllable
from pipeline.core.vi_text import TONE_MARKS, VOWEL_MARKS, fold, untoned
from pipeline.ocr import columns
from pipeline.ocr.crops import words_box

# Room kept round the line, in line heights: above for the stacked marks.
PAD_ABOVE = 0.6
PAD_BELOW = 0.3
PAD_SIDE = 0.3
MAX_LINES = 4  # lines read again per page, lowest first (the name is the block's last)
# A word's confidence (0–100) once a mark is taken from its second reading: the two readings
# differ, and a signature's stroke over the line could be read as a mark, so a person checks.
MARK_ADDED = 60.0

# The second reader of the signer's name (Debian: tesseract-ocr-script-viet).
CHECK_MODEL = "Vietnamese"
# A name's word the two models read with other marks: this sure at most (0–100), so that
# the name, no surer than its least sure word and a little (``NAME_WORD_SLACK``), is for
# review.
MARKS_DIFFER = 50.0


def check_model(tessdata_dir: Path | None) -> Path | None:
    """The second reader's model file, when installed (without it, ``check`` is left out)."""
    path = tesseract.model_folder(tessdata_dir) / f"{CHECK_MODEL}.traineddata"
    return path if path.is_file() else None


ReadLine = Callable[[np.ndarray], list[Word]]  # a line's crop → its words (psm 7)


def _bare_stacking(word: str) -> bool:
    """A syllable with a circumflex, breve or horn and no tone mark at all."""
    marks = set(unicodedata.normalize("NFD", word))
    return bool(marks & VOWEL_MARKS) and not marks & TONE_MARKS


def _toned(first: str, second: str) -> bool:
    """``second`` is ``first`` with a tone mark on its circumflex, breve or horn vowel."""
    return _bare_stacking(first) and second != first and untoned(second) == first


def candidate_lines(result: OcrResult, shape: tuple[int, ...]) -> list[list[Word]]:
    """The signature block's lines with a name-like word that may have lost a stacked
    tone mark; lowest first."""
    lines = result.words_by_line()
    out = []
    for words in lines.values():
        words.sort(key=lambda w: w.box[0])
        if not columns.in_signature_block(words[0].box, shape):
            continue
        if any(capitalised_syllable(w.text) and _bare_stacking(w.text) for w in words):
            out.append(words)
    out.sort(key=lambda ws: -ws[0].box[3])
    return out[:MAX_LINES]


def _crop(image: np.ndarray, words: list[Word]) -> np.ndarray:
    x0, y0, x1, y1 = words_box(words)
    size = y1 - y0
    return image[max(0, y0 - round(PAD_ABOVE * size)):y1 + round(PAD_BELOW * size),
                 max(0, x0 - round(PAD_SIDE * size)):x1 + round(PAD_SIDE * size)]


def name_line(result: OcrResult, shape: tuple[int, ...]) -> list[Word] | None:
    """The signature block's lowest line with two capitalised syllables: the signer's
    name, as NĐ 30 sets it under the signature."""
    lines = [sorted(ws, key=lambda w: w.box[0]) for ws in result.words_by_line().values()]
    named = [ws for ws in lines if columns.in_signature_block(ws[0].box, shape)
             and sum(capitalised_syllable(w.text) for w in ws) >= 2]
    return max(named, key=lambda ws: ws[0].box[3], default=None)


def check(image: np.ndarray, result: OcrResult, read: ReadLine) -> OcrResult:
    """``result`` with the signer's name's words that ``read`` (another model, the line
    alone) reads with the same letters and other marks left unsure."""
    words = name_line(result, image.shape)
    if words is None:
        return result
    again = read(_crop(image, words))
    ours, theirs = [fold(w.text) for w in words], [fold(w.text) for w in again]
    changed = {}
    # Word for word where the letters agree: a word the other model reads as other letters
    # says nothing of the marks.
    for block in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            first, second = words[block.a + k], again[block.b + k]
            if first.text.lower() != second.text.lower() and first.confidence > MARKS_DIFFER:
                changed[first] = Word(first.text, MARKS_DIFFER, first.box, first.line)
    return result.replace_words(changed)


def reread(image: np.ndarray, result: OcrResult, read: ReadLine) -> OcrResult:
    """``result`` with the tone marks its candidate lines' words gained read alone."""
    changed: dict[Word, Word] = {}
    for words in candidate_lines(result, image.shape):
        again = read(_crop(image, words))
        if [untoned(w.text) for w in again] != [untoned(w.text) for w in words]:
            continue  # another reading of the line, not the same with its marks
        for first, second in zip(words, again, strict=True):
            if _toned(first.text, second.text):
                changed[first] = Word(second.text, min(first.confidence, second.confidence,
                                                       MARK_ADDED), first.box, first.line)
    return result.replace_words(changed)
