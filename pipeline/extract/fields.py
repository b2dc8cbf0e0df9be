"""NĐ 30/2020 metadata of each document in a dossier, read from OCR output.

Plain functions over ``OcrResult`` (words with boxes in the upright OCR
image): no I/O, nothing cached.

* ``split_documents`` cuts a dossier's pages into documents: a document
  starts on a page with the NĐ 30 header (issuing body, Quốc hiệu, "Số:",
  place and date); a continuation page has none and carries its page
  number at the top.
* ``extract_document`` reads one document's fields: the header on its first
  page, the signature block on its last; ``extract_dossier`` reads each
  document of a dossier and lets a doubted signer's name or issuing body be
  settled by the dossier's other documents.
* ``parse_number_line``, ``parse_date_line`` and ``match_type_name`` read
  single lines and are usable on their own.

Every field is a ``Found``: a value with a confidence (0..1), or ``None``
with the reason; ``documents`` sends values below ``params.REVIEW_BELOW`` to review.
Nothing is invented: a field that cannot be read stays ``None``. What is
corrected or inferred carries a lower confidence and says so:

* misreadings the parsers know: ``S6:`` for ``Số:``, ``QD`` for ``QĐ``,
  ``O``/``l`` for ``0``/``1`` in numbers, a lost ``/`` or ``-``;
* heading and notation checked against each other ("TIr-UBND" under TỜ
  TRÌNH; HD/HĐ settled by the heading; the type from the notation when the
  heading is unreadable);
* names repaired by the document itself: the commune's name and the
  signer's name take the spelling most of their occurrences agree on (and
  are doubted when occurrences disagree); opening words of the issuing
  body's lines and surnames come from small closed vocabularies; a lone
  "ỦY BAN NHÂN DÂN" gets its unit line from the body when the body names it;
* a signer's name line a seal's lettering crossed: the scraps left out, a
  surname whose first letters the seal ate guessed from its last ones, a
  doubted name spelt as the document or the dossier names the same person
  elsewhere (all of it flagged for review).

All text is Unicode NFC; coordinates are those of ``OcrResult``.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from typing import Any, NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.core.model import OcrResult, SurnameMatch
from pipeline.core.vi_names import MIDDLE_NAMES, SURNAMES, is_surname, syllable
from pipeline.core.vi_text import (
    DAY_WORD,
    clean,
    fold,
    strip_foreign,
    tone_style,
    vn_upper,
    words_folded,
)
from pipeline.extract.blocks import (
    Header,
    Signature,
    find_header,
    find_signature,
    page_number_at_top,
    read_number,
)
from pipeline.extract.found import Found
from pipeline.extract.layout import Page, Segment, analyse
from pipeline.extract.names import (
    ORGAN_HEADS,
    UNIT_WORDS,
    Token,
    drop_leading_scraps,
    fits_past_garbles,
    fix_organ_line,
    fix_surname,
    head_for,
    implausible,
    listed_past_one_garble,
    name_from_line,
    name_word,
    named_elsewhere,
    names_only_a_unit,
    near_surname,
    opens_with_unit,
    spelt_word,
    tokens_of,
    unit_for,
    vote,
    voted,
    vowel_read_twice,
)
from pipeline.extract.nd30 import CONG_VAN, HEADS
from pipeline.extract.params import (
    COARSE_AT_MOST,
    COARSE_EM,
    CONG_VAN_GUESSED,
    CONG_VAN_SURE,
    CONTINUES_NO_TEXT,
    CONTINUES_NOTHING_READ,
    CONTINUES_NUMBERED,
    CONTINUES_NUMBERED_ONE_LANDMARK,
    CONTINUES_ONE_LANDMARK,
    DATE_AFTER_TODAY,
    DATE_BEFORE_ITS_CITATIONS,
    GUESS_AT_LEAST,
    NAME_ELSEWHERE,
    NAME_FROM_DOSSIER,
    NAME_SAME_POST,
    NAME_SCRAPS_LEFT_OUT,
    NAME_SHAPE_AHEAD,
    NAME_SHAPE_UNSURE,
    NAME_SHORTER_THAN_DOSSIER,
    NAME_SURNAME_FROM_DOSSIER,
    NAME_SURNAME_GUESSED,
    NAME_UNDER_SEAL,
    NAME_VOWEL_READ_TWICE,
    NAME_WORD_LOST,
    NOTATION_BODY_FROM_DOSSIER,
    NOTATION_BODY_OFF,
    NOTATION_DISAGREE,
    NOTATION_FROM_HEADING,
    NOTATION_NOT_THE_HEADINGS,
    NUMBER_OCR_SLACK,
    ORGAN_FROM_DOSSIER,
    ORGAN_HEAD_FROM_TEXT,
    ORGAN_HEAD_MISSING,
    ORGAN_MISSPELT,
    ORGAN_PROVINCE_SPELT,
    ORGAN_SHORTER_THAN_DOSSIER,
    ORGAN_UNIT_AFTER_SCRAPS,
    ORGAN_UNIT_FROM_BODY,
    ORGAN_UNIT_MISSING,
    ORGAN_UNIT_WORD_LOST,
    PLACE_FROM_ORGAN,
    PLACE_LISTED_NEAR,
    PLACE_OCR_SLACK,
    PLACE_OFF_THE_LIST,
    POSITION_OF_BODY,
    POSITION_OF_BODY_MIN,
    POSITION_OF_BODY_SLACK,
    REPAIRED,
    REPAIRED_DOUBTED,
    REVIEW_BELOW,
    SHAPE_AHEAD,
    SHAPE_AT_LEAST,
    START_BY_LANDMARKS,
    START_DESPITE_PAGE_NUMBER,
    START_MIN_LANDMARKS,
    TYPE_AGREE_BONUS,
    TYPE_DISAGREE,
    TYPE_FROM_NOTATION,
    TYPE_SURE,
)
from pipeline.extract.parse import (
    KNOWN_ORGANS,
    NumberParts,
    PlaceDate,
    TypeMatch,
    match_type_name,
    parse_date_line,
    parse_number_line,
    type_for_code,
)

__all__ = [
    "DocumentFields",
    "Found",
    "NumberParts",
    "PlaceDate",
    "TypeMatch",
    "extract_document",
    "extract_dossier",
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
        return Found(False, CONTINUES_NO_TEXT, "no text on the page"), None
    header = find_header(page)
    evidence = header.evidence
    numbered = page_number_at_top(page) is not None
    if evidence >= START_MIN_LANDMARKS and not (numbered and evidence == START_MIN_LANDMARKS):
        return Found(True, START_BY_LANDMARKS[evidence],
                     None if evidence > START_MIN_LANDMARKS
                     else "only part of the header was read"), header
    if evidence >= START_MIN_LANDMARKS:
        # A page number and half a header: believe the header, unsure.
        return Found(True, START_DESPITE_PAGE_NUMBER,
                     "page number at the top but a header too"), header
    if numbered:
        return Found(False, CONTINUES_NUMBERED if evidence == 0
                     else CONTINUES_NUMBERED_ONE_LANDMARK), header
    if evidence == 1:
        return Found(False, CONTINUES_ONE_LANDMARK,
                     "one header landmark read, no page number"), header
    return Found(False, CONTINUES_NOTHING_READ, "no header and no page number at the top"), header


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


# --------------------------------------------------------------------------- names


def _tokens(pages: list[Page], leave_out: Sequence[Segment] = ()) -> list[Token]:
    out = {id(s) for s in leave_out}
    return tokens_of([(w.text, w.confidence / 100.0)
                      for page in pages for s in page.segments if id(s) not in out
                      for w in s.words])


def _repaired(found: Found[str], value: str, reason: str | None, doubt: bool = False
              ) -> Found[str]:
    """``found`` with a repaired spelling (``reason`` says what changed), or doubted
    when other readings disagree; without a reason ``value`` is only tidied."""
    if found.value is None:
        return found
    if reason is None:
        return Found(value, found.confidence, found.reason)
    if doubt:
        return Found(value, round(min(found.confidence, REPAIRED_DOUBTED), 3), reason)
    return Found(value, REPAIRED, reason)


# --------------------------------------------------------------------------- document


def _notation_from_heading(number: Found[NumberParts], code: str) -> Found[NumberParts]:
    """A notation whose first part misses the heading's abbreviation by one letter
    ("TIr-UBND" under TỜ TRÌNH) takes the abbreviation; any other stays, flagged."""
    value = number.value
    assert value is not None and value.code_notation is not None
    parts = value.code_notation.split("-")
    first = parts[0]
    if len(parts) >= 2 and Levenshtein.distance(first.upper(), code.upper()) <= 1:
        fixed = NumberParts(value.code_number, "-".join([code, *parts[1:]]), code)
        return Found(fixed, round(min(NOTATION_FROM_HEADING, number.confidence), 3),
                     f"notation read as {value.code_notation!r}; the heading gives {code!r}")
    return Found(value, round(min(NOTATION_NOT_THE_HEADINGS, number.confidence), 3),
                 f"notation {value.code_notation!r} has no type abbreviation "
                 f"though the heading gives {code!r}")


def _type_fields(header: Header) -> tuple[Found[str], Found[str], Found[NumberParts]]:
    """Type name and code from the heading and the notation, checked against each other."""
    number = header.number
    heading = header.type
    notation_code = number.value.type_code if number.value else None
    if heading.value is not None:
        name, code = heading.value
        conf, reason = heading.confidence, heading.reason
        # The heading settles HD/HĐ, DA/ĐA and a doubled letter (QĐĐ) in the notation.
        number_seg = header.number_seg or header.number_seg_unread
        if number_seg is not None and (notation_code not in (None, code)
                                       or number.confidence < 1.0):
            hinted = read_number(number_seg, type_hint=code, rereads=header.rereads)
            if hinted.value is not None and hinted.value.type_code == code \
                    and (notation_code != code or hinted.confidence > number.confidence):
                number, notation_code = hinted, code
        if number.value is not None and notation_code not in (None, code):
            # Heading and notation disagree: believe the surer one, flag both.
            if number.confidence > heading.confidence:
                by_code = type_for_code(notation_code or "")
                if by_code is not None:
                    name, code = by_code
            conf = min(conf, number.confidence) * TYPE_DISAGREE
            heading_text = header.type_seg.text if header.type_seg else ""
            reason = (f"heading {heading_text!r} and notation "
                      f"{number.value.code_notation!r} disagree")
            number = Found(number.value, round(min(number.confidence, NOTATION_DISAGREE), 3),
                           reason)
        elif notation_code == code:
            conf = max(conf, min(1.0, number.confidence + TYPE_AGREE_BONUS))
            reason = None if conf >= TYPE_SURE else reason
        elif number.value is not None and number.value.code_notation is not None:
            number = _notation_from_heading(number, code)
        return Found(name, round(conf, 3), reason), Found(code, round(conf, 3), reason), number
    # A notation with no type abbreviation is a công văn's; one not read says nothing.
    if header.cv_subject.value is not None or (number.value is not None and notation_code is None
                                               and number.value.code_notation is not None):
        sure = header.cv_subject.value is not None and number.value is not None
        conf = CONG_VAN_SURE if sure else CONG_VAN_GUESSED
        reason = None if conf >= TYPE_SURE else "no type heading; taken for a công văn"
        return (Found(CONG_VAN, conf, reason),
                Found(None, conf, "a công văn has no type abbreviation"), number)
    if number.value is not None and notation_code is not None:
        by_code = type_for_code(notation_code)
        if by_code is not None:
            conf = round(min(TYPE_FROM_NOTATION, number.confidence), 3)
            why = f"type heading not read; from the notation {number.value.code_notation!r}"
            return Found(by_code.name, conf, why), Found(by_code.code, conf, why), number
    why = heading.reason or "no type heading"
    return Found.none(why), Found.none(why), number


_CITED = re.compile(r"(?:ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})"
                    r"|\b(\d{1,2})/(\d{1,2})/(\d{4})\b)")


# "12/QĐ-UBND", or "số 01'KH-UBND" and "số 01 KH UBND" (a slash read as a quote or a space).
_CITED_BY_NUMBER = re.compile(r"(?:\d+/(?:\d{4}/)?[a-z]+[^ ]*"
                              r"|\bso\s+\d+[\s'`]+[a-z]{1,5}(?:[\s-]+[a-z]{1,6})?)\s*,?\s*$")


def _not_before_its_citations(found: Found[datetime.date], pages: list[Page], header: Header
                              ) -> Found[datetime.date]:
    """A document cites only what came before it: an issue date earlier than a date its
    own text cites ("Căn cứ … ngày 18 tháng 3 năm 2026") was misread (2026 read as 2020)."""
    if found.value is None:
        return found
    latest = None
    for page in pages:
        for seg in page.segments:
            if seg is header.date_seg:
                continue
            text = fold(seg.text)
            for m in _CITED.finditer(text):
                # A document cited by its number ("số 12/QĐ-UBND ngày …"), not a deadline.
                if not _CITED_BY_NUMBER.search(text[max(0, m.start() - 40):m.start()]):
                    continue
                d, mo, y = (int(g) for g in (m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)))
                try:
                    cited = datetime.date(y, mo, d)
                except ValueError:
                    continue
                latest = cited if latest is None or cited > latest else latest
    if latest is None or latest <= found.value:
        return found
    return Found(found.value, round(min(found.confidence, DATE_BEFORE_ITS_CITATIONS), 3),
                 found.reason_and(f"the text cites a later date ({latest.isoformat()})"))


def _position_of_body(position: Found[str], read: str | None, organ_lines: list[str],
                      authority: str | None) -> Found[str]:
    """A position read unsurely as no title of its body's, or as nothing, that reads
    nearly as well as its body's head's title or deputy's: that title, flagged ("HHU
    TRƯỚNG" under a school is HIỆU TRƯỞNG, not THỨ TRƯỞNG). Not under TL. or TUQ.: one
    signs so for the head, in a title of one's own."""
    if read is None or position.confidence >= REVIEW_BELOW \
            or (authority or "").startswith(("TL.", "TUQ.")):
        return position
    heads = _heads_of(organ_lines)
    if heads is None or (position.value or "").removeprefix("Q. ") in heads:
        return position  # head or deputy, as read: the body tells them not apart
    key = words_folded(strip_foreign(read))
    acting = re.match(r"[oq0]\W", key) is not None  # "Q. HIỆU TRƯỞNG": an acting head
    titles = [f"Q. {heads[0]}"] if acting else list(heads)
    best = max(titles, key=lambda t: fuzz.ratio(key, words_folded(t)))
    score = fuzz.ratio(key, words_folded(best))
    taken = fuzz.ratio(key, words_folded(position.value)) if position.value else 0.0
    if best == position.value or score < POSITION_OF_BODY_MIN \
            or score < taken - POSITION_OF_BODY_SLACK:
        return position
    return Found(best, round(min(position.confidence, POSITION_OF_BODY), 3),
                 f"position read as {read!r}; the body's head signs as {heads[0]}, "
                 f"a deputy as {heads[1]}")


