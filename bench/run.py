"""Benchmark: sohoa against OCRmyPDF 17 and bare Tesseract on synthetic dossiers.

Run from the repository root::

    .venv/bin/python -m bench.run [--pages 6] [--profiles clean,skew,...] [--jobs 2]
                                  [--memory] [--out bench/results] [--docs-md docs/benchmark.md]
    .venv/bin/python -m bench.run --flows [--dossiers 20]   # the watch folder and flows (bench.flows)

For each degradation profile a seeded corpus of ``--pages`` pages is drawn by
``synth`` and written twice: as page image files (for bare Tesseract)
and as one image-only PDF holding the same image bytes (JPEG as DCT, G4 as
CCITT) that sohoa and OCRmyPDF both read. Each engine's wall-clock time is
taken per profile, and each page's text is scored against the generator's
ground truth (``bench.metrics``: CER and an order-free word error rate).

``--memory`` also pushes a 200-page folder of JPEGs through ``sohoa process``
and samples the summed RSS of sohoa and all its child processes.

The table goes to stdout, the full results (per page, with samples of missed
and spurious words) to ``OUT/results.json``; the corpus and every engine's
output stay in ``OUT/corpus`` and ``OUT/runs`` for inspection. ``--docs-md FILE``
also puts the printed tables, with the date, the machine and the command, in the
``bench.run`` section of FILE (``bench.docs_section``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import corpus as corpus_mod
from bench import docs_section
from bench.metrics import Score, diff_words, score

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ENGINES = ("sohoa", "ocrmypdf", "tesseract")
ENGINE_LABEL = {"sohoa": "sohoa", "ocrmypdf": "OCRmyPDF", "tesseract": "tesseract"}
RUN_TIMEOUT = 1800  # seconds for one engine over one profile
STDERR_TAIL = 15  # lines of a failed run's stderr to show

# Targets checked at the end.
CLEAN_WER_MAX = 0.01
DEGRADED_WER_RATIO_MAX = 0.5
THROUGHPUT_VS_OCRMYPDF_MIN = 2.0
THROUGHPUT_VS_TESSERACT_MIN = 0.85
PEAK_MEMORY_MAX_MB = 1536
LOSSES_SHOWN = 8
RAW_WER_NOTE = 0.005  # report -raw WER when it differs from the default by more than this
OTHER_LOAD_WARN = 0.10  # flag runs during which other processes used more of the CPUs
DOCS_SECTION = "bench.run"  # between <!-- bench.run:begin/end --> in --docs-md's page


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    env.setdefault("LC_ALL", "C.UTF-8")
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _tool(name: str) -> str:
    venv = VENV_BIN / name
    return str(venv) if venv.exists() else name


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- engine runs


@dataclass
class EngineRun:
    engine: str
    profile: str
    pages: int
    seconds: float | None = None
    cpu_seconds: float | None = None
    ok: bool = False
    error: str | None = None
    texts: list[str] = field(default_factory=list)  # one per page, as extracted
    scores: list[Score] = field(default_factory=list)
    # PDFs only: the text again with ``pdftotext -raw`` (content-stream order, no
    # line rebuilding), to tell recognition errors from text-layer geometry.
    raw_texts: list[str] = field(default_factory=list)
    raw_scores: list[Score] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # engine-specific details for the JSON

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.seconds if self.ok and self.seconds else None

    @property
    def total(self) -> Score | None:
        return Score.total(self.scores) if self.ok else None


def _tail(path: Path, lines: int = STDERR_TAIL) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


class TreeMonitor:
    """Samples a process and all its descendants every ``interval`` s: summed RSS and CPU time.

    CPU time is the sum over every process seen of its own user + system time
    at its last sample, so a process's final ≤ ``interval`` s is missed; the
    caller takes the larger of this and ``RUSAGE_CHILDREN``, which is exact for
    descendants that were waited for but misses those that were not (a
    multiprocessing forkserver and its workers).
    """

    def __init__(self, pid: int, interval: float = 0.1):
        self.interval = interval
        self.peak_rss = 0
        self.peak_processes = 0
        self.samples = 0
        self._cpu: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        try:
            import psutil

            self._psutil = psutil
            self._root = psutil.Process(pid)
        except Exception:  # psutil missing or the process already gone
            self._psutil = None
            return
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        ps = self._psutil
        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except ps.Error:
                procs = []
            rss = n = 0
            for p in procs:
                try:
                    with p.oneshot():
                        mem = p.memory_info().rss
                        t = p.cpu_times()
                        key = (p.pid, p.create_time())
                except ps.Error:
                    continue
                rss += mem
                n += 1
                self._cpu[key] = t.user + t.system
            self.samples += 1
            if rss > self.peak_rss:
                self.peak_rss, self.peak_processes = rss, n
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._psutil is not None:
            self._thread.join()

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@dataclass
class Completed:
    rc: int
    seconds: float
    cpu_seconds: float
    peak_rss: int
    peak_processes: int
    samples: int
    stderr: Path


def _run_logged(cmd: list[str], log_dir: Path, name: str, timeout: float = RUN_TIMEOUT) -> Completed:
    """Run one command with its output in files, timing it and sampling its process tree."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out, err = log_dir / f"{name}.stdout", log_dir / f"{name}.stderr"
    (log_dir / f"{name}.cmd").write_text(" ".join(cmd) + "\n")
    with out.open("wb") as o, err.open("wb") as e:
        cpu0 = _children_cpu()
        start = time.perf_counter()
        try:
            popen = subprocess.Popen(cmd, stdout=o, stderr=e, env=_env(), cwd=REPO)
        except OSError as exc:
            e.write(f"\n(could not start: {exc})\n".encode())
            return Completed(-1, 0.0, 0.0, 0, 0, 0, err)
        monitor = TreeMonitor(popen.pid)
        try:
            rc = popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
            e.write(f"\n(timed out after {timeout:.0f} s)\n".encode())
            rc = -1
        seconds = time.perf_counter() - start
        monitor.stop()
        cpu = max(_children_cpu() - cpu0, monitor.cpu_seconds)
    return Completed(
        rc, seconds, cpu, monitor.peak_rss, monitor.peak_processes, monitor.samples, err
    )


