"""NĐ 30/2020 metadata of each document in a dossier, read from OCR output.

Plain functions over ``OcrResult`` (words with boxes in the upright OCR
image): no I/O, nothing cached.

* ``split_documents`` cuts a dossier's pages into documents: a document
  starts on a page with the NĐ 30 header (issuing body, Quốc hiệu, "Số:",
  place and date); a continuation page has none and carries its page
  number at the top.
* ``extract_document`` reads one document's fields: the header on its first
  page, the signature block on its last.
* ``parse_number_line``, ``parse_date_line`` and ``match_type_name`` read
  single lines and are usable on their own.

Every field is a ``Found``: a value with a confidence (0..1), or ``None``
with the reason. Nothing is guessed: a field that cannot be read stays
``None``. Misreadings the parsers know (``S6:`` for ``Số:``, ``QD`` for
``QĐ``, ``O`` for ``0``…) are corrected with a little less confidence and a
reason. Where a name (the commune, the signer) occurs several times in the
document, the spelling most of its occurrences agree on is taken, which
repairs a diacritic misread in one place. All text is Unicode NFC.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from pipeline._extract_blocks import (
    Header,
    Signature,
    find_header,
    find_signature,
    page_number_at_top,
)
from pipeline._extract_found import Found, T
from pipeline._extract_layout import Page, analyse
from pipeline._extract_parse import (
    NumberParts,
    PlaceDate,
    TypeMatch,
    match_type_name,
    parse_date_line,
    parse_number_line,
    type_for_code,
)
from pipeline._extract_text import CONG_VAN, clean, fold, nfc
from pipeline.model import OcrResult

__all__ = [
    "DocumentFields",
    "Found",
    "NumberParts",
    "PlaceDate",
    "TypeMatch",
    "extract_document",
    "is_document_start",
    "match_type_name",
    "parse_date_line",
    "parse_number_line",
    "split_documents",
]

OcrPage = tuple[OcrResult, int, int]  # OCR result, OCR image width, height


@dataclass
class DocumentFields:
    """One document's NĐ 30 / TT 05 fields (see ``Found``)."""

    type_name: Found[str]  # as printed: "QUYẾT ĐỊNH"; "Công văn" for a công văn
    type_code: Found[str]  # "QĐ"; None for a công văn
    code_number: Found[str]  # "08" (leading zero kept)
    code_notation: Found[str]  # "QĐ-UBND", "UBND-VP"
    issued_date: Found[datetime.date]
    issued_place: Found[str]  # "Bát Tràng"
    organ_name: Found[str]  # header lines joined: "ỦY BAN NHÂN DÂN XÃ BÁT TRÀNG"
    subject: Found[str]  # trích yếu; "V/v …" for a công văn
    signer_position: Found[str]  # "PHÓ CHỦ TỊCH"
    signer_name: Found[str]  # "Huỳnh Tấn Phước"
    signer_authority: Found[str] = field(
        default_factory=lambda: Found.none("no authority line"))  # "KT. CHỦ TỊCH"


# --------------------------------------------------------------------------- splitting


def _page(ocr: OcrPage) -> Page:
    result, width, height = ocr
    return analyse(result, width, height)


def _start(page: Page) -> tuple[Found[bool], Header | None]:
    if not page.segments:
        return Found(False, 0.3, "no text on the page"), None
    header = find_header(page)
    evidence = header.evidence
    numbered = page_number_at_top(page) is not None
    if evidence >= 2 and not (numbered and evidence == 2):
        return Found(True, {2: 0.8, 3: 0.95, 4: 0.99}[evidence],
                     None if evidence >= 3 else "only part of the header was read"), header
    if evidence >= 2:  # a page number and half a header: believe the header, unsure
        return Found(True, 0.6, "page number at the top but a header too"), header
    if numbered:
        return Found(False, 0.99 if evidence == 0 else 0.9), header
    if evidence == 1:
        return Found(False, 0.6, "one header landmark read, no page number"), header
    return Found(False, 0.8, "no header and no page number at the top"), header


def is_document_start(page: OcrResult, width: int, height: int) -> Found[bool]:
    """Whether the page opens a document (NĐ 30 header) or continues one.

    The header landmarks are the Quốc hiệu, the Tiêu ngữ, the "Số:" line and
    the place-date line; two of them make a first page. A page number alone
    at the top marks a continuation page.
    """
    return _start(analyse(page, width, height))[0]


