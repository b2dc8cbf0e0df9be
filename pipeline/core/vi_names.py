"""Vietnamese personal names: the surnames, the common middle names, the syllable.

Shared by the OCR (a surname under a seal matched by its shape) and the
metadata extraction (names repaired from their spelling and the dossier).
"""

from __future__ import annotations

import re
import unicodedata

from pipeline.core.vi_text import TONE_MARKS, untoned

# The common surnames first, roughly by frequency (Nguyễn alone is about four in
# ten), then rarer ones alphabetically from "Âu" on.
SURNAMES: tuple[str, ...] = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Đào", "Mai", "Tạ", "Quách", "Hà",
    "Lâm", "Triệu", "Kiều", "Cao", "Đoàn", "Trịnh", "Tô", "Châu", "Thái", "Tăng", "Lưu", "La",
    "Tống", "Văn", "Khúc", "Chu", "Giang", "Hứa", "Lại", "Mạc", "Nông", "Lò", "Lục", "Ông",
    "Phùng", "Quan", "Tôn", "Từ", "Vương", "Âu", "Doãn", "Diệp", "Đàm", "Đồng", "Hàn", "Kim",
    "Lã", "Lạc", "Liêu", "Nghiêm", "Ninh", "Phí", "Phó", "Thân", "Thạch", "Tiêu", "Vi", "Viên",
    "Yên", "Bạch", "Cù", "Cung", "Dư", "Đào", "Đường", "Hầu", "Khổng", "Khương", "Kha",
    "Mã", "Mẫn", "Nhan", "Ôn", "Sầm", "Thiều", "Trình", "Văn", "Vương",
)
# The surnames of the 53 other ethnic groups (H'Mông, Dao, Tày, Nùng, Thái, Ê Đê, Gia Rai,
# Khmer …) that read as a Kinh surname a mark away: a name printed so is never "corrected".
ETHNIC_SURNAMES: tuple[str, ...] = (
    "Giàng", "Lỳ", "Sùng", "Thào", "Vàng", "Mùa", "Lầu", "Hờ", "Vừ", "Cứ", "Tráng", "Mè",
    "Khà", "Sa", "Pờ", "Xồng", "Chẩu", "Chảo", "Tẩn", "Bàn", "Phàn", "Lìu", "Chìu", "Lù",
    "Ngôn", "Bế", "Quàng", "Cầm", "Lường", "Lèo", "Tòng", "Đèo", "Ngân", "Lộc", "Ma", "Mông",
    "Hảng", "Ksor", "Ksơr", "Nay", "Rơ", "Rah", "Siu", "Rmah", "Niê", "Mlô", "Êban", "Byă",
    "Kpă", "Alăng", "Bhling", "Chau", "Néang",
    # Khmer (Thạch and Kim are above). Given names too ("Thái Sơn"), so a name ending in
    # one is no surname's (``names.name_from_line``).
    "Danh", "Sơn",
)
# Words of such names that no Vietnamese syllable spells ("Ksor", "Mlô", "Byă").
_ETHNIC_WORDS = frozenset(ETHNIC_SURNAMES)
_SURNAMES = frozenset(SURNAMES + ETHNIC_SURNAMES)


def is_surname(word: str) -> bool:
    return word in _SURNAMES


# Middle names that open a name whose surname was lost, not a misread surname.
MIDDLE_NAMES = frozenset((
    "Thị", "Văn", "Ngọc", "Hữu", "Đức", "Minh", "Thanh", "Kim", "Quốc", "Xuân", "Công", "Đình",
    "Bá", "Tấn", "Trọng", "Thế", "Hồng", "Quang", "Thu", "Như", "Mỹ", "Gia", "Duy", "Khánh",
    "Hải", "Bảo", "Thúy", "Thùy", "Anh", "Phương", "Việt", "Hoài", "Thái", "Trung",
    "Bích", "Diệu", "Cẩm", "Nhật", "Đăng", "Danh",
))

_INITIALS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_NUCLEI = sorted((
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi",
    "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê",
    "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyê", "uyu",
), key=len, reverse=True)
_SYLLABLE = re.compile(f"(?:{_INITIALS})?(?:{'|'.join(_NUCLEI)})(?:ch|ng|nh|[cmnpt])?")
INITIAL = re.compile(f"(?:{_INITIALS})")


def syllable(word: str) -> bool:
    """Spelt as a Vietnamese syllable can be: an initial, a vowel group, a final, one
    tone mark at most. "Jinh", "Đấb", "Ràổ", "Nưe" cannot be: a misread."""
    if word.capitalize() in _ETHNIC_WORDS:
        return True
    marks = unicodedata.normalize("NFD", word.lower())
    if sum(c in TONE_MARKS for c in marks) > 1:
        return False
    return bool(_SYLLABLE.fullmatch(untoned(word.lower())))


def capitalised_syllable(word: str) -> bool:
    """A capitalised word of two letters or more spelt as a syllable ("Toàn", "Hữu"): a
    personal name's word, as a name line prints it."""
    return word[:1].isupper() and word[1:].islower() and word.isalpha() and syllable(word)
