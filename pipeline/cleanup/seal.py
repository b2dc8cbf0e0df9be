"""Round and oval seals on black-and-white pages: their rings, centre mark and
lettering taken out.

On a colour scan the red seal is dropped by its colour (``_cleanup_tone``).
A photocopy or a bilevel scan makes it black, and a faded page's local
threshold keeps it: its rings then join the signer's position and name
(the seal is stamped over them) into one big shape, and Tesseract's page
layout analysis drops the whole signature block as a picture.

A seal is found as a circle (Hough, on a ~50 dpi copy) and confirmed by
its ring: ink all the way round at one radius, which no text does (a line
of text crossing the circle covers only a few degrees of it). Oval seals
(agencies' and schools' are drawn out wide, and stamped a little turned)
are found the same way on copies squeezed across by an oval's width over
its height, their outer edge fitted, then their width, height and turn are
refined like the centre: every measure is taken on the oval mapped back onto
a circle. Only the radii where the ink goes (nearly) all the way round are
whitened, and the large solid mark in the middle (a star, an emblem). Text
crossing a ring loses only the ring's width where they cross. The lettering
between the rings, scattered over the signer's lines once the rings are gone,
goes too: the glyphs lying wholly between the rings, as tall across them as
its letters, that stand on no text line running through the seal.
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
LETTERING_ARCS = 72  # the band between the rings cut in arcs of 5°: lettering has ink
LETTERING_AROUND = 0.6  # in this share of them at least (text crossing a seal, in a few)
# The radii where the lettering's ink is at least this share of its densest radius's are
# its letters' height across the band; a shape between the rings is one of its letters if
# it lies within that height and this share about, and reaches over this share of it, or a
# mark if it reaches over less than this share.
LETTERING_DENSE = 0.5
LETTERING_SLACK = 0.25
LETTERING_TALL = 0.5
LETTERING_MARK = 0.3
# A glyph between the rings on the foot of a text line's glyph (within this share of its
# height), as tall within this factor, this many heights from it at most, is the line's:
# grown this many steps from the glyphs that are no lettering.
LINE_FOOT = 0.12
LINE_TALL = 1.4
LINE_GAP = 1.0
LINE_STEPS = 6
OVAL_ASPECTS = (1.25, 1.5)  # width over height of the oval seals looked for, refined from there
OVAL_LIMITS = ((1.1, 1.8), (-30.0, 30.0))  # an oval's width over height, and its turn (degrees)
OVAL_TRIES = 300  # ellipses through five edge points tried for an oval's outer edge
OVAL_EDGE_OFF = 0.02  # an edge point this share of the radius off an ellipse lies on it


@dataclass(frozen=True)
class Seal:
    """A confirmed seal, in the image's pixels: centre, and the rings' radius intervals."""

    cx: float
    cy: float
    rings: tuple[tuple[int, int], ...]  # [r0, r1) of each ring, outermost last
    aspect: float = 1.0  # an oval's width over its height; the rings' radii are its heights
    tilt: float = 0.0  # degrees an oval is turned, clockwise on the page

    @property
    def radius(self) -> int:
        return self.rings[-1][1]

    def distance(self, x: float, y: float) -> float:
        """Distance from the centre, in the rings' radii (an oval's heights)."""
        a = _to_circle(self.aspect, self.tilt)
        dx, dy = x - self.cx, y - self.cy
        return float(np.hypot(a[0, 0] * dx + a[0, 1] * dy, a[1, 0] * dx + a[1, 1] * dy))


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
    """The round and oval seals on a bilevel page."""
    h, w = binary.shape
    f = max(1, round(dpi / HOUGH_DPI))
    small = cv2.resize(binary, (w // f, h // f), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(cv2.bitwise_not(small), (0, 0), 1.0)
    px_mm = dpi / f / 25.4
    seals: list[Seal] = []
    for aspect in (1.0, *OVAL_ASPECTS):
        # An oval squeezed across by its width over its height is (nearly) a circle.
        squeezed = small if aspect == 1.0 else cv2.resize(
            small, (round(small.shape[1] / aspect), small.shape[0]), interpolation=cv2.INTER_AREA)
        circles = cv2.HoughCircles(
            squeezed, cv2.HOUGH_GRADIENT, dp=1, minDist=2 * RADIUS_MM[0] * px_mm, param1=100,
            param2=25, minRadius=int(RADIUS_MM[0] * px_mm), maxRadius=int(RADIUS_MM[1] * px_mm),
        )
        if circles is None:
            continue
        for x, y, r in circles[0][:MAX_CANDIDATES]:
            cx, cy, radius = (x + 0.5) * f * aspect, (y + 0.5) * f, r * f
            if any(s.distance(cx, cy) < s.radius for s in seals):
                continue
            seal = _confirm(binary, cx, cy, radius, f, aspect)
            if seal is not None:
                seals.append(seal)
    return seals


def _to_circle(aspect: float, tilt: float) -> np.ndarray:
    """The 2×2 map taking offsets from an oval's centre onto a circle of its height."""
    t = np.deg2rad(tilt)
    c, s = np.cos(t), np.sin(t)
    return np.array([[c / aspect, s / aspect], [-s, c]])


