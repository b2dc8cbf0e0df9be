"""The crops the second looks read again: a word's box with blank round it, enlarged; the
box round a line's words, and a box moved from a crop back onto the page."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from pipeline.core.model import Word

Box = tuple[int, int, int, int]

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


def words_box(words: Iterable[Word]) -> Box:
    """The box round ``words``."""
    boxes = [w.box for w in words]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def moved(box: Box, dx: int, dy: int) -> Box:
    """``box`` moved by (dx, dy): from a crop's pixels to the page's."""
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)
