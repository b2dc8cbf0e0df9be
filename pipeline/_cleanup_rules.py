"""Photocopier streaks: long dark lines along the scan's own axes.

A dirty drum or a scratched glass draws a line down (or across) the whole
copy, straight in the scanner's axes whatever the tilt of the text. In the
analysis mask such a line would look like text turned 90° (or pull the skew
towards 0°); in the OCR image Tesseract reads it as "|", "l" or "I" and it
splits words. Lines that long are found from the column (row) ink counts,
which is cheap, then checked for one unbroken run.
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
THIN_MM = 2.0
BORDER_SHARE = 0.5  # an edge column this much ink is a dark border, not text
BORDER_MM = 25.0  # how far in from the edge a border may reach  # streaks this thin or thinner are painted out of the OCR image


@dataclass(frozen=True)
class Streak:
    """A line along a page axis; ranges are [start, stop) in some image's pixels."""

    vertical: bool
    across: tuple[int, int]  # columns of a vertical streak, rows of a horizontal one
    along: tuple[int, int]  # rows of a vertical streak, columns of a horizontal one
    border: bool = False  # a dark band at the image's edge (lid shadow, scanner cover)


def find(mask: np.ndarray, dpi: float) -> list[Streak]:
    """Vertical and horizontal streaks in a 0/1 ink mask."""
    gap = max(1, round(GAP_MM / 25.4 * dpi))
    found = _along_columns(mask, gap, dpi, DOWN_SHARE) + _borders(mask, dpi)
    across = _along_columns(mask.T, gap, dpi, ACROSS_SHARE) + _borders(mask.T, dpi)
    return found + [Streak(False, s.across, s.along, s.border) for s in across]


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


def _along_columns(mask: np.ndarray, gap: int, dpi: float, share: float) -> list[Streak]:
    """Vertical streaks: runs of adjacent columns that each hold one long run of ink.

    A streak fades and breaks towards its ends; from the column's longest run
    it is followed through every further run of a few millimetres.
    """
    h = mask.shape[0]
    need = share * h
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
        start = min(spans[x][0] for x in group)
        stop = max(spans[x][1] for x in group)
        streaks.append(Streak(True, (group[0], group[-1] + 1), (start, stop)))
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


def scaled(streaks: list[Streak], sx: float, sy: float, dpi: float) -> list[Streak]:
    """The thin streaks, in an image ``sx``/``sy`` times larger, a pixel wider each side."""
    thin = THIN_MM / 25.4 * dpi + 1
    out = []
    for s in streaks:
        if s.border or s.across[1] - s.across[0] > thin:
            continue  # dark bands at the edge are left to Tesseract, which skips them
        fa, fl = (sx, sy) if s.vertical else (sy, sx)
        out.append(
            Streak(
                s.vertical,
                (int(s.across[0] * fa) - 1, int(np.ceil(s.across[1] * fa)) + 1),
                (int(s.along[0] * fl), int(np.ceil(s.along[1] * fl))),
            )
        )
    return out


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
        a = max(1, s.across[0] - margin)
        b = min(band.shape[1] - 1, s.across[1] + margin)
        y0, y1 = s.along
        if b <= a:
            continue
        side = lighter(band[y0:y1, a - 1], band[y0:y1, b])
        lighter(band[y0:y1, a:b], side[:, None], out=band[y0:y1, a:b])
    return out
