"""Benchmark: NĐ 30 metadata extraction on synthetic dossiers, per degradation profile.

Run from the repository root::

    .venv/bin/python -m bench.metadata [--docs 24] [--profiles clean,skew,...]
                                       [--per-dossier 4] [--seed 1000] [--jobs 2]
                                       [--errors] [--cache DIR] [--json FILE]
                                       [--docs-md docs/benchmark.md]

For each profile, ``--docs`` documents are drawn by ``synth`` as
dossiers of ``--per-dossier`` documents of one or two pages (the same seeds,
hence the same documents, under every profile). Each page is encoded as the
profile's scanner would write it (JPEG, or bilevel G4 for ``photocopy``),
decoded again, and goes through ``pipeline.cleanup.prepare_for_ocr`` and
``pipeline.ocr.recognize`` in ``--jobs`` worker processes (one
single-threaded Tesseract each). Then ``extract.split_documents`` cuts each
dossier and ``extract.extract_dossier`` reads its documents (as ``sohoa process``
does).

Scores, per profile:

* one column per field: exact match with the generator's truth, except the
  subject (trích yếu), which counts when its rapidfuzz ratio to the truth is
  at least 90. Type names compare case-blind ("QUYẾT ĐỊNH" = "Quyết định").
  Fields are read on the true page ranges, so a splitting mistake does not
  count twice;
* ``ranges``: documents whose page range ``split_documents`` got exactly;
* ``wrong`` / ``null``: how many field values were wrong (a value that is not
  the truth) and how many were left empty;
* ``silent``: wrong values with a confidence of 0.8 or more, which
  ``pipeline.documents`` would not send to review (the errors that matter);
* ``review``: the share of all fields a person is asked to check (null, or
  confidence below 0.8), right or wrong.

``--cache DIR`` keeps each dossier's OCR results, keyed by the generator's
source and the dossier's parameters, so that a second run measures only
extraction (clear it when clean-up or OCR change); without it nothing is
written. ``--errors`` prints every mismatch. ``--docs-md FILE`` also puts the
table, with the date, the machine and the command, in the ``bench.metadata``
section of FILE (``bench.docs_section``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import pickle
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from rapidfuzz import fuzz

from bench import docs_section

REPO = Path(__file__).resolve().parent.parent
PROFILES = ("clean", "skew", "rotated", "noise", "blur", "jpeg", "faded", "photocopy", "phone")
FIELDS = ("type_name", "type_code", "code_number", "code_notation", "issued_date",
          "issued_place", "organ_name", "subject", "signer_position", "signer_name")
SHORT = {"type_name": "type", "type_code": "code", "code_number": "number",
         "code_notation": "notation", "issued_date": "date", "issued_place": "place",
         "organ_name": "organ", "subject": "subject", "signer_position": "position",
         "signer_name": "signer"}
SUBJECT_MIN_RATIO = 90
CLEAN_TARGET = 0.97
DEGRADED_TARGET = 0.90
REVIEW_BELOW = 0.8
DOCS_SECTION = "bench.metadata"  # between <!-- bench.metadata:begin/end --> in --docs-md's page


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- workers


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _synth_version() -> str:
    """A digest of the generator's source: cached OCR is only valid for the same pages."""
    h = hashlib.sha256()
    for f in sorted((REPO / "synth").glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class DossierRun:
    profile: str
    seed: int
    documents: list[Any]  # synth DocumentMeta, in order
    pages: list[tuple[Any, int, int]]  # (OcrResult, width, height) per page
    ocr_seconds: float


def _dossier(job: tuple[str, int, int, int, str | None]) -> DossierRun:
    """Draw one dossier, encode each page as its scanner would, clean up and OCR it."""
    from pipeline.cleanup.prepare import prepare_for_ocr
    from pipeline.ocr.recognise import recognize
    from synth import encode, make_dossier

    profile, seed, n_docs, dpi, cache_file = job
    if cache_file and Path(cache_file).exists():
        cached = pickle.loads(Path(cache_file).read_bytes())
        return DossierRun(**cached) if isinstance(cached, dict) else cached
    d = make_dossier(seed, n_docs=n_docs, pages_per_doc=(1, 2), profile=profile, dpi=dpi)
    pages = []
    seconds = 0.0
    for page in d.pages:
        im = Image.open(io.BytesIO(encode(page, page.truth.dpi, page.default_format)))
        im.load()
        if im.mode not in ("L", "RGB"):
            im = im.convert("L" if im.mode in ("1", "P", "LA") else "RGB")
        start = time.perf_counter()
        prepared = prepare_for_ocr(np.asarray(im), (float(page.truth.dpi),) * 2)
        result = recognize(prepared.image, dpi=page.truth.dpi)
        seconds += time.perf_counter() - start
        pages.append((result, prepared.image.shape[1], prepared.image.shape[0]))
    out = DossierRun(profile, seed, d.documents, pages, seconds)
    if cache_file:
        tmp = Path(cache_file).with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(out.__dict__))
        tmp.replace(cache_file)
    return out


