"""The watcher: takes complete dossiers from the communes' watch folders, starts a
``digitise-dossier`` run for each, and moves each to ``done/`` or ``failed/`` when its
run ends.

It is a long-lived service (inside ``sohoa serve``), not a flow run: it starts the
runs and follows them. Its loop, ``Intake.tick()``, is safe to stop at any point
and to run on a restarted machine: what is in ``processing/`` says where each
dossier is (its ``claim.json`` names its run), and the staging bucket holds the
rest. Two watchers on one folder never take the same dossier (the claim is one
atomic rename).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast
from uuid import UUID

from flows import common
from pipeline.core import settings as config
from pipeline.intake import Claim, StabilityTracker, WatchFolder, clerk, dossier_files, needs_polling, staging
from pipeline.intake import lease as lease_mod

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

log = logging.getLogger("sohoa.intake")

MAX_RUNS = 3  # runs started for one dossier (the first and two restarts after a crash)
STARTUP_GRACE_SECONDS = 60  # at least this long for a run's process to start and first beat


@dataclass
class Tally:
    """What one tick did (for the log and the tests)."""

    taken: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    restarted: list[str] = field(default_factory=list)


class Intake:
    def __init__(
        self,
        settings: config.Settings,
        *,
        deployment: str = f"{common.DIGITISE}/{common.DEPLOYMENT}",
        clock=time.monotonic,
    ):
        self.settings = settings
        self.deployment = deployment
        state = Path(settings.intake.state_dir).expanduser()
        self.folders = [WatchFolder(Path(p).expanduser(), code, state) for code, p in settings.intake.folders.items()]
        # One tracker per folder: a tracker forgets what is not in the inbox it is shown.
        self.trackers = {f.root: StabilityTracker(settings.intake.stable_seconds, clock) for f in self.folders}
        self.staging = common.intake_store(settings)
        self.archive = common.archive_store(settings)
        self._last_full_scan = float("-inf")
        self._clock = clock
        self._touched: dict[Path, float] = {}  # item → its last file event, on self._clock
        self._lock = threading.Lock()

    # -- the loop ----------------------------------------------------------------------------
    def prepare(self) -> None:
        for folder in self.folders:
            folder.ensure()
        self.staging.ensure_bucket(object_lock=False, versioning=False)

    def run(self, stop: threading.Event, tick_seconds: float = 0.5) -> None:
        """Watch until ``stop`` is set: file events where they work, polling elsewhere. A
        tick follows the runs every ``tick_seconds``, and comes early when a dossier's quiet
        period ends, so that it is taken then, not up to a tick later."""
        self.prepare()
        for folder in self.folders:
            poll = needs_polling(folder.root, self.settings.intake.polling)
            log.info("theo dõi / watching %s (xã %s, %s)", folder.root, folder.commune,
                     "polling" if poll else "inotify")
            threading.Thread(target=self._events, args=(folder, poll, stop), daemon=True,
                             name=f"sohoa-watch-{folder.commune}").start()
        while not stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("lỗi vòng theo dõi / watcher tick failed")
            stop.wait(self._until_next_tick(tick_seconds))

    def _until_next_tick(self, tick_seconds: float) -> float:
        due = [d for d in (t.next_due() for t in self.trackers.values()) if d is not None]
        with self._lock:
            due += [at + self.settings.intake.stable_seconds for at in self._touched.values()]
        if not due:
            return tick_seconds
        return min(tick_seconds, max(0.02, min(due) - self._clock() + 0.01))

    def _events(self, folder: WatchFolder, poll: bool, stop: threading.Event) -> None:
        import watchfiles

        for changes in watchfiles.watch(
            folder.root, force_polling=poll, poll_delay_ms=1000, stop_event=stop,
            raise_interrupt=False, debounce=200, step=50,
        ):
            now = self._clock()
            with self._lock:
                for _, path in changes:
                    item = folder.item_of(Path(path))
                    if item is not None:
                        self._touched[item] = now

    def tick(self) -> Tally:
        """One pass: take what is complete, follow what is in progress. A folder or a dossier
        that fails is logged and left for the next pass; the others go on."""
        tally = Tally()
        full = self._clock() - self._last_full_scan >= self.settings.intake.rescan_seconds
        with self._lock:
            touched, self._touched = self._touched, {}
        for folder in self.folders:
            try:
                self._tick_folder(folder, touched, full, tally)
            except Exception:
                log.exception("lỗi ở thư mục / watch folder failed: %s (xã %s)", folder.root, folder.commune)
        if full:
            self._last_full_scan = self._clock()
        return tally

    def _tick_folder(self, folder: WatchFolder, touched: dict[Path, float], full: bool, tally: Tally) -> None:
        inbox = folder.inbox()
        tracker = self.trackers[folder.root]
        for item in inbox:  # an event anywhere in a batch touches each of its dossiers
            at = max(touched.get(item, float("-inf")), touched.get(item.parent, float("-inf")))
            if at > float("-inf"):
                tracker.touched(item, at)
        for item in tracker.ready(inbox):
            try:
                claim = folder.claim(item)
            except Exception:
                log.exception("không nhận được / could not take %s", item)
                continue
            finally:
                tracker.forget(item)
            if claim is not None:
                log.info("đã nhận / taken: %s → %s", item.name, claim.claim_id)
                tally.taken.append(claim.name)
        claims = folder.claims()
        try:
            runs = self._read_runs([c.flow_run_id for c in claims if c.flow_run_id])
        except Exception:
            log.exception("không đọc được các lần chạy / could not read the runs: xã %s", folder.commune)
            return
        for claim in claims:
            try:
                self._follow(folder, claim, tally, runs)
            except Exception:
                log.exception("lỗi khi theo dõi / following %s failed", claim.claim_id)
        if full:
            self._publish_queue(folder, len(inbox))
            try:
                self._follow_retries(folder, tally)
            except Exception:
                log.exception("lỗi khi theo dõi chạy lại / following retries failed: xã %s", folder.commune)

    # -- one dossier ---------------------------------------------------------------------------
    @staticmethod
    def _read_runs(ids: list[str]) -> dict[str, FlowRun]:
        """The runs of the claims in progress, in one request (not one per claim)."""
        if not ids:
            return {}
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(i) for i in ids])), limit=len(ids))
        return {str(r.id): r for r in runs}

    def _follow(self, folder: WatchFolder, claim: Claim, tally: Tally, runs: dict[str, FlowRun]) -> None:
        where = staging.prefix(claim.commune, claim.claim_id)
        if claim.refused is not None:  # not a dossier that can be read at all: no run
            self._failed(folder, claim, tally, *claim.refused)
            return
        if claim.flow_run_id is None:
            seen = staging.get_json(self.staging, staging.seen_key(claim.digest))
            if seen is not None and self._still_archived(seen) is True:
                receipt = {**seen, "duplicate": True, "claimId": claim.claim_id,
                           "note": "đã lưu trữ trước đó / already archived"}
                self._done(folder, claim, receipt, tally, duplicate=True)
                return
            if self._same_in_flight(claim):
                return  # the same dossier is being digitised now: wait for its receipt
            staging.upload(self.staging, where, dossier_files(folder.dossier_path(claim)))
            self._start(folder, claim, tally)
            return

        from prefect.client.schemas.objects import StateType

        run = runs.get(claim.flow_run_id)  # None: Prefect does not know it (any more)
        state = run.state if run else None
        kind = state.type if state else None
        if kind == StateType.COMPLETED:
            stored = staging.get_json(self.staging, where + "receipt.json")
            verified = None if stored is None else self._still_archived(stored)
            if verified is None and stored is not None:
                return  # the archive cannot be reached now: look again on the next tick
            if stored is None or not verified:
                self._failed(folder, claim, tally, *_UNVERIFIED)
                return
            self._done(folder, claim, stored, tally)
        elif kind in (StateType.FAILED, StateType.CANCELLED):
            failure = staging.get_json(self.staging, where + "failure.json") or {}
            if kind == StateType.CANCELLED:
                vi, en = "người vận hành đã hủy lần chạy", "the operator cancelled the run"
                self._failed(folder, claim, tally, vi, en, f"Prefect: {run.name} ({run.id})" if run else "Prefect")
            else:
                message = state.message if state else None
                vi = failure.get("reasonVi") or (
                    "lỗi của hệ thống, không phải do hồ sơ; không cần sửa hồ sơ, người vận hành sẽ xem")
                en = failure.get("reasonEn") or f"the run failed: {message}"
                retryable = not failure.get("badInput")  # a system error: Retry in the UI may pass
                self._failed(folder, claim, tally, vi, en, f"Prefect: {run.name} ({run.id})" if run else "Prefect",
                             retryable=retryable)
        elif run is None or kind == StateType.CRASHED:
            self._restart(folder, claim, tally, "crashed" if run else "run not found")
        elif kind in (StateType.RUNNING, StateType.PENDING, StateType.CANCELLING):
            if self._lease_lost(where, run):
                self._mark_crashed(claim.flow_run_id)
                self._restart(folder, claim, tally, "no heartbeat")
        # SCHEDULED, PAUSED: waiting for a worker.

    def _start(self, folder: WatchFolder, claim: Claim, tally: Tally) -> None:
        from prefect.deployments import run_deployment

        run = cast("FlowRun", run_deployment(  # called from sync code: the run itself
            self.deployment,
            parameters={"commune": claim.commune, "dossier": _short(claim.name), "claim_id": claim.claim_id},
            flow_run_name=common.run_name(claim.commune, _short(claim.name)),
            tags=[f"xa-{claim.commune}", "sohoa"],
            timeout=0,
            as_subflow=False,
            idempotency_key=f"{claim.commune}/{claim.claim_id}/{len(claim.runs)}",
        ))
        claim.flow_run_id = str(run.id)
        claim.runs.append(str(run.id))
        folder.save(claim)
        log.info("bắt đầu / started %s: %s", run.name, run.id)
        tally.started.append(claim.name)

    def _restart(self, folder: WatchFolder, claim: Claim, tally: Tally, why: str) -> None:
        if len(claim.runs) >= MAX_RUNS:
            self._failed(
                folder, claim, tally,
                f"lần chạy dừng bất thường {len(claim.runs)} lần ({why})",
                f"the run stopped abnormally {len(claim.runs)} times ({why})",
                "Runs: " + ", ".join(claim.runs),
            )
            return
        log.warning("chạy lại / restarting %s (%s)", claim.claim_id, why)
        self._start(folder, claim, tally)
        tally.restarted.append(claim.name)

    def _lease_lost(self, where: str, run) -> bool:
        """No heartbeat from the run for a lease. A run that has not beaten yet (its process is
        still starting, slower on a loaded machine) gets a longer grace from its last state."""
        lease = dt.timedelta(seconds=self.settings.intake.lease_seconds)
        beat_run, beat_at = staging.last_beat(self.staging, where)
        # On the watcher's own clock, never the worker's or the server's (lease.Silence).
        if beat_at is not None and beat_run == str(run.id):
            return lease_mod.WATCHER.seconds(str(run.id), beat_at.isoformat()) > lease.total_seconds()
        grace = max(3 * lease, dt.timedelta(seconds=STARTUP_GRACE_SECONDS))
        return lease_mod.WATCHER.seconds(str(run.id), None) > grace.total_seconds()

    def _mark_crashed(self, run_id: str) -> None:
        from prefect.client.orchestration import get_client
        from prefect.states import Crashed

        with get_client(sync_client=True) as client:
            client.set_flow_run_state(
                run_id, Crashed(message="no heartbeat within the lease: restarted by the watcher"),
                force=True,
            )

    def _same_in_flight(self, claim: Claim) -> bool:
        for folder in self.folders:
            for other in folder.claims():
                if other.digest == claim.digest and other.claim_id != claim.claim_id and other.flow_run_id:
                    return True
        return False

    def _still_archived(self, receipt: dict) -> bool | None:
        """The commit point is in the archive with the checksum the receipt gives.
        None: the archive cannot be reached now."""
        try:
            got = self.archive.sha256(receipt["record"], receipt.get("recordVersionId"))
        except Exception:  # noqa: BLE001 - unreachable now: not verified, try again later
            return None
        return got is not None and got[0] == receipt.get("recordSha256")

    # -- the end of a dossier ------------------------------------------------------------------
    def _follow_retries(self, folder: WatchFolder, tally: Tally) -> None:
        """Dossiers in ``failed/`` after a system error: one whose run the operator retried and
        that is now archived moves to ``done/``; one dragged back, or kept past
        ``intake.retry_hours``, loses its staged copy."""
        keep, drop = folder.failed_claims()
        window = self.settings.intake.retry_hours * 3600
        for claim, age in keep:
            if age > window:
                drop.append(claim.claim_id)
        for claim_id in drop:
            staging.clear(self.staging, staging.prefix(folder.commune, claim_id))
            folder.forget_failed(claim_id)
        waiting = [c for c, age in keep if age <= window]
        if not waiting:
            return
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
        from prefect.client.schemas.objects import StateType

        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[UUID(c.flow_run_id) for c in waiting if c.flow_run_id])))
        completed = {str(r.id) for r in runs if r.state and r.state.type == StateType.COMPLETED}
        for claim in waiting:
            if claim.flow_run_id not in completed:
                continue
            where = staging.prefix(claim.commune, claim.claim_id)
            stored = staging.get_json(self.staging, where + "receipt.json")
            if stored is not None and self._still_archived(stored):
                log.info("chạy lại thành công / retried and archived: %s", claim.claim_id)
                self._done(folder, claim, stored, tally, from_failed=True)

    def _done(self, folder: WatchFolder, claim: Claim, receipt: dict, tally: Tally, duplicate=False,
              from_failed=False) -> None:
        receipt = {**receipt, "dossier": claim.name, "digest": claim.digest, "verifiedAt": staging.now().isoformat()}
        if not duplicate:
            staging.put_json(self.staging, staging.seen_key(claim.digest), receipt)
        receipt = {**receipt, "claimId": claim.claim_id, "runs": claim.runs, "notes": claim.notes}
        self._outcome(claim, "duplicate" if duplicate else "done", receipt)
        run_name = common.run_name(claim.commune, _short(claim.name))
        dest = folder.finish_done(claim, receipt, clerk.result_text(claim, receipt, run_name), from_failed=from_failed)
        staging.clear(self.staging, staging.prefix(claim.commune, claim.claim_id))
        log.info("xong / done: %s → %s (s3://%s/%s)", claim.name, dest, receipt.get("bucket"), receipt.get("key"))
        (tally.duplicates if duplicate else tally.done).append(claim.name)

    def _failed(self, folder: WatchFolder, claim: Claim, tally: Tally, vi: str, en: str, detail: str = "",
                *, retryable: bool = False) -> None:
        """To ``failed/``. After a system error the staged copy is kept for ``intake.retry_hours``,
        so that Retry in the Prefect UI can run it again (then it moves on to ``done/``)."""
        self._outcome(claim, "failed", {"reasonVi": vi, "reasonEn": en})
        dest = folder.finish_failed(claim, vi, en, detail)
        if retryable and dest.name == claim.claim_id and claim.flow_run_id:
            folder.remember_failed(claim)
        else:
            staging.clear(self.staging, staging.prefix(claim.commune, claim.claim_id))
        log.warning("không thành công / failed: %s → %s: %s", claim.name, dest, en)
        tally.failed.append(claim.name)

    def _outcome(self, claim: Claim, status: str, extra: dict) -> None:
        today = dt.datetime.now(_zone(self.settings)).date()
        data = {
            "status": status, "commune": claim.commune, "claimId": claim.claim_id, "dossier": claim.name,
            "pages": extra.get("pages"), "documents": len(extra.get("documents") or []) or None,
            "seconds": extra.get("seconds"), "ocrSeconds": extra.get("ocrSeconds"),
            "reasonEn": extra.get("reasonEn"), "at": staging.now().isoformat(),
        }
        try:
            staging.put_json(self.staging, staging.outcome_key(today, claim.commune, claim.claim_id), data)
        except Exception:
            log.exception("outcome not recorded")

    def _publish_queue(self, folder: WatchFolder, waiting: int) -> None:
        try:
            staging.put_json(self.staging, staging.queue_key(folder.commune), {
                "commune": folder.commune, "waiting": waiting, "processing": len(folder.claims()),
                "at": staging.now().isoformat(),
            })
        except Exception:
            log.exception("queue not published")


_UNVERIFIED = (
    "lần chạy báo xong nhưng không kiểm chứng được bản lưu trong kho",
    "the run reported success but its archive copy could not be verified",
)


def _short(name: str) -> str:
    """A dossier's name for run names and artifact keys: without its file extension."""
    stem = Path(name).stem if Path(name).suffix.lower() in {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"} else name
    return stem


def _zone(settings: config.Settings):
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.flows.timezone)


__all__ = ["Intake", "Tally"]
