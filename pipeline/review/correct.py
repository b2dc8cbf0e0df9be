"""A reviewer's decisions → a new metadata version of the archived dossier.

Each decision confirms or corrects one field: the value is checked as ``sohoa process``
checks its own (the record model, then the published schema), the field leaves
``needsReview``, its confidence becomes 1.0 and its source ``review``, and an event records
who, when, the old and the new value. The PDFs, scans and text are not touched and nothing
is read again by OCR.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

import jsonschema
import pydantic

from pipeline.archive import RECORD, ArchiveResult, Store, read_file
from pipeline.archive.amend import commit_record
from pipeline.core.errors import ReviewError
from pipeline.core.record import Event, Record, validated_json
from pipeline.review.fields import DOCUMENT_FIELDS, DOSSIER_FIELDS, attribute, label, value_of


@dataclass(frozen=True)
class Decision:
    document: int | None  # the document's docOrdinal; None: a dossier field
    field: str  # as in needsReview: subject, signer.fullName, maintenance…
    value: str | None  # what the reviewer leaves there; the same as before: a confirmation


def load(store: Store, key: str) -> tuple[Record, str | None]:
    """The dossier's committed record and its version id (to save against)."""
    head = store.head(key + RECORD)
    if head is None:
        raise ReviewError(f"{key}: no such dossier in the archive", f"{key}: không có hồ sơ này trong kho lưu trữ")
    return Record.model_validate_json(read_file(store, key, RECORD)), head.get("VersionId")


def apply(rec: Record, decisions: list[Decision], *, by: str, at: dt.datetime) -> Record:
    """``rec`` with the decisions applied and their events added; bad values raise ``ReviewError``."""
    at = at.astimezone(dt.UTC).replace(microsecond=0)
    data = rec.model_dump(by_alias=False)
    events = list(rec.events)
    for d in decisions:
        old = _old_value(rec, d)
        new = _normalise(d.field, d.value)
        if d.document is None:
            target = data["dossier"]
        else:
            target = next(doc for doc in data["documents"] if doc["doc_ordinal"] == d.document)
        path = attribute(d.field)
        holder = target
        for name in path[:-1]:
            holder = holder[name]
        holder[path[-1]] = _typed(d.field, new)
        reason = None
        if d.document is not None:
            reason = next((r["reason"] for r in target["needs_review"] if r["field"] == d.field), None)
            target["needs_review"] = [r for r in target["needs_review"] if r["field"] != d.field]
            target["confidence"][d.field] = 1.0
            target["source"][d.field] = "review"
        changed = new != old
        events.append(Event(type="correction" if changed else "confirmation", at=at, by=by,
                            document=d.document, field=d.field, old=old, new=new, reason=reason))
    _dossier_dates(data)
    data["events"] = events
    try:
        out = Record.model_validate(data)
        validated_json(out)
    except (pydantic.ValidationError, ValueError, jsonschema.ValidationError) as e:
        raise ReviewError(f"not a valid value: {_first_error(e)}",
                          f"giá trị không hợp lệ: {_first_error(e)}") from None
    return out


def save(
    store: Store,
    key: str,
    decisions: list[Decision],
    *,
    by: str,
    based_on: str | None,
    permanent_retention_years: int = 100,
    now: dt.datetime | None = None,
) -> tuple[Record, ArchiveResult]:
    """Apply the decisions to the committed record of ``key`` and commit the new version.

    ``based_on``: the record version the reviewer saw (``load``); if another was committed
    since, nothing is written (``ReviewError``)."""
    if not by.strip():
        raise ReviewError("no reviewer name", "thiếu tên người kiểm tra")
    now = now or dt.datetime.now(dt.UTC)
    rec, _ = load(store, key)
    new = apply(rec, decisions, by=by, at=now)
    result = commit_record(store, key, new, validated_json(new).encode("utf-8"), based_on=based_on,
                           permanent_retention_years=permanent_retention_years, now=now)
    return new, result


def _old_value(rec: Record, d: Decision) -> str | None:
    if d.document is None:
        if d.field not in DOSSIER_FIELDS:
            raise ReviewError(f"{d.field} is not a dossier field that can be reviewed",
                              f"{d.field} không phải trường hồ sơ sửa được")
        return value_of(rec.dossier, d.field)
    if d.field not in DOCUMENT_FIELDS:
        raise ReviewError(f"{d.field} is not a document field that can be reviewed",
                          f"{d.field} không phải trường văn bản sửa được")
    doc = next((doc for doc in rec.documents if doc.doc_ordinal == d.document), None)
    if doc is None:
        raise ReviewError(f"the dossier has no document {d.document}", f"hồ sơ không có văn bản số {d.document}")
    return value_of(doc, d.field)


def _normalise(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if not value:
        return None
    if field == "issuedDate":
        return _date(value).strftime("%d/%m/%Y")
    return value


def _date(text: str) -> dt.date:
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ReviewError(f"{label('issuedDate')}: not a date (day/month/year): {text!r}",
                      f"{label('issuedDate')}: không phải ngày (ngày/tháng/năm): {text!r}")


def _typed(field: str, value: str | None) -> Any:
    return _date(value) if field == "issuedDate" and value is not None else value


def _dossier_dates(data: dict) -> None:
    """The dossier's start and end follow its documents' dates (TT 05)."""
    dates = [d["issued_date"] for d in data["documents"] if d["issued_date"] is not None]
    if dates:
        data["dossier"]["start_date"], data["dossier"]["end_date"] = min(dates), max(dates)


def _first_error(e: Exception) -> str:
    if isinstance(e, pydantic.ValidationError):
        err = e.errors()[0]
        return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
    return getattr(e, "message", None) or json.dumps(str(e), ensure_ascii=False)
