"""Archive a processed dossier to S3-compatible storage, never half-written, never lost.

Layout (``schemas/archive-layout.md``)::

    {provinceCode}/{communeCode}/{year}/{dossierId}/
        record.json              the commit point, written last
        manifest-sha256.txt      BagIt-style "sha256  path" over every other object
        <docCode>.pdf            each document's PDF/A (signed, when signing is on)
        source/<file>            the original scans, byte for byte
        text/0001.txt            each page's OCR text, text/0001.hocr its word boxes

Commit protocol:

1. Every payload object is PUT with its SHA-256 (the store refuses a mismatch),
   then read back by version and hashed again. An object already there with the
   same SHA-256 is not sent again (a resumed run; a source shared by versions).
2. ``manifest-sha256.txt``, then ``record.json``: a dossier without ``record.json``
   does not exist for readers. ``record.json`` is written conditionally
   (``If-None-Match: *``, or ``If-Match`` on the version it replaces), so two
   writers never both commit.
3. A line in the day's catalogue (``pipeline.catalog``).

Same dossier again (same sources, same record apart from timestamps, PDFs signed by
the same certificate at the same level, same text): nothing is written, even when the
PDFs were signed again (a re-run after a crash past the commit). A changed dossier becomes a new
version of the same keys; without bucket versioning that would overwrite the
old one, so it is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import mimetypes
import unicodedata
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pipeline.archive import catalog
from pipeline.archive.layout import MANIFEST, RECORD, is_signed, manifest_text, parse_manifest
from pipeline.archive.s3 import Connection, Store, is_precondition_failed, stored_sha256
from pipeline.core.errors import ArchiveRefusedError, StorageError

if TYPE_CHECKING:
    from pipeline.core.record import Record
    from pipeline.core.settings import StorageSettings

log = logging.getLogger("sohoa.archive")

# TT 05/2025 thời hạn bảo quản → years of COMPLIANCE retention; 01 (vĩnh viễn) is configured
# (storage.permanent_retention_years); 07 (khác) and no code: no retention date.
MAINTENANCE_YEARS = {"02": 70, "03": 50, "04": 30, "05": 20, "06": 10}
# Fields that change on every processing run of the same scans: left out of the fingerprint.
_VOLATILE = ("created", "input", "timings")
_SIGNING_MOMENTS = ("signingTime", "timestampTime")

_told: set[tuple[str, str]] = set()  # (bucket, notice) said once per process


@dataclass(frozen=True)
class PageText:
    """One page's OCR output for ``text/``: plain text, and hOCR or ALTO with word boxes."""

    text: str
    hocr: str | bytes | None = None
    alto: str | bytes | None = None


@dataclass
class ArchiveResult:
    status: str  # "committed" (first time), "new-version", "unchanged"
    bucket: str
    key: str  # the dossier's folder, ending in "/"
    record_version_id: str | None
    uploaded: list[str] = field(default_factory=list)  # keys written by this run
    reused: list[str] = field(default_factory=list)  # keys already there with the same bytes
    retain_until: dt.datetime | None = None
    legal_hold: bool = False
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    name: str  # relative to the dossier folder
    sha256: str
    size: int
    body: bytes | Path
    role: str  # source, text, pdf, manifest, record


def connection(storage: StorageSettings) -> Connection:
    """Settings → where to connect; no endpoint means the embedded SeaweedFS."""
    from pipeline._exec import seaweedfs

    access = storage.access_key.get_secret_value() if storage.access_key else None
    secret = storage.secret_key.get_secret_value() if storage.secret_key else None
    endpoint = storage.endpoint
    region = storage.region
    if endpoint is None:
        root = Path(storage.data_dir).expanduser()
        if not seaweedfs.status(root).running:
            raise StorageError(
                f"the embedded storage is not running (data in {root}): run 'sohoa storage up', "
                "or set storage.endpoint",
                f"kho lưu trữ tích hợp chưa chạy (dữ liệu ở {root}): hãy chạy 'sohoa storage up', "
                "hoặc đặt storage.endpoint",
            )
        creds = seaweedfs.read_credentials(root)
        endpoint, region = creds.endpoint, creds.region
        access, secret = access or creds.access_key, secret or creds.secret_key
    return Connection(
        endpoint=endpoint,
        bucket=storage.bucket,
        region=region,
        access_key=access,
        secret_key=secret,
        addressing_style=storage.addressing_style,
        retries=storage.retries,
        backoff=storage.backoff_seconds,
        timeout=storage.timeout_seconds,
    )


