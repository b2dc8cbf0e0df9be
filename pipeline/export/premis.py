"""PREMIS 3 preservation metadata of a package: what the files are, what was done to them and
by whom, from the scan to the hand-over.

Objects: the dossier (intellectual entity), its representations, and each file with its
SHA-256 (as the archive's manifest has it), size and format. Events, from ``record.json``
and the archive: digitisation, OCR, PDF/A creation, metadata extraction, the clerk's
corrections (values the manifest gave), the reviewers' decisions (``sohoa review``), each
signature, the archive's fixity check on commit, this export's fixity check and the package's
creation. Agents: sohoa and Tesseract with their versions, the converting agency named by the
signing certificate, and each reviewer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.core.record import Record
from pipeline.export.mets import Agency, PackageFile, when
from pipeline.export.validate import PREMIS_NS

_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"premis": PREMIS_NS, "xsi": _XSI}
_EVENT_NS = uuid.UUID("6f0e5b36-5a48-5c43-9a41-2f4c6a1f7d10")  # event identifiers: uuid5 in this space


@dataclass(frozen=True)
class Representation:
    name: str  # rep1
    label: str
    files: list[PackageFile]


@dataclass
class Provenance:
    """What PREMIS says of one package."""

    record: Record
    key: str  # the dossier's folder in the archive
    bucket: str
    committed: dt.datetime
    now: dt.datetime
    exporter_version: str
    agency: Agency
    representations: list[Representation]
    format_names: dict[str, str] = field(default_factory=dict)  # mimetype → format name


@dataclass(frozen=True)
class _Event:
    type: str
    when: dt.datetime
    detail: str
    outcome: str
    agents: list[tuple[str, str]]  # (agent id, role)
    objects: list[tuple[str, str]]  # (object id, role: source, outcome)
    outcome_note: str | None = None


def premis_document(p: Provenance) -> bytes:
    from lxml import etree

    rec = p.record
    root = etree.Element(_q("premis"), nsmap=_NSMAP, version="3.0")
    entity = f"urn:uuid:{rec.dossier_id}"
    sohoa = f"sohoa-{rec.engine.sohoa}"
    exporter = f"sohoa-{p.exporter_version}"
    tesseract = f"tesseract-{rec.engine.tesseract}"
    agency = "agency"

    events = list(_events(p, sohoa, exporter, tesseract, agency))
    event_ids = {id(e): _event_id(rec, e) for e in events}

    # Objects: the dossier, each representation, each file.
    obj = _sub(root, "object")
    obj.set(_q("type", _XSI), "premis:intellectualEntity")
    _identifier(obj, "objectIdentifier", "URN", entity)
    if rec.dossier.file_code:
        _identifier(obj, "objectIdentifier", "TT 05/2025 mã hồ sơ", rec.dossier.file_code)
    props = _sub(obj, "significantProperties")
    _text(props, "significantPropertiesType", "title")
    _text(props, "significantPropertiesValue", rec.dossier.title)
    _text(obj, "originalName", p.key)
    for rep in p.representations:
        _relationship(obj, "structural", "is represented by", "local", rep.name)

    for rep in p.representations:
        r = _sub(root, "object")
        r.set(_q("type", _XSI), "premis:representation")
        _identifier(r, "objectIdentifier", "local", rep.name)
        _text(r, "originalName", rep.label)
        _relationship(r, "structural", "represents", "URN", entity)
        for f in rep.files:
            _relationship(r, "structural", "includes", "filepath", f.path)

    for rep in p.representations:
        for f in rep.files:
            fo = _sub(root, "object")
            fo.set(_q("type", _XSI), "premis:file")
            _identifier(fo, "objectIdentifier", "filepath", f.path)
            chars = _sub(fo, "objectCharacteristics")
            _text(chars, "compositionLevel", "0")
            fixity = _sub(chars, "fixity")
            _text(fixity, "messageDigestAlgorithm", "SHA-256")
            _text(fixity, "messageDigest", f.sha256)
            _text(fixity, "messageDigestOriginator", "sohoa archive (manifest-sha256.txt)")
            _text(chars, "size", str(f.size))
            fmt = _sub(chars, "format")
            designation = _sub(fmt, "formatDesignation")
            _text(designation, "formatName", p.format_names.get(f.mimetype, f.mimetype))
            if f.archive_name:
                _text(fo, "originalName", f"s3://{p.bucket}/{p.key}{f.archive_name}")
            _relationship(fo, "structural", "is included in", "local", rep.name)
            for e in events:
                if any(oid == f.path for oid, _ in e.objects):
                    link = _sub(fo, "linkingEventIdentifier")
                    _text(link, "linkingEventIdentifierType", "UUID")
                    _text(link, "linkingEventIdentifierValue", event_ids[id(e)])

    for e in events:
        ev = _sub(root, "event")
        _identifier(ev, "eventIdentifier", "UUID", event_ids[id(e)])
        _text(ev, "eventType", e.type)
        _text(ev, "eventDateTime", when(e.when))
        _text(_sub(ev, "eventDetailInformation"), "eventDetail", e.detail)
        outcome = _sub(ev, "eventOutcomeInformation")
        _text(outcome, "eventOutcome", e.outcome)
        if e.outcome_note:
            _text(_sub(outcome, "eventOutcomeDetail"), "eventOutcomeDetailNote", e.outcome_note)
        for agent_id, role in e.agents:
            link = _sub(ev, "linkingAgentIdentifier")
            _text(link, "linkingAgentIdentifierType", "local")
            _text(link, "linkingAgentIdentifierValue", agent_id)
            _text(link, "linkingAgentRole", role)
        for object_id, role in e.objects:
            link = _sub(ev, "linkingObjectIdentifier")
            kind = "URN" if object_id.startswith("urn:") else "filepath"
            _text(link, "linkingObjectIdentifierType", kind)
            _text(link, "linkingObjectIdentifierValue", object_id)
            _text(link, "linkingObjectRole", role)

    agents: list[tuple[str, str, str, str | None, str | None]] = [(sohoa, "sohoa", "software", rec.engine.sohoa,
               "records digitisation for Vietnamese communes: OCR, PDF/A, signature, archive")]
    if exporter != sohoa:
        agents.append((exporter, "sohoa", "software", p.exporter_version, "made this package"))
    agents.append((tesseract, "Tesseract OCR", "software", rec.engine.tesseract,
                   f"language {rec.engine.language}, model {rec.engine.model_file} "
                   f"(SHA-256 {rec.engine.model_sha256})"))
    note = f"identification: {p.agency.identification}" if p.agency.identification else None
    agents.append((agency, p.agency.name, "organization", None, note))
    for name in sorted({e.by for e in rec.events}):
        agents.append((_reviewer(name), name, "person", None, "reviewer (sohoa review), for the converting agency"))
    for agent_id, name, kind, version, note_text in agents:
        ag = _sub(root, "agent")
        _identifier(ag, "agentIdentifier", "local", agent_id)
        _text(ag, "agentName", name)
        _text(ag, "agentType", kind)
        if version:
            _text(ag, "agentVersion", version)
        if note_text:
            _text(ag, "agentNote", note_text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _events(p: Provenance, sohoa: str, exporter: str, tesseract: str, agency: str) -> Iterable[_Event]:
    rec = p.record
    by_rep = {rep.name: rep.files for rep in p.representations}
    scans = [(f.path, "source") for f in by_rep.get("rep2", [])]
    texts = [(f.path, "outcome") for f in by_rep.get("rep3", [])]
    pdfs = {f.archive_name: f for f in by_rep.get("rep1", [])}
    entity = f"urn:uuid:{rec.dossier_id}"
    pages = len(rec.pages)

    yield _Event(
        "digitization", rec.created,
        f"the paper dossier scanned by the commune; {len(rec.sources)} scan file(s), {pages} page(s) "
        f"received by sohoa {rec.engine.sohoa} (input: {rec.input})",
        "success", [(agency, "executing program owner"), (sohoa, "receiver")],
        [(path, "outcome") for path, _ in scans],
    )
    confidences = [pg.ocr.mean_confidence for pg in rec.pages if pg.ocr and pg.ocr.mean_confidence is not None]
    mean = f"; mean word confidence {sum(confidences) / len(confidences):.1f}" if confidences else ""
    yield _Event(
        "optical character recognition", rec.created,
        f"Tesseract {rec.engine.tesseract}, language {rec.engine.language}, after turning, deskewing "
        f"and cleaning each page (OpenCV {rec.engine.opencv}); {pages} page(s){mean}",
        "success", [(tesseract, "executing program"), (sohoa, "implementer")], [*scans, *texts],
    )
    yield _Event(
        "creation", rec.created,
        "one PDF/A-2b per document: the original scan as the page, the OCR text invisible over it "
        f"(pikepdf {rec.engine.pikepdf})",
        "success", [(sohoa, "executing program")],
        [*scans, *[(f.path, "outcome") for f in pdfs.values()]],
        "; ".join(f"{o.file}: validated by {o.validated_by}" for o in rec.outputs) or None,
    )
    review = [
        f"{doc.doc_code}: {r.field} ({r.reason})" for doc in rec.documents for r in doc.needs_review
    ]
    yield _Event(
        "metadata extraction", rec.created,
        "NĐ 30/2020 and TT 05/2025 document fields read from the OCR text into record.json, each "
        "with a confidence",
        "success", [(sohoa, "executing program")], [(entity, "outcome"), *texts],
        ("fields a person should check: " + "; ".join(review)) if review else "no field flagged for review",
    )
    corrected = [
        f"{doc.doc_code}: " + ", ".join(sorted(name for name, src in doc.source.items() if src == "manifest"))
        for doc in rec.documents
        if any(src == "manifest" for src in doc.source.values())
    ]
    if corrected:
        yield _Event(
            "metadata modification", rec.created,
            "values given or corrected by the commune's clerk in the dossier's manifest (ho-so.yaml), "
            "taken over what was read",
            "success", [(agency, "authorizer"), (sohoa, "executing program")], [(entity, "outcome")],
            "; ".join(corrected),
        )
    yield from _reviews(rec, sohoa, entity)
    for out in rec.outputs:
        sig = out.signature
        target = pdfs.get(out.file)
        if sig is None or target is None:
            continue
        stamp = f", timestamped {sig.timestamp_time.isoformat()} by {sig.timestamp_authority}" if sig.timestamp_time else ""
        yield _Event(
            "digital signature generation", sig.signing_time,
            f"PAdES {sig.level} signature by {sig.signer} ({sig.agency or 'no organisation'}), "
            f"certificate serial {sig.certificate_serial}, SHA-256 {sig.certificate_sha256}, issued by "
            f"{sig.issuer}{stamp}",
            "success", [(agency, "signer"), (sohoa, "executing program")], [(target.path, "outcome")],
        )
    everything = [(f.path, "source") for rep in p.representations for f in rep.files]
    yield _Event(
        "fixity check", p.committed,
        f"archived in s3://{p.bucket}/{p.key}: each object sent with its SHA-256 (checked by the store "
        "on receipt), read back and hashed again; manifest-sha256.txt and record.json committed last",
        "success", [(sohoa, "executing program")], everything,
    )
    yield _Event(
        "fixity check", p.now,
        "every object downloaded from the archive (the version committed with record.json) and hashed: "
        "each equal to the committed manifest",
        "success", [(exporter, "executing program")], everything,
    )
    yield _Event(
        "information package creation", p.now,
        "E-ARK SIP 2.1 (METS, PREMIS 3, Dublin Core) in a BagIt bag (SHA-256), for transfer to an archive",
        "success", [(exporter, "executing program"), (agency, "submitter")], [(entity, "source")],
    )


def _reviewer(name: str) -> str:
    return f"reviewer-{name}"


def _reviews(rec: Record, sohoa: str, entity: str) -> Iterable[_Event]:
    """One event per save of a reviewer: what was corrected (old → new) and confirmed."""
    saves: dict[tuple[dt.datetime, str], list] = {}
    for e in rec.events:
        saves.setdefault((e.at, e.by), []).append(e)
    for (at, by), decided in saves.items():
        def where(e) -> str:
            return f"document {e.document} {e.field}" if e.document is not None else f"dossier {e.field}"

        changes = [f"{where(e)}: {e.old!r} → {e.new!r}" for e in decided if e.type == "correction"]
        checked = [where(e) for e in decided if e.type == "confirmation"]
        note = "; ".join(filter(None, ["corrected " + "; ".join(changes) if changes else "",
                                       "confirmed " + ", ".join(checked) if checked else ""]))
        yield _Event(
            "metadata modification", at,
            f"fields flagged for review checked by {by} in sohoa review and saved as a new version of "
            "record.json (the files unchanged)",
            "success", [(_reviewer(by), "implementer"), (sohoa, "executing program")], [(entity, "outcome")], note,
        )


def _event_id(rec: Record, e: _Event) -> str:
    return str(uuid.uuid5(_EVENT_NS, f"{rec.dossier_id}|{e.type}|{when(e.when)}|{e.detail}"))


def _q(local: str, ns: str = PREMIS_NS) -> str:
    return f"{{{ns}}}{local}"


def _sub(parent, local: str):
    from lxml import etree

    return etree.SubElement(parent, _q(local))


def _text(parent, local: str, value: str) -> None:
    _sub(parent, local).text = value


def _identifier(parent, element: str, kind: str, value: str) -> None:
    ident = _sub(parent, element)
    _text(ident, f"{element}Type", kind)
    _text(ident, f"{element}Value", value)


def _relationship(parent, kind: str, sub_kind: str, id_type: str, value: str) -> None:
    rel = _sub(parent, "relationship")
    _text(rel, "relationshipType", kind)
    _text(rel, "relationshipSubType", sub_kind)
    related = _sub(rel, "relatedObjectIdentifier")
    _text(related, "relatedObjectIdentifierType", id_type)
    _text(related, "relatedObjectIdentifierValue", value)
