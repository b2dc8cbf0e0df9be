"""NĐ 30/2020 tables (type names and codes, notations, signing authorities and positions,
the national heading) and Vietnamese number words."""

from __future__ import annotations

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
    # Province, ministry, department, police and school signers.
    "BỘ TRƯỞNG", "THỨ TRƯỞNG", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG",
    "TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG", "CHÁNH THANH TRA", "PHÓ CHÁNH THANH TRA",
    "PHÓ HIỆU TRƯỞNG", "PHÓ CHỦ NHIỆM", "PHÓ TRƯỞNG CÔNG AN", "PHÓ CHỈ HUY TRƯỞNG",
    "TỔNG GIÁM ĐỐC", "PHÓ TỔNG GIÁM ĐỐC", "PHÓ CHÁNH ÁN", "PHÓ VIỆN TRƯỞNG", "TRƯỞNG KHOA",
    "PHÓ TRƯỞNG KHOA", "TRƯỞNG ĐOÀN", "PHÓ TRƯỞNG ĐOÀN", "PHÓ TRƯỞNG TRẠM",
)
# Who heads a body, by the unit its last line opens with: the head's title and the
# deputy's (a school under its Sở: the school's).
HEADS: tuple[tuple[str, str, str], ...] = (
    ("ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ("HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ("SỞ", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ("CÔNG AN TỈNH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ("CÔNG AN THÀNH PHỐ", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ("BỘ", "BỘ TRƯỞNG", "THỨ TRƯỞNG"),
    ("TỔNG CỤC", "TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG"),
    ("CỤC", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG"),
    ("VỤ", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG"),
    ("TRƯỜNG", "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG"),
    ("TÒA ÁN NHÂN DÂN", "CHÁNH ÁN", "PHÓ CHÁNH ÁN"),
    ("VIỆN KIỂM SÁT NHÂN DÂN", "VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG"),
    ("THANH TRA", "CHÁNH THANH TRA", "PHÓ CHÁNH THANH TRA"),
    ("VĂN PHÒNG", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"),
    ("PHÒNG", "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"),
)
# "PHÓ TRƯỞNG PHÒNG PHỤ TRÁCH": a position with the charge it holds, kept as printed.
POSITION_IN_CHARGE = "PHỤ TRÁCH"

# The bodies of AUTHORITY_BODIES that are collectives: one signs for them only "TM."
# (thay mặt tập thể); before a title ("CHỦ TỊCH") one signs "KT.", "TL.", "TUQ." or "Q.".
COLLECTIVE_BODIES: tuple[str, ...] = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THƯỜNG TRỰC HỘI ĐỒNG NHÂN DÂN", "BAN THƯỜNG VỤ",
    "ĐẢNG ỦY", "BAN CHỈ ĐẠO", "HỘI ĐỒNG", "BAN TỔ CHỨC", "TỔ CÔNG TÁC", "ĐOÀN KIỂM TRA",
    "UBND TỈNH", "UBND HUYỆN", "UBND XÃ", "UBND",
)
AUTHORITY_BODIES: tuple[str, ...] = (
    *COLLECTIVE_BODIES, "CHỦ TỊCH", "GIÁM ĐỐC", "TRƯỞNG BAN", "BỘ TRƯỞNG", "THỦ TRƯỞNG",
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
