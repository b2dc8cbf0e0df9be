"""Which way up the text is, and how far it is tilted, from a small page image.

Everything here works on a ~150 dpi image of the page, so a whole A4 page
costs a few tens of milliseconds:

* skew: the row profile of the ink, sheared by candidate angles, is sharpest
  (largest sum of squared row-to-row differences) when the shear lines up
  with the text lines;
* 0° or 90°: that sharpness is several times larger across the text lines
  than along them;
* 0° or 180°: Latin script, and Vietnamese even more with its stacked tone
  marks, carries much more ink above the x-height band (ascenders, capitals,
  diacritics) than below the baseline (descenders, the dot of dấu nặng).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from pipeline._exec import tesseract
from pipeline.cleanup.geometry import shrink

ANALYSIS_DPI = 150.0
MAX_SKEW = 7.0  # degrees searched either way; scans are within ±5°
COARSE_STEP = 0.5
MID_STEP = 0.1
FINE_STEP = 0.05
STRIP_PX = 8  # column strips for the shear projection, at half the analysis dpi
MIN_INK = 0.0005  # below this fraction of inked pixels the page counts as blank
SURE_ACROSS = 1.6  # sharpness across / along the lines needed to trust 0° vs 90°
SURE_UPDOWN = 0.15  # |above - below| / (above + below) needed to trust 0° vs 180°
MIN_LINES = 4
SPIKE = np.ones((3, 1), np.uint8)  # profile peaks narrower than this are ignored
# Ink touching the image's edge and reaching this far along or into it is no text: a dark
# surface or border, left out of the analysis.
SURROUND_INCH = 1.0
OSD_TIMEOUT = 30  # seconds
OSD_MIN_CONFIDENCE = 1.0


@dataclass(frozen=True)
class Layout:
    quarter_turns: int  # clockwise quarter turns that make the text upright
    skew: float  # tilt of the lines after that turn, degrees counter-clockwise
    sure_axis: bool  # the lines clearly run across (or down) the image
    sure_way_up: bool  # the text is clearly upright (or upside down) after the turn
    blank: bool = False

    @property
    def sure(self) -> bool:
        return self.blank or (self.sure_axis and self.sure_way_up)


def analyse(mask: np.ndarray, dpi: float) -> Layout:
    """Turn and skew of the text in ``mask`` (1 = ink, at ``dpi``)."""
    if cv2.countNonZero(mask) < MIN_INK * mask.size:
        return Layout(0, 0.0, True, True, blank=True)
    mask = _without_surround(mask, dpi)
    half = _without_rules(_halve(mask), dpi / 2)
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    along_rows = line_sharpness(half, angles, robust=True)
    along_cols = line_sharpness(np.ascontiguousarray(half.T), angles, robust=True)
    across = max(along_rows.max(), along_cols.max()) / max(
        min(along_rows.max(), along_cols.max()), 1e-9
    )
    if along_rows.max() >= along_cols.max():
        turns, coarse = 0, float(angles[along_rows.argmax()])
    else:
        # A clockwise quarter turn is a transpose and a mirror: the mirror flips the tilt.
        turns, coarse = 1, -float(angles[along_cols.argmax()])
    upright = _turned(mask, turns)
    skew = _refine(upright, coarse)
    updown, lines = up_down(_deskew(upright, skew), dpi)
    if updown < 0:
        turns += 2
    return Layout(turns, skew, across >= SURE_ACROSS, abs(updown) >= SURE_UPDOWN and lines >= MIN_LINES)


def _without_surround(mask: np.ndarray, dpi: float) -> np.ndarray:
    """``mask`` less the ink that touches the image's edge over an inch or more: the dark
    surface beside a photographed sheet, a scanner's black border. Text keeps a margin; a
    strip of surface along one side has a sharper profile across it than the text has
    across its lines."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    h, w = mask.shape
    reach = SURROUND_INCH * dpi
    drop = [k for k in range(1, n)
            if (stats[k][0] == 0 or stats[k][1] == 0 or stats[k][0] + stats[k][2] >= w
                or stats[k][1] + stats[k][3] >= h) and max(stats[k][2], stats[k][3]) >= reach]
    if not drop:
        return mask
    return np.where(np.isin(labels, drop), 0, mask).astype(mask.dtype)


def _without_rules(density: np.ndarray, dpi: float) -> np.ndarray:
    """The ink density with every straight run of an inch or more taken out.

    Which way the lines run is a question about text; a single long rule or
    streak has a sharper profile than a whole paragraph and would outvote it.
    """
    ink = (density >= 128).astype(np.uint8)
    run = max(3, round(dpi))
    rules = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)),
    )
    if not cv2.countNonZero(rules):
        return density
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    return np.where(rules > 0, 0, density).astype(density.dtype)


def skew_after_turn(mask: np.ndarray, turns: int) -> float:
    """Skew of the lines once the mask is turned clockwise by ``turns`` quarters."""
    upright = _turned(mask, turns)
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    return _refine(upright, float(angles[line_sharpness(_halve(upright), angles).argmax()]))


def _turned(mask: np.ndarray, turns: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(mask, -turns)) if turns % 4 else mask


def _halve(mask: np.ndarray) -> np.ndarray:
    """Half resolution, ink density kept as 0–255 (2 × 2 averaging of a 0/255 mask)."""
    return shrink(mask * np.uint8(255), 2, 2)[0]


