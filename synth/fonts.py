"""Serif fonts with full Vietnamese coverage, loaded at a given resolution."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_LIB = Path("/usr/share/fonts/truetype/liberation2")
_NOTO = Path("/usr/share/fonts/truetype/noto")
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_FREE = Path("/usr/share/fonts/truetype/freefont")
_GYRE = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")
_URW = Path("/usr/share/fonts/opentype/urw-base35")

# family key → style → file. Liberation Serif has Times New Roman's metrics,
# the face NĐ 30 prescribes; the others vary glyph shapes and widths.
FAMILIES: dict[str, dict[str, Path]] = {
    "liberation-serif": {
        "regular": _LIB / "LiberationSerif-Regular.ttf",
        "bold": _LIB / "LiberationSerif-Bold.ttf",
        "italic": _LIB / "LiberationSerif-Italic.ttf",
        "bolditalic": _LIB / "LiberationSerif-BoldItalic.ttf",
    },
    "noto-serif": {
        "regular": _NOTO / "NotoSerif-Regular.ttf",
        "bold": _NOTO / "NotoSerif-Bold.ttf",
        "italic": _NOTO / "NotoSerif-Italic.ttf",
        "bolditalic": _NOTO / "NotoSerif-BoldItalic.ttf",
    },
    "dejavu-serif": {
        "regular": _DEJAVU / "DejaVuSerif.ttf",
        "bold": _DEJAVU / "DejaVuSerif-Bold.ttf",
        "italic": _DEJAVU / "DejaVuSerif-Italic.ttf",
        "bolditalic": _DEJAVU / "DejaVuSerif-BoldItalic.ttf",
    },
}
# Relative frequency when a font is not asked for: Times-like faces dominate real offices.
FAMILY_WEIGHTS: dict[str, float] = {
    "liberation-serif": 0.5,
    "noto-serif": 0.25,
    "dejavu-serif": 0.25,
}

# The held-out split (``make_dossier(..., family="heldout")``): faces the tuned pages never
# use (FreeSerif, TeX Gyre Termes, Noto Serif Display), and a tuned pair used in a new way
# (headings in DejaVu Serif Bold over a Noto Serif body), so a score on them says how the
# extraction does on type it was not tuned on.
HELDOUT_FAMILIES: dict[str, dict[str, Path]] = {
    "freeserif": {
        "regular": _FREE / "FreeSerif.ttf",
        "bold": _FREE / "FreeSerifBold.ttf",
        "italic": _FREE / "FreeSerifItalic.ttf",
        "bolditalic": _FREE / "FreeSerifBoldItalic.ttf",
    },
    "texgyre-termes": {
        "regular": _GYRE / "texgyretermes-regular.otf",
        "bold": _GYRE / "texgyretermes-bold.otf",
        "italic": _GYRE / "texgyretermes-italic.otf",
        "bolditalic": _GYRE / "texgyretermes-bolditalic.otf",
    },
    "noto-serif-display": {
        "regular": _NOTO / "NotoSerifDisplay-Regular.ttf",
        "bold": _NOTO / "NotoSerifDisplay-Bold.ttf",
        "italic": _NOTO / "NotoSerifDisplay-Italic.ttf",
        "bolditalic": _NOTO / "NotoSerifDisplay-BoldItalic.ttf",
    },
    "noto-body-dejavu-heads": {
        "regular": _NOTO / "NotoSerif-Regular.ttf",
        "bold": _DEJAVU / "DejaVuSerif-Bold.ttf",
        "italic": _NOTO / "NotoSerif-Italic.ttf",
        "bolditalic": _DEJAVU / "DejaVuSerif-BoldItalic.ttf",
    },
}
HELDOUT_WEIGHTS: dict[str, float] = {
    "freeserif": 0.3,
    "texgyre-termes": 0.3,
    "noto-serif-display": 0.2,
    "noto-body-dejavu-heads": 0.2,
}
_ALL_FAMILIES = {**FAMILIES, **HELDOUT_FAMILIES}

# Numbers and days written by hand into printed blanks: URW's Zapf Chancery-like script
# (fonts-urw-base35), each glyph jittered, reads as a neat hand.
HAND_FONT = _URW / "Z003-MediumItalic.otf"

# The seal's ring text is set in a bold sans, as seal engravers do.
SEAL_FONT = _DEJAVU / "DejaVuSans-Bold.ttf"

# Every letter Vietnamese uses (both cases) plus the punctuation the documents need.
_VI_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_CHARS = _VI_LOWER + _VI_LOWER.upper() + "0123456789.,;:!?()/-–%²*"


def available_families(split: str = "tuned") -> list[str]:
    """Installed families of a split: ``tuned`` (the default) or ``heldout``."""
    families = HELDOUT_FAMILIES if split == "heldout" else FAMILIES
    return [k for k, styles in families.items() if all(p.exists() for p in styles.values())]


@lru_cache(maxsize=256)
def load(family: str, style: str, size_px: int) -> ImageFont.FreeTypeFont:
    # Basic layout is enough for precomposed (NFC) Vietnamese and is faster than raqm.
    return ImageFont.truetype(
        str(_ALL_FAMILIES[family][style]), size_px, layout_engine=ImageFont.Layout.BASIC
    )


@lru_cache(maxsize=16)
def load_path(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.BASIC)


def missing_glyphs(family: str, chars: str = VIETNAMESE_CHARS) -> dict[str, str]:
    """Characters of ``chars`` a family cannot draw, per style.

    A character counts as missing when the font has no cmap entry for it
    (Pillow would draw .notdef, a box) or when it draws no ink at all.
    """
    from fontTools.ttLib import TTFont

    out: dict[str, str] = {}
    for style, path in _ALL_FAMILIES[family].items():
        cmap = TTFont(str(path), lazy=True).getBestCmap()
        font = load(family, style, 40)
        bad = []
        for ch in chars:
            if ord(ch) not in cmap:
                bad.append(ch)
                continue
            im = Image.new("L", (80, 80), 0)
            ImageDraw.Draw(im).text((20, 60), ch, font=font, fill=255, anchor="ls")
            if im.getbbox() is None:
                bad.append(ch)
        if bad:
            out[style] = "".join(bad)
    return out
