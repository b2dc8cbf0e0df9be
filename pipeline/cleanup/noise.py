"""Salt-and-pepper noise: lone black and white pixels that Tesseract reads as dots and marks."""

from __future__ import annotations

import cv2
import numpy as np

IMPULSE_SHARE = 0.0001  # isolated black/white pixels (share of a sample) that call for a median
IMPULSE_STEP = 64  # grey levels a pixel must stand out from all 8 neighbours


def clean(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """The page through a 3 × 3 median if it has salt-and-pepper noise; whether it had.

    Measured on the synthetic "noise" profile, the median lifts Tesseract's
    word accuracy from about 0.8 to 0.99; on clean pages it is not applied,
    since it also rounds the corners of thin strokes.
    """
    if impulse_share(grey) > IMPULSE_SHARE:
        return cv2.medianBlur(grey, 3), True
    return grey, False


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
