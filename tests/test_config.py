"""Settings: the documented YAML defaults equal the built-in ones; env and files override."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.core import settings as config

REPO = Path(__file__).resolve().parents[1]


def test_yaml_lists_exactly_the_defaults(monkeypatch) -> None:
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    documented = yaml.safe_load((REPO / "configs" / "sohoa.yaml").read_text())
    assert documented == config.Settings().model_dump(mode="json")


def test_environment_overrides(monkeypatch) -> None:
    monkeypatch.setenv("SOHOA_OCR__LANGUAGE", "vie+eng")
    monkeypatch.setenv("SOHOA_OCR__JOBS", "3")
    settings = config.Settings()
    assert settings.ocr.language == "vie+eng" and settings.ocr.jobs == 3


def test_file_then_explicit_overrides(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    path = tmp_path / "c.yaml"
    path.write_text("ocr:\n  psm: 6\n  language: eng\ninput:\n  max_pixels: 1000\n")
    settings = config.load(path, ocr={"language": "vie"})
    assert settings.ocr.psm == 6  # from the file
    assert settings.ocr.language == "vie"  # the command line wins
    assert settings.input.max_pixels == 1000
