"""Parsers for single header lines: ``Số: …``, place and date, type heading.

Each takes the text of one line as OCR gave it and returns a ``Found``: the
value when the line can be read without guessing, ``None`` with a reason
otherwise. Corrections of the usual misreadings (``S6:``, ``QD``, ``O`` for
``0``, stray spaces) lower the confidence a little and say so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.core.vi_text import (
    DAY_WORD,
    MONTH_WORD,
    YEAR_WORD,
    clean,
    fold,
    tone_style,
    vn_upper,
    words_folded,
)
from pipeline.extract.found import Found
from pipeline.extract.nd30 import (
    CODE_BY_UPPER,
    CODES_BY_KEY,
    NAME_BY_CODE,
    ORGAN_ABBR_FIX,
    TYPES,
)
from pipeline.extract.params import (
    CODE_AMBIGUOUS,
    CODE_CORRECTED,
    CODE_DOUBLED_LETTER,
    CODE_ONE_LETTER_OFF,
    DATE_BRACKET_AS_ONE,
    DATE_DAY_WITHOUT_ZERO,
    DATE_DIGIT_AS_LETTER,
    DATE_IN_WORDS,
    DATE_MAX_YEAR,
    DATE_MIN_YEAR,
    DATE_MONTH_MISPRINTED,
    NOTATION_COLON_FOR_DASH,
    NOTATION_D_BROKEN,
    NOTATION_DASH_LOST,
    NOTATION_ORGAN_ONE_OFF,
    NOTATION_TYPE_RUN_IN,
    NOTATION_UNKNOWN_OPENING,
    NOTATION_UNKNOWN_ORGAN,
    NOTATION_UNREADABLE,
    NOTATION_WITHOUT_NUMBER,
    NUMBER_ALL_DIGITS_AS_LETTERS,
    NUMBER_BACKSLASH,
    NUMBER_DOTS_FOR_SLASH,
    NUMBER_NO_PREFIX,
    NUMBER_ONE_DIGIT,
    NUMBER_SLASH_LOST,
    NUMBER_SLASH_MAYBE_DIGIT,
    NUMBER_SLASH_TWICE,
    NUMBER_SOME_DIGITS_AS_LETTERS,
    TYPE_ACCENTS_OFF,
    TYPE_BY_ACCENTS,
    TYPE_CLOSE_CALL,
    TYPE_FUZZY,
    TYPE_MIN_SCORE,
    TYPE_UNDECIDED,
)


class NumberParts(NamedTuple):
    code_number: str | None  # "08", leading zeros kept; None: the blank's ink not readable
    code_notation: str | None  # "QĐ-UBND", "UBND-VP"; None: printed but not readable
    type_code: str | None  # "QĐ"; None when the notation carries no type (công văn)


class PlaceDate(NamedTuple):
    place: str | None  # "Bát Tràng"; None when the line has no place before "ngày"
    date: dt.date | None  # None: the day or month, written into the blank, not readable


class TypeMatch(NamedTuple):
    name: str  # as a heading prints it: "QUYẾT ĐỊNH"
    code: str  # NĐ 30 abbreviation: "QĐ"


# --------------------------------------------------------------------------- Số: …

# "Số:" as OCR reads it, on folded text: so:, s6:, so :, s0:, $o:, so (colon lost).
_NUMBER_PREFIX = re.compile(r"^[\W_]*?[s$]\s*(?:[a-z]|[06](?=[\s:;.,]))?\s*[:;.,'\"]*\s*")
_DIGITISH = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "i": "1"}
_NOTATION_PART = re.compile(r"^[A-Za-zĐđ0-9]+$")
KNOWN_ORGANS = ("UBND", "HĐND", "ĐU", "VP", "MTTQ", "BCĐ", "CA", "BCH",
                 # Police: of a province, a city, a district, a commune, a ward.
                 "CAT", "CATP", "CAH", "CAX", "CAP")
# A body's abbreviation that may open a công văn's notation, its unit's after it
# ("UBND-TH"): long enough not to be the opening of another word.
_ORGAN_FIRST_MIN_LETTERS = 3
# A body this long is told from a letter off it ("UBXND"); a shorter one is not ("VH").
_ORGAN_ONE_OFF_MIN_LETTERS = 4
# What a notation's dash, run into the letters beside it, is read as ("BCLUBXND").
_DASH_READ_AS = "LIl|_"


def _digits(raw: str) -> tuple[str, int] | None:
    """``"1O5"`` → ``("105", 1)``: digits with look-alike letters mapped, and how many."""
    if not raw or len(raw) > 5:
        return None
    out, fixes = [], 0
    for c in raw:
        if c.isdigit() and c.isascii():
            out.append(c)
        elif c in _DIGITISH:
            out.append(_DIGITISH[c])
            fixes += 1
        else:
            return None
    return "".join(out), fixes


def canonical_type_code(raw: str, hint: str | None = None) -> Found[str]:
    """A notation's first part as an NĐ 30 abbreviation, or None if it is none.

    ``QD`` → ``QĐ`` (no type is spelt QD); ``HD`` stays ``HD`` (Hướng dẫn)
    but, since Hợp đồng is ``HĐ``, only with reduced confidence unless
    ``hint`` (the code implied by the heading) settles it.
    """
    up = raw.upper()
    single = re.sub(r"(.)\1+", r"\1", up)
    if single != up and up not in CODE_BY_UPPER and single in CODE_BY_UPPER:
        # "QĐĐ": a letter read twice (a thick stroke, a bleed); no NĐ 30 code doubles one.
        once = CODE_BY_UPPER[single]
        if hint == once:
            return Found(once, CODE_CORRECTED, f"read {raw!r}; the heading says {hint!r}")
        return Found(once, CODE_DOUBLED_LETTER, f"read {raw!r}, taken as {once!r}")
    if "Đ" in up:
        code = CODE_BY_UPPER.get(up)
        return Found(code, 1.0) if code else Found.none(f"{raw!r} is no NĐ 30 abbreviation")
    candidates = CODES_BY_KEY.get(up.replace("Đ", "D"), ())
    if not candidates and hint is not None and len(up) == len(hint) >= 2 \
            and sum(a != b for a, b in zip(up, hint.upper(), strict=True)) == 1:
        # No code as read, a letter off the heading's ("TIr" under TỜ TRÌNH): the notation
        # repeats the heading's type, so it is the heading's, misread.
        return Found(hint, CODE_ONE_LETTER_OFF, f"read {raw!r}; the heading says {hint!r}")
    if not candidates:
        return Found.none(f"{raw!r} is no NĐ 30 abbreviation")
    if len(candidates) == 1:
        code = candidates[0]
        if code.upper() == up:
            return Found(code, 1.0)
        return Found(code, CODE_CORRECTED, f"read {raw!r}, taken as {code!r}")
    if hint in candidates:
        return Found(hint, CODE_CORRECTED if hint.upper() != up else 1.0,
                     None if hint.upper() == up else f"read {raw!r}; the heading says {hint!r}")
    literal = CODE_BY_UPPER.get(up)
    others = [c for c in candidates if c != literal]
    return Found(literal, CODE_AMBIGUOUS,
                 f"read {raw!r}; could also be {' or '.join(map(repr, others))} (Đ read as D)")


def parse_number_line(text: str, type_hint: str | None = None) -> Found[NumberParts]:
    """``"Số: 125/QĐ-UBND"`` → ``NumberParts("125", "QĐ-UBND", "QĐ")``.

    Reads through ``S6:``/``Sô:``/``So:``/``Số :``, ``QD``/``QÐ`` for ``QĐ``,
    spaces around ``/`` and ``-``, ``O`` for ``0`` and ``l`` for ``1`` in the
    number. ``type_hint`` is the code the type heading gives, used only to
    settle ``HD``/``HĐ`` and ``DA``/``ĐA``.
    """
    s = clean(text)
    f = fold(s)
    m = _NUMBER_PREFIX.match(f)
    has_prefix = m is not None
    rest = s[m.end():] if m else re.sub(r"^[\W_]+", "", s)
    blank = _number_in_blank(rest) if has_prefix else None
    if blank is not None:
        return _notation_after_blank(blank, type_hint)
    unread = re.match(r"^\s*([^\s/]{1,6})\s+([A-ZĐ][^\s/]*)\s*$", rest) if has_prefix else None
    # No capitals in it (those may be a notation's opening, "OlNQ-"), and no number: ink
    # ("øz", a written 01; "4ø", a written 46 a digit of which is read).
    if unread and not re.search(r"[A-ZĐ]", unread[1]) and _digits(unread[1]) is None:
        # "Số: øz QĐ-UBND": the blank's ink read as no digits, and the slash lost beside it.
        read = _notation_without_number(unread[2], type_hint)
        if read.value is not None:
            return Found(read.value, read.confidence, read.reason_and(
                f"the blank holds {unread[1]!r}, no number: written or stamped by hand"))
    # "Số: 12 TTr-UBND", the slash lost but a space left: where the number ends is read.
    set_apart = has_prefix and re.match(r"^\s*[0-9]{1,5}\s+[A-ZĐ]", rest) is not None
    # Trailing specks and punctuation ("… ` `", "UBND."): not part of the notation.
    rest = re.sub(r"[\W_]+$", "", re.sub(r"\s+", "", rest))
    rest = rest.replace("~", "-")
    if not rest:
        return Found.none("no number after 'Số:'")
    reasons: list[str] = []
    confidence = 1.0 if has_prefix else NUMBER_NO_PREFIX
    if not has_prefix:
        reasons.append("no 'Số:' read before the number")
    slash_lost = number_unsure = False
    if "/" in rest:
        num_raw, notation_raw = rest.split("/", 1)
    else:
        # A backslash can only be the slash; digits running straight into capitals
        # ("76QĐ-UBND") lost it. "l", "I", "|" could be the slash or a digit 1 with
        # the slash lost ("0l" + "QĐ"): that is not for us to decide.
        slash = re.match(r"^([0-9Oo]{1,5})([\\'`‘’])([A-ZĐ].*)$", rest)
        # A colon, a stop or a semicolon there is what a faint or broken slash left.
        dots = re.match(r"^([0-9]{1,5})([.:;])([A-ZĐ].*)$", rest) if has_prefix else None
        lost = re.match(r"^([0-9]{1,5})([A-ZĐ].*)$", rest)
        if dots:
            num_raw, mark, notation_raw = dots.groups()
            if re.match(r"[OoIl|]*[0-9]|[OoIl|]{2}|[Il|O](?=[A-ZĐ])", notation_raw):
                # "S'6:O1HĐND-VP", "…:OlHĐND-VP": digits or their look-alikes after the mark
                # too; the mark may be the label's, and where the number ends is not told.
                # So with a bar or an O before capitals ("51;IUBND-VP" for 511 with a speck:
                # the bar a last digit 1, or the slash).
                return Found.none(f"number and notation not told apart in {s!r}")
            confidence *= NUMBER_DOTS_FOR_SLASH
            reasons.append(f"'/' read as {mark!r}")
        elif slash:
            # A quote between the number and the notation is the slash too ("12'TTr-UBND").
            num_raw, mark, notation_raw = slash.groups()
            confidence *= NUMBER_BACKSLASH
            reasons.append(f"'/' read as {mark!r}")
            # "274'IUBND": the quote may be a speck, the "I" the slash or a last digit 1;
            # "7'ONQ-UBND": the "O" a last digit 0 (no notation opens with an O).
            number_unsure = re.match(r"[Il|O]", notation_raw) is not None
            notation_raw = re.sub(r"^[Il|O]+", "", notation_raw)
            if notation_raw[:1].isdigit():
                # "1'I12UBND": digits on both sides of the marks; where the number ends
                # and what the notation is are not to be told.
                return Found.none(f"number and notation not told apart in {s!r}")
        elif lost:
            num_raw, notation_raw = lost.groups()
            slash_lost = True
            confidence *= NUMBER_SLASH_LOST
            reasons.append("'/' not read")
            if num_raw.endswith(("1", "7")) and len(num_raw) > 1:
                confidence *= NUMBER_SLASH_MAYBE_DIGIT
                reasons.append(f"the last digit of {num_raw!r} may be the '/'")
        elif re.match(r"^[\W_]*s\S?\s*[:;]", f) and re.match(r"^[\W_]*[A-ZĐ]", rest):
            return _notation_without_number(rest, type_hint)
        else:
            return Found.none(f"no '/' between number and notation in {s!r}")
    num_raw = num_raw.strip(".,:;'`")  # a speck beside the number ("1906./…")
    digits = _digits(num_raw)
    if digits is None:
        if has_prefix and "/" in rest and re.search(r"[0-9]", num_raw) and len(num_raw) <= 5:
            # "Số: 0ó/TB-CAT": a digit misread past knowing; the notation is printed, and read.
            read = _notation_alone("/" + notation_raw, type_hint)
            if read.value is not None and read.value.type_code is not None:
                return Found(read.value, read.confidence,
                             read.reason_and(f"number {num_raw!r} unreadable"))
        return Found.none(f"number {num_raw!r} unreadable")
    number, fixes = digits
    if fixes:
        confidence *= (NUMBER_SOME_DIGITS_AS_LETTERS if fixes < len(num_raw)
                       else NUMBER_ALL_DIGITS_AS_LETTERS)
        reasons.append(f"number read as {num_raw!r}")
        if len(num_raw) > 1 and num_raw[-1] in "Il|":
            # "241I/UBND": a bar against the slash is as likely the slash read twice as a 1.
            confidence *= NUMBER_SLASH_MAYBE_DIGIT
            reasons.append(f"the last {num_raw[-1]!r} may be the '/' read twice")
    if len(number) == 1:
        # NĐ 30 writes numbers below 10 as "08": a single digit lost its neighbour.
        confidence *= NUMBER_ONE_DIGIT
        reasons.append(f"a one-digit number ({number!r}); NĐ 30 writes '0{number}'")
    year = ""
    doubled = re.match(r"^[17Il|]/(?=[^/]*$)", notation_raw)
    if doubled:
        # "147/7/QĐ-CAT": a thick slash read twice, once as the stroke it looks like; a year
        # between the slashes would be four digits.
        notation_raw = notation_raw[doubled.end():]
        confidence *= NUMBER_SLASH_TWICE
        reasons.append(f"'/' read as {doubled.group()[0] + '/'!r} after the number")
    if "/" in notation_raw:  # "15/2025/NQ-HĐND": a year between number and notation
        first, notation_raw = notation_raw.split("/", 1)
        yd = _digits(first)
        if yd is None or len(yd[0]) != 4:
            return Found.none(f"notation {notation_raw!r} unreadable")
        year = yd[0] + "/"
    # Specks inside the notation ("QĐ-.UBND"); a colon read for the dash ("QĐ:UBND").
    notation_raw = re.sub(r"[.,'`]", "", notation_raw)
    if re.search(r"(?<=[A-Z])[Il|]\)", notation_raw):
        # "QI)-THPT": a D whose bowl broke from its stem (no notation has a bracket).
        notation_raw = re.sub(r"(?<=[A-Z])[Il|]\)", "D", notation_raw)
        confidence *= NOTATION_D_BROKEN
        reasons.append("a D read broken in two (as 'I)')")
    if "-" not in notation_raw and re.fullmatch(r"[^:;]+[:;][^:;]+", notation_raw):
        head, tail = re.split(r"[:;]", notation_raw)
        if canonical_type_code(head).value is not None and tail.upper() in KNOWN_ORGANS:
            notation_raw = f"{head}-{tail}"
            confidence *= NOTATION_COLON_FOR_DASH
            reasons.append("'-' read as ':'")
    parts = [p for p in notation_raw.split("-") if p]
    if not parts or not all(_NOTATION_PART.match(p) for p in parts):
        why = f"notation {notation_raw!r} unreadable"
        # Only a slash read sets the number apart: without it, where the number ends is a guess.
        if not has_prefix or not parts or year or "/" not in rest:
            return Found.none(why)
        # "Số: 115/CV-PAS§3": the number stands on its own; the notation is left to a person.
        return Found(NumberParts(number, None, None),
                     round(confidence * NOTATION_UNREADABLE, 3), "; ".join([*reasons, why]))
    code = canonical_type_code(parts[0], type_hint)
    if code.value is None and len(parts) == 1:
        # "QĐUBND": the dash lost between the type and the body.
        split = _type_run_into_organ(parts[0], type_hint)
        if split is not None:
            head, known, split_code, off = split
            parts, code = [head, known], split_code
            confidence *= NOTATION_DASH_LOST
            reasons.append("'-' missing in the notation")
            if off:
                confidence *= NOTATION_ORGAN_ONE_OFF
                reasons.append(f"{parts[0] + off!r} read, taken as {head + known!r}")
        elif (run := _organ_run_into_unit(parts[0])) is not None:
            # "40UBNDTH": a công văn's body and its unit ("UBND-TH"), the dash lost too.
            parts = list(run)
            confidence *= NOTATION_DASH_LOST
            reasons.append("'-' missing in the notation")
        elif any(parts[0].upper().replace("Đ", "D").startswith(k) for k in CODES_BY_KEY):
            confidence *= NOTATION_TYPE_RUN_IN
            reasons.append(f"{parts[0]!r} may be a type abbreviation run into the body's")
    if slash_lost and code.value is None and parts[0].upper() not in KNOWN_ORGANS \
            and not (set_apart and _known_organ_one_off(parts[0]) is not None):
        why = f"no '/' read, and {parts[0]!r} opens no known notation"
        if not set_apart:
            return Found.none(why)
        # A space sets the number apart: it stands, to be checked; the notation, garbled
        # ("TIr-UBND") or an unknown body's, is left to a person.
        return Found(NumberParts(number, None, None),
                     round(confidence * NOTATION_UNKNOWN_OPENING, 3), "; ".join([*reasons, why]))
    organ_parts = parts[1:] if code.value is not None else parts
    organ_parts = [ORGAN_ABBR_FIX.get(p.upper(), p) for p in organ_parts]
    for i, part in enumerate(organ_parts):
        near = _known_organ_one_off(part)
        if near is None and i == 0 and code.value is not None and len(part) > 1 \
                and part[0] in _DASH_READ_AS:
            # "KH-LUBXD": the dash after the type read twice, once as a letter, before a
            # known body (or one a letter off).
            rest = part[1:]
            near = rest.upper() if rest.upper() in KNOWN_ORGANS else _known_organ_one_off(rest)
        if near is not None:
            organ_parts[i] = near
            confidence *= NOTATION_ORGAN_ONE_OFF
            reasons.append(f"{part!r} read, taken as {near!r}")
    unknown = [part for part in organ_parts if part.upper() not in KNOWN_ORGANS]
    if slash_lost and unknown:
        # The slash lost in the ink, a body's abbreviation no list has may be misread too
        # ("34TB-QLXD"): many bodies' are not on it, so only with that doubt.
        confidence *= NOTATION_UNKNOWN_ORGAN
        reasons.append(f"{'-'.join(unknown)!r}: no body's abbreviation this reads knows")
    if code.value is not None:
        confidence *= code.confidence
        if code.reason:
            reasons.append(code.reason)
        notation = "-".join([code.value, *organ_parts])
    else:
        notation = "-".join(organ_parts)
    if number_unsure:
        reasons.append("a 1, a 0 or the '/' may follow the number: not taken")
    return Found(
        NumberParts(None if number_unsure else number, year + notation, code.value),
        round(confidence, 3),
        "; ".join(reasons) or None,
    )


def _organ_run_into_unit(run: str) -> tuple[str, str] | None:
    """"UBNDTH" → ("UBND", "TH"): a known body and a unit's abbreviation of one to four
    capitals run together; None otherwise."""
    for known in sorted(KNOWN_ORGANS, key=len, reverse=True):
        unit = run[len(known):]
        if len(known) >= _ORGAN_FIRST_MIN_LETTERS and run.upper().startswith(known) \
                and re.fullmatch(r"[A-ZĐ][A-Za-zĐđ]{0,3}", unit):
            return known, unit
    return None


def _known_organ_one_off(part: str) -> str | None:
    """The one long known body a notation's part is a letter from ("UBXND", "LBND" →
    UBND); None for a part known or too short to tell (a letter from "VP" is "VH")."""
    up = part.upper()
    if up in KNOWN_ORGANS or len(up) < _ORGAN_ONE_OFF_MIN_LETTERS:
        return None
    near = [k for k in KNOWN_ORGANS if len(k) >= _ORGAN_ONE_OFF_MIN_LETTERS
            and Levenshtein.distance(up.replace("Đ", "D"), k.replace("Đ", "D")) == 1]
    return near[0] if len(near) == 1 else None


def _type_run_into_organ(run: str, type_hint: str | None
                         ) -> tuple[str, str, Found[str], str] | None:
    """"QĐUBND" → ("QĐ", "UBND", the code, ""): a type code and a known body run
    together; or "BCUBXND" → ("BC", "UBND", …, "UBXND"), the body a letter off, as read
    (and what stood for the dash: "BCLUBXND" → ("BC", "UBND", …, "LUBXND"))."""
    whole = run.upper().replace("Đ", "D")
    for known in KNOWN_ORGANS:
        head = run[: -len(known)]
        if whole.endswith(known.replace("Đ", "D")) and head:
            code = canonical_type_code(head, type_hint)
            if code.value is not None:
                return head, known, code, ""
    found = []
    for known in KNOWN_ORGANS:
        if len(known) < _ORGAN_ONE_OFF_MIN_LETTERS:
            continue
        for n in (len(known) - 1, len(known), len(known) + 1):
            head, tail = run[:-n], run[-n:]
            if head and _known_organ_one_off(tail) == known:
                code = canonical_type_code(head, type_hint)
                if code.value is None and len(head) > 1 and head[-1] in _DASH_READ_AS:
                    # "BCLUBXND": the dash read as a letter, before the body a letter off.
                    head, tail = head[:-1], head[-1] + tail
                    code = canonical_type_code(head, type_hint)
                if code.value is not None:
                    found.append((head, known, code, tail))
    return found[0] if len(found) == 1 else None


def _notation_alone(after_number: str, type_hint: str | None) -> Found[NumberParts]:
    """The notation after a number missing or unreadable (``after_number``, its slash
    first), read as any number line's is, behind a stand-in number then left out."""
    read = parse_number_line("Số: 01" + after_number, type_hint)
    if read.value is None:
        return read
    return Found(read.value._replace(code_number=None), read.confidence, read.reason)


