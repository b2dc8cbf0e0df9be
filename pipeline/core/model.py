"""The values that pass between stages: dossier → pages → OCR → PDF/A.

Every stage takes and returns these plain dataclasses, so each stage can be
called and tested on its own, and nothing here knows about Prefect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np


class Encoding(str, Enum):
    """How a page's original pixels go into the PDF, untouched where possible."""

    JPEG = "jpeg"  # DCTDecode, the source bytes as they are
    CCITT_G4 = "ccitt-g4"  # CCITTFaxDecode K=-1, the source strip as it is
    PNG_IDAT = "png-idat"  # FlateDecode with PNG predictors, the IDAT bytes as they are
    PDF_IMAGE = "pdf-image"  # an image stream copied from a source PDF as it is
    LOSSLESS = "lossless"  # decoded pixels, Flate-compressed (no loss)
    PDF_PAGE = "pdf-page"  # a source PDF page that already has text: kept, not OCR'd


@dataclass
class SourcePage:
    """One page of a dossier as it was scanned, before any processing.

    ``width``/``height`` are the stored pixel dimensions (before any turn),
    ``dpi`` the real resolution (x, y). ``rotation`` is a turn the source
    itself asks for (EXIF orientation, a PDF page's /Rotate), clockwise.
    """

    number: int  # 1-based position in the dossier
    source: Path  # the file it came from
    index_in_source: int  # 0-based frame/page within that file
    width: int
    height: int
    dpi: tuple[float, float]
    encoding: Encoding
    colorspace: str  # "gray", "rgb", "bilevel", "cmyk", "indexed"
    rotation: int = 0
    dpi_assumed: bool = False  # no usable resolution in the file: estimated
    warnings: list[str] = field(default_factory=list)

    @property
    def size_pt(self) -> tuple[float, float]:
        """Page size in PDF points at 100% scale: pixels / dpi * 72."""
        return (self.width * 72.0 / self.dpi[0], self.height * 72.0 / self.dpi[1])


@dataclass
class Prepared:
    """The image OCR sees, and how to map its pixels back onto the source scan.

    ``to_source`` is a 3×3 homography: ``[x, y, 1]`` in ``image`` pixels →
    source pixels (stored orientation, before ``SourcePage.rotation``).
    Deskew, right-angle turns and perspective correction all live in it, so
    the text layer can be drawn over the untouched original.
    """

    image: np.ndarray  # uint8, 2-D (grey or bilevel 0/255), text upright
    to_source: np.ndarray  # float64 (3, 3)
    rotation: int  # clockwise turn (0/90/180/270) that makes the source upright
    skew: float  # degrees of residual skew corrected
    steps: list[str] = field(default_factory=list)  # what was done, for the record
    # The top of ``image`` (its header) with coloured ink kept, where ``image`` had it
    # taken out: numbers and days are written into the header's blanks in blue ink.
    header_ink: np.ndarray | None = None


@dataclass(frozen=True)
class Word:
    """A recognised word; coordinates are in the OCR image's pixels."""

    text: str  # NFC
    confidence: float  # 0–100
    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    line: int  # index of its line in reading order


def mostly_over(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Half of box ``a`` or more lies in box ``b``."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w > 0 and h > 0 and w * h >= 0.5 * (a[2] - a[0]) * (a[3] - a[1])


def one_over_the_other(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Either box lies mostly in the other: two readings of the same ink."""
    return mostly_over(a, b) or mostly_over(b, a)


@dataclass(frozen=True)
class Line:
    """A text line with Tesseract's baseline: y = slope * (x - x0) + y1 + offset."""

    box: tuple[int, int, int, int]
    baseline: tuple[float, float]  # (slope, offset) relative to the box's bottom-left
    size: float  # x-height + ascender estimate, in OCR image pixels


@dataclass(frozen=True)
class Reread:
    """A word Tesseract was unsure of in a printed blank (a number or a day written in by
    hand), read again digits only, several ways, all agreeing (``pipeline.ocr.blanks``)."""

    box: tuple[int, int, int, int]  # the word's box, as in ``Word.box``
    digits: str  # what every reading agreed on: "270"
    # None where the readings agreed or the handwriting network was sure; else the
    # network's probability for its least likely digit: a guess, for a person to check.
    guess: float | None = None


@dataclass(frozen=True)
class SurnameMatch:
    """Surnames drawn in a line's typeface just before some of its words, ranked by how
    well the ink there matches each (``_ocr_surnames``): a reading by shape, not by
    Tesseract, for a surname a seal's lettering garbled."""

    before: tuple[str, ...]  # the words it precedes, as read ("Diệu", "Loan")
    box: tuple[int, int, int, int]  # the box of those read
    fit: float  # how well the typeface drawn fits their ink, 0..1
    ranked: tuple[tuple[str, float], ...]  # (surname, score 0..1), best first
    # Before a lone given name the middle name was garbled too: ``before`` opens with the
    # best of these middle names, matched by shape the same way.
    middles: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class LineAgain:
    """A line the page's reading read unsurely, read again on its own
    (``pipeline.ocr.numberline``): kept beside the page's reading, not in it."""

    box: tuple[int, int, int, int]  # the line's box in the page's reading
    words: tuple[Word, ...]  # the second reading's words, in page coordinates


@dataclass
class OcrResult:
    words: list[Word]
    lines: list[Line]
    mean_confidence: float | None  # over words; None when no words
    seconds: float
    surnames: list[SurnameMatch] = field(default_factory=list)
    rereads: list[Reread] = field(default_factory=list)
    # A default on the class: results kept before this field existed read as without.
    lines_again: tuple[LineAgain, ...] = ()

    @classmethod
    def of(cls, words: list[Word], lines: list[Line], seconds: float) -> OcrResult:
        """A result whose mean confidence is its words' (None with no words)."""
        mean = sum(w.confidence for w in words) / len(words) if words else None
        return cls(words, lines, mean, seconds)

    def words_by_line(self) -> dict[int, list[Word]]:
        """Each line's words, keyed by the line's index, lines and words in reading order."""
        out: dict[int, list[Word]] = {}
        for w in self.words:
            out.setdefault(w.line, []).append(w)
        return out

    def replace_words(self, changed: Mapping[Word, Word]) -> OcrResult:
        """This result with each word in ``changed`` replaced by its new reading (in place,
        and returned)."""
        if changed:
            self.words = [changed.get(w, w) for w in self.words]
        return self

    @property
    def text(self) -> str:
        """Words joined by spaces, lines by newlines, in reading order."""
        out: list[str] = []
        current = None
        for w in self.words:
            if current is not None:
                out.append("\n" if w.line != current else " ")
            out.append(w.text)
            current = w.line
        return "".join(out)
