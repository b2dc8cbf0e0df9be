"""The daily path end to end: a real Prefect server, SeaweedFS, workers and Tesseract.

Clerks drop dossiers into a watch folder; each ends in done/ and in the bucket, or in
failed/ with its reason; duplicates are archived once; two workers share a pool
without doing anything twice; a worker killed mid-dossier costs no page and no copy.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from pipeline import archive
from pipeline.intake import staging
from tests.flowstack import COMMUNE, kill_tree, make_stack, wait_for, write_dossier
from tests.seaweed import seaweed  # noqa: F401 - fixture

pytestmark = pytest.mark.flows


@pytest.fixture
def stack(seaweed, tmp_path, monkeypatch, request):  # noqa: F811
    """Everything for one test. ``param``: SOHOA_* settings, and ``database``: the Prefect
    server's (sqlite, or postgresql as a province's installation runs it)."""
    extra = dict(getattr(request, "param", {}))
    api = request.getfixturevalue(f"prefect_{extra.pop('database', 'sqlite')}_api")
    with temporary_settings({PREFECT_API_URL: api}):
        s = make_stack(seaweed, api, tmp_path, monkeypatch, **extra)
        try:
            yield s
        finally:
            s.stop()


def _client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def _runs_of(stack) -> list:
    """This stack's dossier runs (the server is shared: other tests' pools run the same names)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags, WorkPoolFilter, WorkPoolFilterName

    with _client() as c:
        runs = c.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"xa-{COMMUNE}"])),
                                work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=[stack.pool])))
    return [r for r in runs if r.parameters.get("claim_id")]


def test_drop_done_failed_duplicate_and_artifacts(stack, tmp_path: Path) -> None:
    stack.start_watcher()
    stack.start_workers(1, tmp_path / "logs")
    dropped = time.monotonic()
    write_dossier(stack.watch, "ho-so-tot", pages=1)
    (stack.watch / "hong.pdf").write_bytes(b"%PDF-1.7\nthis is no PDF at all")
    (stack.watch / "Thumbs.db").write_bytes(b"junk")

    wait_for("one dossier in done/ and one in failed/",
             lambda: len(stack.done()) == 1 and len(stack.failed()) == 1, timeout=240)
    elapsed = time.monotonic() - dropped
    done, failed = stack.done()[0], stack.failed()[0]
    receipt = stack.receipt(done)
    print(f"\ndrop → done: {elapsed:.1f} s (OCR {receipt['ocrSeconds']} s, run {receipt['seconds']} s)")

    # done/: the original, byte for byte, and a receipt the archive confirms.
    assert (done / "ho-so-tot" / "trang-1.jpg").is_file()
    assert receipt["pages"] == 1 and receipt["commune"] == COMMUNE and receipt["documents"]
    got = stack.archive.sha256(receipt["record"], receipt["recordVersionId"])
    assert got is not None and got[0] == receipt["recordSha256"]
    record = json.loads(archive.read_file(stack.archive, receipt["key"], "record.json"))
    assert record["dossier"]["commune"]["code"] == COMMUNE
    for doc in receipt["documents"]:
        assert stack.archive.sha256(doc["key"])[0] == doc["sha256"]

    # failed/: the file as dropped, and a plain reason in both languages, naming it.
    assert (failed / "hong.pdf").read_bytes() == b"%PDF-1.7\nthis is no PDF at all"
    reason = (failed / "reason.txt").read_text(encoding="utf-8")
    assert "Lý do:" in reason and "Reason:" in reason and "hong.pdf" in reason
    assert "sohoa-run-" not in reason and "Traceback" not in reason

    assert (stack.watch / "Thumbs.db").exists()  # junk is never taken
    assert stack.processing() == []
    assert list(stack.intake.staging.list("dossiers/")) == []  # staging cleared

    # The operator's view: a readable run name, the commune's tag, the artifacts.
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with _client() as c:
        run = c.read_flow_run(receipt["flowRun"])
        arts = c.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    assert run.name == f"hoso-{COMMUNE}-ho-so-tot" and f"xa-{COMMUNE}" in run.tags
    assert run.state.is_completed()
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with _client() as c:  # each page a task of its own, named after the page
        tasks = c.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
    pages = [t for t in tasks if t.name.startswith("ocr-trang-")]
    assert [t.name for t in pages] == ["ocr-trang-1"] and pages[0].state.is_completed()
    with _client() as c:  # the OCR limits an operator steers: all communes, and this one
        limits = {n: c.read_global_concurrency_limit_by_name(n).limit for n in ("sohoa-ocr", f"sohoa-ocr-{COMMUNE}")}
    from flows.common import ocr_slots

    assert tuple(limits.values()) == ocr_slots(stack.settings)
    kinds = {a.type: a for a in arts}
    assert "markdown" in kinds and "progress" in kinds
    assert float(kinds["progress"].data) == 100.0
    page = kinds["markdown"].data  # the operator's page for the dossier
    assert record["dossier"]["commune"]["name"] in page and receipt["key"] in page
    assert page.count("\n| ") - 1 == len(record["documents"])  # a table row per document
    assert "Độ tin cậy OCR / OCR confidence" in page and "trang 1:" in page

    # The same scans again, renamed: archived once; no second OCR run.
    runs_before = len(_runs_of(stack))
    write_dossier(stack.watch, "ban-sao-cua-ho-so-tot", pages=1)
    # Same content needs the same bytes: copy the archived original instead of redrawing.
    again = stack.watch / "ho-so-tot-lan-2"
    again.mkdir()
    (again / "trang-1.jpg").write_bytes((done / "ho-so-tot" / "trang-1.jpg").read_bytes())
    wait_for("the copy in done/", lambda: any(
        stack.receipt(d).get("duplicate") for d in stack.done() if (d / "receipt.json").exists()
    ), timeout=240)
    dup = next(d for d in stack.done() if stack.receipt(d).get("duplicate"))
    assert stack.receipt(dup)["key"] == receipt["key"]
    assert len(stack.archive.versions(receipt["record"])) == 1
    wait_for("the renamed-but-different dossier", lambda: len(stack.done()) == 3, timeout=240)
    assert len(_runs_of(stack)) == runs_before + 1  # only the different one was OCR'd


