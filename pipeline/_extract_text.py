"""Text helpers for metadata extraction: folding, NĐ 30 tables, number words.

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


def fold(text: str) -> str:
    """One lower-case base letter per character: ``fold(s)[i]`` comes from ``s[i]``."""
    return "".join(_fold_char(c) for c in text)


_VI_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_VI_BASE = frozenset("abcdefghijklmnopqrstuvwxyz")


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


# --------------------------------------------------------------------------- NĐ 30 tables

# Phụ lục III: (abbreviation, name as printed as a heading). Công văn and thư
# công have no abbreviation. SY/TrS/SL mark copies, not headings.
TYPES: tuple[tuple[str, str], ...] = (
    ("NQ", "NGHỊ QUYẾT"), ("QĐ", "QUYẾT ĐỊNH"), ("CT", "CHỈ THỊ"), ("QC", "QUY CHẾ"),
    ("QyĐ", "QUY ĐỊNH"), ("TC", "THÔNG CÁO"), ("TB", "THÔNG BÁO"), ("HD", "HƯỚNG DẪN"),
    ("CTr", "CHƯƠNG TRÌNH"), ("KH", "KẾ HOẠCH"), ("PA", "PHƯƠNG ÁN"), ("ĐA", "ĐỀ ÁN"),
    ("DA", "DỰ ÁN"), ("BC", "BÁO CÁO"), ("BB", "BIÊN BẢN"), ("TTr", "TỜ TRÌNH"),
    ("HĐ", "HỢP ĐỒNG"), ("CĐ", "CÔNG ĐIỆN"), ("BGN", "BẢN GHI NHỚ"),
    ("BTT", "BẢN THỎA THUẬN"), ("GUQ", "GIẤY ỦY QUYỀN"), ("GM", "GIẤY MỜI"),
    ("GGT", "GIẤY GIỚI THIỆU"), ("GNP", "GIẤY NGHỈ PHÉP"), ("PG", "PHIẾU GỬI"),
    ("PC", "PHIẾU CHUYỂN"), ("PB", "PHIẾU BÁO"),
)
COPY_CODES: tuple[str, ...] = ("SY", "TrS", "SL")
CONG_VAN = "Công văn"

NAME_BY_CODE: dict[str, str] = {code: name for code, name in TYPES}
ALL_CODES: tuple[str, ...] = tuple(c for c, _ in TYPES) + COPY_CODES


def _code_key(code: str) -> str:
    return code.upper().replace("Đ", "D")


# Folded upper-case key → every code that reads that way once Đ is taken for D.
CODES_BY_KEY: dict[str, tuple[str, ...]] = {}
for _c in ALL_CODES:
    CODES_BY_KEY[_code_key(_c)] = CODES_BY_KEY.get(_code_key(_c), ()) + (_c,)
CODE_BY_UPPER: dict[str, str] = {c.upper(): c for c in ALL_CODES}

# Organ abbreviations in notations whose Đ is often read as D (or the reverse).
ORGAN_ABBR_FIX: dict[str, str] = {
    "HDND": "HĐND", "UBNĐ": "UBND", "ƯBND": "UBND", "DU": "ĐU", "DTN": "ĐTN",
}

# Signature block: authority prefixes and usual positions (commune and district level).
AUTHORITY_PREFIXES: tuple[str, ...] = ("TM.", "KT.", "TL.", "TUQ.", "Q.")
POSITIONS: tuple[str, ...] = (
    "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG",
    "PHÓ TRƯỞNG PHÒNG", "CHỦ TRÌ", "THƯ KÝ", "BÍ THƯ", "PHÓ BÍ THƯ", "GIÁM ĐỐC",
    "PHÓ GIÁM ĐỐC", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "TRƯỞNG CÔNG AN", "CHỈ HUY TRƯỞNG",
    "HIỆU TRƯỞNG", "TRƯỞNG TRẠM", "TỔ TRƯỞNG", "TRƯỞNG THÔN", "CHÁNH ÁN", "VIỆN TRƯỞNG",
    "CHỦ NHIỆM", "KẾ TOÁN TRƯỞNG", "NGƯỜI LẬP", "NGƯỜI KÝ",
)
AUTHORITY_BODIES: tuple[str, ...] = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN", "BAN THƯỜNG VỤ",
    "ĐẢNG ỦY", "BAN CHỈ ĐẠO", "HỘI ĐỒNG", "BAN TỔ CHỨC", "TỔ CÔNG TÁC", "ĐOÀN KIỂM TRA",
    "CHỦ TỊCH", "GIÁM ĐỐC", "TRƯỞNG BAN", "BỘ TRƯỞNG", "THỦ TRƯỞNG",
)

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# --------------------------------------------------------------------------- number words

_UNITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}


def words_to_number(tokens: list[str]) -> int | None:
    """A Vietnamese number written in (folded) words: ``["muoi", "lam"]`` → 15.

    Covers what dates need: 1–31, months, and years such as "hai nghìn
    không trăm hai mươi lăm" (2025). None for anything it does not follow.
    """
    value = 0  # thousands already closed
    group = 0  # below a thousand
    digit: int | None = None
    seen = False
    for t in tokens:
        if t in _UNITS:
            if digit is not None:
                return None  # two digits in a row: not a number we know
            digit = _UNITS[t]
        elif t == "muoi":  # "mười" (ten) and "mươi" (…ty) fold alike
            group += (1 if digit is None else digit) * 10
            digit = None
        elif t == "tram":
            if digit is None:
                return None
            group += digit * 100
            digit = None
        elif t in ("nghin", "ngan"):
            n = group + (digit or 0)
            value += (n or 1) * 1000
            group, digit = 0, None
        elif t in ("linh", "le", "mong", "mung"):  # "linh năm" = 05; "mồng năm": day prefix
            pass
        else:
            return None
        seen = True
    if not seen:
        return None
    return value + group + (digit or 0)
