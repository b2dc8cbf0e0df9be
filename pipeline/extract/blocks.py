"""The NĐ 30 blocks of a page, found by position: header, type, subject, signature.

Layout (NĐ 30/2020, Phụ lục I): the issuing body in capitals at the top left,
"Số: …" under it and, for a công văn, the "V/v …" lines under that; Quốc
hiệu and Tiêu ngữ at the top right with place and date under them; the type
name centred below the header and the trích yếu under it; at the foot,
"Nơi nhận" on the left and the signature block on the right (authority
prefix, position, the signature and seal, the signer's name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.core.model import LineAgain, Reread, SurnameMatch, Word
from pipeline.core.vi_names import capitalised_syllable, is_surname, syllable
from pipeline.core.vi_text import (
    DAY_WORD,
    MONTH_WORD,
    YEAR_WORD,
    clean,
    fold,
    strip_foreign,
    tone_style,
    vn_upper,
    words_folded,
)
from pipeline.extract.found import Found, T
from pipeline.extract.layout import Page, Segment
from pipeline.extract.names import drop_leading_scraps, name_from_line
from pipeline.extract.nd30 import (
    AUTHORITY_BODIES,
    AUTHORITY_PREFIXES,
    COLLECTIVE_BODIES,
    MOTTO,
    NATIONAL,
    POSITION_IN_CHARGE,
    POSITIONS,
)
from pipeline.extract.params import (
    AUTHORITY_AMONG_SCRAPS,
    AUTHORITY_BY_POSITION,
    AUTHORITY_FUZZY,
    AUTHORITY_GARBLED,
    AUTHORITY_MIN_SCORE,
    AUTHORITY_NONE_PRINTED,
    AUTHORITY_PREFIX_ONLY,
    AUTHORITY_RIVAL,
    AUTHORITY_RIVAL_POINTS,
    AUTHORITY_SAME_LINE_EM,
    AUTHORITY_SCRAP_MAX_LETTERS,
    AUTHORITY_SCRAPS_BEFORE,
    AUTHORITY_SURE,
    BODY_LINE_ENDS_AFTER,
    BODY_LINE_MAX_HEIGHT_EM,
    BODY_LINE_MIN_CONFIDENCE,
    BODY_LINE_MIN_LETTERS,
    BODY_LINE_STARTS_BEFORE,
    CHAIRMAN_BY_TICH,
    CHAIRMAN_UNDER_TM,
    CHAIRMAN_UNSURE_BELOW,
    CV_MAX_OFFCENTRE,
    CV_MIN_LETTERS,
    CV_REACH_EM,
    CV_REACH_NO_NUMBER_EM,
    DAY_CHECK_DISAGREES,
    DAY_CHECKED_ABOVE,
    DAY_IN_BLANK_MAYBE,
    DAY_IN_BLANK_SURE,
    DAY_IN_BLANK_UNSURE,
    DAY_REREAD,
    DEPUTY_UNDER_KT,
    DEPUTY_UNSURE_BELOW,
    FIELD_MIN_LETTERS,
    HEADER_ABOVE_NATIONAL_EM,
    HEADER_BOTTOM_FALLBACK,
    HEADER_LINE_MAX_WIDTH,
    HEADER_ZONE,
    LANDMARK_ZONE,
    MOTTO_MAX_BELOW_EM,
    MOTTO_MIN_SCORE,
    NAME_BELOW_POSITION_EM,
    NAME_BY_SHAPE_ONLY,
    NAME_GAP_LINES,
    NAME_MAX_OFFCENTRE,
    NAME_MAX_WORDS,
    NAME_MIN_SCORE,
    NAME_MIN_WORDS,
    NAME_NOT_ALL_NAMELIKE,
    NAME_PART_LOST,
    NAME_SURNAME_RECASED,
    NAME_UNSPELT,
    NAME_UNSPELT_BELOW,
    NAME_WORD_SLACK,
    NATIONAL_CONG_SCORE,
    NATIONAL_MIN_SCORE,
    NATIONAL_WITHIN_SCORE,
    NUMBER_IN_BLANK_MAYBE,
    NUMBER_IN_BLANK_SURE,
    NUMBER_IN_BLANK_UNSURE,
    NUMBER_LINE_AGAIN_WORD,
    NUMBER_OCR_SLACK,
    NUMBER_REREAD,
    OCR_SLACK,
    ORGAN_BELOW_NATIONAL_EM,
    ORGAN_MIN_CAPS,
    ORGAN_MIN_HEIGHT_EM,
    ORGAN_MIN_LETTERS,
    ORGAN_ZONE_FALLBACK,
    PAGE_NUMBER_MAX_DIGITS,
    PAGE_NUMBER_MAX_OFFCENTRE,
    PAGE_NUMBER_ZONE,
    POSITION_AT_END_SCORE,
    POSITION_BY_AUTHORITY,
    POSITION_CAPS_MIN,
    POSITION_CAPS_MIN_LETTERS,
    POSITION_EXACT_OCR_SLACK,
    POSITION_FUZZY,
    POSITION_LETTERS_AHEAD,
    POSITION_LETTERS_MIN,
    POSITION_LETTERS_MIN_SCORE,
    POSITION_MAX_BELOW_EM,
    POSITION_MIN_SCORE,
    POSITION_SPELT_OTHERWISE,
    POSITION_SURE,
    POSITION_UNSURE,
    PREFIXLESS_MIN_CAPS,
    PREFIXLESS_MIN_LETTERS,
    PREFIXLESS_NEXT_LINE_EM,
    PREFIXLESS_POSITION,
    REVIEW_BELOW,
    SAME_LINE_EM,
    SIGNATURE_CENTRE_FROM,
    SIGNATURE_COLUMN_FROM,
    SPLIT_BEFORE_MOTTO_EM,
    SPLIT_BEFORE_NATIONAL_EM,
    SPLIT_FALLBACK,
    SUBJECT_BODY_INDENT,
    SUBJECT_BODY_RIGHT_MARGIN,
    SUBJECT_FIRST_GAP_EM,
    SUBJECT_MAX_OFFCENTRE,
    SUBJECT_SPACING_GROWTH,
    SUBJECT_STOP_CAPS,
    SUBJECT_STOP_LETTERS,
    TYPE_ABOVE_HEADER_EM,
    TYPE_BELOW_HEADER_EM,
    TYPE_MAX_OFFCENTRE,
    TYPE_MIN_CAPS,
    TYPE_MIN_LETTERS,
    WRAPPED_LINE_GAP_EM,
    YEAR_SURE,
    YEAR_UNSURE,
)
from pipeline.extract.parse import (
    NumberParts,
    PlaceDate,
    TypeMatch,
    match_type_name,
    parse_date_line,
    parse_number_line,
)

Rereads = dict[tuple[int, int, int, int], Reread]  # a word's box → its digits-only reading

NATIONAL_KEY = words_folded(NATIONAL)
MOTTO_KEY = words_folded(MOTTO)


def _ratio(a: str, b: str) -> float:
    return fuzz.ratio(a, b)


def _noise(s: Segment) -> bool:
    """A speck, a rule or a scrap of seal: nothing a field could be made of."""
    return s.n_letters < FIELD_MIN_LETTERS and not any(c.isdigit() for c in s.text)


@dataclass
class Header:
    national: Segment | None
    motto: Segment | None
    split_x: float  # left column | right column
    number_seg: Segment | None
    number: Found[NumberParts]
    date_seg: Segment | None
    place_date: Found[PlaceDate]
    organ_segs: list[Segment]
    organ: Found[str]
    cv_segs: list[Segment]
    cv_subject: Found[str]
    type_seg: Segment | None
    type: Found[TypeMatch]
    subject_segs: list[Segment]
    subject: Found[str]
    rereads: Rereads = field(default_factory=dict)
    # A "Số:" line nothing could be read from alone: the type heading may settle it.
    number_seg_unread: Segment | None = None

    @property
    def evidence(self) -> int:
        """How many of the four header landmarks were read (0–4)."""
        return sum(x is not None for x in (self.national, self.motto, self.number_seg,
                                           self.date_seg))


def _split_at(page: Page, seg: Segment, i: int) -> tuple[Segment, Segment]:
    a, b = Segment(seg.words[:i], seg.size), Segment(seg.words[i:], seg.size)
    k = page.segments.index(seg)
    page.segments[k : k + 1] = [a, b]
    return a, b


def find_national(page: Page) -> Segment | None:
    top = [s for s in page.segments if s.cy < LANDMARK_ZONE * page.height and not _noise(s)]
    best, best_score = None, 0.0
    for s in top:
        score = _ratio(words_folded(s.text), NATIONAL_KEY)
        if score > best_score:
            best, best_score = s, score
    # Run together with the organ on one segment (a rule's stub bridged the gap):
    # cut before "CỘNG".
    for s in sorted(top, key=lambda s: s is not best):
        if fuzz.partial_ratio(NATIONAL_KEY, words_folded(s.text)) < NATIONAL_WITHIN_SCORE:
            continue
        for i, w in enumerate(s.words):
            if i and _ratio(words_folded(w.text), "cong") >= NATIONAL_CONG_SCORE:
                rest = " ".join(x.text for x in s.words[i:])
                if _ratio(words_folded(rest), NATIONAL_KEY) >= max(NATIONAL_MIN_SCORE, best_score):
                    return _split_at(page, s, i)[1]
    if best is not None and best_score >= NATIONAL_MIN_SCORE:
        return best
    return None


def find_motto(page: Page, national: Segment | None) -> Segment | None:
    top = [s for s in page.segments if s.cy < LANDMARK_ZONE * page.height and not _noise(s)]
    if national is not None:
        top = [s for s in top if national.cy < s.cy < national.cy + MOTTO_MAX_BELOW_EM * page.em]
    best, best_score = None, 0.0
    for s in top:
        score = _ratio(words_folded(s.text), MOTTO_KEY)
        if score > best_score:
            best, best_score = s, score
    return best if best_score >= MOTTO_MIN_SCORE else None


# "Số: 12/…", and "Số: Á# /UBND-NV" with the blank's ink unread: the number line.
_NUMBERISH = re.compile(r"^[\W_]*s[\w]?\s*(?:[:;.]?\s*[0-9oil]{1,5}\s*/|[:;.]\s*\S{0,6}\s*/\s*[a-z])")
_VV = re.compile(r"^[\W_]*v\s*[/|l1i\\]?\s*v\b[.:]?\s*")


def _cv_text(segs: list[Segment]) -> str:
    text = clean(" ".join(s.text for s in segs))
    m = _VV.match(fold(text))
    if m:
        text = "V/v " + text[m.end():].lstrip()
    return text.strip()


def _conf(segs: list[Segment]) -> float:
    words = [w for s in segs for w in s.words]
    if not words:
        return 0.0
    total = sum(max(1, len(w.text)) for w in words)
    return sum(w.confidence * max(1, len(w.text)) for w in words) / total / 100.0


def with_ocr(found: Found[T], segs: list[Segment], what: str, slack: float = OCR_SLACK
             ) -> Found[T]:
    """A parsed value is not much surer than the OCR of the words it comes from.

    ``slack``: Tesseract's word confidence runs low on tokens such as
    "47/QĐ-UBND" even when read right; a parse that fits the pattern earns some.
    """
    ocr = _conf(segs)
    if found.value is None or ocr + slack >= found.confidence:
        return found
    why = f"{what} read with low OCR confidence ({ocr:.2f})"
    return Found(found.value, round(ocr + slack, 3), found.reason_and(why))


def _low(conf: float, what: str) -> str | None:
    return f"{what} read with low OCR confidence ({conf:.2f})" if conf < REVIEW_BELOW \
        else None


def find_header(page: Page) -> Header:
    """Read the first-page header blocks; every field may come back empty."""
    national = find_national(page)
    motto = find_motto(page, national)
    split_x = _column_split(page, national, motto)
    left, right = _header_columns(page, national, split_x)
    joined = _with_blank_joined(page, left)
    number_seg, number = _number_line(joined, page.rereads, page.lines_again)
    unread = None if number_seg is not None else next(
        (s for s in joined if re.match(r"[\W_]*s\S?\s*[:;]", fold(s.text))), None)
    date_seg, place_date = _date_line(page, right, below=motto or national)
    organ_segs, organ = _issuing_body(page, left, number_seg, date_seg, national)
    cv_segs, cv_subject = _cv_subject(page, left, number_seg, organ_segs)
    bottoms = [s.y1 for s in (number_seg, date_seg, motto, national) if s is not None]
    bottoms += [s.y1 for s in organ_segs]
    header_bottom = max(bottoms) if bottoms else HEADER_BOTTOM_FALLBACK * page.height
    type_seg, type_ = _type_heading(page, header_bottom, cv_segs)
    subject_segs, subject = _subject(page, type_seg)
    return Header(national, motto, split_x, number_seg, number, date_seg, place_date,
                  organ_segs, organ, cv_segs, cv_subject, type_seg, type_, subject_segs,
                  subject, page.rereads, unread)


def _column_split(page: Page, national: Segment | None, motto: Segment | None) -> float:
    """Where the header's left column (issuing body, number) ends and the right one
    (Quốc hiệu, Tiêu ngữ, place and date) begins."""
    if national is not None:
        return national.x0 - SPLIT_BEFORE_NATIONAL_EM * page.em
    if motto is not None:
        return motto.x0 - SPLIT_BEFORE_MOTTO_EM * page.em
    return page.text_x0 + SPLIT_FALLBACK * page.text_w


def _header_columns(page: Page, national: Segment | None, split_x: float
                    ) -> tuple[list[Segment], list[Segment]]:
    """The header's lines left and right of ``split_x``, top to bottom."""
    # Header lines sit in one column: a line across the page is body text (which
    # may well quote a "ngày … tháng … năm …" or a "số 12/KH-UBND").
    zone = [s for s in page.segments if s.cy < HEADER_ZONE * page.height and not _noise(s)
            and s.width < HEADER_LINE_MAX_WIDTH * page.text_w]
    top_y = (national.y0 - HEADER_ABOVE_NATIONAL_EM * page.em) if national is not None else 0.0
    left = [s for s in zone if s.cx < split_x and s.cy > top_y]
    right = [s for s in zone if s.cx >= split_x and s.cy > top_y]
    return left, right


