"""``digitise-dossier``: one claimed dossier, from the staging bucket to the archive.

Thin over ``pipeline``: fetch → read pages → OCR each page (a task per page,
checkpointed, under the OCR concurrency limits) → documents and metadata →
PDF/A → signature → archive. The run leaves its outcome in the staging bucket
(``receipt.json`` or ``failure.json``) for the watcher, which moves the dossier
to ``done/`` or ``failed/``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

import httpx
from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.asyncio import ConcurrencySlotAcquisitionError
from prefect.concurrency.sync import concurrency
from prefect.runtime import flow_run
from prefect.states import Cancelled, Completed, Failed
from prefect.tasks import exponential_backoff

from flows import common
from pipeline import archive, process
from pipeline.core.errors import SohoaError
from pipeline.core.settings import FlowSettings, SigningSettings

if TYPE_CHECKING:
    from pipeline.core.record import Record
    from pipeline.core.settings import InputSettings
from pipeline.intake import staging


def _run_timeout() -> float:
    """flows.run_timeout_seconds, read when the worker loads this module (the flow's timeout is
    the decorator's); the default when the settings cannot be read here."""
    try:
        return common.settings().flows.run_timeout_seconds
    except Exception:  # noqa: BLE001 - bad settings fail the run itself, with their message
        return FlowSettings().run_timeout_seconds


@flow(
    name="digitise-dossier",
    flow_run_name="hoso-{commune}-{dossier}",
    timeout_seconds=_run_timeout(),
    description="Một hồ sơ: ảnh quét → OCR → siêu dữ liệu → PDF/A → chữ ký số → kho lưu trữ. "
    "One dossier: scans → OCR → metadata → PDF/A → signature → archive.",
    persist_result=False,
    validate_parameters=True,
)
def digitise_dossier(commune: str, dossier: str, claim_id: str):
    """``dossier`` is its readable name (for the run name); ``claim_id`` finds it in staging.

    The run's state tells the operator what kind of end it was: *Completed*, or *Cần kiểm tra*
    (archived, with fields a person should check); *Đầu vào lỗi* (the dossier itself is bad:
    the clerk fixes it), or *Failed* (a system error). Its tags say the same, for filtering."""
    settings = common.settings()
    intake = common.intake_store(settings)
    where = staging.prefix(commune, claim_id)
    run_id = str(flow_run.get_id() or "local")
    if not any(True for _ in intake.list(where + "files/")):
        # Retried from the UI once its staged copy is gone: nothing to digitise here.
        return Failed(name=GONE_STATE, message=GONE_MESSAGE)
    with _Heartbeat(intake, where, run_id, every=max(1.0, settings.intake.lease_seconds / 4)):
        try:
            receipt = _digitise(settings, intake, where, commune, dossier, claim_id, run_id)
        except common.RunCancelled:
            return Cancelled(message="người vận hành đã hủy lần chạy / the operator cancelled the run")
        except Exception as e:
            vi, en = (common.hide_paths(t) for t in common.reason(e))
            bad_input = common.is_bad_input(e)
            staging.put_json(intake, where + "failure.json", {
                "run": run_id, "reasonVi": vi, "reasonEn": en, "error": type(e).__name__,
                "exitCode": int(e.exit_code) if isinstance(e, SohoaError) else None,
                "badInput": bad_input, "at": staging.now().isoformat(),
            })
            if bad_input:
                _tag(common.TAG_BAD_INPUT)
                return Failed(name=common.STATE_BAD_INPUT, message=f"{vi} / {en}")
            _tag(common.TAG_SYSTEM_ERROR)
            raise
        staging.put_json(intake, where + "receipt.json", receipt)
    review = sum(len(d["needsReview"]) for d in receipt["documents"]) + sum(
        not f["junk"] for f in receipt["setAside"])
    if review:
        _tag(common.TAG_REVIEW)
        return Completed(name=common.STATE_REVIEW, data=receipt,
                         message=f"{review} mục cần kiểm tra / fields to check")
    return receipt


GONE_STATE = "Không chạy lại được"
GONE_MESSAGE = (
    "Bản sao tạm của hồ sơ không còn (hồ sơ đã xong, bị lỗi đầu vào, đã được kéo về, hoặc đã quá "
    "intake.retry_hours). Muốn chạy lại, hãy kéo hồ sơ từ failed/ về thư mục nhận. / The staged copy "
    "is gone (archived, bad input, dragged back, or past intake.retry_hours). To run it again, drag "
    "it from failed/ back into the watch folder."
)


def _tag(tag: str) -> None:
    """Add a tag to this run, for the operator's filters (a lost tag is no failure)."""
    run_id = flow_run.get_id()
    if not run_id:
        return
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(run_id))
            client.update_flow_run(run.id, tags=[*run.tags, tag])
    except Exception:  # noqa: BLE001
        get_run_logger().warning("could not tag the run %s", tag)


