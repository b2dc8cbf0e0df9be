"""The programs sohoa starts get this process's environment without its secrets: the S3 keys,
the signing password and the Prefect auth string stay in sohoa."""

from __future__ import annotations

from pathlib import Path


def test_tesseract_runs_without_this_processs_secrets(tmp_path: Path, monkeypatch) -> None:
    """pytesseract's own runs (the version check, the fallback without the library) get the
    environment without the S3 keys, signing password and Prefect auth string."""
    import pytesseract

    from pipeline._exec import tesseract as tesseract_exec

    seen = tmp_path / "environment"
    fake = tmp_path / "tesseract"
    fake.write_text(f'#!/bin/sh\nenv > "{seen}"\necho "tesseract 5.3.0"\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(fake))
    monkeypatch.setenv("SOHOA_STORAGE__SECRET_KEY", "s3-secret-value")
    monkeypatch.setenv("PREFECT_API_AUTH_STRING", "sohoa:prefect-secret")
    monkeypatch.setenv("SOHOA_SIGNING__PKCS12_PASSWORD", "p12-secret")
    monkeypatch.setenv("LANG_FOR_THE_TEST", "kept")
    assert tesseract_exec.pytesseract is pytesseract
    assert str(pytesseract.get_tesseract_version()) == "5.3.0"
    environment = seen.read_text(encoding="utf-8")
    assert "LANG_FOR_THE_TEST=kept" in environment
    assert not [v for v in ("s3-secret-value", "prefect-secret", "p12-secret") if v in environment]
