"""Metadata: split a dossier into its documents and fill in their NĐ 30 fields.

Extraction (``pipeline.extract``) proposes; the clerk's manifest disposes:
any field or page range the manifest gives replaces what was extracted.
A field nobody found stays null, with the reason in ``needsReview``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pipeline.core import record
from pipeline.core.model import OcrResult
from pipeline.extract.fields import extract_dossier, split_documents
from pipeline.extract.params import REVIEW_BELOW
from pipeline.ingest.manifest import Manifest

if TYPE_CHECKING:  # the 2025 list costs a third of a second to load: only with a commune
    from pipeline.core.commune import Commune


# record field (camelCase) → attribute of fields.DocumentFields
EXTRACTED = {
    "typeName": "type_name",
    "typeCode": "type_code",
    "codeNumber": "code_number",
    "codeNotation": "code_notation",
    "issuedDate": "issued_date",
    "issuedPlace": "issued_place",
    "organName": "organ_name",
    "subject": "subject",
    "signer.position": "signer_position",
    "signer.fullName": "signer_name",
    "signer.authority": "signer_authority",
}

OcrPage = tuple[OcrResult, int, int]  # OCR result, OCR image width, height


def split(pages: Sequence[OcrPage], manifest: Manifest | None, manifest_path) -> list[tuple[int, int]]:
    if manifest is not None:
        ranges = manifest.split(len(pages), manifest_path)
        if ranges is not None:
            return ranges
    return split_documents(list(pages))


def describe(
    pages: Sequence[OcrPage],
    ranges: list[tuple[int, int]],
    manifest: Manifest | None,
    base_name: str,
) -> list[record.Document]:
    """One ``record.Document`` per page range, in page order."""
    documents = []
    read = extract_dossier(list(pages), ranges)
    for ordinal, ((first, last), found) in enumerate(zip(ranges, read), start=1):
        given = manifest.document(ordinal) if manifest else None
        documents.append(_document(ordinal, first, last, found, given, base_name))
    return documents


def _document(ordinal, first, last, found, given, base_name) -> record.Document:
    values: dict[str, Any] = {}
    confidence: dict[str, float] = {}
    source: dict[str, str] = {}
    review: list[record.Review] = []
    overrides = _flatten(given.model_dump(exclude_unset=True)) if given else {}
    for name, attribute in EXTRACTED.items():
        if name in overrides:
            values[name] = overrides[name]
            confidence[name] = 1.0
            source[name] = "manifest"
            continue
        result = getattr(found, attribute)
        values[name] = result.value
        confidence[name] = round(float(result.confidence), 3)
        source[name] = "extracted"
        if result.value is None and result.confidence >= REVIEW_BELOW:
            pass  # surely not printed (a signing authority the head needs none for)
        elif result.value is None:
            review.append(record.Review(field=name, reason=result.reason or "not found"))
        elif result.confidence < REVIEW_BELOW:
            review.append(
                record.Review(field=name, reason=result.reason or "low confidence")
            )
    code = f"{base_name}.{ordinal:03d}"
    return record.Document(
        doc_ordinal=ordinal,
        doc_code=code,
        pages=(first, last),
        type_name=values["typeName"],
        type_code=values["typeCode"],
        code_number=values["codeNumber"],
        code_notation=values["codeNotation"],
        issued_date=values["issuedDate"],
        issued_place=values["issuedPlace"],
        organ_name=values["organName"],
        subject=values["subject"],
        signer=record.Signer(
            position=values["signer.position"], full_name=values["signer.fullName"],
            authority=values["signer.authority"],
        ),
        number_of_page=last - first + 1,
        file=f"{code}.pdf",
        confidence=confidence,
        source=source,
        needs_review=review,
    )


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("docOrdinal", "pages"):
            continue
        if key == "signer" and isinstance(value, dict):
            for sub, inner in value.items():
                flat[f"signer.{sub}"] = inner
        else:
            flat[key] = value
    return flat


def dossier(
    manifest: Manifest | None,
    commune: Commune | None,
    documents: list[record.Document],
    title: str,
    page_count: int,
) -> record.Dossier:
    fields = manifest.dossier if manifest else None
    dates: list[dt.date] = [d.issued_date for d in documents if d.issued_date]
    return record.Dossier(
        file_code=fields.fileCode if fields else None,
        paper_file_code=fields.paperFileCode if fields else None,
        title=(fields.title if fields and fields.title else title),
        maintenance=fields.maintenance if fields else None,
        mode=fields.mode if fields else None,
        format=fields.format if fields else None,
        start_date=min(dates) if dates else None,
        end_date=max(dates) if dates else None,
        total_doc=len(documents),
        number_of_page=page_count,
        description=fields.description if fields else None,
        commune=None
        if commune is None
        else record.Commune(
            code=commune.code,
            name=commune.name,
            province_code=commune.province_code,
            province_name=commune.province_name,
        ),
    )
