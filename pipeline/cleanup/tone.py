"""Grey levels for OCR: coloured ink out, paper even and white, faded ink kept.

Seals (red) and signatures (blue) sit over black text. In white-balanced
colour, black ink is dark in every channel, while coloured ink is bright in at
least one and far from grey; so the brightest channel, lifted further by the
colour's strength, keeps black text (even under a seal) and drops the rest.

Paper is found with a wide max filter (letters are thin, paper is
everywhere); dividing by it evens out shadows, yellowing and stains.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.cleanup.geometry import shrink

CHROMA_START = 40  # colour strength (max - min channel) below which nothing is lifted
CHROMA_GAIN = 2  # grey levels added per unit of colour strength above the start
INK_SHARE = 0.0005  # share of the page in strong colour that counts as seal/signature ink
INK_CHROMA = 10  # colour strength above CHROMA_START that counts as that ink (a faded
# page's seal, paled with the paper, is only 50–70 strong)
HALO_FROM = 70  # colour this strong is surely seal or signature ink; within HALO_PX of it
HALO_PX = 7  # (about 0.6 mm at 300 dpi)
HALO_CHROMA = 20  # colour is lifted from this strength up,
HALO_GAIN = 4  # and faster
UNEVEN_PAPER = 14  # spread (5th–95th percentile) of paper brightness worth flattening
DARK_PAPER = 225  # paper darker than this (yellowed, grey scan) is brought to white
BACKGROUND_DPI = 50.0  # paper brightness is estimated at this resolution
SAMPLE_STEP = 6  # decisions from every 6th pixel each way
FADED_INK = 125  # ink whose strokes are lighter than this (on white paper) is faded
SAUVOLA_K = 0.2  # Sauvola's k and R (the usual values for text)
SAUVOLA_R = 128.0
SAUVOLA_MM = 2.5  # window: a few strokes across, smaller than a line


def remove_coloured_ink(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """Grey page with red/blue ink made paper-white; whether there was any."""
    h, w = rgb.shape[:2]
    sample = cv2.resize(rgb, (max(1, w // SAMPLE_STEP), max(1, h // SAMPLE_STEP)), interpolation=cv2.INTER_NEAREST)
    luts = _white_balance(sample)
    top, chroma = _top_and_chroma(sample, luts)
    inked = (chroma > CHROMA_START + INK_CHROMA) & (top > 80)  # a dark pixel's hue is only noise
    if inked.mean() < INK_SHARE:
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), False
    top, chroma = _top_and_chroma(rgb, luts)
    lift = np.clip((np.arange(256) - CHROMA_START) * CHROMA_GAIN, 0, 255).astype(np.uint8)
    out = cv2.add(top, cv2.LUT(chroma, lift))
    # Round a coloured stroke, JPEG's coarse colour leaves a rim of paler, greyer pixels
    # (and a dark-blue stroke's core is dark): there, weaker colour is lifted too, or
    # the signature's ghost is read as letters.
    near = cv2.dilate((chroma > HALO_FROM).astype(np.uint8),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (HALO_PX, HALO_PX)))
    halo_lift = np.clip((np.arange(256) - HALO_CHROMA) * HALO_GAIN, 0, 255).astype(np.uint8)
    rim = cv2.add(top, cv2.LUT(chroma, halo_lift))
    np.copyto(out, rim, where=near.astype(bool))
    return out, True


def _white_balance(sample: np.ndarray) -> list[np.ndarray]:
    """Per-channel tables that make the paper (the brightest fifth) neutral white."""
    grey = cv2.cvtColor(sample, cv2.COLOR_RGB2GRAY)
    counts = np.cumsum(cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel())
    level = int(np.searchsorted(counts, 0.8 * counts[-1]))
    paper = cv2.mean(sample, mask=(grey >= level).astype(np.uint8))[:3]
    gains = np.minimum(255.0 / np.maximum(paper, 1.0), 4.0)
    return [np.clip(np.arange(256) * g, 0, 255).astype(np.uint8) for g in gains]


def _top_and_chroma(rgb: np.ndarray, luts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Brightest channel and colour strength (max - min) after white balance."""
    r, g, b = (cv2.LUT(c, lut) for c, lut in zip(cv2.split(rgb), luts))
    top = cv2.max(cv2.max(r, g), b)
    return top, cv2.subtract(top, cv2.min(cv2.min(r, g), b))


