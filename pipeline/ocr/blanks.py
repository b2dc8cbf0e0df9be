"""A number or a day written by hand into a printed blank, read again digits only.

NĐ 30 headers print "Số:      /QĐ-UBND" and "ngày    tháng 02 năm 2025" and the
blanks are filled in by hand or by a numbering stamp when the document is
issued. Tesseract's ``vie`` model reads that ink unsurely, and sometimes as
letters ("9O", "„đ4|"). Each unsure word in such a blank is read again with
only digits allowed, two ways (one line, one word) at two sizes; the reading
is offered to the extraction when every one of the four that read digits reads
the same, two at least (as many digits as the word had characters, unless all
four read). Where they do not, or where Tesseract found no word in the blank at
all, the ink is read by the handwritten-digit networks (``handdigits``), and
offered when they are sure of every digit. The extraction still decides, and
flags what it takes this way for a person to check.

A day or a month the page read surely is read once more as one word, digits only, at
both sizes (``sure_dates``): some faces' 8 the page's reading takes for a 6, surely.
Where both agree on other digits, that reading is offered as a check: the extraction
keeps the page's reading and, the two disagreeing, sends the date to a person (one word
alone misreads too: a 5 as an 8).

The date line's year is printed, but some faces' thin strokes the page's reading takes
apart or loses ("20235", "202-" for a printed 2025, 2024; "2035", surely). It is read
again the same four ways (``years``), and where three of them give the same four digits
other than the page's, that reading is offered; the extraction takes it, for a person to
check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from pipeline.core.model import OcrResult, Reread, Word
from pipeline.core.vi_text import DAY_WORD, MONTH_WORD, YEAR_WORD, fold
from pipeline.ocr import handdigits
from pipeline.ocr.crops import enlarged

# Words above this share of the page's height are the header's.
HEADER_SHARE = 0.35
# A word read at least this sure (0–100) is left as read.
SURE_ABOVE = 85.0
# Readings: page segmentation mode × enlargement.
MODES = (7, 8)
SCALES = (1.0, 1.5)
DIGITS = "0123456789:"
# Readings of a year that must give the same four digits (of ``len(MODES) * len(SCALES)``):
# one alone misreads a thin-stroked face as the page's reading does.
YEAR_AGREE = 3
# A day or month read surely is read once more this way (one word): in a face whose 8
# Tesseract's page reading takes for a 6, one word alone reads it right.
CHECK_MODE = 8
# Readings that must give the same digits, the others giving none.
AGREE_AT_LEAST = 2
# The handwritten-digit network's reading is offered when every digit is this likely,
HAND_SURE = 0.8
# and as a guess (``Reread.guess``) when every digit is this likely. On numbers drawn in
# faces the networks never learnt from (``scripts/hand_guess_calibration.py``), readings
# whose least likely digit is at 0.4–0.5 are right 70 % of the time, at 0.5–0.8 88 %; the
# few under 0.4, half the time: a coin's toss is no value to offer.
HAND_GUESS = 0.4
# Handwriting rises above and falls below the printed line: the blank's crop reaches
# this many line heights past it, and further when nothing is read at that height
# (a digit written tall is cut by the crop).
HAND_RISES = (0.7, 1.3)
# A document's number has five digits at most.
NUMBER_MOST = 99999
# A gap after "Số:" or "ngày" this many line heights wide is a blank Tesseract found
# no word in.
EMPTY_BLANK_LINES = 0.8

# A slash's width, in line heights, at most.
SLASH_LINES = 0.35

ReadDigits = Callable[[np.ndarray, int, float], str]  # (crop, psm, enlargement) → text

# The "Số:" label, folded and as Tesseract reads it ("so:", "s.o", "so:209").
LABEL = re.compile(r"s\W*o")
# A notation read without its slash ("TTr-UBND", "TIT-UBND": a thin slash is lost now and
# then), or without its hyphen too ("QĐUBND"): capitals, a hyphen or none, capitals.
NOTATION = re.compile(r"[A-ZĐ][A-Za-zĐđ]{0,5}-?[A-ZĐ]{2}")


def before_notation(text: str) -> bool:
    """A word a header's "/notation" may follow: a number, or the "Số:" label."""
    key = fold(text)
    return bool(re.search(r"\d", key) or LABEL.match(key))


