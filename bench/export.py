"""Benchmark: ``sohoa export-sip`` over a generated archive.

    .venv/bin/python -m bench.export [--dossiers 1000] [--eark-sample N] [--work DIR]

Starts its own SeaweedFS (free port, data under ``--work``), commits ``--dossiers`` realistic
dossiers (``bench.archived``: small JPEG scans, a real PDF/A per document, text, hOCR, a
schema-checked record.json, through ``pipeline.archive.archive_dossier``), then exports
every one to a folder with one process, timing it: dossiers per second of wall-clock time,
and per second of the exporting process's CPU time (its threads included) — the per-core
figure, since the store runs on the same machine. Each package is validated while it is
made (METS, PREMIS and Dublin Core against the schemas, bagit, every checksum against the
archive); afterwards every .zip is checked again from scratch (``sohoa check-sip``'s check)
and the E-ARK validator (``.venv-eark``) runs on all of them (or ``--eark-sample`` chosen at random).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from bench.archived import archive_dossiers
from pipeline import archive, export
from pipeline.archive import embedded

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--eark-sample", type=int, help="packages the E-ARK validator checks (default: all)")
    parser.add_argument("--work", type=Path, help="where the store and the packages go (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-export-", dir=args.work) as tmp:
        return run(Path(tmp), args.dossiers, args.eark_sample)


def run(work: Path, count: int, sample: int | None) -> int:
    root = work / "seaweedfs"
    embedded.up(root, s3_port=embedded.free_port(), timeout=60)
    try:
        creds = embedded.read_credentials(root)
        store = archive.Store(archive.Connection(
            endpoint=creds.endpoint, bucket=f"bench-{uuid.uuid4().hex[:8]}", region=creds.region,
            access_key=creds.access_key, secret_key=creds.secret_key,
        ))
        store.ensure_bucket(object_lock=True)
        started = time.perf_counter()
        keys = archive_dossiers(store, work / "dossiers", count)
        print(f"archived {count} dossiers in {time.perf_counter() - started:.0f} s")

        out = work / "packages"
        export.warm_up()
        cpu, wall = time.process_time(), time.perf_counter()
        results = list(export.export_many(store, [(k, None) for k in keys], output_dir=out))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        files = sum(r.files for r in results)
        size = sum(r.bytes for r in results)
        print(f"exported {len(results)} packages ({files} files, {size / 1e6:.1f} MB) in {wall:.1f} s: "
              f"{len(results) / wall:.1f} dossiers/s wall-clock, {len(results) / cpu:.1f} dossiers per CPU-second "
              f"({1000 * cpu / len(results):.1f} ms CPU each)")

        checked = time.perf_counter()
        invalid = {r.location: p for r in results if (p := export.check_package(Path(r.location)))}
        print(f"check-sip on all {len(results)}: {len(invalid)} invalid ({time.perf_counter() - checked:.0f} s)")
        for location, problems in list(invalid.items())[:5]:
            print(f"  {location}: {problems[:3]}")

        eark = _eark(results, sample, work / "unzipped")
        print(json.dumps({"dossiers": count, "wallSeconds": round(wall, 2), "cpuSeconds": round(cpu, 2),
                          "dossiersPerSecond": round(count / wall, 1), "dossiersPerCpuSecond": round(count / cpu, 1),
                          "invalid": len(invalid), **eark}))
        return 1 if invalid or eark.get("earkErrors") else 0
    finally:
        embedded.down(root, timeout=10)


def _eark(results: list[export.ExportResult], sample: int | None, into: Path) -> dict:
    python = REPO / ".venv-eark" / "bin" / "python"
    sample = len(results) if sample is None else sample
    if sample <= 0 or not python.is_file():
        print("E-ARK validator: not run (no .venv-eark: scripts/setup.sh installs it)")
        return {}
    chosen = random.Random(2025).sample(results, min(sample, len(results)))
    paths = []
    for r in chosen:
        with zipfile.ZipFile(r.location) as z:
            z.extractall(into)
        paths.append(str(into / r.objid / "data" / r.objid))
    started = time.perf_counter()
    run = subprocess.run([str(python), str(REPO / "tests" / "eark_validate.py"), *paths],
                         capture_output=True, text=True, timeout=3600)
    reports = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    # SIP14 is the validator's own contradiction (see tests/test_export.py): counted apart.
    errors = [e for rep in reports for e in rep["errors"] if not e.startswith("SIP14 ")]
    sip14 = sum(1 for rep in reports for e in rep["errors"] if e.startswith("SIP14 "))
    print(f"E-ARK validator on {len(reports)} packages: {len(errors)} errors "
          f"(and SIP14, its own contradiction, {sip14} times) in {time.perf_counter() - started:.0f} s")
    for e in errors[:5]:
        print(f"  {e}")
    return {"earkChecked": len(reports), "earkErrors": len(errors), "earkSip14": sip14}


if __name__ == "__main__":
    raise SystemExit(main())
