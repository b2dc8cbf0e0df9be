"""Write SeaweedFS's security.toml for the compose stack, at every `up`.

Run by the ``seaweedfs-keys`` one-shot of docker/compose.yaml into the ``seaweedfs-keys``
volume, which only the SeaweedFS services mount (read-only, as their working folder, where weed
looks for ./security.toml). New JWT signing keys and a new CA and certificate each time: every
volume-server read and write needs a token the master signs, the master's and filer's HTTP APIs
are off, and every gRPC port wants a certificate from that CA. Nothing else in the stack has them.

    python docker/seaweedfs-security.py FOLDER [MOUNT_POINT]
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.archive.embedded import write_security_config


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    folder = Path(argv[0])
    seen_at = Path(argv[1]) if len(argv) > 1 else folder
    # weed runs as its own user in its image: the files are readable by it, and the volume
    # holding them is mounted into no other service.
    written = write_security_config(folder, seen_at=seen_at, mode=0o644)
    print(f"seaweedfs-security: wrote {written} and its certificates")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
