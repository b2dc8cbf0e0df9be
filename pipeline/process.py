"""One dossier in, PDF/A and ``record.json`` out: dossier → pages → OCR → PDF/A.

Pages are cleaned and OCR'd in parallel worker processes (one Tesseract per
core, each single-threaded: faster than Tesseract's own threads). Outputs are
written to a temporary folder beside the destination and moved into place
only when every file is complete and valid, ``record.json`` last.
"""

from __future__ import annotations

import contextvars
import multiprocessing
import os
import tempfile
import threading
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from pipeline._exec import tesseract
from pipeline.core import record
from pipeline.core.errors import InputFileError, OcrError, disk_full
from pipeline.core.model import Encoding, OcrResult, SourcePage

# The assembly's modules (documents and their metadata, PDF/A, hOCR, the commune list)
# are imported when first needed, the bulk of them while the workers read the pages:
# imported up front they would hold every worker back by a few tenths of a second.
from pipeline.ingest import manifest as manifest_mod
from pipeline.ingest import pages as pages_mod

if TYPE_CHECKING:
    from pipeline.core import commune as commune_mod
    from pipeline.sign import DocumentSigner

ProgressCallback = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass(frozen=True)
class OcrOptions:
    language: str = "vie"
    tessdata_dir: Path | None = None
    psm: int = 3
    timeout_seconds: float = 600
    jobs: int = 0  # 0: the CPU count


@dataclass
class PageWork:
    """What a worker sends back for one page (small: no pixels)."""

    number: int
    ocr: OcrResult | None
    to_source: np.ndarray = field(default_factory=lambda: np.eye(3))
    rotation: int = 0
    skew: float = 0.0
    steps: list[str] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)  # the OCR image's width and height


def page_work_to_json(work: PageWork) -> dict:
    """A page's OCR outcome as plain JSON: a checkpoint that lets a restarted run skip it."""
    ocr = work.ocr
    return {
        "number": work.number,
        "ocr": None if ocr is None else {
            "words": [[w.text, w.confidence, list(w.box), w.line] for w in ocr.words],
            "lines": [[list(line.box), list(line.baseline), line.size] for line in ocr.lines],
            "meanConfidence": ocr.mean_confidence,
            "seconds": ocr.seconds,
            "surnames": [[list(m.before), list(m.box), m.fit, [list(r) for r in m.ranked],
                          [list(r) for r in m.middles]] for m in ocr.surnames],
            "rereads": [[list(r.box), r.digits, r.guess] for r in ocr.rereads],
            "linesAgain": [[list(a.box), [[w.text, w.confidence, list(w.box), w.line] for w in a.words]]
                           for a in ocr.lines_again],
        },
        "toSource": np.asarray(work.to_source, dtype=float).tolist(),
        "rotation": work.rotation,
        "skew": work.skew,
        "steps": list(work.steps),
        "size": list(work.size),
    }


def page_work_from_json(data: dict) -> PageWork:
    from pipeline.core.model import Line, LineAgain, Reread, SurnameMatch, Word

    def nfc(text: str) -> str:
        return unicodedata.normalize("NFC", text)

    raw = data["ocr"]
    ocr = None if raw is None else OcrResult(
        [Word(nfc(t), c, tuple(b), n) for t, c, b, n in raw["words"]],
        [Line(tuple(b), tuple(bl), size) for b, bl, size in raw["lines"]],
        raw["meanConfidence"],
        raw["seconds"],
        [SurnameMatch(tuple(nfc(t) for t in before), tuple(box), fit,
                      tuple((nfc(name), score) for name, score in ranked),
                      tuple((nfc(name), score) for name, score in middles))
         for before, box, fit, ranked, middles in raw.get("surnames", [])],
        [Reread(tuple(r[0]), r[1], *r[2:]) for r in raw.get("rereads", [])],
        tuple(LineAgain(tuple(box), tuple(Word(nfc(t), c, tuple(b), n) for t, c, b, n in words))
              for box, words in raw.get("linesAgain", [])),
    )
    return PageWork(
        data["number"], ocr, np.array(data["toSource"], dtype=float), data["rotation"],
        data["skew"], list(data["steps"]), tuple(data["size"]),
    )


