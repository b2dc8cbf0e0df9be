"""A PostgreSQL cluster of sohoa's own for the Prefect server (``sohoa server --database
postgres``), from Debian's ``postgresql`` package, on 127.0.0.1 only.

Prefect on SQLite answers concurrent writes with "busy" (HTTP 503), and its client waits two
seconds before asking again: with several dossiers in flight every OCR slot asked for can
cost those two seconds. PostgreSQL takes the writes side by side.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Debian's binaries are not on PATH; a postgres elsewhere may be another build.
DEBIAN_POSTGRES = Path("/usr/lib/postgresql")
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; PostgreSQL adds "/.s.PGSQL.NNNNN"
USER = "postgres"  # the cluster's superuser, named so the URL does not depend on who runs it
DATABASE = "prefect"


class PostgresError(RuntimeError):
    """The cluster could not be made or started; the message says why, with its log."""


def bin_dir() -> Path:
    found = sorted(
        (p.parent for p in DEBIAN_POSTGRES.glob("*/bin/initdb") if p.parents[1].name.isdigit()),
        key=lambda b: int(b.parent.name),
    )
    if not found:
        raise PostgresError(
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
def running(root: Path, port: int, *, durable: bool = True) -> Iterator[str]:
    """The cluster in ``root`` (made on first use, kept after), started on 127.0.0.1:``port``
    with a database ``prefect``; yields its SQLAlchemy URL (asyncpg, with the password kept
    in ``root/password``, never to be logged) and stops it on exit.
    ``durable=False``: a cluster to throw away (no fsync: much faster schema migrations).
    As root it runs as the package's ``postgres`` user (PostgreSQL refuses root), so
    ``root`` is made theirs and every folder above it must let them through."""
    bindir = bin_dir()
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(USER)
        except KeyError:
            raise PostgresError(f"running as root, but there is no `{USER}` user to run PostgreSQL as") from None
        run_as = ["runuser", "-u", USER, "--"]
    root.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        closed = [p for p in root.parents if not os.stat(p).st_mode & 0o001]
        if closed:
            raise PostgresError(f"{closed[0]} does not let the `{USER}` user through (mode o+x): choose a "
                                "folder for the cluster it can reach, or run as another user than root")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    # The socket goes in the cluster's folder, not the shared /var/run/postgresql; a unix
    # socket path has a hard length limit, so a deep folder gets a short one of its own.
    sockets = root if len(str(root)) <= SOCKET_PATH_MAX - 16 else Path(tempfile.mkdtemp(prefix="pg-"))
    if sockets != root and owner is not None:
        os.chown(sockets, owner.pw_uid, owner.pw_gid)
    data, log, secret = root / "data", root / "postgres.log", root / "password"
    if not (data / "PG_VERSION").is_file() or not secret.is_file():
        # Password login even on 127.0.0.1: another local account reaches no Prefect state.
        secret.unlink(missing_ok=True)
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(24))
        if owner is not None:
            os.chown(secret, owner.pw_uid, owner.pw_gid)
    password = secret.read_text().strip()

    def run(*cmd: str, ok_if: str | None = None) -> None:
        done = subprocess.run([*run_as, *cmd], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PGPASSWORD": password})
        if done.returncode != 0 and not (ok_if and ok_if in done.stderr):
            raise PostgresError(f"{Path(cmd[0]).name} failed ({done.returncode}):\n{done.stderr}\n{_log_tail(log)}")

    if not (data / "PG_VERSION").is_file():
        run(str(bindir / "initdb"), "-D", str(data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={secret}",
            "-E", "UTF8", "--no-locale")
        with open(data / "postgresql.conf", "a") as conf:
            conf.write("listen_addresses = '127.0.0.1'\n")
            if not durable:
                conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    started = False
    try:
        started = True  # from here on: a `pg_ctl start` that times out may leave postgres running
        run(str(bindir / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-t", "60",
            "-o", f"-p {port} -k {sockets}")
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE,
            ok_if="already exists")
        yield f"postgresql+asyncpg://{USER}:{password}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            subprocess.run([*run_as, str(bindir / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"],
                           capture_output=True, timeout=60)
        if sockets != root:
            shutil.rmtree(sockets, ignore_errors=True)