def pdf_page_count(pdf: Path) -> int | None:
    try:
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, env=_env()
        ).stdout
    except (subprocess.CalledProcessError, OSError):
        return None
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def pdf_page_text(pdf: Path, page: int, *options: str) -> str:
    r = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        env=_env(),
    )
    return r.stdout.decode("utf-8", errors="replace") if r.returncode == 0 else ""


def _finish(run: EngineRun, done: Completed) -> bool:
    run.seconds, run.cpu_seconds = done.seconds, done.cpu_seconds
    if done.rc != 0:
        run.error = f"exit code {done.rc}\n{_tail(done.stderr)}"
        return False
    return True


def sohoa_command(input_path: Path, output_dir: Path, jobs: int) -> list[str]:
    return [
        _tool("sohoa"), "process", str(input_path), "--output", str(output_dir),
        "--jobs", str(jobs), "--quiet",
    ]  # fmt: skip


def sohoa_page_map(dest: Path, input_path: Path, pages: int) -> list[tuple[Path, int]]:
    """Where each dossier page ended up: (output PDF, page in it).

    sohoa writes ``<name>.pdf``, or one PDF per document it finds; the record's
    ``outputs`` give each file's dossier page range. Without a record, a single
    PDF holds every page, and several are taken in name order.
    """
    rec_path = dest / "record.json"
    if rec_path.exists():
        rec = json.loads(rec_path.read_text(encoding="utf-8"))
        mapping: list[tuple[Path, int]] = []
        outputs = sorted(rec.get("outputs") or [], key=lambda o: (o.get("pages") or [0])[0])
        for out in outputs:
            first, last = out.get("pages") or (1, pages)
            mapping.extend((dest / out["file"], i - first + 1) for i in range(first, last + 1))
        if mapping:
            return mapping
    pdfs = sorted(dest.glob("*.pdf"))
    named = dest / f"{input_path.stem}.pdf"
    if named in pdfs:
        pdfs = [named]
    mapping = []
    for pdf in pdfs:
        mapping.extend((pdf, i) for i in range(1, (pdf_page_count(pdf) or 0) + 1))
    return mapping