def _heads_of(organ_lines: list[str]) -> tuple[str, str] | None:
    """The head's and the deputy's titles of the body whose lines (as read) these are: by
    the last line that opens with a unit ("SỞ GIÁO DỤC VÀ ĐÀO TẠO" / "TRƯỜNG THPT …":
    the school's; "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG": the Sở's)."""
    last = None
    for line in organ_lines:
        words = words_folded(strip_foreign(line)).split()
        opening = [h for h in HEADS if words[:len(h[0].split())] == words_folded(h[0]).split()]
        if opening:
            last = max(opening, key=lambda h: len(h[0]))
    return (last[1], last[2]) if last is not None else None


def _not_after_today(found: Found[datetime.date]) -> Found[datetime.date]:
    """A paper being digitised was issued before today: a later date was misread (2025
    read as 2035)."""
    today = datetime.date.today()
    if found.value is None or found.value <= today:
        return found
    return Found(found.value, round(min(found.confidence, DATE_AFTER_TODAY), 3),
                 found.reason_and(f"a date after today ({today.isoformat()})"))


def _place_date(header: Header, tokens: list[Token]) -> tuple[Found[datetime.date], Found[str]]:
    pd = header.place_date
    if pd.value is None:
        return Found.none(pd.reason or "no date"), Found.none(pd.reason or "no place")
    issued_date = (Found(pd.value.date, pd.confidence, pd.reason) if pd.value.date is not None
                   else Found.none(pd.reason or "the date is not readable"))
    if pd.value.place is None:
        return issued_date, Found.none("no place before the date")
    found = Found(pd.value.place, pd.confidence, pd.reason)
    if header.date_seg is not None:
        found = _place_by_its_words(found, header.date_seg)
    v = voted(pd.value.place, tokens)
    place = _repaired(found, v.value, v.reason, v.doubt)
    place = _place_from_organ(_place_on_the_list(place, tokens),
                              [seg.text for seg in header.organ_segs], v.other)
    return issued_date, _place_settled_by_list(place, v.other)


