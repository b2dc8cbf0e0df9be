"""The invisible text lies over the visible words, also on skewed, turned and photographed pages.

Each case is a generated page with ground-truth word boxes in the scan's own
pixels; after ``sohoa process`` the words pdftotext finds must sit on them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from bench.metrics import bow_wer
from synth import make_dossier, write_dossier
from tests.conftest import pdftotext

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def _process(tmp_path: Path, profile: str, seed: int) -> tuple[dict, Path, dict]:
    dossier = make_dossier(seed=seed, n_docs=1, pages_per_doc=1, profile=profile, dpi=200)
    folder = tmp_path / profile
    write_dossier(folder, dossier)
    out = tmp_path / f"{profile}-out"
    result = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "process", str(folder), "-o", str(out), "-q", "-j", "1"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["pages"][0]
    record = json.loads((out / "record.json").read_text(encoding="utf-8"))
    return truth, out / record["outputs"][0]["file"], record


def _to_display(box, rotation: int, width: float, height: float):
    """A box in stored-page points → points on the page as a viewer shows it."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (height - y1, x0, height - y0, x1)
    if rotation == 180:
        return (width - x1, height - y1, width - x0, height - y0)
    if rotation == 270:
        return (y0, width - x1, y1, width - x0)
    return box


@pytest.mark.parametrize(("profile", "seed"), [("clean", 3), ("skew", 4), ("rotated", 5), ("phone", 6)])
def test_words_sit_on_their_pixels(tmp_path: Path, profile: str, seed: int) -> None:
    truth, pdf_path, record = _process(tmp_path, profile, seed)
    scale = 72 / truth["dpi"]
    with pikepdf.open(pdf_path) as pdf:
        rotation = int(pdf.pages[0].get("/Rotate", 0))
        box = [float(v) for v in pdf.pages[0].MediaBox]
    # Where each word really is on the page as a viewer shows it.
    expected: dict[str, list[tuple[float, float, float]]] = {}
    for word in truth["words"]:
        stored = tuple(v * scale for v in word["box"])
        x0, y0, x1, y1 = _to_display(stored, rotation, box[2], box[3])
        expected.setdefault(word["text"], []).append(
            ((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * 0.5)
        )
    # Every recognised word that is in the truth must sit on one of its places.
    checked = close = 0
    for *coords, text in WORD.findall(pdftotext(pdf_path, "-bbox")):
        text = unicodedata.normalize("NFC", text)
        if len(text) < 4 or text not in expected:
            continue
        x0, y0, x1, y1 = map(float, coords)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        checked += 1
        if any(abs(cx - ex) + abs(cy - ey) <= tol for ex, ey, tol in expected[text]):
            close += 1
    assert checked >= 30, f"too few words recognised to check ({checked})"
    assert close / checked >= 0.97, f"{profile}: {close}/{checked} words on their pixels"
    # Extracted as a viewer or an indexer reads it: whole words, not pieces of tilted runs.
    assert bow_wer(truth["text"], pdftotext(pdf_path)) <= 0.05
    if profile == "rotated":
        assert rotation == truth["rotation"]


HOCR_WORD = re.compile(r"title='bbox (\d+) (\d+) (\d+) (\d+); x_wconf \d+'>(.*?)</span>")


@pytest.mark.parametrize(("profile", "seed"), [("rotated", 7), ("phone", 8)])
def test_hocr_boxes_are_in_scan_pixels(tmp_path: Path, profile: str, seed: int) -> None:
    truth, _, record = _process(tmp_path, profile, seed)
    hocr = (tmp_path / f"{profile}-out" / record["pages"][0]["hocrFile"]).read_text(encoding="utf-8")
    assert f"bbox 0 0 {truth['width']} {truth['height']}" in hocr
    expected: dict[str, list[tuple[float, float, float]]] = {}
    for word in truth["words"]:
        x0, y0, x1, y1 = word["box"]
        expected.setdefault(word["text"], []).append(
            ((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * 0.5)
        )
    checked = close = 0
    for *coords, text in HOCR_WORD.findall(hocr):
        if len(text) < 4 or text not in expected:
            continue
        x0, y0, x1, y1 = map(int, coords)
        checked += 1
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        close += any(abs(cx - ex) + abs(cy - ey) <= tol for ex, ey, tol in expected[text])
    assert checked >= 30
    assert close / checked >= 0.97, f"{profile}: {close}/{checked}"
    text_file = tmp_path / f"{profile}-out" / record["pages"][0]["textFile"]
    assert unicodedata.is_normalized("NFC", text_file.read_text(encoding="utf-8"))
