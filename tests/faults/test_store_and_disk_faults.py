"""The store stopped mid-upload, a full disk, a clock hours off: each run ends with the dossier
archived exactly once, or failed with a clear reason (and archived once when run again), and
the inputs untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import archive
from pipeline.archive import embedded
from pipeline.core.errors import ExitCode
from tests.conftest import draw_page
from tests.conftest_signing import dev_pki  # noqa: F401
from tests.faults.helpers import (
    REPO,
    archive_in_child,
    assert_archived_once,
    assert_not_archived,
    fingerprints,
    signed_dossier,
)
from tests.seaweed import Seaweed, seaweed  # noqa: F401

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


@pytest.fixture
def own_store(tmp_path: Path):
    """A SeaweedFS of its own, to be stopped and started again."""
    root = tmp_path / "store"
    embedded.up(root, s3_port=embedded.free_port(), timeout=60)
    try:
        yield Seaweed(root, embedded.read_credentials(root))
    finally:
        embedded.down(root, timeout=5)


def test_store_stopped_mid_upload(own_store: Seaweed, dev_pki, tmp_path: Path) -> None:  # noqa: F811
    store = own_store.bucket(object_lock=True)
    first = signed_dossier(dev_pki, tmp_path / "first")
    inputs = fingerprints(first.sources, first.out)
    pause = tmp_path / "paused"
    child = subprocess.Popen(
        [sys.executable, str(REPO / "tests/faults/_archive_child.py"), str(first.out), "0"],
        env={**os.environ, **_store_env(own_store, store.bucket), "FAULT_PAUSE_AFTER": "5",
             "FAULT_PAUSE_FILE": str(pause)},
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not pause.exists():
            assert child.poll() is None and time.monotonic() < deadline, child.communicate()
            time.sleep(0.05)
        embedded.down(own_store.root, timeout=5)  # five objects in, the store goes away
        pause.unlink()
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == ExitCode.storage_unavailable, err
    assert "không trả lời" in err and "did not answer" in err and "nothing was committed" in err

    port = int(own_store.creds.endpoint.rsplit(":", 1)[1])
    embedded.up(own_store.root, s3_port=port, timeout=60)
    assert_not_archived(store, first.rec)
    again = signed_dossier(dev_pki, tmp_path / "again")
    assert archive.archive_dossier(store, again.out, again.rec).status == "committed"
    assert_archived_once(store, first.rec)
    assert fingerprints(first.sources, first.out) == inputs


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="libfaketime is not installed (apt install faketime)")
def test_clock_hours_off_fails_with_the_reason_then_archives_once(
    seaweed: Seaweed, tmp_path: Path  # noqa: F811
) -> None:
    from tests.seaweed import make_dossier

    store = seaweed.bucket(object_lock=True)
    out, rec = make_dossier(tmp_path)
    inputs = fingerprints(Path(rec.input), out)
    for skew, way in (("+2h", "ahead of"), ("-3h", "behind")):
        run = archive_in_child(seaweed, store.bucket, out, LD_PRELOAD=str(LIBFAKETIME), FAKETIME=skew)
        assert run.returncode == ExitCode.storage_access, run.stderr
        assert f"minutes {way} the store's" in run.stderr and "đồng hồ" in run.stderr, run.stderr
        assert "wrong access key" not in run.stderr
        assert_not_archived(store, rec)
        assert not list(store.list(""))
    # A few minutes off is within what S3 allows: archived once, and once only.
    run = archive_in_child(seaweed, store.bucket, out, LD_PRELOAD=str(LIBFAKETIME), FAKETIME="-4m")
    assert run.returncode == 0 and run.stdout.split()[0] == "committed", run.stderr
    run = archive_in_child(seaweed, store.bucket, out, LD_PRELOAD=str(LIBFAKETIME), FAKETIME="+4m")
    assert run.returncode == 0 and run.stdout.split()[0] == "unchanged", run.stderr
    assert_archived_once(store, rec)
    assert fingerprints(Path(rec.input), out) == inputs


def _store_env(seaweed: Seaweed, bucket: str) -> dict[str, str]:  # noqa: F811
    return {
        "PYTHONPATH": str(REPO),
        "FAULT_S3_ENDPOINT": seaweed.creds.endpoint,
        "FAULT_S3_BUCKET": bucket,
        "FAULT_S3_ACCESS_KEY": seaweed.creds.access_key,
        "FAULT_S3_SECRET_KEY": seaweed.creds.secret_key,
    }


def _can_mount_tmpfs() -> bool:
    """A tmpfs in a mount namespace of our own: root, or an unprivileged user namespace."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && echo ok"],
        capture_output=True, text=True, check=False, timeout=30,
    )
    return probe.stdout.strip() == "ok"


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="no tmpfs: unshare cannot mount in a namespace here")
def test_disk_full_while_writing_the_results(tmp_path: Path) -> None:
    """``sohoa process`` writing to a tmpfs half the size of the scan: the PDF/A does not fit."""
    dossier = tmp_path / "ho-so"
    dossier.mkdir()
    draw_page(dpi=300).save(dossier / "trang-1.jpg", dpi=(300, 300), quality=90)
    inputs = fingerprints(dossier)
    size_kb = max(8, (dossier / "trang-1.jpg").stat().st_size // 2048)
    mount = tmp_path / "full"
    mount.mkdir()
    script = (
        'mount -t tmpfs -o size="$4"k tmpfs "$1" || exit 99\n'
        '"$2" -m sohoa.cli process "$3" --output "$1/out" --quiet --jobs 1\n'
        'echo "exit=$?"\n'
        'find "$1" -type f | wc -l\n'
    )
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(mount), sys.executable, str(dossier),
         str(size_kb)],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    lines = run.stdout.split()
    assert lines[:1] == [f"exit={int(ExitCode.disk_full)}"], run.stdout + run.stderr
    assert lines[1] == "0"  # nothing half-written left on the full disk
    assert "ổ đĩa đã đầy" in run.stderr and "no space left" in run.stderr
    assert run.stderr.index("Lỗi:") < run.stderr.index("Error:")
    assert "Traceback" not in run.stderr
    assert fingerprints(dossier) == inputs
