"""The held-out split: documents drawn differently from everything the extraction was tuned on.

``make_dossier(seed, ..., split="heldout")`` draws the same kinds of documents as the tuned
split (the default) but changes what real offices change, so that a score on these pages says
how the extraction does on documents it has not been fitted to:

* issuers other than communes: a province or city people's committee, a department (Sở),
  the provincial police, a ministry, a school; with their own notations, places, seals and
  signing forms (KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC, TL. BỘ TRƯỞNG, KT. BỘ TRƯỞNG / THỨ TRƯỞNG,
  KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG, Q. HIỆU TRƯỞNG);
* signers with ethnic-minority names (Giàng A Páo, Lỳ Seo Chứ, Ksor Y Bhin, Thạch Sa Rinh…);
* faces the tuned pages never use (``fonts.HELDOUT_FAMILIES``), other margins and line
  spacing, a rule under the trích yếu or none;
* numbers and days (and now and then the month) written by hand into printed blanks,
  legibly or not
  (``DocumentMeta.handwritten``), e-signature boxes over or above the issuing body, oval seals
  and seals with an emblem, "CÔNG VĂN ĐẾN" stamps over the body, and phone photos whose paper
  fades into the table on one side.

"Q. HIỆU TRƯỞNG" (acting head) is the signer's own title, so it is the position and the
authority is empty; KT./TL./TM. lines are the authority.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from .content import PLACES, DocSpec, Para, Place, date_text, nfc, upper
from .render import Style, Variant

# --------------------------------------------------------------------------- names

# Surname → (middle names, given names) in that group's usual shapes.
_HMONG = ("Giàng", "Sùng", "Thào", "Vàng", "Mùa", "Lầu", "Hờ")
_HMONG_MIDDLE = ("A", "Seo", "Mí", "Chứ")
_HMONG_GIVEN = ("Páo", "Sình", "Vừ", "Dình", "Chứ", "Lử", "Tủa", "Pó", "Sử", "Chư", "Dế")
_THAI = ("Lò", "Quàng", "Cầm", "Lường", "Tòng", "Hoàng", "Lèo")
_THAI_GIVEN = ("Pọm", "Hải", "Chiến", "Bun", "Xuân", "Ún", "Khặm", "Panh")
_HIGHLAND = ("Ksor", "Nay", "Rơ Châm", "Siu", "Rmah")
_HIGHLAND_GIVEN = ("Bhin", "Blang", "Thuôn", "Jút", "Hoan", "Nuê", "Dớt")
_KHMER = ("Thạch", "Danh", "Sơn", "Kim")
_KHMER_GIVEN = ("Sa Rinh", "Út", "Sóc Kha", "Sà Mết", "Chanh Đa", "Sà Rây", "Sô Phát")
ETHNIC_SURNAMES: tuple[str, ...] = (*_HMONG, "Lỳ", *_THAI, *_HIGHLAND, *_KHMER)


def ethnic_name(rng: random.Random) -> str:
    """A full name of one of the upland or Khmer groups, in that group's shape."""
    group = rng.randrange(5)
    if group == 0:
        return f"{rng.choice(_HMONG)} {rng.choice(_HMONG_MIDDLE)} {rng.choice(_HMONG_GIVEN)}"
    if group == 1:
        return f"Lỳ {rng.choice(('Seo', 'Xè', 'Chà'))} {rng.choice(('Chứ', 'Phà', 'Mé', 'Giàng'))}"
    if group == 2:
        return f"{rng.choice(_THAI)} {rng.choice(('Văn', 'Thị'))} {rng.choice(_THAI_GIVEN)}"
    if group == 3:
        prefix = rng.choice(("Y ", "H'", ""))  # Ê Đê and Gia Rai: Y for men, H' for women
        given = rng.choice(_HIGHLAND_GIVEN) if prefix else rng.choice(("Ánh", "Thương", "Hòa"))
        return f"{rng.choice(_HIGHLAND)} {prefix}{given}"
    return f"{rng.choice(_KHMER)} {rng.choice(('', 'Thị '))}{rng.choice(_KHMER_GIVEN)}"


# --------------------------------------------------------------------------- issuers