def split_documents(pages: list[OcrPage]) -> list[tuple[int, int]]:
    """1-based inclusive page ranges, one per document; page 1 always starts one."""
    if not pages:
        return []
    starts = [1]
    for i, ocr in enumerate(pages[1:], start=2):
        found = is_document_start(*ocr)
        if found.value:
            starts.append(i)
    ends = [s - 1 for s in starts[1:]] + [len(pages)]
    return list(zip(starts, ends))


# --------------------------------------------------------------------------- voting


_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _doc_tokens(pages: list[Page]) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for page in pages:
        for s in page.segments:
            for w in s.words:
                for t in _TOKEN.findall(nfc(w.text)):
                    out.append((t, w.confidence / 100.0))
    return out


def _match_case(model: str, spelling: str) -> str:
    words_m, words_s = model.split(), spelling.split()
    out = []
    for m, s in zip(words_m, words_s):
        if m.isupper():
            out.append(s.upper())
        elif m[:1].isupper():
            out.append(s[:1].upper() + s[1:].lower())
        else:
            out.append(s.lower())
    return nfc(" ".join(out))


def _vote(phrase: str, tokens: list[tuple[str, float]]) -> tuple[str, int, int]:
    """The spelling most occurrences of ``phrase`` (diacritics aside) agree on.

    Returns (spelling in ``phrase``'s case, occurrences with that spelling,
    all occurrences). Occurrences are weighted by OCR confidence.
    """
    words = _TOKEN.findall(nfc(phrase))
    if not words:
        return phrase, 0, 0
    key = [fold(w) for w in words]
    n = len(words)
    weights: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    folded = [fold(t) for t, _ in tokens]
    for i in range(len(tokens) - n + 1):
        if folded[i : i + n] != key:
            continue
        spelling = " ".join(t.lower() for t, _ in tokens[i : i + n])
        weights[spelling] += sum(c for _, c in tokens[i : i + n]) / n
        counts[spelling] += 1
    if not weights:
        return phrase, 0, 0
    best = max(weights, key=lambda s: weights[s])
    if " ".join(w.lower() for w in words) == best:
        return phrase, counts[best], sum(counts.values())
    # Keep the phrase's own punctuation and spacing when only letters change.
    return _match_case(" ".join(words), best), counts[best], sum(counts.values())


def _voted(found: Found[str], tokens: list[tuple[str, float]], what: str) -> Found[str]:
    if found.value is None:
        return found
    spelling, agree, total = _vote(found.value, tokens)
    if agree == 0 or spelling == found.value:
        if total >= 2 and agree == total:
            return Found(found.value, max(found.confidence, 0.9), None)
        return found
    if agree >= 2 and agree * 2 > total:
        return Found(spelling, round(min(0.9, max(found.confidence, 0.7)), 3),
                     f"{what} read as {found.value!r}; {agree} of {total} occurrences "
                     f"in the document read {spelling!r}")
    return found


def _vote_lines(found: Found[str], lines: list[str], tokens: list[tuple[str, float]],
                what: str) -> Found[str]:
    """Vote each header line of the issuing body on its own (a line is a phrase)."""
    if found.value is None or not lines:
        return found
    fixed: list[str] = []
    reasons: list[str] = []
    for line in lines:
        one = _voted(Found(line, found.confidence), tokens, what)
        fixed.append(one.value or line)
        if one.reason:
            reasons.append(one.reason)
    value = " ".join(fixed)
    if value == found.value:
        return found
    return Found(value, round(min(0.9, max(found.confidence, 0.7)), 3), "; ".join(reasons))


# --------------------------------------------------------------------------- document


def _cap(f: Found[T], ceiling: float, reason: str) -> Found[T]:
    if f.value is None or f.confidence <= ceiling:
        return f
    return Found(f.value, ceiling, f.reason or reason)