def process_dossier(
    input_path: Path,
    output_dir: Path,
    *,
    ocr: OcrOptions = OcrOptions(),
    max_pixels: int = 250_000_000,
    max_pages: int = pages_mod.MAX_PAGES,
    title: str | None = None,
    commune: str | None = None,
    signer: DocumentSigner | None = None,
    progress: ProgressCallback | None = None,
) -> record.Record:
    """Dossier → pages → OCR → metadata → one PDF/A per document, and the record."""
    dossier = open_dossier(input_path, ocr=ocr, max_pixels=max_pixels, max_pages=max_pages, commune=commune)
    results = recognise_pages(dossier.pages, ocr, progress=progress)
    return assemble(dossier, results, output_dir, title=title, signer=signer)


@dataclass
class OpenDossier:
    """A dossier read and checked, before OCR: its pages, manifest, commune and sources."""

    input_path: Path
    pages: list[SourcePage]
    manifest_path: Path | None
    manifest: manifest_mod.Manifest | None
    where: commune_mod.Commune | None
    sources: list[record.SourceFile]
    ocr: OcrOptions
    tesseract_version: str
    model: Path
    started: float
    created: datetime
    probe_seconds: float
    set_aside: list[tuple[str, bool]] = field(default_factory=list)  # (file, junk?) not taken as pages


def open_dossier(
    input_path: Path, *, ocr: OcrOptions = OcrOptions(), max_pixels: int = 250_000_000,
    max_pages: int = pages_mod.MAX_PAGES, commune: str | None = None,
) -> OpenDossier:
    """Read every page (with its resolution), the clerk's manifest and the commune.
    Bad input fails here, before any OCR."""
    started = time.perf_counter()
    created = datetime.now().astimezone()
    tesseract_version = tesseract.version()
    model = tesseract.model_path(ocr.language, ocr.tessdata_dir)
    pages = pages_mod.read_pages(input_path, max_pixels=max_pixels, max_pages=max_pages)
    manifest_path = manifest_mod.find(input_path)
    manifest = manifest_mod.load(manifest_path) if manifest_path else None
    where = _commune_of(commune, manifest.dossier.commune if manifest else None, manifest_path)
    sources = _source_files(input_path, pages)
    return OpenDossier(
        input_path, pages, manifest_path, manifest, where, sources, ocr, tesseract_version,
        model, started, created, time.perf_counter() - started, pages_mod.sort_out(input_path)[1],
    )


def _commune_of(given: str | None, in_manifest: str | None, manifest_path: Path | None) -> commune_mod.Commune | None:
    """The dossier's commune: the one it was given (its watch folder's), which a manifest may
    repeat but never change: a clerk cannot file a dossier under another commune."""
    if not given and not in_manifest:
        return None
    from pipeline.core import commune as commune_mod

    where = commune_mod.lookup(given) if given else None
    named = commune_mod.lookup(in_manifest) if in_manifest else None
    if where is not None and named is not None and named.code != where.code:
        raise InputFileError(
            f"names {named.name} ({named.code}), but the dossier was given for {where.name} "
            f"({where.code}): drop each dossier into its own commune's folder",
            f"ghi {named.name} ({named.code}) nhưng hồ sơ được đưa vào cho {where.name} "
            f"({where.code}); hồ sơ của xã nào hãy thả vào thư mục của xã đó",
            manifest_path,
        )
    return where or named