def connect(storage: StorageSettings) -> Store:
    """A checked connection: down, wrong credentials and no bucket each fail here, clearly."""
    store = Store(connection(storage))
    store.check()
    return store


def dossier_key(rec: Record) -> str:
    """``{provinceCode}/{communeCode}/{year}/{dossierId}/``; a dossier with no commune is refused.

    An archived key is permanent (Object Lock can keep it for a century), so no
    placeholder folder is invented for a dossier whose commune is not known.
    """
    commune = rec.dossier.commune
    if commune is None:
        raise ArchiveRefusedError(
            "the dossier has no commune, so it has no place in the archive: give --commune "
            "(or 'commune' in the clerk's ho-so.yaml, or SOHOA_COMMUNE) and process it again",
            "hồ sơ chưa có xã/phường nên chưa có chỗ trong kho lưu trữ: hãy ghi --commune "
            "(hoặc 'commune' trong ho-so.yaml, hoặc SOHOA_COMMUNE) rồi xử lý lại",
        )
    day = rec.dossier.start_date or rec.created.date()
    return f"{commune.province_code}/{commune.code}/{day.year:04d}/{rec.dossier_id}/"


def retain_until(
    maintenance: str | None, now: dt.datetime, permanent_years: int
) -> dt.datetime | None:
    """The COMPLIANCE retention date for a TT 05 maintenance code, counted from ``now``."""
    years = permanent_years if maintenance == "01" else MAINTENANCE_YEARS.get(maintenance or "")
    if years is None:
        return None
    try:
        return now.replace(year=now.year + years)
    except ValueError:  # 29 February
        return now.replace(year=now.year + years, day=28)