def _notation_without_number(rest: str, type_hint: str | None) -> Found[NumberParts]:
    """"Số: BC-UBND", "Số: .BCUBND": a notation and no number, no slash. The blank was
    left empty, or its ink went unread with the slash; the notation is printed and is
    read, if it opens with a type code or a known body, to be checked."""
    notation = re.sub(r"^[\W_]+", "", rest)
    read = _notation_alone("/" + notation, type_hint)
    # Opened by a type code or a known body, or capitals closed by one ("TIT-UBND": TTr
    # misread two letters over, the heading then tells); never digits or what may be digits
    # before it ("I2UBND-VP", "OlNQ-UBND": the number 01 run into "NQ").
    parts = notation.upper().split("-")
    closed = len(parts) >= 2 and parts[-1] in KNOWN_ORGANS \
        and re.fullmatch(r"[A-HJ-NP-ZĐ][A-ZĐ]{1,5}", notation.split("-")[0]) is not None
    if read.value is None or (read.value.type_code is None and parts[0] not in KNOWN_ORGANS
                              and not closed):
        return Found.none(f"no number and no known notation in {rest!r}")
    return Found(read.value, round(min(read.confidence, NOTATION_WITHOUT_NUMBER), 3),
                 read.reason_and("no number and no '/' read after 'Số:'"))


