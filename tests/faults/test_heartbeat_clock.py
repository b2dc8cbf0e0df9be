"""Clock skew between the watcher and a worker: the watcher judges a run's heartbeat on its own
clock only. A run beating from a machine hours behind or ahead keeps its lease; a run that stops
beating loses it one lease later, whatever its clock said."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from flows import intake as intake_flow
from pipeline.intake import lease


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def watcher(monkeypatch):
    """The watcher's lease check, with its clock in the test's hands and a worker's beats."""
    clock = Clock()
    monkeypatch.setattr(lease, "WATCHER", lease.Silence(clock))
    beats: dict[str, tuple[str, dt.datetime]] = {}
    monkeypatch.setattr(intake_flow.staging, "last_beat", lambda store, where: beats.get(where, (None, None)))
    this = SimpleNamespace(settings=SimpleNamespace(intake=SimpleNamespace(lease_seconds=60)), staging=None)
    run = SimpleNamespace(id="run-1", state=SimpleNamespace(timestamp=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))

    def lost() -> bool:
        return intake_flow.Intake._lease_lost(this, "dossiers/24958/c1/", run)

    return clock, beats, lost


@pytest.mark.parametrize("worker_offset", [dt.timedelta(hours=-2), dt.timedelta(0), dt.timedelta(hours=3)])
def test_a_beating_run_keeps_its_lease_whatever_its_clock(watcher, worker_offset) -> None:
    clock, beats, lost = watcher
    worker_time = dt.datetime.now(dt.UTC) + worker_offset
    for _ in range(20):  # 20 beats, 15 s apart: a quarter of the lease
        beats["dossiers/24958/c1/"] = ("run-1", worker_time)
        assert not lost()
        clock.now += 15
        worker_time += dt.timedelta(seconds=15)


@pytest.mark.parametrize("worker_offset", [dt.timedelta(hours=-2), dt.timedelta(hours=3)])
def test_a_silent_run_loses_its_lease_one_lease_later(watcher, worker_offset) -> None:
    clock, beats, lost = watcher
    beats["dossiers/24958/c1/"] = ("run-1", dt.datetime.now(dt.UTC) + worker_offset)
    assert not lost()
    clock.now += 59
    assert not lost()
    clock.now += 2
    assert lost()


def test_a_run_that_never_beats_gets_the_startup_grace(watcher) -> None:
    """Judged from when the watcher first saw it, not from the server's state timestamp
    (another machine's clock: here years old)."""
    clock, _beats, lost = watcher
    assert not lost()
    clock.now += 179
    assert not lost()
    clock.now += 2
    assert lost()
