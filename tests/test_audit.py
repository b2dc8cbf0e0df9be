"""``sohoa audit`` against a real SeaweedFS: changed, deleted and untracked objects, signatures."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipeline import archive
from pipeline.core.errors import ExitCode
from pipeline.sign import archive_verifier
from sohoa import storage
from tests.seaweed import COMMUNE, Seaweed, make_dossier, seaweed  # noqa: F401

OTHER_COMMUNE = COMMUNE.model_copy(update={"code": "24961", "name": "Xã Hiệp Thạnh"})


def kinds(report: archive.AuditReport) -> list[tuple[str, str]]:
    return sorted((f.kind, f.key) for f in report.findings)


def test_a_clean_archive_passes(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=True)
    out, rec = make_dossier(tmp_path)
    result = archive.archive_dossier(store, out, rec)
    report = archive.audit(store)
    assert report.ok and [d.key for d in report.dossiers] == [result.key]
    assert report.dossiers[0].objects == 13 and report.dossiers[0].committed


def test_finds_a_changed_and_a_deleted_object(seaweed: Seaweed, tmp_path: Path, capsys, monkeypatch) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    key = archive.archive_dossier(store, out, rec).key
    pdf_key = key + rec.outputs[0].file
    scan_key = key + "source/trang-2.jpg"
    original = store.head(pdf_key)["VersionId"]
    deleted = store.head(scan_key)["VersionId"]
    store.client.put_object(Bucket=store.bucket, Key=pdf_key, Body=b"%PDF-1.7 tampered")
    store.client.delete_object(Bucket=store.bucket, Key=scan_key)

    report = archive.audit(store, dossier=key)

    assert kinds(report) == [("changed", pdf_key), ("missing", scan_key)]
    by_kind = {f.kind: f for f in report.findings}
    # Versioning kept the good bytes: the audit names the version to restore.
    assert by_kind["changed"].restorable_version == original
    assert by_kind["missing"].restorable_version == deleted

    # The command exits non-zero and says what it found.
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"storage:\n  endpoint: {seaweed.creds.endpoint}\n  bucket: {store.bucket}\n"
        f"  access_key: {seaweed.creds.access_key}\n  retries: 1\n"
    )
    monkeypatch.setenv("SOHOA_STORAGE__SECRET_KEY", seaweed.creds.secret_key)
    code = run_cli("audit", "--dossier", key, "--config", str(cfg), "--json")
    captured = capsys.readouterr()
    assert code == ExitCode.fixity
    data = json.loads(captured.out)
    assert not data["ok"] and len(data["dossiers"][0]["findings"]) == 2
    assert "2 problem(s)" in captured.err
    assert seaweed.creds.secret_key not in captured.out + captured.err


def test_finds_untracked_objects_and_unfinished_uploads(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    key = archive.archive_dossier(store, out, rec).key
    store.client.put_object(Bucket=store.bucket, Key=key + "source/extra.jpg", Body=b"stray")
    # An upload that died before its record.json: a folder readers never see as a dossier.
    half = f"68/24958/2025/{'0' * 8}-half/"
    store.client.put_object(Bucket=store.bucket, Key=half + "source/trang-1.jpg", Body=b"x")

    report = archive.audit(store)

    assert kinds(report) == [
        ("untracked", half + "source/trang-1.jpg"),
        ("untracked", key + "source/extra.jpg"),
    ]
    unfinished = next(d for d in report.dossiers if d.key == half)
    assert not unfinished.committed and "unfinished" in unfinished.findings[0].detail


def test_scope_by_commune_and_by_dossier(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    a_out, a = make_dossier(tmp_path, name="a", seed="a")
    b_out, b = make_dossier(tmp_path, name="b", seed="b", commune=OTHER_COMMUNE)
    ka = archive.archive_dossier(store, a_out, a).key
    kb = archive.archive_dossier(store, b_out, b).key
    store.client.delete_object(Bucket=store.bucket, Key=kb + "manifest-sha256.txt")

    assert archive.audit(store, commune="24958").ok
    assert [d.key for d in archive.audit(store, commune="24958").dossiers] == [ka]
    only_b = archive.audit(store, commune="24961")
    assert kinds(only_b) == [("missing", kb + "manifest-sha256.txt")]
    assert only_b.findings[0].restorable_version is not None  # hidden by a delete marker only
    assert archive.audit(store, dossier=ka).ok
    gone = archive.audit(store, dossier="68/24958/2025/no-such-dossier/")
    assert kinds(gone) == [("missing", "68/24958/2025/no-such-dossier/record.json")]


# -- signatures --------------------------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(agency: str):
    """A test CA and an agency certificate it issued: (CA cert, agency cert, agency key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{agency} test CA")).issuer_name(_name(f"{agency} test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(agency)).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )

    def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    return asn1(ca), asn1(leaf), asn1_keys.PrivateKeyInfo.load(der_key)


