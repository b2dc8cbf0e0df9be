"""The visible signature mark (TT 05/2025): the agency and the signing time, top right of
the first page as it is shown, in an embedded serif font, no seal image."""

from __future__ import annotations

import functools
import io
import math
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path

from pipeline.core.errors import SigningError
from pipeline.sign.times import vietnam_time

_PADDING = 3  # points of white space around the mark's text


class Mark:
    """The TT 05/2025 mark: the agency and the signing time, top right, 10 pt serif, black."""

    def __init__(self, settings, names: str):
        font = Path(settings.font)
        if not font.is_file():
            raise SigningError(
                "the font for the signature mark is missing (Debian: apt-get install fonts-liberation2)",
                "thiếu phông chữ cho dấu chữ ký (Debian: apt-get install fonts-liberation2)",
                font,
            )
        self.settings = settings
        self.font = font
        # Every mark uses the same few characters: cut the font down to them once, so
        # pyHanko's per-signature subsetting works on a small font (0.2 s -> a few ms).
        self._tmp = tempfile.TemporaryDirectory(prefix="sohoa-mark-")
        self.embedded_font = _subset_font(
            font, unicodedata.normalize("NFC", names + settings.text) + "0123456789-:+T", Path(self._tmp.name)
        )
        # pyHanko's layout computes with fractions: whole points only.
        self.size = int(settings.font_size)
        self.leading = round(self.size * 1.2)

    def text(self, *, agency: str, signer: str, when: datetime) -> str:
        text = self.settings.text.format(agency=agency, signer=signer, time=vietnam_time(when))
        return unicodedata.normalize("NFC", text)

    def style(self):
        from pyhanko.pdf_utils import layout
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.stamp import TextStampStyle

        return TextStampStyle(
            stamp_text="%(mark)s",
            text_box_style=TextBoxStyle(
                font=_in_memory_font_factory(self.embedded_font, self.size),
                font_size=self.size,
                leading=self.leading,
                text_color=(0, 0, 0),
                box_layout_rule=layout.SimpleBoxLayoutRule(
                    x_align=layout.AxisAlignment.ALIGN_MIN,
                    y_align=layout.AxisAlignment.ALIGN_MAX,
                    margins=layout.Margins.uniform(0),
                ),
            ),
            border_width=0,
            background=None,
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MAX,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(_PADDING),
                inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
            ),
        )

    def box(self, page_box: tuple[float, float, float, float], rotation: int, text: str):
        """Where the mark goes: (rectangle in page space, its upright width and height).

        Top right as the page is shown: with /Rotate (clockwise) the shown top
        right is another corner of the page's own space, and the rectangle is
        turned with it.
        """
        lines = text.split("\n")
        w = math.ceil(max(_text_width(self.font, line, self.size) for line in lines) + 2 * _PADDING + 2)
        h = math.ceil(self.leading * len(lines) + 2 * _PADDING)  # pyHanko: one leading a line
        x0, y0, x1, y1 = (round(v) for v in page_box)
        m = self.settings.margin
        rect = {
            0: (x1 - m - w, y1 - m - h, x1 - m, y1 - m),  # shown top right = top right
            90: (x0 + m, y1 - m - w, x0 + m + h, y1 - m),  # = top left
            180: (x0 + m, y0 + m, x0 + m + w, y0 + m + h),  # = bottom left
            270: (x1 - m - h, y0 + m, x1 - m, y0 + m + w),  # = bottom right
        }[rotation]
        return rect, (w, h)

    def close(self) -> None:
        self._tmp.cleanup()


def _in_memory_font_factory(font: Path, size: int):
    """pyHanko's glyph accumulator, fed from memory rather than an open file.

    pyHanko opens the font file for each signature and never closes it; the
    garbage collector's ResourceWarning can then land inside a later PDF/A
    check, which counts any warning as a failure.
    """
    from pyhanko.pdf_utils.font.opentype import (
        GlyphAccumulator,
        GlyphAccumulatorFactory,
    )

    data = font.read_bytes()

    class InMemory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.font_size,
                ot_script_tag=self.ot_script_tag,
                ot_language_tag=self.ot_language_tag,
                writing_direction=self.writing_direction,
                bcp47_lang_code=self.bcp47_lang_code,
                obj_stream=obj_stream,
            )

    return InMemory(str(font), font_size=size)


def _subset_font(font: Path, characters: str, folder: Path) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont, scaleUpem

    options = subset.Options()
    options.notdef_outline = True  # PDF/A: the .notdef glyph keeps an outline
    options.drop_tables += ["FFTM"]  # FontForge's timestamp: nothing to subset, only noise
    options.name_IDs = ["*"]
    out = folder / font.name
    with TTFont(str(font)) as tt:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(characters) - {"\n"})))
        subsetter.subset(tt)
        # pyHanko writes advance widths in font units into /W, which PDF reads as 1/1000 em:
        # right only for 1000-unit fonts. Times New Roman and Liberation Serif have 2048.
        if tt["head"].unitsPerEm != 1000:
            scaleUpem.scale_upem(tt, 1000)
        tt.save(str(out))
    return out


@functools.lru_cache(maxsize=4)
def _font_metrics(font: Path):
    from fontTools.ttLib import TTFont

    # Read in full and closed at once: an open font file left to the garbage collector
    # raises a ResourceWarning wherever it happens to be collected (the PDF/A
    # validator counts any warning as a failure).
    with TTFont(str(font)) as tt:
        return dict(tt.getBestCmap()), dict(tt["hmtx"].metrics), tt["head"].unitsPerEm


def _text_width(font: Path, text: str, size: float) -> float:
    cmap, metrics, upem = _font_metrics(font)
    units = sum(metrics.get(cmap.get(ord(c), ".notdef"), (upem // 2, 0))[0] for c in text)
    return units * size / upem


def counter_rotate_appearance(sig_field, rotation: int, rect) -> None:
    """Turn the mark against the page's /Rotate so it reads upright, and put it in ``rect``."""
    from pyhanko.pdf_utils import generic

    normal = sig_field["/AP"]["/N"]
    # Counter-clockwise by the page's clockwise turn; the viewer fits the result into /Rect.
    matrix = {90: (0, 1, -1, 0, 0, 0), 180: (-1, 0, 0, -1, 0, 0), 270: (0, -1, 1, 0, 0, 0)}[rotation]
    normal["/Matrix"] = generic.ArrayObject(generic.NumberObject(v) for v in matrix)
    sig_field["/Rect"] = generic.ArrayObject(generic.FloatObject(v) for v in rect)


def first_page(reader):
    ref, _ = reader.find_page_for_modification(0)
    return ref.get_object()


def inherited(page, key: str):
    """A page attribute, looked up through the page tree as PDF inheritance says."""
    node = page
    for _ in range(64):  # a deeper tree is malformed
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node["/Parent"]
    return None


def page_box(page) -> tuple[float, float, float, float]:
    box = inherited(page, "/CropBox") or inherited(page, "/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