@pytest.mark.parametrize("stack", [{"SOHOA_INTAKE__LEASE_SECONDS": "8"}], indirect=True)
def test_worker_killed_mid_dossier_resumes_exactly_once(stack, tmp_path: Path) -> None:
    stack.start_watcher()
    first = stack.start_workers(1, tmp_path / "logs-a", restart=False)  # a machine lost, not a process
    write_dossier(stack.watch, "ho-so-dai", pages=4)

    claim = wait_for("the claim", lambda: stack.intake.folders[0].claims(), timeout=60)[0]
    where = staging.prefix(claim.commune, claim.claim_id)
    wait_for("a page checkpoint", lambda: staging.load_pages(stack.intake.staging, where), timeout=180, every=0.2)
    assert len(staging.load_pages(stack.intake.staging, where)) < 4, "too late to kill mid-dossier"
    killed = kill_tree(first.procs[0].pid)
    first.procs.clear()
    assert len(killed) >= 2  # the worker (its flow runs inside) and its page processes

    # The killed run's OCR slots come back after the intake's lease (Prefect's shortest, 60 s,
    # here, and its lease sweep every 15 s), as its dossier does: not after its default 300 s.
    with _client() as c:
        wait_for("the killed run's OCR slots", lambda: all(
            c.read_global_concurrency_limit_by_name(n).active_slots == 0
            for n in ("sohoa-ocr", f"sohoa-ocr-{COMMUNE}")), timeout=120)
    stack.start_workers(1, tmp_path / "logs-b")  # the restarted worker
    wait_for("done/", lambda: stack.done(), timeout=300)
    done = stack.done()[0]
    receipt = stack.receipt(done)
    assert receipt["pages"] == 4
    assert receipt["pagesResumed"] >= 1  # the killed run's pages were not OCR'd again

    claim_now = receipt  # the runs started for it, as the watcher kept them
    assert len(claim_now["runs"]) == 2
    with _client() as c:
        old = c.read_flow_run(claim_now["runs"][0])
        new = c.read_flow_run(claim_now["runs"][1])
    assert old.state.is_crashed() and new.state.is_completed()

    assert len(stack.archive.versions(receipt["record"])) == 1  # archived exactly once
    record = json.loads(archive.read_file(stack.archive, receipt["key"], "record.json"))
    assert [p["number"] for p in record["pages"]] == [1, 2, 3, 4]
    assert all(p["ocr"]["words"] > 5 for p in record["pages"])  # no page lost
    assert stack.processing() == [] and stack.failed() == []