def _with_blank_joined(page: Page, left: list[Segment]) -> list[Segment]:
    """The left column with "Số:" and "/UBND-VP" made one line again where the blank
    between them (its ink not read, or too wide for one line) cut the row in two; the
    tail is the line's rest in the left column too, its slash lost ("Số:   .BCUBND")."""
    out = []
    for s in left:
        if re.fullmatch(r"[\W_]*s[a-z]?[\W_]*", fold(s.text)):
            tail = [t for t in page.segments if t is not s and abs(t.cy - s.cy) < SAME_LINE_EM * page.em
                    and t.x0 > s.x1 and (t.text.lstrip().startswith("/") or t in left)]
            if tail:
                nearest = min(tail, key=lambda t: t.x0)
                s = Segment([*s.words, *nearest.words], s.size)
        out.append(s)
    return out


def _number_line(left: list[Segment], rereads: Rereads, again: tuple[LineAgain, ...] = ()
                 ) -> tuple[Segment | None, Found[NumberParts]]:
    """Số: … — the first left-column line that parses, "Số" read or not; else the first
    whose reading alone parses (``again``), flagged."""
    for s in left:
        starts_s = fold(s.text).lstrip(" .-_'").startswith("s")
        if s.n_letters < 1 or ("/" not in s.text and not starts_s):
            continue
        read_no = read_number(s, rereads=rereads)
        if read_no.value is not None:
            return s, read_no
    for s in left:
        for line in again:
            middle = (line.box[1] + line.box[3]) / 2
            if not (s.y0 <= middle <= s.y1 and line.box[0] < s.x1 and s.x0 < line.box[2]):
                continue
            alone = Segment([Word(w.text, min(w.confidence, NUMBER_LINE_AGAIN_WORD), w.box, w.line)
                             for w in line.words], s.size)
            read_no = read_number(alone, rereads=rereads)
            if read_no.value is not None:
                why = f"read {s.text!r} on the page and {alone.text!r} on its line alone"
                return alone, Found(read_no.value, read_no.confidence, read_no.reason_and(why))
    return None, Found.none("no 'Số: …' line in the header")


def read_number(s: Segment, type_hint: str | None = None, rereads: Rereads | None = None
                ) -> Found[NumberParts]:
    """The "Số: …" line ``s`` read, as sure as its words, with a hand-filled number left out
    or taken from its digits-only reading."""
    read = with_ocr(parse_number_line(s.text, type_hint), [s], "number", slack=NUMBER_OCR_SLACK)
    return _number_in_blank(s, read, rereads or {})