def _sohoa_record_summary(dest: Path) -> dict[str, Any]:
    try:
        rec = json.loads((dest / "record.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = []
    for p in rec.get("pages") or []:
        ocr = p.get("ocr") or {}
        pages.append(
            {
                "rotation": p.get("rotation"),
                "skew": p.get("skewDegrees", p.get("skew_degrees")),
                "cleanup": p.get("cleanup"),
                "ocr_seconds": ocr.get("seconds"),
                "ocr_words": ocr.get("words"),
                "mean_confidence": ocr.get("meanConfidence", ocr.get("mean_confidence")),
            }
        )
    return {
        "timings": rec.get("timings"),
        "outputs": [
            {"file": o.get("file"), "pages": o.get("pages")} for o in rec.get("outputs") or []
        ],
        "pages": pages,
        "warnings": rec.get("warnings"),
    }


def run_sohoa(profile: corpus_mod.ProfileCorpus, out_dir: Path, jobs: int) -> EngineRun:
    run = EngineRun("sohoa", profile.name, len(profile.pages))
    dest = out_dir / "sohoa"
    shutil.rmtree(dest, ignore_errors=True)
    done = _run_logged(sohoa_command(profile.pdf, dest, jobs), out_dir, "sohoa")
    if not _finish(run, done):
        return run
    run.extra["record"] = _sohoa_record_summary(dest)
    mapping = sohoa_page_map(dest, profile.pdf, run.pages)
    if len(mapping) != run.pages:
        run.error = f"output PDFs in {dest} hold {len(mapping)} pages, expected {run.pages}"
        return run
    counts = {pdf: pdf_page_count(pdf) for pdf in {pdf for pdf, _ in mapping}}
    bad = [f"{pdf.name}: {n}" for pdf, n in counts.items() if n is None]
    if bad:
        run.error = f"unreadable output PDF(s): {', '.join(bad)}"
        return run
    run.texts = [pdf_page_text(pdf, i) for pdf, i in mapping]
    run.raw_texts = [pdf_page_text(pdf, i, "-raw") for pdf, i in mapping]
    run.ok = True
    return run


def ocrmypdf_command(input_pdf: Path, output_pdf: Path, jobs: int) -> list[str]:
    return [
        _tool("ocrmypdf"), "-l", "vie", "--rotate-pages", "--deskew", "--output-type", "pdfa",
        "--jobs", str(jobs), str(input_pdf), str(output_pdf),
    ]  # fmt: skip


def run_ocrmypdf(profile: corpus_mod.ProfileCorpus, out_dir: Path, jobs: int) -> EngineRun:
    run = EngineRun("ocrmypdf", profile.name, len(profile.pages))
    out_pdf = out_dir / "ocrmypdf.pdf"
    out_pdf.unlink(missing_ok=True)
    done = _run_logged(ocrmypdf_command(profile.pdf, out_pdf, jobs), out_dir, "ocrmypdf")
    if not _finish(run, done):
        return run
    count = pdf_page_count(out_pdf) if out_pdf.exists() else None
    if count != run.pages:
        run.error = f"output {out_pdf.name} has {count} pages, expected {run.pages}"
        return run
    run.texts = [pdf_page_text(out_pdf, i) for i in range(1, run.pages + 1)]
    run.raw_texts = [pdf_page_text(out_pdf, i, "-raw") for i in range(1, run.pages + 1)]
    run.ok = True
    return run


def run_tesseract(profile: corpus_mod.ProfileCorpus, out_dir: Path, jobs: int) -> EngineRun:
    """Bare Tesseract, plain text, ``jobs`` single-threaded processes over the pages."""
    run = EngineRun("tesseract", profile.name, len(profile.pages))
    dest = out_dir / "tesseract"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    env = _env()

    def one(i_page: tuple[int, corpus_mod.CorpusPage]) -> tuple[int, int, str]:
        i, page = i_page
        base = dest / f"page-{i:03d}"
        try:
            r = subprocess.run(
                [_tool("tesseract"), str(page.image), str(base), "-l", "vie"],
                capture_output=True,
                env=env,
                timeout=RUN_TIMEOUT,
            )
        except (subprocess.TimeoutExpired, OSError) as e:
            return i, -1, str(e)
        return i, r.returncode, r.stderr.decode("utf-8", errors="replace")

    cpu0 = _children_cpu()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, enumerate(profile.pages, 1)))
    run.seconds = time.perf_counter() - start
    run.cpu_seconds = _children_cpu() - cpu0
    failed = [(i, rc, err) for i, rc, err in results if rc != 0]
    if failed:
        i, rc, err = failed[0]
        tail = "\n".join(err.rstrip().splitlines()[-STDERR_TAIL:])
        run.error = f"{len(failed)} page(s) failed; page {i}: exit code {rc}\n{tail}"
        return run
    for i in range(1, run.pages + 1):
        txt = dest / f"page-{i:03d}.txt"
        run.texts.append(txt.read_text(encoding="utf-8", errors="replace") if txt.exists() else "")
    run.ok = True
    return run


RUNNERS = {"sohoa": run_sohoa, "ocrmypdf": run_ocrmypdf, "tesseract": run_tesseract}


def warm_up(scratch: Path) -> None:
    """Load the Tesseract model and the Python packages once, so the first timed run is not cold."""
    from PIL import Image, ImageDraw

    scratch.mkdir(parents=True, exist_ok=True)
    img = Image.new("L", (600, 120), 255)
    ImageDraw.Draw(img).text((10, 40), "Uy ban nhan dan", fill=0)
    img.save(scratch / "warm.png", dpi=(300, 300))
    subprocess.run(
        [_tool("tesseract"), str(scratch / "warm.png"), str(scratch / "warm"), "-l", "vie"],
        capture_output=True,
        env=_env(),
    )
    # Byte-compiled as the Docker image and any installed package are (OCRmyPDF's are, by
    # pip): with PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise be
    # compiled from source on every run.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash",
         "sohoa", "pipeline", "flows"],
        cwd=REPO, capture_output=True, check=True,
    )
    for tool in ("sohoa", "ocrmypdf"):
        subprocess.run([_tool(tool), "--version"], capture_output=True, env=_env())


# --------------------------------------------------------------------------- memory


@dataclass
class MemoryRun:
    pages: int
    seconds: float | None = None
    cpu_seconds: float | None = None
    peak_mb: float | None = None
    peak_processes: int = 0
    samples: int = 0
    ok: bool = False
    error: str | None = None

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.seconds if self.ok and self.seconds else None


