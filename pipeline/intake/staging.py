"""The staging bucket: how a claimed dossier travels from the watcher to any worker.

Workers share nothing with the watcher but S3 and the Prefect server, so the
watcher uploads a claimed dossier here and the run that digitises it reads it
back. The run also leaves here what must survive it: each page's OCR result (a
restarted run skips those pages), a heartbeat (a silent run is taken as
crashed), and its outcome (a receipt or a failure) for the watcher to act on::

    dossiers/{commune}/{claimId}/files/<name>       the dossier, byte for byte
    dossiers/{commune}/{claimId}/pages/0001.json    page 1's OCR result
    dossiers/{commune}/{claimId}/heartbeat          rewritten while a run works
    dossiers/{commune}/{claimId}/receipt.json       archived: keys and checksums
    dossiers/{commune}/{claimId}/failure.json       not archived: the reason
    seen/{digest}.json                              receipts of archived dossiers
    outcomes/{YYYY-MM-DD}/{commune}/{claimId}.json  for the daily report
    queues/{commune}.json                           what waits in each watch folder

Staged objects are deleted once the dossier is in ``done/`` or ``failed/``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pipeline.archive.s3 import Store
from pipeline.core.record import sha256_file
from pipeline.intake.watch import sha256_regular


def prefix(commune: str, claim_id: str) -> str:
    return f"dossiers/{commune}/{claim_id}/"


def upload(store: Store, where: str, files: Iterable[tuple[str, Path]]) -> list[dict]:
    """Upload a dossier's files, each checked by the store against its SHA-256. Each is hashed
    first without following a link and only if it is a regular file: one swapped for a pipe
    in ``processing/`` fails the upload instead of blocking the watcher."""
    listed = []
    for name, path in files:
        sha = sha256_regular(path)
        store.put(where + "files/" + name, path, sha)
        listed.append({"name": name, "bytes": path.stat().st_size, "sha256": sha})
    return listed


def download(store: Store, where: str, dest: Path) -> Path:
    """Bring a staged dossier back into ``dest``; returns the dossier's path (its one
    top-level file or folder). Every file is checked against its SHA-256."""
    tops = set()
    for obj in store.list(where + "files/"):
        name = obj["Key"][len(where + "files/"):]
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"unsafe staged name: {name}")
        target = dest.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        expected = store.download(obj["Key"], target).get("sha256")
        if expected and sha256_file(target) != expected:
            raise OSError(f"{name}: staged copy does not match its checksum")
        tops.add(rel.parts[0])
    if len(tops) != 1:
        raise FileNotFoundError(f"{where}: {len(tops)} staged dossiers (expected one)")
    return dest / tops.pop()


def put_json(store: Store, key: str, data: dict) -> None:
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    store.put(key, body, hashlib.sha256(body).hexdigest(), content_type="application/json")


def get_json(store: Store, key: str) -> dict | None:
    got = store.get(key)
    return None if got is None else json.loads(got[0])


def save_page(store: Store, where: str, number: int, data: dict) -> None:
    put_json(store, f"{where}pages/{number:04d}.json", data)


def load_pages(store: Store, where: str) -> dict[int, dict]:
    """Every page checkpoint of a dossier, by page number."""
    out = {}
    for obj in store.list(where + "pages/"):
        data = get_json(store, obj["Key"])
        if data is not None:
            out[int(PurePosixPath(obj["Key"]).stem)] = data
    return out


def beat(store: Store, where: str, run_id: str) -> None:
    put_json(store, where + "heartbeat", {"run": run_id, "at": now().isoformat()})


def last_beat(store: Store, where: str) -> tuple[str | None, dt.datetime | None]:
    data = get_json(store, where + "heartbeat")
    if not data:
        return None, None
    return data.get("run"), dt.datetime.fromisoformat(data["at"])


def clear(store: Store, where: str) -> int:
    """Delete a dossier's staged objects (after it reached done/ or failed/)."""
    keys = [obj["Key"] for obj in store.list(where)]
    for key in keys:
        store.delete(key)
    return len(keys)


def seen_key(digest: str) -> str:
    return f"seen/{digest}.json"


def outcome_key(day: dt.date, commune: str, claim_id: str) -> str:
    return f"outcomes/{day.isoformat()}/{commune}/{claim_id}.json"


def outcomes(store: Store, day: dt.date) -> list[dict]:
    return [d for obj in store.list(f"outcomes/{day.isoformat()}/") if (d := get_json(store, obj["Key"]))]


def queue_key(commune: str) -> str:
    return f"queues/{commune}.json"


def now() -> dt.datetime:
    """UTC, to the second: the time in staging objects, receipts and outcomes."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)

