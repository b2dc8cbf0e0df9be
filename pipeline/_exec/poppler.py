"""The one place that runs poppler's ``pdftoppm``: one PDF page to pixels, with a deadline.

pdf2image would do the same, but runs ``pdfinfo`` first without any time limit; a hostile PDF
can keep either program busy for ever, so both the deadline and the kill are ours."""

from __future__ import annotations

import io
import os
import signal
import subprocess
from pathlib import Path

from PIL import Image

from pipeline._exec.environment import for_child
from pipeline.core.errors import InputFileError, MissingDependencyError


def rasterise(path: Path, page_index: int, *, dpi: int, timeout: float) -> Image.Image:
    """Page ``page_index`` (0-based) of ``path`` at ``dpi``, as an RGB image."""
    number = page_index + 1
    command = ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-singlefile", str(path)]
    try:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=for_child(), start_new_session=True,  # its own group: killed with anything it starts
        )
    except FileNotFoundError:
        raise MissingDependencyError(
            "poppler's 'pdftoppm' is not installed (apt install poppler-utils)",
            "chưa cài 'pdftoppm' của poppler (apt install poppler-utils)",
        ) from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise InputFileError(
            f"page {number} could not be rasterised within {timeout:.0f} s (pdftoppm was stopped)",
            f"không chuyển được trang {number} thành ảnh trong {timeout:.0f} giây (đã dừng pdftoppm)",
            path,
        ) from None
    if proc.returncode != 0 or not out:
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise InputFileError(
            f"page {number} could not be rasterised (pdftoppm: {reason[0]})",
            f"không chuyển được trang {number} thành ảnh (pdftoppm: {reason[0]})",
            path,
        )
    with Image.open(io.BytesIO(out)) as img:
        img.load()
        return img.convert("RGB") if img.mode != "RGB" else img.copy()