def _number_in_blank(rest: str) -> tuple[str, str] | None:
    """``"5⁄4 /QĐ-UBND"`` → ``("5⁄4", "/QĐ-UBND")``: a number that is no run of digits
    before a notation printed apart ("Số:      /QĐ-UBND", the blank filled in by hand or
    by a stamp). None when the number reads as digits, or nothing is printed apart."""
    m = re.match(r"^(?P<num>.*?)\s*(?P<notation>/\s*[A-Za-zĐđ][^/]*)$", rest)
    if m is None or not re.search(r"\s/", " " + rest):
        return None
    # What is left of a garbled "Số:" ("ố:152") is no ink in the blank, nor a speck beside
    # the number; a mark glued to a digit ("#2") is: no number read there.
    num = re.sub(r"^[.,'`]+|[.,'`]+$", "", re.sub(r"^.*[:;\s]", "", m.group("num").strip()))
    if num and _digits(num) is not None:
        return None
    return m.group("num").strip(), m.group("notation")


def _notation_after_blank(blank: tuple[str, str], type_hint: str | None) -> Found[NumberParts]:
    """The printed notation, read as usual, and no number: what fills the blank is not
    machine-readable ink, and a guess would be a lie in the archive."""
    seen, notation = blank
    read = _notation_alone(notation.replace(" ", ""), type_hint)
    if read.value is None or read.value.code_notation is None:
        # No number and no notation ("Số:0'1 /U;BND-VP"): nothing read, and no empty parts.
        return Found.none(f"number not readable ({seen!r}) and {read.reason or 'no notation read'}")
    why = (f"the number in the blank is not readable (read {seen!r}): written or stamped "
           "by hand" if seen else "no number in the blank after 'Số:'")
    return Found(read.value, read.confidence, read.reason_and(why))