def candidates(result: OcrResult, height: int) -> list[Word]:
    """Unsure words where the header's blanks are: the number before "/notation" (a word
    of its own), the day between "ngày" and "tháng", and a month between "tháng" and
    "năm" (written by hand too, now and then)."""
    words = [w for w in result.words if w.box[3] < HEADER_SHARE * height]
    out: list[Word] = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or nxt.line != w.line:
            continue
        key, after = fold(w.text), fold(nxt.text)
        prev = fold(words[i - 1].text) if i else ""
        # The number before "/notation", or between the label and a notation whose slash
        # went unread with it ("Số: øz QĐ-UBND").
        number = (after.startswith("/") and (before_notation(w.text) or LABEL.match(prev))) \
            or (LABEL.match(prev) is not None and LABEL.match(key) is None
                and re.search(r"\d", key) is None and NOTATION.match(nxt.text) is not None)
        most = _date_blank(prev, after)
        date = most is not None and len(w.text) <= (6 if most == 31 else 4)
        # Read surely, but no number: "Số:..." (the label and the blank's dots, the ink over
        # them unread), "z7" (a written 21: letters are no number), a month "0%"; or no day
        # or month there is ("32" for a written 22).
        misread = (number and (re.fullmatch(r"s\W*o\W*[:;]\W*[.…_]{2,}", key) is not None
                               or (not LABEL.match(key) and re.fullmatch(r"\d+", key) is None))) \
            or (most is not None and date and not _within(w.text, most))
        if (number or date) and (w.confidence < SURE_ABOVE or misread):
            out.append(w)
    return out


def sure_dates(result: OcrResult, height: int) -> list[tuple[Word, int]]:
    """The header's day and month read surely as a day and a month, each with the most it
    can be (31, 12): checked once more, as one word, for a digit misread the same way all
    over a face ("08" read "06")."""
    words = [w for w in result.words if w.box[3] < HEADER_SHARE * height]
    out = []
    for prev, w, nxt in zip(words, words[1:], words[2:], strict=False):
        if not (prev.line == w.line == nxt.line and w.confidence >= SURE_ABOVE):
            continue
        most = _date_blank(fold(prev.text), fold(nxt.text))
        if most is not None and _within(fold(w.text), most):
            out.append((w, most))
    return out


def years(result: OcrResult, height: int) -> list[tuple[Word, tuple[int, int, int, int]]]:
    """The header date line's year ("ngày … tháng … năm 2025"), each with the box to read
    it again in: a line height more on the right, up to the next word, where a last digit
    the page's reading lost may be."""
    words = [w for w in result.words if w.box[3] < HEADER_SHARE * height]
    out = []
    for i, w in enumerate(words):
        if i == 0 or not re.search(r"\d", w.text):
            continue
        before = [fold(n.text) for n in words[:i] if n.line == w.line]
        if not (before and re.fullmatch(YEAR_WORD + r"\W*", before[-1])
                and any(re.fullmatch(DAY_WORD, k) for k in before)):
            continue
        nxt = words[i + 1] if i + 1 < len(words) and words[i + 1].line == w.line else None
        x0, y0, x1, y1 = w.box
        right = x1 + (y1 - y0) if nxt is None else min(x1 + (y1 - y0), nxt.box[0] - 1)
        out.append((w, (x0, y0, max(x1, right), y1)))
    return out


def _date_blank(before: str, after: str) -> int | None:
    """The most the blank between two folded words takes: 31 between "ngày" and "tháng"
    (the day), 12 between "tháng" and "năm" (the month); None for any other pair."""
    if re.fullmatch(DAY_WORD, before) and re.match(MONTH_WORD, after):
        return 31
    if re.fullmatch(MONTH_WORD, before) and after.startswith("nam"):
        return 12
    return None