def run_memory(folder: Path, pages: int, out_dir: Path, jobs: int) -> MemoryRun:
    """``sohoa process`` over a folder, sampling the summed RSS of its process tree every 0.1 s."""
    try:
        import psutil  # noqa: F401
    except ImportError:
        return MemoryRun(pages, error="psutil is not installed: .venv/bin/pip install psutil")
    result = MemoryRun(pages)
    dest = out_dir / "sohoa"
    shutil.rmtree(dest, ignore_errors=True)
    done = _run_logged(sohoa_command(folder, dest, jobs), out_dir, "sohoa")
    result.seconds, result.cpu_seconds = done.seconds, done.cpu_seconds
    result.peak_mb = done.peak_rss / 2**20 if done.samples else None
    result.peak_processes, result.samples = done.peak_processes, done.samples
    if done.rc != 0:
        result.error = f"exit code {done.rc}\n{_tail(done.stderr)}"
        return result
    mapping = sohoa_page_map(dest, folder, pages)
    if len(mapping) != pages:
        result.error = f"output PDFs hold {len(mapping)} pages, expected {pages}"
        return result
    result.ok = True
    return result


def _machine_busy() -> tuple[float, float] | None:
    """(busy CPU seconds of the whole machine, wall clock) now."""
    try:
        import psutil
    except ImportError:
        return None
    t = psutil.cpu_times()
    idle = t.idle + getattr(t, "iowait", 0.0)
    return sum(t) - idle - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0), time.perf_counter()


def _other_load(before: tuple[float, float] | None, run: EngineRun | MemoryRun) -> float | None:
    """Share of the machine's CPUs that processes other than this run used while it ran."""
    after = _machine_busy()
    if before is None or after is None or not run.seconds or run.cpu_seconds is None:
        return None
    busy = after[0] - before[0]
    wall = after[1] - before[1]
    other = max(0.0, busy - run.cpu_seconds)
    return round(other / (wall * (os.cpu_count() or 1)), 3)


def _load_note(run: EngineRun | MemoryRun, load: float | None = None) -> str:
    load = run.extra.get("other_load") if isinstance(run, EngineRun) else load
    return f"  (other processes: {load:.0%} of the CPUs)" if load and load > OTHER_LOAD_WARN else ""


# --------------------------------------------------------------------------- report


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    if b == 0:
        return 0.0 if a == 0 else float("inf")
    return a / b


def _f(x: float | None, fmt: str) -> str:
    if x is None:
        return "—"
    if x == float("inf"):
        return "∞"
    return format(x, fmt)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}%"


@dataclass
class Row:
    name: str
    pages: int
    runs: dict[str, EngineRun | None]  # None: engine not run
    # For the overall row the ratios come from the profiles both engines finished.
    throughput: dict[str, float | None] = field(default_factory=dict)
    wer: dict[str, float | None] = field(default_factory=dict)
    cer: dict[str, float | None] = field(default_factory=dict)
    thr_vs_ocrmypdf: float | None = None
    thr_vs_tesseract: float | None = None
    wer_vs_ocrmypdf: float | None = None


def profile_row(name: str, runs: dict[str, EngineRun]) -> Row:
    pages = next(iter(runs.values())).pages if runs else 0
    row = Row(name, pages, dict(runs))
    for e, r in runs.items():
        row.throughput[e] = r.pages_per_second
        t = r.total
        row.wer[e] = t.wer if t else None
        row.cer[e] = t.cer if t else None
    row.thr_vs_ocrmypdf = _ratio(row.throughput.get("sohoa"), row.throughput.get("ocrmypdf"))
    row.thr_vs_tesseract = _ratio(row.throughput.get("sohoa"), row.throughput.get("tesseract"))
    row.wer_vs_ocrmypdf = _ratio(row.wer.get("sohoa"), row.wer.get("ocrmypdf"))
    return row


def _pooled(all_runs: list[dict[str, EngineRun]], engines: list[str]) -> tuple[float | None, ...]:
    """Pages/s of each engine over the profiles every one of ``engines`` finished."""
    common = [rs for rs in all_runs if all(e in rs and rs[e].ok for e in engines)]
    if not common:
        return tuple(None for _ in engines)
    return tuple(
        sum(rs[e].pages for rs in common) / sum(rs[e].seconds for rs in common) for e in engines
    )


def overall_row(all_runs: list[dict[str, EngineRun]], engines: list[str]) -> Row:
    pages = sum(next(iter(rs.values())).pages for rs in all_runs if rs)
    row = Row("overall", pages, {})
    for e in engines:
        done = [rs[e] for rs in all_runs if e in rs and rs[e].ok]
        if done:
            row.throughput[e] = sum(r.pages for r in done) / sum(r.seconds for r in done)
            t = Score.total([s for r in done for s in r.scores])
            row.wer[e], row.cer[e] = t.wer, t.cer
        else:
            row.throughput[e] = row.wer[e] = row.cer[e] = None
    if "sohoa" in engines and "ocrmypdf" in engines:
        s, o = _pooled(all_runs, ["sohoa", "ocrmypdf"])
        row.thr_vs_ocrmypdf = _ratio(s, o)
        common = [rs for rs in all_runs if rs.get("sohoa") and rs["sohoa"].ok
                  and rs.get("ocrmypdf") and rs["ocrmypdf"].ok]  # fmt: skip
        if common:
            ws = Score.total([x for rs in common for x in rs["sohoa"].scores]).wer
            wo = Score.total([x for rs in common for x in rs["ocrmypdf"].scores]).wer
            row.wer_vs_ocrmypdf = _ratio(ws, wo)
    if "sohoa" in engines and "tesseract" in engines:
        s, t = _pooled(all_runs, ["sohoa", "tesseract"])
        row.thr_vs_tesseract = _ratio(s, t)
    return row


