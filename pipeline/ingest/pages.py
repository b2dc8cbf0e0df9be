"""Pages: find every page of a dossier, with its real resolution, and read its pixels.

A dossier arrives as a folder of page images, a multi-page TIFF, an image-only
PDF, or a single image. ``read_pages`` only probes headers (cheap, and it
rejects bad input before any OCR time is spent); ``load_pixels`` decodes one
page and runs in the OCR workers.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from pipeline.core.errors import InputFileError, TooLargeError
from pipeline.core.model import Encoding, SourcePage
from pipeline.ingest import pdfsource
from pipeline.ingest.junk import is_junk
from pipeline.ingest.resolution import add_resolution_warnings, estimate_dpi

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
PDF_SUFFIXES = {".pdf"}
# Pages per dossier (input.max_pages): a few hundred bytes of TIFF can declare thousands.
MAX_PAGES = 1000
# Files a clerk or a tool may leave beside the pages; they are not pages.
SIDECAR_SUFFIXES = {".json", ".yaml", ".yml", ".txt", ".md", ".csv", ".toml"}


TIFF_COMPRESSION_G4 = 4
TIFF_TAG_COMPRESSION = 259
TIFF_TAG_PHOTOMETRIC = 262
TIFF_TAG_FILLORDER = 266
TIFF_TAG_STRIP_OFFSETS = 273
TIFF_TAG_ROWS_PER_STRIP = 278
TIFF_TAG_STRIP_BYTES = 279
TIFF_TAG_TILE_OFFSETS = 324
TIFF_TAG_TILE_BYTES = 325

EXIF_ORIENTATION_TO_ROTATION = {1: 0, 3: 180, 6: 90, 8: 270}


def natural_key(path: Path) -> list[object]:
    """Sort key so that ``trang-2`` comes before ``trang-10``."""
    name = unicodedata.normalize("NFC", path.name).casefold()
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def discover(input_path: Path) -> list[Path]:
    """The files that make up a dossier, in page order."""
    found, aside = sort_out(input_path)
    if not found:
        also = f" ({', '.join(name for name, _ in aside)} set aside)" if aside else ""
        also_vi = f" ({', '.join(name for name, _ in aside)} đã để riêng)" if aside else ""
        raise InputFileError(
            f"the folder holds no page images or PDF{also}",
            f"thư mục không có ảnh trang hoặc tệp PDF nào{also_vi}",
            input_path,
        )
    return found


def sort_out(input_path: Path) -> tuple[list[Path], list[tuple[str, bool]]]:
    """A dossier's pages (in page order), and what is set aside beside them: (name, junk?).
    Junk (Thumbs.db, .DS_Store…) and a stray document of another kind (a .docx) are set
    aside, never a reason to refuse the dossier; a file named as a page that is not one
    is still refused when read (a damaged scan must not vanish quietly)."""
    if not input_path.exists():
        raise InputFileError("does not exist", "không tồn tại", input_path)
    if input_path.is_file():
        return [input_path], []
    pages: list[Path] = []
    aside: list[tuple[str, bool]] = []
    for p in input_path.iterdir():
        if p.is_symlink() or not p.is_file():
            continue
        name = unicodedata.normalize("NFC", p.name)
        if is_junk(p.name):
            aside.append((name, True))
        elif p.suffix.lower() in SIDECAR_SUFFIXES:
            continue
        elif p.suffix.lower() not in IMAGE_SUFFIXES | PDF_SUFFIXES and _sniff_quietly(p) == "other":
            aside.append((name, False))
        else:
            pages.append(p)
    return sorted(pages, key=natural_key), sorted(aside)


def set_aside_warnings(aside: list[tuple[str, bool]]) -> list[str]:
    return [
        f"{name}: computer junk, set aside" if junk
        else f"{name}: not a page image or PDF: set aside, not archived; a person should check it"
        for name, junk in aside
    ]


def _sniff_quietly(path: Path) -> str:
    try:
        return sniff(path)
    except InputFileError:
        return "other"


def read_pages(input_path: Path, *, max_pixels: int, max_pages: int = MAX_PAGES) -> list[SourcePage]:
    """Probe every page of a dossier: size, resolution, how to embed it. A page over
    ``max_pixels`` or a dossier over ``max_pages`` is refused before anything is decoded."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    pages: list[SourcePage] = []
    files = discover(input_path)
    if len(files) > max_pages:
        raise _too_many_pages(input_path, max_pages)
    for path in files:
        kind = sniff(path)
        left = max_pages - len(pages)
        if kind == "pdf":
            found = pdfsource.probe(path, max_pixels=max_pixels, max_pages=left)
        elif kind == "image":
            found = _probe_image(path, max_pixels=max_pixels, max_pages=left)
        else:
            raise InputFileError(
                "is not an image (JPEG, PNG, TIFF) or a PDF",
                "không phải ảnh (JPEG, PNG, TIFF) hay tệp PDF",
                path,
            )
        for page in found:
            page.number = len(pages) + 1
            pages.append(page)
    return pages


