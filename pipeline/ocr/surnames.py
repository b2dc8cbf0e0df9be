"""A surname under a seal, matched by its shape.

On a photocopy the red seal turns black, and its ring lettering lies over
the first letters of the signer's name: Tesseract reads "Kiều Diệu Loan" as
"vu Điệu Loan". The words after the surname mostly survive, and a surname is
one of a short list. So the words that were read fix the line's typeface,
size and place: each bold serif face installed (NĐ 30 sets the name in bold
Times New Roman; Liberation Serif has its metrics) is drawn at the size that
covers them, and the face that fits best is kept. Every surname is then
drawn in that face one space before them and scored by how much of its ink
the image has there (a seal only adds ink, so the right surname is all
there), less the ink of the surname's place it leaves unexplained (some of
which is the seal's).

When only the given name was read, its middle name is matched the same way
first ("lữu Bình" → Hữu), each of the best few with the surnames before it.

Only lines in the right-hand part of the page that end in capitalised words
spelt as Vietnamese syllables are looked at, and not when a surname was read
surely before them: on a clean page nothing is drawn. What is found is
offered, ranked, to the extraction, which decides whether the line is a
signer's name and the reading needed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.core.model import OcrResult, SurnameMatch, Word
from pipeline.core.vi_names import (
    ETHNIC_SURNAMES,
    MIDDLE_NAMES,
    SURNAMES,
    capitalised_syllable,
    is_surname,
)
from pipeline.ocr.crops import words_box

# Bold serif faces from Debian's fonts-liberation2, fonts-noto-core, fonts-dejavu-core.
FACES = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"),
)
RIGHT_FROM = 0.4  # a signature block's lines start right of this share of the page
TEXT_CONF = 60.0  # a word this sure, of two letters or more, is text (not a seal's scrap)
MIN_WORD_CONF = 30.0  # words read less surely than this do not fix the typeface
SURE_SURNAME_CONF = 80.0  # a surname read this surely before them is not matched again
MAX_LINES = 3  # lines matched per page, lowest first (the name is under the position)
INK = 128  # darker than this is ink
# Around each estimate of the size (a word's box may take in a speck or lose a letter).
SIZE_STEPS = tuple(1.0 + 0.025 * k for k in range(-6, 7))
MIN_FIT = 0.7  # the words drawn must cover, and be covered by, the ink this well (F1)
UNEXPLAINED = 0.3  # weight of the place's ink a surname leaves unexplained
SHIFT = 3  # pixels a name drawn may move to find its ink
KEEP = 5  # names kept per match, best first
MIN_MIDDLE = 0.6  # a middle name drawn must score this to be built on
MIDDLE_SLACK = 0.03  # middle names this close to the best are tried with the surnames
# An ethnic group's surname ranks this far below its fit (far rarer nationwide than the
# Kinh ones: a seal's ink over "Hà" fits "Hờ" as well), unless the ink where it and the
# best Kinh surname differ is its own: this much more of its own strokes there are inked
# than of the other's (a grave mark printed where "Lý" has its acute).
RARER_BEHIND = 0.03
OWN_STROKES = 0.25
MIN_OWN = 12  # pixels of its own a name must have for that
_EDGE_JUNK = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# The ethnic groups' surnames too: Lỳ is not Lý, nor Lèo Lạc (a shape match is for review).
_UNIQUE_SURNAMES = tuple(dict.fromkeys(SURNAMES + ETHNIC_SURNAMES))
_RARER = frozenset(ETHNIC_SURNAMES) - frozenset(SURNAMES)
_MIDDLE_NAMES = tuple(sorted(MIDDLE_NAMES))


def match(image: np.ndarray, result: OcrResult) -> list[SurnameMatch]:
    """Surnames ranked by shape before the name-like words ending each candidate line
    (and, before a lone given name, the middle name that fits best)."""
    installed = faces()
    candidates = _candidate_lines(result, image.shape[1])[:MAX_LINES]
    if not installed or not candidates:
        return []  # (most pages: the page-wide ink below is not worth making)
    ink = image < INK
    near = cv2.dilate(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    found: list[SurnameMatch] = []
    for words in candidates:
        fit = _fit(ink, words[-2:], installed)
        if fit is None:
            continue
        texts = [_text(w) for w in words]
        box = words_box(words)
        if len(words) == 1:
            # A lone given name after a garbled word ("đưu Triều"): its middle name first.
            middles = _ranked(ink, near, fit, fit.x, _MIDDLE_NAMES, first=False, rarer=())
            if not middles or middles[0][0] < MIN_MIDDLE:
                continue
            # The middle names about as good as the best, each with the surnames drawn
            # before it: the pair that fits best together.
            pairs = []
            for m_score, middle in middles:
                if m_score < middles[0][0] - MIDDLE_SLACK:
                    break
                origin = fit.x - round(_font(fit.path, fit.size).getlength(middle + " "))
                surnames = _ranked(ink, near, fit, origin, _UNIQUE_SURNAMES)
                if surnames:
                    pairs.append((m_score + surnames[0][0], middle, surnames))
            if not pairs:
                continue
            _, middle, surnames = max(pairs, key=lambda t: t[0])
            middles.sort(key=lambda t: (t[1] != middle, -t[0]))  # the one taken first
            found.append(SurnameMatch((middle, *texts), box, round(fit.score, 3),
                                      _top(surnames), _top(middles)))
            continue
        for k in (2, 3):
            if len(words) < k:
                break
            if k == 3 and texts[-3] not in MIDDLE_NAMES:
                break  # a third word that is no middle name: the surname's own place
            lead = " ".join(texts[-k:-2])  # the fit is on the last two words
            origin = fit.x - round(_font(fit.path, fit.size).getlength(lead + " ")) if lead \
                else fit.x
            found.append(SurnameMatch(tuple(texts[-k:]), words_box(words[-k:]), round(fit.score, 3),
                                      _top(_ranked(ink, near, fit, origin, _UNIQUE_SURNAMES))))
    return found


def _top(scored: list[tuple[float, str]]) -> tuple[tuple[str, float], ...]:
    return tuple((name, score) for score, name in scored[:KEEP])


def faces() -> tuple[str, ...]:
    """The bold serif faces installed, for drawing names."""
    return tuple(str(p) for p in FACES if p.exists())


def _text(word: Word) -> str:
    return _EDGE_JUNK.sub("", word.text)


def _name_like(word: Word) -> bool:
    return word.confidence >= MIN_WORD_CONF and capitalised_syllable(_text(word))


def _candidate_lines(result: OcrResult, width: int) -> list[list[Word]]:
    """Each line's trailing name-like words, for lines right of the body's start and not
    opening with a surname read surely; lowest line first."""
    lines: dict[int, list[Word]] = {}
    for w in result.words:
        if any(c.isalpha() for c in w.text):  # not a dash or a speck of the seal's
            lines.setdefault(w.line, []).append(w)
    out: list[list[Word]] = []
    for words in lines.values():
        words.sort(key=lambda w: w.box[0])
        text = [w for w in words if sum(c.isalpha() for c in w.text) >= 2
                and w.confidence >= TEXT_CONF]
        if not text or text[0].box[0] < RIGHT_FROM * width:
            continue  # a line of the body (a seal's scraps may lie further left)
        run: list[Word] = []
        for w in reversed(words):
            if not _name_like(w) or len(run) == 3:
                break
            run.insert(0, w)
        if not run:
            continue
        before = words[len(words) - len(run) - 1] if len(words) > len(run) else None
        if any(w is not None and is_surname(_text(w)) and _text(w) not in MIDDLE_NAMES
               and w.confidence >= SURE_SURNAME_CONF for w in (before, *run[:-2])):
            continue  # "Quách Đình Triêu": its surname was read
        out.append(run)
    out.sort(key=lambda run: -run[0].box[3])
    return out


@lru_cache(maxsize=64)
def _font(path: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def _draw(text: str, path: str, size: float) -> tuple[np.ndarray, int, int]:
    """``text``'s ink (bool) and where its origin (left end of the baseline) is in it."""
    font = _font(path, size)
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls")
    x0, y0, x1, y1 = int(x0), int(y0), int(x1), int(y1)  # whole pixels for this anchor
    canvas = Image.new("L", (max(1, x1 - x0), max(1, y1 - y0)), 0)
    ImageDraw.Draw(canvas).text((-x0, -y0), text, font=font, fill=255, anchor="ls")
    return np.asarray(canvas) > 127, -x0, -y0


