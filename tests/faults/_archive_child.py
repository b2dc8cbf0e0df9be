"""Run in a child process by the fault tests: archive one processed dossier, and SIGKILL this
process right after its Nth write to the store (the second argument; 0: never). With
``FAULT_PAUSE_AFTER=N`` and ``FAULT_PAUSE_FILE``, it creates that file after its Nth write and
waits until the file is gone (the test stops the store meanwhile), then goes on.

The store's address and keys come in the environment, never on the command line. Prints the
result's status and the number of writes; a refusal prints its message and exits with its code."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from pipeline import archive
from pipeline.archive.s3 import Store
from pipeline.core.errors import SohoaError
from pipeline.core.record import Record


def main(output_dir: str, kill_after: int) -> None:
    writes = 0
    put = Store.put
    pause_after = int(os.environ.get("FAULT_PAUSE_AFTER", "0"))
    pause = Path(os.environ.get("FAULT_PAUSE_FILE", os.devnull))

    def put_then_maybe_die(self, *args, **kwargs):
        nonlocal writes
        answer = put(self, *args, **kwargs)
        writes += 1
        if writes == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        if writes == pause_after:
            pause.touch()
            while pause.exists():
                time.sleep(0.05)
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
    try:
        result = archive.archive_dossier(Store(conn), out, rec)
    except SohoaError as e:
        print(f"Lỗi: {e.message_vi}\nError: {e.message}", file=sys.stderr)
        sys.exit(int(e.exit_code))
    print(result.status, writes)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
