"""Benchmark: NĐ 30 metadata extraction on generated and real documents.

Run from the repository root::

    .venv/bin/python -m bench.metadata [--split tuned|heldout|both] [--docs 24]
                                       [--profiles clean,skew,...] [--real DIR]
                                       [--per-dossier 4] [--seed 1000] [--jobs 2]
                                       [--errors] [--cache DIR] [--json FILE]
                                       [--docs-md docs/benchmark.md]

Three kinds of documents, reported apart:

* ``tuned``: the generator's default pages, the ones the extraction's rules were written
  against;
* ``heldout``: pages the extraction never saw (``synth.heldout``: other issuers and signing
  forms, ethnic-minority signers, other faces and layouts, handwritten numbers and days,
  e-signature boxes, incoming stamps, oval and emblem seals, one-sided phone light). This
  is the figure that counts;
* ``real``: the real scans of ``--real DIR`` (default ``../shared/real-scans`` beside the
  repository; skipped with a message when absent), their truth read by eye.

For each split and profile, ``--docs`` documents are drawn by ``synth`` as dossiers of
``--per-dossier`` documents of one or two pages (the same seeds, hence the same documents,
under every profile). Each page is encoded as the profile's scanner would write it, decoded
again, and goes through ``pipeline.cleanup.prepare_for_ocr`` and ``pipeline.ocr.recognize``
in ``--jobs`` worker processes (one single-threaded Tesseract each); a real document's page
images go through the same. Then ``extract.split_documents`` cuts each dossier and
``extract.extract_dossier`` reads its documents (as ``sohoa process`` does).

Scoring (``bench.scoring``): a field is right when it equals the truth, NFC and whitespace
normalised (type names case-blind, the trích yếu at a rapidfuzz ratio ≥ 90); where the page
gives no value (an illegible handwritten number, no authority line) only an empty value is
right. A wrong value at a confidence of at least the extraction's review threshold is
*silently wrong*: no one would be asked to check it. ``review`` is the share of fields a
person is asked to check (empty, or below the threshold). ``wer`` is the order-free word
error rate of the OCR text against every word the generator drew; ``first`` the share of
the words of each document's first three body lines that the OCR read (the only text a
real truth has). Fields are read on the true page ranges, so a splitting mistake does not
count twice; ``ranges`` counts the documents ``split_documents`` cut exactly.

A reliability table follows: per confidence bin, how many values were given and how many of
them were wrong, over all documents and per split. ``--json FILE`` writes every scored
field (split, profile, doc, field, want, got, confidence, right) with the tables, for
calibrating the confidences.

``--cache DIR`` keeps each dossier's OCR results, keyed by the generator's source and the
dossier's parameters (a real document by its images' digest), so that a second run measures
only extraction (clear it when clean-up or OCR change); without it nothing is written.
``--errors`` prints every mismatch. ``--docs-md FILE`` also puts the tables, with the date,
the machine and the command, in the ``bench.metadata`` section of FILE
(``bench.docs_section``).
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench import docs_section, metrics
from bench.scoring import FIELDS, SHORT, Scored, expected, extracted, real_expected, reliability, score
from pipeline.ingest import read_pages

REPO = Path(__file__).resolve().parent.parent
PROFILES = ("clean", "skew", "rotated", "noise", "blur", "jpeg", "faded", "photocopy", "phone")
SPLITS = ("tuned", "heldout")
DEFAULT_REAL = REPO.parent / "shared" / "real-scans"
CLEAN_TARGET = 0.97  # per field, generated clean pages
DEGRADED_TARGET = 0.90  # per field, generated degraded pages
HELDOUT_SILENT_MAX = 0.005  # share of all held-out fields
REAL_RIGHT_MIN = 0.90  # share of all real fields
REAL_MAX_PIXELS = 200_000_000  # a real page is never refused for its size here
REAL_SILENT_MAX = 0.01
FIRST_LINES = 3  # body lines per document for the "first" word figure
DOCS_SECTION = "bench.metadata"  # between <!-- bench.metadata:begin/end --> in --docs-md's page


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def review_below() -> float:
    """The extraction's own review threshold: one number, kept where the stage keeps it."""
    from pipeline.extract.params import REVIEW_BELOW

    return REVIEW_BELOW


