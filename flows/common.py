"""What the flows, the watcher and the deployments share: settings, stores, limits, reasons."""

from __future__ import annotations

import dataclasses
import os
import re
import threading
import unicodedata

from pipeline import archive
from pipeline.core import settings as config
from pipeline.core.errors import (
    ArchiveRefusedError,
    ExitCode,
    SohoaError,
    StorageError,
    TimestampUnavailableError,
)

WORK_POOL_TYPE = "process"
DIGITISE = "digitise-dossier"
DEPLOYMENT = "sohoa"  # every flow's deployment is named after the project
OCR_LIMIT = "sohoa-ocr"  # pages OCR'd at once, all communes


def commune_limit(commune: str) -> str:
    """Pages OCR'd at once for one commune: a busy commune cannot starve the others."""
    return f"sohoa-ocr-{commune}"


def settings() -> config.Settings:
    return config.load()


def archive_store(settings: config.Settings) -> archive.Store:
    return _store(archive.connection(settings.storage))


def intake_store(settings: config.Settings) -> archive.Store:
    """The staging bucket: the archive's store and credentials, another bucket."""
    conn = archive.connection(settings.storage)
    return _store(dataclasses.replace(conn, bucket=settings.intake.bucket))


_STORES: dict[archive.Connection, archive.Store] = {}
_STORES_LOCK = threading.Lock()


def _store(conn: archive.Connection) -> archive.Store:
    """One store (one S3 client, thread-safe) per connection in this process: a worker's runs
    would otherwise each load the S3 client's models again, a tenth of a second of CPU each."""
    with _STORES_LOCK:
        store = _STORES.get(conn)
        if store is None:
            store = _STORES[conn] = archive.Store(conn)
        return store


def ocr_options(settings: config.Settings):
    from pipeline import OcrOptions

    return OcrOptions(
        language=settings.ocr.language,
        tessdata_dir=settings.ocr.tessdata_dir,
        psm=settings.ocr.psm,
        timeout_seconds=settings.ocr.timeout_seconds,
        jobs=settings.ocr.jobs or 0,
    )


def ocr_slots(settings: config.Settings) -> tuple[int, int]:
    """(all communes, one commune). One commune's share defaults to half the slots, so that a
    backlog in one cannot hold the others back; all of them where only one commune is watched."""
    total = settings.flows.ocr_slots or os.cpu_count() or 1
    alone = len(settings.intake.folders) <= 1
    per = settings.flows.ocr_slots_per_commune or (total if alone else max(1, total // 2))
    return total, min(per, total)


def is_transient(exc: BaseException | None) -> bool:
    """May pass by itself: the store or the timestamp server was down or refused for now."""
    if isinstance(exc, ArchiveRefusedError):
        return False
    if isinstance(exc, (StorageError, TimestampUnavailableError)):
        return True
    return isinstance(exc, (ConnectionError, TimeoutError))


def reason(exc: BaseException) -> tuple[str, str]:
    """What a clerk reads in reason.txt: Vietnamese, English; never a traceback."""
    if isinstance(exc, SohoaError):
        return exc.message_vi, exc.message
    return (
        "lỗi của hệ thống, không phải do hồ sơ; không cần sửa hồ sơ, người vận hành sẽ xem và "
        "cho chạy lại",
        f"a system error, not a problem with the dossier ({type(exc).__name__}: {exc}); the operator "
        "finds the details in Prefect",
    )


# Bad input: the dossier itself must be fixed by the clerk (not the system, not a retry).
BAD_INPUT_CODES = frozenset({
    ExitCode.input_file, ExitCode.encrypted_pdf, ExitCode.signed_pdf, ExitCode.too_large,
    ExitCode.archive_refused,
})
STATE_REVIEW, STATE_BAD_INPUT = "Cần kiểm tra", "Đầu vào lỗi"
TAG_REVIEW, TAG_BAD_INPUT, TAG_SYSTEM_ERROR = "cần kiểm tra", "đầu vào lỗi", "lỗi hệ thống"


def is_bad_input(exc: BaseException) -> bool:
    return isinstance(exc, SohoaError) and exc.exit_code in BAD_INPUT_CODES


def hide_paths(text: str) -> str:
    """A clerk's reason names their file, not the worker's temporary folder."""
    return re.sub(r"/\S*?/sohoa-run-[^/\s]+/in/", "", text)


def verify_committed(store: archive.Store, key: str, version_id: str | None) -> str:
    """Read the committed record.json back and hash it: the archive copy exists as written.
    Returns its SHA-256."""
    head = store.head(key + archive.RECORD, version_id)
    if head is None:
        raise StorageError(f"{key}{archive.RECORD} is not in the archive after the commit",
                           f"{key}{archive.RECORD} không có trong kho sau khi ghi")
    expected = (head.get("Metadata") or {}).get("sha256")
    got = store.sha256(key + archive.RECORD, version_id)
    if got is None or (expected and got[0] != expected):
        raise StorageError(f"{key}{archive.RECORD}: the archived copy does not match its checksum",
                           f"{key}{archive.RECORD}: bản trong kho không khớp mã kiểm tra")
    return got[0]


def artifact_key(*parts: str) -> str:
    """Prefect artifact keys: lowercase letters, digits and dashes only."""
    text = unicodedata.normalize("NFKD", "-".join(parts)).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:200] or "hoso"


def run_name(commune: str, dossier: str) -> str:
    return f"hoso-{commune}-{dossier}"



# Flow runs the operator cancelled, told by the worker running them in its process
# (``flows.worker``); each stops at its next page.
_CANCELS: set[str] = set()


class RunCancelled(Exception):
    """The operator cancelled this flow run."""


def request_cancel(run_id: str) -> None:
    _CANCELS.add(run_id)


def stop_if_cancelled(run_id: str) -> None:
    if run_id in _CANCELS:
        raise RunCancelled(run_id)


def forget_cancel(run_id: str) -> None:
    _CANCELS.discard(run_id)
