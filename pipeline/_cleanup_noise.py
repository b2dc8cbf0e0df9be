"""Noise that misleads Tesseract: salt-and-pepper dots, photocopier streaks."""

from __future__ import annotations

import cv2
import numpy as np

IMPULSE_SHARE = 0.0001  # isolated black/white pixels (share of a sample) that call for a median
IMPULSE_STEP = 64  # grey levels a pixel must stand out from all 8 neighbours


def clean(grey: np.ndarray, *, dpi: float, bilevel: bool) -> tuple[np.ndarray, list[str]]:
    """The page with impulse noise removed; the steps taken."""
    steps: list[str] = []
    if impulse_share(grey) > IMPULSE_SHARE:
        grey = cv2.medianBlur(grey, 3)
        steps.append("salt-and-pepper noise removed")
    return grey, steps


def impulse_share(grey: np.ndarray) -> float:
    """Share of pixels darker or lighter than all eight neighbours by a wide step.

    Printed strokes are several pixels wide at 200 dpi and more, so a lone
    pixel is noise. Measured on a central crop to stay cheap.
    """
    h, w = grey.shape
    crop = grey[h // 4 : h // 4 + min(h // 2, 800), w // 4 : w // 4 + min(w // 2, 800)]
    ring = np.ones((3, 3), np.uint8)
    ring[1, 1] = 0
    lo = cv2.erode(crop, ring)
    hi = cv2.dilate(crop, ring)
    c = crop.astype(np.int16)
    lone = (c - hi.astype(np.int16) > IMPULSE_STEP) | (lo.astype(np.int16) - c > IMPULSE_STEP)
    return float(lone.mean())