def sign(path: Path, ca, cert, key) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([ca, cert])
    )
    with path.open("rb") as f:
        writer = IncrementalPdfFileWriter(io.BytesIO(f.read()))
    meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES)
    path.write_bytes(signers.sign_pdf(writer, meta, signer=signer).getvalue())


def pyhanko_verifier(trust_root) -> archive.Verifier:
    """A real check: pyHanko validates each signature against one trust root."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def verify(path: Path) -> str | None:
        with path.open("rb") as f:
            reader = PdfFileReader(f)
            for sig in reader.embedded_signatures:
                status = validate_pdf_signature(sig, ValidationContext(trust_roots=[trust_root]))
                if not status.bottom_line:
                    return f"{sig.field_name}: {status.summary()}"
        return None

    return verify


def signed_dossier(seaweed: Seaweed, tmp_path: Path):
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    ca, cert, key = make_pki("UBND xã Đức Trọng")
    for o in rec.outputs:
        sign(out / o.file, ca, cert, key)
    result = archive.archive_dossier(store, out, rec)
    return store, out, rec, result, ca


def test_signatures_are_verified_again(seaweed: Seaweed, tmp_path: Path) -> None:
    store, out, rec, result, ca = signed_dossier(seaweed, tmp_path)
    other_ca, _, _ = make_pki("someone else")
    assert any("signed after processing" in n for n in result.notices)
    manifest = archive.parse_manifest(store.get(result.key + "manifest-sha256.txt")[0].decode())
    for o in rec.outputs:  # the manifest holds the signed files' checksums
        assert manifest[o.file] == hashlib.sha256((out / o.file).read_bytes()).hexdigest()

    good = archive.audit(store, verifier=pyhanko_verifier(ca))
    assert good.ok and good.dossiers[0].signatures_verified == 2

    bad = archive.audit(store, verifier=pyhanko_verifier(other_ca))
    assert [f.kind for f in bad.findings] == ["signature", "signature"]


def test_audit_uses_pipeline_verify(seaweed: Seaweed, tmp_path: Path) -> None:
    pytest.importorskip("pipeline.sign.verify")
    store, _, _, _, ca = signed_dossier(seaweed, tmp_path)
    other_ca, _, _ = make_pki("someone else")
    (tmp_path / "ca.der").write_bytes(ca.dump())
    (tmp_path / "other.der").write_bytes(other_ca.dump())

    verifier, how = archive_verifier([tmp_path / "ca.der"])
    report = archive.audit(store, verifier=verifier, signature_check=how)
    assert report.ok, report.findings
    assert report.dossiers[0].signatures_verified == 2

    verifier, _ = archive_verifier([tmp_path / "other.der"])
    bad = archive.audit(store, verifier=verifier)
    assert [f.kind for f in bad.findings] == ["signature", "signature"]
    assert "not trusted" in bad.findings[0].detail


def test_unsigned_pdfs_are_counted_not_failed(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    archive.archive_dossier(store, out, rec)
    calls: list[Path] = []
    report = archive.audit(store, verifier=lambda p: calls.append(p) or "never called")
    assert report.ok and calls == [] and report.dossiers[0].unsigned_pdfs == 2


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sohoa")
    storage.add_commands(parser.add_subparsers(required=True))
    args = parser.parse_args(list(argv))
    return args.run(args)


# -- the bucket against the catalogue -------------------------------------------------------


def test_a_dossier_deleted_key_by_key_is_named(seaweed: Seaweed, tmp_path: Path, capsys, monkeypatch) -> None:
    store = seaweed.bucket(object_lock=False)
    gone_out, gone_rec = make_dossier(tmp_path, name="gone", seed="g")
    kept_out, kept_rec = make_dossier(tmp_path, name="kept", seed="k")
    gone = archive.archive_dossier(store, gone_out, gone_rec).key
    kept = archive.archive_dossier(store, kept_out, kept_rec).key
    for obj in list(store.list(gone)):
        store.client.delete_object(Bucket=store.bucket, Key=obj["Key"])
    assert not list(store.list(gone))

    for scope in ({}, {"commune": COMMUNE.code}, {"dossier": gone}):
        report = archive.audit(store, **scope)
        assert not report.ok, scope
        assert kinds(report) == [("missing", gone + "record.json")], scope
        (finding,) = report.findings
        assert "in the catalogue" in finding.detail and finding.restorable_version
    assert archive.audit(store, dossier=kept).ok

    monkeypatch.setenv("SOHOA_STORAGE__ENDPOINT", seaweed.creds.endpoint)
    monkeypatch.setenv("SOHOA_STORAGE__BUCKET", store.bucket)
    monkeypatch.setenv("SOHOA_STORAGE__ACCESS_KEY", seaweed.creds.access_key)
    monkeypatch.setenv("SOHOA_STORAGE__SECRET_KEY", seaweed.creds.secret_key)
    code = storage._audit(argparse.Namespace(dossier=None, commune=None, all=True, json=False,
                                             config=None, trust_root=[]))
    out = capsys.readouterr().out
    assert code == int(ExitCode.fixity) and gone in out and "in the catalogue" in out


def test_a_committed_dossier_missing_from_the_catalogue_is_named(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    key = archive.archive_dossier(store, out, rec).key
    (day,) = [o["Key"] for o in store.list("catalog/")]
    store.client.put_object(Bucket=store.bucket, Key=day, Body=b"")

    assert kinds(archive.audit(store)) == [("uncatalogued", key + "record.json")]


def test_a_record_rewritten_with_its_manifest_is_named(seaweed: Seaweed, tmp_path: Path) -> None:
    """Both rewritten consistently pass the manifest check; the catalogue still names the original."""
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    key = archive.archive_dossier(store, out, rec).key
    original = store.head(key + "record.json")["VersionId"]
    forged = (out / "record.json").read_bytes().replace("Hồ sơ chỉnh lý".encode(), "Hồ sơ giả mạo".encode())
    manifest = store.get(key + "manifest-sha256.txt")[0].decode()
    manifest = manifest.replace(hashlib.sha256((out / "record.json").read_bytes()).hexdigest(),
                                hashlib.sha256(forged).hexdigest())
    store.client.put_object(Bucket=store.bucket, Key=key + "manifest-sha256.txt", Body=manifest.encode())
    store.client.put_object(Bucket=store.bucket, Key=key + "record.json", Body=forged)

    report = archive.audit(store)
    assert ("changed", key + "record.json") in kinds(report)
    changed = [f for f in report.findings if f.key == key + "record.json"]
    assert changed[0].restorable_version == original


def test_an_unreadable_catalogue_day_is_named(seaweed: Seaweed, tmp_path: Path) -> None:
    store = seaweed.bucket(object_lock=False)
    out, rec = make_dossier(tmp_path)
    archive.archive_dossier(store, out, rec)
    (day,) = [o["Key"] for o in store.list("catalog/")]
    body = store.get(day)[0] + b'{"key": "not an entry"}\n'
    store.client.put_object(Bucket=store.bucket, Key=day, Body=body)

    assert ("catalogue", day) in kinds(archive.audit(store))
