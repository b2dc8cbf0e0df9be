"""Photocopier streaks: long dark lines along the scan's own axes.

A dirty drum or a scratched glass draws a line down (or across) the copy,
straight in the scanner's axes whatever the tilt of the text. In the analysis
mask such a line looks like text turned 90° or pulls the skew towards 0°; in
the OCR image Tesseract reads it as "|", "l" or "I" and it splits words.

Long lines are found from the column (row) ink counts, which is cheap, then
checked for a long unbroken run. All of them leave the analysis mask. Only
those that cut through text are painted out of the OCR image: a table's
rules run between the words, and Tesseract reads a table better with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A streak runs unbroken along this share of the page. Copiers streak along the
# paper feed, down the page; across it a line must be longer than the Tiêu ngữ's
# underline (about a third of the width), which is part of the document.
DOWN_SHARE = 0.3
ACROSS_SHARE = 0.5
GAP_MM = 1.0  # breaks this short (noise, a faint stretch) do not end a run
PIECE_MM = 4.0  # further pieces of a streak are followed if at least this long
THIN_MM = 2.0  # only streaks this thin are painted out of the OCR image
NEAR_MM = 1.0  # ink this close on both sides of a line is a letter it cuts through
RULE_MM = 3.0  # ink running on this far from the line is another rule meeting it
MIN_CUTS = 3  # a line that cuts through fewer letters is left in the OCR image
BORDER_SHARE = 0.5  # an edge column this much ink is a dark border, not text
BORDER_MM = 25.0  # how far in from the edge a border may reach


@dataclass(frozen=True)
class Streak:
    """A line along a page axis; ranges are [start, stop) in some image's pixels."""

    vertical: bool
    across: tuple[int, int]  # columns of a vertical streak, rows of a horizontal one
    along: tuple[int, int]  # rows of a vertical streak, columns of a horizontal one
    border: bool = False  # a dark band at the image's edge (lid shadow, scanner cover)
    cuts_text: bool = False  # letters lie on both sides of it, in several places


def find(mask: np.ndarray, dpi: float) -> list[Streak]:
    """Vertical and horizontal streaks and dark borders in a 0/1 ink mask."""
    down = _along_columns(mask, dpi, DOWN_SHARE) + _borders(mask, dpi)
    across = _along_columns(mask.T, dpi, ACROSS_SHARE) + _borders(mask.T, dpi)
    return down + [Streak(False, s.across, s.along, s.border, s.cuts_text) for s in across]