def _refine(mask: np.ndarray, coarse: float) -> float:
    """From the coarse angle: 0.1° steps at half size, then 0.05° at full analysis size.

    The last stage needs the full 150 dpi: at half size a long rule's pixel
    staircase is coarse enough to pull the answer towards 0°.
    """
    near = np.arange(coarse - COARSE_STEP, coarse + COARSE_STEP + 1e-9, MID_STEP)
    mid = _peak(near, line_sharpness(_halve(mask), near))
    close = np.arange(mid - 3 * FINE_STEP, mid + 3 * FINE_STEP + 1e-9, FINE_STEP)
    return _peak(close, line_sharpness(mask, close))


def _peak(angles: np.ndarray, scores: np.ndarray) -> float:
    """The best angle, moved to the top of a parabola through it and its neighbours."""
    i = int(scores.argmax())
    best = float(angles[i])
    if 0 < i < len(scores) - 1:
        a, b, c = scores[i - 1], scores[i], scores[i + 1]
        bend = a - 2 * b + c
        if bend < 0:
            best += float(angles[1] - angles[0]) * 0.5 * (a - c) / bend
    return best


def line_sharpness(mask: np.ndarray, angles: np.ndarray, *, robust: bool = False) -> np.ndarray:
    """For each angle (degrees, counter-clockwise), how sharp the sheared row profile is.

    ``robust`` ignores narrow peaks in the profile: right for telling which
    way the lines run, wrong for the last tenth of a degree of skew, which
    lives in exactly those sharp details.

    Columns are summed in narrow strips once; each angle then only shifts the
    strips' row profiles against each other (a warp of a tiny image) and sums.
    """
    h, w = mask.shape
    k = max(1, w // STRIP_PX)
    strip = w // k
    profiles = shrink(mask, strip, 1)[0].astype(np.float32)
    reach = math.tan(math.radians(float(np.abs(angles).max()))) * w / 2
    pad = int(math.ceil(reach)) + 2
    out = np.empty(len(angles))
    for i, a in enumerate(angles):
        # A line tilted counter-clockwise rises to the right: strip x samples y - t·x.
        t = -math.tan(math.radians(float(a)))
        m = np.array([[1.0, 0, 0], [t * strip, 1, -pad + t * (0.5 * strip - w / 2)]])
        sheared = cv2.warpAffine(profiles, m, (k, h + 2 * pad), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        profile = cv2.reduce(sheared, 1, cv2.REDUCE_SUM)
        if robust:  # a one- or two-pixel spike is a streak or a rule, not a line of text
            profile = cv2.morphologyEx(profile, cv2.MORPH_OPEN, SPIKE)
        d = np.diff(profile.ravel())
        out[i] = float(d @ d)
    return out


def _deskew(mask: np.ndarray, skew: float) -> np.ndarray:
    """The mask with its lines made level (same size; corners may be clipped)."""
    if abs(skew) < 0.05:
        return mask
    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -skew, 1.0)
    return cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST)


def up_down(mask: np.ndarray, dpi: float) -> tuple[float, int]:
    """(ink above minus below the x-height band, over both; number of lines).

    Positive means upright. Each text line is taken from the row profile of a
    column strip about 2 inches wide, so the two header blocks of an NĐ 30
    page, which sit side by side at different heights, are read separately.
    """
    h, w = mask.shape
    n_strips = max(1, round(w / (2 * dpi)))
    found: list[tuple[float, float, int]] = []  # (above, below, height)
    for j in range(n_strips):
        strip = mask[:, j * w // n_strips : (j + 1) * w // n_strips]
        found.extend(_lines(strip.sum(axis=1, dtype=np.float64), strip.shape[1]))
    if not found:
        return 0.0, 0
    above, below, heights = (np.array(c, dtype=np.float64) for c in zip(*found))
    typical = np.median(heights)
    keep = (heights >= 0.5 * typical) & (heights <= 2.5 * typical)
    above, below = above[keep], below[keep]
    outside = above + below
    # A table or a picture read as one tall "line" must not outvote the text.
    weight = np.minimum(1.0, 2 * np.median(outside) / np.maximum(outside, 1e-9))
    total = float((weight * outside).sum())
    if total <= 0:
        return 0.0, int(keep.sum())
    return float((weight * (above - below)).sum()) / total, int(keep.sum())


def _lines(p: np.ndarray, width: int) -> list[tuple[float, float, int]]:
    """(ink above the core band, ink below it, height) of each run of inked rows."""
    on = p > max(1.0, 0.01 * width)
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    out = []
    for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if e - s < 4:
            continue
        q = p[s:e]
        core = np.flatnonzero(q >= 0.5 * q.max())  # the x-height band is the densest
        out.append((float(q[: core[0]].sum()), float(q[core[-1] + 1 :].sum()), int(e - s)))
    return out


def tesseract_osd(grey: np.ndarray, dpi: float) -> int | None:
    """Tesseract's orientation (clockwise quarter turns), or None if it cannot tell.

    Slow (about a second even on this small copy), so only asked when the
    image method is unsure.
    """
    found = tesseract.orientation(grey, dpi=dpi, timeout=OSD_TIMEOUT)
    if found is None or found[1] < OSD_MIN_CONFIDENCE:
        return None
    return found[0] // 90 % 4
