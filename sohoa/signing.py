"""The ``sohoa dev-pki`` and ``sohoa verify`` commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.core import settings as config
from pipeline.core.errors import ExitCode


def add_commands(subparsers) -> None:
    """Register ``dev-pki`` and ``verify`` on the ``sohoa`` command's subparsers."""
    dev = subparsers.add_parser(
        "dev-pki",
        help="make (and serve) a development PKI — NOT FOR PRODUCTION",
        description="Create a development CA, an agency signing certificate (PKCS#12) and the "
        "configuration of a local timestamp/OCSP/CRL service in DIR; with --serve, run that "
        "service on 127.0.0.1. DEVELOPMENT ONLY – NOT FOR PRODUCTION: signatures made with it "
        "prove nothing.",
    )
    dev.add_argument("directory", type=Path, metavar="DIR")
    dev.add_argument("--agency", help="agency name in the certificate (default: UBND xã Bát Tràng)")
    dev.add_argument("--port", type=int, help="port of the local service, fixed when DIR is created (default 9797)")
    dev.add_argument("--serve", action="store_true", help="run the timestamp/OCSP/CRL service until Ctrl-C")
    dev.set_defaults(run=_dev_pki)

    verify = subparsers.add_parser(
        "verify",
        help="check the signatures and PDF/A of signed files",
        description="For each signature: signer, agency, time, timestamp, integrity, trust, PAdES "
        "level, coverage; for each file: whether its PDF/A claim still holds. Exit status "
        f"{int(ExitCode.signature_invalid)} when anything fails.",
    )
    verify.add_argument("files", type=Path, nargs="+", metavar="FILE")
    verify.add_argument("--json", action="store_true", help="machine-readable output")
    verify.add_argument(
        "--trust-root", type=Path, action="append", default=[], metavar="CERT",
        help="a trusted CA certificate (PEM/DER), added to signing.trust_roots; repeatable",
    )
    verify.add_argument("--online", action="store_true", help="also fetch OCSP/CRL named in the certificates")
    verify.add_argument("--config", type=Path, help="YAML settings file")
    verify.set_defaults(run=_verify)


def _dev_pki(args: argparse.Namespace) -> int:
    from pipeline.sign import devpki

    print(devpki.WARNING, file=sys.stderr)
    directory: Path = args.directory
    if (directory / "pki.json").exists():
        pki = devpki.DevPki.load(directory)
        if args.port is not None and args.port != pki.port:
            print(
                f"Lỗi: {directory} đã dùng cổng {pki.port}\n"
                f"Error: {directory} was made for port {pki.port}; the port is inside its certificates",
                file=sys.stderr,
            )
            return int(ExitCode.bad_args)
    else:
        pki = devpki.create(
            directory,
            agency=args.agency or devpki.DEFAULT_AGENCY,
            port=args.port or devpki.DEFAULT_PORT,
        )
        print(f"Created / Đã tạo: {pki.directory}")
        print(f"  CA certificate:      {pki.root_cert}")
        print(f"  agency key (PKCS#12): {pki.agency_p12}")
        print(f"  settings:            {pki.config_file}")
        print(f"  password:            {pki.env_file} (owner-only; not printed)")
        print("To sign with it / Để ký thử:")
        print(f"  set -a; . {pki.env_file}; set +a")
        print(f"  sohoa dev-pki {pki.directory} --serve &")
        print(f"  sohoa process INPUT --output DIR --config {pki.config_file}")
    if args.serve:
        try:
            devpki.serve(
                pki.directory,
                ready=lambda url: print(f"Serving / Đang chạy: TSA {pki.tsa_url}, OCSP, CRL at {url}", flush=True),
            )
        except KeyboardInterrupt:
            pass
        except OSError as e:
            print(f"Lỗi: không mở được cổng {pki.port}: {e}\nError: cannot listen on port {pki.port}: {e}",
                  file=sys.stderr)
            return int(ExitCode.other)
    return int(ExitCode.ok)


def _verify(args: argparse.Namespace) -> int:
    from pipeline.sign import verify_file

    settings = config.load(args.config)
    roots = [*settings.signing.trust_roots, *args.trust_root]
    reports = [verify_file(path, roots, online=args.online) for path in args.files]
    if args.json:
        json.dump([r.to_dict() for r in reports], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n\n".join(r.to_text() for r in reports))
    return int(ExitCode.ok if all(r.ok for r in reports) else ExitCode.signature_invalid)
