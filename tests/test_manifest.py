"""The clerk's manifest and the commune list."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import commune
from pipeline.core.errors import InputFileError
from pipeline.ingest import manifest


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ho-so.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_manifest(tmp_path: Path) -> None:
    path = write(tmp_path, """\
dossier:
  fileCode: "000.00.00.H01.2025.01"
  paperFileCode: HS-2025-01
  title: Hồ sơ rà soát đất đai
  maintenance: vĩnh viễn
  mode: 1
  format: bình thường
  commune: "00583"
documents:
  - docOrdinal: 1
    pages: [1, 2]
    codeNumber: 08
    issuedDate: 2026-01-05
    signer: {position: PHÓ CHỦ TỊCH, fullName: Huỳnh Tấn Phước}
  - docOrdinal: 2
    pages: [3, 3]
""")
    m = manifest.load(path)
    assert m.dossier.maintenance == "01" and m.dossier.mode == "01" and m.dossier.format == "02"
    assert m.document(1).codeNumber == "08"
    assert str(m.document(1).issuedDate) == "2026-01-05"
    assert m.split(3, path) == [(1, 2), (3, 3)]


def test_decomposed_text_becomes_nfc(tmp_path: Path) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Hồ sơ đất đai")
    m = manifest.load(write(tmp_path, f"dossier:\n  title: {decomposed}\n"))
    assert m.dossier.title == "Hồ sơ đất đai"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("dossier:\n  title: [a\n", 3, "not valid YAML"),
        ("dossier:\n  title: a\n  maintenence: '01'\n", 3, "Extra inputs"),
        ("dossier:\n  maintenance: 9\n", 2, "maintenance must be one of"),
        ("documents:\n  - docOrdinal: 1\n    pages: [2, 1]\n", 3, "first ≤ last"),
        ("documents:\n  - docOrdinal: 1\n  - docOrdinal: 1\n", 2, "only once"),
    ],
)
def test_malformed_manifest_names_the_line(tmp_path: Path, text, line, words) -> None:
    with pytest.raises(InputFileError) as e:
        manifest.load(write(tmp_path, text))
    assert f"line {line}:" in e.value.message and words in e.value.message
    assert f"dòng {line}:" in e.value.message_vi


def test_page_ranges_must_cover_the_dossier(tmp_path: Path) -> None:
    path = write(tmp_path, "documents:\n  - docOrdinal: 1\n    pages: [1, 2]\n")
    m = manifest.load(path)
    with pytest.raises(InputFileError, match="dossier has 3"):
        m.split(3, path)
    gap = manifest.load(write(tmp_path, "documents:\n  - {docOrdinal: 1, pages: [2, 3]}\n"))
    with pytest.raises(InputFileError, match="without gaps"):
        gap.split(3, path)


def test_two_manifests_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "")
    (tmp_path / "manifest.yaml").write_text("")
    with pytest.raises(InputFileError, match="more than one manifest"):
        manifest.find(tmp_path)


def test_commune_by_code_and_name() -> None:
    by_code = commune.lookup("00583")
    assert (by_code.name, by_code.province_code, by_code.province_name) == (
        "Xã Bát Tràng", "01", "Thành phố Hà Nội",
    )
    assert commune.lookup("Bát Tràng") == by_code


def test_commune_unknown_or_ambiguous() -> None:
    with pytest.raises(InputFileError, match="not a commune"):
        commune.lookup("99999")
    with pytest.raises(InputFileError, match="ambiguous"):
        commune.lookup("Tân Hòa")


def _one_page_dossier(tmp_path: Path, manifest_commune: str | None) -> Path:
    from tests.conftest import draw_page

    folder = tmp_path / "ho-so"
    folder.mkdir(parents=True)
    draw_page(100).save(folder / "trang-1.jpg", dpi=(100, 100))
    if manifest_commune:
        (folder / "ho-so.yaml").write_text(f'dossier:\n  commune: "{manifest_commune}"\n', encoding="utf-8")
    return folder


def test_the_commune_is_the_watch_folders_not_the_manifests(tmp_path: Path) -> None:
    from pipeline import process

    folder = _one_page_dossier(tmp_path, "Bát Tràng")  # 00583, dropped into 24958's folder
    with pytest.raises(InputFileError) as caught:
        process.open_dossier(folder, commune="24958")
    assert "ghi Xã Bát Tràng (00583)" in caught.value.vi and "hãy thả vào thư mục của xã đó" in caught.value.vi
    assert "names Xã Bát Tràng (00583)" in caught.value.en
    assert caught.value.path.name == "ho-so.yaml"


def test_a_manifest_may_repeat_the_commune_or_give_it_alone(tmp_path: Path) -> None:
    from pipeline import process

    same = process.open_dossier(_one_page_dossier(tmp_path / "a", "00583"), commune="Bát Tràng")
    assert same.where.code == "00583"
    alone = process.open_dossier(_one_page_dossier(tmp_path / "b", "00583"))  # sohoa process, no folder
    assert alone.where.code == "00583"
