"""A page of the archived scan as a reviewer sees it: cropped round a field, words highlighted.

The word boxes come from the page's hOCR, kept in the archive beside the text, in the
original scan's pixels; the page is decoded from the archived scan itself.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import html
from PIL import Image, ImageDraw

from pipeline.archive import Store, read_file
from pipeline.core.record import Record
from pipeline.core.vi_text import index_words, nfc
from pipeline.ingest import pages as page_reader

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
# Where a field sits on an NĐ 30 page, as fractions (left, top, right, bottom): shown when
# the field was not found, so there are no words to crop round.
_USUAL_PLACE = {
    "organName": (0, 0, 0.55, 0.25), "codeNumber": (0, 0, 0.55, 0.3), "codeNotation": (0, 0, 0.55, 0.3),
    "issuedDate": (0.4, 0, 1, 0.3), "issuedPlace": (0.4, 0, 1, 0.3), "typeName": (0, 0.1, 1, 0.45),
    "typeCode": (0, 0.1, 1, 0.45), "subject": (0, 0.15, 1, 0.5),
    "signer.position": (0.4, 0.55, 1, 1), "signer.fullName": (0.4, 0.55, 1, 1),
}


@dataclass(frozen=True)
class WordBox:
    text: str
    folded: str  # lower case, no diacritics, đ → d, letters and digits only
    box: tuple[int, int, int, int]  # left, top, right, bottom in the scan's pixels


def folded_words(text: str) -> list[str]:
    return index_words(text)


def word_boxes(hocr: bytes | str) -> list[WordBox]:
    data = hocr.encode("utf-8") if isinstance(hocr, str) else hocr
    if not data.strip():
        return []
    tree = html.fromstring(data)
    out = []
    for span in tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' ocrx_word ')]"):
        m = _BBOX.search(span.get("title") or "")
        text = nfc(span.text_content().strip())
        if m and text:
            box = tuple(int(v) for v in m.groups())
            out.append(WordBox(text, "".join(folded_words(text)), box))  # type: ignore[arg-type]
    return out


def matching(words: list[WordBox], terms: list[str]) -> list[WordBox]:
    """The words equal (folded) to one of the search terms."""
    wanted = set(terms)
    return [w for w in words if w.folded and w.folded in wanted]


def value_run(words: list[WordBox], value: str) -> list[WordBox]:
    """The longest run of consecutive words that are words of ``value`` (folded)."""
    wanted = set(folded_words(value))
    best: list[WordBox] = []
    run: list[WordBox] = []
    for w in words:
        if w.folded and w.folded in wanted:
            run.append(w)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return best


def load_page(store: Store, key: str, rec: Record, number: int) -> Image.Image:
    """Page ``number`` (1-based) decoded from the archived scan it came from."""
    page = next(p for p in rec.pages if p.number == number)
    data = read_file(store, key, "source/" + page.source.replace("\\", "/"))
    with tempfile.TemporaryDirectory(prefix="sohoa-page-") as tmp:
        path = Path(tmp) / Path(page.source).name
        path.write_bytes(data)
        found = page_reader.read_pages(path, max_pixels=200_000_000)
        source = next(p for p in found if p.index_in_source == page.index_in_source)
        return Image.fromarray(page_reader.load_pixels(source)).convert("RGB")


def page_words(store: Store, key: str, rec: Record, number: int) -> list[WordBox]:
    page = next(p for p in rec.pages if p.number == number)
    return word_boxes(read_file(store, key, page.hocr_file)) if page.hocr_file else []


def page_image(
    img: Image.Image,
    *,
    highlight: list[WordBox] = (),  # type: ignore[assignment]
    crop_to: tuple[int, int, int, int] | None = None,
    max_width: int = 1200,
) -> bytes:
    """The page as a JPEG: highlighted words in translucent yellow, cut to ``crop_to``."""
    img = img.convert("RGB")
    if highlight:
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for w in highlight:
            left, top, right, bottom = w.box
            draw.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill=(255, 220, 0, 110),
                           outline=(230, 120, 0, 255), width=2)
        img = Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")
    if crop_to is not None:
        img = img.crop(crop_to)
    if img.width > max_width:
        img = img.resize((max_width, round(img.height * max_width / img.width)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def field_crop(size: tuple[int, int], field: str, found: list[WordBox]) -> tuple[int, int, int, int]:
    """Round the field's words with a margin (its line and what is next to it), or the part
    of the page where such a field usually is."""
    width, height = size
    if found:
        left = min(w.box[0] for w in found)
        top = min(w.box[1] for w in found)
        right = max(w.box[2] for w in found)
        bottom = max(w.box[3] for w in found)
        line = max(bottom - top, 10)
        return (max(0, left - width // 8), max(0, top - 3 * line), min(width, right + width // 8),
                min(height, bottom + 3 * line))
    fl, ft, fr, fb = _USUAL_PLACE.get(field, (0, 0, 1, 1))
    return (int(fl * width), int(ft * height), int(fr * width), int(fb * height))
