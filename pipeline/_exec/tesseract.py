"""The one place that runs the ``tesseract`` binary (through pytesseract).

Version and language probing are kept apart from recognition so a missing
program or model is reported once, clearly, before any page is read.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytesseract

from pipeline.errors import MissingDependencyError, OcrError

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
        capture_output=True, text=True, check=False,
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
) -> bytes:
    """Recognise one page image file and return Tesseract's hOCR."""
    config = f"--psm {psm} --dpi {dpi} -c tessedit_do_invert=0"
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
        raise OcrError(
            f"OCR took longer than {timeout:.0f} s and was stopped",
            f"nhận dạng chữ quá {timeout:.0f} giây nên đã dừng",
            image_path,
        ) from e
    except pytesseract.TesseractError as e:
        raise OcrError(f"tesseract failed: {e.message}", "tesseract bị lỗi", image_path) from e