def _place_by_its_words(place: Found[str], line: Segment) -> Found[str]:
    """The place as sure as the OCR of its own words, before "ngày": it is printed, and
    what doubts the date (a day or month written by hand, a digit misread) says nothing
    of it. Without a "ngày" read, as sure as the whole line and the date."""
    day = next((k for k, w in enumerate(line.words)
                if re.fullmatch(DAY_WORD, fold(w.text).strip(",.;:")) is not None), None)
    if not day:
        return Found(place.value, round(min(place.confidence, line.confidence + PLACE_OCR_SLACK), 3),
                     place.reason)
    ocr = Segment(line.words[:day], line.size).confidence
    conf = round(min(1.0, ocr + PLACE_OCR_SLACK), 3)
    return Found(place.value, conf,
                 f"place read with low OCR confidence ({ocr:.2f})" if conf < REVIEW_BELOW else None)


def _place_from_organ(place: Found[str], organ_lines: list[str], elsewhere: str | None,
                      organ: str | None = None) -> Found[str]:
    """A place with words no Vietnamese syllable spells ("Buôn VIq Thuột", "Buôn \\Iq
    Thuột") or in a case no place name is printed in ("Buôn VI Thuột", "Cà du"), on no
    list, takes the issuing body's unit name ("THÀNH PHỐ BUÔN MA THUỘT", as one of its ``organ_lines``
    reads or as the ``organ`` found reads it whole), or else the spelling read ``elsewhere`` in the
    document, where that has as many words, each a syllable, and the same ones wherever the
    place reads a word right: the date line names the issuer's own locality. To be checked."""
    from pipeline.core import commune

    if place.value is None or commune.is_place_name(place.value):
        return place
    read = place.value.split()
    # A last word read small ("Cà du" for Cà Mau) is no place's either: a name's syllables
    # are capitalised (a unit's word before it may not be: "Thành phố Hồ Chí Minh").
    garbled = [not spelt_word(w) or _case_broken(w) or (i == len(read) - 1 and w[:1].islower())
               for i, w in enumerate(read)]
    if not any(garbled) or all(garbled):
        return place
    spellings = []
    # The body's lines as read, then the ends of its name as found (a garbled line repaired).
    ends = [clean(line).split() for line in organ_lines]
    if organ:
        whole = organ.split()
        ends += [whole[i:] for i in range(len(whole))]
    for words in ends:
        for k in (2, 1):
            if len(words) - k == len(read) and words_folded(" ".join(words[:k])) in UNIT_WORDS:
                spellings.append((words[k:], "the issuing body's line names"))
                break
    if elsewhere:
        spellings.append((elsewhere.split(), "the document elsewhere reads"))
    for named, where in spellings:
        if len(named) == len(read) and all(spelt_word(w) for w in named) and all(
                g or fold(w) == fold(n) for w, n, g in zip(read, named, garbled, strict=True)):
            spelt = " ".join(n[:1] + n[1:].lower() for n in named)
            return Found(spelt, min(place.confidence, PLACE_FROM_ORGAN), place.reason_and(
                f"read {place.value!r}; {where} {' '.join(named)!r}"))
    listed = listed_past_one_garble(read)
    if listed is not None:
        return Found(listed, min(place.confidence, PLACE_FROM_ORGAN), place.reason_and(
            f"read {place.value!r}, a word past reading: {listed!r} is the one place on the "
            "2025 list its other words fit"))
    return place


def _case_broken(word: str) -> bool:
    """A capital after a word's first letter ("VIa", "VI" for Ma), no abbreviation's full
    stop in it: a place's words are printed with a capital first letter only."""
    return "." not in word and any(c.isupper() for c in word[1:])


def _place_settled_by_list(place: Found[str], elsewhere: str | None) -> Found[str]:
    """Two readings of the place that disagree ("Đị Nẵng" here, "Đá Nẵng" elsewhere), the
    one kept on no list: the one listed name a letter from it that the other reading
    spells, marks aside, is taken with the list's marks. To be checked."""
    from pipeline.core import commune

    if place.value is None or elsewhere is None or commune.is_place_name(place.value):
        return place
    near = [p for p in commune.places_like(place.value) if fold(p) == fold(elsewhere)]
    if len(near) != 1:
        return place
    return Found(near[0], min(place.confidence, PLACE_LISTED_NEAR), place.reason_and(
        f"read {place.value!r} and elsewhere {elsewhere!r}: {near[0]!r} is the one name on the "
        "2025 list both fit"))


