"""The archive's catalogue: what downstream systems read to learn what was committed.

One NDJSON line per committed dossier version, in commit order, in objects of at most
``CHUNK_LINES`` lines: ``catalog/YYYY-MM-DD/0001.ndjson``, ``0002.ndjson``… for each day (UTC)
of a ``record.json`` commit, so an entry lands in the same day however often it is retried.
(Earlier versions wrote one object per day, ``catalog/YYYY-MM-DD.ndjson``; it is still read.)
Lines are only ever added:

* an append is read → add the line → PUT with ``If-Match`` on the ETag that was read
  (``If-None-Match: *`` for a new object); when another writer got there first the store
  answers 412 and the append starts over, so two writers never lose each other's line;
* an entry already present (same ``key`` and ``recordSha256``) is not added again: a re-run
  after a crash between the commit and the append adds it once;
* the bucket is versioned, so every earlier state of an object stays readable. That is why an
  object holds at most ``CHUNK_LINES`` lines: a day of N lines in one object would keep N
  versions of up to N lines each (N²/2 lines stored); in chunks it keeps N × CHUNK_LINES / 2.

``schemas/catalog.schema.json`` is generated from :class:`CatalogEntry`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from pipeline.core.errors import StorageError

if TYPE_CHECKING:
    from pipeline.archive.s3 import Store

SCHEMA_VERSION = "1.0.0"
SCHEMA_ID = f"urn:sohoa:schema:catalog-entry:{SCHEMA_VERSION}"
PREFIX = "catalog/"
CHUNK_LINES = 100
_ATTEMPTS = 30


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class CatalogCommune(_Model):
    code: str = Field(pattern=r"^\d{5}$")
    name: str
    province_code: str = Field(pattern=r"^\d{2}$")
    province_name: str


class CatalogEntry(_Model):
    """One committed version of one dossier."""

    schema_version: str = SCHEMA_VERSION
    key: str = Field(description="the dossier's folder: {provinceCode}/{communeCode}/{year}/{dossierId}/")
    bucket: str
    dossier_id: str
    change: Literal["new", "new-version"] = Field(
        description="new: first commit of this key; new-version: it replaces an earlier one"
    )
    committed: dt.datetime = Field(description="when record.json was written (UTC)")
    record_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="of record.json as committed")
    record_version_id: str | None = Field(description="the S3 version of record.json; null: no versioning")
    commune: CatalogCommune
    file_code: str | None = Field(description="Mã hồ sơ")
    title: str = Field(description="Tiêu đề hồ sơ")
    maintenance: str | None = Field(description="Thời hạn bảo quản, TT 05/2025 code 01–07")
    start_date: dt.date | None
    end_date: dt.date | None
    documents: int = Field(ge=0, description="number of documents (PDF/A files)")
    pages: int = Field(ge=0)
    objects: int = Field(ge=1, description="objects in the dossier's folder, record.json included")
    bytes: int = Field(ge=0, description="their total size")
    retain_until: dt.datetime | None = Field(description="Object Lock COMPLIANCE date; null: none")
    legal_hold: bool

    def line(self) -> str:
        return json.dumps(self.model_dump(mode="json", by_alias=True), ensure_ascii=False) + "\n"


def day_key(day: dt.date) -> str:
    """The one object a day had before chunks (still read, never written)."""
    return f"{PREFIX}{day.isoformat()}.ndjson"


def chunk_key(day: dt.date, number: int) -> str:
    return f"{PREFIX}{day.isoformat()}/{number:04d}.ndjson"


def day_keys(store: Store, day: dt.date) -> list[str]:
    """A day's catalogue objects in commit order: the old single object first, then the chunks."""
    stem = f"{PREFIX}{day.isoformat()}"
    found = [o["Key"] for o in store.list(stem)]
    chunks = sorted(k for k in found if k.startswith(stem + "/") and k.endswith(".ndjson"))
    return ([day_key(day)] if day_key(day) in found else []) + chunks


def append(store: Store, entry: CatalogEntry) -> bool:
    """Add ``entry`` to its day; False when it was already there."""
    from botocore.exceptions import ClientError

    day = entry.committed.astimezone(dt.UTC).date()
    for _ in range(_ATTEMPTS):
        keys = day_keys(store, day)
        body, etag, lines = b"", None, 0
        for key in keys:
            found = store.get(key)
            body, etag = (found[0], found[1].get("ETag")) if found else (b"", None)
            parsed = list(_parse(body))
            if any(_same(e, entry) for e in parsed):
                return False
            lines = len(parsed)
        chunks = [k for k in keys if k != day_key(day)]
        number = len(chunks)
        if not chunks or lines >= CHUNK_LINES or keys[-1] == day_key(day):
            number, body, etag = number + 1, b"", None
        key = chunk_key(day, number)
        if body and not body.endswith(b"\n"):
            body += b"\n"
        new = body + entry.line().encode("utf-8")
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        try:
            store.put(
                key,
                new,
                _sha256(new),
                content_type="application/x-ndjson; charset=utf-8",
                condition=condition,
            )
            return True
        except ClientError as e:
            from pipeline.archive.s3 import is_precondition_failed

            if not is_precondition_failed(e):
                raise
            # Another writer appended in between: read again, after a short random pause.
            store._sleep(random.uniform(0.01, 0.1))
    raise StorageError(
        f"could not append to the catalogue of {day}: {_ATTEMPTS} writers in a row got there first",
        f"không thêm được vào danh mục ngày {day}: {_ATTEMPTS} lần liền có tiến trình khác ghi trước",
    )


def read_day(store: Store, day: dt.date) -> list[CatalogEntry]:
    return [e for key in day_keys(store, day) for e in read_key(store, key)]


def iter_entries(store: Store, since: dt.date | None = None) -> Iterator[CatalogEntry]:
    """Every entry, day by day, oldest first."""
    keys = sorted(o["Key"] for o in store.list(PREFIX) if o["Key"].endswith(".ndjson"))
    for key in keys:
        if since and key[len(PREFIX) : len(PREFIX) + 10] < since.isoformat():
            continue
        yield from read_key(store, key)


def read_key(store: Store, key: str) -> list[CatalogEntry]:
    """The entries of one catalogue object (ValueError when a line is not an entry)."""
    found = store.get(key)
    return list(_parse(found[0])) if found else []


def contains(store: Store, key: str, record_sha256: str, committed: dt.datetime) -> bool:
    day = committed.astimezone(dt.UTC).date()
    return any(e.key == key and e.record_sha256 == record_sha256 for e in read_day(store, day))


def _parse(body: bytes) -> Iterator[CatalogEntry]:
    for line in body.decode("utf-8").splitlines():
        if line.strip():
            yield CatalogEntry.model_validate_json(line)


def _same(a: CatalogEntry, b: CatalogEntry) -> bool:
    return a.key == b.key and a.record_sha256 == b.record_sha256


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def json_schema() -> dict:
    """The published JSON Schema (draft 2020-12) of one catalogue line."""
    from pipeline.core.record import published_schema

    return published_schema(
        CatalogEntry, SCHEMA_ID, "sohoa archive catalogue entry (one line of catalog/YYYY-MM-DD.ndjson)"
    )


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
