"""Per-page OCR text and hOCR, with word positions in the original scan's pixels.

Tesseract's own hOCR describes the cleaned image it read; search engines and
viewers need positions on the archived scan, so every box here is mapped
back through the clean-up's ``to_source`` (deskew, turns, perspective).
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from pipeline.core.model import OcrResult, SourcePage


def text(ocr: OcrResult | None) -> str:
    """The page's words in reading order: spaces between words, a line per line."""
    return (ocr.text + "\n") if ocr and ocr.words else ""


def render(page: SourcePage, ocr: OcrResult | None, to_source: np.ndarray, engine: str) -> str:
    """An hOCR 1.2 document for one page, boxes in source pixels."""
    lines_html = []
    if ocr is not None:
        for index, words in ocr.words_by_line().items():
            line = ocr.lines[index]
            angle = _angle(to_source, line.box)
            words_html = "".join(
                f"<span class='ocrx_word' id='word_{page.number}_{index}_{n}' "
                f"title='bbox {_bbox(to_source, w.box)}; x_wconf {round(w.confidence)}'>"
                f"{escape(w.text)}</span> "
                for n, w in enumerate(words)
            )
            lines_html.append(
                f"<span class='ocr_line' id='line_{page.number}_{index}' "
                f"title='bbox {_bbox(to_source, line.box)}; textangle {angle}'>"
                f"{words_html.rstrip()}</span>"
            )
    body = "\n".join(lines_html)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">
<head>
<title>{escape(page.source.name)}</title>
<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
<meta name="ocr-system" content="{escape(engine)}"/>
<meta name="ocr-capabilities" content="ocr_page ocr_line ocrx_word"/>
</head>
<body>
<div class='ocr_page' id='page_{page.number}' title='image "{escape(page.source.name)}"; bbox 0 0 {page.width} {page.height}; ppageno {page.index_in_source}; scan_res {round(page.dpi[0])} {round(page.dpi[1])}'>
{body}
</div>
</body>
</html>
"""


def _bbox(to_source: np.ndarray, box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=float).T
    mapped = to_source @ corners
    xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
    return f"{math.floor(xs.min())} {math.floor(ys.min())} {math.ceil(xs.max())} {math.ceil(ys.max())}"


def _angle(to_source: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """The line's direction on the scan, in degrees counter-clockwise (hOCR textangle)."""
    x0, _, x1, y1 = box
    a = to_source @ np.array([x0, y1, 1.0])
    b = to_source @ np.array([x1, y1, 1.0])
    dx, dy = b[0] / b[2] - a[0] / a[2], b[1] / b[2] - a[1] / a[2]
    return round(math.degrees(math.atan2(-dy, dx))) % 360
