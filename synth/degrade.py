"""Degradation profiles: what scanning, copying and photographing do to a page.

Each profile takes the clean upright page (RGB uint8) and a seeded numpy
generator and returns the degraded image with the 3×3 homography that maps
upright-page pixel coordinates onto it, so the ground-truth boxes can follow
the pixels. Coordinates use pixel edges (0 … width), not pixel centres.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import cv2
import numpy as np
from PIL import Image


@dataclass
class Degraded:
    image: np.ndarray  # H×W×3 uint8 (RGB), or H×W uint8 with 0/255 for a bilevel page
    matrix: np.ndarray  # 3×3 float64: upright page (edges) → image (edges)
    mode: str = "RGB"  # "RGB" or "1"
    rotation: int = 0  # clockwise turn that makes the image upright
    skew: float = 0.0  # counter-clockwise degrees the content is turned
    jpeg_quality: int | None = None  # the profile asks for this JPEG quality
    jpeg_bytes: bytes | None = None  # already-encoded JPEG (written as is, no recompression)
    params: dict[str, Any] = field(default_factory=dict)


Profile = Callable[[np.ndarray, np.random.Generator, int], Degraded]

IDENTITY = np.eye(3)


def _shift(d: float) -> np.ndarray:
    return np.array([[1, 0, d], [0, 1, d], [0, 0, 1]], dtype=np.float64)


def _centre_to_edge(m: np.ndarray) -> np.ndarray:
    """OpenCV maps pixel centres; our boxes use pixel edges (edge = centre + 0.5)."""
    return _shift(0.5) @ m @ _shift(-0.5)


def _edge_to_centre(m: np.ndarray) -> np.ndarray:
    return _shift(-0.5) @ m @ _shift(0.5)


def _affine3(m: np.ndarray) -> np.ndarray:
    return np.vstack([m, [0, 0, 1]])


def _jpeg(rgb: np.ndarray, quality: int, dpi: int) -> tuple[np.ndarray, bytes]:
    """Encode as a real JPEG and decode it again, so the pixels carry true artefacts."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(
        buf, "JPEG", quality=quality, dpi=(dpi, dpi), subsampling=2, optimize=False
    )
    data = buf.getvalue()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), data


def _field(
    rng: np.random.Generator, shape: tuple[int, int], cells: int, lo: float, hi: float
) -> np.ndarray:
    """Smooth random field in [lo, hi] with about ``cells`` undulations across."""
    small = rng.random((cells + 1, cells + 1)).astype(np.float32)
    big = cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return (lo + (hi - lo) * big.clip(0, 1)).astype(np.float32)


# Gaussian noise is drawn through a quantile table: far faster than
# standard_normal on full pages, and still exactly seeded.
_QUANTILES = np.array([NormalDist().inv_cdf((i + 0.5) / 4096) for i in range(4096)], np.float32)


