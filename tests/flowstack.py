"""A whole sohoa installation for the flow tests: a real Prefect server (the caller's),
real SeaweedFS, the watcher in a thread, and real ``sohoa worker`` processes (Prefect workers).

Every test gets its own buckets, work pool and watch folder; the settings reach the
workers (and their flow runs) through ``SOHOA_*`` variables, as in production.
"""

from __future__ import annotations

import contextvars
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flows import deploy
from flows.intake import Intake
from pipeline import archive
from pipeline.core import settings as config
from tests.conftest import draw_page

COMMUNE = "24958"


@dataclass
class Stack:
    api: str
    watch: Path
    settings: config.Settings
    archive: archive.Store
    intake: Intake
    pool: str
    workers: list[deploy.LocalWorkers] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start_watcher(self) -> None:
        ctx = contextvars.copy_context()  # the test's Prefect settings, in the watcher thread
        self._thread = threading.Thread(target=ctx.run, args=(self.intake.run, self._stop, 0.3), daemon=True)
        self._thread.start()

    def start_workers(self, count: int, log_dir: Path, restart: bool = True) -> deploy.LocalWorkers:
        workers = deploy.LocalWorkers(self.pool, count, log_dir, restart=restart).__enter__()
        self.workers.append(workers)
        return workers

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)
        for w in self.workers:
            w.__exit__(None, None, None)

    def workers_report(self, tail: int = 40) -> str:
        """Each worker process: alive or its exit code, and the end of its log."""
        out = []
        for group in self.workers:
            for i, proc in enumerate(group.procs):
                code = proc.poll()
                out.append(f"worker {i + 1} (pid {proc.pid}): {'running' if code is None else f'exited {code}'}")
                if group.log_dir:
                    lines = (group.log_dir / f"worker-{i + 1}.log").read_text(
                        encoding="utf-8", errors="replace").splitlines()
                    out.extend("  | " + line[:300] for line in lines[-tail:])
        return "\n".join(out)

    def done(self) -> list[Path]:
        return sorted((self.watch / "done").iterdir())

    def failed(self) -> list[Path]:
        return sorted((self.watch / "failed").iterdir())

    def processing(self) -> list[Path]:
        return sorted((self.watch / "processing").iterdir())

    def receipt(self, folder: Path) -> dict:
        return json.loads((folder / "receipt.json").read_text(encoding="utf-8"))


def environment(seaweed, api: str, watch: Path, **extra: str) -> dict[str, str]:
    bucket = seaweed.bucket(object_lock=True).bucket
    env = {
        "PREFECT_API_URL": api,
        "SOHOA_STORAGE__ENDPOINT": seaweed.creds.endpoint,
        "SOHOA_STORAGE__REGION": seaweed.creds.region,
        "SOHOA_STORAGE__ACCESS_KEY": seaweed.creds.access_key,
        "SOHOA_STORAGE__SECRET_KEY": seaweed.creds.secret_key,
        "SOHOA_STORAGE__BUCKET": bucket,
        "SOHOA_STORAGE__RETRIES": "2",
        "SOHOA_INTAKE__BUCKET": f"in-{uuid.uuid4().hex[:10]}",
        "SOHOA_INTAKE__FOLDERS": json.dumps({COMMUNE: str(watch)}),
        "SOHOA_INTAKE__STATE_DIR": str(watch.parent / "intake-state"),
        "SOHOA_INTAKE__STABLE_SECONDS": "1",
        "SOHOA_INTAKE__RESCAN_SECONDS": "1",
        "SOHOA_FLOWS__WORK_POOL": f"pool-{uuid.uuid4().hex[:8]}",
        "SOHOA_FLOWS__RETRIES": "1",
        "SOHOA_FLOWS__RETRY_DELAY_SECONDS": "1",
        "SOHOA_FLOWS__AUDIT_SCHEDULE": "",
        "SOHOA_FLOWS__REPORT_SCHEDULE": "",
        "SOHOA_OCR__JOBS": "1",
        "PREFECT_LOGGING_TO_API_BATCH_INTERVAL": "0.5",
    }
    other = extra.pop("SOHOA_INTAKE__EXTRA_FOLDER", None)
    if other:  # a second commune, its watch folder beside the first
        env["SOHOA_INTAKE__FOLDERS"] = json.dumps({COMMUNE: str(watch), other: str(watch.parent / f"watch-{other}")})
    env.update(extra)
    return env


def make_stack(seaweed, api: str, tmp: Path, monkeypatch, **extra: str) -> Stack:
    watch = tmp / "watch"
    for name, value in environment(seaweed, api, watch, **extra).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    settings = config.load()
    intake = Intake(settings)
    intake.prepare()
    deploy.deploy(settings)
    deploy.ensure_limits(settings)
    return Stack(api, watch, settings, archive.Store(archive.connection(settings.storage)), intake,
                 settings.flows.work_pool)


def write_dossier(parent: Path, name: str, pages: int, dpi: int = 200) -> Path:
    """A folder of JPEG pages, each a little different; written beside, then moved in at once."""
    staging = parent.parent / f".{name}.writing"
    staging.mkdir(parents=True)
    for i in range(1, pages + 1):
        lines = [
            "ỦY BAN NHÂN DÂN XÃ BÁT TRÀNG",
            f"Số: {100 + i}/QĐ-UBND",
            f"Bát Tràng, ngày {i} tháng 9 năm 2025",
            f"Về việc số hóa hồ sơ {name} trang {i}",
        ]
        draw_page(dpi, lines).save(staging / f"trang-{i}.jpg", quality=90, dpi=(dpi, dpi))
    target = parent / name
    os.rename(staging, target)
    return target


def wait_for(what: str, check: Callable[[], object], timeout: float, every: float = 0.5,
             explain: Callable[[], str] | None = None):
    """``check()`` until it is truthy; on timeout, fail with ``explain()`` (what the stack was
    doing) so that a failure far away (CI) can be read without running it again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(every)
    detail = ""
    if explain is not None:
        try:
            detail = "\n" + explain()
        except Exception as e:  # noqa: BLE001 - the timeout is the failure; this only explains it
            detail = f"\n(could not explain: {e!r})"
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process and everything under it (a machine lost, as far as its runs go)."""
    victims = [pid, *_descendants(pid)]
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return victims


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out
