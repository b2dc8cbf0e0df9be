"""The non-text marks of a signed document: handwritten signature and red seal.

Both are returned as float32 coverage masks (0 = none, 1 = full ink) to be
multiplied onto the page in their ink colour, so the black text under them
stays readable, as with real ink.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .fonts import SEAL_FONT, load_path

SIGNATURE_BLUE = (28, 48, 150)
SEAL_RED = (212, 32, 44)


def scribble(rng: random.Random, px_per_mm: float, width_mm: float) -> np.ndarray:
    """A cursive-looking signature: a tall capital, a run of letters and a flourish."""
    # Control points in millimetres (y grows downwards), smoothed by a spline.
    ctrl: list[tuple[float, float]] = [(0.0, 2.0)]
    # Capital: a tall up-stroke with a loop at its top.
    cap = rng.uniform(9, 15)
    ctrl += [(2.0, -cap * 0.6), (4.5, -cap), (3.0, -cap * 1.05), (2.5, -cap * 0.7), (5.0, 0.0)]
    x = 5.0
    for i in range(rng.randint(5, 9)):
        x += rng.uniform(1.8, 3.6)
        if i % 2 == 0:
            tall = rng.random() < 0.35  # ascenders such as l, h, đ
            ctrl.append((x, -rng.uniform(5, 8) if tall else -rng.uniform(1.5, 3.5)))
            if tall and rng.random() < 0.6:  # a loop: come back left before descending
                ctrl.append((x - 1.6, -rng.uniform(1.0, 2.5)))
        else:
            ctrl.append((x, rng.uniform(-0.5, 1.5)))
    # Flourish: out to the right, then a long sweep back under the name.
    end = x
    ctrl += [
        (end + 3, -2.0),
        (end + 5, 0.5),
        (end * 0.6, rng.uniform(3.5, 6)),
        (rng.uniform(-2, 3), rng.uniform(4, 7)),
        (rng.uniform(-5, -2), rng.uniform(2, 5)),
    ]
    arr = _catmull_rom(np.array(ctrl, dtype=np.float64), 14)
    slant = rng.uniform(0.15, 0.4)  # italic slant of the hand
    arr[:, 0] -= arr[:, 1] * slant
    arr -= arr.min(axis=0)
    arr *= width_mm / max(float(arr[:, 0].max()), 1e-6) * px_per_mm
    pen = max(2, round(rng.uniform(0.35, 0.55) * px_per_mm))
    pad = pen * 2
    w = int(arr[:, 0].max()) + 2 * pad + 1
    h = int(arr[:, 1].max()) + 2 * pad + 1
    im = Image.new("L", (w, h), 0)
    ImageDraw.Draw(im).line(
        [(float(px) + pad, float(py) + pad) for px, py in arr], fill=255, width=pen, joint="curve"
    )
    mask = np.asarray(im, dtype=np.float32) / 255.0
    # Ballpoint ink is not uniform: lighter stretches along the stroke.
    mask *= 0.8 + 0.2 * _smooth_noise(rng, mask.shape, 6)
    return cv2.GaussianBlur(mask, (0, 0), 0.6)


def _catmull_rom(p: np.ndarray, per_segment: int) -> np.ndarray:
    """Smooth curve through the points ``p`` (n×2)."""
    p = np.vstack([p[0], p, p[-1]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                (2 * p1)
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(p[-2][None, :])
    return np.vstack(out)


@lru_cache(maxsize=32)
def _seal_base(text: str, radius_px: int) -> np.ndarray:
    """Rings, ring text and star of a round seal, unrotated, as a uint8 mask."""
    R = radius_px
    size = 2 * R + 8
    c = size / 2
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    outer_w = max(2, round(R * 0.05))
    ring = R * 0.30  # width of the text band
    inner = R - ring
    d.ellipse((c - R, c - R, c + R, c + R), outline=255, width=outer_w)
    d.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(1, outer_w // 2))
    # Ring text: glyphs upright pointing outwards, reading clockwise, centred on the top.
    fs = max(8, round(ring * 0.62))
    font = load_path(str(SEAL_FONT), fs)
    rc = (R - outer_w + inner) / 2  # radius of the text's vertical centre
    chars = list(text)
    advances = [font.getlength(ch) for ch in chars]
    total = sum(advances)
    circ = 2 * math.pi * rc
    avail = circ * 0.94
    squeeze = min(1.0, avail / total)  # narrower glyphs when the name is long
    track = max(1.0, avail / total)  # wider spacing when it is short
    s = -math.pi / 2 - avail / rc / 2  # start so the text is centred on the top
    for ch, adv in zip(chars, advances, strict=True):
        step = adv * squeeze * track / rc
        ang = s + step / 2  # angle of the glyph's centre, clockwise on screen from +x
        s += step
        if ch == " ":
            continue
        g = Image.new("L", (fs * 2, fs * 2), 0)
        ImageDraw.Draw(g).text((fs, fs), ch, font=font, fill=255, anchor="mm")
        if squeeze < 1.0:
            g = g.resize((max(1, round(fs * 2 * squeeze)), fs * 2), Image.Resampling.BILINEAR)
        # Glyph up must point away from the centre: turn by the tangent angle.
        rot = -math.degrees(ang) - 90
        g = g.rotate(rot, resample=Image.Resampling.BILINEAR, expand=True)
        gx = c + rc * math.cos(ang) - g.width / 2
        gy = c + rc * math.sin(ang) - g.height / 2
        box = (round(gx), round(gy))
        region = im.crop((box[0], box[1], box[0] + g.width, box[1] + g.height))
        im.paste(Image.fromarray(np.maximum(np.asarray(region), np.asarray(g))), box)
    # Five-pointed star in the centre.
    rs = inner * 0.55
    star = []
    for i in range(10):
        rr = rs if i % 2 == 0 else rs * 0.40
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(star, fill=255)
    return np.asarray(im, dtype=np.uint8)


def seal(rng: random.Random, text: str, px_per_mm: float, diameter_mm: float = 35.0) -> np.ndarray:
    """A stamped round seal: random turn, uneven ink, slight ink spread."""
    base = _seal_base(text, round(diameter_mm / 2 * px_per_mm))
    h, w = base.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-25, 25), 1.0)
    mask = cv2.warpAffine(base, m, (w, h), flags=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    # A stamp presses harder on one side, and the ink pad leaves light patches.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    tilt = 0.5 + 0.5 * ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / (w / 2)
    density = (0.95 - 0.25 * np.clip(tilt, 0, 1)) * (0.75 + 0.25 * _smooth_noise(rng, (h, w), 10))
    mask = mask * density
    return cv2.GaussianBlur(mask, (0, 0), max(0.5, px_per_mm * 0.06))


def _smooth_noise(rng: random.Random, shape: tuple[int, ...], cells: int) -> np.ndarray:
    """Smooth random field in [0, 1] with about ``cells`` blobs across."""
    nrng = np.random.default_rng(rng.getrandbits(32))
    small = nrng.random((cells + 1, cells + 1)).astype(np.float32)
    return cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def multiply(
    page: np.ndarray, mask: np.ndarray, colour: tuple[int, int, int], x: int, y: int
) -> None:
    """Multiply ink of ``colour`` with coverage ``mask`` onto ``page`` (RGB uint8) at (x, y)."""
    H, W = page.shape[:2]
    h, w = mask.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x0 >= x1 or y0 >= y1:
        return
    m = mask[y0 - y : y1 - y, x0 - x : x1 - x, None]
    tint = np.array(colour, dtype=np.float32) / 255.0
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = (region * (1 - m * (1 - tint))).round().clip(0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- held-out marks
# What real pages carry and the tuned pages never draw: handwriting in printed blanks,
# e-signature boxes, incoming-mail stamps, oval seals and seals with an emblem.

HAND_BLUE = (30, 40, 170)
ESIGN_BLUE = (20, 60, 190)
STAMP_VIOLET = (120, 40, 150)


def _text_mask(lines: list[str], font_path: str, size_px: int, pitch: float) -> np.ndarray:
    font = load_path(font_path, size_px)
    width = max(round(font.getlength(s)) for s in lines) + 4
    height = round(size_px * pitch * len(lines)) + size_px // 2
    im = Image.new("L", (width, height), 0)
    d = ImageDraw.Draw(im)
    for i, s in enumerate(lines):
        d.text((2, round(i * size_px * pitch)), s, font=font, fill=255)
    return np.asarray(im, dtype=np.float32) / 255.0


# The share of legible handwritten numbers whose digits touch, a stroke run into the next.
JOINED_SHARE = 0.3


def _touching(glyphs: list[np.ndarray]) -> np.ndarray:
    """Glyphs of one height set side by side so that each just touches the one before,
    one or two pixels of ink overlapping where they come closest."""
    out = glyphs[0]
    for g in glyphs[1:]:
        inked_out, inked_g = out > 0.1, g > 0.1
        rows = inked_out.any(axis=1) & inked_g.any(axis=1)
        if not rows.any():
            out = np.hstack([out, g])
            continue
        right = out.shape[1] - 1 - np.argmax(inked_out[:, ::-1], axis=1)  # last ink per row
        left = np.argmax(inked_g, axis=1)  # first ink per row
        x = max(0, int((right[rows] - left[rows]).max()) - 1)  # a row where they overlap
        canvas = np.zeros((out.shape[0], max(out.shape[1], x + g.shape[1])), np.float32)
        canvas[:, :out.shape[1]] = out
        canvas[:, x:x + g.shape[1]] = np.maximum(canvas[:, x:x + g.shape[1]], g)
        out = canvas
    return out


def handwriting(
    rng: random.Random, text: str, px_per_mm: float, height_mm: float, legible: bool
) -> np.ndarray:
    """Digits written by hand: a script face, each glyph turned, lifted and sized on its own;
    when not ``legible``, a hasty scrawl of the same width that no reader could decipher."""
    from .fonts import HAND_FONT

    size = max(8, round(height_mm * px_per_mm * 1.35))
    font = load_path(str(HAND_FONT), size)
    glyphs: list[np.ndarray] = []
    for ch in text:
        g = Image.new("L", (size * 2, size * 2), 0)
        scale = rng.uniform(0.9, 1.15)
        f = load_path(str(HAND_FONT), max(8, round(size * scale)))
        ImageDraw.Draw(g).text((size * 0.5, size * 1.55), ch, font=f, fill=255, anchor="ls")
        g = g.rotate(rng.uniform(-9, 9), resample=Image.Resampling.BILINEAR)
        arr = np.asarray(g, dtype=np.float32) / 255.0
        cols = np.nonzero(arr.max(axis=0) > 0.1)[0]
        if len(cols):
            arr = arr[:, max(0, cols[0] - 2) : cols[-1] + 3]
        shift = round(rng.uniform(-0.08, 0.08) * size)
        glyphs.append(np.roll(arr, shift, axis=0))
    del font
    # Whether a hand runs its digits together is drawn from a stream of its own, so that
    # the rest of the page is drawn as before.
    joined = legible and len(glyphs) > 1 and random.Random(f"{text}/{size}").random() < JOINED_SHARE
    if joined:
        mask = _touching(glyphs)
    else:
        mask = np.hstack(glyphs) if glyphs else np.zeros((size * 2, size), np.float32)
    # A pen stroke is heavier than a typeface's hairlines.
    mask = cv2.dilate(mask, np.ones((2, 2), np.uint8)).clip(0, 1)
    if not legible:
        width_mm = mask.shape[1] / px_per_mm
        scrawl = scribble(rng, px_per_mm, max(6.0, width_mm))
        sh = min(mask.shape[0], scrawl.shape[0])
        out = np.zeros(
            (max(mask.shape[0], scrawl.shape[0]), max(mask.shape[1], scrawl.shape[1])), np.float32
        )
        # Digits smeared flat and struck through by the scrawl: ink, but no number.
        smeared = cv2.GaussianBlur(mask, (0, 0), px_per_mm * 0.45)
        smeared = cv2.resize(smeared, (mask.shape[1], max(2, mask.shape[0] // 3)))
        y0 = (out.shape[0] - smeared.shape[0]) // 2
        out[y0 : y0 + smeared.shape[0], : smeared.shape[1]] = np.clip(smeared * 2.0, 0, 1)
        out[:sh, : scrawl.shape[1]] = np.maximum(out[:sh, : scrawl.shape[1]], scrawl[:sh])
        mask = out
    rows = np.nonzero(mask.max(axis=1) > 0.05)[0]
    if len(rows):
        mask = mask[rows[0] : rows[-1] + 1]
    return cv2.GaussianBlur(mask, (0, 0), 0.6)


def esign_box(lines: list[str], px_per_mm: float, size_mm: float = 2.6) -> np.ndarray:
    """The box a digital signature leaves on the page: "Ký bởi: …", "Cơ quan: …", a time."""
    text = _text_mask(
        lines,
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        max(8, round(size_mm * px_per_mm)),
        1.35,
    )
    pad = round(px_per_mm * 1.2)
    h, w = text.shape
    out = np.zeros((h + 2 * pad, w + 2 * pad), np.float32)
    out[pad : pad + h, pad : pad + w] = text
    t = max(1, round(px_per_mm * 0.25))
    out[:t], out[-t:], out[:, :t], out[:, -t:] = 1, 1, 1, 1
    return out


def incoming_stamp(rng: random.Random, office: str, px_per_mm: float) -> np.ndarray:
    """A rubber "CÔNG VĂN ĐẾN" stamp of the receiving office, turned and unevenly inked."""
    size = max(8, round(3.2 * px_per_mm))
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    lines = [
        office,
        "CÔNG VĂN ĐẾN",
        "Số: ..........",
        "Ngày: ....../....../......",
        "Chuyển: ................",
    ]
    text = _text_mask(lines, font, size, 1.45)
    pad = round(px_per_mm * 2)
    h, w = text.shape
    box = np.zeros((h + 2 * pad, w + 2 * pad), np.float32)
    box[pad : pad + h, pad : pad + w] = text
    t = max(2, round(px_per_mm * 0.4))
    box[:t], box[-t:], box[:, :t], box[:, -t:] = 1, 1, 1, 1
    u8 = (box * 255).astype(np.uint8)
    bh, bw = u8.shape
    m = cv2.getRotationMatrix2D((bw / 2, bh / 2), rng.uniform(-8, 8), 1.0)
    side = int(max(bh, bw) * 1.2)
    m[0, 2] += (side - bw) / 2
    m[1, 2] += (side - bh) / 2
    mask = cv2.warpAffine(u8, m, (side, side)).astype(np.float32) / 255.0
    density = 0.55 + 0.45 * _smooth_noise(rng, mask.shape, 6)
    return cv2.GaussianBlur(mask * density, (0, 0), max(0.5, px_per_mm * 0.05))


@lru_cache(maxsize=32)
def _emblem(radius_px: int) -> np.ndarray:
    """A simplified national emblem for a seal's centre: a cogwheel rim around a star."""
    size = 2 * radius_px + 4
    c = size / 2
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    r = radius_px
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(1, r // 10))
    for i in range(16):  # cog teeth and rice-ear strokes around the rim
        a = 2 * math.pi * i / 16
        d.line(
            (
                c + 0.72 * r * math.cos(a),
                c + 0.72 * r * math.sin(a),
                c + 0.92 * r * math.cos(a),
                c + 0.92 * r * math.sin(a),
            ),
            fill=255,
            width=max(1, r // 12),
        )
    star = []
    for i in range(10):
        rr = r * 0.5 if i % 2 == 0 else r * 0.2
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(star, fill=255)
    return np.asarray(im, dtype=np.uint8)


def seal_variant(
    rng: random.Random, text: str, px_per_mm: float, diameter_mm: float, shape: str
) -> np.ndarray:
    """A seal of ``shape`` "oval" (a round seal drawn out wide, as agencies' and schools'
    are) or "emblem" (the centre star replaced by the emblem, as ministries' are)."""
    base = _seal_base(text, round(diameter_mm / 2 * px_per_mm)).copy()
    if shape == "emblem":
        h, w = base.shape
        r = round(diameter_mm / 2 * px_per_mm * 0.7 * 0.55)
        em = _emblem(r)
        cy, cx = h // 2, w // 2
        y0, x0 = cy - em.shape[0] // 2, cx - em.shape[1] // 2
        region = base[y0 : y0 + em.shape[0], x0 : x0 + em.shape[1]]
        inner = np.zeros_like(region)
        base[y0 : y0 + em.shape[0], x0 : x0 + em.shape[1]] = np.maximum(
            inner, em[: region.shape[0], : region.shape[1]]
        )
    if shape == "oval":
        base = cv2.resize(base, (round(base.shape[1] * 1.35), base.shape[0]))
    h, w = base.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-12, 12), 1.0)
    mask = cv2.warpAffine(base, m, (w, h), flags=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    density = 0.7 + 0.3 * _smooth_noise(rng, (h, w), 10)
    return cv2.GaussianBlur(mask * density, (0, 0), max(0.5, px_per_mm * 0.06))
