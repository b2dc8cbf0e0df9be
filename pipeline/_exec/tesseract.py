"""The one place that runs Tesseract: the ``tesseract`` program (through pytesseract), or
its library in this process (``hocr_image``; see below).

Version and language probing are kept apart from recognition so a missing
program or model is reported once, clearly, before any page is read.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import functools
import hashlib
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytesseract

from pipeline._exec.environment import ChildEnvironment, for_child
from pipeline.core.errors import MissingDependencyError, OcrError

# pytesseract starts tesseract with the environment in its module's ``environ``: without the
# S3 keys, signing password and Prefect auth string, which tesseract has no use for.
pytesseract.pytesseract.environ = ChildEnvironment()

DEBIAN_PACKAGES = "tesseract-ocr tesseract-ocr-vie"


@functools.cache
def version() -> str:
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependencyError(
            f"the tesseract program is not installed (Debian: apt-get install {DEBIAN_PACKAGES})",
            f"chưa cài chương trình tesseract (Debian: apt-get install {DEBIAN_PACKAGES})",
        )
    return str(pytesseract.get_tesseract_version())


def default_tessdata() -> Path | None:
    """Where tesseract looks for models when no folder is configured."""
    out = subprocess.run(
        [pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
        capture_output=True, text=True, check=False, timeout=60, env=for_child(),
    ).stdout
    match = re.search(r'"(.+?)"', out)
    return Path(match.group(1)) if match else None


def model_path(language: str, tessdata_dir: Path | None) -> Path:
    """The ``.traineddata`` file of each language, checked to exist."""
    folder = tessdata_dir or default_tessdata()
    for lang in language.split("+"):
        path = (folder or Path(".")) / f"{lang}.traineddata"
        if not path.is_file():
            raise MissingDependencyError(
                f"the Tesseract model '{lang}' is not in {folder} "
                f"(Debian: apt-get install tesseract-ocr-{lang}, or set ocr.tessdata_dir)",
                f"không có mô hình Tesseract '{lang}' trong {folder} "
                f"(Debian: apt-get install tesseract-ocr-{lang}, hoặc đặt ocr.tessdata_dir)",
            )
    first = language.split("+")[0]
    return (folder or Path(".")) / f"{first}.traineddata"


@functools.cache
def model_folder(tessdata_dir: Path | None) -> Path:
    """Where the models are: the configured folder, or tesseract's own."""
    return tessdata_dir or default_tessdata() or Path(".")