def assemble(
    opened: OpenDossier,
    results: list[PageWork],
    output_dir: Path,
    *,
    title: str | None = None,
    signer: DocumentSigner | None = None,
    ocr_seconds: float | None = None,
    input_name: str | None = None,
) -> record.Record:
    """OCR results → documents and their metadata → one PDF/A per document (signed when a
    signer is given) → ``record.json``; everything committed to ``output_dir`` at the end.
    ``input_name``: what the record calls its input (default: the path it was read from; a
    flow gives the dossier's name, not its temporary copy's path).
    A full disk is a clear error (exit 10); what was staged is removed."""
    try:
        return _assemble(opened, results, output_dir, title=title, signer=signer, ocr_seconds=ocr_seconds,
                         input_name=input_name)
    except OSError as e:
        full = disk_full(e)
        if full is None:
            raise
        raise full from e


def _assemble(
    opened: OpenDossier,
    results: list[PageWork],
    output_dir: Path,
    *,
    title: str | None,
    signer: DocumentSigner | None,
    ocr_seconds: float | None,
    input_name: str | None,
) -> record.Record:
    from pipeline import pdfa
    from pipeline.extract import documents
    input_path, pages, manifest, ocr = opened.input_path, opened.pages, opened.manifest, opened.ocr
    started, created, sources = opened.started, opened.created, opened.sources
    tesseract_version = opened.tesseract_version
    if len(results) != len(pages):
        raise ValueError(f"{len(results)} OCR results for {len(pages)} pages")
    recognised = time.perf_counter()
    ocr_time = ocr_seconds if ocr_seconds is not None else recognised - started - opened.probe_seconds

    name = dossier_name(input_path)
    ocr_pages = [
        (work.ocr or OcrResult([], [], None, 0.0), *work.size) for work in results
    ]
    ranges = documents.split(ocr_pages, manifest, opened.manifest_path)
    base = (manifest.dossier.fileCode if manifest else None) or name
    docs = documents.describe(ocr_pages, ranges, manifest, safe_name(base))
    dossier = documents.dossier(manifest, opened.where, docs, title or name, len(pages))
    described = time.perf_counter()

    dossier_id = identity(dossier.file_code, sources)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".sohoa-", dir=output_dir) as tmp:
        outputs = []
        signing = 0.0
        for doc in docs:
            staged = Path(tmp) / doc.file
            first, last = doc.pages
            info = pdfa.DocumentInfo(
                title=_document_title(doc, dossier.title),
                created=created,
                document_id=uuid.uuid5(uuid.UUID(dossier_id), doc.doc_code),
                creator_tool=f"sohoa {_sohoa_version()}",
            )
            pdfa.build(
                [
                    pdfa.PageContent(page, work.ocr, work.to_source, work.rotation)
                    for page, work in zip(pages[first - 1 : last], results[first - 1 : last], strict=True)
                ],
                info,
                staged,
            )
            built_at = time.perf_counter()
            facts = signer.sign_in_place(staged) if signer is not None else None
            signing += time.perf_counter() - built_at
            outputs.append(
                record.OutputFile(
                    file=staged.name,
                    bytes=staged.stat().st_size,
                    sha256=record.sha256_file(staged),
                    pages=(first, last),
                    validated_by=f"pikepdf {_pikepdf_version()} PDF/A-2b validator",
                    signature=None if facts is None else record.Signature(**facts.as_dict()),
                )
            )
        built = time.perf_counter()
        _write_text(Path(tmp) / "text", pages, results, f"tesseract {tesseract_version} {ocr.language}")
        total = opened.probe_seconds + ocr_time + (time.perf_counter() - recognised)
        rec = record.Record(
            dossier_id=dossier_id,
            created=created,
            input=input_name or str(input_path),
            dossier=dossier,
            documents=docs,
            sources=sources,
            pages=[_page_record(p, w, ocr.language) for p, w in zip(pages, results, strict=True)],
            outputs=outputs,
            engine=record.Engine(
                sohoa=_sohoa_version(),
                tesseract=tesseract_version,
                language=ocr.language,
                model_file=str(opened.model),
                model_sha256=tesseract.model_sha256(opened.model),
                opencv=_opencv_version(),
                pikepdf=_pikepdf_version(),
            ),
            timings=record.Timings(
                probe=round(opened.probe_seconds, 3),
                ocr=round(ocr_time, 3),
                metadata=round(described - recognised, 3),
                pdf=round(built - described - signing, 3),
                sign=round(signing, 3),
                total=round(total, 3),
                pages_per_second=round(len(pages) / total, 3) if total else 0.0,
            ),
            warnings=[f"page {p.number}: {w}" for p in pages for w in p.warnings]
            + pages_mod.set_aside_warnings(opened.set_aside),
        )
        text = record.validated_json(rec)
        (Path(tmp) / "record.json").write_text(text, encoding="utf-8")
        # Commit: the PDFs first, the record last, each by an atomic rename.
        for out in outputs:
            os.replace(Path(tmp) / out.file, output_dir / out.file)
        if (output_dir / TEXT_DIR).exists():
            os.replace(output_dir / TEXT_DIR, Path(tmp) / "previous-text")
        os.replace(Path(tmp) / TEXT_DIR, output_dir / TEXT_DIR)
        os.replace(Path(tmp) / "record.json", output_dir / "record.json")
    return rec