def _within(text: str, most: int) -> bool:
    """One or two digits, from 1 to ``most``: a day or a month as it can be."""
    return re.fullmatch(r"[0-9]{1,2}", text) is not None and 1 <= int(text) <= most


def empty_blanks(result: OcrResult, height: int) -> list[tuple[tuple[int, int, int, int], int]]:
    """The header's blanks Tesseract read no word in: a gap after a sure "Số:" before the
    "/notation" (or the notation, its slash lost), between "ngày" and "tháng", or "tháng"
    and "năm"; each box with the largest number it takes."""
    words = [w for w in result.words if w.box[3] < HEADER_SHARE * height]
    out = []
    for w, nxt in zip(words, words[1:], strict=False):
        if nxt.line != w.line:
            continue
        key, after = fold(w.text), fold(nxt.text)
        if re.fullmatch(r"s\W*o\W*", key) and (after.startswith("/") or NOTATION.match(nxt.text)):
            most = NUMBER_MOST
        elif (date := _date_blank(key, after)) is not None:
            most = date
        else:
            continue
        line = max(w.box[3], nxt.box[3]) - min(w.box[1], nxt.box[1])
        if nxt.box[0] - w.box[2] >= EMPTY_BLANK_LINES * line:
            # A notation read without its slash leaves the slash in the gap, where it would
            # be read as a last digit 1.
            end = nxt.box[0] - 1 - (round(SLASH_LINES * line) if most == NUMBER_MOST
                                    and not after.startswith("/") else 0)
            box = (w.box[2] + 1, min(w.box[1], nxt.box[1]), end, max(w.box[3], nxt.box[3]))
            out.append((box, most))
    return out