def _type_fields(header: Header) -> tuple[Found[str], Found[str], Found[NumberParts]]:
    number = header.number
    heading = header.type
    notation_code = number.value.type_code if number.value else None
    if heading.value is not None:
        name, code = heading.value
        conf, reason = heading.confidence, heading.reason
        if notation_code is not None and notation_code != code:
            # Heading and notation disagree: believe the surer one, flag both.
            if number.confidence > heading.confidence:
                by_code = type_for_code(notation_code)
                if by_code is not None:
                    name, code = by_code
            conf = min(conf, number.confidence) * 0.6
            reason = f"heading {header.type_seg.text if header.type_seg else ''!r} and notation disagree"
        elif notation_code == code:
            conf = max(conf, min(1.0, number.confidence + 0.05))
            reason = None if conf >= 0.95 else reason
        # The heading settles HD/HĐ and DA/ĐA in the notation.
        if number.value is not None and header.number_seg is not None and notation_code:
            hinted = parse_number_line(header.number_seg.text, type_hint=code)
            if hinted.value is not None and hinted.value.type_code == code:
                number = hinted
        return Found(name, round(conf, 3), reason), Found(code, round(conf, 3), reason), number
    if header.cv_subject.value is not None or (number.value is not None and notation_code is None):
        conf = 0.95 if header.cv_subject.value is not None and number.value is not None else 0.7
        reason = None if conf >= 0.95 else "no type heading; taken for a công văn"
        return (Found(CONG_VAN, conf, reason),
                Found(None, conf, "a công văn has no type abbreviation"), number)
    if notation_code is not None:
        by_code = type_for_code(notation_code)
        if by_code is not None:
            conf = round(min(0.7, number.confidence), 3)
            why = f"type heading not read; from the notation {number.value.code_notation!r}"
            return Found(by_code.name, conf, why), Found(by_code.code, conf, why), number
    return heading, Found.none(heading.reason or "no type"), number


def extract_document(pages: list[OcrPage]) -> DocumentFields:
    """The fields of one document: header from its first page, signature from its last."""
    if not pages:
        missing = Found.none("no pages")
        return DocumentFields(*(Found.none("no pages") for _ in range(10)), missing)
    analysed = [_page(p) for p in pages]
    first = analysed[0]
    header = find_header(first)
    tokens = _doc_tokens(analysed)

    type_name, type_code, number = _type_fields(header)
    if number.value is not None:
        code_number = Found(number.value.code_number, number.confidence, number.reason)
        code_notation = Found(number.value.code_notation, number.confidence, number.reason)
    else:
        code_number = Found.none(number.reason or "no number")
        code_notation = Found.none(number.reason or "no notation")

    pd = header.place_date
    if pd.value is not None:
        issued_date = Found(pd.value.date, pd.confidence, pd.reason)
        if pd.value.place is not None:
            place = Found(pd.value.place, pd.confidence, pd.reason)
            if header.date_seg is not None:
                seg_conf = min(1.0, header.date_seg.confidence + 0.05)
                place = Found(place.value, round(min(place.confidence, seg_conf), 3),
                              place.reason)
            issued_place = _voted(place, tokens, "place")
        else:
            issued_place = Found.none("no place before the date")
    else:
        issued_date = Found.none(pd.reason or "no date")
        issued_place = Found.none(pd.reason or "no place")

    organ_lines = [clean(s.text).strip(" .,;:-_'\"") for s in header.organ_segs]
    organ = _vote_lines(header.organ, [nfc(line.upper()) for line in organ_lines], tokens,
                        "issuing body")

    if type_name.value == CONG_VAN:
        subject = header.cv_subject if header.cv_subject.value is not None else Found.none(
            "no 'V/v …' line under the number")
    else:
        subject = header.subject

    signature: Signature | None = None
    for k in range(len(analysed) - 1, -1, -1):
        after = 0.0
        if k == 0 and header.subject_segs:
            after = header.subject_segs[-1].y1
        elif k == 0 and header.number_seg is not None:
            after = max(s.y1 for s in [header.number_seg, *header.cv_segs])
        sig = find_signature(analysed[k], after)
        if sig.found:
            signature = sig
            break
    if signature is None:
        missing = "no signature block on the last page"
        signer_position = Found.none(missing)
        signer_name = Found.none(missing)
        signer_authority = Found.none(missing)
    else:
        signer_position = signature.position
        signer_authority = signature.authority
        signer_name = _voted(signature.name, tokens, "signer's name")

    return DocumentFields(
        type_name=type_name,
        type_code=type_code,
        code_number=code_number,
        code_notation=code_notation,
        issued_date=issued_date,
        issued_place=issued_place,
        organ_name=organ,
        subject=subject,
        signer_position=signer_position,
        signer_name=signer_name,
        signer_authority=signer_authority,
    )