# --------------------------------------------------------------------------- scoring


def _norm(s: str | None) -> str:
    import unicodedata

    return " ".join(unicodedata.normalize("NFC", s or "").split())


def expected(meta: Any) -> dict[str, str]:
    return {
        "type_name": _norm(meta.type_name).upper() if meta.type_printed else "CÔNG VĂN",
        "type_code": meta.type_code or "",
        "code_number": meta.code_number,
        "code_notation": meta.code_notation,
        "issued_date": meta.issued_date,
        "issued_place": _norm(meta.place),
        "organ_name": _norm(meta.organ),
        "subject": _norm(meta.subject),
        "signer_position": _norm(meta.signer_position),
        "signer_name": _norm(meta.signer_name),
    }


def got(fields: Any) -> dict[str, tuple[str | None, float]]:
    out: dict[str, tuple[str | None, float]] = {}
    for name in FIELDS:
        f = getattr(fields, name)
        v = f.value
        if v is None:
            out[name] = (None, f.confidence)
            continue
        if name == "issued_date":
            v = v.isoformat()
        elif name == "type_name":
            v = _norm(str(v)).upper()
        out[name] = (_norm(str(v)), f.confidence)
    if out["type_code"][0] is None and out["type_name"][0] == "CÔNG VĂN":
        out["type_code"] = ("", out["type_code"][1])
    return out


def matches(name: str, want: str, value: str | None) -> bool:
    if value is None:
        return False
    if name == "subject":
        return fuzz.ratio(want, value) >= SUBJECT_MIN_RATIO
    return want == value


@dataclass
class Tally:
    docs: int = 0
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wrong: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    null: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    silent: int = 0  # wrong with confidence ≥ REVIEW_BELOW
    review: int = 0  # null or confidence < REVIEW_BELOW
    ranges_right: int = 0
    pages: int = 0
    ocr_seconds: float = 0.0
    extract_seconds: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.docs if self.docs else 0.0


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> tuple[dict[str, Tally], float]:
    from pipeline.extract import fields as extract

    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    cache = Path(args.cache) if args.cache else None
    version = _synth_version()
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    jobs = []
    for profile in profiles:
        left, k = args.docs, 0
        while left > 0:
            n = min(args.per_dossier, left)
            key = None
            if cache:
                key = str(cache / f"{version}-{profile}-{args.seed + k}-{n}-{args.dpi}.pkl")
            jobs.append((profile, args.seed + k, n, args.dpi, key))
            left -= n
            k += 1
    log(f"{len(jobs)} dossier(s) over {len(profiles)} profile(s), {args.jobs} worker(s)")
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs, initializer=_init_worker) as pool:
        runs = list(pool.map(_dossier, jobs, chunksize=1))
    wall = time.perf_counter() - start
    log(f"drawing, clean-up and OCR done in {wall:.0f} s")

    tallies: dict[str, Tally] = {p: Tally() for p in profiles}
    for r in runs:
        t = tallies[r.profile]
        t.pages += len(r.pages)
        t.ocr_seconds += r.ocr_seconds
        t0 = time.perf_counter()
        ranges = extract.split_documents(r.pages)
        truth_ranges = [(m.first_page, m.first_page + m.page_count - 1) for m in r.documents]
        t.ranges_right += len(set(ranges) & set(truth_ranges))
        if ranges != truth_ranges:
            t.errors.append({"seed": r.seed, "field": "ranges", "want": truth_ranges,
                             "got": ranges})
        for meta, fields in zip(r.documents, extract.extract_dossier(r.pages, truth_ranges)):
            want, have = expected(meta), got(fields)
            t.docs += 1
            for name in FIELDS:
                value, conf = have[name]
                t.review += value is None or conf < REVIEW_BELOW
                if matches(name, want[name], value):
                    t.right[name] += 1
                    continue
                if value is None:
                    t.null[name] += 1
                else:
                    t.wrong[name] += 1
                    t.silent += conf >= REVIEW_BELOW
                t.errors.append({"seed": r.seed, "doc": meta.doc_index, "field": name,
                                 "want": want[name], "got": value, "confidence": conf,
                                 "reason": getattr(fields, name).reason})
        t.extract_seconds += time.perf_counter() - t0
    return tallies, wall


