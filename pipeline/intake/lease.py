"""Is a run still alive? Judged on one clock: the watcher's own.

A run rewrites its heartbeat object every quarter of the lease, stamped with its machine's time.
Comparing that stamp with the watcher's clock compares two machines' clocks: a worker two hours
behind looks dead at once, one two hours ahead never does. So the stamp is only a token that
changes with each beat; the watcher notes, on its monotonic clock, when it first saw each token,
and a run is silent for as long as its token has not changed."""

from __future__ import annotations

import time
from collections.abc import Callable


class Silence:
    """How long each run's heartbeat has gone unchanged, as this process saw it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._seen: dict[str, tuple[str | None, float]] = {}

    def seconds(self, run: str, token: str | None) -> float:
        """Seconds since ``run``'s heartbeat (``token``: its content, or None before any beat)
        was last seen to change; 0 the first time this process looks."""
        now = self._clock()
        last = self._seen.get(run)
        if last is None or last[0] != token:
            self._seen[run] = (token, now)
            return 0.0
        return now - last[1]

    def forget(self, run: str) -> None:
        self._seen.pop(run, None)


# The watcher's: one per process, as there is one watcher per process.
WATCHER = Silence()
