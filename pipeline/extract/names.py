"""Repairing misread names with what else the document says.

A commune's name is printed in the header (capitals), in the place-date
line and usually several times in the body; a signer's name is often in the
body too ("Chủ trì: Ông …"). OCR rarely misreads every occurrence the same
way, so the spelling most occurrences agree on wins. Occurrences are found
diacritics-blind and with a little fuzz, among capitalised word runs only.

Two small closed vocabularies help as well: the words that open an issuing
body's lines ("ỦY BAN NHÂN DÂN", "XÃ", "PHƯỜNG" …) and Vietnamese surnames.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.core.vi_names import ETHNIC_SURNAMES, INITIAL, MIDDLE_NAMES, SURNAMES, syllable
from pipeline.core.vi_text import fold, nfc, strip_foreign, tone_style, vn_upper, words_folded
from pipeline.extract.params import (
    GARBLED_SAME_END,
    GLUED_SYLLABLE_MIN,
    LETTER_OFF_MIN,
    LISTED_MIN_WORDS_READ,
    ORGAN_HEAD_MIN_SCORE,
    ORGAN_NAMING_MIN_SCORE,
    VOTE_IMPLAUSIBLE_WEIGHT,
    VOTE_MIN_SCORE,
    VOTE_ONE_EDIT_MIN_LETTERS,
)

_SURNAMES = frozenset(SURNAMES + ETHNIC_SURNAMES)

Token = tuple[str, float]  # a word (letters only) and its OCR confidence 0..1

_WORD = re.compile(r"[^\W\d_]+")

# First lines of a commune-level issuing body, and the unit words that open a
# line naming an administrative unit.
ORGAN_HEADS: tuple[str, ...] = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN", "ĐẢNG ỦY",
    "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM", "BAN CHỈ HUY QUÂN SỰ", "CÔNG AN", "TRẠM Y TẾ",
    "VĂN PHÒNG HỘI ĐỒNG NHÂN DÂN VÀ ỦY BAN NHÂN DÂN", "BAN CHỈ ĐẠO",
)
# Ministries and bodies of their rank: the first line of their units' documents ("BỘ CÔNG
# AN" over "CÔNG AN TỈNH …"), as from 2025 and as older dossiers print those merged then.
MINISTRIES: tuple[str, ...] = (
    "BỘ QUỐC PHÒNG", "BỘ CÔNG AN", "BỘ NGOẠI GIAO", "BỘ NỘI VỤ", "BỘ TƯ PHÁP", "BỘ TÀI CHÍNH",
    "BỘ CÔNG THƯƠNG", "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "BỘ XÂY DỰNG",
    "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "BỘ KHOA HỌC VÀ CÔNG NGHỆ", "BỘ GIÁO DỤC VÀ ĐÀO TẠO",
    "BỘ Y TẾ", "BỘ DÂN TỘC VÀ TÔN GIÁO", "NGÂN HÀNG NHÀ NƯỚC VIỆT NAM", "THANH TRA CHÍNH PHỦ",
    "VĂN PHÒNG CHÍNH PHỦ",
    # Before 2025.
    "BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "BỘ GIAO THÔNG VẬN TẢI", "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "BỘ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN", "BỘ THÔNG TIN VÀ TRUYỀN THÔNG",
    "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "ỦY BAN DÂN TỘC",
)
# A unit word this long (folded) is told with its first letter lost ("RƯỜNG", "HƯỜNG").
UNIT_FIRST_LOST_MIN = 5
UNIT_WORDS: dict[str, str] = {
    words_folded(w): w
    for w in ("XÃ", "PHƯỜNG", "THỊ TRẤN", "ĐẶC KHU", "HUYỆN", "QUẬN", "THỊ XÃ", "THÀNH PHỐ",
              "TỈNH",
              # Units of other issuers: read as they stand, never taken for a near one
              # ("PHÒNG" is no misread "PHƯỜNG").
              "PHÒNG", "SỞ", "BỘ", "CỤC", "CHI CỤC", "VỤ", "VĂN PHÒNG", "TRƯỜNG", "TRUNG TÂM",
              "BAN", "ĐỘI", "TRẠM")
}

_SURNAME_BY_KEY: dict[str, list[str]] = defaultdict(list)
for _s in dict.fromkeys(SURNAMES + ETHNIC_SURNAMES):
    _SURNAME_BY_KEY[fold(_s)].append(_s)


def tokens_of(texts: list[tuple[str, float]]) -> list[Token]:
    """Words (letters only, NFC) with their confidence, in reading order."""
    out: list[Token] = []
    for text, conf in texts:
        for t in _WORD.findall(nfc(text)):
            out.append((t, conf))
    return out


class Tally(NamedTuple):
    spelling: str  # the winning spelling, in the phrase's case
    agree: int  # occurrences with that spelling
    total: int  # all occurrences found
    other: str | None  # the best other spelling, if any


def vote(phrase: str, tokens: list[Token], min_ratio: float = VOTE_MIN_SCORE,
         spaces: bool = True) -> Tally:
    """The spelling of ``phrase`` most of its occurrences in ``tokens`` agree on.

    Occurrences are runs of capitalised words whose letters, without
    diacritics and spaces, are equal or nearly (rapidfuzz ratio ≥
    ``min_ratio``) and start alike. With ``spaces``, runs of one word more or
    fewer count too (a space read or lost: "HỘIAN"), with the very same letters.
    Occurrences are weighted by OCR confidence.
    """
    words = _WORD.findall(nfc(phrase))
    if not words:
        return Tally(phrase, 0, 0, None)
    n = len(words)
    key = "".join(fold(w) for w in words)
    weights: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for size in sorted({max(1, n - 1), n, n + 1} if spaces else {n}):
        for i in range(len(tokens) - size + 1):
            window = tokens[i : i + size]
            if not all(t[:1].isupper() for t, _ in window):
                continue
            wkey = "".join(fold(t) for t, _ in window)
            if wkey[:1] != key[:1] and words[0][:1].isupper():
                continue
            if size != n:
                # A space read or lost ("HỘIAN") keeps the letters, all of them: a word
                # more ("CÔNG AN TỈNH NINH BÌNH ĐỘC", run on into the motto) is another run.
                if wkey != key:
                    continue
            elif wkey != key and fuzz.ratio(wkey, key) < min_ratio and not (
                    len(key) >= VOTE_ONE_EDIT_MIN_LETTERS and Levenshtein.distance(wkey, key) <= 1):
                continue
            spelling = " ".join(t.lower() for t, _ in window)
            weights[spelling] += sum(c for _, c in window) / size
            counts[spelling] += 1
    if not weights:
        return Tally(phrase, 0, 0, None)
    # A spelling Vietnamese rules out ("trieu") is most likely a misread: it weighs less.
    ranked = sorted(weights, key=lambda s: (
        weights[s] * (VOTE_IMPLAUSIBLE_WEIGHT if implausible(s) else 1.0), counts[s]),
        reverse=True)
    best = ranked[0]
    other = _in_case_of(words, ranked[1].split()) if len(ranked) > 1 else None
    total = sum(counts.values())
    if best == " ".join(w.lower() for w in words):
        return Tally(phrase, counts[best], total, other)
    return Tally(_in_case_of(words, best.split()), counts[best], total, other)


def _in_case_of(model: list[str], spelling: list[str]) -> str:
    """``spelling`` in the case ``model`` is written in (capitals, or capitalised words)."""
    if all(m.isupper() for m in model) and any(len(m) > 1 for m in model):
        return " ".join(vn_upper(s) for s in spelling)
    return " ".join(s[:1].upper() + s[1:] for s in spelling)


def implausible(text: str) -> bool:
    """A word Vietnamese spelling rules out as written: "iê", "yê", "uô"/"ươ" lost
    their circumflex or horn ("TRIEU", "XUYEN", "MUONG")."""
    for w in _WORD.findall(nfc(text).lower()):
        f = fold(w)
        for m in re.finditer(r"[iy]e|uo", f):
            marks = unicodedata.normalize("NFD", w[m.start() + 1])
            if "\u0302" not in marks and "\u031b" not in marks:
                return True
    return False


class Voted(NamedTuple):
    value: str  # the reading kept or the spelling adopted
    reason: str | None  # why it changed, or why it is doubted
    doubt: bool  # occurrences disagree and no majority settles it
    other: str | None  # the competing spelling, when there is one


def voted(value: str, tokens: list[Token], spaces: bool = True) -> Voted:
    """``value``, or the spelling its other occurrences in the document agree on."""
    spelling, agree, total, other = vote(value, tokens, spaces=spaces)
    if spelling != value and agree >= 2:
        return Voted(spelling, f"read {value!r}; {agree} of {total} occurrences in the "
                               f"document read {spelling!r}", False, value)
    if spelling != value and implausible(value) and not implausible(spelling):
        # One against one, but one of them cannot be Vietnamese as written.
        return Voted(spelling, f"read {value!r}, not a Vietnamese spelling; elsewhere "
                               f"{spelling!r}", True, value)
    if spelling != value:
        return Voted(value, f"another occurrence in the document reads {spelling!r}", True,
                     spelling)
    if total and agree * 2 <= total:  # no majority for the reading kept
        return Voted(value, f"{total - agree} of {total} occurrences in the document read "
                            f"otherwise ({other!r})", True, other)
    return Voted(value, None, False, None)


def listed_past_one_garble(words: list[str]) -> str | None:
    """The one place of the 2025 list a name read with one word no syllable spells stands
    for ("Buôn VIq Thuột" → Buôn Ma Thuột): as many words, the others the same, marks
    aside. Two words at least must be read, or too many names fit, counting a syllable the
    garble ends in ("BUÔN W.\\LTHUỘT"); None if not one."""
    from pipeline.core import commune  # (loading the list costs a tenth of a second)

    garbled = [not spelt_word(w) for w in words]
    if sum(garbled) != 1:
        return None
    keys = [None if g else w for w, g in zip(words, garbled, strict=True)]
    if len(words) - 1 < LISTED_MIN_WORDS_READ:
        # The garble may hold the next word, the space between lost ("W.\LTHUỘT" for
        # "MA THUỘT"): its end, a syllable of GLUED_SYLLABLE_MIN letters or more, is read.
        at = garbled.index(True)
        tail = _spelt_tail(words[at])
        if tail is None:
            return None
        keys[at:at + 1] = [None, tail]
        if len(keys) - 1 < LISTED_MIN_WORDS_READ:
            return None
    found = commune.places_matching(keys)
    return found[0] if len(found) == 1 else None


def spelt_word(word: str) -> bool:
    """Letters only, spelt as a Vietnamese syllable: no word read past knowing."""
    return word.isalpha() and bool(syllable(word))


def fits_past_garbles(read: str, other: str, letter_off: bool = False,
                      lone_letters: bool = False) -> bool:
    """Whether a doubted reading could be ``other`` with words lost or garbled: its words
    spelt as syllables are, folded and in order, words of ``other``, and there is at least
    one ("ỦY BAN NHÂN DÂN TỈNH DÔNG TIELVP" fits "… TỈNH ĐỒNG THÁP"; "Hfc Toàn" fits
    "Hồ Đức Toàn"; "KÝ 5À, 0 HAÀN" fits no UBND: "KÝ" is spelt and not there). With
    ``letter_off``, a spelt word of ``LETTER_OFF_MIN`` letters or more may be a letter
    off its word ("NGHĨ" for NGHĨA: a letter lost still spells a syllable). With
    ``lone_letters``, a word of one letter is a scrap too ("BỘ C Ê )NG AN": CÔNG broken up;
    a body's name has no such word, a name may: "Nay Y Dớt")."""
    words = [w for w in read.split() if not (lone_letters and len(w) == 1)]
    spelt = [fold(w) for w in words if spelt_word(w)]
    theirs = iter(fold(w) for w in other.split())

    def found(word: str) -> bool:
        return any(t == word or (letter_off and len(word) >= LETTER_OFF_MIN
                                 and Levenshtein.distance(t, word) <= 1) for t in theirs)

    return bool(spelt) and len(words) <= len(other.split()) + 1 and all(
        found(w) for w in spelt)


def _spelt_tail(word: str) -> str | None:
    """The longest end of a garbled word that is a syllable of ``GLUED_SYLLABLE_MIN``
    letters or more, with something left before it; None if none."""
    for k in range(1, len(word) - GLUED_SYLLABLE_MIN + 1):
        if spelt_word(word[k:]):
            return word[k:]
    return None


def vowel_read_twice(word: str) -> str | None:
    """A name's word that no syllable spells, with one vowel read twice over ("Khặăm",
    "Khăặm": the marks found on one pass, lost on the other), as the syllable left with the
    marked reading alone ("Khặm"); None for any other word."""
    if syllable(word):
        return None
    base = fold(word)
    found = set()
    for i in range(len(word) - 1):
        if base[i] != base[i + 1] or base[i] not in "aeiouy":
            continue
        marks = [len(unicodedata.normalize("NFD", c)) for c in word[i:i + 2]]
        if marks[0] == marks[1]:
            continue  # "oo" is spelt so; no reading is the marked one
        drop = i + 1 if marks[0] > marks[1] else i
        kept = word[:drop] + word[drop + 1:]
        if syllable(kept):
            found.add(kept)
    return found.pop() if len(found) == 1 else None


def _unit_word(words: list[str]) -> str | None:
    """"XÃ", "PHƯỜNG"… for the opening word(s) of a line, allowing one stray letter
    ("THNH PHỐ": THÀNH PHỐ, of two words; not TỈNH, a letter from "THNH" alone), or a
    long one's first letter lost ("RƯỜNG": TRƯỜNG)."""
    key = words_folded(" ".join(words))
    if key in UNIT_WORDS:
        return UNIT_WORDS[key]
    if len(words) in (1, 2) and key:
        close = [u for k, u in UNIT_WORDS.items()
                 if k.count(" ") == len(words) - 1 and (
                     (k[0] == key[0] and Levenshtein.distance(k, key) <= 1
                      and abs(len(k) - len(key)) <= 1)
                     or (len(k) >= UNIT_FIRST_LOST_MIN and k[1:] == key))]
        if len(close) == 1:
            return close[0]
    return None


def opens_with_unit(line: str) -> bool:
    """Whether a header line opens with a unit word: "XÃ BÁT TRÀNG" does, "BÁT TRÀNG" not."""
    words = line.split()
    return any(_unit_word(words[:k]) for k in (2, 1) if len(words) >= k)


def unit_phrases(tokens: list[Token]) -> dict[str, int]:
    """How often the document names each unit: "xã Nhơn Trạch" → {"XÃ NHƠN TRẠCH": 3}.

    A unit word followed by one to four capitalised words; every length is a
    candidate, since where the name ends is not known.
    """
    out: dict[str, int] = defaultdict(int)
    folded = [fold(t) for t, _ in tokens]
    for i in range(len(tokens)):
        for k in (2, 1):
            unit = UNIT_WORDS.get(" ".join(folded[i : i + k]))
            if unit:
                break
        else:
            continue
        names: list[str] = []
        for t, _ in tokens[i + k : i + k + 4]:
            if not t[:1].isupper():
                break
            names.append(vn_upper(t))
            out[f"{unit} {' '.join(names)}"] += 1
    return out


def _compact(text: str) -> str:
    return "".join(c for c in fold(text) if c.isalpha())


def organ_line_from_document(text: str, tokens: list[Token], place: str | None = None
                             ) -> tuple[str, str] | None:
    """How the document itself names the unit a garbled header line stands for.

    Only a naming the document uses at least twice (the place in the date
    line counts as one), whose letters are near the line's (rapidfuzz ≥
    ``ORGAN_NAMING_MIN_SCORE``, diacritics and spaces aside): "XÂN HƠN TRẠCH"
    or "ÃXÃA NHƠN TRẠCH" for "XÃ NHƠN TRẠCH". Returns (line, reason).
    """
    key = _compact(text)
    if not key:
        return None
    phrases = unit_phrases(tokens)
    if place:
        for p in phrases:
            if p.split(" ", 1)[1] == vn_upper(place) or p.split(" ", 2)[-1] == vn_upper(place):
                phrases[p] += 1
    near = {p: n for p, n in phrases.items()
            if n >= 2 and fuzz.ratio(_compact(p), key) >= ORGAN_NAMING_MIN_SCORE}
    if not near:
        return None
    best = max(near, key=lambda p: (near[p], fuzz.ratio(_compact(p), key)))
    return best, f"read {text!r}; the document names it {best!r} ({near[best]}×)"


def _heads_for(key: str) -> tuple[str, ...]:
    """The known first lines a folded line may be read against. A ministry's name only
    after its own first word: a Sở is named as its ministry is ("SỞ XÂY DỰNG", "BỘ XÂY
    DỰNG"). Nor a line opening with one unit word for a head opening with another ("BỘ
    CHỈ HUY QUÂN SỰ", a province's, is no BAN CHỈ HUY QUÂN SỰ); a head's first word lost
    ("BAN NHÂN DÂN") is still its head."""
    first = key.split()[:1]
    unit = bool(first) and first[0] in UNIT_WORDS

    def fits(head: str) -> bool:
        opening = words_folded(head).split()[:1]
        return opening == first or not (unit and opening[0] in UNIT_WORDS)

    return tuple(h for h in ORGAN_HEADS if fits(h)) + tuple(
        m for m in MINISTRIES if words_folded(m).split()[:1] == first)


def fix_organ_line(line: str, tokens: list[Token], place: str | None = None
                   ) -> tuple[str, str | None, bool]:
    """One header line of the issuing body, repaired with what the document says.

    Returns (line, reason if changed or doubted, doubt). A known first line
    ("ỦY BAN NHÂN DÂN", a ministry) is taken whole; a unit line has its unit word
    ("XÃ", "PHƯỜNG") set right and its name voted on; a line the vote finds
    no support for takes the document's own naming of the unit, if near.
    """
    text = vn_upper(re.sub(r"\s+", " ", strip_foreign(line)).strip())
    key = words_folded(text)
    best = max(_heads_for(key), key=lambda h: fuzz.ratio(key, words_folded(h)), default="")
    if best and fuzz.ratio(key, words_folded(best)) >= ORGAN_HEAD_MIN_SCORE:
        if tone_style(text) == tone_style(best):
            return text, None, False  # "UỶ BAN" as printed: the older tone placement is right
        return best, None if best == text else f"read {line!r}", False
    words = text.split()
    reasons = []
    head, rest = [], words
    unit_set_right = first_lost = False
    # The unit word's one or two words, or two read with a space inside the first ("TH YNH
    # PHỐ" for THÀNH PHỐ).
    for k, opening in ((2, words[:2]), (1, words[:1]), (3, ["".join(words[:2]), *words[2:3]])):
        unit = _unit_word(opening) if len(words) >= k else None
        if unit and len(words) > k:
            head, rest = unit.split(), words[k:]
            if unit != " ".join(words[:k]):
                unit_set_right = True
                reasons.append(f"read {' '.join(words[:k])!r} for {unit!r}")
                # A letter lost, not misread: what was there is a guess.
                first_lost = words_folded(unit)[1:] == words_folded(" ".join(words[:k]))
            break
    name = " ".join(rest)
    v = voted(name, tokens)
    listed = listed_past_one_garble(v.value.split())
    if listed is not None:
        v = Voted(vn_upper(listed), "; ".join(filter(None, (
            v.reason, f"read {v.value!r}, a word past reading: {listed!r} is the one place on "
                      "the 2025 list its other words fit"))), True, v.value)
    if v.doubt and v.other is not None and v.value == name:
        from pipeline.core import commune  # (loading the list costs a tenth of a second)

        if not commune.is_place_name(name) and commune.is_place_name(v.other):
            # One reading against another, and only the other names a place on the list.
            v = Voted(v.other, f"read {name!r}, which no place on the 2025 list is called; "
                               f"elsewhere {v.other!r}, which one is", True, name)
    supported = v.value != name or vote(name, tokens).total >= 2
    if not head or v.doubt or not supported:
        named = organ_line_from_document(text, tokens, place)
        if named is not None:
            return named[0], named[1], True
    if v.reason:
        reasons.append(v.reason)
    doubt = v.doubt or first_lost
    if unit_set_right and not supported and not doubt:
        from pipeline.core import commune

        if not commune.is_place_name(v.value):
            # The unit word set right ("TINH" → TỈNH) before a name neither the document
            # nor the 2025 list knows ("PHỔ LÀO CAI"): the line may be another unit's.
            doubt = True
            reasons.append(f"{v.value!r} is named nowhere else and on no list")
    return " ".join(head + [v.value]), "; ".join(reasons) or None, doubt


# Administrative units, which a body governs ("ỦY BAN NHÂN DÂN" over "XÃ …"), unlike the
# other unit words ("BỘ", "SỞ", "TRƯỜNG"), which name the issuing body themselves.
_ADMINISTRATIVE_UNITS = frozenset(("XÃ", "PHƯỜNG", "THỊ TRẤN", "ĐẶC KHU", "HUYỆN", "QUẬN",
                                   "THỊ XÃ", "THÀNH PHỐ", "TỈNH"))
# "TỈNH ỦY", "HUYỆN ĐOÀN", "TỈNH ĐỘI": a body's own name that opens with a unit word.
_UNIT_BODY_WORDS = frozenset(("uy", "doan", "doi"))


def names_only_a_unit(line: str) -> bool:
    """Whether an issuing body's first line names an administrative unit only ("THÀNH
    PHỐ BUÔN MA THUỘT"): the line naming the body ("ỦY BAN NHÂN DÂN") would be above it."""
    words = line.split()
    unit = next((u for k in (2, 1) if len(words) >= k and (u := _unit_word(words[:k]))), None)
    if unit not in _ADMINISTRATIVE_UNITS:
        return False
    after = words[len(unit.split())] if len(words) > len(unit.split()) else ""
    return fold(after) not in _UNIT_BODY_WORDS


def head_for(unit: str, tokens: list[Token]) -> tuple[str, int] | None:
    """The line missing above a lone unit line (``unit``: "THÀNH PHỐ BUÔN MA THUỘT"), as
    the document itself names the body: "<head> <unit>" in its text, for a head of
    ``ORGAN_HEADS``. Returns ("ỦY BAN NHÂN DÂN", occurrences) or None."""
    unit_key = [fold(w) for w in _WORD.findall(nfc(unit))]
    folded = [fold(t) for t, _ in tokens]
    keys = {head: [fold(w) for w in _WORD.findall(head)] + unit_key for head in ORGAN_HEADS}
    found = {head: sum(folded[i : i + len(key)] == key for i in range(len(folded) - len(key) + 1))
             for head, key in keys.items()}
    best = max(found, key=lambda h: found[h])
    return (best, found[best]) if found[best] else None


def unit_for(head: str, place: str | None, tokens: list[Token]) -> tuple[str, int] | None:
    """The unit line missing under a lone ``head`` ("ỦY BAN NHÂN DÂN"), as the
    document itself names it: "<head> xã|phường … <place>" in the body.

    Returns ("PHƯỜNG CHÂU ĐỐC", occurrences) or None when the body does not say.
    """
    if not place:
        return None
    head_key = [fold(w) for w in _WORD.findall(head)]
    place_words = _WORD.findall(nfc(place))
    place_key = [fold(w) for w in place_words]
    folded = [fold(t) for t, _ in tokens]
    n, m = len(head_key), len(place_key)
    found: dict[str, int] = defaultdict(int)
    for i in range(len(tokens) - n):
        if folded[i : i + n] != head_key:
            continue
        for k in (1, 2):
            unit = UNIT_WORDS.get(" ".join(folded[i + n : i + n + k]))
            if unit and folded[i + n + k : i + n + k + m] == place_key:
                found[unit] += 1
                break
    if not found:
        return None
    unit = max(found, key=lambda u: found[u])
    return f"{unit} {vn_upper(place)}", found[unit]


def name_word(w: str) -> bool:
    return w[:1].isupper() and (len(w) == 1 or w[1:].islower()) and w.isalpha()


def drop_leading_scraps(name: str) -> tuple[str, str | None]:
    """"bà Ngô Thị Nhung", "si Ngô Ngọc Diễm": scraps of the seal or signature read
    before the name go, when what follows is a full name opening with a surname."""
    words = name.split()
    for k in range(1, min(3, len(words) - 1)):
        head, rest = words[:k], words[k:]
        if any(name_word(w) for w in head):
            break  # a capitalised word ("Hunh"): a garbled surname, not a scrap
        # "siu Thương": a capital whose small letter has its shape (c, o, s, u, v, w, x,
        # z) read small, on a surname before a capitalised name.
        if rest[0][:1] in "cosuvwxz" and rest[0].capitalize() in _SURNAMES \
                and len(rest) >= 2 and all(name_word(w) for w in rest[1:]):
            rest = [rest[0].capitalize(), *rest[1:]]
        if rest[0] in MIDDLE_NAMES and len(rest) == 2:
            break  # "SÃiều Văn Hiếu": "Văn" is the middle name, the scrap a surname
        if rest[0] in _SURNAMES and all(name_word(w) for w in rest) and len(rest) >= 2:
            return " ".join(rest), f"{' '.join(head)!r} before the name left out"
    return name, None


def fix_surname(name: str) -> tuple[str, str | None]:
    """A full name whose first word is no surname but reads as exactly one without accents."""
    words = name.split()
    if len(words) < 2 or words[0] in _SURNAME_BY_KEY.get(fold(words[0]), []):
        return name, None
    options = _SURNAME_BY_KEY.get(fold(words[0]), [])
    if len(options) != 1:
        return name, None
    return " ".join([options[0], *words[1:]]), f"surname read as {words[0]!r}"


def near_surname(word: str) -> str | None:
    """The one surname ``word`` is a letter away from ("Đhạm" → "Phạm", "Hgỳnh" →
    "Huỳnh", "Nav" → "Nay"), with accents or, failing that, one letter for another without them
    ("Trậh" → "Trần"); None when none is, or more than one. A seal stamped over a
    name garbles its first word."""
    if len(word) < 3 or word in _SURNAMES or word in MIDDLE_NAMES:
        return None
    low = word.lower()
    if low.endswith("v") and word[:-1] + "y" in _SURNAMES:
        # No syllable ends in v: a y whose tail was lost ("Nav" for Nay), ethnic or not.
        return word[:-1] + "y"
    # Guesses are Kinh surnames only: a word a letter from an ethnic one ("Tráng") is as
    # likely a misread given name, and stays as read.
    near = {s for s in SURNAMES if Levenshtein.distance(low, s.lower()) <= 1}
    if not near:
        # Without accents, one letter for another only ("Ngọc" is not "Ngô").
        key = fold(word)
        near = {s for s in SURNAMES
                if len(fold(s)) == len(key) and Levenshtein.distance(key, fold(s)) <= 1}
    return next(iter(near)) if len(near) == 1 else None


# --------------------------------------------------------------------------- a name under a seal

# Of two surnames a garbled word may stand for, a common one (SURNAMES lists them
# before "Âu") is far likelier than a rare one.
_COMMON_SURNAMES = frozenset(SURNAMES[:SURNAMES.index("Âu")])

def _rhyme(surname: str) -> str:
    low = surname.lower()
    m = INITIAL.match(low)
    return low[m.end():] if m else low


def _common_tail(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def guess_surname(word: str) -> tuple[str, str | None] | None:
    """The surname a word whose left part a seal ate ends like: "Jinh" → Đinh, "qỳnh" →
    Huỳnh, "Đhạm" → Phạm. The word must end, accents and all, in three letters of the
    surname or in its whole rhyme, with at most two other letters before them; or,
    failing that, in four letters of it without accents ("qhguyến" → Nguyễn). Of
    several, the one matching most letters; then a common surname over rare ones
    (Đinh over Ninh), said in the second item; else None."""
    low = word.lower()
    if len(low) < 2 or not low.isalpha() or word in _SURNAMES:
        return None
    found: dict[str, int] = {}
    for s in dict.fromkeys(SURNAMES):
        n = _common_tail(s.lower(), low)
        if (n >= 3 or 2 <= len(_rhyme(s)) <= n) and len(low) - n <= 2:
            found[s] = n
    if not found:
        for s in dict.fromkeys(SURNAMES):
            n = _common_tail(fold(s), fold(low))
            if n >= 4 and len(low) - n <= 2:
                found[s] = n
    if not found:
        return None
    best = max(found.values())
    top = [s for s in found if found[s] == best]
    if len(top) == 1:
        return top[0], None
    common = [s for s in top if s in _COMMON_SURNAMES]
    if len(common) == 1:
        others = ", ".join(s for s in top if s != common[0])
        return common[0], f"far commoner than {others}"
    return None


class NameRead(NamedTuple):
    value: str  # surname and given names
    reason: str  # what was left out or guessed
    guessed: bool  # the surname is a guess from a garbled word
    surname_read: bool  # the surname was read letter for letter


def _word_of(token: str) -> str:
    """A token without what a seal's lettering glued to it: "X'`Tạ" → "Tạ", "Ý4Hà" → "Hà"."""
    runs = _WORD.findall(token)
    named = [r for r in runs if len(r) >= 2 and name_word(r)]
    return named[-1] if named else (runs[-1] if runs else "")


def _kind(word: str) -> str:
    """"name": a capitalised syllable of two letters or more; "odd": capitalised but no
    syllable (a misread); "scrap": anything else (lower case, capitals, one letter)."""
    if len(word) < 2 or not name_word(word):
        return "scrap"
    return "name" if syllable(word) else "odd"


def name_from_line(text: str) -> NameRead | None:
    """The full name in a name line a seal's lettering crossed, or None when the line is
    a plain name or no full name can be told in it.

    A seal stamped over the left of a signature puts its ring lettering on the name
    line: scraps ("T", "ST", "w", "X'`") before, inside and after the name, a word
    before the surname ("Sạn Quách UY Đình Triêu"), or the surname's first letters
    eaten ("Jinh Đình Sơn"). Scraps go when a surname and two or three name words
    remain; capitalised words before the surname go only then too, and at most two.
    With no surname read, the word before the middle and given names may be a
    surname's tail (``guess_surname``).
    """
    tokens = text.split()
    if not tokens:
        return None  # a line of specks only
    words = [_word_of(t) for t in tokens]
    kinds = [_kind(w) for w in words]
    if words == tokens and all(name_word(w) for w in words) and words[0] in _SURNAMES:
        return None  # a plain name ("Nguyễn Văn Ý" too)
    names = [i for i, k in enumerate(kinds) if k == "name"]
    for j, i in enumerate(names):
        surname = words[i]
        options = _SURNAME_BY_KEY.get(fold(surname), [])
        fixed = j == 0 and surname not in _SURNAMES and len(options) == 1 \
            and surname not in MIDDLE_NAMES
        rest = [words[k] for k in names[j + 1:]]
        if (surname not in _SURNAMES and not fixed) \
                or (surname in MIDDLE_NAMES and len(rest) < 2):
            continue  # "Văn", "Kim": a middle name here
        head = [words[k] for k in range(i) if kinds[k] != "scrap"]
        odd_inside = any(kinds[k] == "odd" for k in range(i + 1, len(words)))
        if not 2 <= len(rest) <= 3 or len(head) > 2 or odd_inside \
                or (head and surname in MIDDLE_NAMES):
            break
        kept = {i, *names[j + 1:]}
        left = [t if k not in kept else t.replace(words[k], "", 1)
                for k, t in enumerate(tokens)]
        left = [t for t in left if any(c.isalnum() for c in t)]
        if not left:
            return None  # a plain name (its surname's accent is set right elsewhere)
        reasons = [f"read {text!r}", f"{' '.join(left)!r} left out"]
        if fixed:
            reasons.append(f"surname read as {surname!r}")
        return NameRead(" ".join([options[0] if fixed else surname, *rest]),
                        "; ".join(reasons), False, not fixed)
    # A surname, but not followed by a name; a surname's spelling that ends the line is
    # the given name ("Đình Sơn", "Thị Hà").
    if any(words[k] in _SURNAMES and words[k] not in MIDDLE_NAMES for k in names[:-1]):
        return None
    # No surname: the middle and given names at the end, a surname's tail before them
    # (garbled: a word spelt right, "Bình", is a misread, not what a seal left).
    if not 2 <= len(names) <= 3 or any(kinds[k] == "odd" for k in range(names[0], len(words))):
        return None
    before = [k for k in range(names[0]) if len(words[k]) >= 2][-2:]
    for k in reversed(before):
        guess = guess_surname(words[k])
        if guess is not None:
            why = f"read {text!r}; surname guessed from {words[k]!r}"
            if guess[1]:
                why += f" ({guess[0]}: {guess[1]})"
            return NameRead(" ".join([guess[0], *(words[n] for n in names)]), why, True,
                            False)
    return None


def given_names(name: str) -> list[str]:
    """The middle and given names of a name whose surname is doubtful or lost: the words
    after a surname ("Đinh Đình Sơn" → Đình Sơn), or else the name words it ends with
    ("ề Tấn Quyết", "Bá Quyết" → Tấn Quyết, Bá Quyết)."""
    words = name.split()
    if len(words) >= 3 and words[0] in _SURNAMES:
        return words[1:]
    tail: list[str] = []
    for w in reversed(words):
        if _kind(w) != "name" or len(tail) == 3:
            break
        tail.insert(0, w)
    return tail if len(tail) >= 2 else []


def _garbled_first_elsewhere(words: list[str], tokens: list[Token]) -> tuple[str, int] | None:
    """A name read as a word no syllable spells and a given name ("Hfc Toàn", the seal's
    stroke over "Hồ Đức"): the one name elsewhere, a surname and a word or two, that
    ends in that given name and opens with the garbled word's letter ("Hồ Đức Toàn")."""
    if len(words) != 2 or syllable(words[0].lower()) or _kind(words[1]) != "name":
        return None
    first, given = fold(words[0])[:1], words[1]
    found: dict[str, int] = defaultdict(int)
    for n in (3, 4):
        for i in range(len(tokens) - n + 1):
            run = [t for t, _ in tokens[i:i + n]]
            if run[-1] == given and run[0] in _SURNAMES and fold(run[0])[:1] == first \
                    and all(_kind(w) == "name" for w in run[1:-1]):
                found[" ".join(run)] += 1
    return next(iter(found.items())) if len(found) == 1 else None


def _garbled_last_elsewhere(words: list[str], tokens: list[Token]) -> tuple[str, int] | None:
    """A name read surname first whose last word no syllable spells ("Lương Công Xehĩa"):
    the one name elsewhere with the words before it, letter for letter, and a last word
    ending in the same ``GARBLED_SAME_END`` letters, marks and all ("Lương Công Nghĩa")."""
    last = words[-1]
    if len(words) < 2 or syllable(last.lower()) or len(last) < GARBLED_SAME_END:
        return None
    end, n = last[-GARBLED_SAME_END:].lower(), len(words)
    found: dict[str, int] = defaultdict(int)
    for i in range(len(tokens) - n + 1):
        run = [t for t, _ in tokens[i:i + n]]
        if run[:-1] == words[:-1] and run[-1] != last and run[-1].lower().endswith(end) \
                and syllable(run[-1].lower()):
            found[" ".join(run)] += 1
    return next(iter(found.items())) if len(found) == 1 else None


def named_elsewhere(name: str, surname_read: bool, tokens: list[Token]
                    ) -> tuple[str, int] | None:
    """How a doubted signer's name is read elsewhere (the body, the dossier's other
    documents), when that settles it: (spelling, times), or None.

    With its surname not read as it stands ("Jinh Đình Sơn", "Tô Mỹ Hằng" from "To",
    "Bá Quyết"): the one surname its middle and given names follow elsewhere, letter
    for letter, or else the one spelling of a surname and those names, accents aside
    ("Thủy Phượng" → "Tạ Thùy Phượng"). With its surname read: the one other spelling
    of the whole name, accents aside ("Đường Hồng Nhung" → "Dương Hồng Nhung"),
    unless its own spelling is read elsewhere too.
    """
    words = name.split()
    given = words[1:] if surname_read else given_names(name)
    if len(given) < 2:
        return None if surname_read else _garbled_first_elsewhere(words, tokens)
    n = len(given)
    exact: dict[str, int] = defaultdict(int)
    near: dict[str, int] = defaultdict(int)
    key = [fold(w) for w in given]
    for i in range(len(tokens) - n):
        surname = tokens[i][0]
        if surname not in _SURNAMES:
            continue
        run = [t for t, _ in tokens[i + 1 : i + 1 + n]]
        if [fold(t) for t in run] != key or (surname_read and fold(surname) != fold(words[0])):
            continue
        near[" ".join([surname, *run])] += 1
        if run == given:
            exact[surname] += 1
    if surname_read:
        if not near:
            return _garbled_last_elsewhere(words, tokens)
        if name in near or len(near) != 1:
            return None
        return next(iter(near.items()))
    if exact:
        if len(exact) != 1:
            return None
        surname, times = next(iter(exact.items()))
        return " ".join([surname, *given]), times
    return next(iter(near.items())) if len(near) == 1 else None