def _add_noise(img: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """Add zero-mean gaussian noise, the same on every channel (sensor noise is mostly luminance)."""
    h, w = img.shape[:2]
    idx = rng.integers(0, len(_QUANTILES), (h, w), dtype=np.uint16)
    tab = np.round(_QUANTILES * sigma).clip(-255, 255).astype(np.int16)
    plus: np.ndarray = np.take(tab.clip(0, 255).astype(np.uint8), idx)
    minus: np.ndarray = np.take((-tab).clip(0, 255).astype(np.uint8), idx)
    if img.ndim == 3:
        plus = cv2.cvtColor(plus, cv2.COLOR_GRAY2RGB)
        minus = cv2.cvtColor(minus, cv2.COLOR_GRAY2RGB)
    return cv2.subtract(cv2.add(img, plus), minus)


def _gain(img: np.ndarray, small: np.ndarray, top: float = 1.25) -> np.ndarray:
    """Multiply ``img`` by a smooth gain map given at low resolution (h', w'[, 3]), gains ≤ ``top``."""
    h, w = img.shape[:2]
    q = np.round(small.clip(0, top) * (255 / top)).astype(np.uint8)
    big = cv2.resize(q, (w, h), interpolation=cv2.INTER_LINEAR)
    if img.ndim == 3 and big.ndim == 2:
        big = cv2.cvtColor(big, cv2.COLOR_GRAY2RGB)
    return cv2.multiply(img, big, scale=top / 255)


def _rotate(
    img: np.ndarray, angle: float, border: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Turn counter-clockwise by ``angle`` degrees about the centre, same canvas size."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
    out = cv2.warpAffine(
        img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border
    )
    return out, _centre_to_edge(_affine3(m))


def _scale(dpi: int) -> float:
    """Sizes of physical effects are set for 300 dpi and scaled to the page's resolution."""
    return dpi / 300.0


# --------------------------------------------------------------------------- profiles


def clean(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    return Degraded(img, IDENTITY.copy())


def skew(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    angle = float(rng.uniform(0.5, 4.0) * rng.choice((-1, 1)))
    out, m = _rotate(img, angle, (255, 255, 255))
    return Degraded(out, m, skew=round(angle, 4), params={"angle": round(angle, 4)})


def rotated(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    """The sheet went through the scanner turned by a right angle.

    ``rotation`` r means the content is turned r degrees counter-clockwise in
    the image, so a viewer turns the image r degrees clockwise to read it.
    """
    r = int(rng.choice((90, 180, 270)))
    h, w = img.shape[:2]
    out = np.ascontiguousarray(np.rot90(img, k=r // 90))
    m = {
        90: [[0, 1, 0], [-1, 0, w], [0, 0, 1]],
        180: [[-1, 0, w], [0, -1, h], [0, 0, 1]],
        270: [[0, -1, h], [1, 0, 0], [0, 0, 1]],
    }[r]
    return Degraded(out, np.array(m, dtype=np.float64), rotation=r, params={"rotation": r})


def noise(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    h, w = img.shape[:2]
    sigma = float(rng.uniform(6, 14))
    out = _add_noise(img, rng, sigma)
    density = float(rng.uniform(0.0008, 0.003))
    n = int(density * h * w)
    ys = rng.integers(0, h - 1, n)
    xs = rng.integers(0, w - 1, n)
    salt = rng.random(n) < 0.5
    big = rng.random(n) < (0.5 if dpi >= 250 else 0.2)  # some specks span 2×2 pixels
    for dy, dx, sel in ((0, 0, np.ones(n, bool)), (0, 1, big), (1, 0, big), (1, 1, big)):
        out[ys[sel & salt] + dy, xs[sel & salt] + dx] = 255
        out[ys[sel & ~salt] + dy, xs[sel & ~salt] + dx] = 0
    return Degraded(
        out, IDENTITY.copy(), params={"sigma": round(sigma, 2), "salt_pepper": round(density, 5)}
    )


def blur(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    sigma = float(rng.uniform(0.9, 1.5) * _scale(dpi))
    out = cv2.GaussianBlur(img, (0, 0), sigma)
    return Degraded(out, IDENTITY.copy(), params={"sigma": round(sigma, 3)})


def jpeg(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    q = int(rng.integers(25, 41))
    out, data = _jpeg(img, q, dpi)
    return Degraded(out, IDENTITY.copy(), jpeg_quality=q, jpeg_bytes=data, params={"quality": q})


def faded(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    """Old paper: yellowed, ink faded to grey-brown unevenly, tea stains, uneven light."""
    h, w = img.shape[:2]
    sh, sw = max(8, h // 8), max(8, w // 8)  # smooth fields are made small, then enlarged
    paper = np.array(
        [rng.uniform(232, 244), rng.uniform(218, 230), rng.uniform(178, 198)], np.float32
    )
    ink = np.array([rng.uniform(70, 95), rng.uniform(55, 75), rng.uniform(40, 60)], np.float32)
    # Ink darkness (255 - value) is scaled by an uneven fading strength…
    strength = _field(
        rng, (sh, sw), 5, float(rng.uniform(0.45, 0.6)), float(rng.uniform(0.68, 0.8))
    )
    dark = _gain(cv2.bitwise_not(img), strength, 1.0)
    # …then mapped from paper colour (0) towards brown ink (255), per channel.
    d = np.arange(256, dtype=np.float32)[:, None] / 255.0
    lut = (paper[None, :] - d * (paper - ink)[None, :]).round().clip(0, 255).astype(np.uint8)
    out = cv2.LUT(dark, lut.reshape(256, 1, 3))
    # Tea stains: irregular blobs, light inside, a darker tide line at the rim.
    stain = np.zeros((sh, sw), np.float32)
    n_stains = int(rng.integers(1, 4))
    for _ in range(n_stains):
        cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
        r = rng.uniform(0.06, 0.16) * sw
        t = np.linspace(0, 2 * math.pi, 90, endpoint=False)
        wob = 1 + sum(
            rng.uniform(-0.12, 0.12) * np.sin(k * t + rng.uniform(0, 6.3)) for k in (2, 3, 5)
        )
        poly = np.stack([cx + r * wob * np.cos(t), cy + r * wob * np.sin(t)], 1).astype(np.int32)
        blob = np.zeros((sh, sw), np.uint8)
        cv2.fillPoly(blob, [poly], 255)
        inner = cv2.erode(blob, np.ones((3, 3), np.uint8), iterations=2)
        rim = (blob > 0) & (inner == 0)
        stain += (blob > 0) * float(rng.uniform(0.04, 0.08)) + rim * float(rng.uniform(0.08, 0.15))
    stain = cv2.GaussianBlur(stain, (0, 0), 1.2)
    # Uneven light, and stains that are brown (they take more blue than red).
    light = _field(rng, (sh, sw), 2, float(rng.uniform(0.84, 0.92)), 1.0)
    tint = np.array([0.8, 1.0, 1.5], np.float32)
    base = light[:, :, None] * (1 - stain[:, :, None] * tint[None, None, :])
    out = _gain(out, base, 1.0)
    out = cv2.GaussianBlur(out, (0, 0), 0.5 * _scale(dpi) + 0.2)  # ink bleeds into old paper
    out = _add_noise(out, rng, 3.0)
    return Degraded(out, IDENTITY.copy(), params={"stains": n_stains})


def photocopy(img: np.ndarray, rng: np.random.Generator, dpi: int) -> Degraded:
    """A worn office copier: bilevel, streaks from a dirty drum, toner specks."""
    h, w = img.shape[:2]
    s = _scale(dpi)
    angle = float(rng.uniform(-0.8, 0.8))
    gray, m = _rotate(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), angle, (255,))
    # Copiers darken mid-tones: red seal and blue ink come out dark but broken.
    curve = (255 * (np.arange(256) / 255.0) ** 1.6).round().astype(np.uint8)
    gray = cv2.LUT(gray, curve)
    gray = cv2.GaussianBlur(gray, (0, 0), 0.7 * s)
    gray = _add_noise(gray, rng, 14.0).astype(np.int16)
    # Vertical streaks (dirt on the drum), sometimes horizontal ones (paper feed).
    n_v = int(rng.integers(1, 4))
    for _ in range(n_v):
        x = int(rng.integers(int(w * 0.05), int(w * 0.95)))
        width = max(1, int(rng.integers(1, 5) * s))
        y0 = int(rng.integers(0, h // 3))
        y1 = int(rng.integers(2 * h // 3, h))
        prof = np.sin(np.linspace(0, math.pi, y1 - y0))
        darkness = (rng.uniform(110, 190) * (0.6 + 0.4 * prof))[:, None].astype(np.int16)
        gray[y0:y1, x : x + width] -= darkness
    n_h = int(rng.integers(0, 3))
    for _ in range(n_h):
        y = int(rng.integers(0, h))
        height = max(1, int(rng.integers(1, 4) * s))
        x0, x1 = sorted(int(v) for v in rng.integers(0, w, 2))
        gray[y : y + height, x0:x1] -= int(rng.uniform(100, 180))
    # Dark band along one edge where the lid did not close.
    side = int(rng.integers(0, 2))
    band = int(rng.uniform(2, 6) / 25.4 * dpi)
    edge = (np.linspace(1, 0, band) ** 2 * 200)[None, :] * _field(rng, (h, 1), 30, 0.6, 1.0)
    if side == 0:
        gray[:, :band] -= edge.astype(np.int16)
    else:
        gray[:, w - band :] -= edge[:, ::-1].astype(np.int16)
    gray = gray.clip(0, 255).astype(np.uint8)
    # Toner specks, some scattered, more near the edges.
    n = int(rng.uniform(1.5e-5, 4e-5) * h * w)
    near_edge = rng.choice([0, w - 1], n) + rng.normal(0, w * 0.04, n).astype(int)
    xs = np.concatenate([rng.integers(0, w, n), near_edge]).clip(0, w - 1)
    ys = rng.integers(0, h, len(xs))
    rad = rng.integers(1, max(2, int(3 * s)) + 1, len(xs))
    for x, y, r in zip(xs, ys, rad, strict=True):
        cv2.circle(gray, (int(x), int(y)), int(r), 0, -1)
    thr = float(rng.uniform(110, 135))
    out = np.where(gray > thr, 255, 0).astype(np.uint8)
    return Degraded(
        out,
        m,
        mode="1",
        skew=round(angle, 4),
        params={"angle": round(angle, 4), "threshold": round(thr, 1), "streaks": n_v + n_h},
    )


def phone(img: np.ndarray, rng: np.random.Generator, dpi: int, one_sided: bool = False) -> Degraded:
    """A phone photo of the page lying on a table.

    The frame is 3:4 portrait with the height of the A4 page at ``dpi``; the
    page fills 78–88 % of it, seen slightly from below (keystone), turned a
    little, shaded, colour-cast and softly focused, then saved as JPEG.
    ``one_sided``: lit from one side, so that on the other the paper darkens
    until its edge barely stands out from a table lit the same.
    """
    h, w = img.shape[:2]
    fh, fw = h, round(h * 3 / 4)
    s = float(rng.uniform(0.78, 0.88))
    pw, ph = w * s * fh / h, fh * s
    cx = fw / 2 + rng.uniform(-0.03, 0.03) * fw
    cy = fh / 2 + rng.uniform(-0.03, 0.03) * fh
    ang = math.radians(float(rng.uniform(-4, 4)))
    keystone = float(rng.uniform(0.0, 0.06)) * pw  # top edge farther from the camera
    quad = np.array(
        [
            [-pw / 2 + keystone, -ph / 2],
            [pw / 2 - keystone, -ph / 2],
            [pw / 2, ph / 2],
            [-pw / 2, ph / 2],
        ]
    )
    quad += rng.uniform(-0.012, 0.012, (4, 2)) * [pw, ph]
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    quad = quad @ rot.T + [cx, cy]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m_edge = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    m_centre = _edge_to_centre(m_edge.astype(np.float64))
    tables = [(112, 80, 52), (68, 68, 74), (58, 84, 66), (92, 86, 80)]
    table = np.array(tables[int(rng.integers(0, len(tables)))], np.float32)
    page = cv2.warpPerspective(
        img,
        m_centre,
        (fw, fh),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=tuple(float(v) for v in table),
    )
    # Table, made small and enlarged: a dark surface with grain and the page's soft shadow.
    k = 8
    sh, sw = fh // k, fw // k
    grain = _field(rng, (sh, sw), 40, 0.85, 1.1)
    grain = cv2.resize(
        cv2.resize(grain, (sw, max(2, sh // 8))), (sw, sh), interpolation=cv2.INTER_LINEAR
    )
    small_mask = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(small_mask, np.round(quad / k).astype(np.int32), 255)
    off = (np.array([rng.uniform(-1, 1), rng.uniform(0.3, 1)]) * 0.012 * sh).round().astype(int)
    moved = np.roll(small_mask, (int(off[1]), int(off[0])), axis=(0, 1))
    shadow = cv2.GaussianBlur(moved.astype(np.float32) / 255.0, (0, 0), 0.01 * sh + 1)
    bg_small = table[None, None, :] * (grain * (1 - 0.45 * shadow))[:, :, None]
    out = cv2.resize(
        bg_small.clip(0, 255).astype(np.uint8), (fw, fh), interpolation=cv2.INTER_LINEAR
    )
    mask = np.zeros((fh, fw), np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 255)
    cv2.copyTo(page, mask, out)
    shade_params: dict[str, float] = {}
    if one_sided:
        side = int(rng.integers(0, 2))  # 0: the left side is in shadow, 1: the right
        # 0 on the lit side of the paper, 1 at its edge on the shaded side (and beyond).
        left, right = float(quad[:, 0].min()), float(quad[:, 0].max())
        along = (np.arange(fw, dtype=np.float32) - left) / max(1.0, right - left)
        if side == 0:
            along = 1 - along
        start = float(rng.uniform(0.45, 0.65))
        depth = float(rng.uniform(0.6, 0.75))
        t = np.clip((along - start) / (1 - start), 0, 1)
        shade = 1 - depth * t
        lit = out.astype(np.float32) * shade[None, :, None]
        # The table in the same shadow takes the shaded paper's tone: the edge fades out.
        paper_tone = 255 * shade * 0.78
        lift = (0.75 * t)[None, :, None]
        on_table = (mask == 0)[:, :, None]
        lit = np.where(on_table, lit * (1 - lift) + paper_tone[None, :, None] * lift, lit)
        out = lit.clip(0, 255).astype(np.uint8)
        shade_params = {"shaded_side": float(side), "shade_depth": round(depth, 3)}
    # Light falls off across the frame; the white balance is off.
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    th = rng.uniform(0, 2 * math.pi)
    grad = ((xx / sw - 0.5) * math.cos(th) + (yy / sh - 0.5) * math.sin(th)) * rng.uniform(
        0.25, 0.4
    )
    vign = 1 - 0.25 * (((xx / sw - 0.5) ** 2 + (yy / sh - 0.5) ** 2) * 2)
    casts = [(1.04, 1.0, 0.86), (0.92, 0.98, 1.06), (1.0, 0.98, 0.92)]
    cast = np.array(casts[int(rng.integers(0, len(casts)))], np.float32)
    out = _gain(out, ((0.97 + grad) * vign)[:, :, None] * cast[None, None, :])
    sigma = float(rng.uniform(0.7, 1.2) * _scale(dpi))
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    out = _add_noise(out, rng, 4.0)
    q = int(rng.integers(78, 91))
    out, data = _jpeg(out, q, dpi)
    return Degraded(
        out,
        m_edge.astype(np.float64),
        skew=round(math.degrees(-ang), 4),
        jpeg_quality=q,
        jpeg_bytes=data,
        params={
            "scale": round(s, 4),
            "keystone_px": round(keystone, 1),
            "blur": round(sigma, 3),
            "quality": q,
            **shade_params,
        },
    )


@dataclass(frozen=True)
class ProfileInfo:
    fn: Profile
    default_format: str  # how a dossier of this profile is written unless told otherwise
    doc: str


PROFILES: dict[str, ProfileInfo] = {
    "clean": ProfileInfo(clean, "jpeg", "as rendered"),
    "skew": ProfileInfo(skew, "jpeg", "turned 0.5–4° either way, white fill"),
    "rotated": ProfileInfo(rotated, "jpeg", "turned 90/180/270°"),
    "noise": ProfileInfo(noise, "jpeg", "gaussian noise and salt-and-pepper specks"),
    "blur": ProfileInfo(blur, "jpeg", "slight defocus"),
    "jpeg": ProfileInfo(jpeg, "jpeg", "JPEG quality 25–40"),
    "faded": ProfileInfo(faded, "jpeg", "faded brown ink on yellowed paper, stains, uneven light"),
    "photocopy": ProfileInfo(
        photocopy, "tiff-g4", "bilevel copy, up to 0.8° crooked, streaks and toner specks"
    ),
    "phone": ProfileInfo(
        phone, "jpeg", "phone photo on a table: perspective, shading, colour cast"
    ),
}


def apply(
    img: np.ndarray,
    profile: str,
    rng: np.random.Generator,
    dpi: int,
    one_sided_light: bool = False,
) -> Degraded:
    """``one_sided_light``: a phone photo lit from one side (held-out pages)."""
    try:
        info = PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"unknown profile {profile!r}; choose from {', '.join(PROFILES)}"
        ) from None
    if one_sided_light and profile == "phone":
        return phone(img, rng, dpi, one_sided=True)
    return info.fn(img, rng, dpi)


def map_box(
    m: np.ndarray, box: tuple[int, int, int, int], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """Bounding box of a box's four corners through ``m``, clipped to the image; None if outside."""
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64).T
    q = m @ pts
    q = q[:2] / q[2]
    w, h = size
    bx0 = max(0, math.floor(q[0].min()))
    by0 = max(0, math.floor(q[1].min()))
    bx1 = min(w, math.ceil(q[0].max()))
    by1 = min(h, math.ceil(q[1].max()))
    if bx1 <= bx0 or by1 <= by0:
        return None
    return (bx0, by0, bx1, by1)