def _along_columns(mask: np.ndarray, dpi: float, share: float) -> list[Streak]:
    """Vertical streaks: runs of adjacent columns that each hold one long run of ink.

    A streak fades and breaks towards its ends; from the column's longest run
    it is followed through every further run of a few millimetres.
    """
    need = share * mask.shape[0]
    gap = max(1, round(GAP_MM / 25.4 * dpi))
    piece = PIECE_MM / 25.4 * dpi
    counts = cv2.reduce(mask, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    spans: dict[int, tuple[int, int]] = {}
    for x in np.flatnonzero(counts >= need):
        starts, stops = _runs(mask[:, x], gap)
        lengths = stops - starts
        if lengths.max() >= need:
            pieces = lengths >= piece
            spans[int(x)] = (int(starts[pieces].min()), int(stops[pieces].max()))
    streaks = []
    for group in _adjacent(sorted(spans)):
        across = (group[0], group[-1] + 1)
        along = (min(spans[x][0] for x in group), max(spans[x][1] for x in group))
        streaks.append(Streak(True, across, along, cuts_text=_cuts_text(mask, across, along, dpi)))
    return streaks


def _runs(column: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts and stops of the runs of ink, bridging breaks up to ``gap`` long."""
    ink = np.flatnonzero(column)
    breaks = np.flatnonzero(np.diff(ink) > gap + 1)
    starts = np.r_[ink[0], ink[breaks + 1]]
    stops = np.r_[ink[breaks], ink[-1]] + 1
    return starts, stops


def _adjacent(xs: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for x in xs:
        if groups and x == groups[-1][-1] + 1:
            groups[-1].append(x)
        else:
            groups.append([x])
    return groups


def _cuts_text(mask: np.ndarray, across: tuple[int, int], along: tuple[int, int], dpi: float) -> bool:
    """Whether a vertical line has letters close on both sides in several places.

    A rule that meets it (a table's grid) also puts ink on both sides, but as
    a solid run several millimetres long, which no letter stroke is.
    """
    near = max(2, round(NEAR_MM / 25.4 * dpi))
    far = max(near + 1, round(RULE_MM / 25.4 * dpi))
    (a, b), (y0, y1) = across, along
    # Skip the pixel next to the line: it may be the line's own ragged edge.
    left = mask[y0:y1, max(0, a - 1 - far) : max(0, a - 1)][:, ::-1]
    right = mask[y0:y1, b + 1 : b + 1 + far]
    if left.shape[1] < far or right.shape[1] < far:
        return False  # at the page's edge: nothing to cut through
    letters = [side[:, :near].any(axis=1) & ~side.all(axis=1) for side in (left, right)]
    both = np.r_[False, letters[0] & letters[1], False].astype(np.int8)
    return int((np.diff(both) == 1).sum()) >= MIN_CUTS


def _borders(mask: np.ndarray, dpi: float) -> list[Streak]:
    """Dark bands down the left and right edges: columns mostly ink, from the edge in.

    Such a band is ragged and broken, so it is told by its density, not by
    one unbroken run; no column through text is anywhere near half ink.
    """
    h, w = mask.shape
    dense = cv2.reduce(mask, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel() >= BORDER_SHARE * h
    reach = min(w // 2, round(BORDER_MM / 25.4 * dpi))
    found = []
    left, right = _band_width(dense[:reach]), _band_width(dense[::-1][:reach])
    if left:
        found.append(Streak(True, (0, left), (0, h), border=True))
    if right:
        found.append(Streak(True, (w - right, w), (0, h), border=True))
    return found


def _band_width(dense_from_edge: np.ndarray) -> int:
    """How many columns from the edge belong to a dense band (0: none)."""
    # A light column or two may sit at the very edge, outside the band.
    start = next((i for i in range(min(3, dense_from_edge.size)) if dense_from_edge[i]), None)
    if start is None:
        return 0
    light = np.flatnonzero(~dense_from_edge[start:])
    return start + (int(light[0]) if light.size else dense_from_edge.size - start)


def text_only(mask: np.ndarray, streaks: list[Streak]) -> np.ndarray:
    """The mask with the streaks cut out, letters they crossed mended, borders cleared."""
    if not streaks:
        return mask
    out = erase(mask, [s for s in streaks if not s.border], margin=1, ink_high=True)
    for s in streaks:
        if s.border:
            band = out if s.vertical else out.T
            band[s.along[0] : s.along[1], s.across[0] : s.across[1]] = 0
    return out


def to_erase(streaks: list[Streak], sx: float, sy: float, dpi: float) -> list[Streak]:
    """Thin streaks that cut through text, scaled by (sx, sy) and a pixel wider each side."""
    thin = THIN_MM / 25.4 * dpi + 1
    out = []
    for s in streaks:
        if s.border or not s.cuts_text or s.across[1] - s.across[0] > thin:
            continue
        fa, fl = (sx, sy) if s.vertical else (sy, sx)
        across = (int(s.across[0] * fa) - 1, int(np.ceil(s.across[1] * fa)) + 1)
        along = (int(s.along[0] * fl), int(np.ceil(s.along[1] * fl)))
        out.append(Streak(s.vertical, across, along, cuts_text=True))
    return out


def _exact(image: np.ndarray, s: Streak) -> tuple[int, int]:
    """The columns a vertical streak really covers in a grey image, within its rough band.

    Found at a lower resolution, the band is a few pixels too wide; every
    extra column costs letter strokes that happen to lie along the streak.
    """
    (a, b), (y0, y1) = s.across, s.along
    a, b = max(0, a), min(image.shape[1], b)
    dark = (image[y0:y1, a:b] < 128).mean(axis=0)
    solid = np.flatnonzero(dark >= 0.6 * dark.max()) if dark.size and dark.max() > 0.3 else np.empty(0, np.intp)
    if len(solid) == 0:
        return a, b
    return a + int(solid[0]), a + int(solid[-1]) + 1


def erase(
    image: np.ndarray, streaks: list[Streak], *, margin: int = 0, ink_high: bool = False
) -> np.ndarray:
    """Paint streaks with the paper beside them, keeping strokes that cross them.

    A pixel of the streak becomes the lightest of itself and its two
    neighbours just outside the streak: where a letter's stroke crosses, both
    sides are ink and it stays ink; elsewhere it turns to paper. ``ink_high``
    is for a mask where ink is 1: there the most paper-like value is the least.
    """
    out = image.copy()
    lighter = np.minimum if ink_high else np.maximum
    for s in streaks:
        band = out if s.vertical else out.T  # a view: writes land in `out`
        a, b = _exact(band, s) if not ink_high else s.across
        a = max(1, a - margin)
        b = min(band.shape[1] - 1, b + margin)
        y0, y1 = s.along
        if b <= a:
            continue
        side = lighter(band[y0:y1, a - 1], band[y0:y1, b])
        lighter(band[y0:y1, a:b], side[:, None], out=band[y0:y1, a:b])
    return out
