"""Settings: built-in defaults, then a YAML file, then ``SOHOA_*`` environment variables.

``configs/sohoa.yaml`` in the repository lists every default (a test keeps it
equal to these models). Nested settings take ``__`` in the environment:
``SOHOA_OCR__LANGUAGE=vie``, ``SOHOA_OCR__TESSDATA_DIR=/opt/tessdata``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)


class OcrSettings(BaseModel):
    language: str = Field("vie", description="Tesseract language(s), e.g. 'vie' or 'vie+eng'")
    tessdata_dir: Path | None = Field(
        None, description="folder with .traineddata models; empty: Tesseract's own"
    )
    psm: int = Field(3, description="Tesseract page segmentation mode")
    timeout_seconds: float = Field(600, description="a page taking longer is an error")
    jobs: int | None = Field(None, description="parallel OCR processes; empty: the CPU count")


class InputSettings(BaseModel):
    max_pixels: int = Field(
        250_000_000, description="pixels per page above which a file is refused (bomb guard)"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOHOA_", env_nested_delimiter="__")

    commune: str | None = Field(
        None, description="the commune this dossier or watch folder belongs to: 5-digit 2025 code"
    )
    ocr: OcrSettings = OcrSettings()
    input: InputSettings = InputSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first: explicit values, environment, then the YAML file.
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls))


def load(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from an optional YAML file (or $SOHOA_CONFIG); explicit overrides win."""
    path = config_file or (Path(os.environ["SOHOA_CONFIG"]) if os.environ.get("SOHOA_CONFIG") else None)
    if path is None:
        return Settings(**overrides)
    if not path.is_file():
        raise FileNotFoundError(path)

    class FromFile(Settings):
        model_config = SettingsConfigDict(**{**Settings.model_config, "yaml_file": path})

    return FromFile(**overrides)