def _total(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for t in tallies.values():
        total.docs += t.docs
        total.pages += t.pages
        total.ranges_right += t.ranges_right
        total.silent += t.silent
        total.review += t.review
        for name in FIELDS:
            total.right[name] += t.right[name]
            total.wrong[name] += t.wrong[name]
            total.null[name] += t.null[name]
    return total


def table(tallies: dict[str, Tally]) -> str:
    cols = [SHORT[f] for f in FIELDS] + ["ranges"]
    head = f"{'profile':<10} {'docs':>4} " + " ".join(f"{c:>8}" for c in cols)
    head += f" {'wrong':>6} {'null':>5} {'silent':>6} {'review':>7}"
    lines = [head, "-" * len(head)]
    rows = list(tallies.items())
    if len(rows) > 1:
        rows.append(("all", _total(tallies)))
    for profile, t in rows:
        if not isinstance(t, Tally):
            continue
        cells = [f"{100 * t.accuracy(f):7.1f}%" for f in FIELDS]
        cells.append(f"{100 * t.ranges_right / max(1, t.docs):7.1f}%")
        wrong = sum(t.wrong.values())
        null = sum(t.null.values())
        review = f"{100 * t.review / max(1, t.docs * len(FIELDS)):6.1f}%"
        lines.append(f"{profile:<10} {t.docs:>4} " + " ".join(f"{c:>8}" for c in cells)
                     + f" {wrong:>6} {null:>5} {t.silent:>6} {review:>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.metadata",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=24, help="documents per profile (default 24)")
    ap.add_argument("--profiles", default=",".join(PROFILES))
    ap.add_argument("--per-dossier", type=int, default=4, help="documents per dossier (default 4)")
    ap.add_argument("--seed", type=int, default=1000, help="seed of the first dossier")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=2, help="OCR worker processes (default 2)")
    ap.add_argument("--cache", help="keep each dossier's OCR in this folder between runs "
                    "(keyed by the generator's source; clear it when clean-up or OCR change)")
    ap.add_argument("--errors", action="store_true", help="print every mismatch")
    ap.add_argument("--json", help="write the results to this file")
    ap.add_argument("--docs-md", type=Path, metavar="FILE",
                    help=f"also rewrite the {DOCS_SECTION} section of this page (e.g. "
                    "docs/benchmark.md) with the table, the date, the machine and the command")
    args = ap.parse_args(argv)
    for p in args.profiles.split(","):
        if p.strip() and p.strip() not in PROFILES:
            ap.error(f"unknown profile {p!r}; choose from {', '.join(PROFILES)}")
    docs_md: Path | None = None
    if args.docs_md:
        docs_md = args.docs_md if args.docs_md.is_absolute() else REPO / args.docs_md
        try:
            docs_section.check(docs_md, DOCS_SECTION)
        except (OSError, ValueError) as problem:
            ap.error(f"--docs-md {args.docs_md}: {problem}")

    start = time.perf_counter()
    tallies, wall = run(args)
    total = time.perf_counter() - start

    if args.errors:
        for profile, t in tallies.items():
            for e in t.errors:
                print(f"{profile:<9} " + json.dumps(e, ensure_ascii=False, default=str))
        print()
    with docs_section.kept_stdout() as report:
        print(table(tallies))
        pages = sum(t.pages for t in tallies.values())
        extract_s = sum(t.extract_seconds for t in tallies.values())
        ocr_s = sum(t.ocr_seconds for t in tallies.values())
        print(f"\n{pages} pages; drawing + clean-up + OCR {wall:.0f} s wall with {args.jobs} "
              f"worker(s) (clean-up + OCR {ocr_s / max(1, pages):.1f} s/page/worker); "
              f"split + extraction {extract_s:.1f} s "
              f"({1000 * extract_s / max(1, pages):.0f} ms/page); total {total:.0f} s")

        failed = []
        for profile, t in tallies.items():
            target = CLEAN_TARGET if profile == "clean" else DEGRADED_TARGET
            for f in FIELDS:
                if t.accuracy(f) < target:
                    failed.append(f"{profile}/{SHORT[f]} {100 * t.accuracy(f):.1f}% "
                                  f"< {100 * target:.0f}%")
        print("targets: " + ("all met" if not failed else "missed: " + ", ".join(failed)))
    if docs_md is not None:
        command = docs_section.command_line("bench.metadata", argv)
        docs_section.write(docs_md, DOCS_SECTION, docs_section.recorded(command, report.getvalue()))
        log(f"section {DOCS_SECTION} of {docs_md} rewritten")
    if args.json:
        Path(args.json).write_text(json.dumps({
            p: {"docs": t.docs, "pages": t.pages,
                "accuracy": {f: t.accuracy(f) for f in FIELDS},
                "ranges": t.ranges_right / max(1, t.docs),
                "wrong": dict(t.wrong), "null": dict(t.null), "silent": t.silent,
                "review": t.review / max(1, t.docs * len(FIELDS)), "errors": t.errors}
            for p, t in tallies.items()}, ensure_ascii=False, indent=1, default=str))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
