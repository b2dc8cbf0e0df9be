"""A second read of lines the page's layout analysis ran across two columns; scraps out.

NĐ 30 puts two columns side by side at the top (the issuing body beside the
national motto; the number beside the place and date) and at the bottom
(the recipients beside the signature block). Tesseract's layout analysis
(``--psm 3``) often joins such pairs into one line, and then fits one text
size and one baseline to both halves: the signature block's bold capitals,
read at the small size of "Nơi nhận", lose their accents (CHÁNH VĂN PHÒNG
→ CHANH VAN PHONG), and scraps of a signature beside a line are read as
letters of it.

Each part of such a line (words apart by more than ``GAP_LINES`` line
heights) is cut out and all the parts of a page are stacked, one per row,
on one white canvas that Tesseract reads once as a block (``--psm 6``): a
page pays for one more small Tesseract run, not one per part. A part's
words are replaced by its second reading, as a line of its own; a part the
second reading finds nothing in, and whose first reading was unsure, was
not text (the strokes of a signature) and is dropped.

The same canvas carries a continuation page's number when the first pass
left it unread (a lone digit in the top margin is easily taken for a speck).

Last, ``without_scraps`` drops what the strokes of a signature or the rim of
a seal were read as: words of marks only, and short or unsure lines of no
real word on the signature block's side of the page.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.core.model import Line, OcrResult, Word, one_over_the_other
from pipeline.ocr.crops import moved

GAP_LINES = 3.0  # words further apart than this many line heights are in two columns
PAD_LINES = (0.3, 0.12)  # around each word of a part: x, y, in line heights
ROW_GAP_LINES = 1.0  # white between two rows of the canvas
REREAD_BELOW = 93.0  # a part is read again if one of its words is less sure than this
MIN_PART_CHARS = 2  # a part of fewer letters and digits, alone far out on a line, is a scrap
PUNCTUATION = set("-–—/.,;:()\"'%")  # a word of other marks only is a scrap (` ˆ ⁄ ®)
SCRAP_CONF = 60.0  # a part read as nothing the second time is dropped if its words were below this
SAME_INK = 0.5  # two words of a line overlapping side to side by this much of each read the same ink
# A line that starts right of SCRAP_RIGHT_OF of the page's width (the seal's and the
# signature's side), below the top margin, is their scrap with fewer than SCRAP_LINE_CHARS
# letters and digits, or read less surely than SCRAP_LINE_CONF without a word of 3 letters.
SCRAP_RIGHT_OF = 0.35
SCRAP_LINE_CHARS = 3
SCRAP_LINE_CONF = 70.0
# Letters read in a box smaller, each way, than this share of the page's usual word height
# are a speck's.
SPECK_WORDS = 0.25
# A page number: alone, in the top margin, about the horizontal centre, a few mm of ink.
NUMBER_TOP = 0.10  # of the page's height
NUMBER_CENTRE = 0.12  # of the page's width, either side of the centre
NUMBER_MM = ((1.0, 12.0), (2.0, 7.0))  # width range, height range
NUMBER_LOOK_DPI = 75.0

Box = tuple[int, int, int, int]
Reader = Callable[[np.ndarray], OcrResult]  # an image → its words, read as one block (psm 6)


@dataclass
class _Part:
    """A part of a two-column line (or a lost page number) and what becomes of it."""

    box: Box  # its region of the page
    line: int  # index of the first-pass line it came from, -1 for an unread page number
    words: list[int]  # indices of the first pass's words in it
    action: str  # "keep" (read surely), "drop" (a scrap), "reread"
    keep: list[Box] = field(default_factory=list)  # only this ink goes on the canvas
    canvas_y: int = -1  # where its row starts on the canvas


def split_parts(result: OcrResult, shape: tuple[int, int]) -> list[_Part]:
    """The parts of every first-pass line that spans two columns, left to right, and the
    lines of the signature block's side of the lower page (its capitals and its name lose
    their accents the same way, sized with the lines beside them)."""
    h, w = shape
    parts: list[_Part] = []
    by_line: dict[int, list[int]] = {}
    for i, word in enumerate(result.words):
        by_line.setdefault(word.line, []).append(i)
    for index, members in by_line.items():
        if len(members) < 2 or index >= len(result.lines):
            continue
        line = result.lines[index]
        height = max(1, line.box[3] - line.box[1])
        members.sort(key=lambda i: result.words[i].box[0])
        groups = [[members[0]]]
        for a, b in itertools.pairwise(members):
            if result.words[b].box[0] - result.words[a].box[2] > GAP_LINES * height:
                groups.append([])
            groups[-1].append(b)
        if len(groups) < 2 and not in_signature_block(line.box, shape):
            continue  # one column, and not the signature block's (read alone, as a part is)
        px, py = round(PAD_LINES[0] * height), round(PAD_LINES[1] * height)
        for group in groups:
            found = [result.words[i] for i in group]
            box = _union([wd.box for wd in found])
            if sum(_alnum(c) for wd in found for c in wd.text) < MIN_PART_CHARS:
                parts.append(_Part(box, index, group, "drop"))
            elif min(wd.confidence for wd in found) >= REREAD_BELOW:
                parts.append(_Part(box, index, group, "keep"))
            else:
                keep = [(max(0, b[0] - px), max(0, b[1] - py), min(w, b[2] + px), min(h, b[3] + py))
                        for b in (wd.box for wd in found)]
                parts.append(_Part(_union(keep), index, group, "reread", keep))
    return parts


def in_signature_block(box: Box, shape: tuple[int, ...]) -> bool:
    """A line starting on the signature block's side of the lower page."""
    return box[0] > SCRAP_RIGHT_OF * shape[1] and box[1] > shape[0] / 2


