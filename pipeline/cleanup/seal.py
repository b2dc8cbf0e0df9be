"""Round seals on black-and-white pages: their rings and centre mark taken out.

On a colour scan the red seal is dropped by its colour (``_cleanup_tone``).
A photocopy or a bilevel scan makes it black, and a faded page's local
threshold keeps it: its rings then join the signer's position and name
(the seal is stamped over them) into one big shape, and Tesseract's page
layout analysis drops the whole signature block as a picture.

A seal is found as a circle (Hough, on a ~50 dpi copy) and confirmed by
its ring: ink all the way round at one radius, which no text does (a line
of text crossing the circle covers only a few degrees of it). Only the
radii where the ink goes (nearly) all the way round are whitened, and the
large solid mark in the middle (a star, an emblem); the ring's own lettering
is left, as it is glyph-sized specks that no longer join anything. Text
crossing a ring loses only the ring's width where they cross.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

HOUGH_DPI = 50.0  # circles are looked for at about this resolution
RADIUS_MM = (12.0, 26.0)  # a round seal's outer radius (NĐ 30 seals are 30–42 mm across)
MAX_CANDIDATES = 8  # Hough circles checked, strongest first
RING_COVER = 0.7  # share of the circle's angles with ink at a ring's radius
SEEN_COVER = 0.35  # at the circle Hough proposes (centre a few pixels off): worth refining
ANGLES = 360
CROSS_ANGLES = 720  # angular resolution of the crossing test
CROSS_MM = 0.25  # ink running on this far both sides of a ring is a stroke crossing it
CENTRE_MARK = 2.5  # a component inside the inner ring this many text heights tall is a mark


@dataclass(frozen=True)
class Seal:
    """A confirmed seal, in the image's pixels: centre, and the rings' radius intervals."""

    cx: float
    cy: float
    rings: tuple[tuple[int, int], ...]  # [r0, r1) of each ring, outermost last

    @property
    def radius(self) -> int:
        return self.rings[-1][1]


def remove(binary: np.ndarray, dpi: float) -> tuple[np.ndarray, list[Seal]]:
    """``binary`` (0 ink / 255 paper) with its seals' rings and centre marks whitened."""
    seals = find(binary, dpi)
    if not seals:
        return binary, []
    out = binary.copy()
    for seal in seals:
        _erase(out, seal, dpi)
    return out, seals