def print_table(rows: list[Row], engines: list[str]) -> None:
    short = {"sohoa": "soh", "ocrmypdf": "omp", "tesseract": "tes"}
    head = ["profile", "pages"]
    head += [f"p/s {short[e]}" for e in engines]
    head += [f"CER {short[e]}" for e in engines]
    head += [f"WER {short[e]}" for e in engines]
    head += ["thr s/omp", "thr s/tes", "WER s/omp"]
    table = [head]
    for r in rows:
        line = [r.name, str(r.pages)]
        line += [
            "FAIL" if (r.runs.get(e) and not r.runs[e].ok) else _f(r.throughput.get(e), ".2f")
            for e in engines
        ]
        line += [_pct(r.cer.get(e)) for e in engines]
        line += [_pct(r.wer.get(e)) for e in engines]
        line += [
            _f(r.thr_vs_ocrmypdf, ".2f") + ("×" if r.thr_vs_ocrmypdf is not None else ""),
            _f(r.thr_vs_tesseract, ".2f") + ("×" if r.thr_vs_tesseract is not None else ""),
            _f(r.wer_vs_ocrmypdf, ".2f") + ("×" if r.wer_vs_ocrmypdf is not None else ""),
        ]
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for n, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        print("  ".join(cells))
        if n == 0 or (n == len(table) - 2 and rows[-1].name == "overall"):
            print("  ".join("-" * w for w in widths))
    print(
        "p/s: pages per second (wall clock); CER: character error rate; WER: order-free "
        "bag-of-words word error rate;\nthr s/omp, thr s/tes: sohoa pages/s over OCRmyPDF's, "
        "over bare Tesseract's; WER s/omp: sohoa WER over OCRmyPDF's (< 1 is better)."
    )


def targets(
    rows: list[Row], overall: Row, memory: MemoryRun | None, engines: list[str]
) -> list[tuple[str, bool | None, str]]:
    """(target, PASS/FAIL/None for not measured, detail)."""
    by_name = {r.name: r for r in rows}
    out: list[tuple[str, bool | None, str]] = []

    clean = by_name.get("clean")
    w = clean.wer.get("sohoa") if clean else None
    out.append(
        (
            f"sohoa WER ≤ {CLEAN_WER_MAX:.0%} on clean 300 dpi pages",
            None if w is None else w <= CLEAN_WER_MAX,
            "not measured" if w is None else f"WER {_pct(w)}",
        )
    )

    degraded = [r for r in rows if r.name in corpus_mod.DEGRADED]
    if degraded and "ocrmypdf" in engines and "sohoa" in engines:
        fails, details, measured = [], [], True
        for r in degraded:
            s, o = r.wer.get("sohoa"), r.wer.get("ocrmypdf")
            if s is None or o is None:
                measured = False
                details.append(f"{r.name}: not measured")
                continue
            ok = s <= DEGRADED_WER_RATIO_MAX * o
            details.append(f"{r.name} {_pct(s)} vs {_pct(o)}{'' if ok else ' ✗'}")
            if not ok:
                fails.append(r.name)
        verdict = False if fails else (True if measured else None)
        out.append(
            (
                f"sohoa WER ≤ {DEGRADED_WER_RATIO_MAX}× OCRmyPDF's on every degraded profile",
                verdict,
                "; ".join(details),
            )
        )
    else:
        out.append(("sohoa WER ≤ 0.5× OCRmyPDF's on every degraded profile", None, "not measured"))

    r = overall.thr_vs_ocrmypdf
    out.append(
        (
            f"sohoa throughput ≥ {THROUGHPUT_VS_OCRMYPDF_MIN:g}× OCRmyPDF's (overall)",
            None if r is None else r >= THROUGHPUT_VS_OCRMYPDF_MIN,
            "not measured" if r is None else f"{r:.2f}×",
        )
    )
    r = overall.thr_vs_tesseract
    out.append(
        (
            f"sohoa throughput ≥ {THROUGHPUT_VS_TESSERACT_MIN:.0%} of bare Tesseract's (overall)",
            None if r is None else r >= THROUGHPUT_VS_TESSERACT_MIN,
            "not measured" if r is None else f"{r:.0%}",
        )
    )
    if memory is not None:
        ok = memory.ok and memory.peak_mb is not None and memory.peak_mb < PEAK_MEMORY_MAX_MB
        detail = (
            f"peak {memory.peak_mb:.0f} MB" if memory.peak_mb is not None else "not measured"
        ) + ("" if memory.ok else f" (run failed: {(memory.error or '').splitlines()[0]})")
        out.append(
            (f"sohoa peak memory < {PEAK_MEMORY_MAX_MB / 1024:g} GB ({memory.pages} pages)", ok, detail)
        )
    return out


