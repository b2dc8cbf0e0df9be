"""OCR words → documents and their NĐ 30/TT 05 metadata.

``documents`` is what the dossier runner uses: it splits a dossier into documents
(``documents.split``), makes their record entries (``documents.describe``) and the
dossier's own (``documents.dossier``), the clerk's manifest overriding what was read.
The extractors under it work on OCR output alone: ``split_documents`` and
``is_document_start`` cut a dossier, ``extract_dossier`` and ``extract_document`` read
its documents' fields as ``DocumentFields`` of ``Found`` values, and
``parse_number_line``, ``parse_date_line`` and ``match_type_name`` read single lines.
Every threshold they go by is in ``params``.
"""

from pipeline.extract import documents
from pipeline.extract.fields import (
    DocumentFields,
    extract_document,
    extract_dossier,
    is_document_start,
    match_type_name,
    parse_date_line,
    parse_number_line,
    split_documents,
)
from pipeline.extract.found import Found

__all__ = [
    "DocumentFields",
    "Found",
    "documents",
    "extract_document",
    "extract_dossier",
    "is_document_start",
    "match_type_name",
    "parse_date_line",
    "parse_number_line",
    "split_documents",
]
