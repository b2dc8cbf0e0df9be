"""The benchmark corpus, drawn by ``synth`` and fully determined by the seed.

Every profile gets the same documents (the generator keeps the text across
profiles), so profiles differ only in what was done to the pixels. Pages come
in groups, one document each, cycling through the fonts and through two-page
and one-page documents, so first, continuation and last pages all occur.

Each page is encoded once (JPEG, or bilevel G4 TIFF for ``photocopy``); those
bytes are both the page file bare Tesseract reads and the image img2pdf copies
into the profile's image-only PDF (JPEG as a DCT stream, G4 as a CCITT
stream), so every engine sees exactly the same scan.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import lru_cache
from itertools import cycle
from pathlib import Path
from typing import Any

import synth

# The benchmark's profiles: the generator's, plus ``clean-200`` (clean at 200 dpi).
BASE_PROFILES: tuple[str, ...] = tuple(synth.PROFILES)
PROFILES: tuple[str, ...] = (
    "clean",
    "clean-200",
    *(p for p in BASE_PROFILES if p != "clean"),
)
DEGRADED: tuple[str, ...] = tuple(p for p in BASE_PROFILES if p != "clean")
DEFAULT_DPI = 300
DOC_LENGTHS = (2, 1)  # pages per document, cycled
# Profiles whose pages make up the memory dossier (all written as JPEG).
MEMORY_PROFILES = ("clean", "skew", "noise", "jpeg", "faded", "blur", "phone", "rotated")
MEMORY_DISTINCT = 20


def split_profile(name: str) -> tuple[str, int]:
    """``clean-200`` → (``clean``, 200); ``skew`` → (``skew``, 300)."""
    base, _, dpi = name.rpartition("-")
    if base and dpi.isdigit():
        return base, int(dpi)
    return name, DEFAULT_DPI


@dataclass
class CorpusPage:
    image: Path  # the page file (its bytes are what the PDF holds)
    truth: synth.PageTruth
    encoding: str  # "jpeg" or "tiff-g4"

    @property
    def truth_text(self) -> str:
        return self.truth.text

    def to_json(self) -> dict[str, Any]:
        return {
            "image": str(self.image),
            "encoding": self.encoding,
            "font": self.truth.font,
            "dpi": self.truth.dpi,
            "size": [self.truth.width, self.truth.height],
            "rotation": self.truth.rotation,
            "skew": round(self.truth.skew, 3),
            "words": len(self.truth.words),
            "doc_type": self.truth.meta.type_name,
            "page_in_doc": self.truth.page_in_doc,
            "params": self.truth.params,
        }


@dataclass
class ProfileCorpus:
    name: str
    dpi: int
    pdf: Path
    pages: list[CorpusPage]

    def describe(self) -> str:
        encodings = sorted({p.encoding for p in self.pages})
        fonts = sorted({p.truth.font for p in self.pages})
        words = sum(len(p.truth.words) for p in self.pages)
        return f"{'/'.join(encodings)}, {'/'.join(fonts)}, {words} words"


@lru_cache(maxsize=4)
def _clean_groups(n_pages: int, seed: int, dpi: int) -> tuple[tuple[int, tuple[Any, ...]], ...]:
    """Upright clean pages in groups ``(group seed, pages)``, ``n_pages`` in all."""
    families = synth.available_families()
    groups: list[tuple[int, tuple[Any, ...]]] = []
    total = 0
    for g, (font, length) in enumerate(zip(cycle(families), cycle(DOC_LENGTHS))):
        if total >= n_pages:
            break
        group_seed = seed * 1000 + g
        pages = synth.render_dossier(group_seed, n_docs=1, pages_per_doc=length, dpi=dpi, font=font)
        pages = pages[: n_pages - total]
        groups.append((group_seed, tuple(pages)))
        total += len(pages)
    return tuple(groups)


def _pages(profile: str, n_pages: int, seed: int, dpi: int) -> list[Any]:
    out = []
    for group_seed, clean in _clean_groups(n_pages, seed, dpi):
        out.extend(synth.degrade_pages(list(clean), profile, group_seed))
    return out


def _encoding(page: Any) -> str:
    return "tiff-g4" if page.image.mode == "1" else "jpeg"


def build_profile(name: str, n_pages: int, seed: int, out_dir: Path) -> ProfileCorpus:
    """Write one profile's page files, image-only PDF and ``truth.json`` into ``out_dir``."""
    import img2pdf

    base, dpi = split_profile(name)
    if base not in BASE_PROFILES:
        raise ValueError(f"unknown profile {name!r}")
    shutil.rmtree(out_dir, ignore_errors=True)
    pages_dir = out_dir / "pages"
    pages_dir.mkdir(parents=True)
    pages = _pages(base, n_pages, seed, dpi)
    blobs: list[bytes] = []
    corpus_pages: list[CorpusPage] = []
    for i, page in enumerate(pages, 1):
        enc = _encoding(page)
        data = synth.encode(page, dpi, enc)
        path = pages_dir / f"trang-{i:03d}{synth.EXTENSIONS[enc]}"
        path.write_bytes(data)
        page.truth.file = path.name
        blobs.append(data)
        corpus_pages.append(CorpusPage(path, page.truth, enc))
    pdf = out_dir / f"{name}.pdf"
    pdf.write_bytes(img2pdf.convert(blobs))
    synth.write_truth(out_dir / "truth.json", pages, profile=name, dpi=dpi, seed=seed)
    return ProfileCorpus(name, dpi, pdf, corpus_pages)


def build_memory_dossier(n_pages: int, seed: int, out_dir: Path) -> Path:
    """A folder of ``n_pages`` 300 dpi JPEGs: ``MEMORY_DISTINCT`` distinct pages, repeated."""
    shutil.rmtree(out_dir, ignore_errors=True)
    distinct_dir = out_dir / "distinct"
    folder = out_dir / "dossier"
    distinct_dir.mkdir(parents=True)
    folder.mkdir()
    n_distinct = min(MEMORY_DISTINCT, n_pages)
    files: list[Path] = []
    profiles = cycle(MEMORY_PROFILES)
    for group_seed, clean in _clean_groups(n_distinct, seed + 1, DEFAULT_DPI):
        for c in clean:
            page = synth.degrade_page(c, next(profiles), group_seed)
            path = distinct_dir / f"p{len(files) + 1:02d}.jpg"
            path.write_bytes(synth.encode(page, DEFAULT_DPI, "jpeg"))
            files.append(path)
    for i in range(n_pages):
        src = files[i % len(files)]
        dst = folder / f"trang-{i + 1:03d}.jpg"
        try:
            dst.hardlink_to(src)
        except OSError:
            shutil.copyfile(src, dst)
    return folder
