"""``record.json``: what was made from a dossier, and how, for people and machines."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

SCHEMA_VERSION = "0.1.0"


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class SourceFile(_Model):
    file: str = Field(description="path relative to the dossier")
    bytes: int
    sha256: str


class PageOcr(_Model):
    engine: str
    words: int
    mean_confidence: float | None = Field(description="0–100, over the page's words")
    seconds: float


class PageRecord(_Model):
    number: int = Field(description="1-based position in the dossier")
    source: str
    index_in_source: int
    width_px: int
    height_px: int
    dpi: tuple[float, float]
    dpi_assumed: bool
    embedding: str = Field(description="how the original pixels were put in the PDF")
    rotation: int = Field(description="clockwise turn the page shows (/Rotate)")
    skew_degrees: float
    cleanup: list[str]
    ocr: PageOcr | None = Field(description="null: the page already had text")
    warnings: list[str]


class OutputFile(_Model):
    file: str
    bytes: int
    sha256: str
    pages: tuple[int, int] = Field(description="first and last dossier page, 1-based")
    pdfa: str = "2b"
    validated_by: str


class Engine(_Model):
    sohoa: str
    tesseract: str
    language: str
    model_file: str
    model_sha256: str
    opencv: str
    pikepdf: str


class Timings(_Model):
    probe: float
    ocr: float
    pdf: float
    total: float
    pages_per_second: float


class Record(_Model):
    schema_version: str = SCHEMA_VERSION
    dossier_id: str
    title: str
    created: datetime
    input: str
    sources: list[SourceFile]
    pages: list[PageRecord]
    outputs: list[OutputFile]
    engine: Engine
    timings: Timings
    warnings: list[str]

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
