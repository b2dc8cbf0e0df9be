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
    other = 15
    interrupted = 130


class SohoaError(Exception):
    """Base for expected failures: carries both languages and an exit code."""

    exit_code = ExitCode.other

    def __init__(self, en: str, vi: str, path: Path | str | None = None):
        self.en = en
        self.vi = vi
        self.path = Path(path) if path is not None else None
        super().__init__(self.message)

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
