"""Realistic archived dossiers without OCR: for the export benchmark and tests.

Each dossier is what ``sohoa process`` leaves and ``sohoa process --archive`` commits: small
JPEG scans, one real PDF/A-2b per document made by ``pipeline.pdfa`` from its scans (the
page as the scan, no text layer: no OCR is run), each page's text and hOCR, a record.json
checked against ``schemas/record.schema.json``, all committed by
``pipeline.archive.archive_dossier`` (manifest, catalogue line). Optionally each PDF/A is
signed by a ``pipeline.sign.DocumentSigner``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from pipeline import archive
from pipeline.core.record import (
    Commune,
    Document,
    Dossier,
    Engine,
    OutputFile,
    PageOcr,
    PageRecord,
    Record,
    Signature,
    Signer,
    SourceFile,
    Timings,
    validated_json,
)
from pipeline.core.version import __version__
from pipeline.ingest import pages as page_probe
from pipeline.pdfa import document as pdfa

COMMUNE = Commune(code="24958", name="Xã Đức Trọng", province_code="68", province_name="Lâm Đồng")
DPI = 50  # a small scan: an A4 page at 50 dpi is 413 × 585 pixels, about 15 kB as JPEG


def scan(lines: list[str], seed: int) -> bytes:
    """One A4 page at ``DPI``: a few lines of text and some speckle, as a JPEG."""
    width, height = round(8.27 * DPI), round(11.69 * DPI)
    img = Image.new("L", (width, height), 250)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((40, 40 + 18 * i), line, fill=20)
    noise = np.random.default_rng(seed).integers(0, 12, (height, width), dtype=np.uint8)
    img = Image.fromarray(np.asarray(img, dtype=np.uint8) - noise)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70, dpi=(DPI, DPI))
    return buf.getvalue()


def make_dossier(base: Path, number: int, *, pages: int = 3, documents: int = 2, signer=None,
                 commune: Commune = COMMUNE, review_corrected: bool = True) -> tuple[Path, Record]:
    """Dossier ``number``'s scans in ``base/scans-N``, and what processing leaves in
    ``base/out-N``; returns (that folder, its record)."""
    src, out = base / f"scans-{number}", base / f"out-{number}"
    (out / "text").mkdir(parents=True, exist_ok=True)
    src.mkdir(parents=True, exist_ok=True)
    year = 2020 + number % 6
    file_code = f"H{commune.province_code}.{commune.code}.{year}.{number % 100:02d}.{number:05d}"
    sources, page_records = [], []
    for i in range(1, pages + 1):
        lines = ["ỦY BAN NHÂN DÂN", f"Số: {number}-{i}/QĐ-UBND", f"Hồ sơ {number}, trang {i}"]
        data = scan(lines, number * 100 + i)
        (src / f"trang-{i}.jpg").write_bytes(data)
        sources.append(SourceFile(file=f"trang-{i}.jpg", bytes=len(data), sha256=hashlib.sha256(data).hexdigest()))
        text = "\n".join(lines) + "\n"
        (out / "text" / f"{i:04d}.txt").write_text(text, encoding="utf-8")
        (out / "text" / f"{i:04d}.hocr").write_text(_hocr(i, lines), encoding="utf-8")
        page_records.append(PageRecord(
            number=i, source=f"trang-{i}.jpg", index_in_source=0, width_px=413, height_px=585,
            dpi=(float(DPI), float(DPI)), dpi_assumed=False, embedding="jpeg", rotation=0, skew_degrees=0.0,
            cleanup=[], ocr=PageOcr(engine="tesseract 5.3.0 vie", words=len(" ".join(lines).split()),
                                    mean_confidence=88.0, seconds=0.4),
            text_file=f"text/{i:04d}.txt", hocr_file=f"text/{i:04d}.hocr", warnings=[],
        ))
    dossier_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "sohoa:" + "".join(s.sha256 for s in sources)))
    created = dt.datetime(year, 6, 1, 8, 0, tzinfo=dt.UTC)
    probed = page_probe.read_pages(src, max_pixels=50_000_000)
    split = _split(pages, documents)
    docs, outputs = [], []
    for n, (first, last) in enumerate(split, 1):
        code = f"{file_code}.{n:03d}"
        path = out / f"{code}.pdf"
        info = pdfa.DocumentInfo(title=f"Quyết định số {number}-{n}", created=created,
                                 document_id=uuid.uuid5(uuid.UUID(dossier_id), code), creator_tool=f"sohoa {__version__}")
        pdfa.build([pdfa.PageContent(p, None, np.eye(3), 0) for p in probed[first - 1:last]], info, path)
        signature = None
        if signer is not None:
            facts = signer.sign(path, path)
            signature = Signature(**facts.as_dict())
        data = path.read_bytes()
        outputs.append(OutputFile(file=path.name, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                  pages=(first, last), validated_by="pikepdf PDF/A-2b validator",
                                  signature=signature))
        docs.append(Document(
            doc_ordinal=n, doc_code=code, pages=(first, last), type_name="QUYẾT ĐỊNH", type_code="QĐ",
            code_number=f"{n:02d}", code_notation="QĐ-UBND", issued_date=dt.date(year, 1, n),
            issued_place="Đức Trọng", organ_name="ỦY BAN NHÂN DÂN XÃ ĐỨC TRỌNG",
            subject=f"Về việc số hóa hồ sơ số {number}", signer=Signer(position="CHỦ TỊCH", full_name="Nguyễn Văn An"),
            number_of_page=last - first + 1, file=path.name,
            confidence={"codeNumber": 0.95, "subject": 0.7 if n == 1 else 1.0},
            source={"subject": "manifest"} if review_corrected and n == 2 else {"subject": "extracted"},
            needs_review=[] if n == 2 else [{"field": "subject", "reason": "low OCR confidence"}],
        ))
    rec = Record(
        dossier_id=dossier_id, created=created, input=str(src),
        dossier=Dossier(file_code=file_code, paper_file_code=None, title=f"Hồ sơ địa chính số {number}",
                        maintenance="04", mode="01", format="01", start_date=dt.date(year, 1, 1),
                        end_date=dt.date(year, 1, len(split)), total_doc=len(split), number_of_page=pages,
                        description=None, commune=commune),
        documents=docs, sources=sources, pages=page_records, outputs=outputs,
        engine=Engine(sohoa=__version__, tesseract="5.3.0", language="vie", model_file="vie.traineddata",
                      model_sha256="0" * 64, opencv="4.10", pikepdf="10"),
        timings=Timings(probe=0.01, ocr=1.2, metadata=0.05, pdf=0.1, total=1.4, pages_per_second=2.1),
        warnings=[],
    )
    (out / "record.json").write_text(validated_json(rec), encoding="utf-8")
    return out, rec


def archive_dossiers(store: archive.Store, base: Path, count: int, *, start: int = 1, signer=None) -> list[str]:
    """Make and commit ``count`` dossiers; returns their keys."""
    keys = []
    for number in range(start, start + count):
        out, rec = make_dossier(base / f"{number:05d}", number, signer=signer)
        keys.append(archive.archive_dossier(store, out, rec).key)
    return keys


def _split(pages: int, documents: int) -> list[tuple[int, int]]:
    documents = max(1, min(documents, pages))
    size = pages // documents
    starts = [1 + i * size for i in range(documents)]
    return [(s, (starts[i + 1] - 1) if i + 1 < documents else pages) for i, s in enumerate(starts)]


def _hocr(number: int, lines: list[str]) -> str:
    words = "".join(
        f"<span class='ocr_line' title='bbox 40 {40 + 18 * i} 380 {54 + 18 * i}'>"
        + " ".join(f"<span class='ocrx_word' title='bbox 40 {40 + 18 * i} 80 {54 + 18 * i}; x_wconf 88'>{w}</span>"
                   for w in line.split())
        + "</span>"
        for i, line in enumerate(lines)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE html>\n"
        "<html xmlns='http://www.w3.org/1999/xhtml' xml:lang='vi'><head><meta charset='utf-8'/>"
        "<meta name='ocr-system' content='tesseract'/></head><body>"
        f"<div class='ocr_page' id='page_{number}' title='bbox 0 0 413 585'>{words}</div></body></html>\n"
    )
