"""``bench.run --flows`` on two dossiers: the whole local stack started by the commands a user
runs (``sohoa dev-pki``, ``sohoa storage up``, ``sohoa server``, ``sohoa serve``), the
dossiers through ``sohoa process`` and through the watch folder, and the figures written."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bench import flows

pytestmark = pytest.mark.flows


@pytest.fixture
def out(tmp_path: Path):
    """Run as root, PostgreSQL runs as `postgres`, who cannot pass pytest's 0700 folders."""
    if os.geteuid() != 0:
        yield tmp_path
        return
    top = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    top.chmod(0o755)
    try:
        yield top
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_the_flows_benchmark_runs_the_clerks_path_end_to_end(out: Path, tmp_path: Path) -> None:
    figures = tmp_path / "flows.json"
    page = tmp_path / "benchmark.md"
    page.write_text("# Benchmark\n\nBy hand.\n", encoding="utf-8")
    flows.main(["--dossiers", "2", "--latency-runs", "1", "--stable-seconds", "1", "--out", str(out),
                "--json", str(figures), "--docs-md", str(page)])  # its exit code: the targets, machine-bound

    got = json.loads(figures.read_text(encoding="utf-8"))
    assert got["dossiers"] == 2 and got["pages"] >= 4
    assert got["commandsSeconds"] > 0 and got["flowsSeconds"] > 0
    [single] = got["latencies"]
    # Drop → done/ takes at least the quiet period and the OCR; a run's own OCR time is recorded.
    assert single["seconds"] > 1 + single["ocrSeconds"] * 0.5 and single["runOcrSeconds"] > 0
    assert got["database"] == "postgres"  # sohoa server --database postgres, its own cluster
    assert got["cpuFlows"]["Prefect server"] > 0 and got["cpuFlows"]["worker + page processes"] > 0
    done = list((out / "flows" / "state" / "watch" / "done").iterdir())
    assert len(done) == 4  # the warm-up, the two, the single: each with its receipt
    assert all((d / "receipt.json").is_file() for d in done)
    text = page.read_text(encoding="utf-8")
    assert "By hand." in text and "<!-- bench.flows:begin -->" in text and "flows / commands:" in text