def _place_on_the_list(place: Found[str], tokens: list[Token]) -> Found[str]:
    """A sure place checked against the 2025 list of communes and provinces: a name on no
    list ("Wim Long") is a misreading, whether the document prints it once or, a letter
    from a listed name, more often. The one listed name a letter away is taken, as a
    guess, when the document prints it too; otherwise the reading stays, doubted (it
    may be an older name)."""
    if place.value is None or place.confidence < REVIEW_BELOW:
        return place
    from pipeline.core import commune  # (loading the list costs a tenth of a second)

    if commune.is_place_name(place.value):
        return place
    if vote(place.value, tokens).agree >= 2 and not commune.places_like(place.value):
        # Printed again, in the organ's name most often: an older name, spelt alike. One a
        # letter from a listed name ("Bắc Vinh") may be the same face misread twice over.
        return place
    return _listed_near(place.value, tokens, "document") or Found(
        place.value, PLACE_OFF_THE_LIST,
        f"{place.value!r}: no commune, ward or province on the 2025 list is "
        "called so (a misreading, or a name from before 2025)")


def _listed_near(value: str, tokens: list[Token], where: str) -> Found[str] | None:
    """The one name of the 2025 list a letter from ``value`` that the text prints (of
    "Đông Thái", "Đồng Thái" and "Đồng Tháp", near "Đông Tháp", the one printed)."""
    from pipeline.core import commune

    if commune.is_place_name(value):
        return None
    near = [p for p in commune.places_like(value)
            if (t := vote(p, tokens)).spelling == p and t.agree >= 1]
    if len(near) != 1:
        return None
    return Found(near[0], PLACE_LISTED_NEAR,
                 f"read {value!r}, which no commune, ward or province on the "
                 f"2025 list is called; {near[0]!r} is, and the {where} prints it")


def _organ(header: Header, place: str | None, tokens: list[Token]) -> Found[str]:
    return _spelt(_province_spelt(_organ_read(header, place, tokens)))


# A province's unit words, folded, as an issuing body's name prints them before it.
_PROVINCE_UNITS = (("tinh", "TỈNH"), ("thanh pho", "THÀNH PHỐ"))


def _province_spelt(organ: Found[str]) -> Found[str]:
    """A province named after its unit word with marks misread ("CÔNG AN TĨNH BAC NINH")
    is spelt as the 2025 list spells it, flagged: the words' letters are the list's, only
    their marks were in doubt. Other names (a province before 2025, a commune) stand."""
    from pipeline.core import commune  # (loading the list costs a tenth of a second)

    if organ.value is None:
        return organ
    words = organ.value.split()
    for i in range(len(words)):
        for key, unit in _PROVINCE_UNITS:
            n = len(key.split())
            if " ".join(fold(w) for w in words[i:i + n]) != key:
                continue
            for k in range(len(words) - i - n, 0, -1):  # the longest name first
                name = commune.province_spelt(words[i + n:i + n + k])
                if name is None:
                    continue
                spelt = [*words[:i], *unit.split(), *vn_upper(name).split(), *words[i + n + k:]]
                read = " ".join(words[i:i + n + k])
                if spelt == words or tone_style(read) == tone_style(" ".join(spelt[i:i + n + k])):
                    return organ  # as the list spells it, or with the older tone placement
                return Found(" ".join(spelt), round(min(organ.confidence, ORGAN_PROVINCE_SPELT), 3),
                             organ.reason_and(f"read {read!r}: the 2025 list spells the province "
                                              f"{unit} {vn_upper(name)}"))
    return organ


def _organ_read(header: Header, place: str | None, tokens: list[Token]) -> Found[str]:
    organ = header.organ
    if organ.value is None:
        return organ
    lines = [fix_organ_line(clean(s.text).strip(" .,;:-_'\""), tokens, place)
             for s in header.organ_segs]
    reasons = [r for _, r, _ in lines if r]
    organ = _repaired(organ, " ".join(v for v, _, _ in lines), "; ".join(reasons) or None,
                      any(d for _, _, d in lines))
    if len(lines) == 1 and lines[0][0] in ORGAN_HEADS:
        # Only "ỦY BAN NHÂN DÂN" read: the line naming the commune is missing.
        head = lines[0][0]
        unit = unit_for(head, place, tokens)
        if unit is not None:
            return Found(f"{head} {unit[0]}", ORGAN_UNIT_FROM_BODY,
                         f"only {head!r} read in the header; the unit line from the body "
                         f"({unit[1]}× '… {unit[0].lower()}')")
        return Found(organ.value, round(min(organ.confidence, ORGAN_UNIT_MISSING), 3),
                     f"only {head!r} read: the line naming the unit is missing")
    if names_only_a_unit(lines[0][0]):
        # "THÀNH PHỐ BUÔN MA THUỘT" alone: the line naming the body above it is hidden (an
        # e-signature box over it) or unread; the document's text may name the body whole.
        read = " ".join(v for v, _, _ in lines)
        above = head_for(read, tokens)
        if above is not None:
            return Found(f"{above[0]} {read}", ORGAN_HEAD_FROM_TEXT,
                         f"only {read!r} read in the header; the line above it from the "
                         f"document's text ({above[1]}× '{above[0].lower()} {read.lower()}')")
        return Found(organ.value, round(min(organ.confidence, ORGAN_HEAD_MISSING), 3),
                     f"only {read!r} read: the line naming the body above it is missing")
    if len(lines) == 2 and lines[0][0] in ORGAN_HEADS and not opens_with_unit(lines[1][0]):
        # "ỦY BAN NHÂN DÂN" over "NHƠN TRẠCH": the unit word (XÃ, PHƯỜNG …) was lost, and
        # the document does not name the unit often enough to restore it (fix_organ_line).
        head, named = lines[0][0], lines[1][0]
        kept = _unit_after_scraps(named)
        if kept is not None:
            return Found(f"{head} {kept}", round(min(organ.confidence, ORGAN_UNIT_AFTER_SCRAPS), 3),
                         f"the line under {head!r} read as {named!r}: scraps before {kept!r} "
                         "left out")
        return Found(organ.value, round(min(organ.confidence, ORGAN_UNIT_WORD_LOST), 3),
                     f"the line under {head!r} names no unit (XÃ, PHƯỜNG …): {named!r}")
    return organ


def _unit_after_scraps(line: str) -> str | None:
    """ "CƠ #!© HIÀIHÂU XÃ HẢI HẬU": a unit line with specks or words no syllable spells
    before its unit word, and after that word a place on the 2025 list; that part, else None."""
    from pipeline.core import commune

    words = line.split()
    for k in range(1, len(words) - 1):
        unit, before = " ".join(words[k:]), words[:k]
        if opens_with_unit(unit) and any(not syllable(w.lower()) for w in before) \
                and commune.is_place_name(" ".join(words[k + 1:])):
            return unit
    return None


# Abbreviations an issuing body's name may print ("UBND TỈNH", "CÔNG AN TP ĐÀ NẴNG").
_ORGAN_ABBREVIATIONS = frozenset(("UBND", "HĐND", "MTTQ", "BCH", "BCĐ", "TP", "TX", "TT", "CA",
                                  "ĐU", "VP", "KBNN", "BHXH", "THCS", "THPT", "ĐH", "CĐ"))


