"""Writing pages and dossiers to disk in the formats scanners produce."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .dossier import Dossier, Page

FORMATS = ("jpeg", "png", "tiff-g4", "tiff-lzw")
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "tiff-g4": ".tif", "tiff-lzw": ".tif"}
TRUTH_FORMAT = "sohoa-synth-truth"
TRUTH_VERSION = 1


def _as_image(image: Image.Image | np.ndarray) -> Image.Image:
    return Image.fromarray(image) if isinstance(image, np.ndarray) else image


def bilevel(image: Image.Image) -> Image.Image:
    """Mode "1" with a plain threshold at 50% (no dithering: scanners' bilevel mode)."""
    if image.mode == "1":
        return image
    return (
        image.convert("L")
        .point(lambda v: 255 if v >= 128 else 0)
        .convert("1", dither=Image.Dither.NONE)
    )


def encode(image: Image.Image | np.ndarray | Page, dpi: int, fmt: str, quality: int = 85) -> bytes:
    """The bytes of one page in ``fmt``; a Page's own JPEG encoding is reused as is."""
    if isinstance(image, Page):
        if fmt == "jpeg" and image.jpeg_bytes is not None and image.truth.dpi == dpi:
            return image.jpeg_bytes
        quality = image.jpeg_quality
        image = image.image
    im = _as_image(image)
    buf = io.BytesIO()
    if fmt == "jpeg":
        im = im.convert("L") if im.mode == "1" else im
        im.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi), subsampling=2)
    elif fmt == "png":
        im.save(buf, "PNG", dpi=(dpi, dpi), optimize=False)
    elif fmt == "tiff-g4":
        # One strip for the whole page: what scanners write, and what lets a PDF
        # writer copy the G4 data straight into a CCITTFaxDecode stream.
        im = bilevel(im)
        im.save(buf, "TIFF", compression="group4", dpi=(dpi, dpi), strip_size=2**31 - 1)
    elif fmt == "tiff-lzw":
        im.save(buf, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
    else:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return buf.getvalue()


def write_page(
    image: Image.Image | np.ndarray | Page, path: str | Path, dpi: int, fmt: str, quality: int = 85
) -> Path:
    """Write one page: ``jpeg`` (JFIF density), ``png`` (pHYs), ``tiff-g4`` (bilevel,
    Group 4, one strip) or ``tiff-lzw``; the resolution is recorded in every format."""
    path = Path(path)
    path.write_bytes(encode(image, dpi, fmt, quality))
    return path


def _pages(pages: Dossier | Sequence[Page]) -> list[Page]:
    return list(pages.pages) if isinstance(pages, Dossier) else list(pages)


def truth_document(pages: Dossier | Sequence[Page], **extra: Any) -> dict[str, Any]:
    """The content of ``truth.json``: dossier fields, documents, then pages in order."""
    pl = _pages(pages)
    docs: list[dict[str, Any]] = []
    seen: set[int] = set()
    for p in pl:
        if p.truth.meta.doc_index not in seen:
            seen.add(p.truth.meta.doc_index)
            docs.append(p.truth.to_dict()["meta"])
    head: dict[str, Any] = {"format": TRUTH_FORMAT, "version": TRUTH_VERSION}
    if isinstance(pages, Dossier):
        head.update(seed=pages.seed, profile=pages.profile, dpi=pages.dpi)
    head.update(extra)
    head["documents"] = docs
    head["pages"] = [p.truth.to_dict() for p in pl]
    return head


def write_truth(path: str | Path, pages: Dossier | Sequence[Page], **extra: Any) -> Path:
    path = Path(path)
    path.write_text(
        json.dumps(truth_document(pages, **extra), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path


def write_dossier(
    out_dir: str | Path, pages: Dossier | Sequence[Page], fmt: str | None = None, **extra: Any
) -> list[Path]:
    """A folder of ``trang-1.jpg`` … ``trang-N.jpg`` plus ``truth.json``.

    ``fmt`` None writes each page in its profile's usual format (G4 TIFF for
    ``photocopy``, JPEG otherwise). Returns the page files in order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pl = _pages(pages)
    files: list[Path] = []
    for i, p in enumerate(pl, start=1):
        f = fmt or p.default_format
        path = write_page(p, out / f"trang-{i}{EXTENSIONS[f]}", p.truth.dpi, f)
        p.truth.file = path.name
        files.append(path)
    write_truth(out / "truth.json", pages, **extra)
    return files


def write_multitiff(path: str | Path, pages: Dossier | Sequence[Page]) -> Path:
    """All pages in one multi-page TIFF, each page bilevel Group 4 in one strip."""
    pl = _pages(pages)
    if not pl:
        raise ValueError("no pages")
    path = Path(path)
    frames = [bilevel(p.image) for p in pl]
    # Pillow writes one dpi for all frames; a dossier has one resolution anyway.
    frames[0].save(
        path,
        "TIFF",
        save_all=True,
        append_images=frames[1:],
        compression="group4",
        dpi=(pl[0].truth.dpi, pl[0].truth.dpi),
        strip_size=2**31 - 1,
    )
    for p in pl:
        p.truth.file = path.name
    return path


def write_pdf(path: str | Path, pages: Dossier | Sequence[Page]) -> Path:
    """An image-only PDF, one page per image at its true size.

    JPEG pages go in as DCT streams and bilevel pages as CCITT G4 streams,
    both without re-encoding (img2pdf copies the compressed data).
    """
    import img2pdf

    pl = _pages(pages)
    if not pl:
        raise ValueError("no pages")
    blobs = [encode(p, p.truth.dpi, "tiff-g4" if p.image.mode == "1" else "jpeg") for p in pl]
    path = Path(path)
    path.write_bytes(img2pdf.convert(blobs))
    for p in pl:
        p.truth.file = path.name
    return path