def _number_in_blank(s: Segment, read: Found[NumberParts], rereads: Rereads
                     ) -> Found[NumberParts]:
    """A number set apart from its notation ("Số: 209 /QĐ-UBND") fills a printed blank,
    by hand or by a stamp, more often than not: it is taken when its own words were read
    with confidence; flagged, when every digits-only reading of it agrees, or it was read
    as plain digits less surely; else it is left out (the notation is printed and stands)."""
    def bare(w: Word) -> str:  # "Số:" is "so", a speck or a mark ""
        return fold(w.text).strip(" .:;'")

    words = s.words
    at = next((i for i, w in enumerate(words) if w.text.startswith("/")), None)
    if read.value is not None and at is None and read.value.code_number is None and len(words) >= 2 \
            and bare(words[0]) == "so":
        # "Số: TTr-UBND", the slash lost and the blank's ink unread: the digits read in the
        # gap after the label, if any; "Số: øz QĐ-UBND", the ink read as no digits: those of
        # its reading again.
        at = next((i for i in range(1, len(words)) if re.match(r"[A-ZĐ]", words[i].text)), 1)
    if read.value is None or not at:
        return read
    ink = [w for w in words[:at] if bare(w) not in ("so", "")]
    if read.value.code_number is not None:
        conf = min((w.confidence for w in ink), default=0.0) / 100
        if conf >= NUMBER_IN_BLANK_SURE:
            return read
        seen = f"read as {' '.join(w.text for w in ink)!r} with low confidence ({conf:.2f})"
    else:
        seen = f"read as {' '.join(w.text for w in ink)!r}" if ink else "empty"
    again = rereads.get(ink[0].box) if len(ink) == 1 else None
    if again is None and not any(re.search(r"\w", bare(w)) for w in ink):
        # No word read in the blank, or marks alone ("::", "-" read for the ink): the
        # digits read again in their place, or in the blank after the label.
        marks = [rereads[w.box] for w in words[1:at] if w.box in rereads]
        label = next((w for w in words[:at] if bare(w) == "so"), words[at - 1])
        again = marks[0] if len(marks) == 1 else _read_after(label, rereads)
    if again is not None:
        return Found(read.value._replace(code_number=again.digits),
                     round(min(read.confidence, _reread_sure(again, NUMBER_REREAD)), 3), read.reason_and(
                         f"the number in the blank, {seen}, read again digits only as "
                         f"{again.digits!r}{_guessed(again)}: written or stamped by hand, "
                         "to be checked"))
    # A full stop or comma after the digits is the stamp's or the pen's, not the number's.
    digits = "".join(w.text for w in ink).rstrip(".,")
    if read.value.code_number is not None and conf >= NUMBER_IN_BLANK_MAYBE \
            and re.fullmatch(r"[0-9]{1,5}", digits):
        return Found(read.value, round(min(read.confidence, NUMBER_IN_BLANK_UNSURE), 3),
                     read.reason_and(f"the number in the blank, {seen}: written or stamped "
                                     "by hand, to be checked"))
    return Found(read.value._replace(code_number=None), read.confidence, read.reason_and(
        f"the number in the blank, {seen}, is not taken: written or stamped by hand"))


def _date_line(page: Page, right: list[Segment], below: Segment | None
               ) -> tuple[Segment | None, Found[PlaceDate]]:
    """Place and date — under the motto (``below``), on the number's baseline."""
    # A body's paragraph citing a date ("Căn cứ Luật … ngày 17 tháng 11 năm 2020") is none.
    right = [s for s in right if not body_opening(s.text)]
    for s in right:
        if below is not None and s.cy <= below.cy:
            continue
        read_date = _date_read(s, [s], page.rereads)
        if read_date is not None:
            return s, read_date
    # Cut into pieces (a wide gap after the place, or blanks left empty): try each row's
    # right part whole. A row is the pieces whose centres lie within a line of its first
    # (a piece set a little higher, "tháng năm 2025" beside "Đồng Tháp, ngày", is in it).
    rows: list[list[Segment]] = []
    for s in sorted(right, key=lambda s: s.cy):
        if rows and s.cy - rows[-1][0].cy < SAME_LINE_EM * page.em:
            rows[-1].append(s)
        else:
            rows.append([s])
    for row in rows:
        group = sorted(row, key=lambda s: s.x0)
        if len(group) < 2:
            continue
        joined = Segment([w for s in group for w in s.words], group[0].size)
        read_date = _date_read(joined, group, page.rereads)
        if read_date is not None:
            return joined, read_date
    return None, Found.none("no 'ngày … tháng … năm …' line in the header")


def _date_read(s: Segment, parts: list[Segment], rereads: Rereads) -> Found[PlaceDate] | None:
    """The place and date of a line (``parts``: its segments), None when it is no date
    line. Its year read again alone as other digits (``pipeline.ocr.blanks.years``) is
    taken where it makes a date, and the date goes to a person: the two readings differ."""
    year = _year_word(s)
    again = rereads.get(year.box) if year is not None else None
    read = parse_date_line(s.text)
    why = None
    if year is not None and again is not None:
        rereads = {box: r for box, r in rereads.items() if box != year.box}
        retold = Segment([Word(again.digits, w.confidence, w.box, w.line) if w is year else w
                          for w in s.words], s.size)
        read_again = parse_date_line(retold.text)
        if read_again.value is not None and read_again.value.date is not None:
            s, read = retold, read_again
        if read.value is not None and read.value.date is not None:
            why = f"year read as {year.text!r}, read again alone as {again.digits!r}"
    if read.value is None:
        return None
    return _year_read(s, _day_in_blank(s, with_ocr(read, parts, "date"), rereads), why)


def _year_word(s: Segment) -> Word | None:
    """The date line's year: the first word with a digit after "năm"."""
    words = s.words
    return next((w for prev, w in zip(words, words[1:], strict=False)
                 if re.fullmatch(YEAR_WORD + r"\W*", fold(prev.text)) and re.search(r"\d", w.text)),
                None)


def _year_read(s: Segment, read: Found[PlaceDate], again: str | None = None
               ) -> Found[PlaceDate]:
    """A date is no surer than its year's word: the line's other words read surely do not
    vouch for a year Tesseract was unsure of ("2023" at 0 for a printed 2024), nor for one
    read otherwise alone (``again``: how)."""
    if read.value is None or read.value.date is None:
        return read
    if again is not None:
        return Found(read.value, round(min(read.confidence, YEAR_UNSURE), 3),
                     read.reason_and(f"{again}: to be checked"))
    year = _year_word(s)
    if year is None or year.confidence >= YEAR_SURE:
        return read
    return Found(read.value, round(min(read.confidence, YEAR_UNSURE), 3), read.reason_and(
        f"year read as {year.text!r} with low OCR confidence ({year.confidence / 100:.2f})"))


def _reread_sure(again: Reread, agreed: float) -> float:
    """How sure a blank's reading is: ``agreed`` where the readings agreed or the network
    was sure, else the network's own probability (measured on faces it never learnt from,
    its guesses are right about as often as it says, or more)."""
    return agreed if again.guess is None else min(agreed, again.guess)


def _guessed(again: Reread) -> str:
    return "" if again.guess is None else f" (a guess: the least likely digit {again.guess:.2f})"


def _read_after(label: Word, rereads: Rereads) -> Reread | None:
    """The digits read in the blank right after ``label`` ("Số:", "ngày") where Tesseract
    found no word in it, or in the label's own word where it ran into the blank."""
    if label.box in rereads:
        return rereads[label.box]
    x1, y0, y1 = label.box[2], label.box[1], label.box[3]
    return next((again for box, again in rereads.items()
                 if box[0] - x1 in (0, 1) and box[1] < y1 and box[3] > y0), None)


def _date_label(w: Word) -> bool:
    """ "ngày" or "tháng": a word a blank follows on the date line."""
    return re.fullmatch(f"{DAY_WORD}|{MONTH_WORD}", fold(w.text)) is not None


