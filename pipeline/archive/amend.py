"""A new metadata version of an archived dossier: a new ``record.json``, every other object kept.

A reviewer's correction changes the record only; the PDFs, scans and text stay as
committed. The commit follows the same protocol as ``archive_dossier``: the manifest
(which lists ``record.json``'s SHA-256) is written first as a new version, then
``record.json`` conditionally on the version the reviewer saw, then a catalogue line,
so the audit passes on the new version as on the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from pipeline.archive import catalog
from pipeline.archive.commit import (
    ArchiveResult,
    _entry,
    _Item,
    _lock,
    _lock_state,
    _put_verified,
    _tags,
    content_fingerprint,
    read_file,
)
from pipeline.archive.layout import MANIFEST, RECORD, manifest_text, parse_manifest
from pipeline.archive.s3 import Store, is_precondition_failed
from pipeline.core.errors import ReviewError, StorageError

if TYPE_CHECKING:
    from pipeline.core.record import Record


class StaleVersionError(ReviewError):
    """Someone else committed a newer record.json since this one was read."""


def commit_record(
    store: Store,
    key: str,
    rec: Record,
    record_bytes: bytes,
    *,
    based_on: str | None,
    permanent_retention_years: int = 100,
    now: dt.datetime | None = None,
) -> ArchiveResult:
    """Commit ``record_bytes`` (``rec`` serialised) as the newest ``record.json`` of ``key``.

    ``based_on``: the record version the change was made on; a newer one there now
    refuses the commit (``StaleVersionError``) and writes nothing more.
    """
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    head = store.head(key + RECORD)
    if head is None:
        raise StorageError(f"{key} is not committed", f"{key} chưa được lưu xong")
    if based_on is not None and head.get("VersionId") != based_on:
        raise StaleVersionError(
            f"{key}: the dossier changed since it was opened (someone saved first): open it again",
            f"{key}: hồ sơ đã được người khác lưu trước khi bạn lưu: hãy mở lại hồ sơ",
        )
    listed = parse_manifest(read_file(store, key, MANIFEST).decode("utf-8"))
    record_sha = hashlib.sha256(record_bytes).hexdigest()
    listed[RECORD] = record_sha
    manifest = manifest_text(listed).encode("utf-8")
    manifest_item = _Item(MANIFEST, hashlib.sha256(manifest).hexdigest(), len(manifest), manifest, "manifest")

    signed = {o.file: o.signature is not None for o in rec.outputs}
    text = {name: sha for name, sha in listed.items() if name.startswith("text/")}
    fingerprint = content_fingerprint(record_bytes, signed, text)

    notices: list[str] = []
    hold = _lock_state(store, key + RECORD, head.get("VersionId"))[1] if store.object_lock else False
    lock, until, hold = _lock(store, rec, now, hold, permanent_retention_years, notices)
    result = ArchiveResult("new-version", store.bucket, key, None, retain_until=until,
                           legal_hold=hold, notices=notices)
    meta = {"dossier-id": rec.dossier_id}
    _put_verified(store, key, manifest_item, meta, _tags(rec), lock, result)
    record_item = _Item(RECORD, record_sha, len(record_bytes), record_bytes, "record")
    condition = {"IfMatch": head["ETag"]} if head.get("ETag") else {"IfNoneMatch": "*"}
    record_meta = {**meta, "fingerprint": fingerprint, "manifest-sha256": manifest_item.sha256}
    try:
        version = _put_verified(store, key, record_item, record_meta, _tags(rec, full=True), lock, result, condition)
    except Exception as e:
        if not is_precondition_failed(e):
            raise
        raise StaleVersionError(
            f"{key}: another version was committed at the same moment: open the dossier again",
            f"{key}: một phiên bản khác vừa được lưu cùng lúc: hãy mở lại hồ sơ",
        ) from None
    result.record_version_id = version
    committed = store.head(key + RECORD, version) or {}
    sizes = {o["Key"][len(key):]: int(o.get("Size") or 0) for o in store.list(key)}
    items = [_Item(name, sha, sizes.get(name, 0), b"", "") for name, sha in listed.items() if name != RECORD]
    items.append(manifest_item)
    catalog.append(store, _entry(rec, key, store.bucket, committed, result, record_sha, items))
    return result