def _digitise(settings, intake, where, commune, dossier, claim_id, run_id) -> dict:
    log = get_run_logger()
    started = time.perf_counter()
    options = common.ocr_options(settings)
    retrying = {
        # Nothing may hang a run: each step has a deadline (the OCR has its own, per page).
        "timeout_seconds": settings.flows.step_timeout_seconds,
        "retries": settings.flows.retries,
        "retry_delay_seconds": exponential_backoff(settings.flows.retry_delay_seconds)(
            settings.flows.retries
        ) if settings.flows.retries else 0,
        "retry_condition_fn": _transient_only,
    }
    with tempfile.TemporaryDirectory(prefix="sohoa-run-") as tmp:
        work = Path(tmp)
        source = fetch.with_options(**retrying)(intake, where, work / "in")
        opened = read_pages.with_options(timeout_seconds=settings.flows.step_timeout_seconds)(
            source, options, settings.input, commune
        )
        pages = opened.pages
        log.info("%s: %d trang / pages", dossier, len(pages))

        saved = staging.load_pages(intake, where)
        results: dict[int, process.PageWork] = {}
        for number, data in saved.items():
            if data.get("options") == _options_key(options) and 1 <= number <= len(pages):
                results[number] = process.page_work_from_json(data["work"])
        if results:
            log.info("%d trang đã nhận dạng ở lần chạy trước / pages already OCR'd by an earlier run",
                     len(results))

        progress = _Progress(f"{commune}-{dossier}")
        slots = [common.OCR_LIMIT, common.commune_limit(commune)]
        gate = _local_gate(commune, settings, options)

        def each_page(page, read) -> process.PageWork:
            with gate:
                common.stop_if_cancelled(run_id)
                return ocr_page.with_options(task_run_name=f"ocr-trang-{page.number}")(
                    page, read, slots, settings.intake.lease_seconds, intake, where, options,
                )

        ocr_started = time.perf_counter()
        ordered = process.recognise_pages(pages, options, done=results, around=each_page,
                                          progress=progress.update, pool=_pages_pool(options))
        ocr_seconds = time.perf_counter() - ocr_started
        resumed = len(results)
        common.stop_if_cancelled(run_id)  # nothing is archived after a cancel

        out = work / "out"
        # The record names the dossier as the clerk dropped it, not this machine's temporary copy.
        rec = build_documents.with_options(**retrying)(opened, ordered, out, settings, f"{commune}/{dossier}")
        result, record_sha = archive_task.with_options(**retrying)(out, rec, settings, source)
        receipt = _receipt(rec, result, record_sha, commune, claim_id, run_id,
                           time.perf_counter() - started, ocr_seconds, resumed)
        receipt["setAside"] = [{"file": name, "junk": junk} for name, junk in opened.set_aside]
        _report(rec, result, commune, dossier, receipt)
        return receipt


# What this process keeps across its runs (a worker runs many, in threads): the page
# processes and the local queues in front of Prefect's slots.
_WARM = threading.Lock()


class _Gate:
    """This process's pages wait here, in their turn and without asking anyone, until one of
    the page processes and one of their commune's shares is free; only then do they ask
    Prefect for the OCR slots. Asking early would have many pages ask at once: Prefect
    then answers each with a wait that grows with the crowd, and cores stay idle."""

    def __init__(self, commune: threading.Semaphore, worker: threading.Semaphore):
        self.commune, self.worker = commune, worker

    def __enter__(self) -> None:
        self.commune.acquire()  # first the commune's share: a full commune holds no process
        self.worker.acquire()

    def __exit__(self, *exc) -> None:
        self.worker.release()
        self.commune.release()