def sniff(path: Path) -> str:
    """'image', 'pdf' or 'other', from the file's first bytes, not its name."""
    try:
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError as e:
        raise InputFileError(f"cannot be read ({e.strerror})", "không đọc được tệp", path) from e
    if not head:
        raise InputFileError("is empty (0 bytes)", "là tệp rỗng (0 byte)", path)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")):
        return "image"
    return "other"


def _probe_image(path: Path, *, max_pixels: int, max_pages: int = MAX_PAGES) -> list[SourcePage]:
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as e:
        raise _too_large(path, max_pixels) from e
    except (OSError, SyntaxError, ValueError) as e:
        raise InputFileError(
            f"is not a readable image, or is truncated or damaged ({e})",
            "không phải ảnh đọc được (có thể bị cắt cụt hoặc hỏng)", path,
        ) from e
    with img:
        _check_complete(path, img.format)
        pages = []
        try:
            frames = getattr(img, "n_frames", 1)
            if frames > max_pages:
                raise _too_many_pages(path, max_pages)
            for index in range(frames):
                img.seek(index)
                if img.width * img.height > max_pixels:
                    raise _too_large(path, max_pixels)
                if img.width < MIN_SIDE or img.height < MIN_SIDE:
                    raise InputFileError(
                        f"is too small to be a scanned page ({img.width}×{img.height} pixels; "
                        f"at least {MIN_SIDE} each way)",
                        f"quá nhỏ, không phải trang quét ({img.width}×{img.height} điểm ảnh; "
                        f"cần ít nhất {MIN_SIDE} mỗi chiều)",
                        path,
                    )
                if img.format == "TIFF":
                    _check_tiff_frame(path, img, index)
                pages.append(_describe_frame(path, index, img))
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, struct.error, KeyError) as e:
            raise _damaged(path, e) from e
    return pages


MIN_SIDE = 32  # pixels: less is an icon or a stray thumbnail, never a page


def _damaged(path: Path, e: BaseException) -> InputFileError:
    return InputFileError(
        f"is truncated or damaged (an interrupted copy?): {e or type(e).__name__}",
        "bị cắt cụt hoặc hỏng (có thể do sao chép bị ngắt); hãy quét hoặc sao chép lại",
        path,
    )


def _check_tiff_frame(path: Path, img: Image.Image, index: int) -> None:
    """Every strip or tile a TIFF frame declares lies within the file."""
    tags = _tiff_tags(img)
    offsets = tags.get(TIFF_TAG_STRIP_OFFSETS) or tags.get(TIFF_TAG_TILE_OFFSETS)
    counts = tags.get(TIFF_TAG_STRIP_BYTES) or tags.get(TIFF_TAG_TILE_BYTES)
    if offsets is None or counts is None:
        raise _damaged(path, ValueError(f"page {index + 1} has no image data"))
    offsets = offsets if isinstance(offsets, tuple) else (offsets,)
    counts = counts if isinstance(counts, tuple) else (counts,)
    size = path.stat().st_size
    if any(int(o) + int(c) > size for o, c in zip(offsets, counts, strict=False)):
        raise _damaged(path, ValueError(f"page {index + 1}'s data ends past the end of the file"))