class _Fit:
    """A face and size that draw the words read over their ink, and where."""

    def __init__(self, path: str, size: float, x: int, y: int, score: float) -> None:
        self.path, self.size, self.score = path, size, score
        self.x, self.y = x, y  # image position of the first word's origin


def _fit(ink: np.ndarray, words: list[Word], faces: tuple[str, ...]) -> _Fit | None:
    text = " ".join(_text(w) for w in words)
    x0, y0, x1, y1 = words_box(words)
    best: _Fit | None = None
    for path in faces:
        # The size from the width of the words together and of each alone (one box may
        # be cut short by a seal's stroke).
        probe, _, _ = _draw(text, path, 100.0)
        estimates = {100.0 * (x1 - x0) / max(1, _ink_width(probe))}
        for w in words:
            drawn, _, _ = _draw(_text(w), path, 100.0)
            estimates.add(100.0 * (w.box[2] - w.box[0]) / max(1, _ink_width(drawn)))
        for size in sorted({round(e * s, 1) for e in estimates for s in SIZE_STEPS}):
            if size < 8:
                continue
            drawn, ox, oy = _draw(text, path, size)
            fitted = _place(ink, drawn, (x0, y0, x1, y1), round(size / 4))
            if fitted is None:
                continue
            score, px, py = fitted
            if best is None or score > best.score:
                best = _Fit(path, size, px + ox, py + oy, score)
    return best if best is not None and best.score >= MIN_FIT else None