def _day_in_blank(s: Segment, read: Found[PlaceDate], rereads: Rereads) -> Found[PlaceDate]:
    """The day between "ngày" and "tháng" (and now and then the month) is often written
    by hand into a printed blank: a day Tesseract was unsure of, or found no word for, is
    taken from the blank's reading again (``pipeline.ocr.blanks``: digits-only Tesseract,
    or the handwritten-digit network), flagged; else left out rather than guessed (the
    place stands)."""
    if read.value is None:
        return read
    words = s.words
    # A day or month read surely and read again only as a check: its other digits put the
    # date in doubt, never replace it ("05" checked as "08": one word alone misreads too).
    checked = [w for w in words if w.box in rereads and w.confidence >= 100 * DAY_CHECKED_ABOVE
               and re.fullmatch(r"[0-9]{1,2}", w.text)]
    doubted = [f"{w.text!r} read again alone as {rereads[w.box].digits!r}" for w in checked
               if rereads[w.box].digits != w.text]
    if doubted and read.value.date is not None:
        return Found(read.value, round(min(read.confidence, DAY_CHECK_DISAGREES), 3),
                     read.reason_and(f"{', '.join(doubted)}: to be checked"))
    rereads = {box: r for box, r in rereads.items() if box not in {w.box for w in checked}}
    # Each blank read again (the day, and a month written by hand too), and a blank after
    # "ngày" or "tháng" Tesseract found no word in, read from its ink alone.
    again = [(w, rereads[w.box].digits, rereads[w.box]) for w in words if w.box in rereads]
    again += [(w, f"{w.text} {r.digits}", r) for w in words if _date_label(w)
              and w.box not in rereads and (r := _read_after(w, rereads)) is not None]
    # Read again as other digits than the page's reading ("06" read, "08" again): the two
    # readings disagree, and the day goes to a person with the second one.
    disagree = any(w.box in rereads and digits != w.text.strip(".,") for w, digits, _ in again)
    if again and (read.value.date is None or disagree
                  or min(w.confidence for w, _, _ in again) < 100 * DAY_IN_BLANK_SURE):
        # Word by word: the line's text has look-alikes unified ("—" read in a blank is "-").
        swap = {id(w): digits for w, digits, _ in again}
        retold = parse_date_line(clean(" ".join(swap.get(id(w), w.text) for w in words)))
        if retold.value is not None and retold.value.date is not None:
            seen = ", ".join(
                f"{'no word' if _date_label(w) else repr(w.text)} as "
                f"{digits.split()[-1]!r}{_guessed(r)}" for w, digits, r in again)
            sure = min(_reread_sure(r, DAY_REREAD) for _, _, r in again)
            why = "the page read otherwise" if disagree else "written by hand"
            return Found(retold.value, round(min(read.confidence, sure), 3),
                         read.reason_and(f"the date's blanks read again as digits ({seen}): "
                                         f"{why}, to be checked"))
    if read.value.date is None:
        return read
    if disagree:
        return Found(read.value, round(min(read.confidence, DAY_IN_BLANK_UNSURE), 3), read.reason_and(
            "the day read again as other digits, which make no date: to be checked"))
    keys = [fold(w.text) for w in words]
    start = next((i for i, k in enumerate(keys) if re.fullmatch(DAY_WORD, k)), None)
    if start is None:
        return read
    end = next((i for i, k in enumerate(keys) if i > start
                and re.fullmatch(r"(?:[0-9oil|]+)?" + MONTH_WORD, k)), None)
    if end is None:
        return read
    day = words[start + 1:end + 1] if re.match(r"^[0-9oil|]+t", keys[end]) else words[start + 1:end]
    conf = min((w.confidence for w in day), default=100.0) / 100
    if conf >= DAY_IN_BLANK_SURE:
        return read
    seen = " ".join(w.text for w in day)
    if conf >= DAY_IN_BLANK_MAYBE:
        return Found(read.value, round(min(read.confidence, DAY_IN_BLANK_UNSURE), 3), read.reason_and(
            f"the day, read as {seen!r} with low confidence ({conf:.2f}): written by hand into "
            "the blank, to be checked"))
    return Found(read.value._replace(date=None), read.confidence, read.reason_and(
        f"the day, read as {seen!r} with low confidence ({conf:.2f}), is not taken: "
        "written by hand into the blank"))


def _issuing_body(page: Page, left: list[Segment], number_seg: Segment | None,
                  date_seg: Segment | None, national: Segment | None
                  ) -> tuple[list[Segment], Found[str]]:
    """The issuing body: left-column capitals above "Số:"."""
    em = page.em
    limit = number_seg.cy - SAME_LINE_EM * em if number_seg is not None else (
        (date_seg.cy - SAME_LINE_EM * em) if date_seg is not None else (
            national.cy + ORGAN_BELOW_NATIONAL_EM * em if national is not None
            else ORGAN_ZONE_FALLBACK * page.height))
    segs = [s for s in left if s.cy < limit and s.caps >= ORGAN_MIN_CAPS
            and s.n_letters >= ORGAN_MIN_LETTERS
            and s.y1 - s.y0 > ORGAN_MIN_HEIGHT_EM * em  # not the rule under the body's name
            and s is not number_seg and not _NUMBERISH.match(fold(s.text))]
    if not segs:
        return segs, Found.none("no issuing body (capitals above 'Số:') in the header")
    text = " ".join(s.text.strip(" .,;:-_'\"") for s in segs)
    # As printed: "UỶ BAN" stays "UỶ" (records compare names folded, never re-spelt).
    text = vn_upper(re.sub(r"\s+", " ", text))
    conf = _conf(segs)
    return segs, Found(text, round(conf, 3), _low(conf, "issuing body"))


def _cv_subject(page: Page, left: list[Segment], number_seg: Segment | None,
                organ_segs: list[Segment]) -> tuple[list[Segment], Found[str]]:
    """Công văn: "V/v …" under the number, wrapped lines centred under it."""
    none: Found[str] = Found.none("no 'V/v …' line under the number")
    em = page.em
    anchor = number_seg or (organ_segs[-1] if organ_segs else None)
    if anchor is None:
        return [], none
    after = [s for s in left if s.cy > anchor.cy + SAME_LINE_EM * em and s not in organ_segs]
    reach = (CV_REACH_EM if number_seg is not None else CV_REACH_NO_NUMBER_EM) * em
    segs: list[Segment] = []
    for s in after:
        if s.cy - anchor.cy > reach:
            break
        if _VV.match(fold(s.text)):
            segs = [s]
            break
    if not segs:
        return segs, none
    for s in after:
        if s.cy <= segs[-1].cy + SAME_LINE_EM * em:
            continue
        if s.cy - segs[-1].cy > WRAPPED_LINE_GAP_EM * em:
            break
        if abs(s.cx - segs[0].cx) > CV_MAX_OFFCENTRE * page.text_w \
                or s.n_letters < CV_MIN_LETTERS:
            break
        segs.append(s)
    conf = _conf(segs)
    return segs, Found(_cv_text(segs), round(conf, 3), _low(conf, "trích yếu"))


def _type_heading(page: Page, header_bottom: float, cv_segs: list[Segment]
                  ) -> tuple[Segment | None, Found[TypeMatch]]:
    """Type name: the first centred capitals line below the header."""
    em = page.em
    candidates = [
        s for s in page.segments
        if header_bottom - TYPE_ABOVE_HEADER_EM * em < s.cy
        < header_bottom + TYPE_BELOW_HEADER_EM * em
        and not _noise(s) and s not in cv_segs
    ]
    for s in candidates:
        if abs(s.cx - page.text_cx) > TYPE_MAX_OFFCENTRE * page.text_w:
            continue
        if s.caps < TYPE_MIN_CAPS or s.n_letters < TYPE_MIN_LETTERS:
            continue
        read_type = match_type_name(s.text)
        if read_type.value is None:
            return s, Found.none(f"heading {s.text!r} is no NĐ 30 type name")
        return s, with_ocr(read_type, [s], "type heading")
    return None, Found.none("no type heading below the header")


def _subject(page: Page, type_seg: Segment | None) -> tuple[list[Segment], Found[str]]:
    """Trích yếu: the centred lines under the type name, up to the gap before the body."""
    segs: list[Segment] = []
    none: Found[str] = Found.none("no trích yếu under the type heading")
    if type_seg is None:
        return segs, none
    em = page.em
    prev = type_seg
    spacing: float | None = None  # the trích yếu's own line spacing, once two lines are in
    for s in page.segments:
        if s.cy <= type_seg.cy + SAME_LINE_EM * em or _noise(s):
            continue
        gap = s.cy - prev.cy
        # The first line may stand further from the heading than the lines from each other.
        if gap > (SUBJECT_FIRST_GAP_EM if not segs else WRAPPED_LINE_GAP_EM) * em:
            break
        if spacing is not None and gap > SUBJECT_SPACING_GROWTH * spacing:
            break  # wider spacing than the trích yếu's own: the body
        if abs(s.cx - page.text_cx) > SUBJECT_MAX_OFFCENTRE * page.text_w:
            break
        if s.caps > SUBJECT_STOP_CAPS and s.n_letters > SUBJECT_STOP_LETTERS:
            break
        if _article(s.text):
            if not segs:  # the heading found is the one over the articles ("QUYẾT ĐỊNH:")
                return segs, Found.none(f"an article of the body under the heading "
                                        f"({s.text[:40]!r}), no trích yếu")
            break
        if segs and (body_opening(s.text) or _paragraph_start(page, s)):
            break
        if segs:
            spacing = gap if spacing is None else min(spacing, gap)
        segs.append(s)
        prev = s
    if not segs:
        return segs, none
    text = clean(" ".join(s.text for s in segs)).rstrip(" ;")
    conf = _conf(segs)
    return segs, Found(text, round(conf, 3), _low(conf, "trích yếu"))


