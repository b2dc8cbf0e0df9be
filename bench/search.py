"""Benchmark: search over a generated archive of 1,000 dossiers (3,000 pages).

    .venv/bin/python -m bench.search [--dossiers 1000] [--postgres URL]

Each dossier is a ``bench.archived`` record (two documents, three pages) given its own
commune, type, dates, signer and about 250 words a page drawn from an administrative
vocabulary; one page in a hundred also carries a rarer phrase. The pages are indexed (the
embedded SQLite index in a temporary folder, and PostgreSQL when ``--postgres`` is given),
then each query runs 20 times: its median and slowest times are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline import search
from pipeline.core.record import Commune, Record, Review

VOCABULARY = (
    "ủy ban nhân dân xã phường quyết định về việc giao đất cho hộ gia đình cá nhân sử dụng vào mục đích "
    "nông nghiệp căn cứ luật tổ chức chính quyền địa phương ngày tháng năm đề nghị của công chức địa chính "
    "xây dựng đô thị môi trường điều giấy chứng nhận quyền sử dụng nhà ở tài sản khác gắn liền với "
    "thửa số tờ bản đồ diện tích hình thức thời hạn nguồn gốc ông bà thường trú tại thôn ấp tổ dân phố "
    "chủ tịch phó văn phòng thống kê kế hoạch ngân sách thu chi báo cáo tình hình kinh tế xã hội "
    "hòa bình thỏa thuận ủy quyền khai sinh kết hôn chứng thực bản sao hộ tịch đất đai"
).split()
RARE = "chuyển mục đích sử dụng đất trồng lúa sang đất ở"
TYPES = [("QĐ", "QUYẾT ĐỊNH"), ("TTr", "TỜ TRÌNH"), ("BC", "BÁO CÁO"), ("", "CÔNG VĂN")]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Đức", "Phạm Thị Hoà", "Đặng Quốc Thắng"]
COMMUNES = [Commune(code=c, name=n, province_code="68", province_name="Lâm Đồng")
            for c, n in (("24958", "Xã Đức Trọng"), ("24959", "Xã Hiệp Thạnh"), ("24960", "Xã Liên Nghĩa"))]


def template(work: Path) -> Record:
    from bench.archived import make_dossier

    return make_dossier(work, 1)[1]


def generated(template: Record, count: int, seed: int = 17) -> Iterator[search.IndexedDossier]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        commune = COMMUNES[n % len(COMMUNES)]
        docs = []
        for doc in template.documents:
            code, name = TYPES[(n + doc.doc_ordinal) % len(TYPES)]
            docs.append(doc.model_copy(update={
                "type_code": code or None, "type_name": name,
                "issued_date": dt.date(2015 + n % 10, 1 + n % 12, 1 + doc.doc_ordinal),
                "signer": doc.signer.model_copy(update={"full_name": SIGNERS[n % len(SIGNERS)]}),
                "needs_review": [Review(field="subject", reason="low confidence")] if n % 7 == 0 else [],
            }))
        dossier = template.dossier.model_copy(update={"commune": commune, "title": f"Hồ sơ số {n}"})
        rec = template.model_copy(update={"dossier_id": f"bench-{n:05d}", "dossier": dossier, "documents": docs})
        texts = {}
        for page in rec.pages:
            words = rng.choices(VOCABULARY, k=250)
            if (n * 3 + page.number) % 100 == 0:
                words[100:100] = RARE.split()
            texts[page.number] = " ".join(words)
        key = f"68/{commune.code}/{2015 + n % 10}/bench-{n:05d}/"
        yield search.IndexedDossier(key, rec, f"{n:064x}", None, texts)


QUERIES = [
    search.Query("quyet dinh dat dai"),
    search.Query("chuyen muc dich su dung dat trong lua"),
    search.Query("chuyển mục đích đất trồng lúa", commune="24958"),
    search.Query("hoà bình", type="QĐ", date_from=dt.date(2018, 1, 1), date_to=dt.date(2022, 12, 31)),
    search.Query("giay chung nhan", signer="nguyen van an", needs_review=True),
]


def timed(index: search.Index, query: search.Query, runs: int = 20) -> tuple[float, float, int]:
    """(median ms, slowest ms, hits)"""
    times, hits = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        hits = len(index.search(query))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), hits


def run(index: search.Index, work: Path, count: int, label: str) -> dict[str, float]:
    started = time.perf_counter()
    for item in generated(template(work), count):
        index.put(item)
    print(f"{label}: indexed {count} dossiers ({3 * count} pages) in {time.perf_counter() - started:.1f} s")
    worst = {}
    for q in QUERIES:
        median, slowest, hits = timed(index, q)
        worst[q.text] = slowest
        print(f"  {q.text!r:42} {hits:3d} hits  median {median:6.1f} ms  slowest {slowest:6.1f} ms")
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--postgres", metavar="URL", help="also a PostgreSQL index (postgresql://…)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-search-") as tmp:
        run(search.SqliteIndex(Path(tmp) / "search.sqlite"), Path(tmp), args.dossiers, "SQLite FTS5")
        if args.postgres:
            run(search.PostgresIndex(args.postgres), Path(tmp), args.dossiers, "PostgreSQL")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
