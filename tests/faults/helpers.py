"""What every fault test needs: a signed dossier as processing leaves it, a child process that
archives it (and can be killed), and the end state every fault must leave: the dossier archived
exactly once (one committed record.json, one catalogue line, the audit clean) or not at all,
and the inputs untouched."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.archived import make_dossier
from pipeline import archive
from pipeline.archive import catalog
from pipeline.core.record import Record
from pipeline.sign import devpki
from tests.conftest_signing import document_signer, signing_settings
from tests.seaweed import Seaweed

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("_archive_child.py")


@dataclass
class Processed:
    out: Path
    rec: Record
    sources: Path


def signed_dossier(pki: devpki.DevPki, base: Path, number: int = 11) -> Processed:
    """A two-document dossier whose PDF/As are signed now (PAdES B-T, live timestamp): each
    call signs again, as processing the same scans again does."""
    os.environ[devpki.PASSWORD_ENV] = pki.password()
    try:
        with document_signer(signing_settings(pki, level="B-T")) as signer:
            out, rec = make_dossier(base, number, signer=signer)
    finally:
        del os.environ[devpki.PASSWORD_ENV]
    return Processed(out, rec, Path(rec.input))


def fingerprints(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file under the folders: to show the inputs were not touched."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def child_env(seaweed: Seaweed, bucket: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAULT_")}
    env.update(
        PYTHONPATH=str(REPO),
        FAULT_S3_ENDPOINT=seaweed.creds.endpoint,
        FAULT_S3_BUCKET=bucket,
        FAULT_S3_ACCESS_KEY=seaweed.creds.access_key,
        FAULT_S3_SECRET_KEY=seaweed.creds.secret_key,
        **extra,
    )
    return env


def archive_in_child(
    seaweed: Seaweed, bucket: str, out: Path, *, kill_after: int = 0, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHILD), str(out), str(kill_after)],
        env=child_env(seaweed, bucket, **env), cwd=REPO, capture_output=True, text=True,
        timeout=timeout, check=False,
    )


def assert_archived_once(store: archive.Store, rec: Record) -> str:
    """One committed version of the dossier, one catalogue line naming it, a clean audit."""
    key = archive.dossier_key(rec)
    records = [v for v in store.versions(key + archive.RECORD) if not v.get("DeleteMarker")]
    assert len(records) == 1, records
    lines = [e for e in catalog.iter_entries(store) if e.key == key]
    assert len(lines) == 1, lines
    assert lines[0].record_version_id == records[0]["VersionId"]
    report = archive.audit(store, dossier=key)
    assert report.ok, [(f.kind, f.key) for f in report.findings]
    return key


def assert_not_archived(store: archive.Store, rec: Record) -> None:
    key = archive.dossier_key(rec)
    assert store.head(key + archive.RECORD) is None
    assert not [e for e in catalog.iter_entries(store) if e.key == key]