def losses(all_runs: list[dict[str, EngineRun]], profiles: list[corpus_mod.ProfileCorpus],
           limit: int = 8) -> list[dict[str, Any]]:  # fmt: skip
    """Pages where sohoa's WER is worse than OCRmyPDF's, worst first."""
    out = []
    for rs, prof in zip(all_runs, profiles):
        s, o = rs.get("sohoa"), rs.get("ocrmypdf")
        if not (s and o and s.ok and o.ok):
            continue
        for i, (ss, os_) in enumerate(zip(s.scores, o.scores)):
            if ss.wer > os_.wer:
                missing, extra = diff_words(prof.pages[i].truth_text, s.texts[i], 8)
                o_missing, o_extra = diff_words(prof.pages[i].truth_text, o.texts[i], 8)
                out.append(
                    {
                        "profile": prof.name,
                        "page": i + 1,
                        "image": str(prof.pages[i].image),
                        "sohoa_wer": ss.wer,
                        "ocrmypdf_wer": os_.wer,
                        "sohoa_missing": missing,
                        "sohoa_extra": extra,
                        "ocrmypdf_missing": o_missing,
                        "ocrmypdf_extra": o_extra,
                    }
                )
    out.sort(key=lambda d: d["ocrmypdf_wer"] - d["sohoa_wer"])
    return out


def _versions() -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=60)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    return {
        "python": platform.python_version(),
        "tesseract": first_line([_tool("tesseract"), "--version"]),
        "ocrmypdf": first_line([_tool("ocrmypdf"), "--version"]),
        "sohoa": first_line([_tool("sohoa"), "--version"]),
        "pdftotext": first_line(["pdftotext", "-v"]),
        "cpus": str(os.cpu_count()),
        "machine": platform.machine(),
    }


