"""``sohoa storage up|down|status``, ``sohoa audit``, and the archive step of ``process --archive``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core import settings as config
from pipeline.core.errors import ExitCode

if TYPE_CHECKING:
    from pipeline.archive import ArchiveResult, PageText
    from pipeline.core.record import Record


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register ``storage`` (up, down, status) and ``audit`` on the ``sohoa`` parser."""
    storage = subparsers.add_parser(
        "storage",
        help="start, stop or show the embedded S3 storage (SeaweedFS on 127.0.0.1)",
        description="The embedded archive store: SeaweedFS on 127.0.0.1, data in storage.data_dir.",
    )
    actions = storage.add_subparsers(required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start it (if it is not running) and create the bucket")
    up.add_argument(
        "--show-credentials", action="store_true", help="print the generated access key and secret"
    )
    up.set_defaults(run=_up)
    down = actions.add_parser("down", help="stop it (if it is running)")
    down.add_argument(
        "--timeout", type=float, default=30, metavar="SECONDS",
        help="time it gets to stop cleanly before it is killed (default 30)",
    )
    down.set_defaults(run=_down)
    status = actions.add_parser("status", help="is it running; the bucket's versioning and Object Lock")
    status.set_defaults(run=_status)
    for p in (up, down, status):
        p.add_argument("--config", type=Path, help="YAML settings file")

    audit = subparsers.add_parser(
        "audit",
        help="re-hash archived objects against their manifests and re-verify signatures",
        description="Reports missing, changed and untracked objects and bad signatures; "
        f"exit {int(ExitCode.fixity)} when there is any.",
    )
    scope = audit.add_mutually_exclusive_group(required=True)
    scope.add_argument("--dossier", metavar="KEY", help="one dossier: {province}/{commune}/{year}/{id}/")
    scope.add_argument("--commune", metavar="CODE", help="every dossier of one commune (5-digit code)")
    scope.add_argument("--all", action="store_true", help="the whole bucket")
    audit.add_argument(
        "--trust-root", type=Path, action="append", default=None, metavar="FILE",
        help="CA certificate for signature checks (default: signing.trust_roots)",
    )
    audit.add_argument("--json", action="store_true", help="the report as JSON on stdout")
    audit.add_argument("--config", type=Path, help="YAML settings file")
    audit.set_defaults(run=_audit)


def archive_output(
    output_dir: Path,
    record: Record,
    settings: config.Settings,
    *,
    page_text: dict[int, PageText] | None = None,
    legal_hold: bool | None = None,
) -> ArchiveResult:
    """Archive what ``sohoa process`` wrote to ``output_dir``. Nothing local is moved or deleted:
    on any failure the dossier stays where it is, and running this again finishes the job."""
    from pipeline import archive

    store = archive.Store(archive.connection(settings.storage))
    return archive.archive_dossier(
        store,
        Path(output_dir),
        record,
        page_text=page_text,
        legal_hold=settings.storage.legal_hold if legal_hold is None else legal_hold,
        permanent_retention_years=settings.storage.permanent_retention_years,
    )


def report_archive(result: ArchiveResult, *, quiet: bool = False) -> None:
    """What ``process --archive`` prints: the committed key on stdout, notices on stderr."""
    for notice in result.notices:
        print(f"Lưu ý / Notice: {notice}", file=sys.stderr)
    if quiet:
        return
    said = {
        "committed": "đã lưu / archived",
        "new-version": "đã lưu phiên bản mới / archived as a new version",
        "unchanged": "không đổi, không ghi lại / unchanged, nothing written",
    }[result.status]
    print(f"s3://{result.bucket}/{result.key}record.json  ({said})")


def _settings(args: argparse.Namespace) -> config.Settings:
    return config.load(getattr(args, "config", None))


def _embedded_root(settings: config.Settings) -> Path | None:
    if settings.storage.endpoint:
        return None
    return Path(settings.storage.data_dir).expanduser()


def _up(args: argparse.Namespace) -> int:
    from pipeline import archive
    from pipeline.archive import embedded

    settings = _settings(args)
    root = _embedded_root(settings)
    if root is None:
        print(
            f"Lỗi: storage.endpoint đã đặt ({settings.storage.endpoint}); không có gì để khởi động\n"
            f"Error: storage.endpoint is set ({settings.storage.endpoint}): nothing to start",
            file=sys.stderr,
        )
        return int(ExitCode.bad_args)
    before = embedded.status(root)
    state = embedded.up(root, s3_port=settings.storage.port, reader_buckets=(settings.storage.bucket,))
    store = archive.Store(archive.connection(settings.storage))
    notes = store.ensure_bucket(object_lock=settings.storage.object_lock)
    word = "đang chạy / already running" if before.running else "đã khởi động / started"
    print(f"SeaweedFS {word}: {state.endpoint} (pid {state.pid})")
    _print_bucket(store)
    layout = embedded.Layout(root)
    print(f"credentials: {layout.credentials} (0600)")
    print(f"read-only credentials for downstream readers: {layout.reader_credentials} (0600)")
    if args.show_credentials:
        creds = embedded.read_credentials(root)
        print(f"access key: {creds.access_key}\nsecret key: {creds.secret_key}")
    for note in notes:
        print(f"Lưu ý / Notice: {note}", file=sys.stderr)
    return int(ExitCode.ok)


def _down(args: argparse.Namespace) -> int:
    from pipeline.archive import embedded

    root = _embedded_root(_settings(args))
    if root is None:
        print("storage.endpoint is set: the embedded SeaweedFS is not used", file=sys.stderr)
        return int(ExitCode.bad_args)
    stopped = embedded.down(root, timeout=args.timeout)
    print("SeaweedFS: đã dừng / stopped" if stopped else "SeaweedFS: không chạy / was not running")
    return int(ExitCode.ok)


def _status(args: argparse.Namespace) -> int:
    from pipeline import archive
    from pipeline.archive import embedded

    settings = _settings(args)
    root = _embedded_root(settings)
    if root is not None:
        state = embedded.status(root)
        if not state.running:
            print(f"SeaweedFS: không chạy / not running (data: {root})")
            return int(ExitCode.storage_unavailable)
        print(f"SeaweedFS: đang chạy / running: {state.endpoint} (pid {state.pid}, data: {root})")
    store = archive.connect(settings.storage)
    _print_bucket(store)
    return int(ExitCode.ok)


def _print_bucket(store) -> None:
    def on(flag: bool) -> str:
        return "on" if flag else "OFF"

    print(
        f"bucket: {store.bucket} (versioning: {on(store.versioning)}, "
        f"Object Lock: {on(store.object_lock)})"
    )


def _audit(args: argparse.Namespace) -> int:
    from pipeline import archive, sign

    settings = _settings(args)
    store = archive.connect(settings.storage)
    roots = args.trust_root
    if roots is None:
        roots = list(getattr(getattr(settings, "signing", None), "trust_roots", []) or [])
    verifier, how = sign.archive_verifier(roots)
    commune = args.commune.zfill(5) if args.commune and args.commune.isdigit() else args.commune
    report = archive.audit(
        store, dossier=args.dossier, commune=commune, verifier=verifier, signature_check=how
    )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        for d in report.dossiers:
            state = "ok" if not d.findings else f"{len(d.findings)} problem(s)"
            print(f"{d.key}  {d.objects} objects, {d.bytes} bytes, "
                  f"{d.signatures_verified} signature(s) verified: {state}")
            for f in d.findings:
                extra = f" (version {f.restorable_version} still matches)" if f.restorable_version else ""
                print(f"  {f.kind:9} {f.key}  {f.detail}{extra}")
        print(f"signatures: {report.signature_check}")
    if report.ok:
        if not args.json:
            print(f"Kiểm tra xong, không có lỗi / Audit passed: {len(report.dossiers)} dossier(s)")
        return int(ExitCode.ok)
    print(
        f"Lỗi: kiểm tra phát hiện {len(report.findings)} vấn đề\n"
        f"Error: the audit found {len(report.findings)} problem(s)",
        file=sys.stderr,
    )
    return int(ExitCode.fixity)