# --------------------------------------------------------------------------- workers


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _synth_version() -> str:
    """A digest of the generator's source: cached OCR is only valid for the same pages."""
    h = hashlib.sha256()
    for f in sorted((REPO / "synth").glob("*.py")):
        if f.name != "__main__.py":  # the command line draws nothing
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class DossierRun:
    split: str
    profile: str
    seed: int
    documents: list[Any]  # synth DocumentMeta in order; the real truth's dict for a real one
    pages: list[tuple[Any, int, int]]  # (OcrResult, width, height) per page
    ocr_seconds: float
    page_text: list[str] = field(default_factory=list)  # every word drawn, per page
    first_lines: list[str] = field(default_factory=list)  # per document
    name: str = ""  # a real document's file stem


def _ocr(im: Image.Image, dpi: float) -> tuple[Any, int, int, float]:
    from pipeline.cleanup.prepare import prepare_for_ocr
    from pipeline.ocr.recognise import recognize

    im.load()
    if im.mode not in ("L", "RGB"):
        im = im.convert("L" if im.mode in ("1", "P", "LA") else "RGB")
    start = time.perf_counter()
    prepared = prepare_for_ocr(np.asarray(im), (dpi, dpi))
    result = recognize(prepared.image, dpi=round(dpi), header_ink=prepared.header_ink)
    return result, prepared.image.shape[1], prepared.image.shape[0], time.perf_counter() - start


def _first_body_lines(truths: list[Any]) -> str:
    """The first ``FIRST_LINES`` body lines of a document's pages, as drawn."""
    lines: dict[tuple[int, int], list[str]] = {}
    for t in truths:
        for w in t.words:
            if w.block == "body":
                lines.setdefault((t.page, w.line), []).append(w.text)
    return "\n".join(" ".join(v) for _, v in sorted(lines.items())[:FIRST_LINES])


def _cached(cache_file: str | None) -> DossierRun | None:
    if cache_file and Path(cache_file).exists():
        return DossierRun(**pickle.loads(Path(cache_file).read_bytes()))
    return None


def _keep(out: DossierRun, cache_file: str | None) -> DossierRun:
    if cache_file:
        tmp = Path(cache_file).with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(out.__dict__))
        tmp.replace(cache_file)
    return out


def _dossier(job: tuple[str, str, int, int, int, str | None]) -> DossierRun:
    """Draw one dossier, encode each page as its scanner would, clean up and OCR it."""
    from synth import encode, make_dossier

    split, profile, seed, n_docs, dpi, cache_file = job
    if (cached := _cached(cache_file)) is not None:
        return cached
    d = make_dossier(seed, n_docs=n_docs, pages_per_doc=(1, 2), profile=profile, dpi=dpi,
                     split=split)
    pages, seconds = [], 0.0
    for page in d.pages:
        im = Image.open(io.BytesIO(encode(page, page.truth.dpi, page.default_format)))
        result, w, h, s = _ocr(im, float(page.truth.dpi))
        seconds += s
        pages.append((result, w, h))
    firsts = [_first_body_lines([p.truth for p in d.pages
                                 if p.truth.meta.doc_index == m.doc_index]) for m in d.documents]
    out = DossierRun(split, profile, seed, d.documents, pages, seconds,
                     [p.truth.text for p in d.pages], firsts)
    return _keep(out, cache_file)