# How a body's paragraphs open (a trích yếu never does): "Căn cứ …", "Kính gửi: …".
_BODY_OPENINGS = ("can cu", "kinh gui", "thuc hien", "hom nay", "xet de nghi", "theo de nghi",
                  "xet to trinh", "theo to trinh", "de nghi", "nham ")


def _article(text: str) -> bool:
    """ "Điều 1. …": an article of the body, which no trích yếu is ("Điều chỉnh …" may be)."""
    return re.match(r"\W*dieu\s*\d", fold(clean(text))) is not None


def body_opening(text: str) -> bool:
    """Whether a line opens the body with one of its usual words, whatever the face."""
    key = " ".join(re.sub(r"[^a-z ]", " ", fold(clean(text))).split())
    return key.startswith(_BODY_OPENINGS)


def _paragraph_start(page: Page, s: Segment) -> bool:
    """A line indented on the left and running to the right margin: a justified paragraph's
    first line. A trích yếu's lines are centred: as far in on both sides."""
    left, right = page.rel(s.x0), 1.0 - page.rel(s.x1)
    return right < SUBJECT_BODY_RIGHT_MARGIN and left - right > SUBJECT_BODY_INDENT


# --------------------------------------------------------------------------- page number


def page_number_at_top(page: Page) -> Segment | None:
    """A continuation page's number, alone and centred in the top margin."""
    for s in page.segments:
        if s.y1 > PAGE_NUMBER_ZONE * page.height:
            break
        digits = re.sub(r"[\s\-–.]", "", s.text)
        centred = abs(s.cx - page.text_cx) < PAGE_NUMBER_MAX_OFFCENTRE * page.text_w
        if 1 <= len(digits) <= PAGE_NUMBER_MAX_DIGITS and digits.isdigit() and centred:
            return s
    return None


# --------------------------------------------------------------------------- signature

_AUTH_TOKEN = re.compile(r"^\W*([a-z0-9]{1,3})\s*[.,:]\s*")
# "T/M", "K/T", "T/L": the prefixes as printed before 2004 (NĐ 30 prints "TM.", "KT.", "TL.").
_SLASHED = re.compile(r"^\W*([TtKk])\s*/\s*([MmTtLl])(?!\w)\.?\s*")
_SLASHED_AS_PRINTED = {"TM.": "T/M.", "KT.": "K/T.", "TL.": "T/L."}
_AUTH_PREFIX_KEYS = {words_folded(p): p for p in AUTHORITY_PREFIXES}
_AUTH_LINES = [
    (words_folded(f"{p} {b}"), f"{p} {b}")
    for p in AUTHORITY_PREFIXES for b in AUTHORITY_BODIES + POSITIONS
]
_POSITION_KEYS = [(words_folded(p), p) for p in POSITIONS]
_POSITION_KEY_SET = frozenset(k for k, _ in _POSITION_KEYS)
_POSITION_BY_KEY = dict(_POSITION_KEYS)
_POSITION_WORDS = frozenset(w for k, _ in _POSITION_KEYS for w in k.split())


def _prefix_like(token: str) -> bool:
    """"tm", "kt", "tl", "tuq", "q", or one of the longer ones with a letter misread
    ("1m", "im", "ki")."""
    if token in _AUTH_PREFIX_KEYS:
        return True
    return any(len(k) >= 2 and len(token) == len(k) and Levenshtein.distance(token, k) <= 1
               for k in _AUTH_PREFIX_KEYS)


def _unslashed(text: str) -> str:
    """"T/M UBND TỈNH" → "TM. UBND TỈNH": an old prefix in NĐ 30's form (``_as_printed``
    puts it back)."""
    return _SLASHED.sub(lambda m: f"{m.group(1)}{m.group(2)}. ".upper(), text, count=1)


def _as_printed(value: str | None, first_line: str) -> str | None:
    """An authority in NĐ 30's prefixes ("TM. UBND TỈNH KT. CHỦ TỊCH") with the old ones
    ("T/M. UBND TỈNH K/T. CHỦ TỊCH") where its first line prints them so."""
    if value is None or _SLASHED.match(first_line) is None:
        return value
    return " ".join(_SLASHED_AS_PRINTED.get(w, w) for w in value.split(" "))


def _authority(s: Segment) -> tuple[str, float] | None:
    text = _unslashed(s.text)
    f = fold(text)
    m = _AUTH_TOKEN.match(f)
    token = m.group(1) if m else words_folded(text).split(" ")[0]
    if not _prefix_like(token) or (not m and token not in _AUTH_PREFIX_KEYS):
        return None
    key = words_folded(text)
    best = max(_AUTH_LINES, key=lambda c: _ratio(key, c[0]))
    score = _ratio(key, best[0])
    if score >= AUTHORITY_MIN_SCORE:
        exact = score == 100 and vn_upper(text).replace(" ", "") == best[1].replace(" ", "")
        rivals = {c for c in _AUTH_LINES if c[1] != best[1]
                  and _ratio(key, c[0]) >= max(score - AUTHORITY_RIVAL_POINTS, AUTHORITY_MIN_SCORE)}
        if rivals and not exact:
            # "XT,CHÚ TỊCH" is as near "TM. CHỦ TỊCH" as "KT. CHỦ TỊCH" by the ratio: the
            # fewest letters misread decides ("X" for "K"), and a person checks.
            nearest = min([best, *rivals], key=lambda c: Levenshtein.distance(key, c[0]))
            return nearest[1], AUTHORITY_RIVAL
        return best[1], 1.0 if exact else AUTHORITY_FUZZY
    if token in _AUTH_PREFIX_KEYS:
        rest = text[m.end():] if m else text.split(" ", 1)[-1]
        return f"{_AUTH_PREFIX_KEYS[token]} {vn_upper(rest).strip()}", AUTHORITY_PREFIX_ONLY
    return None


def _authority_garbled(s: Segment) -> tuple[str, float] | None:
    """"ITM -ỦY BAN NHÂN DÂN": a known body after a scrap that holds TM/KT/TL."""
    words = words_folded(s.text).split()
    if len(words) < 2 or len(words[0]) > AUTHORITY_SCRAP_MAX_LETTERS:
        return None
    body_key = " ".join(words[1:])
    body = next((b for b in AUTHORITY_BODIES + POSITIONS if words_folded(b) == body_key), None)
    prefix = next((p for p in ("tuq", "tm", "kt", "tl") if p in words[0]), None)
    if body is None or prefix is None:
        return None
    return f"{_AUTH_PREFIX_KEYS[prefix]} {body}", AUTHORITY_GARBLED


_AUTH_BODY_KEYS = sorted(((words_folded(b).split(), b) for b in AUTHORITY_BODIES + POSITIONS),
                         key=lambda kb: -len(kb[0]))


def _authority_among_scraps(s: Segment) -> tuple[str, float] | None:
    """ "RA KT. CHỦ Set TỊCH :", ".f TM. ĐIỂM ỦY xxx BAN rx NHÂN DÂN": a prefix read whole,
    a scrap or two before it, and after it every word of a known body or title in order,
    the seal's lettering between them (no more scraps than the body has words)."""
    words = words_folded(_unslashed(s.text)).split()
    at = next((i for i, w in enumerate(words[:AUTHORITY_SCRAPS_BEFORE + 1])
               if w in _AUTH_PREFIX_KEYS and w != "q"), None)
    if at is None:
        return None
    rest = words[at + 1:]
    for body_words, body in _AUTH_BODY_KEYS:
        it = iter(enumerate(rest))
        found = [next((i for i, w in it if w == b), None) for b in body_words]
        places = [i for i in found if i is not None]
        if len(places) < len(body_words) or places[-1] - places[0] + 1 > 2 * len(body_words) \
                or len(rest) - len(body_words) > len(body_words):
            continue
        return f"{_AUTH_PREFIX_KEYS[words[at]]} {body}", AUTHORITY_AMONG_SCRAPS
    return None


_COLLECTIVE_KEYS = [(words_folded(b), b) for b in COLLECTIVE_BODIES]


