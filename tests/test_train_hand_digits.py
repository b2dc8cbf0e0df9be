"""The training data of the handwritten-digit networks: the touching pairs they learn to
tell from one digit (training itself needs PyTorch and the data; see development.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_hand_digits.py"


def _script():
    spec = importlib.util.spec_from_file_location("train_hand_digits", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digit(d: int) -> np.ndarray:
    """A digit in MNIST's frame (ink 1 on 0, 28 × 28)."""
    im = np.zeros((28, 28), np.uint8)
    cv2.putText(im, str(d), (7, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 255, 2)
    return im.astype(np.float32) / 255


def test_a_touching_pair_is_one_glyph_side_by_side_in_the_digits_frame():
    train = _script()
    rng = np.random.default_rng(0)
    for a, b in [(1, 8), (0, 9), (2, 3), (7, 1)]:
        pair = train.touching(rng, _digit(a), _digit(b))
        assert pair.shape == (28, 28)
        ink = (pair > 0.5).astype(np.uint8)
        assert cv2.connectedComponents(ink, connectivity=8)[0] - 1 == 1  # the two touch
        ys, xs = np.nonzero(pair > 0.05)
        width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
        assert 19 <= width <= 21 and height < width  # side by side, the longer side 20


def test_pairs_are_added_as_many_as_one_digit_has():
    train = _script()
    images = np.stack([_digit(d % 10) for d in range(200)])
    labels = np.arange(200) % 10
    out, out_labels = train.with_pairs(np.random.default_rng(1), images, labels)
    assert len(out) == 220 and (out_labels == train.PAIR).sum() == 20
    assert (out_labels[:200] == labels).all()