def _real(job: tuple[str, str, str | None]) -> DossierRun:
    """OCR one real document's page images as ``sohoa process`` would."""
    truth_file, pages_dir, cache_file = job
    if (cached := _cached(cache_file)) is not None:
        return cached
    truth = json.loads(Path(truth_file).read_text(encoding="utf-8"))
    pages, seconds = [], 0.0
    for name in truth["pages"]:
        # Probed by ingest, as ``sohoa process`` does: a file without a resolution gets
        # the A4 estimate, not a made-up 300 dpi.
        (page,) = read_pages(Path(pages_dir) / name, max_pixels=REAL_MAX_PIXELS)
        im = Image.open(page.source)
        result, w, h, s = _ocr(im, page.dpi[0])
        seconds += s
        pages.append((result, w, h))
    out = DossierRun("real", "real", 0, [truth], pages, seconds, [],
                     ["\n".join(truth.get("firstLines") or [])], Path(truth_file).stem)
    return _keep(out, cache_file)


def _run_job(job: tuple[Any, ...]) -> DossierRun:
    return _real(job[1:]) if job[0] == "real" else _dossier(job)


# --------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    docs: int = 0
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    scored: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    wrong: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    null: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    silent: int = 0  # wrong with confidence ≥ the review threshold
    review: int = 0  # null or confidence below the review threshold
    ranges_right: int = 0
    pages: int = 0
    ocr_seconds: float = 0.0
    extract_seconds: float = 0.0
    wer_errors: float = 0.0  # word errors summed over pages (order-free), and truth words
    wer_words: int = 0
    first_read: int = 0  # words of the first body lines found in the OCR text, of …
    first_words: int = 0
    crashed: int = 0  # documents the extraction raised on (every field counted empty)

    def accuracy(self, name: str) -> float | None:
        return self.right[name] / self.scored[name] if self.scored[name] else None

    @property
    def fields(self) -> int:
        return sum(self.scored.values())

    @property
    def fields_right(self) -> float:
        return sum(self.right.values()) / max(1, self.fields)

    def add(self, other: Tally) -> None:
        for k in ("docs", "silent", "review", "ranges_right", "pages", "ocr_seconds",
                  "extract_seconds", "wer_errors", "wer_words", "first_read", "first_words",
                  "crashed"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for k in ("right", "scored", "wrong", "null"):
            for name, n in getattr(other, k).items():
                getattr(self, k)[name] += n


def _words_read(truth: str, hypothesis: str) -> tuple[int, int]:
    """How many of ``truth``'s words the hypothesis has (as a multiset), of how many."""
    want = metrics.words(metrics.normalise(truth))
    have: dict[str, int] = defaultdict(int)
    for w in metrics.words(metrics.normalise(hypothesis)):
        have[w] += 1
    read = 0
    for w in want:
        if have[w] > 0:
            have[w] -= 1
            read += 1
    return read, len(want)


def _extract(extract: Any, r: DossierRun, ranges: list[tuple[int, int]], names: list[str],
             t: Tally) -> list[Any]:
    """Each document's fields; where the extraction raises, the documents one by one, and
    ``None`` (every field empty) for a document it fails on."""
    try:
        return list(extract.extract_dossier(r.pages, ranges))
    except Exception:
        pass
    out: list[Any] = []
    for rng, name in zip(ranges, names, strict=True):
        try:
            out.append(extract.extract_dossier(r.pages, [rng])[0])
        except Exception as problem:
            log(f"{r.split}/{r.profile} {name}: extraction failed: {problem!r}")
            t.crashed += 1
            out.append(None)
    return out


def _tally_run(r: DossierRun, t: Tally, rows: list[Scored], threshold: float) -> None:
    from pipeline.extract import fields as extract

    t.pages += len(r.pages)
    t.ocr_seconds += r.ocr_seconds
    ocr_text = [p[0].text for p in r.pages]
    for truth, hyp in zip(r.page_text, ocr_text, strict=False):
        n = len(metrics.words(metrics.normalise(truth)))
        t.wer_errors += metrics.bow_wer(truth, hyp) * n
        t.wer_words += n
    t0 = time.perf_counter()
    if r.split == "real":
        truth_ranges = [(1, len(r.pages))]
        wants = [real_expected(r.documents[0])]
        names = [r.name]
    else:
        truth_ranges = [(m.first_page, m.first_page + m.page_count - 1) for m in r.documents]
        wants = [expected(m) for m in r.documents]
        names = [f"{r.seed}:{m.doc_index}" for m in r.documents]
    try:
        ranges = extract.split_documents(r.pages)
    except Exception as problem:  # a crash is a result to report, not the end of the run
        log(f"{r.split}/{r.profile} {r.name or r.seed}: split_documents failed: {problem!r}")
        t.crashed += 1
        ranges = []
    t.ranges_right += len(set(ranges) & set(truth_ranges))
    for (first, last), want, name, firsts, fields in zip(
            truth_ranges, wants, names, r.first_lines,
            _extract(extract, r, truth_ranges, names, t), strict=True):
        t.docs += 1
        read, total = _words_read(firsts, "\n".join(ocr_text[first - 1:last]))
        t.first_read += read
        t.first_words += total
        got = extracted(fields, want) if fields is not None else {
            k: (None, 0.0, "extraction failed") for k in want}
        scored = score(r.split, r.profile, name, want, got, threshold)
        for s in scored:
            t.scored[s.field] += 1
            t.review += s.got is None or s.confidence < threshold
            if s.right:
                t.right[s.field] += 1
            elif s.got is None:
                t.null[s.field] += 1
            else:
                t.wrong[s.field] += 1
                t.silent += s.silent
        rows.extend(scored)
    t.extract_seconds += time.perf_counter() - t0


# --------------------------------------------------------------------------- main


def jobs_for(args: argparse.Namespace, splits: list[str], profiles: list[str],
             real: Path | None) -> list[tuple[Any, ...]]:
    cache = Path(args.cache) if args.cache else None
    version = _synth_version()
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[Any, ...]] = []
    if real is not None:
        for truth in sorted((real / "truth").glob("*.json")):
            key = None
            if cache:
                h = hashlib.sha256(truth.read_bytes())
                for name in json.loads(truth.read_text(encoding="utf-8"))["pages"]:
                    h.update((real / "pages" / name).read_bytes())
                key = str(cache / f"real-{truth.stem}-{h.hexdigest()[:16]}.pkl")
            jobs.append(("real", str(truth), str(real / "pages"), key))
    for split in splits:
        for profile in profiles:
            left, k = args.docs, 0
            while left > 0:
                n = min(args.per_dossier, left)
                key = None
                if cache:
                    tag = "" if split == "tuned" else f"{split}-"
                    key = str(cache / f"{version}-{tag}{profile}-{args.seed + k}-{n}-{args.dpi}.pkl")
                jobs.append((split, profile, args.seed + k, n, args.dpi, key))
                left -= n
                k += 1
    return jobs


