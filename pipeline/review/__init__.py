"""People close the loop: a reviewer confirms or corrects what the machine was not sure of.

``fields`` names the fields a reviewer may change (labels and reasons in Vietnamese),
``correct`` applies decisions to a record and commits it as a new metadata version of the
archived dossier (PDFs untouched, each decision a provenance event), ``pageimage`` draws
a page of the archived scan cropped round a field or with words highlighted.
"""

from pipeline.review.correct import Decision, apply, load, save
from pipeline.review.fields import DOCUMENT_FIELDS, DOSSIER_FIELDS, Flag, flagged, label, reason_vi, value_of
from pipeline.review.pageimage import (
    WordBox,
    field_crop,
    folded_words,
    load_page,
    matching,
    page_image,
    page_words,
    value_run,
    word_boxes,
)

__all__ = [
    "DOCUMENT_FIELDS", "DOSSIER_FIELDS", "Decision", "Flag", "WordBox", "apply", "field_crop", "flagged",
    "folded_words", "label", "load", "load_page", "matching", "page_image", "page_words", "reason_vi", "save",
    "value_of", "value_run", "word_boxes",
]
