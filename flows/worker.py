"""``sohoa worker``: a Prefect worker whose flow runs share one long-lived process.

Prefect's ``process`` worker starts a new Python for every flow run: Prefect, OpenCV,
pikepdf and pyHanko imported again, the OCR processes started again. That is about five
seconds, more than the OCR of a two-page dossier. This worker is a Prefect worker all the
same (a subclass of the process worker, on the same ``process`` work pool): it polls the
pool, claims each run by proposing *Pending* (so two workers never take the same run),
keeps the pool's and its own limits and shows in the UI. It only runs each flow run in a
thread of its own process, with the code loaded and the page processes warm
(``pipeline.process.ocr_pool``, shared by the runs).

A flow run can be cancelled from the UI: the worker sees the run *Cancelling* and the run
stops at its next page (``common.cancel_requested``). A run is never lost with its worker:
the watcher restarts a run whose heartbeat stops (``flows.intake``). Prefect's own process
worker still serves the same pool (``prefect worker start --pool sohoa --type process``),
one interpreter per run, where that isolation is wanted.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import TYPE_CHECKING, Any
from uuid import UUID

import anyio
import anyio.to_thread
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker, ProcessWorkerResult

from flows import common

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun
    from prefect.flows import Flow

log = logging.getLogger("sohoa.worker")

CANCEL_CHECK_SECONDS = 2.0


def flows_by_name() -> dict[str, Flow]:
    """The flows a worker runs: every flow sohoa deploys."""
    from flows.digitise import digitise_dossier
    from flows.export import export_sips
    from flows.reports import audit_archive, daily_report

    return {f.name: f for f in (digitise_dossier, audit_archive, daily_report, export_sips)}


class WarmWorker(ProcessWorker):
    """Runs each flow run in a thread of this process (see the module's text)."""

    @classmethod
    def __dispatch_key__(cls) -> str:
        return "sohoa-warm"  # its own name among worker classes; it serves ``process`` pools

    _description = "sohoa: flow runs in threads of one long-lived process, code and OCR processes kept warm."
    _display_name = "sohoa (warm process)"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._flows = flows_by_name()
        self._flow_names: dict[UUID, str] = {}
        self._running: set[str] = set()
        self._not_started: set[str] = set()
        self._lock = threading.Lock()

    async def run(
        self,
        flow_run: FlowRun,
        configuration: ProcessJobConfiguration,
        task_status: anyio.abc.TaskStatus[int] | None = None,
    ) -> ProcessWorkerResult:
        flow = await self._flow_of(flow_run)
        identifier = self._identifier(flow_run)
        run_id = str(flow_run.id)
        with self._lock:
            self._not_started.add(run_id)
        if task_status is not None:
            task_status.started(identifier)  # type: ignore[arg-type]  # any identifier the worker understands
        code = await anyio.to_thread.run_sync(self._execute, flow, flow_run, limiter=_THREADS)
        return ProcessWorkerResult(status_code=code, identifier=identifier)

    def _execute(self, flow: Flow, flow_run: FlowRun) -> int:
        from prefect.flow_engine import run_flow

        run_id = str(flow_run.id)
        with self._lock:
            if run_id not in self._not_started:  # cancelled while waiting for a thread
                return 0
            self._not_started.discard(run_id)
            self._running.add(run_id)
        try:
            run_flow(flow, flow_run=flow_run, return_type="state")  # the engine proposes Running
            return 0
        except BaseException:  # noqa: BLE001 - the engine could not finish the run: it is crashed
            log.exception("flow run %s ended abnormally", run_id)
            return 1
        finally:
            with self._lock:
                self._running.discard(run_id)
            common.forget_cancel(run_id)

    async def _flow_of(self, flow_run: FlowRun) -> Flow:
        name = self._flow_names.get(flow_run.flow_id)
        if name is None:
            name = (await self.client.read_flow(flow_run.flow_id)).name
            self._flow_names[flow_run.flow_id] = name
        flow = self._flows.get(name)
        if flow is None:
            raise RuntimeError(f"this worker runs sohoa's flows only, not {name!r}")
        return flow

    @staticmethod
    def _identifier(flow_run: FlowRun) -> str:
        return f"{socket.gethostname()}:{os.getpid()}:{flow_run.id}"

    async def kill_infrastructure(self, infrastructure_pid: str, configuration: Any, grace_seconds: int = 30) -> None:
        """Cancel a run this worker took but has not started: it is dropped, not killed
        (the process is every run's)."""
        run_id = infrastructure_pid.rsplit(":", 1)[-1]
        with self._lock:
            self._not_started.discard(run_id)

    async def _watch_cancellations(self) -> None:
        """Runs the operator cancelled in the UI (state *Cancelling*): each is told to stop."""
        from prefect.client.schemas.filters import (
            FlowRunFilter,
            FlowRunFilterId,
            FlowRunFilterState,
            FlowRunFilterStateName,
        )

        while True:
            await anyio.sleep(CANCEL_CHECK_SECONDS)
            with self._lock:
                running = [UUID(r) for r in self._running]
            if not running:
                continue
            try:
                runs = await self.client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    id=FlowRunFilterId(any_=running),
                    state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Cancelling"])),
                ))
            except Exception:  # noqa: BLE001 - looked at again on the next round
                log.debug("could not read the running flow runs", exc_info=True)
                continue
            for run in runs:
                common.request_cancel(str(run.id))

    async def __aenter__(self):
        worker = await super().__aenter__()
        watch = anyio.create_task_group()
        await self._exit_stack.enter_async_context(watch)
        self._exit_stack.callback(watch.cancel_scope.cancel)  # runs first on the way out
        watch.start_soon(self._watch_cancellations)
        return worker


# Threads for flow runs: many may wait on OCR slots at once; each costs little while waiting.
_THREADS = anyio.CapacityLimiter(64)


class _ThreadTimeoutNotice(logging.Filter):
    """Prefect warns, at every step of every run, that a step's deadline in a thread acts only
    between blocking calls. Here each blocking call has a deadline of its own (Tesseract,
    pdftoppm, S3, the timestamp server), so the notice says nothing an operator can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "running in a worker thread" not in str(record.msg)


def serve_worker(pool: str, name: str | None, limit: int) -> None:
    """Run a warm worker on ``pool`` until SIGTERM/SIGINT."""
    from prefect.settings import PREFECT_WORKER_QUERY_SECONDS

    logging.getLogger("prefect.task_runs").addFilter(_ThreadTimeoutNotice())

    async def main() -> None:
        worker = WarmWorker(work_pool_name=pool, name=name, limit=limit, create_pool_if_not_found=False)
        log.info("worker %s on pool %s: %d flow runs at once, polling every %s s",
                 worker.name, pool, limit, PREFECT_WORKER_QUERY_SECONDS.value())
        await worker.start()

    anyio.run(main)
