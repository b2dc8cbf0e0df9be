"""What a clerk reads in ``done/`` and ``failed/``: plain Vietnamese, no codes, no traces.

``KET-QUA.txt`` says what was archived, which fields a person should check and where to see
them; ``reason.txt`` (written by ``WatchFolder.finish_failed``) says what was wrong."""

from __future__ import annotations

from pipeline.intake.watch import Claim

# The record's field names as a clerk knows them (NĐ 30/2020).
FIELD_NAMES = {
    "typeName": "tên loại văn bản",
    "typeCode": "loại văn bản (viết tắt)",
    "codeNumber": "số văn bản",
    "codeNotation": "ký hiệu văn bản",
    "issuedDate": "ngày ban hành",
    "issuedPlace": "địa danh",
    "organName": "cơ quan ban hành",
    "subject": "trích yếu nội dung",
    "signer.position": "chức vụ người ký",
    "signer.fullName": "họ tên người ký",
}


def field_name(name: str) -> str:
    return FIELD_NAMES.get(name, name)


def review_reason(reason: str) -> str:
    """A review reason in Vietnamese: not found, or found but not sure."""
    return "không tìm thấy trên trang" if "not found" in reason.lower() else "đọc được nhưng chưa chắc chắn"


def result_text(claim: Claim, receipt: dict, run_name: str | None = None) -> str:
    """``KET-QUA.txt``: the result of one dossier, for the clerk who dropped it."""
    docs = receipt.get("documents") or []
    where = f"s3://{receipt.get('bucket')}/{receipt.get('key')}"
    lines = [f"KẾT QUẢ SỐ HÓA HỒ SƠ: {claim.shown()}", ""]
    if receipt.get("duplicate"):
        lines += ["Hồ sơ này đã được lưu trữ trước đó (cùng nội dung); không lưu thêm bản nào.", ""]
    else:
        lines += ["Đã lưu trữ xong, đã kiểm tra lại bản lưu trong kho.", ""]
    lines += [
        f"- Số trang: {receipt.get('pages', '?')}",
        f"- Số văn bản: {len(docs)}",
        f"- Nơi lưu: {where}",
    ]
    if receipt.get("verifiedAt"):
        lines.append(f"- Thời điểm kiểm tra: {receipt['verifiedAt']}")
    lines.append("")
    for doc in docs:
        pages = doc.get("pages") or []
        span = f"trang {pages[0]}–{pages[1]}" if len(pages) == 2 and pages[0] != pages[1] else (
            f"trang {pages[0]}" if pages else "")
        signed = "có chữ ký số" if doc.get("signed") else "chưa ký số"
        lines.append(f"Văn bản {doc.get('file', '?')} ({span}, {signed})")
    review = [(doc, item) for doc in docs for item in doc.get("needsReview") or []]
    strays = [f["file"] for f in receipt.get("setAside") or [] if not f.get("junk")]
    lines.append("")
    if review or strays:
        lines += ["CẦN KIỂM TRA: máy chưa đọc chắc chắn các mục sau, xin người có thẩm quyền xem lại:", ""]
        for doc, item in review:
            lines.append(f"- {doc.get('file', '?')}: {field_name(item.get('field', '?'))}: "
                         f"{review_reason(item.get('reason', ''))}")
        for name in strays:
            lines.append(f"- {name}: không phải ảnh trang hay tệp PDF nên không được lưu trữ; "
                         "xin xem đây có phải một phần của hồ sơ không")
        lines += ["", "Xem ở đâu: trang Prefect của người vận hành, mục Flow runs → "
                  f"{run_name or 'hoso-' + claim.commune + '-…'} → Artifacts (bảng văn bản và các mục cần kiểm tra)."]
    else:
        lines.append("Không có mục nào cần kiểm tra.")
    if claim.notes:
        lines += ["", "Tệp không được xử lý (đã để riêng, vẫn nằm trong thư mục này):"]
        lines += [f"- {n}" for n in claim.notes]
    lines += ["", "Bản quét gốc của anh/chị nằm nguyên trong thư mục này. "
              "Chi tiết kỹ thuật (mã kiểm tra, khóa lưu trữ) ở tệp receipt.json.", ""]
    return "\n".join(lines)
