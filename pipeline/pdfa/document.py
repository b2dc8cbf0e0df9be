"""PDF/A-2b assembly: the original scan pixels as the visible layer, OCR text under them.

JPEG and CCITT G4 data are embedded as they are (no recompression), PNG data
keeps its compressed stream, anything else is stored losslessly. The page is
the scan's real size (pixels / dpi), a right-angle turn is the page's
/Rotate, and every file passes pikepdf's PDF/A-2b validator before it is
written: a failure raises, it never falls back to a plain PDF.
"""

from __future__ import annotations

import gc
import io
import uuid
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import cast

import numpy as np
import pikepdf
from PIL import Image

from pipeline.core.errors import InputFileError, PdfaInvalidError
from pipeline.core.model import Encoding, OcrResult, SourcePage
from pipeline.ingest import pages as pages_mod
from pipeline.ingest import pdfsource
from pipeline.pdfa import textlayer

FLAVOUR = "2b"


@dataclass
class PageContent:
    """What one PDF page is made of: the source page, its OCR, the mapping."""

    source: SourcePage
    ocr: OcrResult | None  # None: a page whose text was kept from the source
    to_source: np.ndarray = field(default_factory=lambda: np.eye(3))
    rotation: int = 0  # clockwise turn shown by the page (/Rotate)


@dataclass
class DocumentInfo:
    title: str
    created: datetime
    document_id: uuid.UUID
    creator_tool: str
    language: str = "vi"


def build(pages: list[PageContent], info: DocumentInfo, destination: Path) -> None:
    """Write a validated PDF/A-2b with one page per ``PageContent``."""
    # Only this build's own garbage need be collected before validating (below): what
    # the process held before (the OCR of a whole dossier, imported modules) is set
    # aside, or each collection would walk all of it (0.1 s a document).
    gc.freeze()
    try:
        _build(pages, info, destination)
    finally:
        gc.unfreeze()


def _build(pages: list[PageContent], info: DocumentInfo, destination: Path) -> None:
    with ExitStack() as stack:
        pdf = stack.enter_context(pikepdf.new())
        sources: dict[Path, pikepdf.Pdf] = {}

        def source_pdf(path: Path) -> pikepdf.Pdf:
            if path not in sources:
                sources[path] = stack.enter_context(pikepdf.open(path))
            return sources[path]

        font = None
        for content in pages:
            page = content.source
            if page.encoding is Encoding.PDF_PAGE:
                _append_kept_page(pdf, source_pdf(page.source), page)
                continue
            if font is None:
                font = textlayer.add_font(pdf)
            _append_scan_page(pdf, content, font, source_pdf)
        _set_metadata(pdf, info)
        # The validator counts any warning raised while it runs as a failure; let
        # pending finalizers (and their ResourceWarnings) run before it starts.
        gc.collect()
        validator = warm_up()
        try:
            validator.save(pdf, destination, FLAVOUR, output_intent="sRGB")
        except validator.PdfaError as e:
            findings = "; ".join(
                f"{f.rule}: {f.message}" for f in e.report.findings[:5]
            )
            raise PdfaInvalidError(
                f"the PDF/A-{FLAVOUR} check failed, nothing was written ({findings})",
                f"tệp không đạt chuẩn PDF/A-{FLAVOUR}, không ghi ra ({findings})",
                destination,
            ) from e


def warm_up() -> ModuleType:
    """pikepdf's PDF/A validator, imported (a third of a second: ``process`` does it
    while the pages are being read, not before)."""
    import pikepdf.pdfa

    return pikepdf.pdfa


def _append_scan_page(pdf, content: PageContent, font, source_pdf) -> None:
    page = content.source
    width_pt, height_pt = page.size_pt
    image = pdf.make_indirect(_image_stream(pdf, page, source_pdf))
    draw = f"q {width_pt:.4f} 0 0 {height_pt:.4f} 0 0 cm /Im0 Do Q\n".encode()
    text = b""
    if content.ocr is not None:
        text = textlayer.content(page, content.ocr, content.to_source)
    resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    if text:
        resources.Font = pikepdf.Dictionary({textlayer.FONT_RESOURCE: font})
    pdf_page = pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, round(width_pt, 4), round(height_pt, 4)],
            Resources=resources,
            Contents=pdf.make_stream(draw + text),
        )
    )
    if content.rotation:
        pdf_page.obj.Rotate = content.rotation
    pdf.pages.append(pdf_page)


def _image_stream(pdf: pikepdf.Pdf, page: SourcePage, source_pdf) -> pikepdf.Stream:
    if page.encoding is Encoding.JPEG:
        return _jpeg(pdf, page)
    if page.encoding is Encoding.CCITT_G4:
        data, black_is_1 = pages_mod.g4_strip(page)
        stream = pikepdf.Stream(pdf, data)
        stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        stream.Width, stream.Height = page.width, page.height
        stream.ColorSpace = pikepdf.Name.DeviceGray
        stream.BitsPerComponent = 1
        stream.Filter = pikepdf.Name.CCITTFaxDecode
        stream.DecodeParms = pikepdf.Dictionary(
            K=-1, Columns=page.width, Rows=page.height, BlackIs1=black_is_1
        )
        return stream
    if page.encoding is Encoding.PNG_IDAT:
        return _png(pdf, page)
    if page.encoding is Encoding.PDF_IMAGE:
        original = pdfsource.image_object(source_pdf(page.source), page)
        return cast(pikepdf.Stream, pdf.copy_foreign(original))
    return _lossless(pdf, page)