def _collective_authority(s: Segment) -> str | None:
    """An authority line whose prefix is lost or garbled ("M. ỦY BAN NHÂN DÂN", "17M. UY
    BANN HAN DÂN") and that names a collective body: NĐ 30 signs for a collective only
    "TM." (thay mặt), so that is its prefix; None for any other line (before a title,
    "CHỦ TỊCH", any of KT./TL./TUQ./Q. may have been printed)."""
    words = words_folded(s.text).split()
    readings = [" ".join(words)]
    if len(words) > 1 and len(words[0]) <= AUTHORITY_SCRAP_MAX_LETTERS:
        readings.append(" ".join(words[1:]))  # the prefix's scrap left out
    score, body = max((_ratio(r, k), b) for r in readings for k, b in _COLLECTIVE_KEYS)
    return f"TM. {body}" if score >= AUTHORITY_MIN_SCORE else None


def _position(s: Segment) -> tuple[str, float] | None:
    """A usual position (fuzzy), one with specks before it, or a capitals line as read;
    "… PHỤ TRÁCH" after it kept."""
    key = words_folded(s.text)
    if not key:
        return None
    charge = words_folded(POSITION_IN_CHARGE)
    if key.endswith(" " + charge) and len(s.words) > 2 \
            and words_folded(" ".join(w.text for w in s.words[-2:])) == charge:
        found = _position(Segment(s.words[:-2], s.size))
        if found is not None:
            return f"{found[0]} {POSITION_IN_CHARGE}", found[1]
    best = max(_POSITION_KEYS, key=lambda c: _ratio(key, c[0]))
    score = _ratio(key, best[0])
    if score >= POSITION_MIN_SCORE:
        exact = vn_upper(tone_style(s.text)).strip(" .,:;") == best[1]
        return best[1], 1.0 if exact else (POSITION_SPELT_OTHERWISE if score == 100
                                           else POSITION_FUZZY)
    tail = _position_at_end(key) or _position_by_last_words(key)
    if tail is None:
        # Without the one-letter scraps a seal's lettering leaves ("X OW X4 CHỦ Ê. TỊCH Ỹ"),
        # or, failing that, with the words of usual positions only ("„CHỦ NO 2 TỊCH").
        sure = " ".join(w for w in words_folded(strip_foreign(s.text)).split() if len(w) > 1)
        if sure and sure != key:
            tail = _position_at_end(sure) or _position_by_last_words(sure)
        known = " ".join(w for w in sure.split() if w in _POSITION_WORDS)
        if tail is None and known and known != sure:
            tail = _POSITION_BY_KEY.get(known) or _position_by_last_words(known)
    if tail is None and s.caps >= POSITION_CAPS_MIN:
        tail = _position_by_letters(key)
    if tail is not None:
        return tail, POSITION_UNSURE
    if s.caps >= POSITION_CAPS_MIN and s.n_letters >= POSITION_CAPS_MIN_LETTERS:
        return vn_upper(s.text).strip(" .,:;"), POSITION_UNSURE
    return None


def _position_by_letters(key: str) -> str | None:
    """The one usual position a garbled capitals line's letters are clearly nearest
    ("chlvnhtevyxnphong" → CHÁNH VĂN PHÒNG), or None."""
    letters = re.sub(r"[^a-z]", "", key)
    if len(letters) < POSITION_LETTERS_MIN:
        return None
    (best, position), (second, _) = sorted(
        ((fuzz.ratio(letters, k.replace(" ", "")), p) for k, p in _POSITION_KEYS), reverse=True)[:2]
    if best >= POSITION_LETTERS_MIN_SCORE and best - second >= POSITION_LETTERS_AHEAD:
        return position
    return None


def _position_at_end(key: str) -> str | None:
    """The longest usual position the line ends with, scraps before it aside
    ("vờ TƯ CHỦ TỊCH" → "CHỦ TỊCH"); the scraps may have been "PHÓ", so unsure."""
    compact = key.replace(" ", "")
    ends = [(len(p), position) for p, position in
            ((f.replace(" ", ""), position) for f, position in _POSITION_KEYS)
            if len(compact) > len(p) and _ratio(compact[-len(p):], p) >= POSITION_AT_END_SCORE]
    return max(ends)[1] if ends else None


def _position_by_last_words(key: str) -> str | None:
    """A usual position whose first letters a seal took, read from its last words:
    "v6 -£HỦ TỊCH" → "CHỦ TỊCH", "Ấ V €H@m VĂN PHÒNG" → "CHÁNH VĂN PHÒNG". All its
    words but the first must be read whole: two of them, or one of four letters or
    more with the word before it ending as the first does. When those words are no
    position of their own, nothing need come before them ("VĂN PHÒNG") and the first
    of them may have lost its first letters too ("ĂN PHÒNG"). The longest such wins,
    and a tie is no answer."""
    words = key.split()
    found: list[tuple[int, str]] = []
    for folded, position in _POSITION_KEYS:
        first, *rest = folded.split()
        n = len(rest)
        if not rest or len(words) < n:
            continue
        read = words[-n:]
        before = words[-n - 1] if len(words) > n else ""
        loose = " ".join(rest) not in _POSITION_KEY_SET
        if read == rest and n >= 2 and (before or loose) \
                or read == rest and len(rest[0]) >= 4 and before[-1:] == first[-1:] \
                or loose and n >= 2 and read[1:] == rest[1:] and len(read[0]) >= 2 \
                and rest[0].endswith(read[0]):
            found.append((n, position))
    if not found:
        return None
    found.sort(reverse=True)
    if len(found) > 1 and found[0][0] == found[1][0]:
        return None
    return found[0][1]


_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_]{0,6}$")


_EDGE_JUNK = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _undouble(word: str) -> str:
    """"HữỮu" → "Hữu": a letter read twice, once in each case."""
    out: list[str] = []
    for c in word:
        if out and c != out[-1] and c.lower() == out[-1].lower():
            continue
        out.append(c)
    return "".join(out)


def name_tokens(text: str) -> list[str]:
    """Words of a name line with specks, quotes and non-Vietnamese letters taken off."""
    words = (_undouble(_EDGE_JUNK.sub("", strip_foreign(w))) for w in text.split())
    return [t for t in words if t]


def name_score(text: str) -> float:
    """How much a line looks like a Vietnamese full name: 0 (not at all) … 1."""
    tokens = name_tokens(text)
    if not NAME_MIN_WORDS <= len(tokens) <= NAME_MAX_WORDS:
        return 0.0
    good = 0
    for t in tokens:
        if _NAME_TOKEN.match(t) and t[0].isupper() and (len(t) == 1 or t[1:].islower()):
            good += 1
    return good / len(tokens) if good >= len(tokens) - 1 else 0.0


@dataclass
class Signature:
    authority: Found[str]
    position: Found[str]
    name: Found[str]
    segs: list[Segment]
    # Surnames read by shape before the name line's last words (a seal over its start).
    shapes: list[SurnameMatch] = field(default_factory=list)
    position_read: str | None = None  # the position's line as read

    @property
    def found(self) -> bool:
        return self.position.value is not None or self.name.value is not None


def find_signature(page: Page, after_y: float = 0.0) -> Signature:
    """The signature block at the foot of the right column, below the body."""
    cands = _signature_column(page, after_y)
    none = Signature(Found.none("no authority line (TM./KT./TL.…) in the signature block"),
                     Found.none("no signature block below the body"),
                     Found.none("no signature block below the body"), [])
    if not cands:
        return none
    auth_seg, authority = _authority_line(cands, none.authority)
    pos_seg, position = _position_line(page, cands, auth_seg)
    if auth_seg is not None and pos_seg is None and _acting_title(authority.value):
        # "Q. HIỆU TRƯỞNG" alone: the acting head's own title, signing in their own name
        # (KT./TL./TM./TUQ. sign for another); with a position under it, it stays the
        # authority line.
        pos_seg, position, auth_seg = auth_seg, authority, None
        authority = Found(None, AUTHORITY_NONE_PRINTED,
                          "no authority line above the position: 'Q.' is the acting head's title")
    if pos_seg is not None and auth_seg is None:
        auth_seg, pos_seg, authority, position = _prefixless_authority(
            page, cands, pos_seg, authority, position)
    elif pos_seg is not None and auth_seg is not None:
        pos_seg, authority, position = _second_authority_line(page, cands, pos_seg,
                                                              authority, position)
    if pos_seg is not None:
        position = _position_under(authority, pos_seg, position)
    elif auth_seg is not None and (authority.value or "").startswith("TM."):
        pos_seg, position = _chairman_by_tich(page, cands, auth_seg, authority, position)
    if pos_seg is None and auth_seg is not None:
        position = _position_by_authority(authority, position)
    name_seg, name, shapes = _name_line(page, cands, pos_seg or auth_seg)
    if pos_seg is None and auth_seg is None and name_seg is None:
        return none
    if auth_seg is None and pos_seg is not None and pos_seg is cands[0] \
            and position.confidence >= POSITION_SURE and position.reason is None:
        # The block opens with a position read letter for letter: the head of the body
        # signs in their own name, no TM./KT./TL. line is printed.
        authority = Found(None, AUTHORITY_NONE_PRINTED,
                          "no authority line above the position: none is printed")
    if auth_seg is not None:
        authority = replace(authority, value=_as_printed(authority.value, auth_seg.text))
    segs = [s for s in (auth_seg, pos_seg, name_seg) if s is not None]
    return Signature(authority, position, name, segs, shapes,
                     pos_seg.text if pos_seg is not None else None)


