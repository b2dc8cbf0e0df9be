"""Pages that arrive as a PDF: refuse what must not be touched, keep what is there.

An image-only PDF's page image is taken out as it is (its JPEG or G4 bytes go
into the archive copy unchanged); only a page that is not a single image is
rasterised (pdf2image). A page that already has text keeps it and is not OCR'd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pikepdf
from PIL import Image

from pipeline.core.errors import EncryptedPdfError, InputFileError, SignedPdfError, TooLargeError
from pipeline.core.model import Encoding, SourcePage
from pipeline.ingest.resolution import add_resolution_warnings

RASTER_DPI = 300
# PDF 2.0 (8.3.2.3): 14,400 units a side at most; a page declaring more is not a page.
MAX_PAGE_POINTS = 14_400
# pdftoppm on one page at 300 dpi takes a second or two; a page that takes minutes is hostile.
RENDER_TIMEOUT_SECONDS = 300
TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
# Filters whose data can go into a PDF/A-2 file unchanged.
PASSTHROUGH_FILTERS = {"/DCTDecode", "/CCITTFaxDecode", "/FlateDecode", "/JBIG2Decode"}
PASSTHROUGH_COLORSPACES = {"/DeviceGray", "/DeviceRGB"}


@dataclass
class Placement:
    name: str
    width_pt: float
    height_pt: float


def probe(path: Path, *, max_pixels: int, max_pages: int) -> list[SourcePage]:
    pdf = open_checked(path)
    with pdf:
        if len(pdf.pages) > max_pages:
            raise TooLargeError(
                f"the dossier has more than {max_pages:,} pages with this PDF's {len(pdf.pages):,} "
                "(input.max_pages): split it",
                f"hồ sơ có hơn {max_pages:,} trang với {len(pdf.pages):,} trang của tệp PDF này "
                "(input.max_pages): hãy chia nhỏ",
                path,
            )
        warnings = document_warnings(pdf)
        pages = []
        for index, page in enumerate(pdf.pages):
            pages.append(_describe(path, index, page, max_pixels))
        if pages:
            pages[0].warnings.extend(warnings)
        else:
            raise InputFileError("has no pages", "không có trang nào", path)
    return pages


def open_checked(path: Path) -> pikepdf.Pdf:
    """Open a source PDF, refusing encrypted and digitally signed ones."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as e:
        raise EncryptedPdfError(
            "is encrypted (password protected); remove the protection and scan again",
            "được mã hóa (có mật khẩu); hãy gỡ bảo vệ rồi đưa lại",
            path,
        ) from e
    except pikepdf.PdfError as e:
        raise InputFileError(
            f"is not a readable PDF ({e})", "không phải tệp PDF đọc được (hỏng)", path
        ) from e
    if pdf.is_encrypted:
        pdf.close()
        raise EncryptedPdfError(
            "is encrypted; archival copies must not be encrypted",
            "được mã hóa; bản lưu trữ không được mã hóa",
            path,
        )
    if has_signature(pdf):
        pdf.close()
        raise SignedPdfError(
            "already carries a digital signature; OCR would invalidate it, so it is archived as is elsewhere",
            "đã có chữ ký số; nhận dạng chữ sẽ làm mất hiệu lực chữ ký nên không xử lý tệp này",
            path,
        )
    return pdf


def has_signature(pdf: pikepdf.Pdf) -> bool:
    acroform = pdf.Root.get("/AcroForm")
    if acroform is not None:
        if int(acroform.get("/SigFlags", 0)) & 1:
            return True
        for field in acroform.get("/Fields", []):
            if field.get("/FT") == "/Sig" and "/V" in field:
                return True
    return "/Perms" in pdf.Root


def document_warnings(pdf: pikepdf.Pdf) -> list[str]:
    """JavaScript and attachments are not allowed in PDF/A: they are dropped."""
    warnings = []
    names: Any = pdf.Root.get("/Names", {})
    if "/JavaScript" in names or _has_js_action(pdf.Root.get("/OpenAction")):
        warnings.append("the source PDF had JavaScript; it was dropped (not allowed in PDF/A)")
    if "/EmbeddedFiles" in names or any(
        annot.get("/Subtype") == "/FileAttachment"
        for page in pdf.pages
        for annot in page.get("/Annots", [])
    ):
        warnings.append("the source PDF had attached files; they were dropped (not allowed in PDF/A-2)")
    return warnings


