"""``sohoa server``, ``sohoa serve``, ``sohoa worker``, ``sohoa check``: running sohoa under Prefect."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

from pipeline.core import settings as config
from pipeline.core.errors import ExitCode


def add_commands(sub: argparse._SubParsersAction) -> None:
    server = sub.add_parser(
        "server", help="start a local Prefect server (SQLite, or PostgreSQL: --database postgres)"
    )
    server.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    server.add_argument("--port", type=int, default=4200)
    server.add_argument(
        "--database", choices=("sqlite", "postgres"), default="sqlite",
        help="sqlite (default; Prefect answers concurrent writes 'busy' and its client waits 2 s) or "
        "postgres: a PostgreSQL cluster of sohoa's own (Debian's postgresql package), for many dossiers at once",
    )
    server.add_argument("--database-dir", type=Path, default=Path("~/.local/share/sohoa/prefect-postgres"),
                        help="with --database postgres: the cluster's folder (made on first start)")
    server.add_argument("--database-port", type=int, default=54329,
                        help="with --database postgres: its port on 127.0.0.1 (default 54329)")
    server.set_defaults(run=_server)

    serve = sub.add_parser(
        "serve", help="watch the communes' folders and digitise what clerks drop (Prefect)",
        description="Registers the deployments on the work pool (flows.work_pool), sets the OCR "
        "limits, starts flows.workers workers here, and watches intake.folders. PREFECT_API_URL "
        "names the Prefect server.",
    )
    serve.add_argument("--config", type=Path, help="YAML settings file")
    serve.add_argument("--workers", type=int, help="workers on this machine (default: flows.workers)")
    serve.add_argument("--log-dir", type=Path, help="where the local workers write their logs")
    serve.set_defaults(run=_serve)

    worker = sub.add_parser(
        "worker", help="pull flow runs from the work pool (one per machine)",
        description="A Prefect worker on the work pool (flows.work_pool) that runs each flow run in "
        "a thread of its own long-lived process: the code and the OCR processes stay loaded between "
        "runs. PREFECT_API_URL names the Prefect server.",
    )
    worker.add_argument("--config", type=Path, help="YAML settings file")
    worker.add_argument("--name", help="worker name (default: the host name)")
    worker.add_argument("--runs", type=int, help="flow runs at once (default: flows.worker_runs)")
    worker.set_defaults(run=_worker)

    check = sub.add_parser("check", help="is this machine ready: tesseract, the model, fonts, Prefect")
    check.add_argument("--config", type=Path, help="YAML settings file")
    check.set_defaults(run=_check)


def _server(args: argparse.Namespace) -> int:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", args.host, "--port", str(args.port)]
    if args.database == "sqlite":
        os.execv(sys.executable, cmd)
    import subprocess

    from sohoa import postgres

    try:
        with postgres.running(args.database_dir.expanduser().absolute(), args.database_port) as url:
            server = subprocess.Popen(cmd, env={**os.environ, "PREFECT_SERVER_DATABASE_CONNECTION_URL": url})
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda number, _: server.send_signal(number))
            return server.wait()  # then the cluster stops
    except postgres.PostgresError as e:
        print(f"Lỗi: không khởi động được PostgreSQL cho Prefect\nError: PostgreSQL for Prefect did not start: {e}",
              file=sys.stderr)
        return int(ExitCode.missing_dependency if "install the Debian package" in str(e) else ExitCode.other)


def _serve(args: argparse.Namespace) -> int:
    from flows import deploy

    overrides = {"flows": {"workers": args.workers}} if args.workers is not None else {}
    settings = config.load(args.config, **overrides)
    _config_for_children(args.config)
    _require_api()
    _log_progress()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    folders = ", ".join(f"{c}: {p}" for c, p in settings.intake.folders.items()) or "—"
    print(f"sohoa serve: thư mục theo dõi / watch folders: {folders}", file=sys.stderr)
    print(f"Prefect: {_api_url()}  work pool: {settings.flows.work_pool}  "
          f"workers here: {settings.flows.workers}", file=sys.stderr)
    deploy.serve(settings, stop, log_dir=args.log_dir)
    return int(ExitCode.ok)


def _config_for_children(config_file: Path | None) -> None:
    """--config FILE for the processes started from here too (workers, their flow runs),
    which read their settings from the environment."""
    if config_file is not None:
        os.environ["SOHOA_CONFIG"] = str(config_file.resolve())


def _log_progress() -> None:
    """What the watcher does, one timed line each, on stderr (for a terminal or a log file)."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("sohoa")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _worker(args: argparse.Namespace) -> int:
    from flows import deploy

    settings = config.load(args.config)
    _config_for_children(args.config)
    os.environ.update(deploy.worker_environment())  # before Prefect reads its settings
    _require_api()
    _log_progress()
    deploy.ensure_work_pool(settings.flows.work_pool)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    deploy.run_worker(settings, args.name or os.uname().nodename, args.runs)
    return int(ExitCode.ok)


def _check(args: argparse.Namespace) -> int:
    """Exit 0 when this machine can digitise: used as the containers' health check."""
    from pipeline import ocr

    settings = config.load(args.config)
    problems = []
    try:
        print(f"tesseract {ocr.engine_version()}")
        print(f"model {ocr.model_path(settings.ocr.language, settings.ocr.tessdata_dir)}")
    except Exception as e:  # noqa: BLE001 - reported, not raised
        problems.append(getattr(e, "message", str(e)))
    for tool in ("pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            problems.append(f"{tool} (poppler-utils) is missing")
    if not Path(settings.signing.mark.font).is_file():
        problems.append(f"the mark font {settings.signing.mark.font} is missing (fonts-liberation2)")
    faces = ocr.name_faces()
    if faces:
        print("name faces " + ", ".join(Path(f).stem for f in faces))
    else:  # OCR still works; a surname under a seal is only guessed from its spelling
        print("Cảnh báo / Warning: no bold serif face to match surnames under a seal by shape "
              "(fonts-liberation2, fonts-noto-core, fonts-dejavu-core)", file=sys.stderr)
    check_model = ocr.name_check_model(settings.ocr.tessdata_dir)
    if check_model is not None:
        print(f"name check model {check_model}")
    else:  # OCR still works; a name's mark misread surely is not caught by a second reading
        print("Cảnh báo / Warning: no second model to check the signer's name's marks "
              "(tesseract-ocr-script-viet)", file=sys.stderr)
    if os.environ.get("PREFECT_API_URL"):
        try:
            _require_api()
            print(f"prefect {_api_url()} ok")
        except SystemExit:
            problems.append(f"the Prefect API at {_api_url()} does not answer")
    for p in problems:
        print(f"Lỗi / Error: {p}", file=sys.stderr)
    return int(ExitCode.missing_dependency) if problems else int(ExitCode.ok)


def _api_url() -> str:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or "(ephemeral)"


def _require_api() -> None:
    """A clear sentence when the Prefect server is not there, not a stack of retries."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            problem = client.api_healthcheck()
            if problem is None:
                client.read_work_pools(limit=1)  # /health needs no credentials; this does
    except Exception as e:  # noqa: BLE001
        problem = e
    if problem is not None:
        print(
            f"Lỗi: không kết nối được máy chủ Prefect {_api_url()}: hãy chạy 'sohoa server' "
            f"hoặc đặt PREFECT_API_URL\nError: the Prefect server {_api_url()} does not answer "
            f"({problem}): run 'sohoa server' or set PREFECT_API_URL",
            file=sys.stderr,
        )
        raise SystemExit(int(ExitCode.other))
