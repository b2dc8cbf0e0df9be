"""Shared fixtures: small scans drawn on the fly, and helpers to read PDFs back."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.prefect_server import postgres_cluster, prefect_server

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Helper modules with assertions of their own, imported by several test files.
pytest.register_assert_rewrite("tests.conftest_signing", "tests.seaweed")



@pytest.fixture(autouse=True)
def _pillows_pixel_limit():
    """``read_pages`` sets Pillow's process-wide pixel limit to the configured one, as it
    should; a test that configures a small limit must not leave it to the next test."""
    limit = Image.MAX_IMAGE_PIXELS
    yield
    Image.MAX_IMAGE_PIXELS = limit


SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
LINES = [
    "ỦY BAN NHÂN DÂN XÃ BÁT TRÀNG",
    "Số: 125/QĐ-UBND",
    "Bát Tràng, ngày 15 tháng 9 năm 2025",
    "Về việc rà soát, số hóa hồ sơ đất đai",
]


def draw_page(dpi: int = 300, lines: list[str] = LINES, mode: str = "RGB") -> Image.Image:
    """An A4 page with a few lines of 14 pt Vietnamese text."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("RGB", (width, height), "white")
    font = ImageFont.truetype(SERIF, round(14 * dpi / 72))
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((round(1.2 * dpi), round((1 + 0.35 * i) * dpi)), line, font=font, fill="black")
    return img.convert(mode) if mode != "RGB" else img


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def page_image() -> Image.Image:
    return draw_page()


# Real Prefect API servers, started once per test process on first use (so once per xdist
# worker). They only yield the API URL: a test points its client at it itself
# (monkeypatch or prefect.settings.temporary_settings), nothing is set process-wide.
@pytest.fixture(scope="session")
def prefect_sqlite_api(tmp_path_factory: pytest.TempPathFactory):
    """The API URL of a ``prefect server start`` on SQLite."""
    with prefect_server(tmp_path_factory.mktemp("prefect-sqlite")) as api_url:
        yield api_url


@pytest.fixture(scope="session")
def prefect_postgres_api(tmp_path_factory: pytest.TempPathFactory):
    """The API URL of a ``prefect server start`` on its own PostgreSQL cluster."""
    tmp = tmp_path_factory.mktemp("prefect-postgres")
    with postgres_cluster(tmp) as database_url, prefect_server(tmp, database_url) as api_url:
        yield api_url