def _ink_width(mask: np.ndarray) -> int:
    cols = np.flatnonzero(mask.any(axis=0))
    return int(cols[-1] - cols[0] + 1) if cols.size else 0


def _place(ink: np.ndarray, drawn: np.ndarray, box: tuple[int, int, int, int], pad: int
           ) -> tuple[float, int, int] | None:
    """Where ``drawn`` best matches the ink round ``box`` (F1 of the two), and how well."""
    h, w = drawn.shape
    x0, y0, x1, y1 = box
    # The boxes may be cut short at either end (a seal's stroke): slack both ways.
    slack_x, slack_y = pad + max(0, w - (x1 - x0)), pad + max(0, h - (y1 - y0))
    wx0, wy0 = max(0, x0 - slack_x), max(0, y0 - slack_y)
    wx1, wy1 = min(ink.shape[1], x1 + slack_x), min(ink.shape[0], y1 + slack_y)
    window = ink[wy0:wy1, wx0:wx1].astype(np.float32)
    if window.shape[0] < h or window.shape[1] < w or not drawn.any():
        return None
    hits = cv2.matchTemplate(window, drawn.astype(np.float32), cv2.TM_CCORR)
    inked = cv2.matchTemplate(window, np.ones((h, w), np.float32), cv2.TM_CCORR)
    f1 = 2 * hits / (float(drawn.sum()) + inked)
    _, score, _, (px, py) = cv2.minMaxLoc(f1)
    return float(score), wx0 + px, wy0 + py


