"""TT 05/2025 metadata in Dublin Core (DCMES 1.1 and DCMI terms), the descriptive metadata of
an E-ARK package: one record for the dossier (hồ sơ), one per document (văn bản).

TT 05 names E-ARK CSIP with Dublin Core for archival packages. Every TT 05 field that has a
Dublin Core counterpart is mapped to it; the codes without one (thời hạn bảo quản, tình
trạng vật lý, mức độ tin cậy) go in labelled ``dc:description`` / ``dcterms:medium`` /
``dcterms:provenance`` lines, with the code and its meaning. ``record.json`` beside it keeps
every field as sohoa wrote it, with confidences and what a person should check.
"""

from __future__ import annotations

from pipeline.core.record import Document, Record
from pipeline.export.validate import DC_CONTAINER_NS
from pipeline.ingest.manifest import FORMAT, MAINTENANCE, MODE

DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
_NSMAP = {None: DC_CONTAINER_NS, "dc": DC, "dcterms": DCTERMS}
_LANGUAGE = {"01": "vi"}  # TT 05 Ngôn ngữ 01 tiếng Việt → BCP 47


def dossier_record(record: Record) -> bytes:
    """The dossier's TT 05 fields as Dublin Core."""
    d = record.dossier
    fields: list[tuple[str, str | None]] = [
        ("dc:identifier", d.file_code),
        ("dc:identifier", f"urn:uuid:{record.dossier_id}"),
        ("dc:title", d.title),
        ("dc:type", "Hồ sơ (dossier)"),
        ("dc:type", "Text"),
        ("dc:language", _LANGUAGE.get(d.language, d.language)),
        ("dc:date", _period(d.start_date, d.end_date)),
        ("dcterms:temporal", _period(d.start_date, d.end_date)),
        ("dcterms:spatial", _place(record)),
        ("dcterms:extent", f"{d.total_doc} văn bản, {d.number_of_page} trang"),
        ("dc:format", "application/pdf (PDF/A-2b)"),
        ("dcterms:accessRights", _coded("Chế độ sử dụng", d.mode, MODE)),
        ("dc:description", _coded("Thời hạn bảo quản", d.maintenance, MAINTENANCE)),
        ("dcterms:medium", _coded("Tình trạng vật lý (bản giấy)", d.format, FORMAT)),
        ("dcterms:provenance", "Mức độ tin cậy 02: số hóa từ tài liệu giấy (digitised from paper)"),
        ("dcterms:isFormatOf", f"Mã hồ sơ gốc giấy: {d.paper_file_code}" if d.paper_file_code else None),
        ("dc:description", d.description),
        ("dcterms:created", record.created.date().isoformat()),
    ]
    for organ in dict.fromkeys(doc.organ_name for doc in record.documents if doc.organ_name):
        fields.append(("dc:creator", organ))
    for doc in record.documents:
        fields.append(("dcterms:hasPart", f"{doc.doc_code}: {_document_label(doc)}"))
    return _write(fields)


def document_record(record: Record, doc: Document) -> bytes:
    """One document's NĐ 30 / TT 05 fields as Dublin Core."""
    number = "/".join(p for p in (doc.code_number, doc.code_notation) if p)
    signer = " ".join(p for p in (doc.signer.position, doc.signer.full_name) if p)
    fields: list[tuple[str, str | None]] = [
        ("dc:identifier", doc.doc_code),
        ("dc:identifier", f"Số, ký hiệu: {number}" if number else None),
        ("dc:title", doc.subject or _document_label(doc)),
        ("dc:type", doc.type_name),
        ("dc:type", f"NĐ 30/2020: {doc.type_code}" if doc.type_code else None),
        ("dc:type", "Text"),
        ("dc:description", doc.subject),
        ("dc:creator", doc.organ_name),
        ("dc:contributor", f"Người ký: {signer}" if signer else None),
        ("dc:date", doc.issued_date.isoformat() if doc.issued_date else None),
        ("dcterms:issued", doc.issued_date.isoformat() if doc.issued_date else None),
        ("dcterms:spatial", doc.issued_place),
        ("dc:language", _LANGUAGE.get(record.dossier.language, record.dossier.language)),
        ("dc:format", "application/pdf (PDF/A-2b)"),
        ("dcterms:extent", f"{doc.number_of_page} trang (trang {doc.pages[0]}–{doc.pages[1]} của hồ sơ)"),
        ("dcterms:isPartOf", record.dossier.file_code or f"urn:uuid:{record.dossier_id}"),
        ("dcterms:accessRights", _coded("Chế độ sử dụng", record.dossier.mode, MODE)),
    ]
    return _write(fields)


def _write(fields: list[tuple[str, str | None]]) -> bytes:
    from lxml import etree

    root = etree.Element(f"{{{DC_CONTAINER_NS}}}dublinCore", nsmap=_NSMAP)
    for name, value in fields:
        if value:
            prefix, local = name.split(":")
            etree.SubElement(root, f"{{{_NSMAP[prefix]}}}{local}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _period(start, end) -> str | None:
    """An ISO 8601 interval (W3CDTF dates), or the one date there is."""
    if start and end and start != end:
        return f"{start.isoformat()}/{end.isoformat()}"
    day = start or end
    return day.isoformat() if day else None


def _place(record: Record) -> str | None:
    commune = record.dossier.commune
    if commune is None:
        return None
    return f"{commune.name}, {commune.province_name} (mã xã {commune.code}, mã tỉnh {commune.province_code})"


def _coded(label: str, code: str | None, meanings: dict[str, str]) -> str | None:
    if not code:
        return None
    meaning = meanings.get(code)
    return f"{label}: {code}" + (f" ({meaning})" if meaning else "")


def _document_label(doc: Document) -> str:
    number = "/".join(p for p in (doc.code_number, doc.code_notation) if p)
    parts = [doc.type_name or "Văn bản", f"số {number}" if number else None,
             doc.issued_date.isoformat() if doc.issued_date else None]
    label = " ".join(p for p in parts if p)
    return f"{label} — {doc.subject}" if doc.subject else label