def test_one_warm_worker_runs_dossier_after_dossier_and_stops_a_cancelled_one(stack, tmp_path: Path) -> None:
    """The worker keeps one process for all its runs (no new Python per dossier); a run the
    operator cancels in the UI stops at its next page, archives nothing, and the dossier goes
    to failed/ saying so; the worker goes on with the next."""
    from prefect.states import Cancelling

    stack.start_watcher()
    workers = stack.start_workers(1, tmp_path / "logs")
    write_dossier(stack.watch, "ho-so-a", pages=1)
    write_dossier(stack.watch, "ho-so-b", pages=1)
    wait_for("two dossiers in done/", lambda: len(stack.done()) == 2, timeout=240)
    runs = _runs_of(stack)
    assert len(runs) == 2 and all(r.state.is_completed() for r in runs)
    # Prefect records where each run ran: the same worker process, both times.
    assert {r.infrastructure_pid.split(":")[1] for r in runs} == {str(workers.procs[0].pid)}

    write_dossier(stack.watch, "ho-so-dai", pages=8)
    claim = wait_for("its run", lambda: [c for c in stack.intake.folders[0].claims() if c.flow_run_id],
                     timeout=60, every=0.2)[0]
    where = staging.prefix(claim.commune, claim.claim_id)
    wait_for("a page checkpoint", lambda: staging.load_pages(stack.intake.staging, where), timeout=180, every=0.2)
    with _client() as c:
        c.set_flow_run_state(claim.flow_run_id, Cancelling(message="test"), force=True)
    wait_for("failed/", lambda: stack.failed(), timeout=120, every=0.2)
    reason = (stack.failed()[0] / "reason.txt").read_text(encoding="utf-8")
    assert "người vận hành đã hủy" in reason and "cancelled" in reason
    with _client() as c:
        cancelled = c.read_flow_run(claim.flow_run_id)
    assert cancelled.state.is_cancelled()
    assert len(staging.load_pages(stack.intake.staging, where)) < 8  # it stopped, not finished
    records = [o["Key"] for o in stack.archive.list("") if o["Key"].endswith("/record.json")]
    assert len(records) == 2  # nothing archived for it

    write_dossier(stack.watch, "ho-so-c", pages=1)
    wait_for("the next dossier in done/", lambda: len(stack.done()) == 3, timeout=120)
    assert workers.procs[0].poll() is None


def test_a_worker_that_dies_is_started_again(stack, tmp_path: Path) -> None:
    """A worker process that exits on its own is started again: the dossiers that arrive
    after it died are still digitised, by the new process."""
    stack.start_watcher()
    workers = stack.start_workers(1, tmp_path / "logs")
    dead = workers.procs[0].pid
    kill_tree(dead)
    wait_for("the worker started again", lambda: workers.restarts == 1 and workers.procs[0].poll() is None,
             timeout=30, explain=stack.workers_report)
    assert workers.procs[0].pid != dead
    write_dossier(stack.watch, "ho-so-sau", pages=1)
    wait_for("done/", lambda: stack.done(), timeout=240, explain=stack.workers_report)
    (run,) = _runs_of(stack)
    assert run.infrastructure_pid.split(":")[1] == str(workers.procs[0].pid)
    assert workers.restarts == 1  # a running worker is left alone