def _has_js_action(action: object) -> bool:
    return isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/JavaScript"


def _describe(path: Path, index: int, page: pikepdf.Page, max_pixels: int) -> SourcePage:
    box = page.mediabox
    page_w = float(box[2]) - float(box[0])
    page_h = float(box[3]) - float(box[1])
    rotation = int(page.obj.get("/Rotate", 0)) % 360
    common: dict[str, Any] = dict(number=0, source=path, index_in_source=index, rotation=rotation)
    if not (0 < page_w < MAX_PAGE_POINTS and 0 < page_h < MAX_PAGE_POINTS):
        raise TooLargeError(
            f"page {index + 1} declares a size of {page_w:.0f} × {page_h:.0f} points, "
            f"outside what a page can be (1 to {MAX_PAGE_POINTS:,} points a side)",
            f"trang {index + 1} khai kích thước {page_w:.0f} × {page_h:.0f} điểm, "
            f"ngoài giới hạn của một trang (1 đến {MAX_PAGE_POINTS:,} điểm mỗi cạnh)",
            path,
        )
    # Rasterised for the PDF/A's preview of a text page too: the same limit applies.
    _refuse_oversized(path, index, math.ceil(page_w * RASTER_DPI / 72), math.ceil(page_h * RASTER_DPI / 72),
                      max_pixels)
    missing = fonts_not_embedded(page) if has_text(page) else None
    if missing is not None and not missing:
        return SourcePage(
            width=round(page_w), height=round(page_h), dpi=(72.0, 72.0),
            encoding=Encoding.PDF_PAGE, colorspace="rgb",
            warnings=["page already has text: kept as it is, not OCR'd again"], **common,
        )
    placement = single_image(page)
    if placement is not None:
        image = page.resources.XObject[placement.name]
        width, height = int(image.Width), int(image.Height)
        if width < MIN_SIDE or height < MIN_SIDE:
            raise InputFileError(
                f"page {index + 1} is a {width}×{height} pixel image, too small to be a scanned page",
                f"trang {index + 1} là ảnh {width}×{height} điểm ảnh, quá nhỏ, không phải trang quét",
                path,
            )
        _refuse_oversized(path, index, width, height, max_pixels)
        dpi = (width * 72.0 / placement.width_pt, height * 72.0 / placement.height_pt)
        encoding = Encoding.PDF_IMAGE if can_pass_through(image) else Encoding.LOSSLESS
        colorspace = "bilevel" if int(image.get("/BitsPerComponent", 8)) == 1 else (
            "gray" if image.get("/ColorSpace") == "/DeviceGray" else "rgb"
        )
        result = SourcePage(
            width=width, height=height, dpi=dpi, encoding=encoding,
            colorspace=colorspace, **common,
        )
        add_resolution_warnings(result)
        return result
    # As poppler sizes the raster (rounding up); the dpi then gives back the exact page size.
    width = math.ceil(page_w * RASTER_DPI / 72)
    height = math.ceil(page_h * RASTER_DPI / 72)
    _refuse_oversized(path, index, width, height, max_pixels)
    why = (f"its fonts are not embedded ({', '.join(missing)}), which PDF/A forbids: rasterised at "
           f"{RASTER_DPI} dpi with substitute fonts and OCR'd" if missing
           else f"page is not a single scanned image: rasterised at {RASTER_DPI} dpi")
    return SourcePage(
        width=width, height=height, dpi=(width * 72 / page_w, height * 72 / page_h),
        encoding=Encoding.LOSSLESS, colorspace="rgb", warnings=[why], **common,
    )