def run(args: argparse.Namespace, splits: list[str], profiles: list[str], real: Path | None
        ) -> tuple[dict[tuple[str, str], Tally], list[Scored], float]:
    jobs = jobs_for(args, splits, profiles, real)
    log(f"{len(jobs)} dossier(s): split(s) {', '.join(splits) or '-'}"
        f"{' and real' if real else ''}, {len(profiles)} profile(s), {args.jobs} worker(s)")
    threshold = review_below()
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs, initializer=_init_worker) as pool:
        runs = list(pool.map(_run_job, jobs, chunksize=1))
    wall = time.perf_counter() - start
    log(f"drawing, clean-up and OCR done in {wall:.0f} s")
    tallies: dict[tuple[str, str], Tally] = {}
    for split in splits:
        for profile in profiles:
            tallies[(split, profile)] = Tally()
    if real is not None:
        tallies[("real", "real")] = Tally()
    rows: list[Scored] = []
    for r in runs:
        _tally_run(r, tallies[(r.split, r.profile)], rows, threshold)
    return tallies, rows, wall


def _pct(x: float | None) -> str:
    return "      -" if x is None else f"{100 * x:6.1f}%"


def table(tallies: dict[tuple[str, str], Tally]) -> str:
    cols = [SHORT[f] for f in FIELDS] + ["ranges"]
    head = (f"{'split':<8} {'profile':<10} {'docs':>4} " + " ".join(f"{c[:7]:>7}" for c in cols)
            + f" {'fields':>7} {'wrong':>5} {'null':>5} {'silent':>6} {'silent%':>7}"
            f" {'review':>7} {'wer':>6} {'first':>6}")
    lines = [head, "-" * len(head)]
    splits: dict[str, list[tuple[str, Tally]]] = defaultdict(list)
    for (split, profile), t in tallies.items():
        splits[split].append((profile, t))
    for split, rows in splits.items():
        if len(rows) > 1:
            total = Tally()
            for _, t in rows:
                total.add(t)
            rows = [*rows, ("all", total)]
        for profile, t in rows:
            cells = [_pct(t.accuracy(f)) for f in FIELDS]
            cells.append(_pct(t.ranges_right / t.docs if t.docs else None))
            lines.append(
                f"{split:<8} {profile:<10} {t.docs:>4} " + " ".join(f"{c:>7}" for c in cells)
                + f" {_pct(t.fields_right):>7} {sum(t.wrong.values()):>5}"
                f" {sum(t.null.values()):>5} {t.silent:>6} {_pct(t.silent / max(1, t.fields)):>7}"
                f" {_pct(t.review / max(1, t.fields)):>7}"
                f" {_pct(t.wer_errors / t.wer_words if t.wer_words else None):>6}"
                f" {_pct(t.first_read / t.first_words if t.first_words else None):>6}")
        lines.append("")
    return "\n".join(lines).rstrip()


