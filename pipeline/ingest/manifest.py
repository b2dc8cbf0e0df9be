"""The clerk's manifest: an optional ``ho-so.yaml`` beside the pages.

A clerk can give the dossier fields that no scan shows (paperFileCode, title,
maintenance, mode, format, description, the commune) and correct any
document's fields or page ranges. What the manifest says wins over
extraction. A malformed manifest is an error that names the line.

    dossier:
      fileCode: "000.00.00.H01.2025.01"
      title: Hồ sơ rà soát đất đai năm 2025
      maintenance: "01"        # or: vĩnh viễn
      commune: "00583"
    documents:
      - docOrdinal: 2
        pages: [3, 4]
        subject: Về việc rà soát, số hóa hồ sơ đất đai
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.core.errors import InputFileError

FILE_NAMES = ("ho-so.yaml", "ho-so.yml", "manifest.yaml", "manifest.yml")

# TT 05/2025 code lists, with the words a clerk may write instead of the code.
MAINTENANCE = {"01": "vĩnh viễn", "02": "70 năm", "03": "50 năm", "04": "30 năm",
               "05": "20 năm", "06": "10 năm", "07": "khác"}
MODE = {"01": "công khai", "02": "sử dụng có điều kiện", "03": "mật"}
FORMAT = {"01": "tốt", "02": "bình thường", "03": "hỏng"}


def _code(value: Any, codes: dict[str, str], what: str) -> str:
    text = unicodedata.normalize("NFC", str(value)).strip()
    if text.isdigit() and f"{int(text):02d}" in codes:
        return f"{int(text):02d}"
    for code, words in codes.items():
        if text.casefold() == words.casefold():
            return code
    allowed = ", ".join(f"{c} ({w})" for c, w in codes.items())
    raise ValueError(f"{what} must be one of {allowed}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class DossierFields(_Strict):
    fileCode: str | None = Field(None, max_length=100)
    paperFileCode: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=1000)
    maintenance: str | None = None
    mode: str | None = None
    format: str | None = None
    description: str | None = Field(None, max_length=2000)
    commune: str | None = None

    @field_validator("maintenance", mode="before")
    @classmethod
    def _maintenance(cls, v: Any) -> Any:
        return None if v is None else _code(v, MAINTENANCE, "maintenance")

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, v: Any) -> Any:
        return None if v is None else _code(v, MODE, "mode")

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, v: Any) -> Any:
        return None if v is None else _code(v, FORMAT, "format")

    @field_validator("fileCode", "paperFileCode", "commune", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return None if v is None else str(v)


class Signer(_Strict):
    position: str | None = Field(None, max_length=100)
    fullName: str | None = Field(None, max_length=50)


class DocumentFields(_Strict):
    docOrdinal: int = Field(ge=1)
    pages: tuple[int, int] | None = None
    typeName: str | None = None
    typeCode: str | None = None
    codeNumber: str | None = Field(None, max_length=11)
    codeNotation: str | None = Field(None, max_length=30)
    issuedDate: dt.date | None = None
    issuedPlace: str | None = None
    organName: str | None = Field(None, max_length=200)
    subject: str | None = Field(None, max_length=500)
    signer: Signer | None = None

    @field_validator("codeNumber", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        # YAML reads 08 as a number; a document number keeps its leading zero.
        if isinstance(v, int):
            return f"{v:02d}"
        return v

    @field_validator("pages")
    @classmethod
    def _range(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not 1 <= v[0] <= v[1]:
            raise ValueError("pages must be [first, last] with 1 ≤ first ≤ last")
        return v


class Manifest(_Strict):
    version: Literal[1] = 1
    dossier: DossierFields = DossierFields()
    documents: list[DocumentFields] = []

    @field_validator("documents")
    @classmethod
    def _unique(cls, docs: list[DocumentFields]) -> list[DocumentFields]:
        ordinals = [d.docOrdinal for d in docs]
        if len(set(ordinals)) != len(ordinals):
            raise ValueError("each docOrdinal may appear only once")
        ranged = sorted(d.pages for d in docs if d.pages)
        for (_, last), (first, _) in zip(ranged, ranged[1:]):
            if first <= last:
                raise ValueError("document page ranges overlap")
        return docs

    def split(self, page_count: int, path: Path) -> list[tuple[int, int]] | None:
        """The clerk's page ranges, when given, checked against the dossier."""
        ranged = sorted((d.docOrdinal, d.pages) for d in self.documents if d.pages)
        if not ranged:
            return None
        ranges = [pages for _, pages in ranged]
        expected_first = 1
        for first, last in ranges:
            if first != expected_first or last > page_count:
                raise InputFileError(
                    f"the documents' page ranges must cover pages 1–{page_count} in order "
                    f"without gaps (found {ranges})",
                    f"các khoảng trang của văn bản phải phủ đủ trang 1–{page_count} theo thứ tự, "
                    f"không hở (đang là {ranges})",
                    path,
                )
            expected_first = last + 1
        if expected_first != page_count + 1:
            raise InputFileError(
                f"the documents' page ranges end at page {expected_first - 1}, "
                f"the dossier has {page_count}",
                f"khoảng trang văn bản dừng ở trang {expected_first - 1}, hồ sơ có {page_count} trang",
                path,
            )
        return ranges

    def document(self, ordinal: int) -> DocumentFields | None:
        return next((d for d in self.documents if d.docOrdinal == ordinal), None)


def find(dossier: Path) -> Path | None:
    if not dossier.is_dir():
        return None
    found = [dossier / name for name in FILE_NAMES if (dossier / name).is_file()]
    if len(found) > 1:
        raise InputFileError(
            "more than one manifest file: keep only ho-so.yaml",
            "có nhiều hơn một tệp khai báo: chỉ giữ ho-so.yaml",
            dossier,
        )
    return found[0] if found else None


def load(path: Path) -> Manifest:
    """Read and check a manifest; every error names its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError("is not UTF-8 text", "không phải văn bản UTF-8", path) from e
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        dong = f"dòng {mark.line + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise InputFileError(f"{line}not valid YAML ({problem})", f"{dong}sai cú pháp YAML ({problem})", path) from e
    if data is None:
        return Manifest()
    if not isinstance(data, dict):
        raise InputFileError("line 1: expected 'dossier:' and 'documents:' sections",
                             "dòng 1: cần các mục 'dossier:' và 'documents:'", path)
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        at = _line_of(node, first["loc"])
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise InputFileError(
            f"line {at}: {where}: {message}", f"dòng {at}: {where}: {message}", path
        ) from e


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 1-based line of the YAML node at a validation error's location."""
    line = node.start_mark.line + 1 if node is not None else 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                key_node = next((k for k, _ in node.value if k.value == key), None)
                return key_node.start_mark.line + 1 if key_node else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line
