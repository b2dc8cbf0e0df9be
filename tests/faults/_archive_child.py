"""Run in a child process by the fault tests: archive one processed dossier, and SIGKILL this
process right after its Nth write to the store (``KILL_AFTER``; 0: never).

The store's address and keys come in the environment, never on the command line."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from pipeline import archive
from pipeline.archive.s3 import Store
from pipeline.core.record import Record


def main(output_dir: str, kill_after: int) -> None:
    writes = 0
    put = Store.put

    def put_then_maybe_die(self, *args, **kwargs):
        nonlocal writes
        answer = put(self, *args, **kwargs)
        writes += 1
        if writes == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return answer

    Store.put = put_then_maybe_die  # type: ignore[method-assign]
    conn = archive.Connection(
        endpoint=os.environ["FAULT_S3_ENDPOINT"],
        bucket=os.environ["FAULT_S3_BUCKET"],
        access_key=os.environ["FAULT_S3_ACCESS_KEY"],
        secret_key=os.environ["FAULT_S3_SECRET_KEY"],
        retries=int(os.environ.get("FAULT_S3_RETRIES", "2")),
        backoff=0.05,
        timeout=float(os.environ.get("FAULT_S3_TIMEOUT", "5")),
    )
    out = Path(output_dir)
    rec = Record.model_validate_json((out / "record.json").read_text(encoding="utf-8"))
    result = archive.archive_dossier(Store(conn), out, rec)
    print(result.status, writes)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