# --------------------------------------------------------------------------- place, date

_N12 = r"[0-9oil|\]]{1,2}"
# Keywords end on a letter that cannot be a digit (ngày, tháng, năm / "nărn", "nặn"), so a
# look-alike digit ("thángl2") is never swallowed by its keyword; a speck may follow the
# year's ("nămr 2025").
_DATE = re.compile(
    r"(?P<dkw>" + DAY_WORD + r")[\s,.]*(?P<d>" + _N12 + r")[\s,./]*"
    r"(?P<mkw>" + MONTH_WORD + r")[\s,.]*(?P<m>" + _N12 + r")[\s,./]*"
    r"(?P<ykw>" + YEAR_WORD + r")[\s,.]*(?P<y>[0-9oil|]{4})(?![0-9])"
)


def _num(raw: str) -> tuple[int, bool]:
    """Folded digits with look-alikes (``o``, ``l``, ``i``, ``|``, ``]``): value, and
    whether any."""
    out = "".join(c if c.isdigit() else _DIGITISH.get(c, "1") for c in raw)
    return int(out), out != raw


def _check_date(y: int, m: int, d: int) -> dt.date | None:
    if not (DATE_MIN_YEAR <= y <= DATE_MAX_YEAR):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _place(s: str, end: int) -> str | None:
    place = s[:end].strip(" ,.;:-'\"")
    # A leading stray mark (a rule's end, a speck) is not part of the name.
    place = re.sub(r"^[\W_]+", "", place).strip()
    # A speck read as a full stop in the space between two words ("Phước.Long"); not
    # after an abbreviation in capitals ("TP.Hồ Chí Minh").
    place = "".join(" " if c == "." and 0 < i < len(place) - 1 and place[i - 1].islower()
                    and place[i + 1].isupper() else c for i, c in enumerate(place))
    # A place opens with a capital: an italic one read small ("an Giang") is its case misread.
    return place[:1].upper() + place[1:] if place else None



