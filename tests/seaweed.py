"""A real SeaweedFS for the archive tests, and small processed dossiers to archive.

The server is started once per test session (``weed server`` on free 127.0.0.1
ports, data in a temporary folder) through the same code as ``sohoa storage up``,
and stopped at the end. Import the fixture into a test module::

    from tests.seaweed import seaweed  # noqa: F401
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import io
import itertools
import uuid
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from pipeline import archive
from pipeline.archive import embedded
from pipeline.core.record import (
    Commune,
    Document,
    Dossier,
    Engine,
    OutputFile,
    PageOcr,
    PageRecord,
    Record,
    Signer,
    SourceFile,
    Timings,
)

_bucket_numbers = itertools.count(1)


@dataclass
class Seaweed:
    root: Path
    creds: embedded.Credentials

    def connection(self, bucket: str, **kw) -> archive.Connection:
        given = {
            "endpoint": self.creds.endpoint,
            "region": self.creds.region,
            "access_key": self.creds.access_key,
            "secret_key": self.creds.secret_key,
            "retries": 2,
            "backoff": 0.05,
            "timeout": 5,
        }
        return archive.Connection(bucket=bucket, **{**given, **kw})

    def bucket(self, *, object_lock: bool, versioning: bool = True) -> archive.Store:
        """A fresh bucket for one test."""
        name = f"t{next(_bucket_numbers)}-{uuid.uuid4().hex[:8]}"
        store = archive.Store(self.connection(name))
        kwargs = {"Bucket": name}
        if object_lock:
            kwargs["ObjectLockEnabledForBucket"] = True
        store.client.create_bucket(**kwargs)
        if versioning and not object_lock:
            store.client.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": "Enabled"}
            )
        return store


_shared: dict = {"server": None, "users": 0}


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory):
    # Each module that imports this fixture gets its own session fixture; they share one server.
    if _shared["server"] is None:
        root = tmp_path_factory.mktemp("seaweedfs")
        embedded.up(root, s3_port=embedded.free_port(), timeout=60)
        # Even if the session is cut short, the server (in its own session) does not outlive it.
        atexit.register(embedded.down, root, timeout=2)
        _shared["server"] = Seaweed(root, embedded.read_credentials(root))
    _shared["users"] += 1
    yield _shared["server"]
    _shared["users"] -= 1
    if _shared["users"] == 0:
        embedded.down(_shared["server"].root, timeout=2)
        _shared["server"] = None


COMMUNE = Commune(code="24958", name="Xã Đức Trọng", province_code="68", province_name="Lâm Đồng")


def scan(text: str, size: tuple[int, int] = (240, 320)) -> bytes:
    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).text((10, 10), text, fill=0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80, dpi=(200, 200))
    return buf.getvalue()


def pdf(text: str) -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(200, 300))
    doc.docinfo["/Title"] = text
    buf = io.BytesIO()
    doc.save(buf, deterministic_id=True)
    return buf.getvalue()


def make_dossier(
    base: Path,
    *,
    name: str = "ho-so",
    seed: str = "a",
    maintenance: str | None = "04",
    commune: Commune | None = COMMUNE,
    title: str = "Hồ sơ chỉnh lý, số hóa hồ sơ địa chính năm 2025",
    pages: int = 3,
) -> tuple[Path, Record]:
    """Scans in base/name/, and what ``sohoa process`` would have written to base/name-out/:
    two PDF/A documents, each page's text and hOCR in text/, and record.json (whose input is
    the scans folder)."""
    src = base / name
    out = base / f"{name}-out"
    src.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    sources = []
    for i in range(1, pages + 1):
        data = scan(f"{seed} trang {i}")
        (src / f"trang-{i}.jpg").write_bytes(data)
        sources.append(
            SourceFile(file=f"trang-{i}.jpg", bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
        )
    dossier_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "sohoa:" + "".join(s.sha256 for s in sources)))
    split = [(1, 1), (2, pages)]
    docs, outputs = [], []
    for n, (first, last) in enumerate(split, 1):
        code = f"H68.24958.2025.01.{n:03d}"
        data = pdf(f"{seed} {code}")
        (out / f"{code}.pdf").write_bytes(data)
        outputs.append(
            OutputFile(
                file=f"{code}.pdf", bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                pages=(first, last), validated_by="pikepdf PDF/A-2b validator",
            )
        )
        docs.append(
            Document(
                doc_ordinal=n, doc_code=code, pages=(first, last), type_name="QUYẾT ĐỊNH",
                type_code="QĐ", code_number=f"{n:02d}", code_notation="QĐ-UBND",
                issued_date=dt.date(2025, 1, n), issued_place="Đức Trọng",
                organ_name="ỦY BAN NHÂN DÂN XÃ ĐỨC TRỌNG", subject="Về việc số hóa hồ sơ",
                signer=Signer(position="CHỦ TỊCH", full_name="Nguyễn Văn A"),
                number_of_page=last - first + 1, file=f"{code}.pdf", confidence={}, source={},
                needs_review=[],
            )
        )
    rec = Record(
        dossier_id=dossier_id,
        created=dt.datetime.now(dt.UTC),
        input=str(src),
        dossier=Dossier(
            file_code="H68.24958.2025.01", paper_file_code=None, title=title,
            maintenance=maintenance, mode="01", format="01",
            start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 1, 2),
            total_doc=len(docs), number_of_page=pages, description=None, commune=commune,
        ),
        documents=docs,
        sources=sources,
        pages=[
            PageRecord(
                number=i, source=f"trang-{i}.jpg", index_in_source=0, width_px=240, height_px=320,
                dpi=(200.0, 200.0), dpi_assumed=False, embedding="jpeg", rotation=0,
                skew_degrees=0.0, cleanup=[],
                ocr=PageOcr(engine="tesseract vie", words=4, mean_confidence=90.0, seconds=0.5),
                text_file=f"text/{i:04d}.txt",
                hocr_file=f"text/{i:04d}.hocr",
                warnings=[],
            )
            for i in range(1, pages + 1)
        ],
        outputs=outputs,
        engine=Engine(
            sohoa="0.1.0", tesseract="5.3.0", language="vie", model_file="vie.traineddata",
            model_sha256="0" * 64, opencv="4", pikepdf=pikepdf.__version__,
        ),
        timings=Timings(probe=0.1, ocr=1.0, metadata=0.1, pdf=0.2, total=1.4, pages_per_second=2.0),
        warnings=[],
    )
    (out / "text").mkdir(exist_ok=True)
    for i in range(1, pages + 1):
        (out / "text" / f"{i:04d}.txt").write_text(f"{seed} Quyết định trang {i}\n", encoding="utf-8")
        (out / "text" / f"{i:04d}.hocr").write_text(
            f"<html><body><span class='ocrx_word' title='bbox 10 10 90 30'>{seed}</span>"
            "</body></html>\n",
            encoding="utf-8",
        )
    (out / "record.json").write_text(rec.to_json(), encoding="utf-8")
    return out, rec