@functools.cache
def model_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def orientation(image, *, dpi: float, timeout: float) -> tuple[int, float] | None:
    """Tesseract's OSD: (clockwise degrees to turn the image upright, confidence), or None
    when it cannot tell (too little text) or takes too long."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    config = f"--psm 0 --dpi {round(dpi)} -c min_characters_to_try=20"
    try:
        report = pytesseract.image_to_osd(image, config=config, timeout=timeout)
    except (pytesseract.TesseractError, RuntimeError):
        return None
    rotate = re.search(r"Rotate: (\d+)", report)
    confidence = re.search(r"Orientation confidence: ([\d.]+)", report)
    if not rotate or not confidence:
        return None
    return int(rotate.group(1)), float(confidence.group(1))


def hocr(
    image_path: Path,
    *,
    language: str,
    tessdata_dir: Path | None,
    dpi: int,
    psm: int,
    timeout: float,
    only: str | None = None,
) -> bytes:
    """Recognise one page image file and return Tesseract's hOCR (with ``only``: reading
    those characters and no others)."""
    config = f"--psm {psm} --dpi {dpi} -c tessedit_do_invert=0"
    if only:
        config += f" -c tessedit_char_whitelist={only}"
    if tessdata_dir is not None:
        # pytesseract splits the config with shlex, so a quoted path is safe.
        config = f'--tessdata-dir "{tessdata_dir}" ' + config
    env_threads = os.environ.get("OMP_THREAD_LIMIT")
    os.environ["OMP_THREAD_LIMIT"] = env_threads or "1"
    try:
        return pytesseract.image_to_pdf_or_hocr(
            str(image_path), lang=language, config=config, extension="hocr", timeout=timeout
        )
    except RuntimeError as e:  # pytesseract's timeout
        raise _timed_out(timeout, image_path) from e
    except pytesseract.TesseractError as e:
        raise OcrError(f"tesseract failed: {e.message}", "tesseract bị lỗi", image_path) from e


def _timed_out(timeout: float, image_path: Path | None = None) -> OcrError:
    return OcrError(f"OCR took longer than {timeout:.0f} s and was stopped",
                    f"nhận dạng chữ quá {timeout:.0f} giây nên đã dừng", image_path)


# --------------------------------------------------------------------------- in process
#
# The tesseract program loads its model on every run: 0.1 s of CPU, paid by every page
# two to four times (the page, then the parts read again). libtesseract, the library the
# program is, is the same engine from the same Debian package; through its C API one
# engine per worker process loads the model once and reads every image of the process's
# pages. Measured on the same images, the words are the same. Where the library cannot
# be loaded, or is not the program's version, the program is run instead.

IN_PROCESS_ENV = "SOHOA_TESSERACT_IN_PROCESS"  # "0": always run the program
LEPTONICA_SILENT = 6  # L_SEVERITY_NONE: no message printed
_HOCR_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<html><head>'
    b'<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/></head><body>\n'
)
_HOCR_TAIL = b"</body></html>\n"


def hocr_image(
    image: np.ndarray,
    *,
    language: str,
    tessdata_dir: Path | None,
    dpi: int,
    psm: int,
    timeout: float,
    only: str | None = None,
) -> bytes:
    """Recognise a grey (uint8, H × W) image and return Tesseract's hOCR: in this process
    when the library allows it, else through the program. ``only``: the characters it may
    read (all when None)."""
    engine = _engine(language, tessdata_dir)
    if engine is not None:
        return engine.hocr(image, dpi=dpi, psm=psm, timeout=timeout, only=only)
    import tempfile

    import cv2

    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        # PGM: no compression to pay for, and Leptonica reads it directly.
        path = Path(tmp) / "page.pgm"
        cv2.imwrite(str(path), image)
        return hocr(path, language=language, tessdata_dir=tessdata_dir, dpi=dpi, psm=psm,
                    timeout=timeout, only=only)


class _Engine:
    """One initialised TessBaseAPI. It reads one image at a time: pages are parallel by
    process, and threads of one process (should any share it) take turns."""

    def __init__(self, lib: ctypes.CDLL, language: str, tessdata_dir: Path | None) -> None:
        self._lib = lib
        self._api = lib.TessBaseAPICreate()
        path = str(tessdata_dir).encode() if tessdata_dir is not None else None
        if lib.TessBaseAPIInit3(self._api, path, language.encode()) != 0:
            lib.TessBaseAPIDelete(self._api)
            raise MissingDependencyError(
                f"Tesseract could not load the '{language}' model",
                f"Tesseract không nạp được mô hình '{language}'",
            )
        lib.TessBaseAPISetVariable(self._api, b"tessedit_do_invert", b"0")
        # Its progress notes ("Detected 207 diacritics") would reach the clerk's terminal.
        lib.TessBaseAPISetVariable(self._api, b"debug_file", os.devnull.encode())
        self.pid = os.getpid()
        self._lock = threading.Lock()

    def hocr(self, image: np.ndarray, *, dpi: int, psm: int, timeout: float,
             only: str | None = None) -> bytes:
        with self._lock:
            if not only:
                return self._hocr(image, dpi, psm, timeout)
            self._lib.TessBaseAPISetVariable(self._api, b"tessedit_char_whitelist", only.encode())
            try:
                return self._hocr(image, dpi, psm, timeout)
            finally:  # the engine reads whole pages next
                self._lib.TessBaseAPISetVariable(self._api, b"tessedit_char_whitelist", b"")

    def _hocr(self, image: np.ndarray, dpi: int, psm: int, timeout: float) -> bytes:
        lib, api = self._lib, self._api
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        height, width = pixels.shape
        lib.TessBaseAPISetPageSegMode(api, psm)
        lib.TessBaseAPISetImage(api, pixels.ctypes.data, width, height, 1, pixels.strides[0])
        lib.TessBaseAPISetSourceResolution(api, dpi)
        monitor = lib.TessMonitorCreate()
        try:
            lib.TessMonitorSetDeadlineMSecs(monitor, max(1, min(2**31 - 1, round(timeout * 1000))))
            started = time.monotonic()
            if lib.TessBaseAPIRecognize(api, monitor) != 0:
                if time.monotonic() - started >= timeout:
                    raise _timed_out(timeout)
                raise OcrError("Tesseract could not read the image", "Tesseract không đọc được ảnh")
            text = lib.TessBaseAPIGetHOCRText(api, 0)
            if not text:
                return b""
            try:
                return _HOCR_HEAD + ctypes.string_at(text) + _HOCR_TAIL
            finally:
                lib.TessDeleteText(text)
        finally:
            lib.TessMonitorDelete(monitor)
            lib.TessBaseAPIClear(api)

    def close(self) -> None:
        self._lib.TessBaseAPIEnd(self._api)
        self._lib.TessBaseAPIDelete(self._api)


_engines: dict[tuple[str, Path | None], _Engine] = {}


def _engine(language: str, tessdata_dir: Path | None) -> _Engine | None:
    """This process's engine for the language and model folder, made on first use. One
    inherited through a fork is another process's and is left alone."""
    if os.environ.get(IN_PROCESS_ENV, "1") == "0":
        return None
    lib = _library()
    if lib is None:
        return None
    key = (language, tessdata_dir)
    engine = _engines.get(key)
    if engine is None or engine.pid != os.getpid():
        engine = _engines[key] = _Engine(lib, language, tessdata_dir)
    return engine