def _ranked(ink: np.ndarray, near: np.ndarray, fit: _Fit, origin: int,
            names: tuple[str, ...], first: bool = True,
            rarer: frozenset[str] | tuple[()] = _RARER) -> list[tuple[float, str]]:
    """Each of ``names`` drawn in the fitted face to end one space before ``origin`` (the
    next word's), scored by the ink it finds (``near``: the ink grown a pixel, for the
    face's small differences) less the ink of its place it leaves unexplained; best first.
    The place of the name that opens the line (``first``) runs from where the widest of
    them would start; another word's, from its own start (a word is printed before it).
    The ``rarer`` names rank ``RARER_BEHIND`` below their fit unless their own strokes
    tell them from the best of the others (``_own_strokes``)."""
    font = _font(fit.path, fit.size)
    space = font.getlength(" ")
    widest = max(font.getlength(n + " ") for n in names)
    ascent, descent = font.getmetrics()
    py0, py1 = max(0, fit.y - ascent), min(ink.shape[0], fit.y + descent)
    scored: list[tuple[float, str]] = []
    where: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in names:
        px0 = max(0, round(origin - (widest if first else font.getlength(name + " ") + space / 2)))
        px1 = max(px0, round(origin - space / 2))
        place = ink[py0:py1, px0:px1]
        drawn, ox, oy = _draw(name, fit.path, fit.size)
        left, top = round(origin - font.getlength(name + " ")) - ox, fit.y - oy
        # A few pixels of play: the size and place were fitted on the words after it.
        h, w = drawn.shape
        if left < SHIFT or top < SHIFT or left + w + SHIFT > ink.shape[1] \
                or top + h + SHIFT > ink.shape[0] or not drawn.any():
            continue
        window = near[top - SHIFT: top + h + SHIFT, left - SHIFT: left + w + SHIFT]
        hits = cv2.matchTemplate(window.astype(np.float32), drawn.astype(np.float32),
                                 cv2.TM_CCORR)
        _, most, _, (dx, dy) = cv2.minMaxLoc(hits)
        ys, xs = np.nonzero(drawn)
        xs, ys = xs + left - SHIFT + dx, ys + top - SHIFT + dy
        found = most / len(xs)
        cover = np.zeros(place.shape, np.uint8)
        keep = (xs >= px0) & (xs < px1) & (ys >= py0) & (ys < py1)
        cover[ys[keep] - py0, xs[keep] - px0] = 1
        covered = cv2.dilate(cover, np.ones((5, 5), np.uint8)) > 0
        unexplained = float((place & ~covered).sum()) / len(xs)
        where[name] = (ys, xs)
        scored.append((round(found - UNEXPLAINED * unexplained, 3), name))
    scored.sort(key=lambda t: -t[0])
    common = next((name for _, name in scored if name not in rarer), None)
    if common is not None and any(name in rarer for _, name in scored):
        scored = [(score, name) if name not in rarer
                  or _own_strokes(near, where[name], where[common])
                  else (round(score - RARER_BEHIND, 3), name) for score, name in scored]
        scored.sort(key=lambda t: -t[0])
    return scored


def _own_strokes(near: np.ndarray, a: tuple[np.ndarray, np.ndarray],
                 b: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether the ink tells name ``a`` from name ``b`` (each its drawn pixels, placed):
    of the strokes only ``a`` has, ``OWN_STROKES`` more are inked than of ``b``'s own."""
    ys = np.concatenate([a[0], b[0]])
    xs = np.concatenate([a[1], b[1]])
    y0, x0 = int(ys.min()), int(xs.min())
    shape = (int(ys.max()) - y0 + 1, int(xs.max()) - x0 + 1)
    masks = []
    for py, px in (a, b):
        m = np.zeros(shape, np.uint8)
        m[py - y0, px - x0] = 1
        masks.append(m)
    grown = [cv2.dilate(m, np.ones((3, 3), np.uint8)) for m in masks]
    only_a = (masks[0] > 0) & (grown[1] == 0)
    only_b = (masks[1] > 0) & (grown[0] == 0)
    if only_a.sum() < MIN_OWN:
        return False
    seen = near[y0:y0 + shape[0], x0:x0 + shape[1]]
    inked_b = float(seen[only_b].mean()) if only_b.any() else 0.0
    return float(seen[only_a].mean()) - inked_b >= OWN_STROKES