TEXT_DIR = "text"


def text_files(number: int) -> tuple[str, str]:
    """Where a page's plain text and hOCR go, relative to the output folder."""
    return f"{TEXT_DIR}/{number:04d}.txt", f"{TEXT_DIR}/{number:04d}.hocr"


def _write_text(folder: Path, pages: list[SourcePage], results: list[PageWork], engine: str) -> None:
    from pipeline.pdfa import hocr

    folder.mkdir()
    for page, work in zip(pages, results, strict=True):
        plain, hocr_file = text_files(page.number)
        (folder.parent / plain).write_text(hocr.text(work.ocr), encoding="utf-8")
        (folder.parent / hocr_file).write_text(
            hocr.render(page, work.ocr, work.to_source, engine), encoding="utf-8"
        )


def identity(file_code: str | None, sources: list[record.SourceFile]) -> str:
    """A dossier's stable id: from its fileCode when it has one (a re-scan is then a new
    version of the same dossier), else from its source checksums."""
    key = f"fileCode:{file_code}" if file_code else "sources:" + "".join(s.sha256 for s in sources)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "sohoa:" + key))


def _document_title(doc: record.Document, dossier_title: str) -> str:
    heading = " ".join(
        part
        for part in (
            doc.type_name,
            f"số {doc.code_number}/{doc.code_notation}" if doc.code_number and doc.code_notation else None,
        )
        if part
    )
    if doc.subject:
        return f"{heading}: {doc.subject}" if heading else doc.subject
    return heading or f"{dossier_title} – văn bản {doc.doc_ordinal}"


def safe_name(name: str) -> str:
    """A file-name-safe form (NFC; letters with diacritics are kept)."""
    name = unicodedata.normalize("NFC", name).strip() or "dossier"
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name)


def dossier_name(input_path: Path) -> str:
    return safe_name(input_path.stem if input_path.is_file() else input_path.name)


PageRead = Callable[[], "PageWork"]
# Runs round each page's OCR (``read``) and returns its result: a scheduler's task with
# its concurrency slots and checkpoint, for instance.
AroundPage = Callable[[SourcePage, PageRead], "PageWork"]