@functools.cache
def _library() -> ctypes.CDLL | None:
    """libtesseract with its C API declared, if it is the program's own version."""
    # OpenMP reads its thread limit once, when the library is loaded: one thread per
    # process, parallelism comes from pages.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    for fn, args, result in (
        ("TessVersion", [], s),
        ("TessBaseAPICreate", [], p),
        ("TessBaseAPIInit3", [p, s, s], i),
        ("TessBaseAPISetVariable", [p, s, s], i),
        ("TessBaseAPISetPageSegMode", [p, i], None),
        ("TessBaseAPISetImage", [p, p, i, i, i, i], None),
        ("TessBaseAPISetSourceResolution", [p, i], None),
        ("TessBaseAPIRecognize", [p, p], i),
        ("TessBaseAPIGetHOCRText", [p, i], p),
        ("TessDeleteText", [p], None),
        ("TessBaseAPIClear", [p], None),
        ("TessBaseAPIEnd", [p], None),
        ("TessBaseAPIDelete", [p], None),
        ("TessMonitorCreate", [], p),
        ("TessMonitorDelete", [p], None),
        ("TessMonitorSetDeadlineMSecs", [p, i], None),
    ):
        try:
            f = getattr(lib, fn)
        except AttributeError:
            return None
        f.argtypes, f.restype = args, result
    try:
        same = lib.TessVersion().decode() == version()
    except MissingDependencyError:
        same = False
    if same:
        _quiet_leptonica()
    return lib if same else None


def _quiet_leptonica() -> None:
    """Leptonica's own complaints during layout analysis ("Error in boxClipToRectangle: box
    outside rectangle") fail nothing (Tesseract's result says whether the page was read),
    but would reach the operator's log as errors."""
    try:
        lept = ctypes.CDLL(ctypes.util.find_library("lept") or "liblept.so.5")
        lept.setMsgSeverity.argtypes, lept.setMsgSeverity.restype = [ctypes.c_int], ctypes.c_int
    except (OSError, AttributeError):
        return
    lept.setMsgSeverity(LEPTONICA_SILENT)


@atexit.register
def _close_engines() -> None:
    # Ended before the interpreter goes: the library's own clean-up at exit would
    # otherwise report the model's cached parts as leaks.
    for engine in _engines.values():
        if engine.pid == os.getpid():
            engine.close()
    _engines.clear()