@dataclass(frozen=True)
class Issuer:
    kind: str  # "province" | "city" | "department" | "police" | "ministry" | "school" | "commune"
    organ_lines: tuple[str, ...]  # as printed
    organ_name: str  # ordinary case
    notation: str  # what follows the type code: "SGDĐT" in "QĐ-SGDĐT"
    place: str  # the place written before the date
    seal_text: str
    forms: tuple[tuple[str, str], ...]  # (authority, position) the issuer signs with
    head: str  # who decides, for a decision's authority line: "GIÁM ĐỐC SỞ …"
    seal_shape: tuple[str, ...] = ("round", "oval")


_CITIES = (
    "Lào Cai",
    "Buôn Ma Thuột",
    "Pleiku",
    "Điện Biên Phủ",
    "Sơn La",
    "Hà Giang",
    "Sóc Trăng",
    "Trà Vinh",
)
_DEPARTMENTS = (
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Nội vụ", "SNV"),
    ("Sở Tài chính", "STC"),
    ("Sở Y tế", "SYT"),
    ("Sở Xây dựng", "SXD"),
)
_MINISTRIES = (
    ("Bộ Tài chính", "BTC"),
    ("Bộ Nội vụ", "BNV"),
    ("Bộ Y tế", "BYT"),
    ("Bộ Công Thương", "BCT"),
    ("Bộ Xây dựng", "BXD"),
)
_SCHOOLS = ("CHU VĂN AN", "LÊ QUÝ ĐÔN", "NGUYỄN DU", "TRẦN PHÚ", "DÂN TỘC NỘI TRÚ")