def _signature_column(page: Page, after_y: float) -> list[Segment]:
    """The segments of the right column below the body's last line, top to bottom."""
    # The body's last line: a real line of text across the page (not a streak or
    # a seal read as one huge "word").
    wide = [s for s in page.segments if page.rel(s.x0) < BODY_LINE_STARTS_BEFORE
            and page.rel(s.x1) > BODY_LINE_ENDS_AFTER
            and s.cy > after_y and s.n_letters >= BODY_LINE_MIN_LETTERS
            and s.confidence >= BODY_LINE_MIN_CONFIDENCE
            and s.y1 - s.y0 < BODY_LINE_MAX_HEIGHT_EM * page.em]
    body_y = max((s.y1 for s in wide), default=after_y)
    return [s for s in page.segments
            if s.cy > body_y and page.rel(s.x0) > SIGNATURE_COLUMN_FROM
            and page.rel(s.cx) > SIGNATURE_CENTRE_FROM and not _noise(s)]


def _authority_line(cands: list[Segment], none: Found[str]) -> tuple[Segment | None, Found[str]]:
    """The first line that reads as an authority line (TM./KT./TL. …)."""
    for s in cands:
        a = _authority(s) or _authority_garbled(s) or _authority_among_scraps(s)
        if a is not None:
            why = None if a[1] >= AUTHORITY_SURE else f"authority read as {s.text!r}"
            return s, with_ocr(Found(a[0], a[1], why), [s], "authority")
    return None, none


def _position_line(page: Page, cands: list[Segment], auth_seg: Segment | None
                   ) -> tuple[Segment | None, Found[str]]:
    """The first line under the authority line (or, with none, in the block) that
    reads as a position."""
    start = cands.index(auth_seg) + 1 if auth_seg is not None else 0
    for s in cands[start:]:
        if auth_seg is not None and s.cy - auth_seg.cy > POSITION_MAX_BELOW_EM * page.em:
            break
        if auth_seg is not None and s.cy - auth_seg.cy < AUTHORITY_SAME_LINE_EM * page.em:
            continue  # a piece of the authority line ("TL. CHỦ"), not the line under it
        p = _position(s)
        if p is not None:
            # Letter for letter a usual position: a low word confidence (a seal over
            # it) matters less than for free text.
            why = None if p[1] >= POSITION_SURE else f"position read as {s.text!r}"
            slack = POSITION_EXACT_OCR_SLACK if p[1] == 1.0 else OCR_SLACK
            return s, with_ocr(Found(p[0], p[1], why), [s], "position", slack=slack)
    return None, Found.none("no position line in the signature block")


def _prefixless_authority(page: Page, cands: list[Segment], pos_seg: Segment,
                          authority: Found[str], position: Found[str]
                          ) -> tuple[Segment | None, Segment, Found[str], Found[str]]:
    """Two position-like lines one under the other: the upper one is the authority
    line with its "KT."/"TM." lost, the lower one the position.

    Returns the authority line, the position line, the authority and the position:
    as they were when the line under ``pos_seg`` is no position."""
    k = cands.index(pos_seg)
    # Not a second reading of the same line (Tesseract reads a faint line twice at times).
    below = next((c for c in cands[k + 1:]
                  if c.cy - pos_seg.cy >= AUTHORITY_SAME_LINE_EM * page.em), None)
    if below is not None and below.cy - pos_seg.cy < PREFIXLESS_NEXT_LINE_EM * page.em \
            and below.caps >= PREFIXLESS_MIN_CAPS and below.n_letters >= PREFIXLESS_MIN_LETTERS:
        lower = _position(below)
        if lower is not None:
            read = f"authority line read as {pos_seg.text!r}"
            collective = _collective_authority(pos_seg)
            authority = Found.none(read) if collective is None else Found(
                collective, AUTHORITY_GARBLED,
                f"{read}: before a collective body only 'TM.' is printed")
            if collective is None and position.value is not None:
                authority = _prefix_by_position(position.value, lower[0], authority)
            position = Found(lower[0], round(min(PREFIXLESS_POSITION, lower[1]), 3),
                             f"position read as {below.text!r} under {pos_seg.text!r}, "
                             "an authority line without its prefix")
            return pos_seg, below, authority, position
    return None, pos_seg, authority, position


def _prefix_by_position(title: str, lower: str, authority: Found[str]) -> Found[str]:
    """A head's title ("CHỦ TỊCH") over another position, its prefix lost: a deputy ("PHÓ
    CHỦ TỊCH") signs "KT." for the head; an office's head ("CHÁNH VĂN PHÒNG") "TL." (or
    "TUQ.", which this cannot tell): a guess, to be checked. None over the title itself."""
    if lower == f"PHÓ {title}":
        prefix, who = "KT.", "a deputy signs in the head's stead"
    elif title in POSITIONS and not title.startswith("PHÓ ") and lower != title \
            and not lower.startswith("PHÓ "):
        prefix, who = "TL.", "another office's head signs for the head ('TL.', or 'TUQ.')"
    else:
        return authority
    return Found(f"{prefix} {title}", AUTHORITY_BY_POSITION,
                 f"{authority.reason}: its prefix lost; under it {lower!r}: {who}")


def _second_authority_line(page: Page, cands: list[Segment], pos_seg: Segment,
                           authority: Found[str], position: Found[str]
                           ) -> tuple[Segment, Found[str], Found[str]]:
    """"T/M UBND TỈNH" over "K/T CHỦ TỊCH" over "PHÓ CHỦ TỊCH" (the layout before 2004):
    a doubtful position line with a position read letter for letter right under it is a
    second authority line, and the line under it the position."""
    k = cands.index(pos_seg)
    below = cands[k + 1] if k + 1 < len(cands) else None
    if position.confidence >= POSITION_SURE or below is None \
            or below.cy - pos_seg.cy > PREFIXLESS_NEXT_LINE_EM * page.em:
        return pos_seg, authority, position
    lower = _position(below)
    if lower is None or lower[1] < 1.0:
        return pos_seg, authority, position
    second = _second_line(pos_seg, lower[0])
    inferred = "" if second.startswith("KT.") == words_folded(_unslashed(pos_seg.text)).startswith("kt") \
        else f"; its prefix taken for 'KT.', as {lower[0]!r} signs under it"
    both = Found(f"{authority.value} {second}", round(min(authority.confidence, AUTHORITY_GARBLED), 3),
                 f"a second authority line read as {pos_seg.text!r}{inferred}")
    return below, both, with_ocr(Found(lower[0], lower[1]), [below], "position",
                                 slack=POSITION_EXACT_OCR_SLACK)


def _acting_title(authority: str | None) -> bool:
    """"Q. HIỆU TRƯỞNG": "Q." (quyền, acting) before a usual position."""
    return authority is not None and authority.startswith("Q. ") and authority[3:] in POSITIONS


def _second_line(s: Segment, position: str) -> str:
    """An old layout's second authority line as it reads ("KT. CHỦ TỊCH"); a scrap before
    the head's title over a deputy's ("„T CHỦ TỊCH" over "PHÓ CHỦ TỊCH") is "KT.": a deputy
    signs in the head's stead (NĐ 30, and the layouts before it)."""
    read = _authority(s)
    if read is not None:
        return read[0]
    words = vn_upper(_unslashed(s.text)).strip(" .,:;").split(" ")
    head = " ".join(words[1:])
    if len(words) > 1 and position == f"PHÓ {head}" \
            and sum(c.isalpha() for c in words[0]) <= AUTHORITY_SCRAP_MAX_LETTERS:
        return f"KT. {head}"
    return " ".join(words)