def _words_date(s: str) -> tuple[int, int, int, int] | None:
    """A date written in words; returns (start index of "ngày", d, m, y)."""
    f = fold(s)
    tokens = [(m.group(0), m.start()) for m in re.finditer(r"[a-z]+|[0-9]+", f)]
    from pipeline.extract.nd30 import words_to_number

    def number(toks: list[str]) -> int | None:
        if len(toks) == 1 and toks[0].isdigit():
            return int(toks[0])
        return words_to_number(toks)

    words = [t for t, _ in tokens]
    for i, w in enumerate(words):
        if w != "ngay":
            continue
        try:
            j = words.index("thang", i + 1)
        except ValueError:
            return None
        if re.search(r"[^a-z0-9\s,.]", f[tokens[i][1] + 4:tokens[j][1]]):
            return None  # "ngày 2] tháng": a digit and a mark, no day in words
        day = number(words[i + 1 : j])
        if day is None:
            return None
        for k in range(j + 2, len(words) - 1):
            if words[k] != "nam":
                continue
            month = number(words[j + 1 : k])
            year = number(words[k + 1 :])
            if month is not None and year is not None:
                return tokens[i][1], day, month, year
        return None
    return None


# "ngày … tháng … năm 2025" with the day or month written by hand into the blanks: the
# printed keywords and year stand, what fills a blank is anything short (or nothing; a hand
# read as two or three words of scraps, "EŠ” JẰHg „7", is still short).
_DATE_BLANKS = re.compile(
    r"(?P<dkw>\b" + DAY_WORD + r")(?P<d>.{0,16}?)\s*"
    r"(?P<mkw>t[hb][a-z]{0,3}?g)(?P<m>.{0,16}?)\s*"
    r"(?P<ykw>" + YEAR_WORD + r")[\s,.:]*(?P<y>[0-9]{4})(?![0-9])"
)


