"""``sohoa review`` (the review queue and search pages) and ``sohoa search``."""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
from pathlib import Path

from pipeline.core import settings as config
from pipeline.core.errors import ExitCode
from sohoa.arguments import iso_date


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser(
        "review",
        help="serve the review queue and search pages (127.0.0.1, with a login)",
        description="Reviewers confirm or correct the fields the machine was not sure of; each "
        "correction is a new version of the dossier's record.json in the archive. "
        "Add reviewers with --add-user first.",
    )
    serve.add_argument("--host", help="listen address (default: review.host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: review.port, 8090)")
    serve.add_argument("--add-user", metavar="NAME",
                       help="add or change a reviewer (password asked, or read from stdin) and exit")
    serve.add_argument("--config", type=Path, help="YAML settings file")
    serve.set_defaults(run=_review)

    find = subparsers.add_parser(
        "search",
        help="full-text search over the archive's pages, accents optional",
        description="Every word must be on the page; accents and đ are optional "
        "(\"quyet dinh dat dai\" finds \"Quyết định … đất đai\"). The index catches up with the "
        "archive's catalogue first.",
    )
    find.add_argument("text", nargs="?", default="", metavar="WORDS")
    find.add_argument("--commune", metavar="CODE", help="5-digit commune code")
    find.add_argument("--type", help="document type: QĐ, TTr… or its name")
    find.add_argument("--from", dest="date_from", type=iso_date, metavar="YYYY-MM-DD", help="issued on or after")
    find.add_argument("--to", dest="date_to", type=iso_date, metavar="YYYY-MM-DD", help="issued on or before")
    find.add_argument("--signer", help="the signer's name, or part of it")
    find.add_argument("--needs-review", action="store_true", help="only documents with fields to check")
    find.add_argument("--limit", type=int, default=20)
    find.add_argument("--no-sync", action="store_true", help="search the index as it is")
    find.add_argument("--config", type=Path, help="YAML settings file")
    find.set_defaults(run=_search)


def open_index(settings: config.Settings):
    from pipeline import search

    url = settings.search.database_url.get_secret_value() if settings.search.database_url else None
    return search.open_index(settings.search.index.expanduser(), database_url=url)


def _search(args: argparse.Namespace) -> int:
    from pipeline import archive, search

    settings = config.load(args.config)
    index = open_index(settings)
    try:
        if not args.no_sync:
            search.sync(index, archive.connect(settings.storage))
        hits = index.search(search.Query(
            args.text, commune=args.commune, type=args.type, date_from=args.date_from, date_to=args.date_to,
            signer=args.signer, needs_review=True if args.needs_review else None, limit=args.limit,
        ))
    finally:
        index.close()
    for h in hits:
        text = "".join(f"[{t}]" if m else t for t, m in h.snippet)
        about = " · ".join(filter(None, [h.type_name, h.issued.strftime("%d/%m/%Y") if h.issued else None,
                                         h.signer, "cần kiểm tra" if h.needs_review else None]))
        print(f"{h.key} trang {h.page}: {h.title}{' — ' + about if about else ''}\n    {text}")
    if not hits:
        print("Không tìm thấy / No match", file=sys.stderr)
    return int(ExitCode.ok)


def _review(args: argparse.Namespace) -> int:
    from sohoa.web import users

    settings = config.load(args.config)
    if args.add_user:
        if sys.stdin.isatty():
            password = getpass.getpass(f"Mật khẩu cho {args.add_user} / Password: ")
            if getpass.getpass("Nhập lại / Again: ") != password:
                print("Lỗi: hai lần nhập không khớp\nError: the passwords differ", file=sys.stderr)
                return int(ExitCode.bad_args)
        else:
            password = sys.stdin.readline().rstrip("\n")
        users.add(settings.review.users_file, args.add_user, password)
        print(f"{args.add_user}: {settings.review.users_file}")
        return int(ExitCode.ok)
    import uvicorn

    from pipeline import archive
    from sohoa.web.app import Library, create_app

    if not users.load(settings.review.users_file):
        print(f"Cảnh báo: chưa có người kiểm tra nào trong {settings.review.users_file}: "
              "hãy chạy 'sohoa review --add-user TÊN'\n"
              f"Warning: no reviewers in {settings.review.users_file}: run 'sohoa review --add-user NAME'",
              file=sys.stderr)
    library = Library(
        archive.connect(settings.storage), open_index(settings),
        users=lambda: users.load(settings.review.users_file),
        permanent_retention_years=settings.storage.permanent_retention_years,
    )
    report = library.sync()
    print(f"Chỉ mục: {len(report.indexed)} hồ sơ mới, {report.unchanged} không đổi / "
          f"index: {len(report.indexed)} new, {report.unchanged} unchanged", file=sys.stderr)
    stop = threading.Event()

    def keep_in_step() -> None:
        while not stop.wait(settings.search.sync_seconds):
            try:
                library.sync()
            except Exception as e:  # noqa: BLE001 - the store may be down a while: try again later
                print(f"sync: {type(e).__name__}: {e}", file=sys.stderr)

    threading.Thread(target=keep_in_step, name="index-sync", daemon=True).start()
    app = create_app(library, cookie_key=users.cookie_key(settings.review.secret_file),
                     secure_cookie=settings.review.secure_cookie)
    host, port = args.host or settings.review.host, args.port or settings.review.port
    print(f"http://{host}:{port}/", file=sys.stderr)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        stop.set()
    return int(ExitCode.ok)