# The authority lines for a people's committee or council: its chairman signs under them.
_CHAIRED = ("TM. ỦY BAN NHÂN DÂN", "TM. HỘI ĐỒNG NHÂN DÂN")


def _position_under(authority: Found[str], pos_seg: Segment, position: Found[str]
                    ) -> Found[str]:
    """The position as the authority line above it settles it: who signs for a body."""
    if (position.confidence < CHAIRMAN_UNSURE_BELOW and position.value == "CHỦ TỊCH"
            and authority.value in _CHAIRED):
        # For the committee (TM.) its chairman signs: specks before "CHỦ TỊCH" were
        # not a "PHÓ".
        position = Found("CHỦ TỊCH", CHAIRMAN_UNDER_TM,
                         f"position read as {pos_seg.text!r}; "
                         f"under {authority.value!r} the chairman signs")
    if authority.value and authority.value.startswith("KT. "):
        # "KT. CHỦ TỊCH" is signed by a deputy: "CHỦ TỊCH" under it, or a garbled
        # line ending in "CHỦ TỊCH", is "PHÓ CHỦ TỊCH".
        head = authority.value[4:]
        deputy = f"PHÓ {head}"
        read = words_folded(pos_seg.text)
        if deputy in POSITIONS and position.value != deputy \
                and (read.endswith(words_folded(head)) or position.value == head) \
                and (position.confidence < DEPUTY_UNSURE_BELOW or position.value == head):
            position = Found(deputy, DEPUTY_UNDER_KT,
                             f"position read as {pos_seg.text!r}; under {authority.value!r}")
    return position


def _position_by_authority(authority: Found[str], position: Found[str]) -> Found[str]:
    """No position read under the authority line (a seal over it): who signs, as NĐ 30 has
    it, a guess to be checked — for a people's committee or council (TM.) its chairman, in
    a head's stead (KT.) a deputy."""
    value = authority.value or ""
    if value in _CHAIRED:
        guess = "CHỦ TỊCH"
    elif value.startswith("KT. ") and f"PHÓ {value[4:]}" in POSITIONS:
        guess = f"PHÓ {value[4:]}"
    else:
        return position
    return Found(guess, POSITION_BY_AUTHORITY,
                 position.reason_and(f"under {value!r} the {guess} signs, as a rule"))


def _chairman_by_tich(page: Page, cands: list[Segment], auth_seg: Segment,
                      authority: Found[str], position: Found[str]
                      ) -> tuple[Segment | None, Found[str]]:
    """For the committee (TM.) its chairman signs: a garbled line under it that ends in
    "TỊCH" is his position, unsure."""
    for s in cands[cands.index(auth_seg) + 1:]:
        if s.cy - auth_seg.cy > POSITION_MAX_BELOW_EM * page.em:
            break
        if words_folded(strip_foreign(s.text)).split()[-1:] == ["tich"]:
            return s, Found("CHỦ TỊCH", CHAIRMAN_BY_TICH,
                            f"position read as {s.text!r}; under {authority.value!r} "
                            "a line ending in TỊCH is the chairman's")
    return None, position


def _name_line(page: Page, cands: list[Segment], anchor: Segment | None
               ) -> tuple[Segment | None, Found[str], list[SurnameMatch]]:
    """The signer's name: the lowest name-like line under the position (``anchor``),
    past the space for the signature and seal; with the surnames read by shape on it."""
    name_seg = None
    best_score = 0.0
    slot = [s for s in cands if anchor is None or (
        s.cy >= anchor.cy + NAME_BELOW_POSITION_EM * page.em
        and abs(s.cx - anchor.cx) <= NAME_MAX_OFFCENTRE * page.text_w)]
    for s in slot:
        score = name_score(s.text)
        tokens = name_tokens(s.text)
        if (recased := _surname_recased(tokens)) is not None:
            # "„siu Thương": the surname's capital read small is still a name's line.
            score = max(score, name_score(" ".join([recased, *tokens[1:]])))
        if score >= NAME_MIN_SCORE and (name_seg is None or s.cy > name_seg.cy):
            name_seg, best_score = s, score
    if name_seg is None:
        # A seal's lettering all over the name line: a full name may still be told in it.
        told = [s for s in slot if name_from_line(line := " ".join(name_tokens(s.text))) is not None
                or drop_leading_scraps(line)[1] is not None]
        name_seg = max(told, key=lambda s: s.cy, default=None)
    if name_seg is not None:
        tokens = name_tokens(name_seg.text)
        recased = _surname_recased(tokens)
        if recased is not None:
            read_as, tokens = tokens[0], [recased, *tokens[1:]]
            best_score = name_score(" ".join(tokens))
        text = " ".join(tokens)
        conf = _conf([name_seg]) * (1.0 if best_score == 1.0 else NAME_NOT_ALL_NAMELIKE)
        # A name is right only if every word is ("Giàng Mi Pó" for Mí): its least sure
        # word bounds it, however sure the others (a seal's scraps left out aside).
        named = [w.confidence for w in name_seg.words if name_tokens(w.text)]
        conf = min(conf, min(named, default=0.0) / 100 + NAME_WORD_SLACK)
        reason = _low(conf, "signer's name")
        if best_score < 1.0:
            reason = f"name {name_seg.text!r} not all name-like words"
        # A lone consonant ("Sà S Rây") is no name's word however surely read: a stroke.
        unspelt = [w.text for w in name_seg.words if w.text.isalpha() and not syllable(w.text)
                   and (len(w.text) == 1 or w.confidence < NAME_UNSPELT_BELOW)]
        if unspelt and best_score == 1.0:
            conf = min(conf, NAME_UNSPELT)
            reason = f"{unspelt[0]!r} is spelt as no Vietnamese syllable"
        lost = _name_part_lost(name_seg)
        if lost is not None and conf > NAME_PART_LOST:
            conf, reason = NAME_PART_LOST, "; ".join(filter(None, (reason, lost)))
        if recased is not None:
            conf = min(conf, NAME_SURNAME_RECASED)
            reason = "; ".join(filter(None, (f"surname read as {read_as!r}: "
                                             f"{recased}, a letter's case misread", reason)))
        return name_seg, Found(text, round(conf, 3), reason), _shapes_on(page, name_seg)
    # No name told on any line, but a line's last words were drawn over with a
    # surname before them: the name line, its surname left to the shape.
    shaped = [(s, _shapes_on(page, s)) for s in slot]
    name_seg, shapes = max(((s, m) for s, m in shaped if m), key=lambda t: t[0].cy,
                           default=(None, []))
    if name_seg is not None:
        name = Found(" ".join(shapes[0].before), NAME_BY_SHAPE_ONLY,
                     f"name read as {name_seg.text!r}")
        return name_seg, name, shapes
    return None, Found.none("no name under the signature (not read, or not name-like)"), []


def _name_part_lost(name_seg: Segment) -> str | None:
    """Why a letter or a word of the name may be lost, if it may: a mark glued to a
    word's end ("Tran;" for Trang, the g's tail read apart), or a gap a word wide
    between two words ("Sùng    Dế" for Sùng A Dế, the A faded past reading)."""
    words = [w for w in name_seg.words if name_tokens(w.text)]
    glued = next((w.text for w in words if re.search(r"\w[^\w\s.]+$", w.text)), None)
    if glued is not None:
        return f"{glued!r}: a mark read at the word's end, where a letter may be lost"
    if len(words) < 2:
        return None
    # The least tall word: a speck or a mark glued to a word makes its box taller.
    height = min(w.box[3] - w.box[1] for w in words)
    for a, b in zip(words, words[1:]):
        if b.box[0] - a.box[2] > NAME_GAP_LINES * height:
            return f"a word's width between {a.text!r} and {b.text!r}, where a word may be lost"
    return None


def _surname_recased(tokens: list[str]) -> str | None:
    """The surname a name's first word spells with a letter read in the wrong case ("LỲ
    Seo Phà", "lỳ Xè Giàng": Lỳ), the words after it name-like; None otherwise."""
    if len(tokens) < 2 or is_surname(tokens[0]):
        return None
    recased = tokens[0][:1].upper() + tokens[0][1:].lower()
    if recased == tokens[0] or not is_surname(recased) \
            or not all(capitalised_syllable(t) for t in tokens[1:]):
        return None
    return recased


def _shapes_on(page: Page, seg: Segment) -> list[SurnameMatch]:
    """The surnames read by shape before words of ``seg``."""
    return [m for m in page.surnames
            if seg.x0 <= m.box[0] and m.box[2] <= seg.x1 and seg.y0 <= m.box[1] and m.box[3] <= seg.y1]
