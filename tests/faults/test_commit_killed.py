"""SIGKILL at each step of the commit, with signing on: the archiving process dies right after
its Nth write to the store (each payload object, the manifest, record.json, the catalogue line).
The dossier is then processed again (signed again: new signing times, new PDF bytes) and
archived again, as the flow's retry does. Each time it ends archived exactly once."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from pipeline import archive
from tests.conftest_signing import dev_pki  # noqa: F401
from tests.faults.helpers import (
    archive_in_child,
    assert_archived_once,
    fingerprints,
    signed_dossier,
)
from tests.seaweed import Seaweed, seaweed  # noqa: F401

# 3 scans, 6 text files, 2 PDFs, the manifest, record.json, the catalogue line.
WRITES = 14


@pytest.fixture(scope="module")
def first(dev_pki, tmp_path_factory):  # noqa: F811
    return signed_dossier(dev_pki, tmp_path_factory.mktemp("first"))


def test_a_complete_signed_run_writes_fourteen_objects(seaweed: Seaweed, first) -> None:  # noqa: F811
    store = seaweed.bucket(object_lock=True)
    run = archive_in_child(seaweed, store.bucket, first.out)
    assert run.returncode == 0 and run.stdout.split() == ["committed", str(WRITES)], run.stderr


@pytest.mark.parametrize("kill_after", range(1, WRITES + 1))
def test_killed_after_each_write_then_processed_and_archived_again(
    seaweed: Seaweed, dev_pki, first, tmp_path: Path, kill_after: int  # noqa: F811
) -> None:
    store = seaweed.bucket(object_lock=True)
    inputs = fingerprints(first.sources, first.out)

    killed = archive_in_child(seaweed, store.bucket, first.out, kill_after=kill_after)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    again = signed_dossier(dev_pki, tmp_path)
    assert again.rec.dossier_id == first.rec.dossier_id
    assert again.rec.outputs[0].signature.signing_time != first.rec.outputs[0].signature.signing_time
    result = archive.archive_dossier(store, again.out, again.rec)

    committed_before = kill_after >= WRITES - 1  # record.json was written before the kill
    assert result.status == ("unchanged" if committed_before else "committed")
    if committed_before:
        assert result.uploaded == []  # nothing written at all, the catalogue line at most
    assert_archived_once(store, first.rec)
    assert archive.archive_dossier(store, again.out, again.rec).status == "unchanged"
    assert_archived_once(store, first.rec)
    assert fingerprints(first.sources, first.out) == inputs