def unread_page_number(image: np.ndarray, words: list[Word], dpi: float) -> Box | None:
    """The box of a lone blob of ink, a page number's size, unread in the top margin's centre."""
    h, w = image.shape
    # Above the first words read (if the number was read, it is those words).
    top = min(int(NUMBER_TOP * h), min((w.box[1] for w in words), default=h) - round(dpi / 25.4))
    if top < 5 * dpi / 25.4:
        return None  # no top margin to speak of
    f = max(1, round(dpi / NUMBER_LOOK_DPI))
    band = image[:top, int((0.5 - NUMBER_CENTRE) * w): int((0.5 + NUMBER_CENTRE) * w)]
    small = cv2.resize(band, (band.shape[1] // f, band.shape[0] // f), interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.uint8)
    px_mm = dpi / f / 25.4
    k = max(1, round(1.5 * px_mm))  # digits of one number are closer than 1.5 mm
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found = []
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if x == 0 or y == 0 or x + bw >= small.shape[1]:
            continue  # touches the band's edge: a border, a streak, not a number
        (wmin, wmax), (hmin, hmax) = NUMBER_MM
        if wmin <= bw / px_mm <= wmax and hmin <= bh / px_mm <= hmax:
            found.append((x, y, bw, bh))
    if len(found) != 1:
        return None  # nothing there, or specks: not one number alone
    x, y, bw, bh = found[0]
    pad = round(2.0 * px_mm)
    x0 = int((0.5 - NUMBER_CENTRE) * w) + (int(x) - pad) * f
    # Plain ints (OpenCV's are NumPy's): the boxes end up in JSON checkpoints.
    return (max(0, x0), max(0, (int(y) - pad) * f),
            min(w, x0 + (int(bw) + 2 * pad) * f), min(top, (int(y) + int(bh) + pad) * f))


def reread(image: np.ndarray, result: OcrResult, dpi: float, read: Reader) -> OcrResult:
    """``result`` with its two-column lines read again part by part, and a lost page number."""
    parts = split_parts(result, image.shape)
    number = unread_page_number(image, result.words, dpi)
    if number is not None:
        parts.append(_Part(number, -1, [], "reread", [number]))
    if not parts:
        return result
    again = [p for p in parts if p.action == "reread"]
    second = read(_canvas(image, again)) if again else OcrResult([], [], None, 0.0)
    return _rebuild(result, parts, _read_parts(second, again))


def _canvas(image: np.ndarray, parts: list[_Part]) -> np.ndarray:
    """Every part on one white image, one per row, left-aligned, with white between rows."""
    heights = [p.box[3] - p.box[1] for p in parts]
    gap = max(8, round(ROW_GAP_LINES * max(heights)))
    width = max(p.box[2] - p.box[0] for p in parts) + 2 * gap
    canvas = np.full((sum(heights) + gap * (len(parts) + 1), width), 255, np.uint8)
    y = gap
    for part, height in zip(parts, heights):
        x0, y0 = part.box[:2]
        for a, b, c, d in part.keep:
            canvas[y + b - y0: y + d - y0, gap + a - x0: gap + c - x0] = image[b:d, a:c]
        part.canvas_y = y
        y += height + gap
    return canvas


def _read_parts(second: OcrResult, parts: list[_Part]) -> dict[int, tuple[Line, list[Word]] | None]:
    """Each re-read part's line and words, moved back onto the page (None: read as nothing).

    A canvas word belongs to the row its centre falls in; words of marks only
    (the ` ˆ ⁄ a signature's strokes make) are left out.
    """
    gap = min((p.canvas_y for p in parts), default=0)  # the canvas's left margin is its top one
    out: dict[int, tuple[Line, list[Word]] | None] = {}
    for part in parts:
        top, bottom = part.canvas_y, part.canvas_y + part.box[3] - part.box[1]
        row = [wd for wd in second.words if top <= (wd.box[1] + wd.box[3]) / 2 < bottom
               and _is_text(wd.text) and (part.line >= 0 or wd.text.isdigit())]
        row = _read_once(row)
        least = MIN_PART_CHARS if part.line >= 0 else 1
        if sum(_alnum(c) for wd in row for c in wd.text) < least:
            out[id(part)] = None
            continue
        dx, dy = part.box[0] - gap, part.box[1] - part.canvas_y
        src = second.lines[row[0].line]
        # The canvas line's box moved back: its baseline is relative to that box.
        out[id(part)] = (Line(moved(src.box, dx, dy), src.baseline, src.size),
                         [Word(wd.text, wd.confidence, moved(wd.box, dx, dy), 0) for wd in row])
    return out


def _read_once(row: list[Word]) -> list[Word]:
    """A row's words with each stretch of ink read once: Tesseract reads a faint row
    twice at times, as two lines over the same ink ("KT. CHỦ TỊCH" and "——X⁄T. CHU ỊC");
    of two words of two lines over each other the surer stays. (Within a line, a word's
    box may reach over a day written into its blank: that is no second reading.)"""
    def twice(w: Word) -> bool:
        return any(v.line != w.line and v.confidence > w.confidence
                   and one_over_the_other(w.box, v.box) for v in row)

    return sorted((w for w in row if not twice(w)), key=lambda w: w.box[0])


def _rebuild(result: OcrResult, parts: list[_Part],
             read: dict[int, tuple[Line, list[Word]] | None]) -> OcrResult:
    """New words and lines: each part of a two-column line a line of its own, in place."""
    by_line: dict[int, list[_Part]] = {}
    for part in parts:
        by_line.setdefault(part.line, []).append(part)
    members = result.words_by_line()
    words: list[Word] = []
    lines: list[Line] = []

    def add(line: Line, new: list[Word]) -> None:
        words.extend(Word(wd.text, wd.confidence, wd.box, len(lines)) for wd in new)
        lines.append(line)

    for part in by_line.get(-1, []):  # a page number comes first in reading order
        found = read.get(id(part))
        if found:
            add(*found)
    for index, line in enumerate(result.lines):
        if index not in by_line:
            if index in members:
                add(line, members[index])
            continue
        for part in by_line[index]:
            first = [result.words[i] for i in part.words]
            again = read.get(id(part))
            if part.action == "reread" and again is not None:
                add(*again)
            elif part.action == "keep" or (
                part.action == "reread" and sum(wd.confidence for wd in first) / len(first) >= SCRAP_CONF
            ):
                add(_part_of(line, part.box), first)
    return OcrResult.of(words, lines, result.seconds)


def _part_of(line: Line, box: Box) -> Line:
    """The stretch of ``line`` under ``box``: its baseline offset moved to the new left edge."""
    slope, offset = line.baseline
    return Line((box[0], line.box[1], box[2], line.box[3]),
                (slope, offset + slope * (box[0] - line.box[0])), line.size)


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def read_once(result: OcrResult) -> OcrResult:
    """``result`` with each stretch of a line's ink read once. Tesseract reads a line a
    rule is drawn under twice at times, in one line: "THẦNH HỔ SÓC TRĂNG" with "PHÔ SÓC"
    (their boxes swelled down to the rule) over "HỔ SÓC". Of two words of two letters or
    more that each lie half or more over the other, side to side, the surer stays. (A word
    whose box swelled over its neighbour, "HÒA" over "XÃ", is not that; nor is a digit: a
    word's box may reach over a day written into its blank.)"""
    def letters(w: Word) -> bool:
        return sum(c.isalpha() for c in w.text) >= 2

    def same_ink(a: Word, b: Word) -> bool:
        across = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
        down = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
        return down > 0 and across >= SAME_INK * max(a.box[2] - a.box[0], b.box[2] - b.box[0])

    lines = result.words_by_line()

    def twice(w: Word) -> bool:
        return letters(w) and any(
            v is not w and letters(v) and same_ink(w, v)
            and (v.confidence, v.box) > (w.confidence, w.box) for v in lines[w.line])

    words = [w for w in result.words if not twice(w)]
    if len(words) == len(result.words):
        return result
    return OcrResult.of(words, result.lines, result.seconds)


def without_scraps(result: OcrResult, shape: tuple[int, int]) -> OcrResult:
    """``result`` without what the strokes of a seal or a signature were read as.

    Words of marks only (not letters, digits or punctuation: ⁄ ˆ ` ^ ~) go, and
    so do letters read in a speck (``SPECK_WORDS``) and scrap lines (``_scrap_line``)
    that start in the signature block's column, below the top margin (a paragraph's
    last word, "vụ.", starts at the left margin; a page number, "2", at the top).
    """
    height, width = shape
    heights = sorted(w.box[3] - w.box[1] for w in result.words)
    speck = SPECK_WORDS * heights[len(heights) // 2] if heights else 0.0
    kept_lines: list[Line] = []
    words: list[Word] = []
    for index, line in enumerate(result.lines):
        line_words = [w for w in result.words if w.line == index and _is_text(w.text)
                      and not _speck(w, speck)]
        if not line_words or (line.box[1] > NUMBER_TOP * height and line.box[0] > SCRAP_RIGHT_OF * width
                              and _scrap_line(line_words)):
            continue
        words.extend(Word(w.text, w.confidence, w.box, len(kept_lines)) for w in line_words)
        kept_lines.append(line)
    if len(words) == len(result.words):
        return result
    return OcrResult.of(words, kept_lines, result.seconds)


def _speck(word: Word, size: float) -> bool:
    """A letter or digit read in a box smaller than ``size`` each way (a "Q" two pixels
    wide, in a seal's rim): no letter is so small."""
    x0, y0, x1, y1 = word.box
    return any(_alnum(c) for c in word.text) and max(x1 - x0, y1 - y0) < size


def _scrap_line(words: list[Word]) -> bool:
    """Fewer than ``SCRAP_LINE_CHARS`` letters and digits; or, read unsurely, not one
    word of three letters ("¿22 N3", "x. mm"; a name has one: "Lê Văn An")."""
    if sum(_alnum(c) for w in words for c in w.text) < SCRAP_LINE_CHARS:
        return True
    unsure = sum(w.confidence for w in words) / len(words) < SCRAP_LINE_CONF
    return unsure and not any(sum(_alnum(c) and not c.isdigit() for c in w.text) >= 3 for w in words)


def _is_text(text: str) -> bool:
    return any(_alnum(c) for c in text) or all(c in PUNCTUATION for c in text)


def _alnum(c: str) -> bool:
    """A letter or digit; not a modifier letter (ˆ ˇ ˜ are what a stroke's tip is read as)."""
    return c.isalnum() and unicodedata.category(c) != "Lm"
