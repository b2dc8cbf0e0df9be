"""``record.json``: what was made from a dossier, and how, for people and machines.

Field names follow TT 05/2025 (dossier: fileCode, maintenance…) and NĐ 30/2020
(document: typeName, codeNumber, codeNotation…). ``schemas/record.schema.json``
is generated from these models (``sohoa schema``) and every record is checked
against it before it is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

SCHEMA_VERSION = "1.1.0"  # 1.1: signer.authority, events (records of 1.0 still validate)
SCHEMA_ID = f"urn:sohoa:schema:record:{SCHEMA_VERSION}"


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
    text_file: str = Field(description="the page's OCR text, relative to the record")
    hocr_file: str = Field(description="hOCR with word boxes in the original scan's pixels")
    warnings: list[str]


class Signature(_Model):
    """The converting agency's PAdES signature (Law on E-Transactions 2023, art. 12)."""

    level: Literal["B-B", "B-T", "B-LT"]
    field: str = Field(description="signature field name in the PDF")
    signer: str = Field(description="certificate subject CN")
    agency: str | None = Field(description="certificate subject O")
    certificate_serial: str = Field(pattern=r"^[0-9a-f]+$", description="hexadecimal")
    certificate_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    issuer: str
    signing_time: datetime = Field(description="Asia/Ho_Chi_Minh, as on the mark")
    timestamp_time: datetime | None = Field(description="RFC 3161 time; null at B-B")
    timestamp_authority: str | None = Field(description="TSA certificate CN")
    visible: bool = Field(description="TT 05/2025 mark drawn on page 1")


class OutputFile(_Model):
    file: str
    bytes: int
    sha256: str
    pages: tuple[int, int] = Field(description="first and last dossier page, 1-based")
    pdfa: str = "2b"
    validated_by: str
    signature: Signature | None = Field(None, description="null: not signed (no key configured)")


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
    metadata: float
    pdf: float
    sign: float = 0.0
    total: float
    pages_per_second: float


class Commune(_Model):
    code: str = Field(pattern=r"^\d{5}$", description="mã xã/phường 2025 (QĐ 19/2025)")
    name: str
    province_code: str = Field(pattern=r"^\d{2}$", description="mã tỉnh/thành 2025")
    province_name: str


class Dossier(_Model):
    """Hồ sơ: TT 05/2025 dossier metadata."""

    file_code: str | None = Field(max_length=100, description="Mã hồ sơ")
    paper_file_code: str | None = Field(max_length=100, description="Mã hồ sơ gốc giấy")
    title: str = Field(max_length=1000, description="Tiêu đề hồ sơ")
    maintenance: str | None = Field(pattern=r"^0[1-7]$", description="Thời hạn bảo quản")
    mode: str | None = Field(pattern=r"^0[1-3]$", description="Chế độ sử dụng")
    language: str = Field("01", description="Ngôn ngữ: 01 tiếng Việt")
    confidence_level: Literal["02"] = Field("02", description="Mức độ tin cậy: 02 số hóa")
    format: str | None = Field(pattern=r"^0[1-3]$", description="Tình trạng vật lý")
    start_date: dt.date | None = Field(description="Thời gian bắt đầu: the earliest document")
    end_date: dt.date | None = Field(description="Thời gian kết thúc: the latest document")
    total_doc: int = Field(ge=0, description="Tổng số văn bản")
    number_of_page: int = Field(ge=0, description="Số lượng trang")
    description: str | None = Field(max_length=2000, description="Ghi chú")
    commune: Commune | None


class Signer(_Model):
    position: str | None = Field(max_length=100, description="Chức vụ người ký")
    full_name: str | None = Field(max_length=50, description="Họ tên người ký")
    authority: str | None = Field(
        default=None, max_length=120,
        description="Thẩm quyền ký, as printed above the position (TM. …, KT. …, TL. …, Q. …)",
    )


class Review(_Model):
    field: str
    reason: str


class Document(_Model):
    """Văn bản: NĐ 30/2020 and TT 05/2025 document metadata."""

    doc_ordinal: int = Field(ge=1, description="Số thứ tự văn bản trong hồ sơ")
    doc_code: str = Field(description="Mã văn bản: fileCode (or the dossier name) + ordinal")
    pages: tuple[int, int] = Field(description="first and last dossier page, 1-based, inclusive")
    type_name: str | None = Field(description="Tên loại văn bản, as printed")
    type_code: str | None = Field(description="NĐ 30 abbreviation, e.g. QĐ")
    code_number: str | None = Field(max_length=11, description="Số, leading zeros kept")
    code_notation: str | None = Field(max_length=30, description="Ký hiệu, e.g. QĐ-UBND")
    issued_date: dt.date | None = Field(description="Ngày ban hành")
    issued_place: str | None = Field(description="Địa danh")
    organ_name: str | None = Field(max_length=200, description="Cơ quan ban hành")
    subject: str | None = Field(max_length=500, description="Trích yếu nội dung")
    signer: Signer
    number_of_page: int = Field(ge=1)
    file: str = Field(description="the document's PDF/A file")
    confidence: dict[str, float] = Field(description="per field, 0–1; 1.0 when given by the clerk")
    source: dict[str, Literal["extracted", "manifest", "review"]] = Field(
        description="per field, where its value came from: read from the scan, the clerk's "
        "manifest, or a reviewer (see events)"
    )
    needs_review: list[Review] = Field(
        description="fields a person should check: not found (null) or not sure"
    )


class Event(_Model):
    """A person's decision on a field after processing (sohoa review): who, when, old and new."""

    type: Literal["correction", "confirmation"] = Field(
        description="correction: the value changed; confirmation: checked and left as it was"
    )
    at: datetime = Field(description="UTC")
    by: str = Field(description="the reviewer's user name")
    document: int | None = Field(description="the document's docOrdinal; null: a dossier field")
    field: str = Field(description="as in needsReview: subject, signer.fullName, maintenance…")
    old: str | None
    new: str | None
    reason: str | None = Field(description="the needsReview reason the decision cleared, if any")


class Record(_Model):
    schema_version: str = SCHEMA_VERSION
    dossier_id: str
    created: datetime
    input: str
    dossier: Dossier
    documents: list[Document]
    sources: list[SourceFile]
    pages: list[PageRecord]
    outputs: list[OutputFile]
    engine: Engine
    timings: Timings
    warnings: list[str]
    events: list[Event] = Field(
        default_factory=list, description="reviewers' corrections and confirmations, oldest first"
    )

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2) + "\n"


def published_schema(model: type[BaseModel], schema_id: str, title: str) -> dict:
    """A model's JSON Schema as sohoa publishes it: draft 2020-12, camelCase, with an $id."""
    schema = model.model_json_schema(by_alias=True, mode="serialization")
    schema.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **schema,
    }


def json_schema() -> dict:
    """The published JSON Schema (draft 2020-12) of ``record.json``."""
    return published_schema(Record, SCHEMA_ID, "sohoa record.json")


def validated_json(rec: Record) -> str:
    """The record as JSON, checked against the published schema first."""
    import jsonschema

    text = rec.to_json()
    error = jsonschema.exceptions.best_match(_validator().iter_errors(json.loads(text)))
    if error is not None:
        raise error
    return text


def warm_up() -> None:
    """Build the validator ahead of the first record."""
    _validator()


@functools.cache
def _validator():
    """One validator per process. ``jsonschema.validate`` would check the schema itself
    against the 2020-12 meta-schema on every call, which costs more than validating a
    record; the published schema is checked by the tests instead."""
    import jsonschema

    return jsonschema.Draft202012Validator(json_schema())


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
