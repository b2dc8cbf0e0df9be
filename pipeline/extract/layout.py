"""Where things are on a page: OCR words regrouped into rows and segments.

Tesseract's lines sometimes run across both header columns ("ỦY BAN NHÂN
DÂN … CỘNG HÒA XÃ HỘI …") or across "Nơi nhận" and the signature block.
Here words are regrouped into visual rows and each row is cut wherever a
horizontal gap is far wider than a word space, so that every ``Segment`` is
one column's piece of one line.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.core.model import LineAgain, OcrResult, Reread, SurnameMatch, Word
from pipeline.core.vi_text import clean, fold, letters, upper_ratio
from pipeline.extract.params import (
    A4_LEFT_MARGIN_MM,
    A4_RIGHT_MARGIN_MM,
    A4_WIDTH_MM,
    COLUMN_GAP,
    EM_FALLBACK_LINES_PER_PAGE,
    EM_FALLBACK_MIN_PX,
    EM_LINE_MIN_WORDS,
    EM_PER_WORD_HEIGHT,
    OVERLAY_ALIGN_EM,
    OVERLAY_BOX_EM,
    OVERLAY_LINE_GAP_EM,
    OVERLAY_MAX_WIDTH_EM,
    OVERLAY_SIZE_RATIO,
    SAME_LINE_EM,
    TEXT_BLOCK_LINE_MIN_LETTERS,
    TEXT_BLOCK_LINE_MIN_WIDTH,
    TEXT_BLOCK_MIN_LINES,
)


@dataclass
class Segment:
    words: list[Word]
    size: float  # Tesseract's estimate of the line's text size (≈ 1 em), px
    x0: int = field(init=False)
    y0: int = field(init=False)
    x1: int = field(init=False)
    y1: int = field(init=False)

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: w.box[0])
        self.x0 = min(w.box[0] for w in self.words)
        self.y0 = min(w.box[1] for w in self.words)
        self.x1 = max(w.box[2] for w in self.words)
        self.y1 = max(w.box[3] for w in self.words)

    @cached_property
    def text(self) -> str:
        return clean(" ".join(w.text for w in self.words))

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @cached_property
    def cy(self) -> float:
        """Middle of the words' bottoms and tops, robust to a tall accent or a descender."""
        return (statistics.median(w.box[1] for w in self.words)
                + statistics.median(w.box[3] for w in self.words)) / 2

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @cached_property
    def confidence(self) -> float:
        """Mean word confidence, 0..1, weighted by word length."""
        total = sum(max(1, len(w.text)) for w in self.words)
        return sum(w.confidence * max(1, len(w.text)) for w in self.words) / total / 100.0

    @cached_property
    def n_letters(self) -> int:
        return len(letters(self.text))

    @cached_property
    def caps(self) -> float:
        return upper_ratio(self.text)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Seg({self.x0},{self.y0},{self.x1},{self.y1} {self.text!r})"


def _band(words: list[Word]) -> tuple[float, float]:
    return (statistics.median(w.box[1] for w in words),
            statistics.median(w.box[3] for w in words))


def _word_height(words: list[Word]) -> float:
    return statistics.median(w.box[3] - w.box[1] for w in words)


def segments(result: OcrResult) -> list[Segment]:
    """The page's words as segments, top to bottom, left to right."""
    by_line: dict[int, list[Word]] = {}
    for w in result.words:
        if w.text.strip():
            by_line.setdefault(w.line, []).append(w)
    sizes = {i: ln.size for i, ln in enumerate(result.lines)}
    units = sorted(by_line.items(), key=lambda kv: statistics.median(w.box[3] for w in kv[1]))

    # Rows: Tesseract lines at the same height that do not overlap sideways. Two
    # lines share a row when the middle bands of their words (median top to
    # median bottom) overlap by half the narrower band.
    rows: list[tuple[list[Word], float]] = []
    for idx, words in units:
        top, bottom = _band(words)
        height = _word_height(words)
        x0, x1 = min(w.box[0] for w in words), max(w.box[2] for w in words)
        size = sizes.get(idx, height * EM_PER_WORD_HEIGHT)
        for k, (row_words, row_size) in enumerate(rows):
            rt, rb = _band(row_words)
            overlap = min(bottom, rb) - max(top, rt)
            if overlap < 0.5 * min(bottom - top, rb - rt):
                continue
            if any(not (x1 <= w.box[0] or w.box[2] <= x0) for w in row_words):
                continue
            rows[k] = (row_words + words, max(row_size, size))
            break
        else:
            rows.append((list(words), size))

    out: list[Segment] = []
    for row_words, size in rows:
        row_words.sort(key=lambda w: w.box[0])
        height = _word_height(row_words)
        current = [row_words[0]]
        right = row_words[0].box[2]  # a word may sit inside the one before ("Tạ" ⊃ "-")
        for w in row_words[1:]:
            if w.box[0] - right > COLUMN_GAP * height:
                out.append(Segment(current, size))
                current = []
            current.append(w)
            right = max(right, w.box[2])
        out.append(Segment(current, size))
    out.sort(key=lambda s: (s.cy, s.x0))
    return out