def _spelt(organ: Found[str]) -> Found[str]:
    """An issuing body's name holds Vietnamese words and known abbreviations only: one
    with a word no syllable spells ("TIELVP", "BEIREE00116") was misread, whatever the
    repairs made of the rest."""
    if organ.value is None or organ.confidence < REVIEW_BELOW:
        return organ
    odd = [w for w in organ.value.split() if w.strip(".,-") and not (
        syllable(w.strip(".,-")) or w.strip(".,-") in _ORGAN_ABBREVIATIONS)]
    if not odd:
        return organ
    return Found(organ.value, ORGAN_MISSPELT, organ.reason_and(
        f"{' '.join(odd)!r}: no Vietnamese word is spelt so"))


def _signature(pages: list[Page], header: Header) -> Signature | None:
    """The signature block on the last page, or failing that the one before; or, with no
    position or name read on any, the last page's authority line alone ("KT. CHỦ TỊCH"
    over a seal and a signature that hid the rest): what was read is still said."""
    authority_only = None
    for k in range(len(pages) - 1, -1, -1):
        after = 0.0  # on the first page, only below the header's blocks
        if k == 0 and header.subject_segs:
            after = header.subject_segs[-1].y1
        elif k == 0 and header.number_seg is not None:
            after = max(s.y1 for s in [header.number_seg, *header.cv_segs])
        sig = find_signature(pages[k], after)
        if sig.found:
            return sig
        if authority_only is None and sig.authority.value is not None:
            authority_only = sig
    return authority_only


class _Signer(NamedTuple):
    name: Found[str]
    surname_read: bool  # the name's first word was read letter for letter, a surname


def _name_elsewhere(found: Found[str], surname_read: bool, tokens: list[Token], where: str
                    ) -> Found[str]:
    """A doubted name as it is read elsewhere, when that settles it (``named_elsewhere``);
    still for review."""
    if found.value is None or found.confidence >= REVIEW_BELOW:
        return found
    named = named_elsewhere(found.value, surname_read, tokens)
    if named is None:
        return found
    value, times = named
    said = f"{value!r} read elsewhere in the {where}" + (f" ({times}×)" if times > 1 else "")
    if value == found.value:
        reason = found.reason_and(said)
        return Found(value, round(max(found.confidence, NAME_ELSEWHERE), 3), reason)
    return Found(value, NAME_ELSEWHERE, f"name read as {found.value!r}; {said}")


def _signer_name(found: Found[str], tokens: list[Token], elsewhere: list[Token],
                 shapes: Sequence[SurnameMatch] = ()) -> _Signer:
    """The signer's name with what the seal left on its line, its surname's shape
    (``shapes``), and the rest of the document (``tokens``; ``elsewhere``: all but the
    signature block), brought to bear."""
    if found.value is None:
        return _Signer(found, False)
    line = found.value
    name, why_scraps = drop_leading_scraps(line)
    cap = 1.0
    guessed = False
    if why_scraps:
        found = Found(name, round(max(found.confidence, NAME_SCRAPS_LEFT_OUT), 3), why_scraps)
        if name.split()[0] not in line.split():  # its capital read small: to be checked
            cap = NAME_UNDER_SEAL
    else:
        read = name_from_line(line)
        if read is not None:
            # A seal's lettering crossed the line: what is left may be misread too.
            name, why_scraps, guessed = read.value, read.reason, read.guessed
            cap = NAME_SURNAME_GUESSED if guessed else NAME_UNDER_SEAL
    twice = {w: once for w in name.split() if (once := vowel_read_twice(w))}
    why_twice = "; ".join(f"{w!r} reads a vowel twice: {once!r} kept, the reading with its "
                          "marks" for w, once in twice.items()) or None
    if twice:
        name = " ".join(twice.get(w, w) for w in name.split())
        cap = min(cap, NAME_VOWEL_READ_TWICE)
    v = voted(name, tokens, spaces=False)
    full, why_surname = fix_surname(v.value)
    doubt, why_vote = v.doubt, v.reason
    words = full.split()
    guess = near_surname(words[0]) if len(words) >= 2 and not why_surname and not guessed \
        else None
    if guess is not None:
        # A letter away from one surname: likely, not certain; a person checks it.
        full, why_surname = " ".join([guess, *words[1:]]), f"surname read as {words[0]!r}"
        doubt = True
    if doubt and v.other == full:
        doubt, why_vote = False, None  # the surname list and the other reading agree
    elif why_surname and full != v.other:
        # A line whose surname lost its accent may have lost others ("My Thuy").
        doubt = True
    reason = "; ".join(r for r in (why_scraps, why_twice, why_surname, why_vote) if r) or None
    result = _repaired(found, full, reason, doubt)
    if result.confidence > cap:
        result = Found(result.value, cap, result.reason)
    result = _surname_by_shape(result, shapes, tokens_of([(line, 0.0)]))
    full = result.value or ""
    first = full.split()[0] if full.split() else ""
    lost = None
    if not is_surname(first):
        lost = f"{first!r} is no Vietnamese surname: the name may have lost its first word"
    elif len(full.split()) == 2 and first in MIDDLE_NAMES:
        lost = f"{first!r} is a middle name too: the name may have lost its surname"
    if lost:
        result = Found(result.value, round(min(result.confidence, NAME_WORD_LOST), 3),
                       result.reason_and(lost))
    surname_read = not lost and not guessed \
        and first in (t for t, _ in tokens_of([(line, 0.0)]))
    result = _name_elsewhere(_middle_name_accent(result), surname_read, elsewhere, "document")
    return _Signer(result, surname_read)


def _surname_by_shape(found: Found[str], shapes: Sequence[SurnameMatch], line: list[Token]
                      ) -> Found[str]:
    """A name whose surname a seal garbled or hid takes the surname its shape matches
    best (``_ocr_surnames``), drawn before the words the name's given names were read
    as; unless the surname was read letter for letter on the ``line``, or the spelling's
    guess fits the shape about as well. A garbled middle name before a lone given name
    takes the middle name matched the same way. Still for review."""
    if found.value is None:
        return found
    words = found.value.split()
    folded = [fold(w) for w in words]
    for shape in sorted(shapes, key=lambda m: -len(m.before)):
        before = [fold(w) for w in shape.before]
        n = len(before) - (1 if shape.middles else 0)  # words read (the last ones)
        if folded == before:
            read, given = None, words
        elif folded[-n:] == before[-n:] \
                and (len(words) == n or words[-n - 1] not in MIDDLE_NAMES) \
                and not any(name_word(w) for w in words[:-len(before) - 1]):
            # The surname's place (the middle name's first, if that too is matched),
            # and before it only scraps ("ow Binh Văn Nghĩa").
            read = words[-len(before) - 1] if len(words) > len(before) else None
            given = [*shape.before[:len(before) - n], *words[-n:]]
        else:
            continue
        (best, score), *others = shape.ranked
        if score < SHAPE_AT_LEAST or (read is not None and is_surname(read) and any(
                t.lower() == read.lower() for t, _ in line)):
            return found
        if read is not None and dict(shape.ranked).get(read, -1.0) >= score - SHAPE_AHEAD:
            return found  # the spelling's guess fits the shape as well
        ahead = not others or score - others[0][1] >= SHAPE_AHEAD
        why = (f"surname matched by its shape: {best} ({score:.2f}"
               + (f"; {others[0][0]} {others[0][1]:.2f}" if others else "") + ")"
               + (f" where {read!r} was read" if read is not None else ", none read"))
        if shape.middles:
            (middle, m_score), *m_others = shape.middles
            why += (f"; middle name matched the same way: {middle} ({m_score:.2f}"
                    + (f"; {m_others[0][0]} {m_others[0][1]:.2f}" if m_others else "") + ")")
        return Found(" ".join([best, *given]),
                     NAME_SHAPE_AHEAD if ahead and not shape.middles else NAME_SHAPE_UNSURE,
                     found.reason_and(why))
    return found


