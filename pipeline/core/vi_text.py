"""Vietnamese text: NFC, folding (diacritics off, đ → d), letters, case and tone placement.

Everything here is pure and works on NFC strings. ``fold`` maps each
character to one lower-case ASCII-ish character (diacritics dropped, đ → d)
so that a match found in the folded text has the same indices in the
original text.
"""

from __future__ import annotations

import re
import unicodedata

# U+00D0 (Icelandic eth) and U+0110 (Vietnamese Đ) look the same; OCR and
# typists mix them. Dashes and slashes have look-alikes too.
_LOOKALIKES = str.maketrans({
    "\u00d0": "\u0110",  # Ð → Đ
    "\u00f0": "\u0111",  # ð → đ
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\u00ad": "-",
    "\u2215": "/", "\uff0f": "/", "\u2044": "/",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
})

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, look-alike characters unified, whitespace collapsed."""
    return _SPACES.sub(" ", nfc(text).translate(_LOOKALIKES)).strip()


def _fold_char(c: str) -> str:
    if c in "đĐðÐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[:1] or c
    low = base.lower()
    return low[:1] if low else base


# The date line's keywords as OCR reads them, on folded text: "ngày" (ngay, nqay, ngav …;
# a thin y broken into a backslash and a quote, "ngà\'", or lost, "ngà"), "tháng" (thang,
# tbang, tng …) and "năm" (nam, narn, nan …; a speck may follow it: "nămr"). Shared by the
# OCR's second look at hand-filled blanks and the extraction's date parsing.
DAY_WORD = r"n[gq](?:[a-z]{0,2}?(?:[yv]|\\')|a)"
MONTH_WORD = r"t[hb]?[a-z]{0,3}?g"
YEAR_WORD = r"n[a-z]{0,2}?(?:m|rn|n)[a-z]?"


def fold(text: str) -> str:
    """One lower-case base letter per character: ``fold(s)[i]`` comes from ``s[i]``."""
    return "".join(_fold_char(c) for c in text)


# Combining marks, as NFD gives them: the five tones (huyền, sắc, ngã, hỏi, nặng), and the
# marks a vowel is spelt with (â ê ô, ă, ơ ư), under which a tone is stacked.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
VOWEL_MARKS = frozenset("\u0302\u0306\u031b")
_VI_MARKS = TONE_MARKS | VOWEL_MARKS
_VI_BASE = frozenset("abcdefghijklmnopqrstuvwxyz")


def untoned(text: str) -> str:
    """``text`` without its tone marks, its vowels' own marks kept ("Tuấn" → "Tuân")."""
    return nfc("".join(c for c in unicodedata.normalize("NFD", text) if c not in TONE_MARKS))


def vietnamese_letter(c: str) -> bool:
    """A letter of the Vietnamese alphabet with its marks (not "ä", "ø", "ÿ" …)."""
    if c in "đĐ":
        return True
    d = unicodedata.normalize("NFD", c)
    return d[:1].lower() in _VI_BASE and all(m in _VI_MARKS for m in d[1:])


def strip_foreign(text: str) -> str:
    """Drop letters no Vietnamese word has: OCR's reading of specks and seal strokes."""
    return nfc("".join(c for c in text if not c.isalpha() or vietnamese_letter(c)))


def letters(text: str) -> str:
    """Only the letters, folded: for fuzzy comparison of headings."""
    return "".join(c for c in fold(text) if c.isalpha())


def words_folded(text: str) -> str:
    """Folded, non-letters to spaces, collapsed: ``"CỘNG HÒA, XÃ"`` → ``"cong hoa xa"``."""
    return _SPACES.sub(" ", "".join(c if c.isalpha() else " " for c in fold(text))).strip()


def upper_ratio(text: str) -> float:
    """Share of the letters that are capitals (1.0 for ``"QUYẾT ĐỊNH"``)."""
    ls = [c for c in text if c.isalpha()]
    if not ls:
        return 0.0
    return sum(1 for c in ls if c.isupper()) / len(ls)


def vn_upper(text: str) -> str:
    return nfc(nfc(text).upper())


# Old-style tone placement (hoà, thoả, uỷ) → the style NĐ 30 documents use (hòa, thỏa, ủy).
_TONE_STYLE = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        ("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
        ("oè", "òe"), ("oé", "óe"), ("oẻ", "ỏe"), ("oẽ", "õe"), ("oẹ", "ọe"),
        ("uỳ", "ùy"), ("uý", "úy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy"),
    )
]


def tone_style(text: str) -> str:
    """Move tone marks of ``oa oe uy`` onto the first vowel, keeping case."""
    out = nfc(text)
    for pattern, repl in _TONE_STYLE:
        def sub(m: re.Match[str], repl: str = repl) -> str:
            s = m.group(0)
            return "".join(r.upper() if o.isupper() else r for o, r in zip(s, repl))
        # Only when the pair ends a syllable (not "quyết": the mark there belongs to ê).
        out = re.sub(pattern.pattern + r"(?![^\W\d_])", sub, out, flags=re.IGNORECASE)
    return out


_INDEX_WORD = re.compile(r"\w+")


def index_words(text: str) -> list[str]:
    """The words of ``text`` as the search index keeps them: NFC, folded (no tone or vowel
    marks, đ → d, lower case), letters and digits. Both tone placements (hoà, hòa) fold alike."""
    return _INDEX_WORD.findall(fold(nfc(text)))