_GATES: dict[str, threading.Semaphore] = {}


def _local_gate(commune: str, settings, options: process.OcrOptions) -> _Gate:
    total, per = common.ocr_slots(settings)
    processes = min(options.jobs or os.cpu_count() or 1, total)
    with _WARM:
        worker = _GATES.setdefault("", threading.Semaphore(processes))
        mine = _GATES.setdefault(commune, threading.Semaphore(min(per, processes)))
    return _Gate(mine, worker)


_POOL: list = []  # [the processes pages are read in]


def _pages_pool(options: process.OcrOptions):
    """One pool of page processes for every run of this worker process: started once, not
    per dossier. A pool broken by a killed process is replaced for the runs after."""
    with _WARM:
        # A process killed under it (out of memory, say) breaks the executor for good.
        if _POOL and getattr(_POOL[0], "_broken", False):
            _POOL.pop().shutdown(wait=False, cancel_futures=True)
        if not _POOL:
            _POOL.append(process.ocr_pool(options.jobs or os.cpu_count() or 1, threaded=True))
        return _POOL[0]


@task(name="fetch-dossier", cache_policy=NO_CACHE, persist_result=False)
def fetch(intake, where: str, dest: Path) -> Path:
    """The staged copy of the dossier, checked against its checksums."""
    dest.mkdir(parents=True, exist_ok=True)
    return staging.download(intake, where, dest)


@task(name="read-pages", cache_policy=NO_CACHE, persist_result=False)
def read_pages(source: Path, options: process.OcrOptions, limits: InputSettings, commune: str) -> process.OpenDossier:
    return process.open_dossier(
        source, ocr=options, max_pixels=limits.max_pixels, max_pages=limits.max_pages, commune=commune
    )


MIN_SLOT_LEASE = 60.0  # seconds: the shortest concurrency lease Prefect's API takes


@task(name="ocr-page", cache_policy=NO_CACHE, persist_result=False)
def ocr_page(page, read, slots, lease, intake, where, options) -> process.PageWork:
    """Clean and OCR one page (``read``: in a worker process), holding one OCR slot of all
    communes and one of this commune; then checkpoint it, so a restarted run does not OCR it
    again. The slots are leased for as long as the intake waits on a silent run (Prefect's
    shortest lease, a minute, at least; renewed while the page is read): a killed worker's
    slots come back about when its dossier is restarted, not after Prefect's default five
    minutes."""
    with ocr_slots(slots, max(MIN_SLOT_LEASE, lease)):
        work = read()
    staging.save_page(intake, where, page.number, {
        "options": _options_key(options), "work": process.page_work_to_json(work),
    })
    return work


SLOT_POLL_SECONDS = 1.0  # the longest pause between two asks for a slot that was taken


@contextlib.contextmanager
def ocr_slots(slots: list[str], lease: float):
    """Hold one slot of each of ``slots`` (Prefect global concurrency limits) while the page
    is read. When a limit is full, Prefect's client would wait as long as the server
    suggests, which grows with the pages waiting (up to half a minute) while slots come
    free every few seconds: here a full limit is asked again within a second."""
    while True:
        held = concurrency(slots, occupy=1, strict=False, lease_duration=lease, max_retries=0)
        try:
            held.__enter__()
            break
        except ConcurrencySlotAcquisitionError as e:
            full = e.__cause__
            if not isinstance(full, httpx.HTTPStatusError) or full.response.status_code != 423:
                raise  # 423 Locked, the limit full now, is the one answer to wait on
            pause = min(SLOT_POLL_SECONDS, float(full.response.headers.get("Retry-After") or SLOT_POLL_SECONDS))
        time.sleep(pause)
    try:
        yield
    finally:
        held.__exit__(*sys.exc_info())


