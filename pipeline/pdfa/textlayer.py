"""The invisible text layer: each OCR word drawn, unseen, exactly over its pixels.

Words are written in a glyphless font whose every glyph is half an em wide;
each word gets its own text matrix that stretches it along its baseline in
the original scan. So deskew, right-angle turns and perspective correction
never touch the image: only the text is transformed.

Text is shown as UTF-16BE codes (CIDs), with an identity ToUnicode map, so
copy and search give back the NFC Vietnamese the OCR produced.
"""

from __future__ import annotations

import functools
import io
import unicodedata

import numpy as np
import pikepdf
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from pipeline.core.model import OcrResult, SourcePage

UNITS_PER_EM = 1000
GLYPH_WIDTH = 500  # every glyph: half an em
FONT_NAME = "SohoaGlyphless"
FONT_RESOURCE = "/FTxt"


@functools.cache
def glyphless_font() -> bytes:
    """A TrueType font with one empty glyph (plus .notdef), built on first use."""
    fb = FontBuilder(UNITS_PER_EM, isTTF=True)
    fb.setupGlyphOrder([".notdef", "blank"])
    fb.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({".notdef": empty, "blank": TTGlyphPen(None).glyph()})
    fb.setupHorizontalMetrics({".notdef": (GLYPH_WIDTH, 0), "blank": (GLYPH_WIDTH, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


TO_UNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def add_font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """The Type0 font dictionary for the text layer, added once per document."""
    font_file = pikepdf.Stream(pdf, glyphless_font())
    font_file.Length1 = len(glyphless_font())
    descriptor = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.FontDescriptor,
            FontName=pikepdf.Name("/" + FONT_NAME),
            Flags=4,  # symbolic
            FontBBox=[0, -200, GLYPH_WIDTH, 800],
            ItalicAngle=0,
            Ascent=800,
            Descent=-200,
            CapHeight=700,
            StemV=80,
            FontFile2=pdf.make_indirect(font_file),
        )
    )
    # Every CID (a UTF-16 code unit) shows glyph 1, the blank one.
    cid_to_gid = pikepdf.Stream(pdf, b"\x00\x01" * 65536)
    cid_font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.CIDFontType2,
            BaseFont=pikepdf.Name("/" + FONT_NAME),
            CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
            FontDescriptor=descriptor,
            DW=GLYPH_WIDTH,
            W=pikepdf.Array([0, pikepdf.Array([GLYPH_WIDTH])]),
            CIDToGIDMap=pdf.make_indirect(cid_to_gid),
        )
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name("/" + FONT_NAME),
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[cid_font],
            ToUnicode=pdf.make_indirect(pikepdf.Stream(pdf, TO_UNICODE)),
        )
    )


def content(page: SourcePage, ocr: OcrResult, to_source: np.ndarray) -> bytes:
    """The content-stream operators that draw the page's words invisibly.

    ``to_source`` maps OCR-image pixels to source pixels; source pixels map to
    PDF points by the page's real resolution (y flipped).
    """
    if not ocr.words:
        return b""
    sx, sy = 72.0 / page.dpi[0], 72.0 / page.dpi[1]
    to_pdf = np.array([[sx, 0, 0], [0, -sy, page.height * sy], [0, 0, 1]]) @ to_source
    out = [b"BT\n3 Tr\n", FONT_RESOURCE.encode() + b" 1 Tf\n"]
    for index, words in ocr.words_by_line().items():
        line = ocr.lines[index]
        slope, offset = line.baseline
        lx0, _, _, ly1 = line.box
        for position, word in enumerate(words):
            last = position == len(words) - 1
            text = unicodedata.normalize("NFC", word.text) + ("" if last else " ")
            x0, _, x1, _ = word.box
            base0 = ly1 + offset + slope * (x0 - lx0)
            base1 = ly1 + offset + slope * (x1 - lx0)
            p0 = _apply(to_pdf, x0, base0)
            p1 = _apply(to_pdf, x1, base1)
            p2 = _apply(to_pdf, x0, base0 - line.size)
            matrix = _word_matrix(p0, p1, p2, max(len(word.text), 1))
            out.append(" ".join(f"{v:.3f}" for v in matrix).encode() + b" Tm\n")
            out.append(b"<" + text.encode("utf-16-be").hex().encode() + b"> Tj\n")
    out.append(b"ET\n")
    return b"".join(out)


def _word_matrix(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, chars: int) -> tuple[float, ...]:
    """The text matrix that lays ``chars`` glyphs over a word's baseline p0→p1, height p0→p2.

    The word keeps its place and size on the scan, but runs in the nearest
    right-angle direction rather than at the scan's small tilt: text extractors
    (poppler, pdf.js) break a tilted run of glyphs into pieces mid-word, while
    an upright word stays whole and still covers its pixels.
    """
    baseline = p1 - p0
    length = float(np.hypot(*baseline)) or 1e-3
    height = float(np.hypot(*(p2 - p0))) or 1e-3
    quarter = round(np.degrees(np.arctan2(baseline[1], baseline[0])) / 90) % 4
    along = np.array([(1, 0), (0, 1), (-1, 0), (0, -1)][quarter], dtype=float)
    up = np.array([-along[1], along[0]])
    # Keep the middle of the word's baseline where it is on the scan.
    origin = (p0 + p1) / 2 - along * length / 2
    scale = along * length / (0.5 * chars)
    return (scale[0], scale[1], up[0] * height, up[1] * height, origin[0], origin[1])


def _apply(h: np.ndarray, x: float, y: float) -> np.ndarray:
    v = h @ np.array([x, y, 1.0])
    return v[:2] / v[2]