@pytest.mark.parametrize("stack", [{"database": "postgres"}], indirect=True)
def test_two_workers_process_each_dossier_exactly_once(stack, tmp_path: Path) -> None:
    """The scale-out path without containers: a Prefect server on PostgreSQL, two workers
    on one work pool (as on two machines: they share only the server and S3)."""
    stack.start_workers(2, tmp_path / "logs")
    for i in range(4):
        write_dossier(stack.watch, f"ho-so-{i}", pages=1)
    stack.start_watcher()
    wait_for("four dossiers in done/", lambda: len(stack.done()) == 4, timeout=360)

    runs = _runs_of(stack)
    assert len(runs) == 4
    assert all(r.state.is_completed() and r.run_count == 1 for r in runs)
    keys = set()
    for d in stack.done():
        receipt = stack.receipt(d)
        assert len(receipt["runs"]) == 1
        assert len(stack.archive.versions(receipt["record"])) == 1
        keys.add(receipt["key"])
    assert len(keys) == 4
    assert {r.parameters["claim_id"] for r in runs} == {stack.receipt(d)["claimId"] for d in stack.done()}


OTHER = "19810"  # a second commune's watch folder beside the first


# Polling, as on a network share where file events do not arrive.
@pytest.mark.parametrize("stack", [{"SOHOA_INTAKE__EXTRA_FOLDER": OTHER, "SOHOA_INTAKE__POLLING": "always"}],
                         indirect=True)
def test_daily_report_and_audit_flows(stack, tmp_path: Path) -> None:
    from flows.reports import audit_archive, daily_report

    stack.start_workers(1, tmp_path / "logs")
    stack.start_watcher()
    other = stack.intake.folders[1].root
    write_dossier(stack.watch, "ho-so-bao-cao", pages=1)
    (other / "hong.tif").write_bytes(b"II*\x00broken")
    wait_for("done in one commune, failed in the other",
             lambda: stack.done() and list((other / "failed").iterdir()), timeout=240)
    time.sleep(1.5)  # one more tick publishes the queue
    stack.stop()  # the watcher stops: what is dropped now waits
    (stack.watch / "cho-xu-ly").mkdir()
    (stack.watch / "cho-xu-ly" / "trang-1.jpg").write_bytes(b"\xff\xd8")
    stack.intake._publish_queue(stack.intake.folders[0], len(stack.intake.folders[0].inbox()))

    rows = daily_report()
    row = next(r for r in rows if r["commune"] == COMMUNE)
    assert row["dossiers_done"] == 1 and row["pages_done"] == 1 and row["failed"] == 0
    assert row["seconds_per_page"] and row["seconds_per_page"] > 0
    assert row["waiting"] == 1  # cho-xu-ly, not yet taken
    row = next(r for r in rows if r["commune"] == OTHER)
    assert row["dossiers_done"] == 0 and row["failed"] == 1

    assert audit_archive()["ok"] is True
    receipt = stack.receipt(stack.done()[0])
    key = receipt["documents"][0]["key"]
    # Tamper with the archive as only an administrator could (a new version of a PDF):
    # the audit run must fail and say so.
    stack.archive.client.put_object(Bucket=stack.archive.bucket, Key=key, Body=b"tampered")
    from pipeline.core.errors import FixityError

    with pytest.raises(FixityError):
        audit_archive()