def _polar(binary: np.ndarray, cx: float, cy: float, rmax: float, angles: int,
           aspect: float = 1.0, tilt: float = 0.0) -> np.ndarray:
    """Ink (255) round (cx, cy): a row per angle, a column per whole radius to ``rmax``
    (an oval mapped onto a circle of its height first)."""
    if aspect == 1.0 and tilt == 0.0:
        h, w = binary.shape
        x0, y0 = max(0, int(cx - rmax) - 1), max(0, int(cy - rmax) - 1)
        x1, y1 = min(w, int(cx + rmax) + 2), min(h, int(cy + rmax) + 2)
        crop = cv2.bitwise_not(binary[y0:y1, x0:x1])
        centre = (cx - x0, cy - y0)
    else:
        side = 2 * int(rmax) + 4
        a = _to_circle(aspect, tilt)
        shift = np.array([side / 2, side / 2]) - a @ np.array([cx, cy])
        crop = cv2.bitwise_not(cv2.warpAffine(
            binary, np.hstack([a, shift[:, None]]), (side, side),
            flags=cv2.INTER_NEAREST, borderValue=255))
        centre = (side / 2, side / 2)
    return cv2.warpPolar(crop, (int(rmax), angles), centre, rmax,
                         cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST)


def _profile(binary: np.ndarray, cx: float, cy: float, rmax: float,
             aspect: float = 1.0, tilt: float = 0.0) -> np.ndarray:
    """Share of the angles with ink, at each whole radius from 0 to ``rmax``."""
    return _polar(binary, cx, cy, rmax, ANGLES, aspect, tilt).mean(axis=0) / 255.0


def _confirm(binary: np.ndarray, cx: float, cy: float, radius: float, step: int,
             aspect: float = 1.0) -> Seal | None:
    """A seal at about (cx, cy) if some radius has ink nearly all round; its exact centre
    (and an oval's exact width and turn)."""
    rmax = 1.3 * radius
    lo = int(0.6 * radius)
    seen = _profile(binary, cx, cy, rmax, aspect)
    if len(seen) <= lo or float(np.convolve(seen, np.ones(5) / 5, "same")[lo:].max()) < SEEN_COVER:
        return None
    tilt = 0.0
    if aspect == 1.0:
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
    else:
        traced = _traced_oval(binary, cx, cy, aspect, radius)
        if traced is None:
            return None
        (cx, cy, aspect, tilt), prof = _sharpest_oval(binary, traced, rmax, lo, step)
    if float(prof[lo:].max()) < RING_COVER:
        return None
    rings = _runs(prof, lo, RING_COVER * 0.8)
    # The inner ring of a seal is thinner and often broken: look for it inside the outer one.
    inner_lo = int(0.4 * radius)
    inner = [r for r in _runs(prof, inner_lo, RING_COVER * 0.6) if r[1] <= rings[0][0]]
    return Seal(float(cx), float(cy), tuple(sorted(set(inner[-1:] + rings))), float(aspect), float(tilt))


