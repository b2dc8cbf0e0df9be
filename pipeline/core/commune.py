"""The commune a dossier belongs to, from the 2025 list (34 provinces, 3,321 communes).

Codes are the statistical codes of QĐ 19/2025/QĐ-TTg as the ``vietnam-provinces``
package carries them: 2-digit provinces, 5-digit communes.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from pipeline.core.errors import InputFileError
from pipeline.core.vi_text import fold


@dataclass(frozen=True)
class Commune:
    code: str  # "00583"
    name: str  # "Xã Bát Tràng"
    province_code: str  # "01"
    province_name: str  # "Thành phố Hà Nội"


def lookup(key: str) -> Commune:
    """A commune by its 5-digit code, or by its name when that is unambiguous."""
    key = unicodedata.normalize("NFC", str(key)).strip()
    if key.isdigit():
        try:
            ward = Ward.from_code(WardCode(int(key)))
        except ValueError:
            raise _unknown(key) from None
        return _commune(ward)
    matches = _by_name().get(_fold(key), [])
    if len(matches) == 1:
        return _commune(matches[0])
    if not matches:
        raise _unknown(key)
    codes = ", ".join(f"{w.code.value:05d} ({_province(w).name})" for w in matches)
    raise InputFileError(
        f"commune name '{key}' is ambiguous; give its code: {codes}",
        f"tên xã '{key}' trùng nhau; hãy ghi mã xã: {codes}",
    )


def _commune(ward: Ward) -> Commune:
    province = _province(ward)
    return Commune(
        code=f"{ward.code.value:05d}",
        name=unicodedata.normalize("NFC", ward.name),
        province_code=f"{province.code.value:02d}",
        province_name=unicodedata.normalize("NFC", province.name),
    )


def _province(ward: Ward) -> Province:
    return Province.from_code(ProvinceCode(ward.province_code))


@functools.cache
def _by_name() -> dict[str, list[Ward]]:
    index: dict[str, list[Ward]] = {}
    for ward in Ward.iter_all():
        for name in (ward.name, ward.name.split(" ", 1)[-1]):
            index.setdefault(_fold(name), []).append(ward)
    return index


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold().strip()


def _unknown(key: str) -> InputFileError:
    return InputFileError(
        f"'{key}' is not a commune in the 2025 list (a 5-digit code, e.g. 00583)",
        f"'{key}' không phải xã/phường trong danh mục 2025 (mã 5 chữ số, ví dụ 00583)",
    )


# ----------------------------------------------------------------------------- place names

_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


def is_place_name(name: str) -> bool:
    """Whether ``name`` is spelled as a commune, ward or province of the 2025 list is
    (with or without "Xã", "Phường", "Tỉnh"…; the tone mark on either vowel: Thuỷ, Thủy)."""
    return _tone_free_key(name) in _place_keys()


def places_like(name: str) -> list[str]:
    """The list's names one letter from ``name``, marks, case and spaces aside."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    key = _bare(name)
    if len(key) < 5:
        return []  # too short for one letter to say which
    bare = _bare_names()
    found = process.extract(key, list(bare), scorer=Levenshtein.distance, score_cutoff=1,
                            limit=None)
    # One spelling per name: "Lương Hoà" and "Lương Hòa" are one.
    names = {_tone_free_key(n): n for k, _, _ in found for n in sorted(bare[k])}
    return sorted(names.values())


def places_matching(words: list[str | None]) -> list[str]:
    """The list's names of as many words as ``words``, each the word given, marks and
    case aside; a None word stands for any (one misread past knowing)."""
    keys = [None if w is None else _bare(w) for w in words]
    found = {}
    for name in _place_names():
        parts = name.split()
        if len(parts) == len(keys) and all(
                k is None or _bare(p) == k for p, k in zip(parts, keys, strict=True)):
            found[_tone_free_key(name)] = name
    return sorted(found.values())


def province_spelt(words: list[str]) -> str | None:
    """The one province of the 2025 list ``words`` name, marks, case and spaces aside
    ("TĨNH", "BAC NINH" → "Bắc Ninh"; "Hà Nội" for "THANH PHO HA NOI" too: the city's
    name without its unit word); None if none or more than one."""
    key = _bare(" ".join(words))
    found = {n for n in _province_names() if _bare(n) == key}
    return found.pop() if len(found) == 1 else None


@functools.cache
def _province_names() -> frozenset[str]:
    names = set()
    for p in Province.iter_all():
        full = unicodedata.normalize("NFC", p.name)
        names.add(full.removeprefix("Thành phố ").removeprefix("Tỉnh ").strip())
    return frozenset(names)


@functools.cache
def _place_keys() -> frozenset[str]:
    return frozenset(_tone_free_key(n) for n in _place_names())


@functools.cache
def _bare_names() -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for name in _place_names():
        index.setdefault(_bare(name), set()).add(name)
    return index


@functools.cache
def _place_names() -> tuple[str, ...]:
    """Communes', wards' and provinces' names without their unit word ("Bát Tràng")."""
    names = [w.name for w in Ward.iter_all()] + [p.name for p in Province.iter_all()]
    short = []
    for full in names:
        full = unicodedata.normalize("NFC", full)
        for unit in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
            if full.startswith(unit):
                full = full[len(unit):]
                break
        short.append(full.strip())
    return tuple(short)


def _tone_free_key(name: str) -> str:
    """Each word with its tone mark moved to its end: old and new placements compare equal."""
    out = []
    for word in _fold(name).split():
        letters = unicodedata.normalize("NFD", word)
        tones = "".join(c for c in letters if c in _TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in letters if c not in _TONES)) + tones)
    return " ".join(out)


def _bare(name: str) -> str:
    """Letters only, no marks: "Bát Tràng" → "battrang"."""
    return "".join(c for c in fold(unicodedata.normalize("NFC", name)) if c.isalnum())