def test_a_restarted_watcher_finishes_what_it_had_started(stack, tmp_path: Path) -> None:
    """``sohoa serve`` stopped while a dossier is being digitised: the next one takes over
    from processing/ and its state folder, and the dossier still ends in done/, once."""
    import threading

    from flows.intake import Intake

    stack.start_workers(1, tmp_path / "logs")
    stack.start_watcher()
    write_dossier(stack.watch, "ho-so-khoi-dong-lai", pages=1)
    claim = wait_for("a started run", lambda: [c for c in stack.intake.folders[0].claims() if c.flow_run_id],
                     timeout=120)[0]
    stack._stop.set()
    stack._thread.join(timeout=30)
    with _client() as c:
        wait_for("the run to end", lambda: c.read_flow_run(claim.flow_run_id).state.is_final(), timeout=240)
    assert stack.done() == [] and len(stack.processing()) == 1  # nobody moved it

    stack.intake = Intake(stack.settings)  # a new process: nothing in memory
    stack._stop = threading.Event()
    stack.start_watcher()
    wait_for("done/", stack.done, timeout=60)
    done = stack.done()[0]
    assert stack.receipt(done)["runs"] == [claim.flow_run_id]
    assert stack.receipt(done)["flowRun"] == claim.flow_run_id


def test_signed_and_retried_when_the_timestamp_server_comes_late(
    seaweed, prefect_sqlite_api, tmp_path, monkeypatch  # noqa: F811
) -> None:
    """Signing in the flow, with the timestamp server down when the run reaches it: the
    signing task is retried with a pause, the server comes up, the run succeeds."""
    import subprocess
    import sys

    from pipeline.sign import devpki
    from tests.conftest_signing import REPO, free_port, wait_for_port
    from tests.flowstack import make_stack

    pki = devpki.create(tmp_path / "pki", port=free_port())
    signing = {
        "SOHOA_SIGNING__PKCS12_FILE": str(pki.agency_p12),
        devpki.PASSWORD_ENV: pki.password(),
        "SOHOA_SIGNING__TSA_URL": pki.tsa_url,
        "SOHOA_SIGNING__TSA_ATTEMPTS": "1",
        "SOHOA_SIGNING__TSA_TIMEOUT_SECONDS": "3",
        "SOHOA_SIGNING__TRUST_ROOTS": json.dumps([str(pki.root_cert)]),
        "SOHOA_FLOWS__RETRIES": "4",
        "SOHOA_FLOWS__RETRY_DELAY_SECONDS": "3",
    }
    with temporary_settings({PREFECT_API_URL: prefect_sqlite_api}):
        stack = make_stack(seaweed, prefect_sqlite_api, tmp_path, monkeypatch, **signing)
        tsa = None
        try:
            stack.start_workers(1, tmp_path / "logs")
            stack.start_watcher()
            write_dossier(stack.watch, "ho-so-ky-so", pages=1)
            claim = wait_for("a started run", lambda: [c for c in stack.intake.folders[0].claims()
                                                      if c.flow_run_id], timeout=120)[0]
            wait_for("the signing task to fail and wait for its retry",
                     lambda: _sign_retrying(claim.flow_run_id), timeout=180, every=0.2)
            assert stack.done() == [] and stack.failed() == []
            tsa = subprocess.Popen(
                [sys.executable, "-c", "import sys; from pipeline.sign import devpki; devpki.serve(sys.argv[1])",
                 str(pki.directory)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            wait_for_port(pki.port, tsa)
            wait_for("done/", stack.done, timeout=180)
            receipt = stack.receipt(stack.done()[0])
            assert receipt["documents"] and all(d["signed"] for d in receipt["documents"])
            assert _sign_attempts(claim.flow_run_id) >= 2  # failed, then retried and passed
        finally:
            stack.stop()
            if tsa is not None:
                tsa.terminate()
                tsa.wait(timeout=10)


def _sign_runs(flow_run_id: str) -> list:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with _client() as c:
        runs = c.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return [r for r in runs if r.name.startswith("documents-pdfa-sign")]


def _sign_attempts(flow_run_id: str) -> int:
    return sum(r.run_count for r in _sign_runs(flow_run_id))


def _sign_retrying(flow_run_id: str) -> bool:
    """The first attempt failed: the task waits (AwaitingRetry) or already runs again."""
    return any(r.state_name in ("AwaitingRetry", "Retrying") or r.run_count >= 2
               for r in _sign_runs(flow_run_id))