def _jpeg(pdf: pikepdf.Pdf, page: SourcePage) -> pikepdf.Stream:
    data = page.source.read_bytes()
    pages_mod.allow_decoding(page)
    with Image.open(io.BytesIO(data)) as img:
        components = {"L": 1, "RGB": 3}.get(img.mode)
        icc = img.info.get("icc_profile")
    if components is None:
        raise InputFileError("has an unsupported JPEG colour mode", "JPEG có hệ màu không hỗ trợ", page.source)
    stream = pikepdf.Stream(pdf, data)
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stream.Width, stream.Height = page.width, page.height
    stream.BitsPerComponent = 8
    stream.ColorSpace = _colorspace(pdf, components, icc)
    stream.Filter = pikepdf.Name.DCTDecode
    return stream


def _png(pdf: pikepdf.Pdf, page: SourcePage) -> pikepdf.Stream:
    """The PNG's zlib stream as it is, decoded by the PDF's PNG predictor."""
    data = page.source.read_bytes()
    idat, width, height, depth, colour_type, icc = _png_chunks(data)
    components = {0: 1, 2: 3}[colour_type]
    stream = pikepdf.Stream(pdf, idat)
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stream.Width, stream.Height = width, height
    stream.BitsPerComponent = depth
    stream.ColorSpace = _colorspace(pdf, components, icc)
    stream.Filter = pikepdf.Name.FlateDecode
    stream.DecodeParms = pikepdf.Dictionary(
        Predictor=15, Colors=components, BitsPerComponent=depth, Columns=width
    )
    return stream


def _png_chunks(data: bytes) -> tuple[bytes, int, int, int, int, bytes | None]:
    pos, idat, icc = 8, [], None
    width = height = depth = colour_type = 0
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            depth, colour_type = body[8], body[9]
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"iCCP":
            name_end = body.index(b"\x00")
            icc = zlib.decompress(body[name_end + 2 :])
        pos += 12 + length
    return b"".join(idat), width, height, depth, colour_type, icc


def _lossless(pdf: pikepdf.Pdf, page: SourcePage) -> pikepdf.Stream:
    pixels = pages_mod.load_pixels(page)
    if page.colorspace == "bilevel":
        packed = np.packbits(pixels > 127, axis=1)
        stream = pikepdf.Stream(pdf, zlib.compress(packed.tobytes(), 6))
        stream.BitsPerComponent = 1
        stream.ColorSpace = pikepdf.Name.DeviceGray
    else:
        stream = pikepdf.Stream(pdf, zlib.compress(np.ascontiguousarray(pixels).tobytes(), 6))
        stream.BitsPerComponent = 8
        stream.ColorSpace = _colorspace(pdf, 1 if pixels.ndim == 2 else 3, None)
    stream.Filter = pikepdf.Name.FlateDecode
    stream.Type, stream.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    stream.Height, stream.Width = pixels.shape[:2]
    return stream


def _colorspace(pdf: pikepdf.Pdf, components: int, icc: bytes | None) -> pikepdf.Object:
    """The scan's own ICC profile where it has one (colour as the original)."""
    if icc:
        profile = pikepdf.Stream(pdf, icc)
        profile.N = components
        return pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_indirect(profile)])
    return pikepdf.Name.DeviceGray if components == 1 else pikepdf.Name.DeviceRGB


def _append_kept_page(pdf: pikepdf.Pdf, source: pikepdf.Pdf, page: SourcePage) -> None:
    """A source page that already has text, copied without what PDF/A forbids."""
    pdf.pages.append(source.pages[page.index_in_source])
    kept = pdf.pages[-1]
    if "/AA" in kept.obj:
        del kept.obj["/AA"]
    if "/Annots" in kept.obj:
        kept.obj.Annots = pikepdf.Array(
            [a for a in kept.obj.Annots if a.get("/Subtype") not in ("/FileAttachment", "/Movie", "/Sound", "/Screen")
             and not (isinstance(a.get("/A"), pikepdf.Dictionary) and a.A.get("/S") == "/JavaScript")]
        )


def _set_metadata(pdf: pikepdf.Pdf, info: DocumentInfo) -> None:
    when = info.created.isoformat(timespec="seconds")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = info.title
        meta["dc:language"] = [info.language]
        meta["xmp:CreateDate"] = when
        meta["xmp:ModifyDate"] = when
        meta["xmp:MetadataDate"] = when
        meta["xmp:CreatorTool"] = info.creator_tool
        meta["pdf:Producer"] = info.creator_tool
        meta["xmpMM:DocumentID"] = f"uuid:{info.document_id}"
        meta["xmpMM:InstanceID"] = f"uuid:{uuid.uuid4()}"
    pdf.Root.Lang = pikepdf.String(info.language)