def reliability_table(rows: list[Scored]) -> str:
    groups = [("all", rows)] + [(s, [r for r in rows if r.split == s])
                                 for s in ("tuned", "heldout", "real")]
    groups = [(g, rs) for g, rs in groups if rs]
    bins = [b for b, _, _ in reliability(rows)]
    head = f"{'confidence':<12}" + "".join(f" {g + ' n':>10} {'wrong':>6}" for g, _ in groups)
    lines = [head, "-" * len(head)]
    per = {g: reliability(rs) for g, rs in groups}
    for i, b in enumerate(bins):
        line = f"{b:<12}"
        for g, _ in groups:
            _, n, share = per[g][i]
            line += f" {n:>10} {_pct(share) if n else '      -':>6}"
        lines.append(line)
    return "\n".join(lines)


def targets(tallies: dict[tuple[str, str], Tally]) -> list[str]:
    failed = []
    for (split, profile), t in tallies.items():
        if split == "real":
            if t.fields_right < REAL_RIGHT_MIN:
                failed.append(f"real fields {100 * t.fields_right:.1f}% < {100 * REAL_RIGHT_MIN:.0f}%")
            if t.silent / max(1, t.fields) > REAL_SILENT_MAX:
                failed.append(f"real silent {100 * t.silent / max(1, t.fields):.1f}% "
                              f"> {100 * REAL_SILENT_MAX:.0f}%")
            continue
        target = CLEAN_TARGET if profile == "clean" else DEGRADED_TARGET
        for f in FIELDS:
            acc = t.accuracy(f)
            if acc is not None and acc < target:
                failed.append(f"{split}/{profile}/{SHORT[f]} {100 * acc:.1f}% < {100 * target:.0f}%")
    held = Tally()
    for (split, _), t in tallies.items():
        if split == "heldout":
            held.add(t)
    if held.fields and held.silent / held.fields > HELDOUT_SILENT_MAX:
        failed.append(f"heldout silent {100 * held.silent / held.fields:.2f}% "
                      f"> {100 * HELDOUT_SILENT_MAX:.1f}%")
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.metadata",
                                 description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--split", choices=("tuned", "heldout", "both"), default="tuned",
                    help="which generated documents: the tuned-on ones (default), the held-out "
                    "ones, or both")
    ap.add_argument("--real", type=Path, default=DEFAULT_REAL, metavar="DIR",
                    help="real scans with their truth (pages/, truth/); default "
                    "../shared/real-scans beside the repository, skipped when absent")
    ap.add_argument("--docs", type=int, default=24,
                    help="documents per profile and split (default 24)")
    ap.add_argument("--profiles", default=",".join(PROFILES))
    ap.add_argument("--per-dossier", type=int, default=4, help="documents per dossier (default 4)")
    ap.add_argument("--seed", type=int, default=1000, help="seed of the first dossier")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=2, help="OCR worker processes (default 2)")
    ap.add_argument("--cache", help="keep each dossier's OCR in this folder between runs "
                    "(keyed by the generator's source; clear it when clean-up or OCR change)")
    ap.add_argument("--errors", action="store_true", help="print every mismatch")
    ap.add_argument("--json", help="write every scored field and the tables to this file")
    ap.add_argument("--docs-md", type=Path, metavar="FILE",
                    help=f"also rewrite the {DOCS_SECTION} section of this page (e.g. "
                    "docs/benchmark.md) with the tables, the date, the machine and the command")
    args = ap.parse_args(argv)
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    for p in profiles:
        if p not in PROFILES:
            ap.error(f"unknown profile {p!r}; choose from {', '.join(PROFILES)}")
    splits = list(SPLITS) if args.split == "both" else [args.split]
    if args.docs <= 0:
        splits = []
    real: Path | None = args.real if args.real.is_absolute() else Path.cwd() / args.real
    if real is not None and not (real / "truth").is_dir():
        log(f"no real scans at {args.real} (no truth/ folder): the real row is left out")
        real = None
    docs_md: Path | None = None
    if args.docs_md:
        docs_md = args.docs_md if args.docs_md.is_absolute() else REPO / args.docs_md
        try:
            docs_section.check(docs_md, DOCS_SECTION)
        except (OSError, ValueError) as problem:
            ap.error(f"--docs-md {args.docs_md}: {problem}")

    start = time.perf_counter()
    tallies, rows, wall = run(args, splits, profiles, real)
    total = time.perf_counter() - start

    if args.errors:
        for r in rows:
            if not r.right:
                print(json.dumps(asdict(r), ensure_ascii=False, default=str))
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
        print("\nreliability: field values given, per confidence, and the share of them wrong "
              f"(review below {review_below()}; empty values apart)\n")
        print(reliability_table(rows))
        crashed = {f"{s}/{p}": t.crashed for (s, p), t in tallies.items() if t.crashed}
        if crashed:
            print("\nthe extraction raised on (documents, their fields counted empty): "
                  + ", ".join(f"{k} {n}" for k, n in crashed.items()))
        failed = targets(tallies)
        if crashed:
            failed.append(f"extraction raised on {sum(crashed.values())} document(s)")
        print("\ntargets: " + ("all met" if not failed else "missed: " + ", ".join(failed)))
    if docs_md is not None:
        command = docs_section.command_line("bench.metadata", argv)
        docs_section.write(docs_md, DOCS_SECTION, docs_section.recorded(command, report.getvalue()))
        log(f"section {DOCS_SECTION} of {docs_md} rewritten")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "review_below": review_below(),
            "rows": {f"{s}/{p}": {"docs": t.docs, "pages": t.pages,
                                  "accuracy": {f: t.accuracy(f) for f in FIELDS},
                                  "fields_right": t.fields_right,
                                  "ranges": t.ranges_right / max(1, t.docs),
                                  "wrong": dict(t.wrong), "null": dict(t.null),
                                  "silent": t.silent, "fields": t.fields,
                                  "crashed": t.crashed,
                                  "review": t.review / max(1, t.fields),
                                  "wer": t.wer_errors / t.wer_words if t.wer_words else None,
                                  "first_lines_read": (t.first_read / t.first_words
                                                       if t.first_words else None)}
                     for (s, p), t in tallies.items()},
            "reliability": {g: reliability([r for r in rows if g == "all" or r.split == g])
                            for g in ("all", "tuned", "heldout", "real")},
            "fields": [asdict(r) for r in rows],
        }, ensure_ascii=False, indent=1, default=str))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