def find(binary: np.ndarray, dpi: float) -> list[Seal]:
    """The round seals on a bilevel page."""
    h, w = binary.shape
    f = max(1, round(dpi / HOUGH_DPI))
    small = cv2.resize(binary, (w // f, h // f), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(cv2.bitwise_not(small), (0, 0), 1.0)
    px_mm = dpi / f / 25.4
    circles = cv2.HoughCircles(
        small, cv2.HOUGH_GRADIENT, dp=1, minDist=2 * RADIUS_MM[0] * px_mm, param1=100,
        param2=25, minRadius=int(RADIUS_MM[0] * px_mm), maxRadius=int(RADIUS_MM[1] * px_mm),
    )
    if circles is None:
        return []
    seals: list[Seal] = []
    for x, y, r in circles[0][:MAX_CANDIDATES]:
        cx, cy, radius = (x + 0.5) * f, (y + 0.5) * f, r * f
        if any(np.hypot(cx - s.cx, cy - s.cy) < s.radius for s in seals):
            continue
        seal = _confirm(binary, cx, cy, radius, f)
        if seal is not None:
            seals.append(seal)
    return seals


def _profile(binary: np.ndarray, cx: float, cy: float, rmax: float) -> np.ndarray:
    """Share of the angles with ink, at each whole radius from 0 to ``rmax``."""
    h, w = binary.shape
    x0, y0 = max(0, int(cx - rmax) - 1), max(0, int(cy - rmax) - 1)
    x1, y1 = min(w, int(cx + rmax) + 2), min(h, int(cy + rmax) + 2)
    crop = cv2.bitwise_not(binary[y0:y1, x0:x1])
    polar = cv2.warpPolar(
        crop, (int(rmax), ANGLES), (cx - x0, cy - y0), rmax,
        cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST,
    )
    return polar.mean(axis=0) / 255.0


def _confirm(binary: np.ndarray, cx: float, cy: float, radius: float, step: int) -> Seal | None:
    """A seal at about (cx, cy) if some radius has ink nearly all round; its exact centre."""
    rmax = 1.3 * radius
    lo = int(0.6 * radius)
    seen = _profile(binary, cx, cy, rmax)
    if len(seen) <= lo or float(np.convolve(seen, np.ones(5) / 5, "same")[lo:].max()) < SEEN_COVER:
        return None
    best = (-1.0, cx, cy, seen)
    # The circle is found on a copy ``step`` times smaller: search the centre around it,
    # coarse then fine, for the sharpest rings (off centre, a ring spreads over more
    # radii with less ink at each: the sum of squares falls).
    for span, inc in ((step, max(1, step // 2)), (max(1, step // 2), 1)):
        _, bx, by, _ = best
        for dx in range(-span, span + 1, inc):
            for dy in range(-span, span + 1, inc):
                prof = _profile(binary, bx + dx, by + dy, rmax)
                sharp = float(np.square(prof[lo:]).sum())
                if sharp > best[0]:
                    best = (sharp, bx + dx, by + dy, prof)
    _, cx, cy, prof = best
    if float(prof[lo:].max()) < RING_COVER:
        return None
    rings = _runs(prof, lo, RING_COVER * 0.8)
    # The inner ring of a seal is thinner and often broken: look for it inside the outer one.
    inner_lo = int(0.4 * radius)
    inner = [r for r in _runs(prof, inner_lo, RING_COVER * 0.6) if r[1] <= rings[0][0]]
    return Seal(float(cx), float(cy), tuple(sorted(set(inner[-1:] + rings))))


def _runs(prof: np.ndarray, lo: int, level: float) -> list[tuple[int, int]]:
    """[r0, r1) runs of radii from ``lo`` where the profile is at least ``level``."""
    above = np.concatenate([[False], prof[lo:] >= level, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    return [(lo + int(a), lo + int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _erase(out: np.ndarray, seal: Seal, dpi: float) -> None:
    """Whiten the rings where nothing crosses them, and any large solid mark inside
    the innermost ring.

    Each ring is followed angle by angle. Where a stroke crosses it (ink just
    inside and just outside it), the ring is kept, so that letters the ring runs
    through keep their stems; only the ring between them goes.
    """
    h, w = out.shape
    pad = max(1, round(dpi / 150))  # blur, and a stamp not quite round
    reach = max(2, round(CROSS_MM / 25.4 * dpi))
    r_out = seal.radius + pad + reach
    x0, y0 = max(0, int(seal.cx - r_out)), max(0, int(seal.cy - r_out))
    x1, y1 = min(w, int(seal.cx + r_out) + 1), min(h, int(seal.cy + r_out) + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    dist = np.hypot(xx + 0.5 - seal.cx, yy + 0.5 - seal.cy)
    angle = ((np.arctan2(yy + 0.5 - seal.cy, xx + 0.5 - seal.cx) / (2 * np.pi) * CROSS_ANGLES)
             .astype(np.int32) % CROSS_ANGLES)
    region = out[y0:y1, x0:x1]
    ring = np.zeros(region.shape, bool)
    for lo, hi in _ring_extents(out, seal, pad, reach):
        ring |= (dist >= lo[angle]) & (dist < hi[angle])
    region[ring] = 255
    # A centre mark: a component wholly inside the inner ring, much taller than text.
    inner = seal.rings[0][0] - pad
    ink = ((region < 255) & (dist < inner)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tall = CENTRE_MARK * 3.5 / 25.4 * dpi  # ~3.5 mm: a body-text line's height
    for k in range(1, n):
        x, y, bw, bh, _ = stats[k]
        limit = min(tall, 0.5 * inner)
        if bh >= limit and bw >= 0.5 * limit and _inside(x, y, bw, bh, x0, y0, seal, inner):
            region[cv2.dilate((labels == k).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0] = 255


def _ring_extents(out: np.ndarray, seal: Seal, pad: int, reach: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per ring, per angle (``CROSS_ANGLES`` round): the radii [lo, hi) to whiten,
    empty where a stroke crosses the ring."""
    rmax = seal.radius + pad + reach + 2
    h, w = out.shape
    x0, y0 = max(0, int(seal.cx - rmax) - 1), max(0, int(seal.cy - rmax) - 1)
    x1, y1 = min(w, int(seal.cx + rmax) + 2), min(h, int(seal.cy + rmax) + 2)
    crop = cv2.bitwise_not(out[y0:y1, x0:x1])
    polar = cv2.warpPolar(crop, (int(rmax), CROSS_ANGLES), (seal.cx - x0, seal.cy - y0), rmax,
                          cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST) >= 128
    found = []
    for r0, r1 in seal.rings:
        lo = np.full(CROSS_ANGLES, np.inf)  # [inf, 0): nothing to whiten
        hi = np.zeros(CROSS_ANGLES)
        crossed = np.zeros(CROSS_ANGLES, bool)
        for a in range(CROSS_ANGLES):
            col = polar[a]
            if not col[r0:r1].any():
                continue
            if col[max(0, r0 - pad - reach): max(0, r0 - pad)].any() and \
                    col[r1 + pad: r1 + pad + reach].any():
                crossed[a] = True  # ink just beside the ring on both sides: a stroke crosses it
                continue
            lo[a], hi[a] = r0 - pad, r1 + pad
        # Keep a crossing a step either side; elsewhere take the wider of neighbours.
        keep = crossed | np.roll(crossed, 1) | np.roll(crossed, -1)
        lo = np.minimum(lo, np.minimum(np.roll(lo, 1), np.roll(lo, -1)))
        hi = np.maximum(hi, np.maximum(np.roll(hi, 1), np.roll(hi, -1)))
        found.append((np.where(keep, np.inf, lo), np.where(keep, 0.0, hi)))
    return found


def _inside(x: int, y: int, bw: int, bh: int, x0: int, y0: int, seal: Seal, r: float) -> bool:
    """Whether the box (crop coordinates) lies within radius ``r`` of the centre."""
    corners = [(x0 + x, y0 + y), (x0 + x + bw, y0 + y), (x0 + x, y0 + y + bh), (x0 + x + bw, y0 + y + bh)]
    return all(np.hypot(px - seal.cx, py - seal.cy) <= r for px, py in corners)
