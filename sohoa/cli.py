"""The ``sohoa`` command."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from pipeline.core import settings as config
from pipeline.core.errors import ExitCode, SohoaError, disk_full
from sohoa import __version__


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except SohoaError as e:
        print(f"Lỗi: {e.message_vi}\nError: {e.message}", file=sys.stderr)
        return int(e.exit_code)
    except FileNotFoundError as e:
        print(f"Lỗi: không tìm thấy {e}\nError: not found: {e}", file=sys.stderr)
        return int(ExitCode.bad_args)
    except OSError as e:
        full = disk_full(e)
        if full is None:
            return _internal_error(e)
        print(f"Lỗi: {full.message_vi}\nError: {full.message}", file=sys.stderr)
        return int(full.exit_code)
    except KeyboardInterrupt:
        print("Đã dừng / Interrupted", file=sys.stderr)
        return int(ExitCode.interrupted)
    except Exception as e:  # noqa: BLE001 - a clerk sees a sentence, not a traceback
        return _internal_error(e)


def _internal_error(e: Exception) -> int:
    if os.environ.get("SOHOA_DEBUG"):
        raise e
    print(
        f"Lỗi nội bộ: {type(e).__name__}: {e}\nInternal error: {type(e).__name__}: {e}\n"
        "(SOHOA_DEBUG=1 shows the details)",
        file=sys.stderr,
    )
    return int(ExitCode.other)


def _quiet_libraries() -> None:
    """Our own warnings as plain lines; the libraries' tracebacks only with SOHOA_DEBUG."""
    if os.environ.get("SOHOA_DEBUG"):
        logging.basicConfig(level=logging.DEBUG)
        return
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for name in ("pyhanko", "pyhanko_certvalidator", "certomancer", "botocore", "boto3", "urllib3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sohoa",
        description="Số hóa hồ sơ: scanned dossiers into searchable PDF/A-2b.",
    )
    parser.add_argument("--version", action="version", version=f"sohoa {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    process = sub.add_parser(
        "process",
        help="OCR one dossier into PDF/A and record.json",
        description="INPUT: a folder of page images (JPEG, PNG, TIFF), a multi-page TIFF, "
        "an image-only PDF, or one image.",
    )
    process.add_argument("input", type=Path, metavar="INPUT")
    process.add_argument("--output", "-o", type=Path, required=True, metavar="DIR")
    process.add_argument("--jobs", "-j", type=int, help="parallel OCR processes (default: CPU count)")
    process.add_argument("--language", "-l", help="Tesseract language (default: vie)")
    process.add_argument("--tessdata-dir", type=Path, help="folder of .traineddata models")
    process.add_argument("--title", help="dossier title when the manifest gives none")
    process.add_argument("--commune", help="the commune: 5-digit 2025 code (or unambiguous name)")
    process.add_argument("--config", type=Path, help="YAML settings file")
    process.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    process.add_argument(
        "--archive", action="store_true",
        help="then archive the dossier to the S3 bucket (storage.* settings)",
    )
    process.add_argument(
        "--legal-hold", action="store_true",
        help="with --archive: a legal hold on every archived object",
    )
    process.set_defaults(run=_process)

    schema = sub.add_parser("schema", help="print the JSON Schema of record.json")
    schema.set_defaults(run=_schema)

    from sohoa import export, library, services, signing, storage

    signing.add_commands(sub)
    storage.add_commands(sub)
    export.add_commands(sub)
    services.add_commands(sub)
    library.add_commands(sub)
    return parser


def _schema(args: argparse.Namespace) -> int:
    from pipeline.core.record import schema_text

    sys.stdout.write(schema_text())
    return int(ExitCode.ok)


def _process(args: argparse.Namespace) -> int:
    from pipeline import OcrOptions, process_dossier

    ocr_overrides = {
        k: v
        for k, v in {
            "jobs": args.jobs,
            "language": args.language,
            "tessdata_dir": args.tessdata_dir,
        }.items()
        if v is not None
    }
    overrides: dict = {"ocr": ocr_overrides} if ocr_overrides else {}
    if args.commune:
        overrides["commune"] = args.commune
    settings = config.load(args.config, **overrides)
    if settings.ocr.jobs is not None and settings.ocr.jobs < 1:
        print("Lỗi: --jobs phải ≥ 1\nError: --jobs must be at least 1", file=sys.stderr)
        return int(ExitCode.bad_args)
    options = OcrOptions(
        language=settings.ocr.language,
        tessdata_dir=settings.ocr.tessdata_dir,
        psm=settings.ocr.psm,
        timeout_seconds=settings.ocr.timeout_seconds,
        jobs=settings.ocr.jobs or 0,
    )
    show = sys.stderr.isatty() and not args.quiet
    from flows.secrets import agency_signer

    # Opened before any OCR: a wrong password or a missing token fails at once.
    signer = agency_signer(settings.signing, warn=lambda text: print(text, file=sys.stderr))
    try:
        with _progress(show) as progress:
            rec = process_dossier(
                args.input,
                args.output,
                ocr=options,
                max_pixels=settings.input.max_pixels,
                max_pages=settings.input.max_pages,
                title=args.title,
                commune=settings.commune,
                signer=signer,
                progress=progress,
            )
    finally:
        if signer is not None:
            signer.close()
    if not args.quiet:
        for out in rec.outputs:
            print(args.output / out.file)
        print(args.output / "record.json")
        for warning in rec.warnings:
            print(f"Cảnh báo / Warning: {warning}", file=sys.stderr)
    if args.archive:
        from sohoa.storage import archive_output, report_archive

        result = archive_output(args.output, rec, settings, legal_hold=args.legal_hold or None)
        report_archive(result, quiet=args.quiet)
    return int(ExitCode.ok)


class _progress:
    """A page-by-page progress bar on a terminal; nothing in scripts."""

    def __init__(self, show: bool):
        self.show = show
        self._bar: Any = None  # rich's Progress, once shown
        self._task: Any = None

    def __enter__(self):
        if not self.show:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task("Nhận dạng / OCR", total=None)
        return self._update

    def _update(self, done: int, total: int) -> None:
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False


def run() -> NoReturn:
    """The ``sohoa`` program: ``main``, then exit with its code."""
    code = main()
    # Nothing is left to free: the interpreter's last garbage collection would walk
    # every object the libraries made, a seventh of a second per run.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
