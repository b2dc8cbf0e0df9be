"""How often the handwritten-digit networks' readings are right, by how sure they are.

    python scripts/hand_guess_calibration.py [--faces DIR] [--numbers N] [--seed S]

Numbers (days 1–31 and numbers of two or three digits) are drawn in the handwriting
faces the networks never learnt from (the fifth ``train_hand_digits.py`` keeps aside,
and URW's Z003), each digit turned a little, spaced, close or overlapping, thickened,
greyed, blurred and speckled at random, and read as a blank is
(``handdigits.read_blank``). Each reading's least likely digit sorts it into a bin; the
share right per bin is what ``blanks.HAND_SURE`` and ``blanks.HAND_GUESS`` rest on.
Without ``--faces`` the faces are fetched with ``npm pack`` (as for training).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from train_hand_digits import fetch_faces  # noqa: E402

from pipeline.ocr import blanks, handdigits  # noqa: E402

Z003 = Path("/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf")
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01)


def glyph(font, ch: str, size: int, turn: float) -> np.ndarray:
    """``ch`` in ``font``, ink 1 on 0, turned ``turn`` degrees, cut to its columns."""
    from PIL import Image, ImageDraw

    canvas = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(canvas).text((size * 0.5, size * 1.55), ch, font=font, fill=255, anchor="ls")
    ink = np.asarray(canvas.rotate(turn, resample=Image.Resampling.BILINEAR), np.float32) / 255
    cols = np.flatnonzero(ink.max(axis=0) > 0.1)
    return ink[:, max(0, cols[0] - 2):cols[-1] + 3] if cols.size else ink


def side_by_side(glyphs: list[np.ndarray], gap: int) -> np.ndarray:
    """The glyphs in a row, ``gap`` pixels apart (overlapping where negative)."""
    height = max(g.shape[0] for g in glyphs)
    width = sum(g.shape[1] for g in glyphs) + gap * (len(glyphs) - 1)
    out = np.zeros((height, max(width, max(g.shape[1] for g in glyphs))), np.float32)
    x = 0
    for g in glyphs:
        part = out[:g.shape[0], x:x + g.shape[1]]
        np.maximum(part, g[:, :part.shape[1]], out=part)
        x += g.shape[1] + gap
    return out


def drawn(font, number: str, size: int, rng: random.Random) -> np.ndarray:
    """``number`` as a blank's grey crop (ink dark), spoilt at random."""
    turn = rng.uniform(-8, 8)
    ink = side_by_side([glyph(font, c, size, turn + rng.uniform(-4, 4)) for c in number],
                       rng.choice([-3, 2, 4, 8]))
    k = rng.choice([1, 2, 3])
    if k > 1:
        ink = cv2.dilate(ink, np.ones((k, k), np.uint8)).clip(0, 1)
    grey = 255 - ink * rng.uniform(150, 235)
    if rng.random() < 0.5:
        grey = cv2.GaussianBlur(grey, (0, 0), rng.uniform(0.5, 1.5))
    grey = grey + np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(0, 25), grey.shape)
    return np.pad(grey.clip(0, 255).astype(np.uint8), 20, constant_values=255)


def main() -> int:
    from PIL import ImageFont

    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--faces", type=Path, help="a folder of the faces' .woff (default: fetch them)")
    ap.add_argument("--numbers", type=int, default=120, help="numbers per face and size")
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--training-seed", type=int, default=7, help="train_hand_digits.py's --seed")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        faces = sorted((args.faces or fetch_faces(Path(tmp))).glob("*.woff"))
        # The faces train_hand_digits.py keeps aside (the first draw of its seed).
        aside = np.random.default_rng(args.training_seed).choice(len(faces), len(faces) // 5, replace=False)
        paths = [faces[i] for i in sorted(aside.tolist())] + ([Z003] if Z003.exists() else [])
        readings = []
        for path in paths:
            for size in (40, 64):
                font = ImageFont.truetype(str(path), size)
                for _ in range(args.numbers):
                    number = str(rng.randint(1, 31) if rng.random() < 0.5 else rng.randint(10, 999))
                    read = handdigits.read_blank(drawn(font, number, size, rng), blanks.HAND_SURE)
                    readings.append((number, read))
    print(f"{len(readings)} numbers in {len(paths)} faces: {', '.join(p.stem for p in paths)}")
    print(f"not read: {sum(r is None for _, r in readings)}")
    print("least likely digit   read   right")
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        got = [(n, r) for n, r in readings if r is not None and lo <= r.probability < hi]
        right = sum(r.digits == n for n, r in got)
        share = f"{right / len(got):6.1%}" if got else "     -"
        print(f"[{lo:.1f}, {min(hi, 1.0):.1f}{')' if hi < 1 else ']'}         {len(got):5d}  {share}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
