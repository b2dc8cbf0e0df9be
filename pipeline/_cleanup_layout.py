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

ANALYSIS_DPI = 150.0
MAX_SKEW = 7.0  # degrees searched either way; scans are within ±5°
COARSE_STEP = 0.5
FINE_STEP = 0.05
STRIP_PX = 8  # column strips for the shear projection, at half the analysis dpi
MIN_INK = 0.0005  # below this fraction of inked pixels the page counts as blank
SURE_ACROSS = 1.6  # sharpness across / along the lines needed to trust 0° vs 90°
SURE_UPDOWN = 0.08  # |up - down| share of line ink needed to trust 0° vs 180°
MIN_LINES = 4


@dataclass(frozen=True)
class Layout:
    quarter_turns: int  # clockwise quarter turns that make the text upright
    skew: float  # tilt of the lines after that turn, degrees counter-clockwise
    sure: bool  # False: the evidence was weak and another opinion is worth having
    blank: bool = False


def text_mask(grey: np.ndarray) -> np.ndarray:
    """1 where there is ink, from a small grey image with any paper colour/shading."""
    background = paper_background(grey)
    flat = cv2.divide(grey, background, scale=255)
    level, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # On a blank page Otsu splits the paper noise in two: never call pale grey ink.
    noise = _noise_sigma(flat)
    level = min(level, 255 - max(40.0, 5 * noise))
    return (flat < level).astype(np.uint8)


