"""The fields a reviewer sees: their Vietnamese labels, values as text, and why each is flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.record import Document, Record

# needsReview names (as the extraction writes them) → Vietnamese label
DOCUMENT_FIELDS = {
    "typeName": "Tên loại văn bản",
    "typeCode": "Viết tắt tên loại",
    "codeNumber": "Số văn bản",
    "codeNotation": "Ký hiệu",
    "issuedDate": "Ngày ban hành (ngày/tháng/năm)",
    "issuedPlace": "Địa danh",
    "organName": "Cơ quan ban hành",
    "subject": "Trích yếu nội dung",
    "signer.position": "Chức vụ người ký",
    "signer.fullName": "Họ tên người ký",
}
DOSSIER_FIELDS = {
    "title": "Tiêu đề hồ sơ",
    "maintenance": "Thời hạn bảo quản (01 vĩnh viễn … 07)",
    "mode": "Chế độ sử dụng (01 công khai, 02 hạn chế, 03 mật)",
}
_ATTRIBUTE = {"signer.position": ("signer", "position"), "signer.fullName": ("signer", "full_name")}
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")

# The extraction's reasons are English phrases; the reviewer reads Vietnamese first.
_REASONS_VI = [
    (re.compile(r"^no retention"), "hồ sơ chưa có thời hạn bảo quản"),
    (re.compile(r"^no access mode"), "hồ sơ chưa có chế độ sử dụng"),
    (re.compile(r"^not found$|^no "), "máy không tìm thấy trên trang"),
    (re.compile(r"low (OCR )?confidence|^low\b"), "máy đọc chưa chắc chắn"),
    (re.compile(r"not all name-like"), "có chữ không giống tên người"),
    (re.compile(r"heading .* and notation"), "tên loại và ký hiệu không khớp nhau"),
    (re.compile(r"taken for a công văn"), "không có tên loại, tạm coi là công văn"),
    (re.compile(r"repaired|corrected|spelling"), "máy đã sửa chính tả, cần xem lại"),
    (re.compile(r"disagree|readings"), "các lần đọc không khớp nhau"),
]


@dataclass(frozen=True)
class Flag:
    """One field to review: of a document (its docOrdinal) or of the dossier (None)."""

    document: int | None
    field: str
    value: str | None
    reason: str  # as recorded (English)
    reason_vi: str
    label: str
    pages: tuple[int, int]


def label(field: str) -> str:
    return DOCUMENT_FIELDS.get(field) or DOSSIER_FIELDS.get(field) or field


def reason_vi(reason: str) -> str:
    for pattern, vi in _REASONS_VI:
        if pattern.search(reason):
            return vi
    return "máy chưa chắc chắn"


def attribute(field: str) -> tuple[str, ...]:
    """A needsReview name → the attribute path on the model (``signer.fullName`` → signer.full_name)."""
    return _ATTRIBUTE.get(field) or (_SNAKE.sub("_", field).lower(),)


def value_of(obj: object, field: str) -> str | None:
    for name in attribute(field):
        obj = getattr(obj, name)
        if obj is None:
            return None
    if hasattr(obj, "isoformat"):
        return obj.strftime("%d/%m/%Y")  # type: ignore[attr-defined]
    return str(obj)


def flagged(rec: Record) -> list[Flag]:
    """What a reviewer should look at: the documents' needsReview, and the dossier's
    missing retention and access mode."""
    pages = (1, max(1, len(rec.pages)))
    out = []
    for name, reason in (("maintenance", "no retention period (maintenance)"), ("mode", "no access mode")):
        if getattr(rec.dossier, name) is None:
            out.append(Flag(None, name, None, reason, reason_vi(reason), label(name), pages))
    for doc in rec.documents:
        out.extend(_document_flags(doc))
    return out


def _document_flags(doc: Document) -> list[Flag]:
    return [
        Flag(doc.doc_ordinal, r.field, value_of(doc, r.field), r.reason, reason_vi(r.reason),
             label(r.field), doc.pages)
        for r in doc.needs_review
    ]
