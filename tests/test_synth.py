"""Tests of the synthetic scan generator (synth/)."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from datetime import date

import numpy as np
import pytest
from PIL import Image

from synth import (
    FAMILIES,
    PROFILES,
    READING_ORDER,
    PageTruth,
    a4_pixels,
    degrade_page,
    encode,
    make_dossier,
    missing_glyphs,
    render_dossier,
    write_dossier,
    write_multitiff,
    write_page,
    write_pdf,
)
from synth.__main__ import main as cli_main
from synth.content import plan_dossier

VI_MARKS = set("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")


@pytest.fixture(scope="module")
def clean200():
    """Three documents, some of two pages, at 200 dpi (fast)."""
    return render_dossier(5, n_docs=3, pages_per_doc=(1, 2), dpi=200)


@pytest.fixture(scope="module")
def clean300():
    return render_dossier(2, n_docs=1, pages_per_doc=1, dpi=300)


def gray(im: Image.Image) -> np.ndarray:
    return np.asarray(im.convert("L"))


def text_of(words, block: str) -> str:
    return " ".join(w.text for w in words if w.block == block)


# --------------------------------------------------------------------------- sizes and formats


def test_a4_pixel_sizes():
    assert a4_pixels(200) == (1654, 2339)
    assert a4_pixels(300) == (2480, 3508)


@pytest.mark.parametrize("dpi", [200, 300])
def test_page_size_matches_dpi(dpi, clean200, clean300):
    pages = clean200 if dpi == 200 else clean300
    for c in pages:
        assert (c.rgb.shape[1], c.rgb.shape[0]) == a4_pixels(dpi)
        p = degrade_page(c, "clean", 1)
        assert p.image.size == a4_pixels(dpi)
        assert (p.truth.width, p.truth.height) == a4_pixels(dpi)


@pytest.mark.parametrize("fmt", ["jpeg", "png", "tiff-g4", "tiff-lzw"])
@pytest.mark.parametrize("dpi", [200, 300])
def test_dpi_is_written_and_read_back(fmt, dpi, tmp_path):
    im = Image.new("RGB", (400, 300), "white")
    path = write_page(im, tmp_path / f"p.{fmt}", dpi, fmt)
    with Image.open(path) as back:
        got = back.info.get("dpi")
        assert got is not None, f"{fmt}: no dpi"
        assert round(float(got[0])) == dpi and round(float(got[1])) == dpi
        assert back.size == (400, 300)


def test_g4_tiff_is_group4_in_one_strip(tmp_path, clean200):
    page = degrade_page(clean200[0], "photocopy", 3)
    assert page.image.mode == "1"
    path = write_page(page, tmp_path / "p.tif", 200, "tiff-g4")
    with Image.open(path) as im:
        assert im.info["compression"] == "group4"
        assert im.mode == "1"
        assert im.tag_v2[278] == im.height  # RowsPerStrip
        assert len(im.tag_v2[273]) == 1  # StripOffsets
        assert np.array_equal(np.asarray(im), np.asarray(page.image))  # lossless


def test_multipage_tiff_is_g4_one_strip_per_page(tmp_path, clean200):
    pages = [degrade_page(c, "photocopy", 1) for c in clean200[:2]]
    path = write_multitiff(tmp_path / "ho-so.tif", pages)
    with Image.open(path) as im:
        assert im.n_frames == 2
        for i in range(2):
            im.seek(i)
            assert im.info["compression"] == "group4"
            assert im.tag_v2[278] == im.height and len(im.tag_v2[273]) == 1
            assert round(float(im.info["dpi"][0])) == 200


def test_pdf_embeds_pages_without_recompression(tmp_path, clean200):
    pikepdf = pytest.importorskip("pikepdf")
    pages = [degrade_page(clean200[0], "jpeg", 1), degrade_page(clean200[1], "photocopy", 1)]
    path = write_pdf(tmp_path / "ho-so.pdf", pages)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        filters = []
        raws = []
        for pg in pdf.pages:
            (img,) = pg.get_images().values()
            filters.append(pikepdf.PdfImage(img).filters)
            raws.append(img.read_raw_bytes())
            w_pt, h_pt = float(pg.mediabox[2]), float(pg.mediabox[3])
            assert abs(w_pt - 595.3) < 1.5 and abs(h_pt - 841.9) < 1.5  # A4 at 100 % scale
        assert filters == [["/DCTDecode"], ["/CCITTFaxDecode"]]
        dct = raws[0]
        assert dct == pages[0].jpeg_bytes  # the profile's own JPEG, byte for byte


def test_write_dossier_names_and_truth(tmp_path):
    d = make_dossier(3, n_docs=6, pages_per_doc=2, profile="clean", dpi=200)
    assert len(d.pages) >= 11
    files = write_dossier(tmp_path, d)
    names = [f.name for f in files]
    assert names[:11] == [f"trang-{i}.jpg" for i in range(1, 12)]
    data = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert data["format"] == "sohoa-synth-truth" and data["seed"] == 3
    assert [p["file"] for p in data["pages"]] == names
    assert len(data["documents"]) == 6
    back = PageTruth.from_dict(data["pages"][0])
    assert back.words == d.pages[0].truth.words
    assert back.meta == d.pages[0].truth.meta
    # natural order: page 10 sorts after page 9 when sorted by the number in the name
    assert sorted(names, key=lambda n: int(re.findall(r"\d+", n)[0])) == names


# --------------------------------------------------------------------------- truth content


def test_fonts_cover_vietnamese():
    for family in FAMILIES:
        assert missing_glyphs(family) == {}, family


def test_truth_words_are_nfc_vietnamese(clean200):
    for c in clean200:
        words = [w.text for w in c.words]
        assert words, "page without words"
        assert all(unicodedata.normalize("NFC", w) == w for w in words)
        with_marks = [w for w in words if set(w.lower()) & VI_MARKS]
        assert len(with_marks) > 0.3 * len(words)
    first = clean200[0]
    text = " ".join(w.text for w in first.words)
    for needed in ("CỘNG", "HÒA", "NGHĨA", "Độc", "Hạnh", "phúc", "ngày", "tháng", "năm"):
        assert needed in text


def test_truth_text_is_lines_of_words(clean200):
    p = degrade_page(clean200[0], "clean", 1)
    lines = p.truth.text.split("\n")
    assert len(lines) == len({w.line for w in p.truth.words})
    assert " ".join(lines).split() == [w.text for w in p.truth.words]


def test_reading_order(clean200):
    rank = {b: i for i, b in enumerate(READING_ORDER)}
    for c in clean200:
        ranks = [rank[w.block] for w in c.words]
        assert ranks == sorted(ranks)
        lines = [w.line for w in c.words]
        assert lines == sorted(lines)
        if c.page_in_doc == 1:
            assert c.words[0].block == "organ"
        else:
            assert c.words[0].block == "page_number" and c.words[0].text == str(c.page_in_doc)


def test_metadata_matches_what_is_printed(clean200):
    for c in clean200:
        if c.page_in_doc != 1:
            continue
        m = c.meta
        assert text_of(c.words, "organ") == m.organ
        assert (
            text_of(c.words, "number") == m.number_text == f"Số: {m.code_number}/{m.code_notation}"
        )
        assert text_of(c.words, "place_date") == m.date_text
        assert text_of(c.words, "cv_subject" if m.type_code == "" else "subject") == m.subject
        d = date.fromisoformat(m.issued_date)
        month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
        assert m.date_text == f"{m.place}, ngày {d.day:02d} tháng {month} năm {d.year}"
        assert len(m.code_number) >= 2  # numbers below 10 carry a leading zero
        if m.type_printed:
            assert text_of(c.words, "type") == m.type_name.upper()
        else:
            assert text_of(c.words, "type") == "" and m.subject.startswith("V/v ")
    for c in clean200:
        if c.page_in_doc == c.meta.page_count:
            sig = text_of(c.words, "signature")
            assert c.meta.signer_name in sig and c.meta.signer_position in sig
            assert c.meta.signer_authority in sig


def test_pages_per_document(clean200):
    docs: dict[int, list[int]] = {}
    for c in clean200:
        docs.setdefault(c.meta.doc_index, []).append(c.page_in_doc)
        assert c.meta.first_page + c.page_in_doc - 1 == c.page
    assert sorted(docs) == [0, 1, 2]
    for pages in docs.values():
        assert pages == list(range(1, len(pages) + 1))
    assert {len(v) for v in docs.values()} == {1, 2}


def test_dossier_plans_cover_metadata_cases():
    forms, types = set(), set()
    for seed in range(12):
        _, plan = plan_dossier(random.Random(seed), 4)
        assert "CV" in [k for k, _, _ in plan]
        dates = [d for _, _, d in plan]
        assert dates == sorted(dates) and dates[0].month <= 2
        assert any(d.day < 10 for d in dates)
        for key, form, _ in plan:
            forms.add(form)
            types.add(key)
    assert {"TM", "KT", "TL"} <= forms
    assert {"QĐ", "BC", "TB", "KH", "TTr", "CV"} <= types


# --------------------------------------------------------------------------- pixels versus truth


def test_clean_truth_boxes_hold_ink_and_blank_areas_do_not(clean300):
    c = clean300[0]
    p = degrade_page(c, "clean", 1)
    g = gray(p.image)
    for w in p.truth.words:
        x0, y0, x1, y1 = w.box
        assert x1 > x0 and y1 > y0
        patch = g[y0:y1, x0:x1]
        assert patch.min() < 100, w
        # tight boxes: the outermost rows and columns hold some ink
        assert patch[0].min() < 255 and patch[-1].min() < 255
        assert patch[:, 0].min() < 255 and patch[:, -1].min() < 255
    taken = [w.box for w in p.truth.words] + [m.box for m in p.truth.marks]
    rng = random.Random(0)
    h, w = g.shape
    found = 0
    for _ in range(2000):
        bw, bh = rng.randint(20, 120), rng.randint(20, 120)
        x, y = rng.randrange(0, w - bw), rng.randrange(0, h - bh)
        if any(
            x < b[2] + 3 and b[0] - 3 < x + bw and y < b[3] + 3 and b[1] - 3 < y + bh for b in taken
        ):
            continue
        found += 1
        assert g[y : y + bh, x : x + bw].min() == 255, (x, y, bw, bh)
    assert found > 200
    # nothing at all is drawn in the right and bottom margins
    assert g[:, w - round(15 / 25.4 * 300) :].min() == 255
    assert g[h - round(20 / 25.4 * 300) :, :].min() == 255


def test_all_ink_is_in_a_word_or_mark(clean200):
    c = clean200[0]
    ink = c.rgb.min(axis=2) < 200
    covered = np.zeros_like(ink)
    for b in [w.box for w in c.words] + [m.box for m in c.marks]:
        covered[b[1] : b[3], b[0] : b[2]] = True
    assert not (ink & ~covered).any()


def _rotations(clean):
    found = {}
    for seed in range(40):
        p = degrade_page(clean, "rotated", seed)
        found.setdefault(p.truth.rotation, p)
        if len(found) == 3:
            break
    return found


def test_rotated_profile_truth(clean200):
    c = clean200[0]
    upright = Image.fromarray(c.rgb)
    found = _rotations(c)
    assert sorted(found) == [90, 180, 270]
    W, H = upright.size
    for r, p in found.items():
        assert p.image.size == ((H, W) if r in (90, 270) else (W, H))
        # Turning the image clockwise by `rotation` gives the upright page back.
        assert np.array_equal(np.asarray(p.image.rotate(-r, expand=True)), c.rgb)
        g = gray(p.image)
        for wc, wr in zip(c.words, p.truth.words, strict=True):
            assert wc.text == wr.text
            x0, y0, x1, y1 = wc.box
            expect = {
                90: (y0, W - x1, y1, W - x0),
                180: (W - x1, H - y1, W - x0, H - y0),
                270: (H - y1, x0, H - y0, x1),
            }[r]
            assert wr.box == expect
            assert g[expect[1] : expect[3], expect[0] : expect[2]].min() < 100


@pytest.mark.parametrize(
    "profile", ["skew", "phone", "photocopy", "faded", "noise", "blur", "jpeg"]
)
def test_degraded_truth_boxes_follow_the_ink(profile, clean200):
    c = clean200[0]
    p = degrade_page(c, profile, 7)
    g = gray(p.image).astype(np.int16)
    assert (p.truth.width, p.truth.height) == p.image.size
    assert len(p.truth.words) == len(c.words)
    for w in p.truth.words:
        x0, y0, x1, y1 = w.box
        assert 0 <= x0 < x1 <= p.image.width and 0 <= y0 < y1 <= p.image.height
    # Most word boxes are darker inside than the paper just around them.
    hits = 0
    for w in p.truth.words:
        x0, y0, x1, y1 = w.box
        inner = g[y0:y1, x0:x1]
        ring = g[max(0, y0 - 12) : y1 + 12, max(0, x0 - 12) : x1 + 12]
        hits += int(np.percentile(inner, 5) < np.percentile(ring, 90) - 40)
    assert hits >= 0.9 * len(p.truth.words), (profile, hits, len(p.truth.words))
    # Boxes moved where the geometry says: compare with a shift of the same boxes.
    if profile in ("skew", "phone"):
        assert p.truth.skew != 0.0
        shifted = sum(
            int(
                np.percentile(g[y0:y1, min(x0 + 40, p.image.width - 1) : x1 + 40], 5)
                < np.percentile(g[y0:y1, x0:x1], 5) - 60
            )
            for x0, y0, x1, y1 in (w.box for w in p.truth.words)
        )
        assert shifted < 0.2 * len(p.truth.words)


def test_profiles_are_distinct_and_bounded(clean200):
    c = clean200[0]
    seen = {}
    for name, info in PROFILES.items():
        p = degrade_page(c, name, 2)
        arr = np.asarray(p.image.convert("RGB"))
        assert arr.min() < 80 and arr.max() > 180, name  # readable: dark ink, light paper
        seen[name] = arr.tobytes()[::997]
        assert p.default_format == info.default_format
        assert p.truth.profile == name
    assert len(set(seen.values())) == len(PROFILES)
    assert degrade_page(c, "photocopy", 2).image.mode == "1"
    q = degrade_page(c, "jpeg", 2).truth.params["quality"]
    assert 25 <= q <= 40
    phone = degrade_page(c, "phone", 2)
    assert phone.image.size[1] == c.rgb.shape[0] and phone.image.size[0] == round(
        c.rgb.shape[0] * 3 / 4
    )


# --------------------------------------------------------------------------- determinism and CLI


@pytest.mark.parametrize("profile", ["clean", "noise", "phone", "photocopy"])
def test_same_seed_same_bytes(profile):
    a = make_dossier(11, n_docs=1, pages_per_doc=1, profile=profile, dpi=200)
    b = make_dossier(11, n_docs=1, pages_per_doc=1, profile=profile, dpi=200)
    fmt = a.pages[0].default_format
    assert encode(a.pages[0], 200, fmt) == encode(b.pages[0], 200, fmt)
    assert a.pages[0].truth.to_json() == b.pages[0].truth.to_json()
    c = make_dossier(12, n_docs=1, pages_per_doc=1, profile=profile, dpi=200)
    assert c.pages[0].truth.text != a.pages[0].truth.text


def test_same_text_under_every_profile():
    a = make_dossier(4, n_docs=1, pages_per_doc=1, profile="clean", dpi=200)
    b = make_dossier(4, n_docs=1, pages_per_doc=1, profile="skew", dpi=200)
    assert a.pages[0].truth.text == b.pages[0].truth.text


def test_font_can_be_chosen():
    d = make_dossier(6, n_docs=2, pages_per_doc=1, dpi=200, font="noto-serif")
    assert {p.truth.font for p in d.pages} == {"noto-serif"}
    with pytest.raises(ValueError):
        make_dossier(6, n_docs=1, font="comic-sans")
    with pytest.raises(ValueError):
        make_dossier(6, n_docs=1, profile="watercolour")


@pytest.mark.parametrize(
    "fmt, expect",
    [
        (None, "trang-1.tif"),
        ("png", "trang-1.png"),
        ("pdf", "ho-so.pdf"),
        ("multitiff", "ho-so.tif"),
    ],
)
def test_cli(tmp_path, fmt, expect):
    args = [
        "--out",
        str(tmp_path),
        "--profile",
        "photocopy",
        "--dpi",
        "200",
        "--docs",
        "1",
        "--pages",
        "1",
        "--seed",
        "3",
    ]
    assert cli_main(args + (["--format", fmt] if fmt else [])) == 0
    assert (tmp_path / expect).exists()
    data = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert data["profile"] == "photocopy" and data["dpi"] == 200
    assert data["pages"][0]["file"] == expect


# --------------------------------------------------------------------------- OCR sanity


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_tesseract_reads_a_clean_page(monkeypatch):
    pytesseract = pytest.importorskip("pytesseract")
    fuzz = pytest.importorskip("rapidfuzz.fuzz")
    if "vie" not in pytesseract.get_languages(config=""):
        pytest.skip("no Vietnamese traineddata")
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    # A one-page decision at 300 dpi in the Times-metric face.
    page = None
    for seed in range(40):
        d = make_dossier(
            seed, n_docs=1, pages_per_doc=1, profile="clean", dpi=300, font="liberation-serif"
        )
        if d.documents[0].type_code == "QĐ":
            page = d.pages[0]
            break
    assert page is not None
    ocr = unicodedata.normalize("NFC", pytesseract.image_to_string(page.image, lang="vie"))
    assert fuzz.partial_ratio("QUYẾT ĐỊNH", ocr) >= 90
    assert fuzz.partial_ratio(page.truth.meta.number_text, ocr) >= 85
    body = [w.text for w in page.truth.words if w.block == "body"]
    tokens = ocr.split()
    found = sum(1 for w in body if any(fuzz.ratio(w, t) >= 80 for t in tokens))
    assert found >= 0.85 * len(body), f"{found}/{len(body)} body words recognised"
    assert fuzz.ratio(page.truth.text, ocr) >= 80


def test_encode_roundtrip_png_is_lossless(clean200):
    p = degrade_page(clean200[0], "noise", 1)
    with Image.open(io.BytesIO(encode(p, 200, "png"))) as back:
        assert np.array_equal(np.asarray(back.convert("RGB")), np.asarray(p.image))


def test_content_does_not_depend_on_hash_seed():
    """String hashing is salted per process; the generator must not depend on it."""
    code = (
        "import hashlib; from synth import render_dossier; "
        "c = render_dossier(9, n_docs=2, pages_per_doc=1, dpi=100); "
        "print(hashlib.sha256(repr([(w.text, w.box) for p in c for w in p.words]).encode()).hexdigest())"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outs = []
    for hs in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hs)
        outs.append(
            subprocess.run(
                [sys.executable, "-c", code],
                cwd=root,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    assert outs[0] == outs[1] and outs[0].strip()
