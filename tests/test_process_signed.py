"""``sohoa process`` with signing on: every document signed, verified, still PDF/A, nothing leaked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.sign import devpki, verify_file
from synth import make_dossier, write_multitiff
from tests import pdfsig
from tests.conftest_signing import dev_pki  # noqa: F401 - the live TSA fixture


def test_multi_document_dossier_signed_end_to_end(dev_pki, tmp_path: Path) -> None:  # noqa: F811
    dossier = make_dossier(seed=41, n_docs=2, pages_per_doc=1, profile="photocopy", dpi=200)
    source = write_multitiff(tmp_path / "ho-so.tif", dossier)
    out = tmp_path / "out"
    env = {
        **os.environ,
        devpki.PASSWORD_ENV: dev_pki.password(),
        # A file left open to the garbage collector once broke a later PDF/A check.
        "PYTHONWARNINGS": "always::ResourceWarning",
    }
    result = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "process", str(source), "-o", str(out), "-q",
         "--config", str(dev_pki.config_file)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "ResourceWarning" not in result.stderr
    assert "DEVELOPMENT ONLY" in result.stderr  # the dev key is never used silently
    assert dev_pki.password() not in result.stdout + result.stderr

    rec = json.loads((out / "record.json").read_text(encoding="utf-8"))
    assert len(rec["outputs"]) == 2
    for output in rec["outputs"]:
        path = out / output["file"]
        assert output["signature"]["level"] == "B-T"
        assert output["signature"]["timestampTime"] is not None
        report = verify_file(path, [dev_pki.root_cert])
        assert report.ok, report.to_text()
        (second,) = pdfsig.check(path).signatures
        assert second.valid and second.total_document_signed, second