def _describe_frame(path: Path, index: int, img: Image.Image) -> SourcePage:
    dpi, assumed = _resolution(img)
    encoding, colorspace = _embedding(img)
    rotation = 0
    warnings: list[str] = []
    if img.format == "JPEG":
        orientation = img.getexif().get(0x0112, 1)
        rotation = EXIF_ORIENTATION_TO_ROTATION.get(orientation, 0)
        if orientation not in EXIF_ORIENTATION_TO_ROTATION:
            # Mirrored orientations cannot be shown by a page turn alone.
            encoding = Encoding.LOSSLESS
            warnings.append("mirrored EXIF orientation: pixels re-encoded losslessly")
    if encoding is Encoding.CCITT_G4 and _g4_single_strip(img) is None:
        warnings.append("Group 4 data in several strips: re-coded as one strip (lossless)")
    if colorspace == "cmyk":
        encoding = Encoding.LOSSLESS
        colorspace = "rgb"
        warnings.append("CMYK image converted to RGB for the sRGB archive profile")
    page = SourcePage(
        number=0,
        source=path,
        index_in_source=index,
        width=img.width,
        height=img.height,
        dpi=dpi,
        encoding=encoding,
        colorspace=colorspace,
        rotation=rotation,
        dpi_assumed=assumed,
        warnings=warnings,
    )
    add_resolution_warnings(page)
    return page


def _resolution(img: Image.Image) -> tuple[tuple[float, float], bool]:
    """The real dpi, or an estimate assuming an A4 page when the file has none."""
    dpi = img.info.get("dpi")
    if img.format == "TIFF":
        unit = _tiff_tags(img).get(296, 2)  # ResolutionUnit: 1 none, 2 inch, 3 cm
        xres, yres = _tiff_tags(img).get(282), _tiff_tags(img).get(283)
        if xres and yres and unit in (2, 3):
            factor = 2.54 if unit == 3 else 1.0
            dpi = (float(xres) * factor, float(yres) * factor)
        else:
            dpi = None
    if dpi and all(float(d) >= 50 for d in dpi[:2]):
        return (float(dpi[0]), float(dpi[1])), False
    return (estimate_dpi(img.width, img.height),) * 2, True


def _embedding(img: Image.Image) -> tuple[Encoding, str]:
    mode = img.mode
    colorspace = {
        "1": "bilevel",
        "L": "gray",
        "RGB": "rgb",
        "CMYK": "cmyk",
        "P": "rgb",
        "YCbCr": "rgb",
    }.get(mode, "rgb")
    if img.format == "JPEG" and mode in ("L", "RGB", "CMYK"):
        return Encoding.JPEG, colorspace
    if img.format == "TIFF" and _tiff_tags(img).get(TIFF_TAG_COMPRESSION) == TIFF_COMPRESSION_G4:
        return Encoding.CCITT_G4, "bilevel"
    if img.format == "PNG" and png_passthrough(img):
        return Encoding.PNG_IDAT, colorspace
    if mode == "1":
        return Encoding.LOSSLESS, "bilevel"
    return Encoding.LOSSLESS, "gray" if mode in ("L", "LA", "I", "I;16", "I;16B") else "rgb"


def png_passthrough(img: Image.Image) -> bool:
    """Can the PNG's compressed data go into the PDF as it is (img2pdf's trick)?"""
    return (
        img.mode in ("L", "RGB", "1")
        and not img.info.get("interlace")
        and "transparency" not in img.info
        and getattr(img, "bits", 8) in (1, 8)
    )


def _g4_single_strip(img: Image.Image) -> tuple[int, int] | None:
    """(offset, length) of a TIFF frame's one Group 4 strip, or None."""
    tags = _tiff_tags(img)
    if tags.get(TIFF_TAG_COMPRESSION) != TIFF_COMPRESSION_G4:
        return None
    if tags.get(TIFF_TAG_FILLORDER, 1) != 1:
        return None
    offsets = tags.get(TIFF_TAG_STRIP_OFFSETS)
    counts = tags.get(TIFF_TAG_STRIP_BYTES)
    offsets = offsets if isinstance(offsets, tuple) else (offsets,)
    counts = counts if isinstance(counts, tuple) else (counts,)
    if len(offsets) != 1 or len(counts) != 1 or offsets[0] is None:
        return None
    return int(offsets[0]), int(counts[0])


def _check_complete(path: Path, fmt: str | None) -> None:
    """Reject files cut short (an interrupted copy) before any OCR time is spent."""
    size = path.stat().st_size
    with path.open("rb") as f:
        if fmt == "JPEG":
            f.seek(max(0, size - 64))
            if b"\xff\xd9" not in f.read():
                raise InputFileError(
                    "is truncated (the JPEG data has no end marker)",
                    "bị cắt cụt (dữ liệu JPEG không có dấu kết thúc)",
                    path,
                )
        elif fmt == "PNG":
            f.seek(max(0, size - 12))
            if b"IEND" not in f.read():
                raise InputFileError(
                    "is truncated (the PNG has no IEND chunk)",
                    "bị cắt cụt (tệp PNG thiếu khối IEND)",
                    path,
                )


