"""Create the two buckets the stack uses, on whatever S3 store the settings name.

* the archive (``storage.bucket``): versioning on, and Object Lock when
  ``storage.object_lock`` is true and the store allows it, as ``sohoa storage up``
  does for the embedded store;
* the intake staging bucket (``intake.bucket``): no versioning, no Object Lock (the
  watcher creates it the same way; here it exists before any worker looks for it).

Idempotent: an existing bucket is left as it is (versioning is turned on for the
archive if it is off). Run by the ``buckets`` service of docker/compose.yaml, or
by hand: ``docker compose run --rm buckets``.
"""

from __future__ import annotations

import sys

from pipeline import archive
from pipeline.core import settings as config
from pipeline.core.errors import SohoaError, StorageBucketError


def main() -> int:
    settings = config.load()
    try:
        arch = archive.Store(archive.connection(settings.storage))
        notes = arch.ensure_bucket(object_lock=settings.storage.object_lock)
        print(
            f"archive bucket {arch.bucket}: versioning {'on' if arch.versioning else 'OFF'}, "
            f"Object Lock {'on' if arch.object_lock else 'OFF'}"
        )
        for note in notes:
            print(f"Lưu ý / Notice: {note}", file=sys.stderr)
        intake_settings = settings.storage.model_copy(update={"bucket": settings.intake.bucket})
        intake = archive.Store(archive.connection(intake_settings))
        try:
            intake.check()
            made = False
        except StorageBucketError:
            made = True
        # As the watcher does (flows/intake.py): objects are deleted once processed.
        intake.ensure_bucket(object_lock=False, versioning=False)
        print(f"intake bucket {intake.bucket}: {'created' if made else 'already there'}")
    except SohoaError as e:
        print(f"Lỗi: {e.message_vi}\nError: {e.message}", file=sys.stderr)
        return int(e.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