# … or with its year not read as four digits ("20235", "202-": a thin-stroked face's
# digit taken apart or lost).
_YEAR_UNREAD = re.compile(
    r"(?P<dkw>\b" + DAY_WORD + r")(?P<d>.{0,16}?)\s*(?P<mkw>" + MONTH_WORD + r")(?P<m>.{0,16}?)\s*"
    r"(?P<ykw>" + YEAR_WORD + r")[\s,.:]*(?P<y>[0-9]\S{0,6})\s*$"
)


def _date_in_blanks(s: str, f: str) -> Found[PlaceDate]:
    """A date line whose day, month or year is not readable: the place it prints is, the
    date is not (never half a date)."""
    m = _DATE_BLANKS.search(f)
    if m is None:
        m = _YEAR_UNREAD.search(f)
        if m is None:
            return Found.none(f"no 'ngày … tháng … năm …' in {s!r}")
        year = s[m.start("y"):m.end("y")]
        return Found(PlaceDate(_place(s, m.start("dkw")), None), 1.0,
                     f"the year is not readable (read {year!r})")
    day, month = s[m.start("d"):m.end("d")].strip(), s[m.start("m"):m.end("m")].strip()
    place = _place(s, m.start("dkw"))
    why = (f"the date's blanks are not readable (day {day!r}, month {month!r}): "
           "written by hand")
    return Found(PlaceDate(place, None), 1.0, why)