def _too_large(path: Path, max_pixels: int) -> TooLargeError:
    return TooLargeError(
        f"has more than {max_pixels:,} pixels per page (the safety limit)",
        f"có hơn {max_pixels:,} điểm ảnh mỗi trang (giới hạn an toàn)",
        path,
    )


def _too_many_pages(path: Path, max_pages: int) -> TooLargeError:
    return TooLargeError(
        f"the dossier has more than {max_pages:,} pages (input.max_pages): split it",
        f"hồ sơ có hơn {max_pages:,} trang (input.max_pages): hãy chia nhỏ",
        path,
    )


def allow_decoding(page: SourcePage) -> None:
    """Let Pillow decode a page ``read_pages`` has checked against the configured limit.

    Pillow's own guard is a process-wide setting: in a worker process (a flow's, or the OCR
    pool's when it is not forked) it is Pillow's default, not the configured limit, and a page
    within the limit failed as an internal error. The probed size is what was checked; it is
    only ever raised to that, never lowered (threads may share the process)."""
    pixels = page.width * page.height
    current = Image.MAX_IMAGE_PIXELS
    if current is not None and current < pixels:
        Image.MAX_IMAGE_PIXELS = pixels


def load_pixels(page: SourcePage) -> np.ndarray:
    """Decode one page to uint8 grey (2-D) or RGB (H, W, 3), in stored orientation."""
    allow_decoding(page)
    if page.source.suffix.lower() in PDF_SUFFIXES or sniff(page.source) == "pdf":
        img = pdfsource.render(page)
    else:
        try:
            # Closed here, not left to the garbage collector (see to_array).
            with Image.open(page.source) as img:
                img.seek(page.index_in_source)
                if img.size != (page.width, page.height):
                    raise InputFileError(
                        f"page {page.index_in_source + 1} changed since it was read "
                        f"({img.width} × {img.height}, was {page.width} × {page.height})",
                        f"trang {page.index_in_source + 1} đã thay đổi sau khi đọc",
                        page.source,
                    )
                img.load()
                if page.encoding is Encoding.LOSSLESS and img.format == "JPEG":
                    return to_array(ImageOps.exif_transpose(img))
                return to_array(img)
        except (OSError, SyntaxError, ValueError, TypeError, EOFError, struct.error) as e:
            raise _damaged(page.source, e) from e
    return to_array(img)


def to_array(img: Image.Image) -> np.ndarray:
    """The pixels as an array that owns its memory (the image may be closed after)."""
    if img.mode in ("L", "RGB"):
        return np.asarray(img)  # a copy already (through tobytes): no conversion to pay for
    if img.mode == "1":
        return np.asarray(img.convert("L"))
    if img.mode in ("I;16", "I;16B", "I"):
        return np.asarray(img.point(lambda v: v / 256).convert("L"))
    if img.mode in ("RGBA", "LA", "P", "PA"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return np.asarray(img.convert("RGB"))


def g4_strip(page: SourcePage) -> tuple[bytes, bool]:
    """The Group 4 data of a TIFF page as one strip, and whether 1 bits mean black.

    A single-strip page gives its bytes as they are. G4 strips cannot be
    joined (each restarts its coding), so a multi-strip page is re-coded into
    one strip: G4 is lossless, the pixels stay identical.
    """
    allow_decoding(page)
    with Image.open(page.source) as img:
        img.seek(page.index_in_source)
        where = _g4_single_strip(img)
        photometric = _tiff_tags(img).get(TIFF_TAG_PHOTOMETRIC, 0)
        if where is None:
            buffer = io.BytesIO()
            img.load()
            img.save(buffer, format="TIFF", compression="group4", strip_size=1 << 31)
            buffer.seek(0)
            with Image.open(buffer) as single:
                offset, length = _g4_single_strip(single) or (0, 0)
                return buffer.getvalue()[offset : offset + length], (
                    _tiff_tags(single).get(TIFF_TAG_PHOTOMETRIC, 0) == 1
                )
    offset, length = where
    with page.source.open("rb") as f:
        f.seek(offset)
        data = f.read(length)
    if len(data) != length:
        raise InputFileError("is truncated (TIFF strip cut short)", "bị cắt cụt", page.source)
    return data, photometric == 1


def _tiff_tags(img: Image.Image) -> Any:
    """A TIFF's tags by number (only TIFF images have them)."""
    return img.tag_v2  # type: ignore[attr-defined]
