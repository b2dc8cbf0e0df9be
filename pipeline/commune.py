"""The commune a dossier belongs to, from the 2025 list (34 provinces, 3,321 communes).

Codes are the statistical codes of QĐ 19/2025/QĐ-TTg as the ``vietnam-provinces``
package carries them: 2-digit provinces, 5-digit communes.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from pipeline.errors import InputFileError


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
