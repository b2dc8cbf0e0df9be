"""A worker's pages and the OCR concurrency limits, against a real Prefect server on
PostgreSQL: pages asking at once are let in at once, and a page waiting for a full limit gets
its slot within a second of its being given back (Prefect's own wait grows with the pages
waiting)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from flows.digitise import ocr_slots

pytestmark = pytest.mark.flows


def _limits(limit: int) -> list[str]:
    from prefect.client.orchestration import get_client

    names = [f"test-ocr-{uuid.uuid4().hex[:8]}", f"test-ocr-{uuid.uuid4().hex[:8]}"]
    with get_client(sync_client=True) as client:
        for name in names:
            client.upsert_global_concurrency_limit_by_name(name, limit)
    return names


def _pages(names: list[str], count: int, hold: float) -> list[float]:
    """``count`` pages asking at once; how long each waited for its slots."""
    waited: list[float] = []
    start = threading.Barrier(count)

    def page() -> None:
        start.wait()
        asked = time.perf_counter()
        with ocr_slots(names, 60):
            waited.append(time.perf_counter() - asked)
            time.sleep(hold)

    threads = [threading.Thread(target=page) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return waited


def scenario(limit: int, rounds: int, hold: float) -> None:
    """Run in a process of its own with PREFECT_API_URL set, as a worker runs (Prefect's
    slot requests go from a loop thread of their own, which sees the environment only)."""
    names = _limits(limit)
    _pages(names, 1, 0)  # a server just started is busy with itself for a few seconds
    print(json.dumps([sorted(_pages(names, 2, hold)) for _ in range(rounds)]))


def _run(api: str, limit: int, rounds: int, hold: float) -> list[list[float]]:
    env = {**os.environ, "PREFECT_API_URL": api}
    done = subprocess.run(
        [sys.executable, "-c", f"from tests.test_ocr_slots import scenario; scenario({limit}, {rounds}, {hold})"],
        env=env, capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_pages_asking_at_once_are_let_in_at_once(prefect_postgres_api) -> None:
    # On PostgreSQL, as sohoa server --database postgres: SQLite answers writes at once "busy"
    # and Prefect's client then waits 2 s (operations.md), a stall no worker can avoid there.
    for waited in _run(prefect_postgres_api, 2, 5, 0.3):  # two pages at a time, as a worker with two processes
        assert len(waited) == 2
        assert max(waited) < 1.0, waited


def test_a_page_waiting_on_a_full_limit_gets_the_slot_soon_after_it_is_given_back(prefect_postgres_api) -> None:
    [waited] = _run(prefect_postgres_api, 1, 1, 1.5)
    assert len(waited) == 2
    assert waited[0] < 1.0
    assert 1.4 < waited[1] < 1.5 + 1.5  # the holder's time, then at most a poll and a request
