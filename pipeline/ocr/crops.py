"""The crops the second looks read again: a word's box with blank round it, enlarged."""

from __future__ import annotations

import cv2
import numpy as np

# Blank kept round a word's ink, in its height.
PAD = 0.3


def padded_crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """``box`` of ``image`` with ``PAD`` of its height in blank round it."""
    x0, y0, x1, y1 = box
    pad = max(2, round(PAD * (y1 - y0)))
    return image[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]


def enlarged(crop: np.ndarray, scale: float) -> np.ndarray:
    """``crop`` ``scale`` times as large (smoothly: Tesseract reads small type better so)."""
    if scale == 1.0:
        return crop
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