def paper_background(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness everywhere, text removed (a max filter, smoothed).

    ``grey`` should be at roughly ANALYSIS_DPI or less; the kernel is sized
    so strokes of 14 pt bold headings vanish at that resolution.
    """
    h, w = grey.shape
    step = max(1, round(min(h, w) / 400))  # work at ~50 dpi: cheap and smooth enough
    small = cv2.resize(grey, (max(1, w // step), max(1, h // step)), interpolation=cv2.INTER_AREA)
    k = max(3, 2 * round(12 / step) + 1)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    bg = cv2.medianBlur(bg, 5)
    bg = cv2.GaussianBlur(bg, (0, 0), k)
    bg = np.maximum(bg, 1)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def _noise_sigma(flat: np.ndarray) -> float:
    """Robust noise level of the paper (median absolute deviation, scaled)."""
    sample = flat[:: max(1, flat.shape[0] // 200), :: max(1, flat.shape[1] // 200)]
    paper = sample[sample > np.median(sample) - 30].astype(np.float32)
    if paper.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(paper - np.median(paper))))


def analyse(mask: np.ndarray) -> Layout:
    """Turn and skew of the text in ``mask`` (analysis resolution, 1 = ink)."""
    if mask.mean() < MIN_INK:
        return Layout(0, 0.0, True, blank=True)
    half = _halve(mask)
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    along_rows = line_sharpness(half, angles)
    along_cols = line_sharpness(np.ascontiguousarray(half.T), angles)
    across = max(along_rows.max(), along_cols.max()) / max(
        min(along_rows.max(), along_cols.max()), 1e-9
    )
    if along_rows.max() >= along_cols.max():
        turns, upright, coarse = 0, mask, float(angles[along_rows.argmax()])
    else:
        # A clockwise quarter turn is a transpose and a mirror: the mirror flips the tilt.
        turns, upright, coarse = 1, np.ascontiguousarray(np.rot90(mask, -1)), -float(angles[along_cols.argmax()])
    skew = _refine(_halve(upright), coarse)
    updown, lines = up_down(_deskew(upright, skew))
    if updown < 0:
        turns += 2
    sure = across >= SURE_ACROSS and abs(updown) >= SURE_UPDOWN and lines >= MIN_LINES
    return Layout(turns, skew, sure)


def _halve(mask: np.ndarray) -> np.ndarray:
    """Half resolution, keeping ink density as a fraction (float32)."""
    h, w = mask.shape
    return cv2.resize(mask.astype(np.float32), (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)


def _refine(mask: np.ndarray, coarse: float) -> float:
    """Best angle to FINE_STEP near the coarse one, then a parabola through the peak."""
    angles = np.arange(coarse - COARSE_STEP, coarse + COARSE_STEP + 1e-9, FINE_STEP)
    scores = line_sharpness(mask, angles)
    i = int(scores.argmax())
    best = float(angles[i])
    if 0 < i < len(scores) - 1:
        a, b, c = scores[i - 1], scores[i], scores[i + 1]
        bend = a - 2 * b + c
        if bend < 0:
            best += FINE_STEP * 0.5 * (a - c) / bend
    return best


def line_sharpness(mask: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """For each angle (degrees, counter-clockwise), how sharp the sheared row profile is.

    Columns are summed in narrow strips once; each angle then only shifts the
    strips' row profiles against each other (a warp of a tiny image) and sums.
    """
    h, w = mask.shape
    k = max(1, w // STRIP_PX)
    strip = w // k
    profiles = cv2.resize(
        np.ascontiguousarray(mask[:, : k * strip], dtype=np.float32), (k, h), interpolation=cv2.INTER_AREA
    )
    reach = math.tan(math.radians(float(np.abs(angles).max()))) * w / 2
    pad = int(math.ceil(reach)) + 2
    out = np.empty(len(angles))
    for i, a in enumerate(angles):
        # A line tilted counter-clockwise rises to the right: strip x samples y - t·x.
        t = -math.tan(math.radians(float(a)))
        m = np.array([[1.0, 0, 0], [t * strip, 1, -pad + t * (0.5 * strip - w / 2)]])
        sheared = cv2.warpAffine(profiles, m, (k, h + 2 * pad), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        d = np.diff(cv2.reduce(sheared, 1, cv2.REDUCE_SUM).ravel())
        out[i] = float(d @ d)
    return out


def _deskew(mask: np.ndarray, skew: float) -> np.ndarray:
    """The mask with its lines made level (same size; corners may be clipped)."""
    if abs(skew) < 0.05:
        return mask
    h, w = mask.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -skew, 1.0)
    return cv2.warpAffine(mask, m, (w, h), flags=cv2.INTER_NEAREST)


def up_down(mask: np.ndarray) -> tuple[float, int]:
    """(share of ink above minus below the x-height band, number of lines).

    Positive means upright. Each text line is taken from the row profile of a
    column strip about 2 inches wide, so the two header blocks of an NĐ 30
    page, which sit side by side at different heights, are read separately.
    """
    h, w = mask.shape
    n_strips = max(1, round(w / (2 * ANALYSIS_DPI)))
    found: list[tuple[float, float, int]] = []  # (score, mass, height)
    for j in range(n_strips):
        strip = mask[:, j * w // n_strips : (j + 1) * w // n_strips]
        p = strip.sum(axis=1, dtype=np.float64)
        found.extend(_line_scores(p, strip.shape[1]))
    if not found:
        return 0.0, 0
    heights = np.array([f[2] for f in found])
    typical = np.median(heights)
    keep = [f for f in found if 0.5 * typical <= f[2] <= 2.5 * typical]
    if not keep:
        return 0.0, 0
    scores = np.array([f[0] for f in keep])
    mass = np.array([f[1] for f in keep])
    weight = np.minimum(mass, np.median(mass) * 2)  # a table or a picture must not outvote the text
    return float((scores * weight).sum() / weight.sum()), len(keep)


def _line_scores(p: np.ndarray, width: int) -> list[tuple[float, float, int]]:
    """(up-minus-down share, ink, height) for each run of inked rows in a profile."""
    on = p > max(1.0, 0.01 * width)
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    out = []
    for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if e - s < 4:
            continue
        q = p[s:e]
        core = np.flatnonzero(q >= 0.5 * q.max())
        up, down, total = q[: core[0]].sum(), q[core[-1] + 1 :].sum(), q.sum()
        out.append(((up - down) / total, total, int(e - s)))
    return out
