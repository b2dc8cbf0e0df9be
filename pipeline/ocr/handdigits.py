"""Handwritten digits: two small networks that read the numbers and days written into a
header's printed blanks, where Tesseract (trained on print) reads ink as letters.

Two small convolutional networks (weights in ``hand_digits.npz`` beside it) are
trained by ``scripts/train_hand_digits.py``: one on the MNIST handwritten digits, one on
those and the digits of handwriting faces (looped 2s, crossed 7s, 1s with a lead-in,
which MNIST's writers seldom make). Each glyph is normalised the way this module
normalises the page's ink: cut to its ink, its longer side scaled to 20 pixels, centred
by its mass in 28 × 28. Besides the ten digits each has an eleventh answer, two digits
touching (``PAIR``), learnt from pairs of training digits run together, so that such a
glyph is not read surely as one digit, but cut in two (``_best_cut``). Their
probabilities are averaged: a digit only one of them is sure of is not sure. The caller
decides what is sure enough (a glyph that reads both as one digit and as two needs to
know), and flags what it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np

WEIGHTS = Path(__file__).with_name("hand_digits.npz")
PAIR = 10  # the networks' eleventh answer: two digits touching, no one digit
SIDE = 28
BOX = 20  # MNIST's digits fill 20 × 20 inside their 28 × 28


def normalise(ink: np.ndarray) -> np.ndarray:
    """One glyph's ink (non-zero where inked, any size) as the network's 28 × 28 input,
    in 0–1: cut to the ink, the longer side 20 pixels, the centre of mass in the middle."""
    ys, xs = np.nonzero(ink)
    out = np.zeros((SIDE, SIDE), np.float32)
    if ys.size == 0:
        return out
    glyph = (ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1] > 0).astype(np.float32)
    h, w = glyph.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(glyph, (nw, nh), interpolation=cv2.INTER_AREA)
    # A pen's stroke and a scan's differ in width: give every glyph about MNIST's.
    stroke = small.sum() / max(1.0, float(nh * nw))
    if stroke < 0.16:
        small = cv2.dilate(small, np.ones((2, 2), np.uint8))
    m = cv2.moments(small)
    cy, cx = (m["m01"] / m["m00"], m["m10"] / m["m00"]) if m["m00"] else (nh / 2, nw / 2)
    y0, x0 = round(SIDE / 2 - cy), round(SIDE / 2 - cx)
    y0, x0 = min(max(0, y0), SIDE - nh), min(max(0, x0), SIDE - nw)
    out[y0:y0 + nh, x0:x0 + nw] = np.clip(small, 0, 1)
    return out


@dataclass(frozen=True)
class Digit:
    digit: int
    probability: float


class Network:
    """Two 5 × 5 convolutions (16 and 32 maps, each ReLU and 2 × 2 max-pooled), a hidden
    layer of 64, eleven outputs (softmax): the digits and ``PAIR``. Forward only: training
    is the script's."""

    NAMES = ("c1w", "c1b", "c2w", "c2b", "f1w", "f1b", "f2w", "f2b")

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = {k: weights[k].astype(np.float32) for k in self.NAMES}

    @staticmethod
    def _conv_relu_pool(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = w.shape[-1]
        padded = np.pad(x, ((0, 0), (0, 0), (k // 2, k // 2), (k // 2, k // 2)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(2, 3))
        y = np.einsum("ncijkl,ockl->noij", windows, w, optimize=True) + b[None, :, None, None]
        y = np.maximum(y, 0)
        n, c, h, wd = y.shape
        return y.reshape(n, c, h // 2, 2, wd // 2, 2).max(axis=(3, 5))

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(n, 28, 28) in 0–1 → (n, 11)."""
        w = self.w
        x = inputs.astype(np.float32)[:, None]
        x = self._conv_relu_pool(x, w["c1w"], w["c1b"])
        x = self._conv_relu_pool(x, w["c2w"], w["c2b"])
        x = np.maximum(x.reshape(len(x), -1) @ w["f1w"].T + w["f1b"], 0)
        z = x @ w["f2w"].T + w["f2b"]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


class Ensemble:
    """Networks whose probabilities are averaged."""

    def __init__(self, members: list[Network]) -> None:
        self.members = members

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        return np.mean([m.probabilities(inputs) for m in self.members], axis=0)


MEMBERS = ("mnist", "mnist_faces")  # each member's weights are "<member>/<name>" in WEIGHTS


@cache
def network() -> Ensemble:
    with np.load(WEIGHTS) as f:
        return Ensemble([Network({k: f[f"{m}/{k}"] for k in Network.NAMES}) for m in MEMBERS])


def classify(glyphs: list[np.ndarray]) -> list[Digit]:
    """Each glyph's ink (as ``normalise`` takes it) read as its likeliest digit."""
    if not glyphs:
        return []
    p = _probabilities(glyphs)[:, :PAIR]
    return [Digit(int(row.argmax()), float(row.max())) for row in p]


def _probabilities(glyphs: list[np.ndarray]) -> np.ndarray:
    return network().probabilities(np.stack([normalise(g) for g in glyphs]))


@dataclass(frozen=True)
class BlankReading:
    digits: str
    probability: float  # the least sure digit's


# A glyph at least this wide for its height may be two digits joined by a stroke.
JOINED_WIDTH = 0.8
# Wider than this for its height, three digits or more run together: not read. (Two
# touching are the networks' ``PAIR``, not one sure digit, so they are read: cut at a join.)
RUN_TOGETHER = 1.8
# Where two digits touch, one stroke crosses the cut, at most this share of the height.
JOIN_AT_MOST = 0.25
# A glyph the networks take for two digits touching at least this likely, with no thin
# join, is cut along the line that reads best: upright or slanted as a hand slants.
PAIR_CUT = 0.5
CUT_SLANTS = (-0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3, 0.4)  # columns per row and per row
CUT_FROM = (0.25, 0.75)  # where the cut crosses the glyph's middle row, in its width
# Cuts read nearly as well as the best one that give other digits leave the glyph unread:
# no clear cut. Nearly as well, by their least likely half: this share of the best's
# probability at least, and its odds (p / (1 - p)) at least the best's over
# ``CUT_CLEAR_ODDS``. By probability alone, a cut at 0.998 beside one at 0.81 (a 6 cut
# slanted against the hand, read as a 5) is not clear; its odds are a hundred times the
# rival's. (On numbers in the faces the networks never learnt from, the odds read 10 in
# 5,280 more surely, none of them wrongly.)
CUT_CLEAR = 0.8
CUT_CLEAR_ODDS = 4.5
# A glyph shorter than this share of the printed line's height (its box, accents and
# all), or without the line of the crop's, is no digit beside the others: a digit is
# written at least as tall as a lower-case letter, however much room the crop leaves.
GLYPH_OF_LINE = 0.35
GLYPH_OF_CROP = 0.2


def read_blank(grey: np.ndarray, sure: float, after_label: bool = False, most: int = 99999,
               line: tuple[int, int] | None = None) -> BlankReading | None:
    """The digits written into a blank (``grey``: the blank's crop, ink dark), or None
    where its ink is not clearly that: a rule run into the digits, digits run into each
    other, a glyph of scattered pieces. With ``after_label`` the crop starts with the
    printed "Số:", and only what follows its colon is read. ``line``, the printed line's
    rows in the crop, leaves out ink wholly above or below them (the lines around).
    ``most`` is the largest number the blank takes (31 for a day, 12 for a month): a
    reading of more is none.

    Two digits a hand joined with one stroke ("23" with the 2's tail run into the 3) are
    read both as one glyph and cut at the join; ``sure`` is the probability a reading
    needs (the caller's, ``blanks.HAND_SURE``): where both readings reach it and differ,
    neither is taken."""
    glyphs = _glyphs(grey, after_label, line)
    if not glyphs:
        return None
    digits, least = "", 1.0
    for glyph in glyphs:
        # A glyph alone is the whole number: what it may be cut into is bounded too.
        read = _read_glyph(glyph, sure, most if len(glyphs) == 1 else None)
        if read is None:
            return None
        digits += read[0]
        least = min(least, read[1])
    if not _takes(digits, most):
        return None
    return BlankReading(digits, least)


def _takes(digits: str, most: int) -> bool:
    """Whether a blank that takes numbers up to ``most`` can hold ``digits``."""
    return len(digits) <= len(str(most)) and 1 <= int(digits) <= most


def _read_glyph(glyph: np.ndarray, sure: float, most: int | None = None
                ) -> tuple[str, float] | None:
    ys, xs = np.nonzero(glyph)
    ink = glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    height, width = ink.shape
    if width > RUN_TOGETHER * height:
        return None
    (whole,) = classify([ink])
    halves = _halves(ink) if width >= JOINED_WIDTH * height else None
    if halves is None and width >= JOINED_WIDTH * height \
            and _probabilities([ink])[0, PAIR] >= PAIR_CUT:
        # A cut is a reading of its own: taken sure, or not at all (a scribble cut
        # anywhere reads as some digits, unsurely).
        cut = _best_cut(ink, most)
        return cut if cut is None or cut[1] >= sure else (cut[0], 0.0)
    if halves is None:
        return str(whole.digit), whole.probability
    left, right = classify(list(halves))
    split = f"{left.digit}{right.digit}", min(left.probability, right.probability)
    if whole.probability >= sure and split[1] >= sure:
        return str(whole.digit), 0.0  # one digit or two, each sure: a person decides
    return split if split[1] >= whole.probability else (str(whole.digit), whole.probability)


def _best_cut(ink: np.ndarray, most: int | None = None) -> tuple[str, float] | None:
    """Two digits touching with no thin join between them ("09", the 9 leaning into the
    0): read cut along each upright or slanted line across the glyph's middle; the cut
    whose less likely half is likeliest, unless cuts nearly as good read other digits
    (then its probability is 0: a person reads it). With ``most``, the glyph is the
    blank's whole number: cuts that read more than it takes (a day's "65") are no
    readings, neither best nor rival."""
    height, width = ink.shape
    rows = np.arange(height)[:, None] - (height - 1) / 2
    cols = np.arange(width)[None, :]
    pairs = []
    step = max(1, width // 20)
    for slant in CUT_SLANTS:
        for middle in range(round(CUT_FROM[0] * width), round(CUT_FROM[1] * width) + 1, step):
            left_side = cols < middle + slant * rows
            parts = [np.where(left_side, ink, 0), np.where(left_side, 0, ink)]
            if all(_digit_sized(part, height) for part in parts):
                pairs.append(parts)
    if not pairs:
        return None
    p = _probabilities([part for parts in pairs for part in parts])[:, :PAIR].reshape(len(pairs), 2, PAIR)
    if most is not None:
        p = p[[_takes(f"{a}{b}", most) for a, b in p.argmax(axis=2)]]
        if not len(p):
            return None
    least = p.max(axis=2).min(axis=1)
    best = int(least.argmax())
    left, right = p[best].argmax(axis=1)
    odds = least / np.maximum(1.0 - least, 1e-9)
    close = p.argmax(axis=2)[(least >= CUT_CLEAR * least[best]) & (odds * CUT_CLEAR_ODDS >= odds[best])]
    if len({(int(a), int(b)) for a, b in close}) > 1:
        return f"{left}{right}", 0.0
    return f"{left}{right}", float(least[best])


def _digit_sized(part: np.ndarray, height: int) -> bool:
    rows = np.nonzero(part.any(axis=1))[0]
    return rows.size > 0 and rows[-1] - rows[0] + 1 >= 0.5 * height


def _halves(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A glyph cut where one thin stroke alone joins two digit-sized parts: at the
    emptiest column of its middle, crossed by a single run of ink."""
    height, width = ink.shape
    columns = ink.sum(axis=0)
    lo, hi = round(0.3 * width), round(0.7 * width)
    if hi <= lo:
        return None
    cut = lo + int(np.argmin(columns[lo:hi + 1]))
    column = ink[:, cut]
    runs = np.count_nonzero(np.diff(np.concatenate(([0], column, [0]))) == 1)
    if runs != 1 or column.sum() > JOIN_AT_MOST * height:
        return None
    left, right = ink[:, :cut], ink[:, cut + 1:]
    for part in (left, right):
        rows = np.nonzero(part.any(axis=1))[0]
        if rows.size == 0 or rows[-1] - rows[0] + 1 < 0.5 * height:
            return None  # a tail or a flag, not a digit
    return left, right


def _glyphs(grey: np.ndarray, after_label: bool, line: tuple[int, int] | None
            ) -> list[np.ndarray] | None:
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = grey.shape
    inside = [i for i in range(1, n) if stats[i][4] >= 3]
    if line is not None:  # the line above's descenders, the line below's letters
        inside = [i for i in inside
                  if stats[i][1] + stats[i][3] > line[0] and stats[i][1] < line[1]]
    # A word's letters cut by the crop's edges are none of the blank's; a line run
    # through the edge is a rule, and ink under it not readable here.
    edge = [i for i in inside if stats[i][0] == 0 or stats[i][0] + stats[i][2] >= width]
    comps = [i for i in inside if i not in edge]
    upright = [stats[i][3] for i in comps if stats[i][2] <= 3 * stats[i][3]]
    if not upright:
        return None
    if any(stats[i][2] > 0.5 * width and stats[i][3] > 0.25 * max(upright) for i in edge):
        return None

    def thin(i: int) -> bool:
        return bool(stats[i][2] > 3 * stats[i][3])

    tall = max(upright)
    kept = []
    for i in comps:
        if thin(i) and stats[i][2] > 1.5 * tall:  # a rule (the line under the body's name)
            if stats[i][3] > 0.25 * tall:
                return None  # the rule touches the digits: their shapes are not theirs alone
            continue
        kept.append(i)
    # A glyph cut by the crop's top or bottom is not whole: not read (what only reaches
    # in from the lines above and below, small beside the digits, is left out).
    cut = [i for i in kept if stats[i][1] == 0 or stats[i][1] + stats[i][3] >= height]
    if any(stats[i][3] >= 0.5 * tall and not thin(i) for i in cut):
        return None
    kept = [i for i in kept if i not in cut]
    if after_label:  # (the label's first letter may touch the crop's edge)
        colon = _colon_end(stats, [i for i in inside if i in kept or i in edge], tall)
        if colon is None:
            return None
        kept = [i for i in kept if stats[i][0] >= colon]
    # Dots of a dotted blank, specks.
    kept = [i for i in kept if stats[i][3] >= 0.3 * tall or stats[i][2] >= 0.3 * tall]
    if not kept:
        return None
    tall = max(stats[i][3] for i in kept)
    groups: list[tuple[int, int, list[int]]] = []
    for i in sorted(kept, key=lambda i: stats[i][0]):
        x0, x1 = stats[i][0], stats[i][0] + stats[i][2]
        if groups:
            g0, g1, ids = groups[-1]
            if min(g1, x1) - max(g0, x0) > 0.5 * min(x1 - x0, g1 - g0):  # one glyph's strokes
                groups[-1] = (min(g0, x0), max(g1, x1), [*ids, i])
                continue
        groups.append((x0, x1, [i]))
    out = []
    least = GLYPH_OF_CROP * height if line is None else GLYPH_OF_LINE * (line[1] - line[0])
    for x0, x1, ids in groups:
        y0 = min(stats[i][1] for i in ids)
        y1 = max(stats[i][1] + stats[i][3] for i in ids)
        if y1 - y0 < max(0.4 * tall, least):
            return None  # a piece too small for a digit beside the digits: not sure what it is
        areas = [stats[i][4] for i in ids]
        if max(areas) < 0.5 * sum(areas):
            return None  # scattered pieces, no stroke of a digit
        out.append(np.isin(labels[:, x0:x1], ids).astype(np.uint8))
    return out


def _colon_end(stats: np.ndarray, comps: list[int], tall: int) -> int | None:
    """The right edge of the label's colon: the first two small marks one above the other,
    the lower on the baseline of the letters before it (a tone mark sits above them)."""
    small = [stats[i] for i in comps if stats[i][3] < 0.35 * tall and stats[i][2] < 0.35 * tall]
    letters = [stats[i] for i in comps if stats[i][3] >= 0.5 * tall]
    for b in sorted(small, key=lambda m: m[0]):
        before = [c for c in letters if c[0] + c[2] <= b[0]]
        if not before:
            continue
        baseline = max(c[1] + c[3] for c in before)
        if abs(b[1] + b[3] - baseline) > 0.2 * tall:
            continue
        for a in small:
            above = b[1] > a[1] + a[3]
            aligned = abs((a[0] + a[2] / 2) - (b[0] + b[2] / 2)) < max(a[2], b[2])
            if above and aligned:
                return int(max(a[0] + a[2], b[0] + b[2]))
    return None
