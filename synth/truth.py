"""Ground truth of a synthetic page, serialisable to JSON.

Coordinates are output-image pixels with edges at integers: a box
``(x0, y0, x1, y1)`` covers columns ``x0 … x1-1`` and rows ``y0 … y1-1``
(the same convention as Pillow's ``getbbox``).

Reading order of ``PageTruth.words`` (the order the blocks are drawn):

1. ``page_number`` – continuation pages only, centred at the top;
2. ``organ`` – issuing body, header left;
3. ``national`` – Quốc hiệu and Tiêu ngữ, header right;
4. ``number`` – ``Số: …`` under the organ;
5. ``cv_subject`` – the ``V/v …`` lines of a công văn, under the number;
6. ``place_date`` – place and date, under the national motto;
7. ``type`` – the type name (``QUYẾT ĐỊNH`` …), absent for a công văn;
8. ``subject`` – the trích yếu under the type name;
9. ``addressee`` – ``Kính gửi: …`` (tờ trình, công văn);
10. ``body`` – the body paragraphs (including a decision's authority line);
11. ``recipients`` – ``Nơi nhận:`` and its list, bottom left;
12. ``cosign`` – left signature block of a biên bản (``THƯ KÝ``), in place
    of ``Nơi nhận``;
13. ``signature`` – authority prefix, position, signer's name.

Blocks 2–9 only appear on a document's first page, 11–13 on its last.
Within a block words run line by line, left to right. The seal ring text
and the handwritten scribble are decoration, not words.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

READING_ORDER: tuple[str, ...] = (
    "page_number",
    "organ",
    "national",
    "number",
    "cv_subject",
    "place_date",
    "type",
    "subject",
    "addressee",
    "body",
    "recipients",
    "cosign",
    "signature",
)


@dataclass(frozen=True)
class WordTruth:
    text: str  # NFC
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in output-image pixels
    line: int  # index of its line on the page, in reading order
    block: str  # one of READING_ORDER


@dataclass(frozen=True)
class MarkTruth:
    """Ink that is not text: ``rule`` (header/subject lines), ``signature``, ``seal``."""

    kind: str
    box: tuple[int, int, int, int]


@dataclass
class DocumentMeta:
    """What a metadata extractor should find in one document (NĐ 30 / TT 05 fields)."""

    doc_index: int  # 0-based position in the dossier
    organ_lines: list[str]  # header lines as printed: ["ỦY BAN NHÂN DÂN", "XÃ BÁT TRÀNG"]
    organ: str  # the same lines joined by a space
    organ_name: str  # ordinary case: "Ủy ban nhân dân xã Bát Tràng"
    province: str  # "Hà Nội"
    type_name: str  # "Quyết định", "Công văn", …
    type_code: str  # "QĐ", "" for a công văn
    type_printed: bool  # False for a công văn (no type heading)
    code_number: str  # "125", "08" (as printed, leading zero kept)
    code_notation: str  # "QĐ-UBND", "UBND-VP"
    number_text: str  # "Số: 125/QĐ-UBND"
    issued_date: str  # ISO 8601 "2025-09-15"
    place: str  # "Bát Tràng"
    date_text: str  # "Bát Tràng, ngày 15 tháng 9 năm 2025"
    subject: str  # trích yếu as printed, lines joined: "Về việc …" / "V/v …"
    addressees: list[str]  # "Kính gửi" recipients (empty when none)
    recipients: list[str]  # "Nơi nhận" items as printed
    signer_authority: str  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "TL. CHỦ TỊCH" or ""
    signer_position: str  # "CHỦ TỊCH", "PHÓ CHỦ TỊCH", …
    signer_name: str  # "Huỳnh Tấn Phước"
    sealed: bool  # a red seal is stamped over the signature
    page_count: int  # pages of this document
    first_page: int  # 1-based page number of its first page in the dossier
    # Fields written by hand into a printed blank → drawn legibly. An illegible one has no
    # value to expect: the extraction should leave it empty and send it to review.
    handwritten: dict[str, bool] = field(default_factory=dict)
    split: str = "tuned"  # "tuned" or "heldout" (see ``synth.heldout``)


@dataclass
class PageTruth:
    words: list[WordTruth]
    text: str  # words joined by spaces, lines by newlines
    profile: str
    dpi: int
    font: str  # font family key, e.g. "liberation-serif"
    body_pt: float  # body text size in points
    width: int  # output image size in pixels
    height: int
    rotation: int  # clockwise degrees a viewer must turn the image to read it
    skew: float  # degrees the content is turned counter-clockwise in the image (0 if none)
    transform: list[list[float]]  # 3×3 homography: upright page pixels → output pixels
    page: int  # 1-based page number in the dossier
    page_in_doc: int  # 1-based page number within its document
    meta: DocumentMeta
    marks: list[MarkTruth] = field(default_factory=list)  # non-text ink, same coordinates
    params: dict[str, Any] = field(default_factory=dict)  # profile parameters drawn from the seed
    file: str | None = None  # file name once written

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PageTruth:
        d = dict(d)
        d["words"] = [
            WordTruth(w["text"], tuple(w["box"]), w["line"], w["block"]) for w in d["words"]
        ]
        d["meta"] = DocumentMeta(**d["meta"])
        d["marks"] = [MarkTruth(m["kind"], tuple(m["box"])) for m in d.get("marks", [])]
        return cls(**d)

    def block_text(self, block: str) -> str:
        """Text of one block, lines joined by newlines."""
        return lines_to_text([w for w in self.words if w.block == block])


def lines_to_text(words: list[WordTruth]) -> str:
    out: list[str] = []
    current: int | None = None
    for w in words:
        if current is not None:
            out.append("\n" if w.line != current else " ")
        out.append(w.text)
        current = w.line
    return "".join(out)
