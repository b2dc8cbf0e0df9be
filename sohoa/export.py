"""``sohoa export-sip``: archived dossiers as E-ARK SIP packages for an archive; ``sohoa check-sip``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.core import settings as config
from pipeline.core.errors import ExitCode
from sohoa.arguments import iso_date


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export-sip",
        help="make E-ARK SIP packages (METS, PREMIS, Dublin Core, BagIt .zip) of archived dossiers",
        description="One package per committed dossier, made from the archive (each object checked "
        "against the committed manifest) and validated before it is written. The archived objects "
        "are only read.",
    )
    export.add_argument("key", nargs="?", metavar="DOSSIER_KEY",
                        help="one dossier: {province}/{commune}/{year}/{dossierId}/ (as in the catalogue)")
    export.add_argument("--commune", metavar="CODE", help="every dossier of one commune (5-digit code), "
                        "from the catalogue")
    export.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD",
                        help="with --commune: only dossiers committed on or after this day (UTC)")
    where = export.add_mutually_exclusive_group(required=True)
    where.add_argument("--output", "-o", type=Path, metavar="DIR", help="write the .zip packages here")
    where.add_argument("--to-bucket", action="store_true",
                       help="write them under exports/ in the archive's bucket")
    export.add_argument("--config", type=Path, help="YAML settings file")
    export.add_argument("--quiet", "-q", action="store_true", help="print only the packages' locations")
    export.set_defaults(run=_export)

    check = subparsers.add_parser(
        "check-sip",
        help="validate packages made by export-sip: BagIt, schemas, every checksum",
        description=f"Exit {int(ExitCode.export_invalid)} when a package has a problem.",
    )
    check.add_argument("packages", nargs="+", type=Path, metavar="PACKAGE", help="a .zip, or an unpacked bag")
    check.set_defaults(run=_check)


def _export(args: argparse.Namespace) -> int:
    from pipeline import archive, export

    if bool(args.key) == bool(args.commune):
        print("Lỗi: ghi DOSSIER_KEY hoặc --commune (một trong hai)\n"
              "Error: give either DOSSIER_KEY or --commune", file=sys.stderr)
        return int(ExitCode.bad_args)
    if args.since and not args.commune:
        print("Lỗi: --since đi cùng --commune\nError: --since goes with --commune", file=sys.stderr)
        return int(ExitCode.bad_args)
    settings = config.load(args.config)
    store = archive.connect(settings.storage)
    if args.key:
        selection: list[tuple[str, str | None]] = [(args.key, None)]
    else:
        commune = args.commune.zfill(5) if args.commune.isdigit() else args.commune
        selection = export.select(store, commune, args.since)
        if not selection:
            since = f" từ / since {args.since.isoformat()}" if args.since else ""
            print(f"Không có hồ sơ nào của xã / no dossier of commune {commune}{since} in the catalogue",
                  file=sys.stderr)
            return int(ExitCode.ok)
    made = 0
    for result in export.export_many(store, selection, output_dir=args.output, to_bucket=args.to_bucket):
        made += 1
        if args.quiet:
            print(result.location)
        else:
            print(f"{result.location}  ({result.key}, {result.files} files, {result.bytes} bytes, "
                  f"SHA-256 {result.sha256})")
    if not args.quiet:
        print(f"Đã xuất {made} gói / {made} package(s) exported", file=sys.stderr)
    return int(ExitCode.ok)


def _check(args: argparse.Namespace) -> int:
    from pipeline import export

    bad = 0
    for path in args.packages:
        if not path.exists():
            print(f"Lỗi: không tìm thấy {path}\nError: not found: {path}", file=sys.stderr)
            return int(ExitCode.bad_args)
        problems = export.check_package(path)
        if problems:
            bad += 1
            print(f"{path}: KHÔNG HỢP LỆ / INVALID")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"{path}: hợp lệ / valid")
    if bad:
        print(f"Lỗi: {bad} gói không hợp lệ\nError: {bad} package(s) invalid", file=sys.stderr)
        return int(ExitCode.export_invalid)
    return int(ExitCode.ok)