def _traced_oval(binary: np.ndarray, cx: float, cy: float, aspect: float,
                 radius: float) -> tuple[float, float, float, float] | None:
    """Centre, width over height and turn of an oval fitted to its outer edge.

    Round a first guess, every outer edge of ink near the guessed ring is a point
    the edge may pass through: the ring's own at (nearly) every angle, and those
    of text and a signature crossing it. Ellipses through five points at angles
    spread round are tried (a fixed-seed sample), and the one passing closest to
    points at the most angles is refitted to those points."""
    lo, hi = int(0.75 * radius), int(1.3 * radius)
    polar = _polar(binary, cx, cy, hi + 1, ANGLES, aspect) >= 128
    back = np.linalg.inv(_to_circle(aspect, 0.0))
    by_angle: list[np.ndarray] = []
    for k in range(ANGLES):
        ink = polar[k, lo:hi]
        ends = lo + np.flatnonzero(ink & ~np.append(ink[1:], False)) + 0.5  # runs' outer edges
        theta = 2 * np.pi * k / ANGLES
        offsets = back @ np.vstack([ends * np.cos(theta), ends * np.sin(theta)])
        by_angle.append(np.column_stack([cx + offsets[0], cy + offsets[1]]).astype(np.float32))
    if sum(len(p) > 0 for p in by_angle) < 0.5 * ANGLES:
        return None
    points = np.concatenate(by_angle)
    angle_of = np.concatenate([np.full(len(p), k) for k, p in enumerate(by_angle)])
    rng = np.random.default_rng(0)
    best, best_angles = None, 0
    for _ in range(OVAL_TRIES):
        start = int(rng.integers(ANGLES))
        sample = []
        for j in range(5):
            k = (start + j * ANGLES // 5) % ANGLES
            if len(by_angle[k]):
                sample.append(by_angle[k][rng.integers(len(by_angle[k]))])
        if len(sample) < 5:
            continue
        oval = _oval_through(np.array(sample, np.float32), radius)
        if oval is None:
            continue
        near = _off_oval(oval, points) <= OVAL_EDGE_OFF
        angles = len(np.unique(angle_of[near]))
        if angles > best_angles:
            best, best_angles = oval, angles
    if best is None:
        return None
    near = _off_oval(best, points) <= OVAL_EDGE_OFF
    refit = _oval_through(points[near], radius) if near.sum() >= 5 else None
    oval = refit or best
    (ex, ey), _, _ = oval
    wide, tilt = _wide_and_turn(oval)
    return float(ex), float(ey), float(wide), float(tilt)


def _oval_through(points: np.ndarray, radius: float) -> tuple | None:
    """The ellipse fitted to ``points`` if it could be a seal's outer edge: its height
    near ``radius`` and its width over height within ``OVAL_LIMITS``."""
    oval = cv2.fitEllipse(points)
    (_, _), (w, h), _ = oval
    if min(w, h) <= 0:
        return None
    if not (_oval_allowed(*_wide_and_turn(oval)) and 0.7 <= min(w, h) / 2 / radius <= 1.3):
        return None
    return oval


def _wide_and_turn(oval: tuple) -> tuple[float, float]:
    """A fitted ellipse's width over height and turn (degrees, within ±90)."""
    (_, _), (w, h), turn = oval
    # fitEllipse turns its first axis by ``turn``: the wide axis is that one or the other.
    wide, tilt = (w / h, turn) if w >= h else (h / w, turn - 90.0)
    return wide, (tilt + 90.0) % 180.0 - 90.0


def _oval_allowed(wide: float, tilt: float) -> bool:
    """Whether an oval this wide over its height and this turned may be a seal."""
    (a_lo, a_hi), (t_lo, t_hi) = OVAL_LIMITS
    return a_lo <= wide <= a_hi and t_lo <= tilt <= t_hi


def _off_oval(oval: tuple, points: np.ndarray) -> np.ndarray:
    """How far each point is off the ellipse, as a share of its radius there."""
    (ex, ey), (w, h), turn = oval
    t = np.deg2rad(turn)
    dx, dy = points[:, 0] - ex, points[:, 1] - ey
    return np.abs(np.hypot((np.cos(t) * dx + np.sin(t) * dy) / (w / 2),
                           (-np.sin(t) * dx + np.cos(t) * dy) / (h / 2)) - 1)


def _sharpest_oval(binary: np.ndarray, guess: tuple[float, float, float, float], rmax: float,
                   lo: int, step: int) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """Centre, width over height and turn of the oval with the sharpest rings near
    ``guess``: each moved in turn while that sharpens them, in ever finer steps."""

    def sharpness(p: np.ndarray) -> tuple[float, np.ndarray]:
        prof = _profile(binary, p[0], p[1], rmax, p[2], p[3])
        return float(np.square(prof[lo:]).sum()), prof

    best = np.array(guess, float)
    top, prof = sharpness(best)
    moves = np.array([step / 2, step / 2, 0.04, 2.0])
    for _ in range(4):
        for _ in range(12):  # a bounded climb: the rings sharpen for a few steps, then settle
            moved = False
            for k in range(4):
                for sign in (1.0, -1.0):
                    trial = best.copy()
                    trial[k] += sign * moves[k]
                    if not _oval_allowed(trial[2], trial[3]):
                        continue
                    score, p = sharpness(trial)
                    if score > top:
                        top, prof, best, moved = score, p, trial, True
            if not moved:
                break
        moves /= 2
    return (float(best[0]), float(best[1]), float(best[2]), float(best[3])), prof


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
    reach_out = r_out * max(1.0, seal.aspect)  # an oval's half width bounds it every way
    x0, y0 = max(0, int(seal.cx - reach_out)), max(0, int(seal.cy - reach_out))
    x1, y1 = min(w, int(seal.cx + reach_out) + 1), min(h, int(seal.cy + reach_out) + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    a = _to_circle(seal.aspect, seal.tilt)
    dx, dy = xx + 0.5 - seal.cx, yy + 0.5 - seal.cy
    u, v = a[0, 0] * dx + a[0, 1] * dy, a[1, 0] * dx + a[1, 1] * dy
    dist = np.hypot(u, v)
    angle = (np.arctan2(v, u) / (2 * np.pi) * CROSS_ANGLES).astype(np.int32) % CROSS_ANGLES
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
    _erase_lettering(region, dist, angle, seal, pad)


def _erase_lettering(region: np.ndarray, dist: np.ndarray, angle: np.ndarray, seal: Seal,
                     pad: int) -> None:
    """Whiten the seal's own lettering, once its rings are gone: shapes lying wholly
    between the rings and reaching across the band as its letters do (from their foot to
    their top, a band the ink's density at each radius shows), or much shorter (a mark,
    a dot). Ink reaching past the band (text or a signature crossing the seal, whose
    strokes keep the rings where they cross) is left; so is a glyph of the lettering
    touching it."""
    if len(seal.rings) < 2:
        return
    band_lo, band_hi = seal.rings[-2][1], seal.rings[-1][0]
    if band_hi - band_lo < 4 * pad:
        return
    ink = region < 128
    radius = dist.astype(np.int32)
    inside = (radius >= band_lo) & (radius < band_hi)
    # Lettering runs round the band; text crossing a seal that has none covers a few arcs.
    around = np.unique(angle[inside & ink] * LETTERING_ARCS // CROSS_ANGLES)
    if len(around) < LETTERING_AROUND * LETTERING_ARCS:
        return
    share = (np.bincount(radius[inside & ink], minlength=band_hi)[band_lo:band_hi]
             / np.maximum(1, np.bincount(radius[inside], minlength=band_hi)[band_lo:band_hi]))
    if share.max() <= 0:
        return
    dense = np.flatnonzero(share >= LETTERING_DENSE * share.max())
    foot, top = band_lo + int(dense[0]), band_lo + int(dense[-1]) + 1
    height = top - foot
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    lettering = np.zeros(n, bool)
    slack = LETTERING_SLACK * height
    for k in range(1, n):
        x, y, bw, bh, _ = stats[k]
        d = dist[y:y + bh, x:x + bw][labels[y:y + bh, x:x + bw] == k]
        r0, r1 = float(d.min()), float(d.max())
        if r0 < band_lo - pad or r1 > band_hi + pad:
            continue
        letter = r0 >= foot - slack and r1 <= top + slack and r1 - r0 >= LETTERING_TALL * height
        lettering[k] = letter or r1 - r0 < LETTERING_MARK * height
    _keep_text_lines(stats, lettering)
    for glyph in np.flatnonzero(lettering):
        gx, gy, gw, gh = (int(v) for v in stats[glyph, :4])
        mine = (labels[gy:gy + gh, gx:gx + gw] == glyph).astype(np.uint8)
        region[gy:gy + gh, gx:gx + gw][cv2.dilate(mine, np.ones((3, 3), np.uint8)) > 0] = 255


def _keep_text_lines(stats: np.ndarray, lettering: np.ndarray) -> None:
    """Take back from ``lettering`` the glyphs of a text line running through the band
    ("TM." of "TM. ỦY BAN NHÂN DÂN" between the rings): those standing upright on the
    same foot, as tall, a letter's width or so from a glyph of the line; a turned letter
    of the seal's beside the line stands on no common foot with it. Grown from the
    shapes that are no lettering."""
    x0, y0 = stats[:, 0], stats[:, 1]
    x1, y1 = x0 + stats[:, 2], y0 + stats[:, 3]
    tall = stats[:, 3].astype(float)
    lines = ~lettering
    lines[0] = False  # the background
    for _ in range(LINE_STEPS):
        taken = False
        for k in np.flatnonzero(lettering):
            near = lines & (np.abs(y1 - y1[k]) <= LINE_FOOT * tall[k]) \
                & (tall >= tall[k] / LINE_TALL) & (tall <= tall[k] * LINE_TALL) \
                & (np.maximum(x0 - x1[k], x0[k] - x1) <= LINE_GAP * tall[k])
            if near.any():
                lettering[k], lines[k], taken = False, True, True
        if not taken:
            break


def _ring_extents(out: np.ndarray, seal: Seal, pad: int, reach: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per ring, per angle (``CROSS_ANGLES`` round): the radii [lo, hi) to whiten,
    empty where a stroke crosses the ring."""
    rmax = seal.radius + pad + reach + 2
    polar = _polar(out, seal.cx, seal.cy, rmax, CROSS_ANGLES, seal.aspect, seal.tilt) >= 128
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
    return all(seal.distance(px, py) <= r for px, py in corners)