def content_fingerprint(record_json: bytes, signed: Mapping[str, bool], text: Mapping[str, str]) -> str:
    """What makes two archivings of a dossier 'the same': the record without its run
    timestamps, whether each PDF is signed, and the text files' checksums."""
    data = json.loads(record_json)
    for name in _VOLATILE:
        data.pop(name, None)
    if not data.get("events"):  # records from before reviews had none: the same content
        data.pop("events", None)
    for page in data.get("pages") or []:
        if isinstance(page.get("ocr"), dict):
            page["ocr"].pop("seconds", None)
    for out in data.get("outputs") or []:
        # A PDF's bytes carry its creation and signing times; what matters is who signed it
        # and how (level, certificate, timestamp authority), not when.
        out.pop("sha256", None)
        out.pop("bytes", None)
        if isinstance(out.get("signature"), dict):
            for moment in _SIGNING_MOMENTS:
                out["signature"].pop(moment, None)
    canonical = json.dumps(
        {"record": data, "signed": dict(sorted(signed.items())), "text": dict(sorted(text.items()))},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def archive_dossier(
    store: Store,
    output_dir: Path,
    rec: Record,
    *,
    source_dir: Path | None = None,
    page_text: Mapping[int, PageText] | None = None,
    legal_hold: bool = False,
    permanent_retention_years: int = 100,
    after_put: Callable[[str], None] | None = None,
    now: dt.datetime | None = None,
) -> ArchiveResult:
    """Archive one processed dossier (``output_dir`` of ``sohoa process``) under its key.

    ``source_dir``: where the original scans are (default: the record's input).
    ``page_text``: per-page OCR text/hOCR by page number; default: the files the record
    names in ``pages[].textFile`` and ``pages[].hocrFile`` (``text/0001.txt``…).
    ``after_put``: called with each key once it is written and verified.
    """
    key = dossier_key(rec)
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    notices: list[str] = []
    store.check()

    record_bytes = _record_bytes(output_dir, rec)
    payload = _payload(output_dir, rec, source_dir, page_text, notices)
    signed = {i.name: is_signed(i.body) for i in payload if i.role == "pdf"}
    text_sums = {i.name: i.sha256 for i in payload if i.role == "text"}
    fingerprint = content_fingerprint(record_bytes, signed, text_sums)
    record_sha = hashlib.sha256(record_bytes).hexdigest()

    committed = store.head(key + RECORD)
    if committed is not None and (committed.get("Metadata") or {}).get("fingerprint") == fingerprint:
        result = ArchiveResult(
            "unchanged", store.bucket, key, committed.get("VersionId"), notices=notices,
            reused=[key + i.name for i in payload] + [key + MANIFEST, key + RECORD],
        )
        _ensure_catalogued(store, rec, key, committed, result)
        return result
    if committed is not None and not store.versioning:
        raise ArchiveRefusedError(
            f"{key} is already archived with different content and the bucket '{store.bucket}' "
            "has no versioning: writing would overwrite the old version, so nothing was written",
            f"{key} đã được lưu với nội dung khác và bucket '{store.bucket}' không bật versioning: "
            "ghi đè sẽ làm mất bản cũ nên chưa ghi gì",
        )

    lock, until, hold = _lock(store, rec, now, legal_hold, permanent_retention_years, notices)
    tags = _tags(rec)
    result = ArchiveResult(
        "new-version" if committed is not None else "committed",
        store.bucket, key, None, retain_until=until, legal_hold=hold, notices=notices,
    )

    items = {i.name: i.sha256 for i in payload}
    items[RECORD] = record_sha
    manifest = manifest_text(items).encode("utf-8")
    manifest_item = _Item(MANIFEST, hashlib.sha256(manifest).hexdigest(), len(manifest), manifest, "manifest")
    meta = {"dossier-id": rec.dossier_id}
    for item in [*payload, manifest_item]:
        _put_verified(store, key, item, meta, tags, lock, result)
        if after_put:
            after_put(key + item.name)

    # The commit point.
    record_item = _Item(RECORD, record_sha, len(record_bytes), record_bytes, "record")
    condition = (
        {"IfMatch": committed["ETag"]} if committed and committed.get("ETag") else {"IfNoneMatch": "*"}
    )
    record_meta = {**meta, "fingerprint": fingerprint, "manifest-sha256": manifest_item.sha256}
    try:
        version = _put_verified(
            store, key, record_item, record_meta, _tags(rec, full=True), lock, result, condition
        )
    except Exception as e:
        if not is_precondition_failed(e):
            raise
        # Another writer committed meanwhile: the same content is fine, anything else is not.
        now_there = store.head(key + RECORD)
        if now_there and (now_there.get("Metadata") or {}).get("fingerprint") == fingerprint:
            result.status = "unchanged"
            result.record_version_id = now_there.get("VersionId")
            _ensure_catalogued(store, rec, key, now_there, result)
            return result
        raise StorageError(
            f"{key}: another writer committed a different version at the same moment; run again",
            f"{key}: một tiến trình khác vừa ghi phiên bản khác cùng lúc; hãy chạy lại",
        ) from None
    result.record_version_id = version
    head = store.head(key + RECORD, version)
    catalog.append(
        store, _entry(rec, key, store.bucket, head or {}, result, record_sha, [*payload, manifest_item])
    )
    return result


def read_file(store: Store, key: str, name: str) -> bytes:
    """A committed file of a dossier, consistent with its ``record.json`` even while a newer
    version is being written: the manifest named by the committed record pins each file's
    SHA-256, and the matching stored version is returned."""
    record = store.head(key + RECORD)
    if record is None:
        raise StorageError(f"{key} is not committed", f"{key} chưa được lưu xong")
    manifest = _version_with(store, key + MANIFEST, (record.get("Metadata") or {}).get("manifest-sha256"))
    if name == MANIFEST:
        return manifest
    want = parse_manifest(manifest.decode("utf-8")).get(name)
    if want is None:
        raise StorageError(f"{key}{name} is not in the manifest", f"{key}{name} không có trong manifest")
    return _version_with(store, key + name, want)


# -- helpers ----------------------------------------------------------------------------


def _version_with(store: Store, key: str, sha: str | None) -> bytes:
    latest = store.get(key)
    if latest is not None and (sha is None or hashlib.sha256(latest[0]).hexdigest() == sha):
        return latest[0]
    for version in store.versions(key):
        head = store.head(key, version["VersionId"])
        if head and stored_sha256(head) == sha:
            found = store.get(key, version["VersionId"])
            if found and hashlib.sha256(found[0]).hexdigest() == sha:
                return found[0]
    raise StorageError(
        f"{key}: no stored version matches the committed manifest",
        f"{key}: không có phiên bản nào khớp với manifest đã lưu",
    )


def _record_bytes(output_dir: Path, rec: Record) -> bytes:
    """The record exactly as ``sohoa process`` wrote it, when it is this dossier's."""
    path = output_dir / RECORD
    if path.is_file():
        data = path.read_bytes()
        try:
            if json.loads(data).get("dossierId") == rec.dossier_id:
                return data
        except ValueError:
            pass
    return rec.to_json().encode("utf-8")


def _payload(
    output_dir: Path,
    rec: Record,
    source_dir: Path | None,
    page_text: Mapping[int, PageText] | None,
    notices: list[str],
) -> list[_Item]:
    """Sources, text, PDFs, each checked against the record before anything is sent."""
    from pipeline.core.record import sha256_file

    items: list[_Item] = []
    # A dossier dropped as one file (a multi-page TIFF, a PDF): its sources sit beside it.
    base = (source_dir if source_dir.is_dir() else source_dir.parent) if source_dir else _source_base(rec)
    for src in rec.sources:
        path = base / src.file
        if not path.is_file():
            raise ArchiveRefusedError(
                f"the original scan is not there any more: {path}",
                f"không còn bản quét gốc: {path}",
                path,
            )
        sha = sha256_file(path)
        if sha != src.sha256 or path.stat().st_size != src.bytes:
            raise ArchiveRefusedError(
                "this scan changed after the dossier was processed: process it again",
                "bản quét này đã thay đổi sau khi xử lý: hãy xử lý lại hồ sơ",
                path,
            )
        items.append(_Item("source/" + _safe_name(src.file), sha, src.bytes, path, "source"))

    for name, body in _texts(output_dir, rec, page_text):
        data = body.read_bytes() if isinstance(body, Path) else body
        data = data.encode("utf-8") if isinstance(data, str) else data
        items.append(_Item(name, hashlib.sha256(data).hexdigest(), len(data), data, "text"))

    for out in rec.outputs:
        path = output_dir / out.file
        if not path.is_file():
            raise ArchiveRefusedError(
                "a PDF/A named in record.json is missing", "thiếu tệp PDF/A có trong record.json", path
            )
        sha = sha256_file(path)
        if sha != out.sha256:
            if not is_signed(path):
                raise ArchiveRefusedError(
                    "this PDF/A differs from the checksum in record.json and is not signed: "
                    "process the dossier again",
                    "tệp PDF/A này khác với mã kiểm tra trong record.json và chưa ký: hãy xử lý lại",
                    path,
                )
            notices.append(f"{out.file}: signed after processing (manifest has the signed file's SHA-256)")
        items.append(_Item(_safe_name(out.file), sha, path.stat().st_size, path, "pdf"))
    names = [i.name for i in items]
    if len(set(names)) != len(names) or {RECORD, MANIFEST} & set(names):
        raise ArchiveRefusedError("two files would get the same name in the archive",
                                  "hai tệp trùng tên trong kho lưu trữ")
    return items


def _source_base(rec: Record) -> Path:
    given = Path(rec.input)
    return given if given.is_dir() else given.parent


def _texts(
    output_dir: Path, rec: Record, page_text: Mapping[int, PageText] | None
) -> list[tuple[str, str | bytes | Path]]:
    """(name in the dossier folder, content) of each page's text files.

    Default: the files ``sohoa process`` wrote and named in the record
    (``pages[].textFile``, ``pages[].hocrFile``: ``text/0001.txt``, ``text/0001.hocr``),
    kept at the same relative path so the archived record.json still points at them.
    """
    if page_text is not None:
        out: list[tuple[str, str | bytes | Path]] = []
        for number, page in sorted(page_text.items()):
            stem = f"text/{number:04d}"
            out.append((f"{stem}.txt", unicodedata.normalize("NFC", page.text)))
            if page.hocr is not None:
                out.append((f"{stem}.hocr", page.hocr))
            if page.alto is not None:
                out.append((f"{stem}.alto.xml", page.alto))
        return out
    named = [
        rel
        for page in rec.pages
        for rel in (getattr(page, "text_file", None), getattr(page, "hocr_file", None))
        if rel
    ]
    if named:
        found = []
        for rel in named:
            path = output_dir / rel
            if not path.is_file():
                raise ArchiveRefusedError(
                    "a page text file named in record.json is missing",
                    "thiếu tệp văn bản của trang có trong record.json",
                    path,
                )
            found.append((_safe_name(rel), path))
        return found
    folder = output_dir / "text"  # a record from before pages named their text files
    if not folder.is_dir():
        return []
    return [
        ("text/" + _safe_name(str(p.relative_to(folder))), p)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


def _safe_name(name: str) -> str:
    """NFC, forward slashes, and nothing that climbs out of the dossier's folder."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/"))
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise ArchiveRefusedError(f"unsafe file name: {name!r}", f"tên tệp không an toàn: {name!r}")
    return "/".join(parts)


def _content_type(name: str) -> str:
    if name.endswith(".hocr"):
        return "text/html; charset=utf-8"
    if name.endswith((".txt", MANIFEST)):
        return "text/plain; charset=utf-8"
    if name.endswith(".json"):
        return "application/json; charset=utf-8"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _put_verified(
    store: Store,
    key: str,
    item: _Item,
    meta: dict[str, str],
    tags: str,
    lock: dict[str, Any],
    result: ArchiveResult,
    condition: dict[str, str] | None = None,
) -> str | None:
    """PUT with the SHA-256 checked by the store, then read back and hashed again.
    An object already there with these bytes is left alone (resume, shared sources)."""
    full = key + item.name
    if condition is None:
        head = store.head(full)
        if head is not None and stored_sha256(head) == item.sha256 and head.get("ContentLength") == item.size:
            result.reused.append(full)
            return head.get("VersionId")
    r = store.put(
        full, item.body, item.sha256, content_type=_content_type(item.name),
        metadata={**meta, "role": item.role}, tags=tags, lock=lock, condition=condition,
    )
    version = r.get("VersionId")
    back = store.sha256(full, version)
    if back != (item.sha256, item.size):
        raise StorageError(
            f"{full}: the stored object does not read back as written (SHA-256 or size differs)",
            f"{full}: đọc lại đối tượng vừa ghi không khớp (SHA-256 hoặc kích thước khác)",
        )
    result.uploaded.append(full)
    return version


def _lock(
    store: Store,
    rec: Record,
    now: dt.datetime,
    legal_hold: bool,
    permanent_years: int,
    notices: list[str],
) -> tuple[dict[str, Any], dt.datetime | None, bool]:
    """Object Lock headers for every PUT; where the bucket has none, say so once."""
    maintenance = rec.dossier.maintenance
    until = retain_until(maintenance, now, permanent_years)
    if not store.object_lock:
        if legal_hold:
            raise ArchiveRefusedError(
                f"a legal hold was asked for, but the bucket '{store.bucket}' has no Object Lock",
                f"yêu cầu phong tỏa pháp lý (legal hold) nhưng bucket '{store.bucket}' không có "
                "Object Lock",
            )
        _tell(
            store, notices, "no-lock",
            f"the bucket '{store.bucket}' has no Object Lock: archived objects get no retention "
            "period (versioning still keeps every version); create the bucket with Object Lock "
            "to protect them",
        )
        return {}, None, False
    lock: dict[str, Any] = {}
    if until is not None:
        lock = {"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": until}
    else:
        _tell(
            store, notices, f"no-retention-{maintenance}",
            f"maintenance code {maintenance or 'not set'}: no retention period is set "
            "(only codes 01–06 have one)",
        )
    if legal_hold:
        lock["ObjectLockLegalHoldStatus"] = "ON"
    return lock, until, legal_hold


def _tell(store: Store, notices: list[str], what: str, text: str) -> None:
    if (store.bucket, what) in _told:
        return
    _told.add((store.bucket, what))
    log.info("%s", text)  # the caller shows the notices; the log keeps them too
    notices.append(text)


_TAG_OK = set("+-=._:/@ ")


def _tag_value(text: str | None) -> str:
    """S3 tag values allow letters (Vietnamese too), digits, spaces and + - = . _ : / @."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    cleaned = "".join(c if c.isalnum() or c in _TAG_OK else " " for c in text)
    return " ".join(cleaned.split())[:256]


def _tags(rec: Record, *, full: bool = False) -> str:
    d = rec.dossier
    tags = {"dossierId": rec.dossier_id, "maintenance": d.maintenance or ""}
    if d.commune:
        tags["communeCode"] = d.commune.code
        tags["provinceCode"] = d.commune.province_code
    if full:  # Vietnamese words go here and in record.json, never in metadata headers
        tags["title"] = _tag_value(d.title)
        tags["fileCode"] = _tag_value(d.file_code)
        if d.commune:
            tags["commune"] = _tag_value(d.commune.name)
            tags["province"] = _tag_value(d.commune.province_name)
    return urllib.parse.urlencode({k: v for k, v in tags.items() if v})


def _entry(
    rec: Record,
    key: str,
    bucket: str,
    head: dict,
    result: ArchiveResult,
    record_sha: str,
    items: list[_Item],
) -> catalog.CatalogEntry:
    """The catalogue line; ``items``: every object but record.json (manifest included)."""
    d = rec.dossier
    assert d.commune is not None  # dossier_key refused it otherwise
    committed = head.get("LastModified") or dt.datetime.now(dt.UTC)
    sizes = [i.size for i in items]
    return catalog.CatalogEntry(
        key=key,
        bucket=bucket,
        dossier_id=rec.dossier_id,
        change="new-version" if result.status == "new-version" else "new",
        committed=committed.astimezone(dt.UTC),
        record_sha256=record_sha,
        record_version_id=head.get("VersionId") or result.record_version_id,
        commune=catalog.CatalogCommune(
            code=d.commune.code, name=d.commune.name,
            province_code=d.commune.province_code, province_name=d.commune.province_name,
        ),
        file_code=d.file_code,
        title=d.title,
        maintenance=d.maintenance,
        start_date=d.start_date,
        end_date=d.end_date,
        documents=len(rec.documents),
        pages=len(rec.pages),
        objects=len(sizes) + 1,
        bytes=sum(sizes) + int(head.get("ContentLength") or 0),
        retain_until=result.retain_until,
        legal_hold=result.legal_hold,
    )


def _ensure_catalogued(store: Store, rec: Record, key: str, head: dict, result: ArchiveResult) -> None:
    """After a crash between the commit and the catalogue line, the next run adds the line."""
    record_sha = (head.get("Metadata") or {}).get("sha256") or stored_sha256(head) or ""
    committed = head.get("LastModified")
    if committed is None or catalog.contains(store, key, record_sha, committed):
        return
    found = store.get(key + RECORD, head.get("VersionId"))
    if found is None:
        return
    from pipeline.core.record import Record

    committed_rec = Record.model_validate_json(found[0])
    items: list[_Item] = []
    manifest = store.get(key + MANIFEST)
    if manifest is not None:
        names = parse_manifest(manifest[0].decode("utf-8"))
        for name, sha in names.items():
            if name != RECORD and (h := store.head(key + name)) is not None:
                items.append(_Item(name, sha, int(h.get("ContentLength") or 0), b"", ""))
        items.append(_Item(MANIFEST, "", len(manifest[0]), b"", ""))
    again = ArchiveResult(
        "new-version" if len(store.versions(key + RECORD)) > 1 else "committed",
        store.bucket, key, head.get("VersionId"),
    )
    if store.object_lock:
        again.retain_until, again.legal_hold = _lock_state(store, key + RECORD, head.get("VersionId"))
    catalog.append(store, _entry(committed_rec, key, store.bucket, head, again, record_sha, items))
    result.notices.append(f"the catalogue line for {key} was missing and has been added")


def _lock_state(store: Store, key: str, version_id: str | None) -> tuple[dt.datetime | None, bool]:
    """The retention date and legal hold an object version carries."""
    from botocore.exceptions import ClientError

    args: dict[str, Any] = {"Bucket": store.bucket, "Key": key}
    if version_id:
        args["VersionId"] = version_id
    until, hold = None, False
    try:
        r = store.call("GetObjectRetention", lambda: store.client.get_object_retention(**args))
        until = r.get("Retention", {}).get("RetainUntilDate")
    except ClientError:
        pass
    try:
        r = store.call("GetObjectLegalHold", lambda: store.client.get_object_legal_hold(**args))
        hold = r.get("LegalHold", {}).get("Status") == "ON"
    except ClientError:
        pass
    return until, hold