def parse_date_line(text: str) -> Found[PlaceDate]:
    """``"Bát Tràng, ngày 05 tháng 01 năm 2026"`` → ``PlaceDate("Bát Tràng", date(2026, 1, 5))``.

    Reads through keywords without diacritics (``ngay``, ``thang``), missing
    spaces (``năm2025``), ``O``/``l`` for ``0``/``1``, and dates in words
    (``ngày mười lăm tháng chín năm hai nghìn không trăm hai mươi lăm``).
    """
    s = clean(text)
    f = fold(s)
    m = _DATE.search(f)
    reasons: list[str] = []
    confidence = 1.0
    if m:
        d, fd = _num(m.group("d"))
        mo, fm = _num(m.group("m"))
        y, fy = _num(m.group("y"))
        if fd or fm or fy:
            confidence *= DATE_DIGIT_AS_LETTER
            reasons.append("a digit read as a letter")
        if "]" in m.group("d") + m.group("m"):
            confidence *= DATE_BRACKET_AS_ONE
            reasons.append("']' read for '1'")
        # NĐ 30: days below 10 and months 1, 2 take a leading zero, months 3–12 none.
        # A date printed otherwise is more likely a digit misread or lost.
        raw_d, raw_m = m.group("d"), m.group("m")
        if len(raw_d) == 1:
            confidence *= DATE_DAY_WITHOUT_ZERO
            reasons.append(f"day {raw_d!r} without the leading zero NĐ 30 prints")
        if (len(raw_m) == 2 and mo < 10) != (mo <= 2):
            confidence *= DATE_MONTH_MISPRINTED
            reasons.append(f"month {raw_m!r} not as NĐ 30 prints it "
                           "(01, 02 with a zero; 3–12 without)")
        start = m.start("dkw")
    else:
        words = _words_date(s)
        if words is None:
            return _date_in_blanks(s, f)
        start, d, mo, y = words
        confidence *= DATE_IN_WORDS
        reasons.append("date written in words")
    date = _check_date(y, mo, d)
    if date is None:
        return _date_in_blanks(s, f)
    place = _place(s, start)
    if place is None:
        reasons.append("no place before the date")
    return Found(PlaceDate(place, date), round(confidence, 3), "; ".join(reasons) or None)