def _middle_name_accent(found: Found[str]) -> Found[str]:
    """A doubted name's middle name that is no common one as read, but one common middle
    name accents aside ("Dương Thể Tuấn" → Thế): a seal's ink over the line takes tone
    marks too. Still for review."""
    if found.value is None or found.confidence >= REVIEW_BELOW:
        return found
    words = found.value.split()
    if len(words) != 3 or not is_surname(words[0]) or words[1] in MIDDLE_NAMES:
        return found
    like = [m for m in MIDDLE_NAMES if fold(m) == fold(words[1])]
    if len(like) != 1:
        return found
    why = f"middle name read as {words[1]!r}"
    return Found(" ".join([words[0], like[0], words[2]]), found.confidence, found.reason_and(why))


def extract_document(pages: list[OcrPage]) -> DocumentFields:
    """The fields of one document: header from its first page, signature from its last."""
    return _read_document(pages)[0]


def extract_dossier(pages: list[OcrPage], ranges: list[tuple[int, int]]
                    ) -> list[DocumentFields]:
    """The fields of each document of a dossier (``ranges``: 1-based inclusive pages).

    As ``extract_document``; then a signer's name whose surname a seal garbled or hid
    takes the surname its middle and given names carry elsewhere in the dossier, if
    only one: the same officials sign a dossier's documents, and its text names them.
    A doubted place that is on no list takes the one listed name a letter away that the
    dossier prints. A doubted issuing body or signer's name with words lost or garbled
    takes the one the dossier's other documents settle (read surely, or alike twice),
    if every word it does read is in it (and, for a body, they were issued at the same
    place). A signature
    with no name read takes the one name the dossier's other documents carry under the
    same position of the same body. An issuing body read as only the first lines of
    the one the others name is doubted. All of these are guesses, for review.
    """
    read = [_read_document(pages[a - 1 : b]) for a, b in ranges]
    # The dossier's words (its signature blocks aside), and the signers' names read
    # with their surname as it stands, each on its own (not run on from a last word).
    words = [t for _, _, doc_words in read for t in [*doc_words, ("", 0.0)]]
    names = {k: [(w, fields.signer_name.confidence) for w in fields.signer_name.value.split()]
             for k, (fields, surname_read, _) in enumerate(read)
             if surname_read and fields.signer_name.value is not None}
    out = []
    for k, (fields, surname_read, _) in enumerate(read):
        name = fields.signer_name
        if name.value is not None and name.confidence < REVIEW_BELOW:
            pool = words + [t for m, ts in names.items() if m != k for t in [*ts, ("", 0.0)]]
            name = _name_elsewhere(name, surname_read, pool, "dossier")
        place = fields.issued_place
        if place.value is not None and place.confidence < REVIEW_BELOW:
            place = _listed_near(place.value, words, "dossier") or place
        out.append(replace(fields, signer_name=name, issued_place=place))
    out = _surnames_read_together(out)
    out = [replace(f, organ_name=_organ_marks_from_dossier(f.organ_name, out)) for f in out]
    out = [replace(f, organ_name=_organ_from_dossier(f, out)) for f in out]
    out = [replace(f, signer_name=_signer_marks_from_dossier(f.signer_name, out)) for f in out]
    out = [replace(f, signer_name=_signer_from_dossier(f.signer_name, out)) for f in out]
    out = [replace(f, signer_name=_signer_cut_short(f.signer_name, out)) for f in out]
    out = [replace(f, signer_name=_signer_in_the_same_post(f, out),
                   organ_name=_organ_cut_short(f.organ_name, out)) for f in out]
    out = [replace(f, code_notation=_notation_body_from_dossier(f.code_notation, out))
           for f in out]
    # The issuing body the dossier settled may name the place a garbled date line reads.
    return [replace(f, issued_place=_place_from_organ(f.issued_place, [], None, f.organ_name.value))
            for f in out]


