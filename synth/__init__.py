"""Synthetic Vietnamese administrative-document scans with ground truth.

Pages follow the NĐ 30/2020 layout (header, number and date, type name,
trích yếu, body, Nơi nhận, signature with a red seal), are drawn with
Vietnamese-complete serif fonts at 200 or 300 dpi, then degraded by a
profile (``clean``, ``skew``, ``rotated``, ``noise``, ``blur``, ``jpeg``,
``faded``, ``photocopy``, ``phone``). Everything is determined by the seed.

    dossier = make_dossier(seed=1, n_docs=3, pages_per_doc=(1, 2), profile="skew", dpi=300)
    write_dossier("out/ho-so-1", dossier)        # trang-1.jpg … + truth.json

See ``truth`` for the ground-truth format and its reading order.
"""

from .content import DOC_TYPES, PLACES, TOPICS
from .degrade import PROFILES, Degraded, map_box
from .dossier import (
    DPIS,
    CleanPage,
    Dossier,
    Page,
    degrade_page,
    degrade_pages,
    make_dossier,
    render_dossier,
)
from .fonts import FAMILIES, available_families, missing_glyphs
from .render import a4_pixels
from .truth import READING_ORDER, DocumentMeta, MarkTruth, PageTruth, WordTruth
from .writers import (
    EXTENSIONS,
    FORMATS,
    encode,
    truth_document,
    write_dossier,
    write_multitiff,
    write_page,
    write_pdf,
    write_truth,
)

__all__ = [
    "DOC_TYPES",
    "DPIS",
    "EXTENSIONS",
    "FAMILIES",
    "FORMATS",
    "PLACES",
    "PROFILES",
    "READING_ORDER",
    "TOPICS",
    "CleanPage",
    "Degraded",
    "DocumentMeta",
    "Dossier",
    "MarkTruth",
    "Page",
    "PageTruth",
    "WordTruth",
    "a4_pixels",
    "available_families",
    "degrade_page",
    "degrade_pages",
    "encode",
    "make_dossier",
    "map_box",
    "missing_glyphs",
    "render_dossier",
    "truth_document",
    "write_dossier",
    "write_multitiff",
    "write_page",
    "write_pdf",
    "write_truth",
]