def issuer(rng: random.Random, place: Place) -> Issuer:
    prov = place.province
    unit = f"{'THÀNH PHỐ' if place.city else 'TỈNH'} {upper(prov)}"
    unit_lower = f"{'thành phố' if place.city else 'tỉnh'} {prov}"
    kind = rng.choice(("province", "city", "department", "police", "ministry", "school", "commune"))
    if kind == "province":
        return Issuer(
            kind,
            ("ỦY BAN NHÂN DÂN", unit),
            f"Ủy ban nhân dân {unit_lower}",
            "UBND",
            prov,
            f"ỦY BAN NHÂN DÂN {unit} *",
            (
                ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
                ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
                ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG"),
            ),
            f"ỦY BAN NHÂN DÂN {unit}",
            ("round", "emblem"),
        )
    if kind == "city":
        city = rng.choice(_CITIES)
        return Issuer(
            kind,
            ("ỦY BAN NHÂN DÂN", f"THÀNH PHỐ {upper(city)}"),
            f"Ủy ban nhân dân thành phố {city}",
            "UBND",
            city,
            f"ỦY BAN NHÂN DÂN THÀNH PHỐ {upper(city)} *",
            (("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")),
            f"ỦY BAN NHÂN DÂN THÀNH PHỐ {upper(city)}",
            ("round", "emblem"),
        )
    if kind == "department":
        ordinary, code = rng.choice(_DEPARTMENTS)
        name = upper(ordinary)
        return Issuer(
            kind,
            (f"UBND {unit}", name),
            f"{ordinary} {unit_lower}",
            code,
            prov,
            f"{name} * {unit} *",
            (
                ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
                ("", "GIÁM ĐỐC"),
                ("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"),
            ),
            f"GIÁM ĐỐC {name}",
        )
    if kind == "police":
        return Issuer(
            kind,
            ("BỘ CÔNG AN", f"CÔNG AN {unit}"),
            f"Công an {unit_lower}",
            "CAT",
            prov,
            f"CÔNG AN {unit} *",
            (("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), ("", "GIÁM ĐỐC")),
            f"GIÁM ĐỐC CÔNG AN {unit}",
            ("round", "emblem"),
        )
    if kind == "ministry":
        ordinary, code = rng.choice(_MINISTRIES)
        name = upper(ordinary)
        return Issuer(
            kind,
            (name,),
            ordinary,
            code,
            "Hà Nội",
            f"{name} *",
            (
                ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"),
                ("TL. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG"),
                ("", "BỘ TRƯỞNG"),
            ),
            f"BỘ TRƯỞNG {name}",
            ("emblem",),
        )
    if kind == "school":
        school = f"TRƯỜNG THPT {rng.choice(_SCHOOLS)}"
        return Issuer(
            kind,
            ("SỞ GIÁO DỤC VÀ ĐÀO TẠO", school),
            f"Trường THPT {school.split('THPT ', 1)[1].title()}",
            "THPT",
            prov,
            f"{school} * {unit} *",
            (("KT. HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG"), ("", "Q. HIỆU TRƯỞNG"), ("", "HIỆU TRƯỞNG")),
            f"HIỆU TRƯỞNG {school}",
            ("round", "oval"),
        )
    return Issuer(
        kind,
        tuple(place.organ_lines),
        place.ubnd,
        "UBND",
        place.name,
        place.seal_text,
        (("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")),
        f"ỦY BAN NHÂN DÂN {upper(place.unit)}",
        ("round", "oval"),
    )


# --------------------------------------------------------------------------- documents


def style(rng: random.Random) -> Style:
    """Margins, sizes and line spacing over a wider range than the tuned pages'."""
    return Style(
        top=rng.uniform(12, 30),
        bottom=rng.uniform(15, 28),
        left=rng.uniform(20, 38),
        right=rng.uniform(10, 22),
        body_pt=rng.choice((12.0, 12.5, 13.0, 14.0, 14.5)),
        header_pt=rng.choice((11.5, 12.0, 13.0, 13.5)),
        pitch=rng.uniform(1.0, 1.6),
        indent_mm=rng.uniform(6, 15),
        para_pt=rng.uniform(0, 9),
    )


def vary(spec: DocSpec, rng: random.Random, who: Issuer, d: date, seed: int) -> Variant:
    """Re-issue ``spec`` from ``who`` with a held-out signer; draw the page's variations.

    The truth (``spec.meta``) says what is printed; a handwritten field is listed in
    ``meta.handwritten`` with whether it was drawn legibly."""
    meta = spec.meta
    authority, position = rng.choice(who.forms)
    if meta.type_code == "BB":  # a biên bản is signed by who chaired the meeting
        authority, position = "", "CHỦ TRÌ"
    name = ethnic_name(rng) if rng.random() < 0.65 else meta.signer_name
    spec.sign.authority, spec.sign.position, spec.sign.name = authority, position, nfc(name)
    meta.signer_authority, meta.signer_position, meta.signer_name = (
        spec.sign.authority,
        spec.sign.position,
        spec.sign.name,
    )
    meta.organ_lines = [nfc(s) for s in who.organ_lines]
    meta.organ = " ".join(meta.organ_lines)
    meta.organ_name = nfc(who.organ_name)
    if meta.type_code:
        meta.code_notation = f"{meta.type_code}-{who.notation}"
    else:
        meta.code_notation = f"{who.notation}-{rng.choice(('VP', 'TH', 'NV', 'KH'))}"
    meta.number_text = f"Số: {meta.code_number}/{meta.code_notation}"
    meta.place = nfc(who.place)
    meta.date_text = nfc(date_text(who.place, d))
    if meta.type_code == "QĐ" and spec.body and spec.body[0].align == "center":
        lead = "CHỦ TỊCH " if spec.body[0].sentences[0].startswith("CHỦ TỊCH") else ""
        head = who.head if who.kind not in ("province", "city", "commune") else lead + who.head
        spec.body[0] = Para([nfc(head)], style="bold", align="center", indent=False, space_before=4)
    hand_number = hand_day = ""
    if rng.random() < 0.4:
        hand_number = "legible" if rng.random() < 0.6 else "illegible"
        meta.handwritten["code_number"] = hand_number == "legible"
    if rng.random() < 0.3:
        hand_day = "legible" if rng.random() < 0.6 else "illegible"
        meta.handwritten["issued_date"] = hand_day == "legible"
    esign: list[str] = []
    esign_at = ""
    if rng.random() < 0.35:
        esign = [
            f"Ký bởi: {who.organ_name}",
            f"Cơ quan: {who.organ_name}",
            f"Thời gian ký: {d.day:02d}.{d.month:02d}.{d.year} "
            f"{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
            " +07:00",
        ]
        esign_at = rng.choice(("above", "over"))
    incoming = ""
    if rng.random() < 0.3:
        other = rng.choice(PLACES)
        incoming = upper(f"UBND {other.unit}")
    return Variant(
        style=style(rng),
        subject_rule=rng.random() < 0.5,
        hand_number=hand_number,
        hand_day=hand_day,
        # Now and then the month is left blank too (the same hand, no draw of its own: the
        # other choices stay as they were for each seed).
        hand_month=bool(hand_day) and (d.day + d.month) % 3 == 0,
        esign=[nfc(s) for s in esign],
        esign_at=esign_at,
        seal=rng.choice(who.seal_shape),
        incoming=nfc(incoming),
        rng_seed=seed,
    )
