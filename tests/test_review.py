"""Corrections as new metadata versions, against a real SeaweedFS: the audit passes on them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from bench.archived import make_dossier
from pipeline import archive, review
from pipeline.archive import catalog
from pipeline.core.errors import ReviewError
from tests.seaweed import seaweed  # noqa: F401


@pytest.fixture
def archived(seaweed, tmp_path: Path):  # noqa: F811
    store = seaweed.bucket(object_lock=True)
    out, rec = make_dossier(tmp_path, 7)
    key = archive.archive_dossier(store, out, rec).key
    return store, key


def _objects(store, key: str) -> dict[str, str]:
    """Every object's SHA-256 but the record and the manifest."""
    return {o["Key"]: store.sha256(o["Key"])[0] for o in store.list(key)
            if not o["Key"].endswith((archive.RECORD, archive.MANIFEST))}


def test_a_correction_is_a_new_version_with_its_event_and_the_audit_passes(archived) -> None:
    store, key = archived
    before, version = review.load(store, key)
    assert [(f.document, f.field) for f in review.flagged(before)] == [(1, "subject")]
    payload = _objects(store, key)
    when = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)

    rec, result = review.save(store, key, [review.Decision(1, "subject", "Về việc  cấp giấy chứng nhận")],
                              by="lan", based_on=version, now=when)

    assert result.status == "new-version" and result.record_version_id != version
    stored = json.loads(archive.read_file(store, key, archive.RECORD))
    assert stored["documents"][0]["subject"] == "Về việc cấp giấy chứng nhận"
    assert stored["documents"][0]["needsReview"] == []
    assert stored["documents"][0]["source"]["subject"] == "review"
    assert stored["documents"][0]["confidence"]["subject"] == 1.0
    assert stored["events"] == [{
        "type": "correction", "at": "2026-12-05T10:00:00Z", "by": "lan", "document": 1, "field": "subject",
        "old": "Về việc số hóa hồ sơ số 7", "new": "Về việc cấp giấy chứng nhận", "reason": "low OCR confidence",
    }]
    assert len(store.versions(key + archive.RECORD)) == 2  # the old version is kept
    assert _objects(store, key) == payload  # PDFs, scans, text untouched
    manifest = archive.parse_manifest(archive.read_file(store, key, archive.MANIFEST).decode())
    assert manifest[archive.RECORD] == hashlib.sha256(archive.read_file(store, key, archive.RECORD)).hexdigest()
    report = archive.audit(store, dossier=key)
    assert report.ok, report.findings
    lines = [e for e in catalog.iter_entries(store) if e.key == key]
    assert [e.change for e in lines] == ["new", "new-version"]
    assert lines[-1].record_version_id == result.record_version_id
    assert review.flagged(rec) == []


def test_a_confirmation_keeps_the_value_and_a_stale_or_bad_save_writes_nothing(archived) -> None:
    store, key = archived
    _, version = review.load(store, key)
    versions = len(store.versions(key + archive.RECORD))
    with pytest.raises(ReviewError) as bad:
        review.save(store, key, [review.Decision(1, "issuedDate", "31/02/2024")], by="lan", based_on=version)
    assert "không phải ngày" in bad.value.vi
    with pytest.raises(ReviewError):
        review.save(store, key, [review.Decision(None, "maintenance", "09")], by="lan", based_on=version)
    assert len(store.versions(key + archive.RECORD)) == versions

    rec, _ = review.save(store, key, [review.Decision(1, "subject", "Về việc số hóa hồ sơ số 7")],
                         by="lan", based_on=version)
    assert rec.events[-1].type == "confirmation" and rec.documents[0].subject == "Về việc số hóa hồ sơ số 7"
    with pytest.raises(ReviewError) as stale:  # saved against the version before the confirmation
        review.save(store, key, [review.Decision(2, "subject", "x")], by="minh", based_on=version)
    assert "người khác" in stale.value.vi
    assert archive.audit(store, dossier=key).ok


def test_the_reviewers_decisions_reach_the_e_ark_package(archived, tmp_path: Path) -> None:
    import zipfile

    from pipeline import export

    store, key = archived
    _, version = review.load(store, key)
    review.save(store, key, [review.Decision(1, "subject", "Về việc giao đất"), review.Decision(None, "mode", "01")],
                by="lan", based_on=version, now=dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC))
    [result] = list(export.export_many(store, [(key, None)], output_dir=tmp_path / "sip"))
    assert export.check_package(Path(result.location)) == []
    with zipfile.ZipFile(result.location) as z:
        premis = next(z.read(n) for n in z.namelist() if n.endswith("metadata/preservation/premis.xml")).decode()
    assert "<premis:agentName>lan</premis:agentName>" in premis
    assert "checked by lan in sohoa review" in premis
    assert "document 1 subject: 'Về việc số hóa hồ sơ số 7' → 'Về việc giao đất'" in premis
    from tests.test_export import VALIDATOR_DEFECTS, _eark, _unzip

    report = _eark(_unzip(Path(result.location), tmp_path / "unzipped") / "data" / result.objid)
    assert report["structure"] == "WellFormed", report
    assert {e.split()[0] for e in report["errors"]} <= VALIDATOR_DEFECTS, report["errors"]