# --------------------------------------------------------------------------- type heading

_TYPE_KEYS = [(words_folded(name), vn_upper(name), name, code) for code, name in TYPES]


def match_type_name(text: str) -> Found[TypeMatch]:
    """A heading line against the NĐ 30 type names (fuzzy, diacritics-blind first).

    ``"QUYÉT ĐINH"`` → ``TypeMatch("QUYẾT ĐỊNH", "QĐ")`` with a little less
    confidence. Close calls between two names (THÔNG BÁO / THÔNG CÁO) lower
    the confidence further; below ``TYPE_MIN_SCORE`` nothing is returned.
    """
    s = clean(text).rstrip(":. ")
    key = words_folded(s)
    if not key:
        return Found.none("empty heading")
    upper = vn_upper(tone_style(re.sub(r"[^\w\s]", " ", s)))
    upper = re.sub(r"\s+", " ", upper).strip()
    scored = []
    for folded, printed, name, code in _TYPE_KEYS:
        score = fuzz.ratio(key, folded)
        accents = fuzz.ratio(upper, printed)
        scored.append((score, accents, name, code))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    best, second = scored[0], scored[1]
    score, accents, name, code = best
    if score < TYPE_MIN_SCORE:
        return Found.none(f"{s!r} is no NĐ 30 type name (closest {name}, {score:.0f})")
    if score == 100:
        confidence = 1.0 if accents == 100 else TYPE_ACCENTS_OFF
    else:
        confidence = TYPE_FUZZY * score / 100
    reason = None if confidence == 1.0 else f"heading read as {s!r}"
    if score - second[0] < TYPE_CLOSE_CALL:
        if accents - second[1] < TYPE_CLOSE_CALL:
            confidence = min(confidence, TYPE_UNDECIDED)
            reason = f"heading {s!r} is between {name} and {second[2]}"
        else:
            confidence = min(confidence, TYPE_BY_ACCENTS)
            reason = f"heading {s!r}: {name} rather than {second[2]} by its accents"
    return Found(TypeMatch(name, code), round(confidence, 3), reason)


def type_for_code(code: str) -> TypeMatch | None:
    name = NAME_BY_CODE.get(code)
    return TypeMatch(name, code) if name else None