def _notation_body_from_dossier(notation: Found[str], dossier: list[DocumentFields]
                                ) -> Found[str]:
    """A doubted notation whose body no list knows ("QĐ-CVT", "BB-LBXD") and is two letters
    off at most the one body the dossier's other notations read surely ("KH-CAT",
    "TB-UBND"): that body, flagged. A dossier's papers come from one body, and a thin
    face's A, U and N break into other letters."""
    if notation.value is None or notation.confidence >= REVIEW_BELOW or "-" not in notation.value:
        return notation
    head, body = notation.value.split("-", 1)
    if type_for_code(head) is None or body.upper() in KNOWN_ORGANS:
        return notation
    sure = {f.code_notation.value.split("-", 1)[1] for f in dossier
            if f.code_notation.value is not None and "-" in f.code_notation.value
            and f.code_notation.confidence >= REVIEW_BELOW
            and type_for_code(f.code_notation.value.split("-", 1)[0]) is not None}
    near = [b for b in sure if b != body
            and Levenshtein.distance(b, body) <= min(NOTATION_BODY_OFF, len(b) // 2)]
    if len(near) != 1:
        return notation
    return Found(f"{head}-{near[0]}", min(notation.confidence, NOTATION_BODY_FROM_DOSSIER),
                 notation.reason_and(f"the dossier's other notations name the body {near[0]!r}"))


def _signer_cut_short(name: Found[str], dossier: list[DocumentFields]) -> Found[str]:
    """A signer's name read surely whose words, each a letter off at most, open the one
    longer name the dossier's other documents are signed with ("Vũ Việt" beside "Võ Việt
    Tùng"): a word may be lost, and one misread. Kept as read, for review."""
    if name.value is None or name.confidence < REVIEW_BELOW:
        return name
    other = _opened_by(name.value, [f.signer_name for f in dossier],
                       lambda v: [fold(w) for w in v.split()],
                       lambda a, b: Levenshtein.distance(a, b) <= 1)
    if other is None:
        return name
    return Found(name.value, NAME_SHORTER_THAN_DOSSIER, name.reason_and(
        f"the dossier's other documents are signed {other!r}, whose first words this name "
        "reads: a word may be lost"))


def _settled(found: Sequence[Found[str]]) -> dict[str, str]:
    """The readings the dossier's other documents settle, each read surely or two of them
    read alike (each doubted, but one misreading twice over is rarer): by their spelling
    with the tone marks placed one way, each as printed ("UỶ BAN" stays "UỶ"). A reading
    Vietnamese spelling rules out ("NGUYEN DU") settles nothing, however often read."""
    read = [(tone_style(f.value), f.value, f.confidence) for f in found
            if f.value is not None and f.confidence >= GUESS_AT_LEAST and not implausible(f.value)]
    alike = Counter(key for key, _, _ in read)
    return {key: value for key, value, confidence in read
            if confidence >= REVIEW_BELOW or alike[key] >= 2}


def _one_that_fits(read: str, others: dict[str, str], letter_off: bool = False,
                   lone_letters: bool = False) -> str | None:
    """The one settled reading (``_settled``) that a doubted reading could be, its garbled
    words aside; None if none, or several (readings that differ by a mark are two), or if
    it is what was read."""
    fitting = [key for key in others if fits_past_garbles(read, key, letter_off, lone_letters)]
    if len(fitting) != 1 or fitting[0] == tone_style(read):
        return None
    return others[fitting[0]]


def _organ_from_dossier(fields: DocumentFields, dossier: list[DocumentFields]) -> Found[str]:
    """A doubted issuing body with a line lost or words garbled ("ỦY BAN NHÂN DÂN" alone,
    "… TỈNH DÔNG TIELVP") that fits the one body the dossier's other documents settle,
    issued at the same place: that body, as a guess for review. The words the page does
    show must all be in it (a long one may be a letter off); a place read surely
    otherwise rules it out."""
    organ = fields.organ_name
    if organ.value is None or organ.confidence >= REVIEW_BELOW:
        return organ
    sure_place = fields.issued_place.confidence >= REVIEW_BELOW
    place = fields.issued_place.value if sure_place else None
    others = _settled([f.organ_name for f in dossier
                       if f is not fields and (place is None or f.issued_place.value is None
                                               or fold(f.issued_place.value) == fold(place))])
    other = _one_that_fits(organ.value, others, letter_off=True, lone_letters=True)
    return organ if other is None else _guessed_from_dossier(
        organ, other, ORGAN_FROM_DOSSIER, f"are issued by {other!r}")


def _organ_marks_from_dossier(organ: Found[str], dossier: list[DocumentFields]) -> Found[str]:
    """An issuing body whose words the dossier's other documents read with other marks
    ("TÍNH" beside "TỈNH", "CHU VAN AN" beside "CHU VĂN AN"): see ``_marks_from_dossier``."""
    return _marks_from_dossier(organ, [f.organ_name for f in dossier], ORGAN_FROM_DOSSIER)


def _signer_marks_from_dossier(name: Found[str], dossier: list[DocumentFields]) -> Found[str]:
    """A signer's name the dossier's other documents read with other marks ("Trần Thế Tầm"
    beside "Trần Thế Tâm"): see ``_marks_from_dossier``."""
    return _marks_from_dossier(name, [f.signer_name for f in dossier], NAME_FROM_DOSSIER)


def _marks_from_dossier(found: Found[str], dossier: list[Found[str]], sure: float) -> Found[str]:
    """A value whose words the dossier's other documents read with other marks: one reading
    is a misread. Where two other documents or more agree on theirs and none reads it as
    this one does, theirs is taken; else this one is kept. A reading Vietnamese spelling
    rules out ("NGUYEN", its marks lost) is never taken, and one such is replaced by the one
    other reading that is spelt, however few read it and however many read it so. Either
    way it is doubted (at most ``sure``)."""
    if found.value is None:
        return found
    mine, key = tone_style(found.value), words_folded(found.value)
    given = [f.value for f in dossier if f is not found and f.confidence >= GUESS_AT_LEAST]
    values = [v for v in given if v is not None and words_folded(v) == key]
    readings = [tone_style(v) for v in values]
    others = Counter(r for r in readings if r != mine)
    if not others:
        return found
    seen = ", ".join(f"{r!r} ({k}×)" for r, k in others.most_common())
    why = f"the dossier's other documents read it with other marks: {seen}"
    spelt = Counter({r: k for r, k in others.items() if not implausible(r)})
    if not spelt:
        return Found(found.value, min(found.confidence, sure), found.reason_and(why))
    (theirs, n), *rest = spelt.most_common()
    # Misread so, this reading says nothing against a spelt one, however often repeated.
    ruled_out = implausible(mine)
    if n >= (1 if ruled_out else 2) and not rest and (ruled_out or mine not in readings):
        printed = next(v for v in values if tone_style(v) == theirs)
        return Found(printed, sure, found.reason_and(f"read {found.value!r}; {why}"))
    return Found(found.value, min(found.confidence, sure), found.reason_and(why))


def _signer_from_dossier(name: Found[str], dossier: list[DocumentFields]) -> Found[str]:
    """A doubted signer's name with a word lost or garbled ("Hfc Toàn", "Seo Chứ") that
    fits the one name the dossier's other documents settle ("Hồ Đức Toàn"): that name,
    as a guess for review."""
    if name.value is None or name.confidence >= REVIEW_BELOW:
        return name
    other = _one_that_fits(name.value, _settled([f.signer_name for f in dossier
                                                  if f.signer_name is not name]))
    return name if other is None else _guessed_from_dossier(
        name, other, NAME_FROM_DOSSIER, f"are signed by {other}")


def _guessed_from_dossier(read: Found[str], other: str, sure: float, theirs: str) -> Found[str]:
    """``other``, the dossier's reading that a doubted one fits, taken as a guess."""
    return Found(other, sure, f"read {read.value!r} ({read.reason or 'doubted'}); the dossier's "
                              f"other documents {theirs}, which fits what is read")


def _organ_cut_short(organ: Found[str], dossier: list[DocumentFields]) -> Found[str]:
    """An issuing body read surely whose words open, and only open, the one the dossier's
    other documents name (their reading doubted or not: this only doubts): a header line
    was lost, or the document is the superior body's own. Kept as read, for review."""
    if organ.value is None or organ.confidence < REVIEW_BELOW:
        return organ
    other = _opened_by(organ.value, [f.organ_name for f in dossier],
                       lambda v: words_folded(v).split(), str.__eq__)
    if other is None:
        return organ
    return Found(organ.value, ORGAN_SHORTER_THAN_DOSSIER, organ.reason_and(
        f"the dossier's other documents are issued by {other!r}, of which this header "
        "reads only the first words: a line may be lost"))


def _opened_by(value: str, others: Sequence[Found[str]], words: Callable[[str], list[str]],
               alike: Callable[[str, str], bool]) -> str | None:
    """The one reading among ``others`` (sure enough to guess on) with more words than
    ``value``, whose first words are ``value``'s, each ``alike``; None if none or several."""
    mine = words(value)
    longer = {f.value for f in others
              if f.value is not None and f.confidence >= GUESS_AT_LEAST
              and len(theirs := words(f.value)) > len(mine)
              and all(alike(a, b) for a, b in zip(mine, theirs, strict=False))}
    return longer.pop() if len(longer) == 1 else None


def _surnames_read_together(dossier: list[DocumentFields]) -> list[DocumentFields]:
    """Doubted names whose surname is garbled ("Bình Ngọc Hiếu", "Ràổ Hồng Oanh"), set
    beside the dossier's other names that end alike. Where another document's name
    has a surname ("Đinh Ngọc Hiếu", even a guessed one), and only one, and the garbled
    word is within two letters of it, it is taken; where none has, the one surname
    nearest all the garbled readings together (Đào: a letter from "Ràổ" and from "Đấb"),
    if there are two or more. Always a guess, for review."""
    # Each name's last three words (surname, middle, given), grouped by the last two.
    groups: dict[tuple[str, str], list[tuple[int, str, float]]] = {}
    for k, f in enumerate(dossier):
        words = (f.signer_name.value or "").split()
        if len(words) >= 3:
            groups.setdefault((fold(words[-2]), fold(words[-1])), []).append(
                (k, words[-3], f.signer_name.confidence))
    out = list(dossier)
    for members in groups.values():
        named = {w for _, w, conf in members if is_surname(w) and conf >= GUESS_AT_LEAST}
        garbled = [(k, w) for k, w, conf in members if conf < REVIEW_BELOW and not is_surname(w)]
        if not garbled or len(named) > 1:
            continue
        if named:
            (surname,) = named
            garbled = [(k, w) for k, w in garbled
                       if Levenshtein.distance(fold(w), fold(surname)) <= 2]
            why = {k: f"surname read as {w!r}; {surname} over the same names in another of "
                      "the dossier's documents" for k, w in garbled}
        else:
            if len(garbled) < 2:
                continue  # one reading alone says too little
            readings = [fold(w) for _, w in garbled]
            cost = sorted((sum(Levenshtein.distance(r, fold(s)) for r in readings), s)
                          for s in dict.fromkeys(SURNAMES))
            (best, surname), (second, _) = cost[0], cost[1]
            if best > len(readings) or second == best:
                continue
            seen = " and ".join(repr(w) for _, w in garbled)
            why = {k: f"surname read as {seen} over the same names in the dossier's "
                      f"documents: {surname} is the surname nearest all of them"
                   for k, _ in garbled}
        for k, _ in garbled:
            words = (out[k].signer_name.value or "").split()
            out[k] = replace(out[k], signer_name=Found(" ".join([surname, *words[-2:]]),
                                                       NAME_SURNAME_FROM_DOSSIER, why[k]))
    return out


def _signer_in_the_same_post(fields: DocumentFields, dossier: list[DocumentFields]) -> Found[str]:
    """No name read under a signature: the one name the dossier's other documents carry
    under the same position of the same body (one chairman signs a commune's papers), as
    a guess for review. Several names, or none: still none."""
    name, post, organ = fields.signer_name, fields.signer_position.value, fields.organ_name.value
    if name.value is not None or post is None or organ is None:
        return name
    names = {f.signer_name.value for f in dossier
             if f is not fields and f.signer_position.value == post and f.organ_name.value == organ
             and f.signer_name.value is not None and f.signer_name.confidence >= GUESS_AT_LEAST}
    if len(names) != 1:
        return name
    (only,) = names
    return Found(only, NAME_SAME_POST,
                 f"no name read under the signature; the dossier's other documents "
                 f"signed as {post} of {organ} are signed by {only}")


def _read_document(pages: list[OcrPage]) -> tuple[DocumentFields, bool, list[Token]]:
    """The fields, whether the signer's surname was read as it stands, and the words but
    the signature block's."""
    if not pages:
        return DocumentFields(*(Found[Any].none("no pages") for _ in range(11))), False, []
    analysed = [_page(p) for p in pages]
    header = find_header(analysed[0])
    tokens = _tokens(analysed)

    type_name, type_code, number = _type_fields(header)
    if number.value is not None:
        code_number = (Found(number.value.code_number, number.confidence, number.reason)
                       if number.value.code_number is not None
                       else Found.none(number.reason or "the number is not readable"))
        code_notation = (_notation(number, header, type_code.value)
                         if number.value.code_notation is not None
                         else Found.none(number.reason or "the notation is not readable"))
    else:
        code_number = Found.none(number.reason or "no number")
        code_notation = Found.none(number.reason or "no notation")
    issued_date, issued_place = _place_date(header, tokens)
    issued_date = _not_after_today(_not_before_its_citations(issued_date, analysed, header))
    organ = _organ(header, issued_place.value, tokens)
    issued_place = _place_from_organ(issued_place, [], None, organ.value)
    if type_name.value == CONG_VAN:
        subject = header.cv_subject
    else:
        subject = header.subject

    signature = _signature(analysed, header)
    if signature is None:
        why = "no signature block on the last page"
        signer_position: Found[str] = Found.none(why)
        signer_name: Found[str] = Found.none(why)
        signer_authority: Found[str] = Found.none(why)
        surname_read, elsewhere = False, tokens
    else:
        signer_position = _position_of_body(signature.position, signature.position_read,
                                            [s.text for s in header.organ_segs],
                                            signature.authority.value)
        signer_authority = signature.authority
        elsewhere = _tokens(analysed, signature.segs)
        signer = _signer_name(signature.name, tokens, elsewhere, signature.shapes)
        signer_name, surname_read = signer.name, signer.surname_read

    fields = DocumentFields(
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
    return _coarse(fields, min(analysed[0].em, analysed[-1].em)), surname_read, elsewhere


def _notation(number: Found[NumberParts], header: Header, type_code: str | None) -> Found[str]:
    """The printed notation, as sure as the number; or, where the number stands apart from
    it ("Số: 26 /TTr-UBND", the 26 written into a blank by hand), as sure as its own words
    and the line's parse: a number written by hand doubts the number, not the notation.
    Only where the notation is as those words read it, and its type the heading's."""
    assert number.value is not None
    as_number = Found(number.value.code_notation, number.confidence, number.reason)
    line = header.number_seg
    at = None if line is None else next(
        (i for i, w in enumerate(line.words) if w.text.startswith("/")), None)
    if line is None or not at:
        return as_number
    parsed = parse_number_line(line.text, type_code)
    if parsed.value is None or parsed.value.code_notation != number.value.code_notation \
            or parsed.value.type_code != type_code:
        # No abbreviation where the heading gives one ("TI-UBND" under TỜ TRÌNH): the
        # number's doubt is the notation's.
        return as_number
    ocr = Segment(line.words[at:], line.size).confidence
    sure = round(min(parsed.confidence, ocr + NUMBER_OCR_SLACK, 1.0), 3)
    return Found(number.value.code_notation, sure,
                 number.reason if sure < REVIEW_BELOW else None)


def _coarse(fields: DocumentFields, em: float) -> DocumentFields:
    """Every value of a document scanned too coarsely to read surely (its text ``em`` px
    high, under ``COARSE_EM``), sent to review."""
    if em >= COARSE_EM:
        return fields
    why = (f"text only {em:.0f} px high: scanned too coarsely to read surely (TT 05 asks "
           "for 200 dpi), to be checked")
    return replace(fields, **{
        f.name: Found(found.value, min(found.confidence, COARSE_AT_MOST), found.reason_and(why))
        for f in dataclass_fields(fields)
        if (found := getattr(fields, f.name)).value is not None
        and found.confidence > COARSE_AT_MOST})
