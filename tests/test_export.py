"""``sohoa export-sip``: archived dossiers as E-ARK SIP packages in BagIt bags, against a real
SeaweedFS, real signed PDF/As, bagit, the schemas, and the E-ARK validator itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from bench.archived import archive_dossiers, make_dossier
from pipeline import archive, export
from pipeline.core.errors import ExitCode, ExportFixityError, ExportIncompleteError, ExportNotFoundError
from pipeline.sign import devpki
from tests.conftest_signing import dev_pki, document_signer, signing_settings  # noqa: F401
from tests.seaweed import seaweed  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
EARK_PYTHON = REPO / ".venv-eark" / "bin" / "python"
METS = "{http://www.loc.gov/METS/}"
PREMIS = "{http://www.loc.gov/premis/v3}"
XLINK = "{http://www.w3.org/1999/xlink}"
# eark-validator 1.1.3's SIP rule SIP14 asks every note of a CREATOR agent for an unqualified
# NOTETYPE="IDENTIFICATIONCODE". The METS schema allows no unqualified attribute on a note,
# and CSIP15/16 require the software CREATOR agent's one note to carry
# csip:NOTETYPE="SOFTWARE VERSION": no package can pass CSIP, METS and SIP14 together.
VALIDATOR_DEFECTS = {"SIP14"}


@pytest.fixture(scope="module")
def signed(seaweed, dev_pki, tmp_path_factory):  # noqa: F811
    """A bucket holding one dossier whose two PDF/As are signed (PAdES B-T, live TSA)."""
    store = seaweed.bucket(object_lock=True)
    os.environ[devpki.PASSWORD_ENV] = dev_pki.password()
    try:
        with document_signer(signing_settings(dev_pki, level="B-T")) as signer:
            out, rec = make_dossier(tmp_path_factory.mktemp("signed"), 7, signer=signer)
    finally:
        del os.environ[devpki.PASSWORD_ENV]
    result = archive.archive_dossier(store, out, rec)
    return store, result.key, rec


def _unzip(package: Path, into: Path) -> Path:
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
        z.extractall(into)
    (root,) = {n.split("/", 1)[0] for n in names}
    return into / root


def _eark(ip: Path) -> dict:
    if not EARK_PYTHON.is_file():
        pytest.fail(f"{EARK_PYTHON} is missing: scripts/setup.sh installs eark-validator there")
    run = subprocess.run([str(EARK_PYTHON), str(REPO / "tests" / "eark_validate.py"), str(ip)],
                         capture_output=True, text=True, timeout=300)
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, run.stdout + run.stderr
    return json.loads(lines[-1])


def test_a_signed_dossier_becomes_a_valid_e_ark_sip(signed, tmp_path: Path) -> None:
    store, key, rec = signed
    result = export.export_dossier(store, key, output_dir=tmp_path / "out")
    package = Path(result.location)
    assert package.name == f"{result.objid}.zip" and package.is_file()
    assert result.sha256 == hashlib.sha256(package.read_bytes()).hexdigest()
    assert not [p for p in (tmp_path / "out").iterdir() if p != package]  # no leftovers

    bag = _unzip(package, tmp_path / "unzipped")
    ip = bag / "data" / result.objid
    assert (bag / "bagit.txt").is_file() and (bag / "manifest-sha256.txt").is_file()
    assert export.check_package(package) == [] and export.check_package(bag) == []

    # Every file from the archive, byte for byte, at its place in the package.
    listed = archive.parse_manifest(archive.read_file(store, key, archive.MANIFEST).decode())
    places = {"record.json": "metadata/descriptive/record.json"}
    for name, sha in listed.items():
        place = places.get(name) or (
            "representations/rep2/data/" + name.removeprefix("source/") if name.startswith("source/")
            else "representations/rep3/data/" + name.removeprefix("text/") if name.startswith("text/")
            else "representations/rep1/data/" + name
        )
        assert hashlib.sha256((ip / place).read_bytes()).hexdigest() == sha, name

    # The package METS: CSIP header, one CSIP structMap, pointers to each representation.
    mets = etree.parse(str(ip / "METS.xml")).getroot()
    assert mets.get("OBJID") == result.objid
    assert mets.get("PROFILE") == "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
    assert mets.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}CONTENTINFORMATIONTYPE") == "OTHER"
    agents = mets.findall(f"{METS}metsHdr/{METS}agent")
    software = next(a for a in agents if a.get("OTHERTYPE") == "SOFTWARE")
    assert software.findtext(f"{METS}name") == "sohoa"
    submitter = next(a for a in agents if a.get("TYPE") == "ORGANIZATION")
    assert submitter.findtext(f"{METS}name") == rec.outputs[0].signature.agency  # from the certificate
    assert [s.get("LABEL") for s in mets.findall(f"{METS}structMap")] == ["CSIP"]
    uses = {g.get("USE") for g in mets.iter(f"{METS}fileGrp")}
    assert {"Documentation", "Schemas", "Representations/rep1", "Representations/rep2",
            "Representations/rep3"} <= uses
    pdfs = etree.parse(str(ip / "representations/rep1/METS.xml")).getroot()
    files = {f.find(f"{METS}FLocat").get(f"{XLINK}href"): f for f in pdfs.iter(f"{METS}file")}
    for out in rec.outputs:
        entry = files[f"data/{out.file}"]
        assert entry.get("CHECKSUMTYPE") == "SHA-256" and entry.get("MIMETYPE") == "application/pdf"
        assert entry.get("CHECKSUM") == listed[out.file] and int(entry.get("SIZE")) == out.bytes

    # PREMIS: fixity per file, the events from scan to hand-over, the agents.
    premis = etree.parse(str(ip / "metadata/preservation/premis.xml")).getroot()
    digests = {o.findtext(f"{PREMIS}objectIdentifier/{PREMIS}objectIdentifierValue"):
               o.findtext(f"{PREMIS}objectCharacteristics/{PREMIS}fixity/{PREMIS}messageDigest")
               for o in premis.findall(f"{PREMIS}object")}
    assert digests["representations/rep1/data/" + rec.outputs[0].file] == listed[rec.outputs[0].file]
    events = [e.findtext(f"{PREMIS}eventType") for e in premis.findall(f"{PREMIS}event")]
    for wanted in ("digitization", "optical character recognition", "metadata extraction",
                   "metadata modification", "fixity check", "information package creation"):
        assert wanted in events, events
    assert events.count("digital signature generation") == len(rec.outputs)
    agent_names = [a.findtext(f"{PREMIS}agentName") for a in premis.findall(f"{PREMIS}agent")]
    assert {"sohoa", "Tesseract OCR", rec.outputs[0].signature.agency} <= set(agent_names)

    # Dublin Core: the dossier's TT 05 fields.
    dc = etree.parse(str(ip / "metadata/descriptive/DC.xml")).getroot()
    texts = [e.text for e in dc]
    assert rec.dossier.title in texts and rec.dossier.file_code in texts
    assert any(t.startswith("Thời hạn bảo quản: 04") for t in texts)

    # The E-ARK validator: nothing but its own contradiction (see VALIDATOR_DEFECTS).
    report = _eark(ip)
    assert report["structure"] == "WellFormed", report
    assert {e.split()[0] for e in report["errors"]} <= VALIDATOR_DEFECTS, report["errors"]
    assert len(report["errors"]) <= 1, report["errors"]


def test_tampered_packages_fail_with_a_clear_message(signed, tmp_path: Path) -> None:
    store, key, rec = signed
    package = Path(export.export_dossier(store, key, output_dir=tmp_path / "out").location)
    good = _unzip(package, tmp_path / "good")
    ip = next((good / "data").iterdir())
    pdf = f"representations/rep1/data/{rec.outputs[0].file}"

    changed = shutil.copytree(good, tmp_path / "changed-byte")
    target = changed / "data" / ip.name / pdf
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    problems = export.check_package(changed)
    assert any(p.startswith("BagIt: ") and rec.outputs[0].file in p and "sha256 validation failed" in p
               for p in problems), problems
    assert any("SHA-256" in p and "METS says" in p for p in problems), problems

    missing = shutil.copytree(good, tmp_path / "missing-file")
    (missing / "data" / ip.name / "representations/rep2/data/trang-2.jpg").unlink()
    problems = export.check_package(missing)
    assert any("trang-2.jpg" in p and "missing" in p.lower() for p in problems), problems

    edited = shutil.copytree(good, tmp_path / "mets-edited")
    mets = edited / "data" / ip.name / "representations/rep1/METS.xml"
    sha = hashlib.sha256((ip / pdf).read_bytes()).hexdigest()
    mets.write_text(mets.read_text(encoding="utf-8").replace(sha, "0" * 64), encoding="utf-8")
    problems = export.check_package(edited)
    assert any("METS.xml" in p and "0" * 64 in p for p in problems), problems

    # The same through the command line: the exit code, and a line naming the problem.
    run = subprocess.run([sys.executable, "-m", "sohoa.cli", "check-sip", str(changed), str(good)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == ExitCode.export_invalid, run.stderr
    assert "INVALID" in run.stdout and rec.outputs[0].file in run.stdout
    assert f"{good}: hợp lệ / valid" in run.stdout


def test_refusals_unknown_key_changed_object_missing_record(seaweed, tmp_path: Path) -> None:  # noqa: F811
    store = seaweed.bucket(object_lock=False)
    keys = archive_dossiers(store, tmp_path / "made", 3)
    out = tmp_path / "out"

    with pytest.raises(ExportNotFoundError) as e:
        export.export_dossier(store, "68/24958/2025/00000000-0000-0000-0000-000000000000/", output_dir=out)
    assert e.value.exit_code == ExitCode.export_not_found and "không có hồ sơ" in e.value.message_vi

    # A scan whose every stored version no longer matches (bit rot, a lost version): refused, named.
    victim = keys[0] + "source/trang-1.jpg"
    for version in store.versions(victim):
        store.client.delete_object(Bucket=store.bucket, Key=victim, VersionId=version["VersionId"])
    store.client.put_object(Bucket=store.bucket, Key=victim, Body=b"\xff\xd8 not the scan")
    with pytest.raises(ExportFixityError) as e:
        export.export_dossier(store, keys[0], output_dir=out)
    assert victim in e.value.message and victim in e.value.message_vi
    assert e.value.exit_code == ExitCode.export_fixity
    assert not out.exists() or not list(out.iterdir())  # nothing handed over, nothing left

    # A newer stray version over an intact one: the committed bytes are still there and used.
    stray = keys[1] + "text/0001.txt"
    store.client.put_object(Bucket=store.bucket, Key=stray, Body=b"changed after the commit")
    result = export.export_dossier(store, keys[1], output_dir=out)
    assert export.check_package(Path(result.location)) == []

    # record.json gone: an unfinished upload, not a dossier.
    for version in store.versions(keys[2] + "record.json"):
        store.client.delete_object(Bucket=store.bucket, Key=keys[2] + "record.json", VersionId=version["VersionId"])
    with pytest.raises(ExportIncompleteError) as e:
        export.export_dossier(store, keys[2], output_dir=out)
    assert e.value.exit_code == ExitCode.export_incomplete and "record.json" in e.value.message

    # Through the command line: each with its own exit code and both languages.
    env = {**os.environ, **_storage_env(seaweed, store.bucket)}
    for args, code in (
        (["export-sip", "68/24958/2025/nothing-here", "-o", str(out)], ExitCode.export_not_found),
        (["export-sip", keys[0], "-o", str(out)], ExitCode.export_fixity),
        (["export-sip", keys[2], "-o", str(out)], ExitCode.export_incomplete),
        (["export-sip", "-o", str(out)], ExitCode.bad_args),
    ):
        run = subprocess.run([sys.executable, "-m", "sohoa.cli", *args], capture_output=True, text=True,
                             env=env, timeout=120)
        assert run.returncode == code, (args, run.stderr)
        if code != ExitCode.bad_args:
            assert run.stderr.startswith("Lỗi: ") and "\nError: " in run.stderr


def test_a_commune_since_a_day_to_the_bucket_without_touching_the_archive(seaweed, tmp_path: Path) -> None:  # noqa: F811
    store = seaweed.bucket(object_lock=True)
    keys = archive_dossiers(store, tmp_path / "made", 3)
    before = {o["Key"]: o["ETag"] for o in store.list("")}
    today = dt.datetime.now(dt.UTC).date()
    assert export.select(store, "24958", today + dt.timedelta(days=1)) == []
    assert [k for k, _ in export.select(store, "24958", today)] == sorted(keys)

    run = subprocess.run(
        [sys.executable, "-m", "sohoa.cli", "export-sip", "--commune", "24958", "--since", today.isoformat(),
         "--to-bucket", "-q"],
        capture_output=True, text=True, env={**os.environ, **_storage_env(seaweed, store.bucket)}, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    locations = run.stdout.split()
    assert len(locations) == 3 and all(loc.startswith(f"s3://{store.bucket}/exports/") for loc in locations)
    after = {o["Key"]: o["ETag"] for o in store.list("")}
    assert {k: v for k, v in after.items() if not k.startswith("exports/")} == before  # nothing else changed
    exported = [k for k in after if k.startswith("exports/")]
    assert len(exported) == 3
    body, _ = store.get(exported[0])
    (tmp_path / "p.zip").write_bytes(body)
    assert export.check_package(tmp_path / "p.zip") == []
    assert archive.audit(store).ok  # the audit does not take packages for strays


def _storage_env(seaweed, bucket: str) -> dict[str, str]:  # noqa: F811
    return {
        "SOHOA_STORAGE__ENDPOINT": seaweed.creds.endpoint,
        "SOHOA_STORAGE__REGION": seaweed.creds.region,
        "SOHOA_STORAGE__ACCESS_KEY": seaweed.creds.access_key,
        "SOHOA_STORAGE__SECRET_KEY": seaweed.creds.secret_key,
        "SOHOA_STORAGE__BUCKET": bucket,
        "SOHOA_STORAGE__RETRIES": "1",
        "SOHOA_CONFIG": "",
    }


@pytest.mark.flows
def test_the_export_flow_on_a_prefect_server(seaweed, prefect_sqlite_api, tmp_path, monkeypatch) -> None:  # noqa: F811
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.export import export_sips

    store = seaweed.bucket(object_lock=False)
    archive_dossiers(store, tmp_path / "made", 2)
    for name, value in _storage_env(seaweed, store.bucket).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    with temporary_settings({PREFECT_API_URL: prefect_sqlite_api}):
        rows = export_sips("24958", dt.datetime.now(dt.UTC).date(), output_dir=str(tmp_path / "sips"))
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            artifact = client.read_artifacts()[0]
            runs = client.read_flow_runs()
    assert len(rows) == 2 and all(Path(r["package"]).is_file() for r in rows)
    assert artifact.key.startswith("goi-sip-24958") and artifact.type == "table"
    assert any(r.name.startswith("xuat-sip-24958-tu-") for r in runs)
