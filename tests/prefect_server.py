"""Real Prefect API servers for the integration tests, as plain context managers.

``postgres_cluster`` makes a throwaway PostgreSQL cluster; ``prefect_server`` runs
``prefect server start`` against it (or against SQLite) on a free 127.0.0.1 port::

    with postgres_cluster(tmp) as database_url, prefect_server(tmp, database_url) as api_url:
        ...  # point a client at api_url with temporary_settings / monkeypatch

Nothing here touches ``PREFECT_API_URL`` of the calling process.
"""

from __future__ import annotations

import inspect
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER_START_TIMEOUT = 180.0  # the first start creates and migrates the whole schema

# Running servers: API URL -> database URL (None: SQLite), so a test holding only the API
# URL (a fixture's value) can still look into the database behind it.
_databases: dict[str, str | None] = {}


def database_url_of(api_url: str) -> str | None:
    """The database URL of a server started by ``prefect_server`` (None for SQLite)."""
    return _databases[api_url]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_cluster(tmp_path: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster (``sohoa.postgres``: 127.0.0.1, a free port, no fsync)
    with a database ``prefect``; yields its SQLAlchemy URL for asyncpg. Stopped and removed
    on exit."""
    from sohoa import postgres

    # As root the cluster runs as `postgres`, who cannot pass pytest's 0700 temporary root.
    root = Path(tempfile.mkdtemp(prefix="sohoa-pg-")) if os.geteuid() == 0 else tmp_path / "postgres"
    try:
        with postgres.running(root, free_port(), durable=False) as url:
            yield url
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop_group(process: subprocess.Popen) -> None:
    # `prefect server start` runs uvicorn and the background services in child processes:
    # the whole group goes, not only the CLI.
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def _drain_prefect_workers() -> None:
    # Prefect sends logs and events of flows run in this process from background workers,
    # one per API URL, drained only at interpreter exit: by then the server is gone and
    # each prints "Error logging to API". Send them while it still answers.
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:
        for worker in (APILogWorker, EventsWorker):
            result = worker.drain_all(timeout=10)
            if inspect.isawaitable(result):
                await result

    run_coro_as_sync(drain())


@contextmanager
def prefect_server(
    tmp_path: Path, database_url: str | None = None, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """``prefect server start`` on a free 127.0.0.1 port, Prefect's home in ``tmp_path``;
    on ``database_url`` if given, else on SQLite in that home; with these ``settings``
    (PREFECT_* variables) on top. Yields the API URL."""
    home, log = tmp_path / "prefect-home", tmp_path / "prefect-server.log"
    home.mkdir(parents=True)
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    # Inherited PREFECT_* settings (a developer's API URL or database, or the old alias
    # names next to the new ones) must not leak in: this server is defined only here.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",  # the UI build is copied at start: slower, unused
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
    }
    if database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = database_url
    env |= settings or {}
    prefect = Path(sys.prefix) / "bin" / "prefect"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to stop everything it starts
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(api_url):
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited ({process.returncode}) while starting:\n{_log_tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"prefect server not healthy after {SERVER_START_TIMEOUT:.0f} s:\n{_log_tail(log)}")
            time.sleep(0.2)
        _databases[api_url] = database_url
        yield api_url
    finally:
        _databases.pop(api_url, None)
        try:
            if process.poll() is None:
                _drain_prefect_workers()
        finally:
            _stop_group(process)