def reread(image: np.ndarray, result: OcrResult, read: ReadDigits,
           header_ink: np.ndarray | None = None) -> list[Reread]:
    """Every candidate blank the digits-only readings agree on or the handwriting network
    is sure of, unless the two give different numbers. ``header_ink``, the page's top with
    coloured ink kept (``Prepared.header_ink``), is read where it reaches."""
    found = []
    for w in candidates(result, image.shape[0]):
        pad = max(2, (w.box[3] - w.box[1]) // 2)
        crop = _crop(image, header_ink, w.box, pad, pad)
        if crop.size == 0:
            continue
        readings = []
        for psm in MODES:
            for scale in SCALES:
                big = enlarged(crop, scale)
                # "Số:209" read as "86:209": what precedes a colon is the printed label.
                readings.append(read(big, psm, scale).strip().rsplit(":", 1)[-1])
        # A reading that found nothing (one line mode on a short crop often does) is no
        # vote against the others; two at least must have read the same digits, and as
        # many as the word has characters (fewer readings, less said: "{Xƒ" read as "4"
        # lost ink).
        said = [r for r in readings if r]
        (digits,) = set(said) if len(set(said)) == 1 and len(said) >= AGREE_AT_LEAST else (None,)
        if digits is not None and len(said) < len(readings) and len(digits) != len(w.text):
            digits = None
        if digits is not None and not re.fullmatch(r"\d{1,5}", digits):
            digits = None
        labelled = LABEL.match(fold(w.text)) is not None
        hand = _by_hand(image, header_ink, _blank_box(w, result), labelled, _most(w, result))
        if digits is not None:
            # Two readers that disagree leave the blank to a person; a guess is no vote.
            if hand is None or hand.guess is not None or hand.digits == digits:
                found.append(Reread(w.box, digits))
            elif len(said) < len(readings) and digits in hand.digits:
                # Fewer readings, fewer digits: Tesseract lost ink the network is sure of
                # ("1" of a written "11"). Offered as a guess, for a person to check.
                found.append(replace(hand, box=w.box, guess=HAND_SURE))
        elif hand is not None:
            found.append(replace(hand, box=w.box))
    for w, most in sure_dates(result, image.shape[0]):
        # One word, digits only, at both sizes: where they agree on other digits, the day
        # is doubtful; the extraction keeps the page's reading and sends it to a person.
        pad = max(2, (w.box[3] - w.box[1]) // 2)
        crop = _crop(image, None, w.box, pad, pad)
        if crop.size == 0:
            continue
        checks = {read(enlarged(crop, scale), CHECK_MODE, scale).strip(":") for scale in SCALES}
        (check,) = checks if len(checks) == 1 else ("",)
        if check != w.text and _within(check, most):
            found.append(Reread(w.box, check))
    for w, box in years(result, image.shape[0]):
        pad = max(2, (box[3] - box[1]) // 2)
        crop = _crop(image, None, box, pad, pad)
        if crop.size == 0:
            continue
        readings = [read(enlarged(crop, scale), psm, scale).strip(":")
                    for psm in MODES for scale in SCALES]
        agreed = [r for r in set(readings)
                  if re.fullmatch(r"\d{4}", r) and readings.count(r) >= YEAR_AGREE]
        if agreed and agreed[0] != w.text.strip(".,;"):
            found.append(Reread(w.box, agreed[0]))
    for box, most in empty_blanks(result, image.shape[0]):
        hand = _by_hand(image, header_ink, box, False, most)
        if hand is not None:
            found.append(replace(hand, box=box))
    return found


def _blank_box(w: Word, result: OcrResult) -> tuple[int, int, int, int]:
    """The whole blank ``w`` was read in: from the printed word before it ("Số:", "ngày")
    to the one after it ("/QĐ-UBND", "tháng"); Tesseract's box may hold only part of
    the handwriting."""
    line = sorted((n for n in result.words if n.line == w.line), key=lambda n: n.box[0])
    i = line.index(w)
    x0 = line[i - 1].box[2] + 1 if i > 0 else w.box[0]
    x1 = line[i + 1].box[0] - 1 if i + 1 < len(line) else w.box[2]
    x0, x1 = min(x0, w.box[0]), max(x1, w.box[2])
    near = line[max(0, i - 1):i + 2]  # the printed words' height, not what was read of the ink
    return (x0, min(n.box[1] for n in near), x1, max(n.box[3] for n in near))


def _most(w: Word, result: OcrResult) -> int:
    """The largest number the blank ``w`` was read in takes: a document's number before
    its "/notation", a day or a month between the date's words (31 where they are not
    read)."""
    line = sorted((n for n in result.words if n.line == w.line), key=lambda n: n.box[0])
    i = line.index(w)
    after = fold(line[i + 1].text) if i + 1 < len(line) else ""
    if after.startswith("/"):
        return NUMBER_MOST
    most = _date_blank(fold(line[i - 1].text) if i else "", after)
    return 31 if most is None else most


def _crop(image: np.ndarray, header_ink: np.ndarray | None, box: tuple[int, int, int, int],
          pad_x: int, pad_y: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    source = header_ink if header_ink is not None and y1 + pad_y <= header_ink.shape[0] else image
    return source[max(0, y0 - pad_y):y1 + pad_y, max(0, x0 - pad_x):x1 + pad_x]


def _by_hand(image: np.ndarray, header_ink: np.ndarray | None, box: tuple[int, int, int, int],
             labelled: bool, most: int) -> Reread | None:
    """The blank's digits as the handwriting network reads them (and a day is one of a
    month's): when it is sure of each, or, a guess, when each is likely enough."""
    for rise in HAND_RISES:
        # The box runs from the printed word before the blank to the one after: no margin
        # sideways, or their letters' strokes would be taken for digits.
        pad = max(2, round(rise * (box[3] - box[1])))
        crop = _crop(image, header_ink, box, 0, pad)
        if crop.size == 0:
            return None
        top = min(pad, box[1])  # the printed line's rows in the crop
        read = handdigits.read_blank(crop, HAND_SURE, after_label=labelled, most=most,
                                     line=(top, top + box[3] - box[1]))
        if read is not None:
            break
    if read is None or read.probability < HAND_GUESS:
        return None
    guess = None if read.probability >= HAND_SURE else round(float(read.probability), 3)
    return Reread(box, read.digits, guess)
