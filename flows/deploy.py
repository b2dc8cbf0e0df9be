"""Deployments on a work pool, the OCR concurrency limits, local workers, and ``serve``.

One path for one machine and for many: every flow is deployed to a ``process``
work pool. ``sohoa serve`` registers the deployments, sets the limits, runs the
watcher, and (unless ``flows.workers`` is 0) starts workers on this machine;
``sohoa worker`` on other machines pulls from the same pool. They share only
the Prefect server and the S3 store.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from flows import common
from pipeline.core import settings as config

log = logging.getLogger("sohoa.serve")


def ensure_work_pool(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=name, type=common.WORK_POOL_TYPE))
            log.info("work pool %s created", name)
        except ObjectAlreadyExists:
            pass


def ensure_limits(settings: config.Settings) -> None:
    """Global concurrency limits: OCR slots for all communes, and for each commune."""
    from prefect.client.orchestration import get_client

    total, per = common.ocr_slots(settings)
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(common.OCR_LIMIT, total)
        for code in settings.intake.folders:
            client.upsert_global_concurrency_limit_by_name(common.commune_limit(code), per)


def deploy(settings: config.Settings) -> list[str]:
    """Register (or update) the deployments on the work pool."""
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.types.entrypoint import EntrypointType

    from flows.digitise import digitise_dossier
    from flows.export import export_sips
    from flows.reports import audit_archive, daily_report

    pool = settings.flows.work_pool
    ensure_work_pool(pool)
    options: dict[str, Any] = {
        "work_pool_name": pool, "build": False, "push": False, "print_next_steps": False,
        "entrypoint_type": EntrypointType.MODULE_PATH, "ignore_warnings": True,
    }
    zone = settings.flows.timezone
    ids = []
    with contextlib.redirect_stdout(io.StringIO()):  # Prefect prints a table per deployment
        ids.append(digitise_dossier.deploy(common.DEPLOYMENT, tags=["sohoa"], **options))
        for fl, cron in ((audit_archive, settings.flows.audit_schedule),
                         (daily_report, settings.flows.report_schedule)):
            schedules: list[Any] = [CronSchedule(cron=cron, timezone=zone)] if cron else []
            ids.append(fl.deploy(common.DEPLOYMENT, schedules=schedules, tags=["sohoa"], **options))
        ids.append(export_sips.deploy(common.DEPLOYMENT, tags=["sohoa"], **options))  # run on demand
    log.info("deployments on work pool %s: digitise-dossier, audit, daily-report, export-sip", pool)
    return [str(i) for i in ids]


def worker_command(name: str | None = None) -> list[str]:
    """``sohoa worker`` (``flows.worker``), as a child of this Python (its settings come from
    the environment, SOHOA_CONFIG included)."""
    return [sys.executable, "-m", "sohoa", "worker", *(["--name", name] if name else [])]


def worker_environment() -> dict[str, str]:
    """Workers ask for work twice a second (Prefect's default is every 10 s): a dropped
    dossier starts at once, for one small request to the server each time."""
    env = dict(os.environ)
    env.setdefault("PREFECT_WORKER_QUERY_SECONDS", "0.5")
    env.setdefault("PREFECT_WORKER_PREFETCH_SECONDS", "2")
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def worker_runs(settings: config.Settings) -> int:
    """Flow runs one worker holds at once: twice its OCR processes, so that one dossier's
    PDF/A, signature and upload overlap the next one's OCR."""
    return settings.flows.worker_runs or 2 * (settings.ocr.jobs or os.cpu_count() or 1)


def run_worker(settings: config.Settings, name: str, runs: int | None = None) -> None:
    from flows.worker import serve_worker

    serve_worker(settings.flows.work_pool, name, runs or worker_runs(settings))


class LocalWorkers:
    """``flows.workers`` worker processes on this machine, stopped with ``serve``.

    A worker that exits on its own (its server unreachable past Prefect's patience, a crash
    in a native library) is started again, at most once per ``RESTART_SECONDS`` each: the
    watcher keeps taking dossiers in, and without a worker they would wait for ever.
    ``restart=False`` leaves a lost worker lost (another machine's workers take its runs)."""

    RESTART_SECONDS = 10.0
    CHECK_SECONDS = 1.0

    def __init__(self, pool: str, count: int, log_dir: Path | None = None, restart: bool = True):
        self.pool, self.count, self.log_dir, self.restart = pool, count, log_dir, restart
        self.procs: list[subprocess.Popen] = []
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watch: threading.Thread | None = None

    def __enter__(self) -> LocalWorkers:
        for i in range(self.count):
            self.procs.append(self._start(i))
        if self.restart and self.count:
            self._watch = threading.Thread(target=self._supervise, name="sohoa-workers", daemon=True)
            self._watch.start()
        return self

    def _start(self, i: int) -> subprocess.Popen:
        out: int | IO[bytes] = subprocess.DEVNULL
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = (self.log_dir / f"worker-{i + 1}.log").open("ab")
        try:
            return subprocess.Popen(
                worker_command(f"{os.uname().nodename}-{os.getpid()}-{i + 1}"),
                env={**worker_environment(), "SOHOA_FLOWS__WORK_POOL": self.pool}, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        finally:
            if not isinstance(out, int):
                out.close()  # the child has its own copy

    def _supervise(self) -> None:
        started_at = [0.0] * self.count
        while not self._stopping.wait(self.CHECK_SECONDS):
            for i in range(self.count):
                with self._lock:
                    if self._stopping.is_set() or i >= len(self.procs):
                        return
                    code = self.procs[i].poll()
                    if code is None or time.monotonic() - started_at[i] < self.RESTART_SECONDS:
                        continue
                    log.warning("worker %d (pid %d) exited with code %s: starting it again",
                                i + 1, self.procs[i].pid, code)
                    self.procs[i] = self._start(i)
                    self.restarts += 1
                    started_at[i] = time.monotonic()

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        with self._lock:
            procs = list(self.procs)
        if self._watch:
            self._watch.join(timeout=5)
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def serve(settings: config.Settings, stop: threading.Event, *, log_dir: Path | None = None) -> None:
    """The watcher, the deployments and this machine's workers, until ``stop`` is set."""
    from flows.intake import Intake

    if not settings.intake.folders:
        log.warning("no watch folder configured (intake.folders): only the workers run")
    intake = Intake(settings)
    intake.prepare()
    deploy(settings)
    ensure_limits(settings)
    with LocalWorkers(settings.flows.work_pool, settings.flows.workers, log_dir):
        intake.run(stop)