@dataclass
class Page:
    """One OCR'd page: its segments and the text block's extent."""

    segments: list[Segment]
    width: int
    height: int
    em: float  # typical text size in px
    text_x0: float
    text_x1: float
    surnames: list[SurnameMatch] = field(default_factory=list)  # read by shape (OCR)
    # Unsure words of the header's blanks read again digits only (OCR): box → digits.
    rereads: dict[tuple[int, int, int, int], Reread] = field(default_factory=dict)
    # Header lines read unsurely, read again alone (OCR), beside the page's reading.
    lines_again: tuple[LineAgain, ...] = ()

    @property
    def text_w(self) -> float:
        return self.text_x1 - self.text_x0

    @property
    def text_cx(self) -> float:
        return (self.text_x0 + self.text_x1) / 2

    def rel(self, x: float) -> float:
        """x as a share of the text block's width, 0 at its left edge."""
        return (x - self.text_x0) / max(1.0, self.text_w)


def _em(segs: list[Segment], height: int) -> float:
    sizes = [s.size for s in segs if len(s.words) >= EM_LINE_MIN_WORDS]
    return (statistics.median(sizes) if sizes
            else max(EM_FALLBACK_MIN_PX, height / EM_FALLBACK_LINES_PER_PAGE))


# What an e-signature's overlay, an incoming-mail stamp or a certified-copy mark prints on
# a page (folded, as a line opens): never part of the document's own fields.
_OVERLAY_OPENINGS = re.compile(
    r"^(?:(?:nguoi ky|co quan|thoi gian ky|gio ky|ngay ky|email|e-mail|to chuc|chuc vu) ?:"
    r"|(?:ky boi|signed by|signature valid|cong van den|van ban den|sao y)\b)")


# An overlay's time of signing ("19.02.2025 07:55:13 +07:00") or its signer's e-mail.
_OVERLAY_STAMP = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{4},?\s+\d{1,2}:\d{2}|\S+[@()]\S*\.(?:gov|vn|com)")


def without_overlays(segs: list[Segment], em: float) -> list[Segment]:
    """The page's segments less the lines of e-signature overlays and stamps.

    An overlay line opens with its label ("Ký bởi:", "Cơ quan:", "Thời gian ký:", "CÔNG
    VĂN ĐẾN") or prints a time of signing or an e-mail address; the short lines aligned
    with it, close above or under it, are the rest of the same box ("dân tỉnh Bạc Liêu,",
    "TRUNG TÂM CÔNG BÁO") when set in the box's type, not larger."""
    dropped: set[int] = set()
    anchors = [i for i, s in enumerate(segs)
               if _OVERLAY_OPENINGS.match(words_folded_line(s.text)) or _OVERLAY_STAMP.search(s.text)]
    for i in anchors:
        dropped.add(i)
        box_size = statistics.median(
            segs[k].size for k in anchors
            if abs(segs[k].x0 - segs[i].x0) <= OVERLAY_ALIGN_EM * em
            and abs(segs[k].cy - segs[i].cy) <= OVERLAY_BOX_EM * em)
        for step in (1, -1):
            last = segs[i]
            j = i + step
            while 0 <= j < len(segs):
                t = segs[j]
                gap = abs(t.cy - last.cy)
                if gap > OVERLAY_LINE_GAP_EM * em:
                    break
                if abs(t.x0 - segs[i].x0) <= OVERLAY_ALIGN_EM * em \
                        and t.width <= OVERLAY_MAX_WIDTH_EM * em and gap >= SAME_LINE_EM * em \
                        and t.size <= OVERLAY_SIZE_RATIO * box_size:
                    dropped.add(j)
                    last = t
                j += step
    return [s for i, s in enumerate(segs) if i not in dropped]


def words_folded_line(text: str) -> str:
    return " ".join(re.sub(r"[^a-z\-: ]", " ", fold(text)).split())


def analyse(result: OcrResult, width: int, height: int) -> Page:
    segs = segments(result)
    segs = without_overlays(segs, _em(segs, height))
    em = _em(segs, height)
    # The text block: where wide lines start and end. A4 margins as a fallback.
    wide = [s for s in segs if s.width > TEXT_BLOCK_LINE_MIN_WIDTH * width
            and s.n_letters > TEXT_BLOCK_LINE_MIN_LETTERS]
    text_x0 = width * A4_LEFT_MARGIN_MM / A4_WIDTH_MM
    text_x1 = width * (1 - A4_RIGHT_MARGIN_MM / A4_WIDTH_MM)
    if len(wide) >= TEXT_BLOCK_MIN_LINES:
        xs0 = sorted(s.x0 for s in wide)
        xs1 = sorted(s.x1 for s in wide)
        text_x0, text_x1 = float(xs0[len(xs0) // 5]), float(xs1[(len(xs1) * 4) // 5])
    return Page(segs, width, height, em, text_x0, text_x1, list(result.surnames),
                {r.box: r for r in result.rereads}, result.lines_again)