def flattened(grey: np.ndarray, dpi: float) -> np.ndarray:
    """``grey`` divided by its paper: white paper, whatever the light or the stains."""
    return cv2.divide(grey, paper_background(grey, dpi), scale=255)


def text_mask(flat: np.ndarray) -> np.ndarray:
    """1 where there is ink, in a flattened image."""
    level, _ = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # On a blank page Otsu splits the paper noise in two: never call pale grey ink.
    level = min(level, 255 - max(40.0, 5 * _noise_sigma(flat)))
    return (flat <= level).astype(np.uint8)  # Otsu keeps values above its level as paper


def paper_background(grey: np.ndarray, dpi: float) -> np.ndarray:
    """The paper's brightness everywhere, with the text taken out; same size as ``grey``.

    A max filter about 4 mm across removes letters (even bold headings) at
    ~50 dpi, where it is cheap; the result is smoothed, as lighting and stains
    change over centimetres, not millimetres.
    """
    h, w = grey.shape
    step = max(1, round(dpi / BACKGROUND_DPI))
    small, _ = shrink(grey, step, step)
    k = 2 * round(4 / 25.4 * dpi / step / 2) + 1
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    bg = cv2.medianBlur(bg, 5)
    bg = cv2.blur(cv2.blur(bg, (k, k)), (k, k))  # two box passes: smooth, and cheap
    bg = np.maximum(bg, 1)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)


def _noise_sigma(flat: np.ndarray) -> float:
    """Robust noise level of the paper (median absolute deviation, scaled)."""
    sample = flat[:: max(1, flat.shape[0] // 200), :: max(1, flat.shape[1] // 200)]
    paper = sample[sample > np.median(sample) - 30].astype(np.float32)
    if paper.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(paper - np.median(paper))))


def is_bilevel(grey: np.ndarray) -> bool:
    """True for black-and-white scans (only 0 and 255 on a sample)."""
    sample = grey[::7, ::7]
    return bool(np.all((sample == 0) | (sample == 255)))


def flatten(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, bool]:
    """Divide by the paper's brightness when it is uneven or dark; else as is.

    Tesseract binarises with one global Otsu level, which a shadow, a yellow
    stain or a phone's fall-off defeats; dividing by the paper makes it one
    white again.
    """
    h, w = grey.shape
    step = max(1, round(dpi / BACKGROUND_DPI))
    small, _ = shrink(grey, step, step)
    background = paper_background(small, dpi / step)
    lo, mid, hi = np.percentile(background, (5, 50, 95))
    if hi - lo < UNEVEN_PAPER and mid >= DARK_PAPER:
        return grey, False
    full = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(grey, full, scale=255), True


def ink_darkness(flat: np.ndarray, mask: np.ndarray) -> float | None:
    """Typical grey of the inside of strokes (0 black … 255 white); None without ink."""
    core = cv2.erode(mask, np.ones((3, 3), np.uint8))
    if not cv2.countNonZero(core):
        return None
    return float(np.median(flat[core > 0]))


def is_faded(flat: np.ndarray, mask: np.ndarray) -> bool:
    """Ink so pale that a single Otsu level loses the faintest words."""
    darkness = ink_darkness(flat, mask)
    return darkness is not None and darkness > FADED_INK


def sauvola(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Bilevel image by Sauvola's local threshold; the surface is computed at half size.

    On faded pages the strength of the ink changes across the sheet, and a
    local threshold keeps the faint words a global one drops. The threshold
    surface is smooth, so its statistics are taken on a half-size copy.
    """
    h, w = grey.shape
    small, _ = shrink(grey, 2, 2)
    f = small.astype(np.float32)
    win = max(3, round(SAUVOLA_MM / 25.4 * dpi / 2)) | 1
    mean = cv2.boxFilter(f, -1, (win, win))
    spread = np.sqrt(np.maximum(cv2.sqrBoxFilter(f, -1, (win, win)) - mean * mean, 0))
    level = mean * (1 + SAUVOLA_K * (spread / SAUVOLA_R - 1))
    full = cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.where(grey > full, 255, 0).astype(np.uint8)
