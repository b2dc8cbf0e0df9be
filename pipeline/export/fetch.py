"""A committed dossier, downloaded exactly as committed and checked against its manifest.

The committed ``record.json`` names the manifest it was committed with (its SHA-256 in the
object metadata); the manifest pins every other object's SHA-256. Each object is streamed
to disk and hashed on the way; where the newest version does not match (a newer dossier
version being written, or a stray write), the stored version that does is taken. When no
version matches, the dossier is refused and every such object named: a package is only
ever made of the bytes the archive committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.archive import MANIFEST, RECORD, Store, parse_manifest
from pipeline.archive.s3 import stored_sha256
from pipeline.core.errors import (
    ExportFixityError,
    ExportIncompleteError,
    ExportNotFoundError,
    StorageError,
)
from pipeline.core.record import Record

# Objects of one dossier downloaded at once: S3 requests wait on the network, not the CPU.
# One pool for the process: starting threads for each dossier cost more than the downloads.
DOWNLOADS = 8
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _downloads() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(DOWNLOADS, thread_name_prefix="sohoa-export")
        return _pool


@dataclass(frozen=True)
class ArchivedFile:
    name: str  # relative to the dossier's folder: source/trang-1.jpg, H68….pdf, text/0001.txt
    sha256: str
    size: int
    path: Path  # where it was downloaded
    version_id: str | None
    stored: dt.datetime  # when the archive stored this version


@dataclass
class ArchivedDossier:
    key: str  # {province}/{commune}/{year}/{id}/
    record: Record
    record_file: ArchivedFile
    manifest_sha256: str
    files: list[ArchivedFile] = field(default_factory=list)  # every object but record.json and the manifest

    @property
    def committed(self) -> dt.datetime:
        return self.record_file.stored


def normalise_key(key: str) -> str:
    """``68/24958/2025/<id>`` or ``…/<id>/`` or ``…/record.json`` → ``68/24958/2025/<id>/``."""
    key = key.strip().lstrip("/")
    if key.endswith("/" + RECORD):
        key = key[: -len(RECORD)]
    return key.rstrip("/") + "/"


def fetch_dossier(
    store: Store, key: str, folder: Path, *, record_version_id: str | None = None
) -> ArchivedDossier:
    """Download the committed dossier under ``key`` into ``folder`` (its archive names kept).

    ``record_version_id``: that committed version of the dossier (from the catalogue);
    default the newest. Unknown key, a folder without ``record.json``, any object whose
    bytes no longer match: each refused with its own error, after which ``folder`` may hold
    part of the download (the caller's temporary folder).
    """
    key = normalise_key(key)
    # One GET, not HEAD then GET: the response carries the metadata the commit wrote.
    found = _get(store, key, RECORD, folder, record_version_id)
    if found is None:
        _refuse_missing_record(store, key, record_version_id)
    assert found is not None
    record_file, meta = found
    if meta.get("sha256") not in (None, record_file.sha256):
        raise ExportFixityError(
            f"{key}{RECORD} no longer matches the SHA-256 it was committed with: nothing exported",
            f"{key}{RECORD} không còn khớp mã SHA-256 lúc lưu: chưa xuất gì",
        )
    try:
        record = Record.model_validate_json(record_file.path.read_bytes())
    except ValueError as e:
        raise ExportIncompleteError(
            f"{key}{RECORD} cannot be read as a sohoa record ({str(e).splitlines()[0]})",
            f"{key}{RECORD} không đọc được như bản ghi sohoa ({str(e).splitlines()[0]})",
        ) from None

    manifest_sha = meta.get("manifest-sha256")
    manifest_file = _matching_version(store, key, MANIFEST, folder, manifest_sha)
    if manifest_file is None:
        raise ExportFixityError(
            f"{key}{MANIFEST}: no stored version matches the manifest {RECORD} was committed "
            "with: nothing exported",
            f"{key}{MANIFEST}: không phiên bản nào khớp manifest đã lưu cùng {RECORD}: chưa xuất gì",
        )
    listed = parse_manifest(manifest_file.path.read_text(encoding="utf-8"))
    if listed.get(RECORD) not in (None, record_file.sha256):
        raise ExportFixityError(
            f"{key}{RECORD} is not the record its manifest lists: nothing exported",
            f"{key}{RECORD} không phải bản ghi mà manifest liệt kê: chưa xuất gì",
        )

    wanted = sorted((name, sha) for name, sha in listed.items() if name != RECORD)
    for name, _ in wanted:
        _safe(name)
    got = list(_downloads().map(lambda item: _matching_version(store, key, item[0], folder, item[1]), wanted))
    bad = [name for (name, _), found in zip(wanted, got) if found is None]
    if bad:
        names = ", ".join(key + n for n in bad)
        raise ExportFixityError(
            f"{len(bad)} archived object(s) no longer match the committed manifest (no stored "
            f"version has the SHA-256 it lists): {names}; nothing exported — run 'sohoa audit' "
            "and restore them from the backup copy",
            f"{len(bad)} đối tượng trong kho không còn khớp manifest đã lưu (không phiên bản nào "
            f"có mã SHA-256 đã ghi): {names}; chưa xuất gì — hãy chạy 'sohoa audit' và khôi phục "
            "từ bản sao dự phòng",
        )
    files = [f for f in got if f is not None]
    return ArchivedDossier(key, record, record_file, manifest_file.sha256, files)


def _refuse_missing_record(store: Store, key: str, version_id: str | None) -> None:
    if version_id is not None:
        raise ExportNotFoundError(
            f"{key}{RECORD} has no version {version_id} in s3://{store.bucket}",
            f"{key}{RECORD} không có phiên bản {version_id} trong s3://{store.bucket}",
        )
    if next(_first(store, key), None) is None:
        raise ExportNotFoundError(
            f"no dossier is archived under {key} in s3://{store.bucket} (the key is "
            "{province}/{commune}/{year}/{dossierId}/, as in the catalogue)",
            f"không có hồ sơ nào được lưu tại {key} trong s3://{store.bucket} (khóa có dạng "
            "{tỉnh}/{xã}/{năm}/{mã hồ sơ}/, như trong danh mục)",
        )
    raise ExportIncompleteError(
        f"{key} has objects but no {RECORD}: an unfinished upload, not a committed dossier — "
        "archive it again (sohoa process … --archive), then export",
        f"{key} có dữ liệu nhưng không có {RECORD}: lần lưu chưa xong, chưa phải hồ sơ đã lưu — "
        "hãy lưu lại (sohoa process … --archive) rồi xuất",
    )


def _first(store: Store, prefix: str) -> Iterator[dict]:
    yield from store.list(prefix)


def _matching_version(
    store: Store, key: str, name: str, folder: Path, sha: str | None
) -> ArchivedFile | None:
    """The stored version of ``key + name`` whose bytes hash to ``sha``: the newest first."""
    found = _download(store, key, name, folder, None, sha)
    if found is not None:
        return found
    for version in store.versions(key + name):
        head = store.head(key + name, version["VersionId"])
        if head is not None and stored_sha256(head) in (sha, None):
            found = _download(store, key, name, folder, version["VersionId"], sha)
            if found is not None:
                return found
    return None


def _download(
    store: Store, key: str, name: str, folder: Path, version_id: str | None, sha: str | None
) -> ArchivedFile | None:
    """Stream one object version to ``folder/name``, hashing it; None when it is missing or
    its SHA-256 is not ``sha`` (when given)."""
    found = _get(store, key, name, folder, version_id)
    if found is None or (sha is not None and found[0].sha256 != sha):
        return None
    return found[0]


def _get(
    store: Store, key: str, name: str, folder: Path, version_id: str | None
) -> tuple[ArchivedFile, dict[str, str]] | None:
    """Stream one object version to ``folder/name``, hashing it on the way; with its user
    metadata. None when there is no such object (or version)."""
    from botocore.exceptions import ClientError

    from pipeline.archive.s3 import is_missing

    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"Bucket": store.bucket, "Key": key + name}
    if version_id:
        kwargs["VersionId"] = version_id

    def fetch() -> tuple[str, int, dict]:
        response = store.client.get_object(**kwargs)
        digest, size = hashlib.sha256(), 0
        with path.open("wb") as f:
            for chunk in iter(lambda: response["Body"].read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
                f.write(chunk)
        return digest.hexdigest(), size, response

    try:
        got, size, response = store.call(f"GetObject {key + name}", fetch)
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code")
        if is_missing(e) or code in ("MethodNotAllowed", "405", "InvalidArgument"):
            return None  # deleted (a delete marker), or no such version
        raise
    stored = response.get("LastModified") or dt.datetime.now(dt.UTC)
    found = ArchivedFile(name, got, size, path, response.get("VersionId") or version_id, stored)
    return found, response.get("Metadata") or {}


def _safe(name: str) -> None:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("..", ".", "") for p in parts):
        raise StorageError(
            f"the manifest lists an unsafe name: {name!r}", f"manifest có tên tệp không an toàn: {name!r}"
        )
