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
import pwd
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

# CI installs Debian's `postgresql` package; its binaries are not on PATH, and a
# /usr/local/bin/postgres elsewhere may be another build, so only this tree is used.
DEBIAN_POSTGRES = Path("/usr/lib/postgresql")
SERVER_START_TIMEOUT = 180.0  # the first start creates and migrates the whole schema
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; PostgreSQL adds "/.s.PGSQL.NNNNN"

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


def _postgres_bin() -> Path:
    found = sorted(
        (p.parent for p in DEBIAN_POSTGRES.glob("*/bin/initdb") if p.parents[1].name.isdigit()),
        key=lambda b: int(b.parent.name),
    )
    if not found:
        raise RuntimeError(
            f"no PostgreSQL server under {DEBIAN_POSTGRES}/*/bin: install the Debian package "
            "`postgresql` (scripts/install-system-packages.sh)"
        )
    return found[-1]


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def postgres_cluster(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL cluster of its own (trust auth, 127.0.0.1, a free port) with a database
    ``prefect``; yields its SQLAlchemy URL for asyncpg. Stopped on exit."""
    bindir = _postgres_bin()
    as_root = os.geteuid() == 0
    if as_root:
        # initdb and postgres refuse to run as root, so they run as the package's `postgres`
        # user; pytest's temporary root is 0700 to root, hence a folder of its own in /tmp.
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root, but there is no `postgres` user to run PostgreSQL as") from None
        root = Path(tempfile.mkdtemp(prefix="sohoa-pg-"))
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    else:
        root = tmp_path / "postgres"
        root.mkdir(parents=True)
        run_as = []
    # The socket goes in the cluster's folder, not the shared /var/run/postgresql; a unix
    # socket path has a hard length limit, so a deep temporary folder gets a short one.
    sockets = root if len(str(root)) <= SOCKET_PATH_MAX - 16 else Path(tempfile.mkdtemp(prefix="pg-"))
    if sockets != root and as_root:
        os.chown(sockets, owner.pw_uid, owner.pw_gid)
    data, log, port, user = root / "data", root / "postgres.log", free_port(), "postgres"

    def run(*cmd: str) -> None:
        done = subprocess.run([*run_as, *cmd], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(cmd[0]).name} failed ({done.returncode}):\n{done.stderr}\n{_log_tail(log)}")

    started = False
    try:
        # Superuser named explicitly, so the URL does not depend on who runs the tests.
        run(str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-locale")
        with open(data / "postgresql.conf", "a") as conf:
            # A database that is thrown away needs no durability: much faster migrations.
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{sockets}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        started = True  # from here on: a `pg_ctl start` that times out may leave postgres running
        run(str(bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-t", "60")
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "prefect")
        yield f"postgresql+asyncpg://{user}@127.0.0.1:{port}/prefect"
    finally:
        if started:
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate"],
                capture_output=True, timeout=60,
            )
        if as_root:
            shutil.rmtree(root, ignore_errors=True)
        if sockets != root:
            shutil.rmtree(sockets, ignore_errors=True)


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