def recognise_pages(
    pages: list[SourcePage],
    ocr: OcrOptions,
    *,
    done: Mapping[int, PageWork] | None = None,
    around: AroundPage | None = None,
    progress: ProgressCallback | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> list[PageWork]:
    """Clean and OCR every page not ``done`` already, in worker processes (one per core, the
    costliest pages first), and return every page's result in the dossier's order.
    ``pool``: processes kept by the caller across dossiers (``ocr_pool(threaded=True)``),
    instead of new ones for this dossier.

    ``around`` wraps each page's read; it runs in a thread of its own, in a copy of the
    caller's context (a scheduler's run context goes with it). A page that fails fails the
    dossier: the pages not yet started are dropped."""
    results = dict(done or {})
    todo = [p for p in pages if p.number not in results]
    count = len(results)
    if progress:
        progress(count, len(pages))

    def finished(work: PageWork) -> None:
        nonlocal count
        results[work.number] = work
        count += 1
        if progress:
            progress(count, len(pages))

    jobs = ocr.jobs or os.cpu_count() or 1
    to_read = [p for p in todo if p.encoding is not Encoding.PDF_PAGE]
    if not todo:
        pass
    elif around is None and (jobs == 1 or len(to_read) <= 1):
        for page in todo:
            finished(recognise_page(page, ocr))
    elif pool is not None:
        _read_in(pool, in_work_order(todo), ocr, around, jobs, finished)
    else:
        workers = min(jobs, max(1, len(to_read)))
        with ocr_pool(workers, threaded=around is not None) as pool:
            _read_in(pool, in_work_order(todo), ocr, around, workers, finished)
    return [results[page.number] for page in pages]


def _read_in(
    pool: ProcessPoolExecutor, order: list[SourcePage], ocr: OcrOptions, around: AroundPage | None,
    workers: int, finished: Callable[[PageWork], None],
) -> None:
    def read(page: SourcePage) -> Future[PageWork]:
        return pool.submit(recognise_page, page, ocr)

    def wrapped(page: SourcePage, wrap: AroundPage) -> Future[PageWork]:
        context = contextvars.copy_context()  # the caller's, for the thread
        return threads.submit(context.run, wrap, page, lambda: read(page).result())

    threads = ThreadPoolExecutor(len(order), thread_name_prefix="sohoa-page")
    try:
        if around is None:
            futures = [read(page) for page in order]
        else:
            futures = [wrapped(page, around) for page in order]
        try:
            for left, future in enumerate(as_completed(futures), 1):
                finished(future.result())
                if len(futures) - left == workers - 1:
                    # No page is left waiting, so a core has gone idle: prepare the
                    # assembly there rather than take CPU from the workers earlier.
                    warm_up()
        except BaseException:
            for future in futures:
                future.cancel()  # a page failed: the dossier fails, the others need not run
            raise
    finally:
        threads.shutdown(wait=True, cancel_futures=True)


def in_work_order(pages: list[SourcePage]) -> list[SourcePage]:
    """The pages, the costliest first (longest-processing-time-first scheduling): a
    heavy page left for last would keep one core busy while the others wait. The cost
    is guessed from the bytes each page takes in its file (a multi-page file's shared
    evenly): more text, more bytes, more Tesseract time. Ties keep the dossier's order."""
    per_source = Counter(page.source for page in pages)
    sizes = {source: _file_size(source) for source in per_source}

    def cost(page: SourcePage) -> float:
        if page.encoding is Encoding.PDF_PAGE:
            return 0.0  # kept as it is, not OCR'd
        return sizes[page.source] / per_source[page.source]

    return sorted(pages, key=cost, reverse=True)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def warm_up() -> None:
    """Import what assembling the documents needs, and build what it builds once per
    process (the record's validator, the text layer's font): half a second that the
    main process would otherwise spend after the last page, with the cores idle."""
    from pipeline import pdfa
    from pipeline.core import record
    from pipeline.extract import documents  # noqa: F401
    from pipeline.pdfa import hocr, textlayer  # noqa: F401

    pdfa.warm_up()
    record.warm_up()
    textlayer.glyphless_font()


def ocr_pool(workers: int, *, threaded: bool = False) -> ProcessPoolExecutor:
    """The processes pages are cleaned and OCR'd in (``recognise_page``), single-threaded each.
    ``threaded``: pages will be sent from other threads."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=_worker_context(threaded),
                               initializer=_init_worker)


def _worker_context(threaded: bool) -> multiprocessing.context.BaseContext:
    """fork when it is safe: the workers then start at once, with the stages already
    imported (a second or more saved per dossier). With another thread running (a
    progress bar, or the threads pages are sent from), forking could copy a held lock, so
    a fork server is used instead."""
    from pipeline.cleanup import prepare as cleanup  # noqa: F401 - imported once, before forking
    from pipeline.ocr import recognise as ocr  # noqa: F401

    if not threaded and threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        import cv2

        # OpenCV's own thread pool, once this process has used it, does not survive a
        # fork: the workers' first OpenCV call would wait for its threads for ever. Our
        # processes are single-threaded anyway (one page per core), so it is stopped here.
        cv2.setNumThreads(1)
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.cleanup.prepare", "pipeline.ocr.recognise", "pipeline.ingest.pages"])
    return context


def _init_worker() -> None:
    # One thread per process: parallelism comes from pages, not from libraries.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2

    cv2.setNumThreads(1)


def recognise_page(page: SourcePage, ocr: OcrOptions) -> PageWork:
    """Decode, clean and OCR one page (runs in a worker)."""
    from pipeline.cleanup import prepare as cleanup
    from pipeline.ocr import recognise as ocr_mod

    if page.encoding is Encoding.PDF_PAGE:
        return PageWork(page.number, None)
    pixels = pages_mod.load_pixels(page)
    prepared = cleanup.prepare_for_ocr(pixels, page.dpi)
    del pixels
    ocr_dpi = round(_ocr_dpi(page, prepared.to_source))
    try:
        result = ocr_mod.recognize(
            prepared.image,
            language=ocr.language,
            tessdata_dir=ocr.tessdata_dir,
            dpi=ocr_dpi,
            psm=ocr.psm,
            timeout=ocr.timeout_seconds,
            header_ink=prepared.header_ink,
        )
    except OcrError as e:
        # Named after the clerk's file and page, not the cleaned copy Tesseract was given.
        raise OcrError(f"page {page.number}: {e.en}", f"trang {page.number}: {e.vi}",
                       page.source) from e
    height, width = prepared.image.shape[:2]
    return PageWork(
        page.number, result, prepared.to_source, prepared.rotation, prepared.skew,
        prepared.steps, (width, height),
    )


def _ocr_dpi(page: SourcePage, to_source: np.ndarray) -> float:
    """The cleaned image's resolution: the source dpi times any rescale in the mapping."""
    scale = float(np.sqrt(abs(np.linalg.det(to_source[:2, :2])))) or 1.0
    return page.dpi[0] / scale


def _page_record(page: SourcePage, work: PageWork, language: str) -> record.PageRecord:
    return record.PageRecord(
        number=page.number,
        source=page.source.name,
        index_in_source=page.index_in_source,
        width_px=page.width,
        height_px=page.height,
        dpi=(round(page.dpi[0], 2), round(page.dpi[1], 2)),
        dpi_assumed=page.dpi_assumed,
        embedding=page.encoding.value,
        rotation=work.rotation,
        skew_degrees=round(work.skew, 2),
        cleanup=work.steps,
        ocr=None
        if work.ocr is None
        else record.PageOcr(
            engine=f"tesseract {language}",
            words=len(work.ocr.words),
            mean_confidence=None
            if work.ocr.mean_confidence is None
            else round(work.ocr.mean_confidence, 2),
            seconds=round(work.ocr.seconds, 3),
        ),
        text_file=text_files(page.number)[0],
        hocr_file=text_files(page.number)[1],
        warnings=page.warnings,
    )


def _source_files(input_path: Path, pages: list[SourcePage]) -> list[record.SourceFile]:
    seen: dict[Path, record.SourceFile] = {}
    base = input_path if input_path.is_dir() else input_path.parent
    for page in pages:
        if page.source not in seen:
            seen[page.source] = record.SourceFile(
                file=unicodedata.normalize("NFC", str(page.source.relative_to(base))),
                bytes=page.source.stat().st_size,
                sha256=record.sha256_file(page.source),
            )
    return list(seen.values())


def _sohoa_version() -> str:
    from pipeline.core.version import __version__

    return __version__


def _pikepdf_version() -> str:
    import pikepdf

    return pikepdf.__version__


def _opencv_version() -> str:
    import cv2

    return cv2.__version__

