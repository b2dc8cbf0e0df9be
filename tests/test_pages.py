"""Pages stage: order, resolution, how each format is embedded, and bad input."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from pipeline.core.errors import EncryptedPdfError, InputFileError, SignedPdfError, TooLargeError
from pipeline.core.model import Encoding
from pipeline.ingest import pages
from tests.conftest import draw_page

LIMIT = 250_000_000


def test_natural_order(tmp_path: Path) -> None:
    img = draw_page(dpi=100)
    for n in (10, 2, 1):
        img.save(tmp_path / f"trang-{n}.jpg", dpi=(100, 100))
    found = pages.read_pages(tmp_path, max_pixels=LIMIT)
    assert [p.source.name for p in found] == ["trang-1.jpg", "trang-2.jpg", "trang-10.jpg"]
    assert [p.number for p in found] == [1, 2, 3]


def test_sidecar_files_are_not_pages(tmp_path: Path) -> None:
    draw_page(dpi=100).save(tmp_path / "a.png")
    (tmp_path / "manifest.yaml").write_text("title: x\n")
    assert len(pages.read_pages(tmp_path, max_pixels=LIMIT)) == 1


@pytest.mark.parametrize(
    ("suffix", "save", "encoding"),
    [
        (".jpg", {"quality": 80}, Encoding.JPEG),
        (".png", {}, Encoding.PNG_IDAT),
        (".tif", {"compression": "tiff_lzw"}, Encoding.LOSSLESS),
    ],
)
def test_resolution_and_encoding(tmp_path: Path, suffix, save, encoding) -> None:
    path = tmp_path / f"p{suffix}"
    draw_page(dpi=200).save(path, dpi=(200, 200), **save)
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert page.encoding is encoding
    assert page.dpi == pytest.approx((200, 200), abs=0.1)
    assert not page.dpi_assumed
    assert page.size_pt == pytest.approx((595.4, 841.7), abs=1.0)  # A4 at 100%


def test_g4_multipage_tiff(tmp_path: Path) -> None:
    path = tmp_path / "hoso.tif"
    frames = [draw_page(dpi=200, mode="1") for _ in range(3)]
    frames[0].save(
        path, save_all=True, append_images=frames[1:], compression="group4", dpi=(200, 200)
    )
    found = pages.read_pages(path, max_pixels=LIMIT)
    assert len(found) == 3
    assert all(p.encoding is Encoding.CCITT_G4 for p in found)
    assert [p.index_in_source for p in found] == [0, 1, 2]
    data, _ = pages.g4_strip(found[2])
    assert len(data) > 100


def test_missing_resolution_is_estimated_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    draw_page(dpi=300).save(path)  # no pHYs chunk
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert page.dpi_assumed and page.dpi == (300, 300)
    assert any("assumed 300 dpi" in w for w in page.warnings)


def test_low_resolution_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    draw_page(dpi=150).save(path, dpi=(150, 150))
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert any("below the TT 05/2025 minimum" in w for w in page.warnings)


def test_load_pixels_modes(tmp_path: Path) -> None:
    draw_page(dpi=100, mode="1").save(tmp_path / "b.tif", compression="group4", dpi=(100, 100))
    draw_page(dpi=100).save(tmp_path / "c.jpg", dpi=(100, 100))
    bilevel, colour = pages.read_pages(tmp_path, max_pixels=LIMIT)
    grey = pages.load_pixels(bilevel)
    assert grey.ndim == 2 and set(map(int, set(grey.ravel().tolist()))) <= {0, 255}
    assert pages.load_pixels(colour).shape == (colour.height, colour.width, 3)


# --- bad input: a clear error naming the file --------------------------------


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "trang-1.jpg").write_bytes(b"")
    with pytest.raises(InputFileError, match="empty") as e:
        pages.read_pages(tmp_path, max_pixels=LIMIT)
    assert e.value.path.name == "trang-1.jpg"


def test_truncated_jpeg(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    draw_page(dpi=100).save(path, dpi=(100, 100))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(InputFileError, match="truncated"):
        pages.read_pages(path, max_pixels=LIMIT)


def test_truncated_png(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    draw_page(dpi=100).save(path)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(InputFileError, match="truncated"):
        pages.read_pages(path, max_pixels=LIMIT)


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "trang-1.jpg"
    path.write_text("đây không phải là ảnh")
    with pytest.raises(InputFileError, match="not an image"):
        pages.read_pages(tmp_path, max_pixels=LIMIT)


def test_decompression_bomb(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    draw_page(dpi=100).save(path)
    with pytest.raises(TooLargeError, match="safety limit"):
        pages.read_pages(path, max_pixels=10_000)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no page images"):
        pages.read_pages(tmp_path, max_pixels=LIMIT)


def _image_pdf(path: Path, dpi: int = 200) -> None:
    draw_page(dpi=dpi).save(path, "PDF", resolution=dpi)


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "h.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(InputFileError, match="not a readable PDF"):
        pages.read_pages(path, max_pixels=LIMIT)


def test_encrypted_pdf(tmp_path: Path) -> None:
    plain, path = tmp_path / "plain.pdf", tmp_path / "h.pdf"
    _image_pdf(plain)
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="mk", owner="mk"))
    with pytest.raises(EncryptedPdfError, match="encrypted"):
        pages.read_pages(path, max_pixels=LIMIT)


def test_signed_pdf_is_refused(tmp_path: Path) -> None:
    plain, path = tmp_path / "plain.pdf", tmp_path / "h.pdf"
    _image_pdf(plain)
    with pikepdf.open(plain) as pdf:
        sig = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Sig, Filter=pikepdf.Name("/Adobe.PPKLite"))
        )
        field = pdf.make_indirect(
            pikepdf.Dictionary(FT=pikepdf.Name.Sig, T=pikepdf.String("Sig1"), V=sig)
        )
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], SigFlags=3)
        pdf.save(path)
    with pytest.raises(SignedPdfError, match="digital signature"):
        pages.read_pages(path, max_pixels=LIMIT)


def test_image_pdf_image_is_taken_out(tmp_path: Path) -> None:
    path = tmp_path / "h.pdf"
    _image_pdf(path, dpi=200)
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert page.encoding is Encoding.PDF_IMAGE
    assert page.dpi == pytest.approx((200, 200), rel=0.01)
    assert pages.load_pixels(page).shape[:2] == (page.height, page.width)


def test_pdf_with_text_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (Xin chao) Tj ET")
        pdf.save(path)
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert page.encoding is Encoding.PDF_PAGE


def test_pdf_javascript_and_attachments_are_reported(tmp_path: Path) -> None:
    plain, path = tmp_path / "plain.pdf", tmp_path / "h.pdf"
    _image_pdf(plain)
    with pikepdf.open(plain) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        pdf.attachments["ghi-chu.txt"] = pikepdf.AttachedFileSpec(pdf, b"x")
        pdf.save(path)
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    text = " ".join(page.warnings)
    assert "JavaScript" in text and "attached files" in text


def test_pdf_page_that_is_not_one_image_is_rasterised(tmp_path: Path) -> None:
    path = tmp_path / "h.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.pages[0].Contents = pdf.make_stream(b"0 0 0 rg 100 100 200 300 re f")
        pdf.save(path)
    (page,) = pages.read_pages(path, max_pixels=LIMIT)
    assert page.encoding is Encoding.LOSSLESS
    assert any("rasterised at 300 dpi" in w for w in page.warnings)
    pixels = pages.load_pixels(page)
    assert pixels.shape[:2] == (page.height, page.width)
    assert page.size_pt == pytest.approx((595, 842))  # 100% scale
    assert pixels.min() == 0  # the drawn rectangle is there


# -- what a clerk really drops beside the pages --------------------------------------------


def test_junk_and_a_stray_document_are_set_aside_not_refused(tmp_path: Path) -> None:
    draw_page(dpi=100).save(tmp_path / "trang-1.jpg", dpi=(100, 100))
    for junk in ("Thumbs.db", "desktop.ini", ".DS_Store", "~$bao-cao.docx", "._trang-1.jpg"):
        (tmp_path / junk).write_bytes(b"\x00junk")
    (tmp_path / "bao-cao.docx").write_bytes(b"PK\x03\x04 a word document")
    read = pages.read_pages(tmp_path, max_pixels=LIMIT)
    assert [p.source.name for p in read] == ["trang-1.jpg"]
    _, aside = pages.sort_out(tmp_path)
    assert ("bao-cao.docx", False) in aside and ("Thumbs.db", True) in aside and len(aside) == 6
    assert any("bao-cao.docx" in w and "a person should check it" in w for w in pages.set_aside_warnings(aside))


def test_a_damaged_file_named_as_a_page_is_still_refused(tmp_path: Path) -> None:
    draw_page(dpi=100).save(tmp_path / "trang-1.jpg", dpi=(100, 100))
    (tmp_path / "trang-2.jpg").write_bytes(b"not a jpeg at all")
    with pytest.raises(InputFileError, match="trang-2.jpg"):
        pages.read_pages(tmp_path, max_pixels=LIMIT)


@pytest.mark.parametrize("size", [(1, 1), (4, 3), (31, 400)])
def test_a_tiny_image_is_refused_clearly(tmp_path: Path, size) -> None:
    Image.new("L", size, 255).save(tmp_path / "nho.png")
    with pytest.raises(InputFileError) as caught:
        pages.read_pages(tmp_path / "nho.png", max_pixels=LIMIT)
    assert "quá nhỏ" in caught.value.vi and "too small" in caught.value.en


def test_a_tiny_image_in_a_pdf_is_refused_clearly(tmp_path: Path) -> None:
    Image.new("L", (3, 3), 255).save(tmp_path / "nho.pdf", "PDF", resolution=1)
    with pytest.raises(InputFileError, match="too small"):
        pages.read_pages(tmp_path / "nho.pdf", max_pixels=LIMIT)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, 0.99])
@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "group4"])
def test_a_truncated_tiff_is_a_clear_bilingual_refusal(tmp_path: Path, compression: str, keep: float) -> None:
    """Cut anywhere (IFDs after or before the data, one page or three): a refusal that says so,
    when probed or at the latest when decoded, never an internal error."""
    page = draw_page(dpi=100).convert("1" if compression == "group4" else "L")
    whole = tmp_path / "whole.tif"
    page.save(whole, save_all=True, append_images=[page, page], dpi=(100, 100),
              compression=None if compression == "raw" else compression)
    data = whole.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(InputFileError) as caught:
        for p in pages.read_pages(cut, max_pixels=LIMIT):
            pages.load_pixels(p)
    assert caught.value.vi and caught.value.en and "cut.tif" in str(caught.value.path)


def _pdf_with_text(path: Path, embedded: bool) -> None:
    """A born-digital page: text in Helvetica, embedded or not (Type 1, no descriptor)."""
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    if embedded:
        font.FontDescriptor = pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontFile3=pdf.make_stream(b"x"))
    content = b"BT /F1 28 Tf 72 700 Td (QUYET DINH so 12/QD-UBND) Tj 0 -40 Td (Ve viec so hoa ho so) Tj ET"
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(content)
    pdf.save(path)


def test_a_pdf_with_a_font_not_embedded_is_rasterised_and_said_so(tmp_path: Path) -> None:
    _pdf_with_text(tmp_path / "van-ban.pdf", embedded=False)
    (page,) = pages.read_pages(tmp_path / "van-ban.pdf", max_pixels=LIMIT)
    assert page.encoding is Encoding.LOSSLESS
    assert any("not embedded (Helvetica)" in w for w in page.warnings)
    assert pages.load_pixels(page).min() < 128  # the text is drawn, with a substitute font
    _pdf_with_text(tmp_path / "nhung.pdf", embedded=True)
    assert pages.read_pages(tmp_path / "nhung.pdf", max_pixels=LIMIT)[0].encoding is Encoding.PDF_PAGE
