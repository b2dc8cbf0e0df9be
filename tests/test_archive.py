"""Archiving to a real SeaweedFS: layout, commit protocol, versions, failures, retention, catalogue."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import stat
import threading
import unicodedata
from pathlib import Path

import jsonschema
import pytest
from botocore.exceptions import ClientError

from pipeline import archive
from pipeline.archive import catalog, embedded
from pipeline.core.errors import (
    ArchiveRefusedError,
    ExitCode,
    StorageAccessError,
    StorageBucketError,
    StorageError,
)
from sohoa import storage
from tests.seaweed import Seaweed, make_dossier, pdf, seaweed  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
UTC = dt.UTC


def keys(store: archive.Store) -> list[str]:
    return sorted(o["Key"] for o in store.list(""))


def versions(store: archive.Store, key: str) -> list[dict]:
    return store.versions(key)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Boom(Exception):
    """The archiving process 'dies' here."""


def die_after(n: int):
    seen: list[str] = []

    def hook(key: str) -> None:
        seen.append(key)
        if len(seen) == n:
            raise Boom(key)

    return hook, seen


# -- commit ------------------------------------------------------------------------------


def test_commit_writes_the_layout_byte_for_byte(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    result = archive.archive_dossier(store, out, rec)

    key = f"68/24958/2025/{rec.dossier_id}/"
    assert result.status == "committed" and result.key == key
    expected = sorted(
        [key + n for n in ("record.json", "manifest-sha256.txt")]
        + [key + o.file for o in rec.outputs]
        + [key + "source/" + s.file for s in rec.sources]
        + [key + rel for p in rec.pages for rel in (p.text_file, p.hocr_file)]
    )
    day = dt.datetime.now(UTC).date()
    assert keys(store) == sorted(expected + [f"catalog/{day}/0001.ndjson"])
    # The originals are the preservation master: the very same bytes.
    for s in rec.sources:
        assert store.get(key + "source/" + s.file)[0] == (Path(rec.input) / s.file).read_bytes()
    assert store.get(key + "record.json")[0] == (out / "record.json").read_bytes()
    # The manifest covers every other object with its real checksum.
    manifest = archive.parse_manifest(store.get(key + "manifest-sha256.txt")[0].decode())
    assert set(manifest) == {k[len(key):] for k in expected} - {"manifest-sha256.txt"}
    for name, digest in manifest.items():
        assert sha(store.get(key + name)[0]) == digest
    # record.json was the last object written.
    assert result.uploaded[-1] == key + "record.json"
    # Metadata headers are ASCII; the Vietnamese title is in the tags, in NFC.
    head = store.head(key + "record.json")
    assert all(v.isascii() for v in head["Metadata"].values())
    tags = {t["Key"]: t["Value"] for t in store.client.get_object_tagging(
        Bucket=store.bucket, Key=key + "record.json")["TagSet"]}
    assert tags["commune"] == "Xã Đức Trọng"
    assert tags["title"] == unicodedata.normalize("NFC", "Hồ sơ chỉnh lý số hóa hồ sơ địa chính năm 2025")


def test_catalogue_line_follows_its_schema(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    result = archive.archive_dossier(store, out, rec)
    schema = json.loads((REPO / "schemas" / "catalog.schema.json").read_text(encoding="utf-8"))
    assert schema == catalog.json_schema()  # the published file is the generated one
    day = dt.datetime.now(UTC).date()
    body = store.get(catalog.chunk_key(day, 1))[0].decode("utf-8")
    lines = [json.loads(line) for line in body.splitlines()]
    assert len(lines) == 1
    jsonschema.validate(lines[0], schema, cls=jsonschema.Draft202012Validator)
    entry = lines[0]
    assert entry["key"] == result.key and entry["change"] == "new"
    assert entry["commune"]["name"] == "Xã Đức Trọng" and entry["documents"] == 2
    assert entry["recordSha256"] == sha((out / "record.json").read_bytes())
    assert entry["objects"] == len(keys(store)) - 1  # all but the catalogue itself


def test_rerun_changes_nothing(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    first = archive.archive_dossier(store, out, rec)
    before = {k: [v["VersionId"] for v in versions(store, k)] for k in keys(store)}

    again = archive.archive_dossier(store, out, rec)

    assert again.status == "unchanged" and again.uploaded == []
    assert again.record_version_id == first.record_version_id
    assert {k: [v["VersionId"] for v in versions(store, k)] for k in keys(store)} == before
    assert len(catalog.read_day(store, dt.datetime.now(UTC).date())) == 1


def test_reprocessing_the_same_scans_changes_nothing(seaweed: Seaweed, tmp_path: Path) -> None:
    """A new run of `sohoa process` has new timestamps and PDF bytes, but the same content."""
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    archive.archive_dossier(store, out, rec)
    data = pdf("made again, another creation time")
    (out / rec.outputs[0].file).write_bytes(data)
    rec2 = rec.model_copy(deep=True)
    rec2.created = rec.created + dt.timedelta(hours=1)
    rec2.timings.total = 99.0
    rec2.outputs[0].sha256, rec2.outputs[0].bytes = sha(data), len(data)
    (out / "record.json").write_text(rec2.to_json(), encoding="utf-8")

    assert archive.archive_dossier(store, out, rec2).status == "unchanged"


def test_changed_dossier_becomes_a_new_version(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    first = archive.archive_dossier(store, out, rec)
    old_record = (out / "record.json").read_bytes()
    rec2 = rec.model_copy(deep=True)
    rec2.dossier.title = "Hồ sơ địa chính (đã sửa tiêu đề)"
    rec2.dossier.maintenance = "01"
    (out / "record.json").write_text(rec2.to_json(), encoding="utf-8")

    second = archive.archive_dossier(store, out, rec2)

    key = first.key
    assert second.status == "new-version" and second.key == key
    record_versions = versions(store, key + "record.json")
    assert len(record_versions) == 2
    assert store.get(key + "record.json", first.record_version_id)[0] == old_record  # not lost
    assert store.get(key + "record.json")[0] == (out / "record.json").read_bytes()
    # The scans did not change: they are not sent again, one version each.
    assert all(len(versions(store, key + "source/" + s.file)) == 1 for s in rec.sources)
    assert key + "source/trang-1.jpg" in second.reused
    changes = [e.change for e in catalog.read_day(store, dt.datetime.now(UTC).date())]
    assert changes == ["new", "new-version"]


def test_without_versioning_a_change_is_refused(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False, versioning=False)
    out, rec = make_dossier(tmp_path)
    archive.archive_dossier(store, out, rec)
    committed = store.get(f"{archive.dossier_key(rec)}record.json")[0]
    rec2 = rec.model_copy(deep=True)
    rec2.dossier.title = "Tiêu đề khác"
    (out / "record.json").write_text(rec2.to_json(), encoding="utf-8")

    with pytest.raises(ArchiveRefusedError, match="no versioning"):
        archive.archive_dossier(store, out, rec2)
    assert store.get(f"{archive.dossier_key(rec)}record.json")[0] == committed


def test_page_text_and_hocr_are_archived(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    key = archive.archive_dossier(store, out, rec).key
    # The files record.json names, at the same relative path.
    for page in rec.pages:
        for rel in (page.text_file, page.hocr_file):
            assert store.get(key + rel)[0] == (out / rel).read_bytes()
    manifest = archive.parse_manifest(store.get(key + "manifest-sha256.txt")[0].decode())
    assert {"text/0001.txt", "text/0001.hocr", "text/0003.hocr"} <= set(manifest)

    # New OCR text for an archived dossier is a change: a new version, not "unchanged".
    (out / "text" / "0001.txt").write_text("văn bản khác\n", encoding="utf-8")
    assert archive.archive_dossier(store, out, rec).status == "new-version"
    assert store.get(key + "text/0001.txt")[0].decode() == "văn bản khác\n"

    # A text file the record names but that is gone: refused before anything is sent.
    (out / "text" / "0002.hocr").unlink()
    with pytest.raises(ArchiveRefusedError, match="text file"):
        archive.archive_dossier(store, out, rec)


def test_page_text_given_by_the_caller(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    decomposed = unicodedata.normalize("NFD", "Quyết định số 01")
    hocr = "<html><body><span class='ocrx_word' title='bbox 1 2 3 4'>Quyết</span></body></html>"
    texts = {1: archive.PageText(decomposed, hocr=hocr), 2: archive.PageText("trang hai")}
    key = archive.archive_dossier(store, out, rec, page_text=texts).key
    assert store.get(key + "text/0001.txt")[0].decode() == unicodedata.normalize("NFC", decomposed)
    assert store.get(key + "text/0001.hocr")[0].decode() == hocr
    assert store.head(key + "text/0003.txt") is None  # only what was given


def test_refuses_a_dossier_without_commune(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path, commune=None)
    with pytest.raises(ArchiveRefusedError, match="no commune"):
        archive.archive_dossier(store, out, rec)
    assert keys(store) == []


def test_refuses_a_scan_changed_after_processing(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    scan = Path(rec.input) / rec.sources[1].file
    scan.write_bytes(scan.read_bytes() + b"\0")
    with pytest.raises(ArchiveRefusedError, match="changed after") as e:
        archive.archive_dossier(store, out, rec)
    assert e.value.path == scan
    assert keys(store) == []


def test_two_writers_commit_a_dossier_once(seaweed: Seaweed, tmp_path: Path) -> None:
    bucket = seaweed.bucket(object_lock=False).bucket
    out, rec = make_dossier(tmp_path)
    statuses: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer() -> None:
        store = archive.Store(seaweed.connection(bucket))
        start.wait()
        try:
            statuses.append(archive.archive_dossier(store, out, rec).status)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(statuses) == ["committed", "unchanged"]
    store = archive.Store(seaweed.connection(bucket))
    assert len(versions(store, archive.dossier_key(rec) + "record.json")) == 1
    assert len(catalog.read_day(store, dt.datetime.now(UTC).date())) == 1


# -- interrupted and failing runs ---------------------------------------------------------


def test_killed_mid_upload_then_resumed(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    key = archive.dossier_key(rec)
    hook, seen = die_after(3)

    with pytest.raises(Boom):
        archive.archive_dossier(store, out, rec, after_put=hook)

    # Readers see no dossier: no record.json, no catalogue line.
    assert store.head(key + "record.json") is None
    assert len(keys(store)) == 3 and not any(k.startswith("catalog/") for k in keys(store))
    with pytest.raises(StorageError, match="not committed"):
        archive.read_file(store, key, rec.outputs[0].file)

    result = archive.archive_dossier(store, out, rec)

    assert result.status == "committed"
    assert set(seen) <= set(result.reused)  # finished, not started over
    assert all(len(versions(store, k)) == 1 for k in keys(store) if not k.startswith("catalog/"))
    assert len(catalog.read_day(store, dt.datetime.now(UTC).date())) == 1


def test_killed_between_commit_and_catalogue(seaweed: Seaweed, tmp_path: Path, monkeypatch) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)

    def dies(*a, **k):
        raise Boom("catalogue")

    with monkeypatch.context() as m:
        m.setattr(catalog, "append", dies)
        with pytest.raises(Boom):
            archive.archive_dossier(store, out, rec)
    assert catalog.read_day(store, dt.datetime.now(UTC).date()) == []

    again = archive.archive_dossier(store, out, rec)
    assert again.status == "unchanged"  # the dossier was committed once, and stays so
    entries = catalog.read_day(store, dt.datetime.now(UTC).date())
    assert [e.key for e in entries] == [again.key] and entries[0].objects == 13
    assert archive.archive_dossier(store, out, rec).status == "unchanged"
    assert len(catalog.read_day(store, dt.datetime.now(UTC).date())) == 1


def test_readers_see_the_committed_version_during_an_update(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    first = archive.archive_dossier(store, out, rec)
    old_pdf = (out / rec.outputs[0].file).read_bytes()
    # A re-signed PDF arrives (a change); the run dies after the PDFs, before record.json.
    signed = old_pdf + b"\n% /Sig /ByteRange [0 1 2 3]\n"
    (out / rec.outputs[0].file).write_bytes(signed)
    hook, _ = die_after(len(rec.sources) + 2 * len(rec.pages) + len(rec.outputs))
    with pytest.raises(Boom):
        archive.archive_dossier(store, out, rec, after_put=hook)
    assert store.get(first.key + rec.outputs[0].file)[0] == signed  # the newer bytes are there…
    # …but a reader going through the committed record gets the committed file.
    assert archive.read_file(store, first.key, rec.outputs[0].file) == old_pdf


def test_storage_stopped_during_a_run(tmp_path: Path) -> None:
    root = tmp_path / "store"
    port = embedded.free_port()
    embedded.up(root, s3_port=port)
    try:
        sw = Seaweed(root, embedded.read_credentials(root))
        store = sw.bucket(object_lock=False)
        out, rec = make_dossier(tmp_path)
        local = {p: sha(p.read_bytes()) for p in out.rglob("*") if p.is_file()}

        def stop_storage(key: str) -> None:
            if key.endswith("trang-2.jpg"):
                embedded.down(root, timeout=0.5)

        with pytest.raises(StorageError, match="did not answer") as e:
            archive.archive_dossier(store, out, rec, after_put=stop_storage)
        assert "nothing was committed" in e.value.message
        assert {p: sha(p.read_bytes()) for p in out.rglob("*") if p.is_file()} == local  # still where it was

        embedded.up(root, s3_port=port)
        store = archive.Store(sw.connection(store.bucket))
        assert store.head(archive.dossier_key(rec) + "record.json") is None
        assert archive.archive_dossier(store, out, rec).status == "committed"
        assert archive.audit(store).ok
    finally:
        embedded.down(root, timeout=1)


def test_unreachable_store_retries_with_backoff_then_one_error(tmp_path: Path) -> None:
    pauses: list[float] = []
    conn = archive.Connection(
        endpoint=f"http://127.0.0.1:{embedded.free_port()}", bucket="b", access_key="k",
        secret_key="s", retries=3, backoff=0.01, timeout=1,
    )
    store = archive.Store(conn, sleep=pauses.append)
    out, rec = make_dossier(tmp_path)
    with pytest.raises(StorageError, match="after 4 tries") as e:
        archive.archive_dossier(store, out, rec)
    assert pauses == [0.01, 0.02, 0.04]
    assert e.value.exit_code == ExitCode.storage_unavailable


def test_wrong_credentials_one_clear_message(seaweed: Seaweed, tmp_path: Path) -> None:
    good = seaweed.bucket(object_lock=False)
    secret = "not-the-secret-0123456789"
    store = archive.Store(seaweed.connection(good.bucket, secret_key=secret))
    out, rec = make_dossier(tmp_path)
    with pytest.raises(StorageAccessError, match="refused the credentials") as e:
        archive.archive_dossier(store, out, rec)
    assert secret not in e.value.message and seaweed.creds.access_key not in e.value.message
    assert secret not in repr(store.conn) and seaweed.creds.secret_key not in repr(store.conn)


def test_missing_bucket_one_clear_message(seaweed: Seaweed, tmp_path: Path) -> None:
    store = archive.Store(seaweed.connection("no-such-bucket"))
    out, rec = make_dossier(tmp_path)
    with pytest.raises(StorageBucketError, match="'no-such-bucket' does not exist"):
        archive.archive_dossier(store, out, rec)


# -- retention ------------------------------------------------------------------------------


def test_object_lock_retention_follows_maintenance(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=True)
    assert store.object_lock and store.versioning
    now = dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    permanent_out, permanent = make_dossier(tmp_path, name="vinh-vien", seed="p", maintenance="01")
    ten_out, ten = make_dossier(tmp_path, name="muoi-nam", seed="t", maintenance="06")

    r1 = archive.archive_dossier(store, permanent_out, permanent, now=now, permanent_retention_years=100)
    r2 = archive.archive_dossier(store, ten_out, ten, now=now, legal_hold=True)

    def retention(key: str) -> dict:
        return store.client.get_object_retention(Bucket=store.bucket, Key=key)["Retention"]

    for key in (r1.key + "record.json", r1.key + "source/trang-1.jpg", r1.key + permanent.outputs[0].file):
        got = retention(key)
        assert got["Mode"] == "COMPLIANCE"
        assert got["RetainUntilDate"].astimezone(UTC) == dt.datetime(2126, 3, 1, 8, 0, tzinfo=UTC)
    assert retention(r2.key + "record.json")["RetainUntilDate"].astimezone(UTC).year == 2036
    hold = store.client.get_object_legal_hold(Bucket=store.bucket, Key=r2.key + "record.json")
    assert hold["LegalHold"]["Status"] == "ON"
    assert r1.notices == [] and r2.legal_hold
    # WORM: the committed version cannot be deleted.
    version = store.head(r1.key + "record.json")["VersionId"]
    with pytest.raises(ClientError) as e:
        store.client.delete_object(Bucket=store.bucket, Key=r1.key + "record.json", VersionId=version)
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    entry = catalog.read_day(store, dt.datetime.now(UTC).date())[0]
    assert entry.retain_until == dt.datetime(2126, 3, 1, 8, 0, tzinfo=UTC)


def test_no_object_lock_is_said_once_and_legal_hold_refused(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    assert not store.object_lock
    a_out, a = make_dossier(tmp_path, name="a", seed="a")
    b_out, b = make_dossier(tmp_path, name="b", seed="b")
    first = archive.archive_dossier(store, a_out, a)
    second = archive.archive_dossier(store, b_out, b)
    assert len(first.notices) == 1 and "has no Object Lock" in first.notices[0]
    assert second.notices == []
    assert first.retain_until is None
    with pytest.raises(ClientError):
        store.client.get_object_retention(Bucket=store.bucket, Key=first.key + "record.json")
    c_out, c = make_dossier(tmp_path, name="c", seed="c")
    with pytest.raises(ArchiveRefusedError, match="legal hold"):
        archive.archive_dossier(store, c_out, c, legal_hold=True)


def test_retention_dates() -> None:
    leap = dt.datetime(2028, 2, 29, tzinfo=UTC)
    assert archive.retain_until("04", leap, 100) == dt.datetime(2058, 2, 28, tzinfo=UTC)
    assert archive.retain_until("01", leap, 150).year == 2178
    assert archive.retain_until("07", leap, 100) is None
    assert archive.retain_until(None, leap, 100) is None


# -- catalogue ---------------------------------------------------------------------------


def test_two_writers_never_lose_a_catalogue_line(seaweed: Seaweed, tmp_path: Path) -> None:
    bucket = seaweed.bucket(object_lock=False).bucket
    _, rec = make_dossier(tmp_path)
    now = dt.datetime.now(UTC)

    def entry(i: int) -> catalog.CatalogEntry:
        return catalog.CatalogEntry(
            key=f"68/24958/2025/{i:04d}/", bucket=bucket, dossier_id=str(i), change="new",
            committed=now, record_sha256=f"{i:064x}", record_version_id=None,
            commune=catalog.CatalogCommune(code="24958", name="Xã Đức Trọng", province_code="68",
                                           province_name="Lâm Đồng"),
            file_code=None, title=rec.dossier.title, maintenance="04", start_date=None,
            end_date=None, documents=1, pages=1, objects=3, bytes=1, retain_until=None,
            legal_hold=False,
        )

    def writer(first: int) -> None:
        store = archive.Store(seaweed.connection(bucket))
        for i in range(first, first + 6):
            catalog.append(store, entry(i))

    threads = [threading.Thread(target=writer, args=(n * 100,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = archive.Store(seaweed.connection(bucket))
    got = sorted(e.dossier_id for e in catalog.read_day(store, now.date()))
    assert got == sorted(str(n * 100 + i) for n in range(3) for i in range(6))
    assert catalog.append(store, entry(0)) is False  # already there: not added twice
    assert len(list(catalog.iter_entries(store))) == 18


def _catalogue_entry(rec, bucket: str, i: int, when: dt.datetime) -> catalog.CatalogEntry:
    return catalog.CatalogEntry(
        key=f"68/24958/2025/{i:04d}/", bucket=bucket, dossier_id=str(i), change="new",
        committed=when, record_sha256=f"{i:064x}", record_version_id=None,
        commune=catalog.CatalogCommune(code="24958", name="Xã Đức Trọng", province_code="68",
                                       province_name="Lâm Đồng"),
        file_code=None, title=rec.dossier.title, maintenance="04", start_date=None,
        end_date=None, documents=1, pages=1, objects=3, bytes=1, retain_until=None, legal_hold=False,
    )


def test_the_versioned_catalogue_grows_linearly(seaweed: Seaweed, tmp_path: Path, monkeypatch) -> None:
    """Every version of a catalogue object is kept: one object per day held N versions of up
    to N lines. Objects of at most CHUNK_LINES lines keep the stored bytes linear in N."""
    monkeypatch.setattr(catalog, "CHUNK_LINES", 10)
    store = seaweed.bucket(object_lock=False)
    _, rec = make_dossier(tmp_path)
    now = dt.datetime.now(UTC)
    entries = [_catalogue_entry(rec, store.bucket, i, now) for i in range(60)]
    for e in entries:
        assert catalog.append(store, e)
    line = max(len(e.line().encode()) for e in entries)
    listed = store.client.list_object_versions(Bucket=store.bucket, Prefix="catalog/")["Versions"]
    stored = sum(v["Size"] for v in listed)
    assert stored <= 60 * (10 + 1) / 2 * line * 1.1  # one day in one object: 60 × 61 / 2 lines
    assert [k.rsplit("/", 1)[1] for k in catalog.day_keys(store, now.date())] == [
        f"{n:04d}.ndjson" for n in range(1, 7)
    ]
    assert [e.dossier_id for e in catalog.iter_entries(store)] == [str(i) for i in range(60)]
    assert catalog.append(store, entries[3]) is False


def test_the_catalogue_of_a_day_written_as_one_object_is_still_read(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    _, rec = make_dossier(tmp_path)
    now = dt.datetime.now(UTC)
    old = _catalogue_entry(rec, store.bucket, 1, now)
    body = old.line().encode()
    store.put(catalog.day_key(now.date()), body, hashlib.sha256(body).hexdigest())
    assert catalog.append(store, old) is False  # already there, in the old object
    assert catalog.append(store, _catalogue_entry(rec, store.bucket, 2, now))
    assert [e.dossier_id for e in catalog.read_day(store, now.date())] == ["1", "2"]
    assert [e.dossier_id for e in catalog.iter_entries(store, now.date())] == ["1", "2"]
    assert catalog.contains(store, old.key, old.record_sha256, now)


# -- command line -------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sohoa")
    storage.add_commands(parser.add_subparsers(required=True))
    args = parser.parse_args(list(argv))
    return args.run(args)


def test_storage_commands(seaweed: Seaweed, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    port = int(seaweed.creds.endpoint.rsplit(":", 1)[1])
    cfg = tmp_path / "sohoa.yaml"
    cfg.write_text(
        f"storage:\n  data_dir: {seaweed.root}\n  port: {port}\n  bucket: cli-bucket\n"
        "  retries: 1\n  backoff_seconds: 0.05\n"
    )
    pid = embedded.status(seaweed.root).pid

    assert run_cli("storage", "up", "--config", str(cfg)) == 0  # already running: unchanged
    said = capsys.readouterr().out
    assert f"pid {pid}" in said and "already running" in said
    assert "bucket: cli-bucket (versioning: on, Object Lock: on)" in said
    assert seaweed.creds.secret_key not in said  # not printed unless asked
    assert embedded.status(seaweed.root).pid == pid
    for name in ("credentials.json", "s3-identities.json"):
        assert stat.S_IMODE(os.stat(seaweed.root / name).st_mode) == 0o600

    assert run_cli("storage", "up", "--config", str(cfg), "--show-credentials") == 0
    assert seaweed.creds.secret_key in capsys.readouterr().out

    assert run_cli("storage", "status", "--config", str(cfg)) == 0
    assert "running" in capsys.readouterr().out

    # archive_output: what `sohoa process --archive` calls.
    from pipeline.core import settings as config

    out, rec = make_dossier(tmp_path)
    settings = config.load(cfg)
    result = storage.archive_output(out, rec, settings)
    storage.report_archive(result)
    assert f"s3://cli-bucket/{result.key}record.json" in capsys.readouterr().out
    assert result.retain_until is not None  # storage up made the bucket with Object Lock

    stopped = tmp_path / "never-started"
    cfg2 = tmp_path / "stopped.yaml"
    cfg2.write_text(f"storage:\n  data_dir: {stopped}\n")
    assert run_cli("storage", "status", "--config", str(cfg2)) == ExitCode.storage_unavailable
    assert run_cli("storage", "down", "--config", str(cfg2)) == 0  # nothing to stop: fine
    assert "was not running" in capsys.readouterr().out
    with pytest.raises(StorageError, match="not running"):
        storage.archive_output(out, rec, config.load(cfg2))


def test_a_dossier_dropped_as_one_file_is_archived_from_beside_it(seaweed: Seaweed, tmp_path: Path) -> None:
    """The flow passes where it fetched the dossier: for a multi-page TIFF or a PDF dropped
    on its own that is the file, and its sources are named beside it."""
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    scans = tmp_path / "ho-so"
    result = archive.archive_dossier(store, out, rec, source_dir=scans / rec.sources[0].file)
    assert result.status == "committed"