def _refuse_oversized(path: Path, index: int, width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise TooLargeError(
            f"page {index + 1} has more than {max_pixels:,} pixels (the safety limit): "
            f"{width:,} × {height:,}",
            f"trang {index + 1} có hơn {max_pixels:,} điểm ảnh (giới hạn an toàn): {width:,} × {height:,}",
            path,
        )


MIN_SIDE = 32  # pixels: a smaller page image is an icon, never a scan
EMBEDDED = ("/FontFile", "/FontFile2", "/FontFile3")


def fonts_not_embedded(page: pikepdf.Page) -> list[str]:
    """The names of the fonts a page uses without embedding them (its forms' too)."""
    missing: set[str] = set()
    seen: set[tuple[int, int]] = set()
    todo: list[Any] = [page.obj.get("/Resources")]
    while todo:
        resources = todo.pop()
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        for font in dict(resources.get("/Font", {})).values():
            if isinstance(font, pikepdf.Dictionary) and not _embedded(font):
                missing.add(str(font.get("/BaseFont", "?")).lstrip("/"))
        for xobj in dict(resources.get("/XObject", {})).values():
            key = xobj.objgen if isinstance(xobj, pikepdf.Object) else (0, 0)
            if key in seen or len(seen) > 1000:
                continue
            seen.add(key)
            if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == "/Form":
                todo.append(xobj.get("/Resources"))
    return sorted(missing)


def _embedded(font: pikepdf.Dictionary) -> bool:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # its glyphs are drawn by the PDF itself
    if subtype == "/Type0":
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
            return False
        font = cast(pikepdf.Dictionary, descendants[0])
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(k in descriptor for k in EMBEDDED)


def has_text(page: pikepdf.Page) -> bool:
    try:
        ops: list[Any] = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return False
    return any(str(op) in TEXT_OPERATORS for _, op in ops)


def single_image(page: pikepdf.Page) -> Placement | None:
    """The one image a scanned page is, drawn upright over the whole page; else None."""
    xobjects: Any = page.resources.get("/XObject", {})
    try:
        ops: list[Any] = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return None
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    drawn: list[Placement] = []
    for operands, op in ops:
        name = str(op)
        if name == "q":
            stack.append(ctm)
        elif name == "Q" and stack:
            ctm = stack.pop()
        elif name == "cm":
            ctm = _multiply([float(v) for v in operands], ctm)
        elif name == "Do":
            xobj = xobjects.get(str(operands[0]))
            if xobj is None or xobj.get("/Subtype") != "/Image":
                return None
            a, b, c, d = ctm[:4]
            if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
                return None
            drawn.append(Placement(str(operands[0]), a, d))
        elif name in ("f", "F", "f*", "S", "s", "B", "b", "sh", "BI"):
            return None
    if len(drawn) != 1:
        return None
    box = page.mediabox
    page_w = float(box[2]) - float(box[0])
    page_h = float(box[3]) - float(box[1])
    placed = drawn[0]
    if abs(placed.width_pt - page_w) > 2 or abs(placed.height_pt - page_h) > 2:
        return None
    return placed


def can_pass_through(image: pikepdf.Object) -> bool:
    given = image.get("/Filter")
    filters = list(given) if isinstance(given, pikepdf.Array) else [given]
    if len(filters) != 1 or str(filters[0]) not in PASSTHROUGH_FILTERS:
        return False
    if "/SMask" in image or "/Mask" in image or "/Decode" in image:
        return False
    colorspace = image.get("/ColorSpace")
    if image.get("/ImageMask", False):
        return False
    return colorspace is None and str(filters[0]) in ("/CCITTFaxDecode", "/JBIG2Decode") or (
        str(colorspace) in PASSTHROUGH_COLORSPACES
    )


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """m × n for PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def render(page: SourcePage) -> Image.Image:
    """The pixels of one PDF page: its one image taken out, or else the page rasterised."""
    with pikepdf.open(page.source) as pdf:
        pdf_page = pdf.pages[page.index_in_source]
        placement = single_image(pdf_page)
        if placement is not None:
            try:
                return pikepdf.PdfImage(cast(pikepdf.Stream, pdf_page.resources.XObject[placement.name])).as_pil_image()
            except Exception:  # noqa: BLE001 - a filter Pillow cannot decode: rasterise instead
                pass
    from pipeline._exec import poppler

    return poppler.rasterise(page.source, page.index_in_source, dpi=RASTER_DPI, timeout=RENDER_TIMEOUT_SECONDS)


def image_object(source: pikepdf.Pdf, page: SourcePage) -> pikepdf.Object:
    """The page's image stream in the open source PDF (for copying as it is)."""
    pdf_page = source.pages[page.index_in_source]
    placement = single_image(pdf_page)
    assert placement is not None
    return pdf_page.resources.XObject[placement.name]
