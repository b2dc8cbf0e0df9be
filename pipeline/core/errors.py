"""Errors a clerk or an operator can meet, each with a distinct exit code.

Messages are plain and name the file; they are shown in Vietnamese and English.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    ok = 0
    bad_args = 2  # the command line itself is wrong
    input_file = 3  # not a readable image/PDF, empty, truncated, corrupt
    encrypted_pdf = 4
    signed_pdf = 5  # OCR would break an existing digital signature
    too_large = 6  # decompression-bomb guard
    missing_dependency = 7  # tesseract, a language model, poppler…
    pdfa_invalid = 8  # the produced file failed PDF/A validation
    ocr_failed = 9
    disk_full = 10  # no space left (or over quota) where the results are written
    other = 15
    interrupted = 130
    # Signing and verification (PAdES)
    signing_credentials = 20  # PKCS#12 password or token PIN missing or wrong, unreadable key store
    certificate_unusable = 21  # expired, not yet valid, no digitalSignature key usage
    timestamp_unavailable = 22  # the timestamp server did not answer or refused
    token_unavailable = 23  # PKCS#11 module, token or key not found
    signing_failed = 24  # signing settings inconsistent, or the signed file failed its check
    signature_invalid = 25  # sohoa verify: a signature or the file did not pass
    # Archive storage (S3)
    storage_unavailable = 30  # down, refusing, or a read-back that did not match
    storage_access = 31  # wrong credentials, access denied
    storage_bucket = 32  # the bucket does not exist
    archive_refused = 33  # the dossier cannot be archived as it is
    fixity = 34  # the audit found a problem
    # Handing over to an archive (sohoa export-sip)
    export_not_found = 35  # no such dossier in the archive
    export_incomplete = 36  # a dossier folder without record.json (an unfinished upload)
    export_fixity = 37  # an archived object no longer matches its manifest: nothing exported
    export_invalid = 38  # the package built failed its own validation: nothing handed over
    # The library: review and search
    review_refused = 39  # a correction that is not a valid value, or on a dossier changed meanwhile
    search_failed = 40  # the search index cannot be opened or queried


class SohoaError(Exception):
    """Base for expected failures: carries both languages and an exit code."""

    exit_code = ExitCode.other

    def __init__(self, en: str, vi: str, path: Path | str | None = None):
        self.en = en
        self.vi = vi
        self.path = Path(path) if path is not None else None
        super().__init__(self.message)

    def __reduce__(self):
        # A page's error is raised in an OCR worker process and pickled back: rebuilt
        # from its own arguments (the default, from ``args``, would fail and break the pool).
        return (self.__class__, (self.en, self.vi, self.path))

    @property
    def message(self) -> str:
        where = f"{self.path}: " if self.path is not None else ""
        return f"{where}{self.en}"

    @property
    def message_vi(self) -> str:
        where = f"{self.path}: " if self.path is not None else ""
        return f"{where}{self.vi}"


class InputFileError(SohoaError):
    exit_code = ExitCode.input_file


class EncryptedPdfError(SohoaError):
    exit_code = ExitCode.encrypted_pdf


class SignedPdfError(SohoaError):
    exit_code = ExitCode.signed_pdf


class TooLargeError(SohoaError):
    exit_code = ExitCode.too_large


class MissingDependencyError(SohoaError):
    exit_code = ExitCode.missing_dependency


class PdfaInvalidError(SohoaError):
    exit_code = ExitCode.pdfa_invalid


class OcrError(SohoaError):
    exit_code = ExitCode.ocr_failed


class DiskFullError(SohoaError):
    """No space left where a file was being written: what was half-written is removed."""

    exit_code = ExitCode.disk_full


# errno values that mean "this disk (or this user's share of it) is full".
DISK_FULL_ERRNOS = {28, 122}  # ENOSPC, EDQUOT


def disk_full(e: OSError) -> DiskFullError | None:
    """The clear error for an OSError that is a full disk; None for any other."""
    if e.errno not in DISK_FULL_ERRNOS:
        return None
    where = e.filename
    return DiskFullError(
        "no space left on the disk: free some space (or give the output another disk) and run "
        "again; nothing was written, the scans are untouched",
        "ổ đĩa đã đầy: hãy giải phóng dung lượng (hoặc ghi kết quả ra ổ khác) rồi chạy lại; "
        "chưa ghi gì, bản quét vẫn nguyên vẹn",
        where if isinstance(where, str) else None,
    )


class SigningError(SohoaError):
    """Signing could not be done: nothing that looks signed was written."""

    exit_code = ExitCode.signing_failed


class SigningCredentialsError(SigningError):
    exit_code = ExitCode.signing_credentials


class CertificateUnusableError(SigningError):
    exit_code = ExitCode.certificate_unusable


class TimestampUnavailableError(SigningError):
    exit_code = ExitCode.timestamp_unavailable


class TokenUnavailableError(SigningError):
    exit_code = ExitCode.token_unavailable


class SignatureInvalidError(SohoaError):
    exit_code = ExitCode.signature_invalid


class StorageError(SohoaError):
    """The object store is down, refusing, or returned something other than what was written."""

    exit_code = ExitCode.storage_unavailable


class StorageAccessError(SohoaError):
    """Wrong or missing credentials, or the credentials may not do this."""

    exit_code = ExitCode.storage_access


class StorageBucketError(SohoaError):
    """The configured bucket does not exist."""

    exit_code = ExitCode.storage_bucket


class ArchiveRefusedError(SohoaError):
    """The dossier cannot be archived as it is (no commune, a scan changed since processing…)."""

    exit_code = ExitCode.archive_refused


class FixityError(SohoaError):
    """``sohoa audit`` found missing, changed or untracked objects, or a bad signature."""

    exit_code = ExitCode.fixity


class ExportNotFoundError(SohoaError):
    """``sohoa export-sip``: nothing is archived under this key."""

    exit_code = ExitCode.export_not_found


class ExportIncompleteError(SohoaError):
    """``sohoa export-sip``: the dossier's folder has no (readable) ``record.json``."""

    exit_code = ExitCode.export_incomplete


class ExportFixityError(SohoaError):
    """``sohoa export-sip``: an archived object no longer matches the committed manifest."""

    exit_code = ExitCode.export_fixity


class ExportInvalidError(SohoaError):
    """``sohoa export-sip``: the package failed its own validation (schemas, BagIt, checksums)."""

    exit_code = ExitCode.export_invalid


class ReviewError(SohoaError):
    """A reviewer's correction cannot be saved as it is: nothing was written."""

    exit_code = ExitCode.review_refused


class SearchError(SohoaError):
    """The search index cannot be opened, built or queried."""

    exit_code = ExitCode.search_failed