# --------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmark sohoa against OCRmyPDF and bare Tesseract on synthetic pages.",
    )
    p.add_argument("--pages", type=int, default=6, help="pages per profile (default 6)")
    p.add_argument(
        "--profiles",
        default=",".join(corpus_mod.PROFILES),
        help=f"comma-separated profiles (default: all: {','.join(corpus_mod.PROFILES)})",
    )
    p.add_argument("--jobs", type=int, default=2, help="parallel processes per engine (default 2)")
    p.add_argument("--memory", action="store_true", help="also run the 200-page memory test")
    p.add_argument(
        "--memory-pages", type=int, default=200, help="pages of the memory dossier (default 200)"
    )
    p.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="comma-separated subset of sohoa,ocrmypdf,tesseract (default: all)",
    )
    p.add_argument("--seed", type=int, default=2025, help="corpus seed (default 2025)")
    p.add_argument(
        "--out", type=Path, default=Path("bench/results"), help="results folder (default bench/results)"
    )
    p.add_argument(
        "--docs-md",
        type=Path,
        metavar="FILE",
        help=f"also rewrite the {DOCS_SECTION} section of this page (e.g. docs/benchmark.md) "
        "with the tables, the date, the machine and the command",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--flows" in argv:  # the clerks' path through the local stack: its own options
        from bench import flows

        return flows.main([a for a in argv if a != "--flows"])
    args = _parser().parse_args(argv)
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    unknown = [p for p in profiles if p not in corpus_mod.PROFILES]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad_engines = [e for e in engines if e not in ENGINES]
    if unknown or bad_engines or args.pages < 1 or args.jobs < 1:
        print(
            f"unknown profile(s) {unknown} (known: {', '.join(corpus_mod.PROFILES)}), "
            f"unknown engine(s) {bad_engines}, or --pages/--jobs < 1",
            file=sys.stderr,
        )
        return 2
    engines = [e for e in ENGINES if e in engines]
    docs_md: Path | None = None
    if args.docs_md:
        docs_md = args.docs_md if args.docs_md.is_absolute() else REPO / args.docs_md
        try:
            docs_section.check(docs_md, DOCS_SECTION)
        except (OSError, ValueError) as problem:
            print(f"--docs-md {args.docs_md}: {problem}", file=sys.stderr)
            return 2
    out: Path = args.out if args.out.is_absolute() else REPO / args.out
    out.mkdir(parents=True, exist_ok=True)
    corpus_dir, runs_dir = out / "corpus", out / "runs"
    shutil.rmtree(corpus_dir, ignore_errors=True)
    shutil.rmtree(runs_dir, ignore_errors=True)

    started = time.perf_counter()
    log(
        f"benchmark: {len(profiles)} profile(s) × {args.pages} page(s), engines "
        f"{', '.join(engines)}, --jobs {args.jobs}, seed {args.seed}, out {out}"
    )
    warm_up(runs_dir / "warm-up")
    load = os.getloadavg()
    log(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")

    all_runs: list[dict[str, EngineRun]] = []
    corpora: list[corpus_mod.ProfileCorpus] = []
    rows: list[Row] = []
    for n, name in enumerate(profiles, 1):
        t0 = time.perf_counter()
        try:
            prof = corpus_mod.build_profile(name, args.pages, args.seed, corpus_dir / name)
        except Exception as e:  # a generator failure must not stop the other profiles
            log(f"[{n}/{len(profiles)}] {name}: corpus generation FAILED: {e!r}")
            continue
        log(
            f"[{n}/{len(profiles)}] {name}: {len(prof.pages)} pages at {prof.dpi} dpi "
            f"({prof.describe()}) generated in {time.perf_counter() - t0:.1f} s"
        )
        runs: dict[str, EngineRun] = {}
        for engine in engines:
            busy0 = _machine_busy()
            try:
                run = RUNNERS[engine](prof, runs_dir / name, args.jobs)
            except Exception as e:
                run = EngineRun(engine, name, len(prof.pages), error=f"harness error: {e!r}")
            run.extra["other_load"] = _other_load(busy0, run)
            if run.ok:
                run.scores = [score(p.truth_text, t) for p, t in zip(prof.pages, run.texts)]
                run.raw_scores = [
                    score(p.truth_text, t) for p, t in zip(prof.pages, run.raw_texts)
                ]
                t = run.total
                log(
                    f"    {ENGINE_LABEL[engine]:<9} {run.seconds:6.1f} s  "
                    f"{run.pages_per_second:.2f} p/s  CPU {run.cpu_seconds / run.pages:4.1f} s/page  "
                    f"CER {_pct(t.cer)}  WER {_pct(t.wer)}{_load_note(run)}"
                )
            else:
                log(f"    {ENGINE_LABEL[engine]:<9} FAILED: {run.error}")
            runs[engine] = run
        all_runs.append(runs)
        corpora.append(prof)
        rows.append(profile_row(name, runs))

    memory: MemoryRun | None = None
    memory_other_load: float | None = None
    if args.memory:
        t0 = time.perf_counter()
        try:
            folder = corpus_mod.build_memory_dossier(
                args.memory_pages, args.seed, corpus_dir / "memory"
            )
            log(
                f"memory: {args.memory_pages}-page JPEG folder generated in "
                f"{time.perf_counter() - t0:.1f} s; running sohoa"
            )
            busy0 = _machine_busy()
            memory = run_memory(folder, args.memory_pages, runs_dir / "memory", args.jobs)
            memory_other_load = _other_load(busy0, memory)
        except Exception as e:
            memory = MemoryRun(args.memory_pages, error=f"harness error: {e!r}")
        if memory.ok:
            log(
                f"memory: {memory.pages} pages in {memory.seconds:.1f} s "
                f"({memory.pages_per_second:.2f} p/s), peak RSS {memory.peak_mb:.0f} MB "
                f"over {memory.peak_processes} processes"
                + _load_note(memory, memory_other_load)
            )
        else:
            log(f"memory: FAILED: {memory.error}")

    overall = overall_row(all_runs, engines)
    with docs_section.kept_stdout() as report:
        print()
        print(f"Results ({args.pages} pages per profile, --jobs {args.jobs}, seed {args.seed}):")
        print_table([*rows, overall], engines)
        cpu = []
        for e in engines:
            done = [rs[e] for rs in all_runs if e in rs and rs[e].ok and rs[e].cpu_seconds]
            if done:
                per_page = sum(r.cpu_seconds for r in done) / sum(r.pages for r in done)
                cpu.append(f"{ENGINE_LABEL[e]} {per_page:.2f}")
        if cpu:
            print(f"CPU seconds per page, all profiles: {', '.join(cpu)}")
        layer = []
        for rs in all_runs:
            for e in ("sohoa", "ocrmypdf"):
                r = rs.get(e)
                if r and r.ok and r.raw_scores:
                    raw = Score.total(r.raw_scores).wer
                    if abs(raw - r.total.wer) > RAW_WER_NOTE:
                        layer.append(
                            f"{r.profile}/{ENGINE_LABEL[e]} {_pct(raw)} (default {_pct(r.total.wer)})"
                        )
        if layer:
            print(
                "WER with pdftotext -raw (words in content-stream order, no line rebuilding) where "
                f"it differs: {', '.join(layer)}"
            )
        contended = [
            f"{r.profile}/{ENGINE_LABEL[r.engine]} {r.extra['other_load']:.0%}"
            for rs in all_runs
            for r in rs.values()
            if (r.extra.get("other_load") or 0) > OTHER_LOAD_WARN
        ]
        if contended:
            print(
                "Warning: other processes kept the CPUs busy during some runs (share of the "
                f"machine): {', '.join(contended)}; their timings are pessimistic."
            )
        if memory is not None:
            print()
            if memory.peak_mb is not None:
                print(
                    f"Memory: sohoa process, {memory.pages}-page JPEG folder (300 dpi), --jobs "
                    f"{args.jobs}: peak summed RSS {memory.peak_mb:.0f} MB "
                    f"({memory.peak_processes} processes), "
                    f"{_f(memory.pages_per_second, '.2f')} pages/s"
                    + ("" if memory.ok else "  [RUN FAILED]")
                )
            else:
                print(f"Memory: not measured: {memory.error}")

        worse = losses(all_runs, corpora)
        if worse:
            compared = sum(
                rs["sohoa"].pages for rs in all_runs
                if rs.get("sohoa") and rs["sohoa"].ok and rs.get("ocrmypdf") and rs["ocrmypdf"].ok
            )  # fmt: skip
            print()
            print(
                f"Pages where sohoa's WER is worse than OCRmyPDF's: {len(worse)} of {compared} "
                f"(worst first; sohoa's missing and extra words):"
            )
            for d in worse[:LOSSES_SHOWN]:
                print(
                    f"  {d['profile']} p{d['page']}: sohoa {_pct(d['sohoa_wer'])} vs OCRmyPDF "
                    f"{_pct(d['ocrmypdf_wer'])}; missing {d['sohoa_missing']}, extra {d['sohoa_extra']}"
                )
            print(f"  (e.g. {_rel(Path(worse[0]['image']))})")

        checks = targets(rows, overall, memory, engines)
        print()
        print("Targets:")
        for what, ok, detail in checks:
            verdict = {True: "PASS", False: "FAIL", None: "n/a "}[ok]
            print(f"  {verdict}  {what}: {detail}")
        failures = [r for rs in all_runs for r in rs.values() if not r.ok]
        for r in failures:
            print(f"  note: {ENGINE_LABEL[r.engine]} failed on {r.profile}: "
                  f"{(r.error or '').splitlines()[0]}")  # fmt: skip

    elapsed = time.perf_counter() - started
    results = {
        "command": " ".join([Path(sys.executable).name, "-m", "bench.run", *(argv or sys.argv[1:])]),
        "settings": {
            "pages": args.pages,
            "profiles": profiles,
            "jobs": args.jobs,
            "seed": args.seed,
            "engines": engines,
            "memory": args.memory,
        },
        "versions": _versions(),
        "commands": {
            "sohoa": "sohoa process INPUT.pdf --output DIR --jobs J --quiet",
            "ocrmypdf": " ".join(ocrmypdf_command(Path("INPUT.pdf"), Path("OUT.pdf"), args.jobs)[1:]),
            "tesseract": "tesseract PAGE OUT -l vie  (J in parallel, OMP_THREAD_LIMIT=1)",
        },
        "elapsed_seconds": round(elapsed, 1),
        "load_average_at_start": load,
        "profiles": [_profile_json(prof, rs) for prof, rs in zip(corpora, all_runs)],
        "rows": [_row_json(r) for r in [*rows, overall]],
        "memory": None if memory is None else {
            "pages": memory.pages,
            "ok": memory.ok,
            "seconds": None if memory.seconds is None else round(memory.seconds, 2),
            "pages_per_second": memory.pages_per_second,
            "peak_rss_mb": None if memory.peak_mb is None else round(memory.peak_mb, 1),
            "peak_processes": memory.peak_processes,
            "cpu_seconds": None if memory.cpu_seconds is None else round(memory.cpu_seconds, 1),
            "other_load": memory_other_load,
            "samples": memory.samples,
            "error": memory.error,
        },
        "sohoa_worse_than_ocrmypdf": worse,
        "targets": [{"target": w, "pass": ok, "detail": d} for w, ok, d in checks],
    }  # fmt: skip
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if docs_md is not None:
        command = docs_section.command_line("bench.run", argv)
        docs_section.write(docs_md, DOCS_SECTION, docs_section.recorded(command, report.getvalue()))
        log(f"section {DOCS_SECTION} of {_rel(docs_md)} rewritten")
    print()
    log(f"done in {elapsed / 60:.1f} min; results in {out / 'results.json'}")
    return 0


def _row_json(r: Row) -> dict[str, Any]:
    return {
        "profile": r.name,
        "pages": r.pages,
        "pages_per_second": r.throughput,
        "cer": r.cer,
        "wer": r.wer,
        "throughput_sohoa_over_ocrmypdf": r.thr_vs_ocrmypdf,
        "throughput_sohoa_over_tesseract": r.thr_vs_tesseract,
        "wer_sohoa_over_ocrmypdf": r.wer_vs_ocrmypdf,
    }


def _profile_json(prof: corpus_mod.ProfileCorpus, runs: dict[str, EngineRun]) -> dict[str, Any]:
    engines: dict[str, Any] = {}
    for e, r in runs.items():
        entry: dict[str, Any] = {
            "ok": r.ok,
            "seconds": None if r.seconds is None else round(r.seconds, 3),
            "cpu_seconds": None if r.cpu_seconds is None else round(r.cpu_seconds, 2),
            "pages_per_second": r.pages_per_second,
            "error": r.error,
            **r.extra,
        }
        if r.ok:
            entry["total"] = r.total.to_dict()
            if r.raw_scores:
                entry["total_pdftotext_raw"] = Score.total(r.raw_scores).to_dict()
            entry["pages"] = []
            for i, (p, s, text) in enumerate(zip(prof.pages, r.scores, r.texts)):
                missing, extra = diff_words(p.truth_text, text, 10)
                page = {**s.to_dict(), "missing_sample": missing, "extra_sample": extra}
                if r.raw_scores:
                    page["wer_pdftotext_raw"] = round(r.raw_scores[i].wer, 5)
                    page["cer_pdftotext_raw"] = round(r.raw_scores[i].cer, 5)
                entry["pages"].append(page)
        engines[e] = entry
    return {
        "profile": prof.name,
        "dpi": prof.dpi,
        "pdf": str(prof.pdf),
        "pages": [p.to_json() for p in prof.pages],
        "engines": engines,
    }


if __name__ == "__main__":
    sys.exit(main())
