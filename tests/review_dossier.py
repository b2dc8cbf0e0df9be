"""An archived dossier that looks like a commune's decision: a page laid out as NĐ 30 asks,
in a real font, with hOCR word boxes where the words are drawn, and a field to review."""

from __future__ import annotations

import hashlib
import html
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bench.archived import make_dossier
from pipeline.core.record import Record, Review, validated_json

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi

# (x, y, size, bold, text); x None: centred
PAGE = [
    (90, 110, 26, False, "ỦY BAN NHÂN DÂN"), (90, 145, 26, True, "XÃ ĐỨC TRỌNG"),
    (110, 200, 24, False, "Số: {number}/QĐ-UBND"),
    (560, 110, 24, True, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), (640, 145, 24, True, "Độc lập - Tự do - Hạnh phúc"),
    (620, 200, 24, False, "Đức Trọng, ngày 5 tháng 3 năm 2024"),
    (None, 320, 34, True, "QUYẾT ĐỊNH"), (None, 370, 26, True, "Về việc giao đất ở cho hộ gia đình"),
    (None, 440, 26, True, "ỦY BAN NHÂN DÂN XÃ ĐỨC TRỌNG"),
    (140, 520, 24, False, "Căn cứ Luật Đất đai ngày 18 tháng 01 năm 2024;"),
    (140, 565, 24, False, "Xét đề nghị của công chức địa chính - xây dựng;"),
    (None, 640, 28, True, "QUYẾT ĐỊNH:"),
    (140, 710, 24, False, "Điều 1. Giao thửa đất số {number}, tờ bản đồ số 7, diện tích 120 m²"),
    (140, 755, 24, False, "cho hộ ông Trần Văn Hòa sử dụng vào mục đích đất ở."),
    (780, 1000, 26, True, "CHỦ TỊCH"), (740, 1200, 26, True, "Nguyễn Văn An"),
]


def page(number: int) -> tuple[bytes, str]:
    """The page as a JPEG, and its hOCR (a box per word, in the image's pixels)."""
    img = Image.new("L", (WIDTH, HEIGHT), 252)
    draw = ImageDraw.Draw(img)
    lines = []
    for x, y, size, bold, text in PAGE:
        text = text.format(number=number)
        font = ImageFont.truetype(BOLD if bold else FONT, size)
        if x is None:
            x = (WIDTH - draw.textlength(text, font=font)) // 2
        words, at = [], float(x)
        for word in text.split(" "):
            left, top, right, bottom = draw.textbbox((at, y), word, font=font)
            draw.text((at, y), word, font=font, fill=15)
            words.append((word, (int(left), int(top), int(right), int(bottom))))
            at += draw.textlength(word + " ", font=font)
        lines.append(words)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, dpi=(150, 150))
    spans = "".join(
        "<span class='ocr_line'>" + " ".join(
            f"<span class='ocrx_word' title='bbox {b[0]} {b[1]} {b[2]} {b[3]}; x_wconf 90'>{html.escape(w)}</span>"
            for w, b in line) + "</span>"
        for line in lines
    )
    hocr = ("<?xml version='1.0' encoding='UTF-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><head>"
            f"<meta charset='utf-8'/></head><body><div class='ocr_page' title='bbox 0 0 {WIDTH} {HEIGHT}'>"
            f"{spans}</div></body></html>\n")
    return buf.getvalue(), hocr


def decision_dossier(base: Path, number: int) -> tuple[Path, Record]:
    """``bench.archived``'s dossier (1 document, 1 page) with the page above; the signer's
    name and the subject are flagged (the subject misread), the dossier has no access mode."""
    out, rec = make_dossier(base, number, pages=1, documents=1)
    jpeg, hocr = page(number)
    src = Path(rec.input) / rec.sources[0].file
    src.write_bytes(jpeg)
    (out / rec.pages[0].hocr_file).write_text(hocr, encoding="utf-8")
    text = "\n".join(" ".join(t.format(number=number) for *_, t in [p]) for p in PAGE) + "\n"
    (out / rec.pages[0].text_file).write_text(text, encoding="utf-8")
    source = rec.sources[0].model_copy(update={"bytes": len(jpeg), "sha256": hashlib.sha256(jpeg).hexdigest()})
    pg = rec.pages[0].model_copy(update={"width_px": WIDTH, "height_px": HEIGHT, "dpi": (150.0, 150.0)})
    doc = rec.documents[0].model_copy(update={
        "subject": "Về việc giao đắt ớ cho hộ gia đinh", "code_number": str(number),
        "needs_review": [Review(field="subject", reason="low OCR confidence"),
                         Review(field="signer.fullName", reason="low confidence on the signer's name")],
    })
    dossier = rec.dossier.model_copy(update={"title": f"Hồ sơ giao đất số {number}", "mode": None})
    rec = rec.model_copy(update={"sources": [source], "pages": [pg], "documents": [doc], "dossier": dossier})
    (out / "record.json").write_text(validated_json(rec), encoding="utf-8")
    return out, rec