@task(name="documents-pdfa-sign", cache_policy=NO_CACHE, persist_result=False)
def build_documents(opened, results, out: Path, settings, input_name: str | None = None) -> Record:
    """Documents and their metadata → one PDF/A each → the agency's signature → record.json."""
    with agency_signer_of_run(settings.signing, warn=lambda text: get_run_logger().warning(text)) as signer:
        return process.assemble(opened, results, out, signer=signer, input_name=input_name)


_TOKEN = threading.Lock()


@contextlib.contextmanager
def agency_signer_of_run(signing: SigningSettings, *, warn):
    """The agency's signer for one run, closed after. A PKCS#11 token takes one login per
    process, and a worker's runs share its process: they use the token one at a time."""
    from flows.secrets import agency_signer

    with _TOKEN if signing.pkcs11_module is not None else contextlib.nullcontext():
        signer = agency_signer(signing, warn=warn)
        try:
            yield signer
        finally:
            if signer is not None:
                signer.close()


@task(name="archive", cache_policy=NO_CACHE, persist_result=False)
def archive_task(out: Path, rec, settings, source: Path | None = None) -> tuple[archive.ArchiveResult, str]:
    """Archive (each object read back and hashed), then read the commit point back once more."""
    store = common.archive_store(settings)
    result = archive.archive_dossier(
        store, out, rec, source_dir=source,
        legal_hold=settings.storage.legal_hold,
        permanent_retention_years=settings.storage.permanent_retention_years,
    )
    for notice in result.notices:
        get_run_logger().warning(notice)
    return result, common.verify_committed(store, result.key, result.record_version_id)


def _receipt(rec, result, record_sha, commune, claim_id, run_id, seconds, ocr_seconds, resumed) -> dict:
    return {
        "status": result.status,
        "bucket": result.bucket,
        "key": result.key,
        "record": result.key + archive.RECORD,
        "recordVersionId": result.record_version_id,
        "recordSha256": record_sha,
        "dossierId": rec.dossier_id,
        "commune": commune,
        "claimId": claim_id,
        "flowRun": run_id,
        "pages": len(rec.pages),
        "pagesResumed": resumed,
        "documents": [
            {"file": o.file, "key": result.key + o.file, "sha256": o.sha256, "pages": list(o.pages),
             "signed": o.signature is not None,
             "needsReview": [{"field": r.field, "reason": r.reason} for r in d.needs_review]}
            for o, d in zip(rec.outputs, rec.documents, strict=True)
        ],
        "sources": [{"file": s.file, "sha256": s.sha256, "bytes": s.bytes} for s in rec.sources],
        "seconds": round(seconds, 2),
        "ocrSeconds": round(ocr_seconds, 2),
        "at": staging.now().isoformat(),
    }


# TT 05/2025 chế độ sử dụng 03: mật (secret). Prefect's UI is for operators, not readers.
SECRET_MODE = "03"


def _report(rec, result, commune, dossier, receipt) -> None:
    create_markdown_artifact(
        report_text(rec, result, commune, dossier, receipt), key=common.artifact_key("hoso", commune, dossier),
        description=f"Hồ sơ {dossier}: văn bản và siêu dữ liệu / documents and metadata",
    )


