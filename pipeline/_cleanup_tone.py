"""Grey levels for OCR: coloured ink out, paper even and white.

Seals (red) and signatures (blue) sit over black text. In white-balanced
colour, black ink is dark in every channel, while coloured ink is bright in at
least one and far from grey; so the brightest channel, lifted further by the
colour's strength, keeps black text (even under a seal) and drops the rest.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline._cleanup_geometry import shrink
from pipeline._cleanup_layout import BACKGROUND_DPI, paper_background

CHROMA_START = 40  # colour strength (max - min channel) below which nothing is lifted
CHROMA_GAIN = 2  # grey levels added per unit of colour strength above the start
INK_SHARE = 0.0005  # share of the page in strong colour that counts as seal/signature ink
UNEVEN_PAPER = 14  # spread (5th–95th percentile) of paper brightness worth flattening
DARK_PAPER = 225  # paper darker than this (yellowed, grey scan) is brought to white
SAMPLE_STEP = 6  # decisions from every 6th pixel each way


def remove_coloured_ink(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """Grey page with red/blue ink made paper-white; whether there was any."""
    h, w = rgb.shape[:2]
    sample = cv2.resize(rgb, (max(1, w // SAMPLE_STEP), max(1, h // SAMPLE_STEP)), interpolation=cv2.INTER_NEAREST)
    luts = _white_balance(sample)
    top, chroma = _top_and_chroma(sample, luts)
    inked = (chroma > CHROMA_START + 30) & (top > 80)  # a dark pixel's hue is only noise
    if inked.mean() < INK_SHARE:
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), False
    top, chroma = _top_and_chroma(rgb, luts)
    lift = np.clip((np.arange(256) - CHROMA_START) * CHROMA_GAIN, 0, 255).astype(np.uint8)
    return cv2.add(top, cv2.LUT(chroma, lift)), True


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