def report_text(rec, result, commune, dossier, receipt) -> str:
    """The operator's page for this dossier: documents, metadata, doubtful fields, timings. A
    secret ("mật") dossier's page holds where it went and how long it took, and nothing of
    what it says: its metadata is for the archive's readers, not for Prefect."""
    where = rec.dossier.commune
    place = f"{where.name}, {where.province_name} ({where.code})" if where else f"xã {commune}"
    summary = [
        f"# Hồ sơ {dossier} — {place}",
        "",
        f"**Lưu trữ / archive**: `s3://{result.bucket}/{result.key}` ({result.status}) · "
        f"{len(rec.pages)} trang / pages · {len(rec.documents)} văn bản / documents · "
        f"{receipt['seconds']} s",
        "",
    ]
    if rec.dossier.mode == SECRET_MODE:
        return "\n".join([
            *summary,
            "Hồ sơ mật: siêu dữ liệu không hiển thị ở đây, xem trong kho lưu trữ. / "
            "Secret dossier: its metadata is not shown here; read it in the archive.",
        ])
    lines = [
        *summary,
        "| # | trang / pages | loại / type | số, ký hiệu / number | ngày / date | trích yếu / subject | "
        "người ký / signer | cần xem lại / needs review |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for d in rec.documents:
        number = f"{d.code_number}/{d.code_notation}" if d.code_number and d.code_notation else "—"
        signer = " ".join(x for x in ((d.signer.position if d.signer else None),
                                      (d.signer.full_name if d.signer else None)) if x) or "—"
        review = "; ".join(f"{r.field}: {r.reason}" for r in d.needs_review) or "—"
        lines.append(
            f"| {d.doc_ordinal} | {d.pages[0]}–{d.pages[1]} | {d.type_name or '—'} | {number} | "
            f"{d.issued_date or '—'} | {_cell(_short(d.subject, 70))} | {_cell(signer)} | {_cell(review)} |"
        )
    low = [p for p in rec.pages if p.ocr and p.ocr.mean_confidence is not None and p.ocr.mean_confidence < 80]
    lines += [
        "",
        "## Độ tin cậy OCR / OCR confidence",
        "",
        ", ".join(f"trang {p.number}: {p.ocr.mean_confidence:.0f}" for p in rec.pages if p.ocr) or "—",
        "",
        f"Trang dưới 80 / pages below 80: {', '.join(str(p.number) for p in low) or 'không / none'}",
        "",
        "## Thời gian / timings (s)",
        "",
        f"đọc / probe {rec.timings.probe} · OCR {receipt['ocrSeconds']} · siêu dữ liệu / metadata "
        f"{rec.timings.metadata} · PDF/A {rec.timings.pdf} · ký / sign {rec.timings.sign} · "
        f"tổng / total {receipt['seconds']}"
        + (f" · {receipt['pagesResumed']} trang lấy từ lần chạy trước / pages resumed"
           if receipt["pagesResumed"] else ""),
    ]
    if rec.warnings:
        lines += ["", "## Cảnh báo / warnings", ""] + [f"- {w}" for w in rec.warnings]
    return "\n".join(lines)


def _short(text: str | None, most: int) -> str | None:
    """A long subject cut for the table (the record has it whole)."""
    return text if text is None or len(text) <= most else text[: most - 1].rstrip() + "…"


def _cell(text: str | None) -> str:
    return (text or "—").replace("|", "\\|").replace("\n", " ")


class _Progress:
    """The run's progress artifact: pages OCR'd out of all pages."""

    def __init__(self, name: str):
        self.id: UUID = create_progress_artifact(  # type: ignore[assignment]  # the sync form
            0.0, key=common.artifact_key("tien-do", name),
            description=f"Tiến độ OCR / OCR progress: {name}",
        )

    def update(self, done: int, total: int) -> None:
        update_progress_artifact(self.id, round(100.0 * done / max(total, 1), 1))


class _Heartbeat:
    """Rewrites the staging heartbeat while the run works: a run that stops beating (its
    machine or worker died) is taken as crashed by the watcher and started again."""

    def __init__(self, store, where: str, run_id: str, every: float):
        self.store, self.where, self.run_id, self.every = store, where, run_id, every
        self._stop = threading.Event()

    def __enter__(self):
        staging.beat(self.store, self.where, self.run_id)
        self._thread = threading.Thread(target=self._loop, name="sohoa-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                staging.beat(self.store, self.where, self.run_id)
            except Exception:  # noqa: BLE001 - a missed beat is retried; the lease allows several
                pass

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _options_key(options: process.OcrOptions) -> dict:
    from pipeline import __version__

    return {"sohoa": __version__, "language": options.language, "psm": options.psm,
            "tessdata": str(options.tessdata_dir or "")}


def _transient_only(task, task_run, state) -> bool:
    """Retry what may pass by itself (the store or the timestamp server down), not bad input."""
    exc = state.data if isinstance(state.data, BaseException) else None
    if exc is None:
        try:
            state.result(raise_on_failure=True)
        except BaseException as e:  # noqa: BLE001
            exc = e
    return common.is_transient(exc)


__all__ = ["digitise_dossier"]
