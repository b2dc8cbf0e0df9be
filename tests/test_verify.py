"""Verification: tampering is caught by sohoa and by pdfsig; trust, coverage, PAdES level and the
PDF/A claim are reported; ``sohoa verify`` and ``sohoa dev-pki`` behave as documented."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from pathlib import Path

from pipeline.core.errors import ExitCode
from pipeline.sign import archive_verifier, devpki, verify
from sohoa import signing
from tests import pdfsig
from tests.conftest_signing import REPO, free_port, wait_for_port  # noqa: E402

pytest_plugins = ("tests.conftest_signing",)


def _copy(path: Path, folder: Path, name: str) -> Path:
    out = folder / name
    out.write_bytes(path.read_bytes())
    return out


def test_changed_byte_in_signed_range(signed_files, dev_pki, tmp_path) -> None:
    path, _ = signed_files["B-T"]
    data = bytearray(path.read_bytes())
    at = data.index(b"JFIF") + 500  # inside the scan's JPEG data: still a readable PDF
    data[at] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))

    report = verify.verify_file(tampered, [dev_pki.root_cert])
    assert not report.ok
    (sig,) = report.signatures
    assert not sig.integrity
    assert any("altered" in p for p in sig.problems)
    (other,) = pdfsig.check(tampered).signatures
    assert not other.valid and "Digest Mismatch" in other.validation


def test_bytes_appended_after_signing(signed_files, dev_pki, tmp_path) -> None:
    path, _ = signed_files["B-T"]
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(path.read_bytes() + b"\n% not signed\n")

    report = verify.verify_file(appended, [dev_pki.root_cert])
    (sig,) = report.signatures
    assert sig.integrity  # the signed bytes themselves are intact…
    assert not sig.covers_whole_file and not report.ok  # …but the file is more than them
    assert any("appended" in p for p in sig.problems)
    (other,) = pdfsig.check(appended).signatures
    assert other.valid and not other.total_document_signed


def test_revision_appended_after_signing(signed_files, dev_pki, tmp_path) -> None:
    """A well-formed incremental update that changes the page is caught too."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    path, _ = signed_files["B-T"]
    changed = tmp_path / "changed.pdf"
    with path.open("rb") as f:
        writer = IncrementalPdfFileWriter(f)
        page_ref, _ = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        extra = writer.add_object(generic.StreamObject(stream_data=b"q 0 0 0 rg 100 100 200 50 re f Q\n"))
        contents = page.raw_get("/Contents")
        page["/Contents"] = generic.ArrayObject([contents, extra])
        writer.update_container(page)
        with changed.open("wb") as o:
            writer.write(o)

    report = verify.verify_file(changed, [dev_pki.root_cert])
    (sig,) = report.signatures
    assert sig.integrity and not sig.covers_whole_file
    assert sig.later_changes == "other" and not report.ok
    (other,) = pdfsig.check(changed).signatures
    assert other.valid and not other.total_document_signed


def test_trust_needs_the_right_root(signed_files, dev_pki, stranger_root) -> None:
    path, _ = signed_files["B-B"]
    report = verify.verify_file(path, [stranger_root])
    (sig,) = report.signatures
    assert sig.integrity and not sig.trusted and not report.ok
    report = verify.verify_file(path, [])
    assert not report.ok and "no trust roots" in report.signatures[0].trust


def test_levels_and_offline_validation(signed_files, dev_pki) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    assert verify.verify_file(signed_files["B-T"][0], [dev_pki.root_cert]).signatures[0].level == "B-T"
    assert verify.verify_file(signed_files["B-LT"][0], [dev_pki.root_cert]).signatures[0].ltv is True
    # Without embedded revocation data (B-T) the offline check fails: it is not a formality.
    with signed_files["B-T"][0].open("rb") as f:
        sig = PdfFileReader(f, strict=False).embedded_signatures[0]
        assert asyncio.run(verify._validates_offline(sig, verify.load_certificates([dev_pki.root_cert]),
                                                     [], [], [], None)) is False


def test_unsigned_file_fails(pdfa_file, dev_pki) -> None:
    report = verify.verify_file(pdfa_file, [dev_pki.root_cert])
    assert not report.ok and report.signatures == []
    assert report.pdfa_holds  # the PDF/A itself is fine
    assert "no signature" in report.problems[0]


def test_broken_pdfa_claim_fails_verification(signed_files, dev_pki, tmp_path) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    path, _ = signed_files["B-B"]
    out = tmp_path / "scripted.pdf"
    with path.open("rb") as f:
        writer = IncrementalPdfFileWriter(f)
        writer.root["/OpenAction"] = writer.add_object(generic.DictionaryObject({
            generic.pdf_name("/S"): generic.pdf_name("/JavaScript"),
            generic.pdf_name("/JS"): generic.pdf_string("app.alert(1)"),
        }))
        writer.update_root()
        with out.open("wb") as o:
            writer.write(o)
    report = verify.verify_file(out, [dev_pki.root_cert])
    assert report.pdfa_holds is False and not report.ok


def test_archive_verifier(signed_files, dev_pki, pdfa_file, stranger_root, tmp_path) -> None:
    """The audit's check: None for a good file, else what is wrong with it, in one line."""
    check, how = archive_verifier([dev_pki.root_cert])
    assert how == "pipeline.sign.verify.verify_file"
    good, _ = signed_files["B-T"]
    assert check(good) is None

    data = bytearray(good.read_bytes())
    data[data.index(b"JFIF") + 500] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    problem = check(tampered)
    assert problem.startswith(f"{signed_files['B-T'][1].field}: ") and "altered" in problem
    assert check(pdfa_file) == "the file carries no signature; no signature found"
    appended = _copy(good, tmp_path, "appended.pdf")
    appended.write_bytes(appended.read_bytes() + b"\n% not signed\n")
    assert "not covered by the signature" in check(appended)

    untrusting, _ = archive_verifier([stranger_root])
    assert "not trusted" in untrusting(good)
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"not a certificate")
    unreadable, _ = archive_verifier([junk])
    assert unreadable(good).startswith(f"{junk}: not a readable certificate")


# -- the commands ----------------------------------------------------------------------------


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sohoa")
    signing.add_commands(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_verify_command(signed_files, dev_pki, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    good, _ = signed_files["B-LT"]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good.read_bytes() + b"junk")

    assert _run(["verify", str(good), "--trust-root", str(dev_pki.root_cert)]) == ExitCode.ok
    text = capsys.readouterr().out
    assert "PAdES: B-LT" in text and "UBND xã Bát Tràng" in text and "=> OK" in text

    code = _run(["verify", str(good), str(bad), "--json", "--trust-root", str(dev_pki.root_cert)])
    assert code == ExitCode.signature_invalid == 25
    first, second = json.loads(capsys.readouterr().out)
    assert first["ok"] and not second["ok"]
    sig = first["signatures"][0]
    assert sig["level"] == "B-LT" and sig["agency"] == "UBND xã Bát Tràng" and sig["integrity"]
    assert sig["timestamp_time"].endswith("+07:00") and first["pdfa_claim"] == "2B"

    config = tmp_path / "c.yaml"
    config.write_text(f"signing:\n  trust_roots: [{dev_pki.root_cert}]\n")
    assert _run(["verify", str(good), "--config", str(config)]) == ExitCode.ok
    assert _run(["verify", str(good)]) == ExitCode.signature_invalid  # no roots: no trust


def test_dev_pki_command(tmp_path, capsys) -> None:
    folder = tmp_path / "pki"
    assert _run(["dev-pki", str(folder), "--port", "9123", "--agency", "UBND phường Hoàn Kiếm"]) == 0
    out, err = capsys.readouterr()
    assert devpki.NOT_FOR_PRODUCTION in err
    pki = devpki.DevPki.load(folder)
    assert pki.port == 9123 and pki.password() not in out + err
    assert (folder / "signing.env").stat().st_mode & 0o077 == 0
    assert (folder / "keys" / "agency.key.pem").stat().st_mode & 0o077 == 0
    text = (folder / "signing.yaml").read_text()
    assert devpki.NOT_FOR_PRODUCTION in text and pki.tsa_url in text
    assert pki.password() not in text

    from asn1crypto import pem, x509

    for name in ("root", "agency", "tsa", "ocsp"):
        cert = x509.Certificate.load(pem.unarmor((folder / "certs" / f"{name}.cert.pem").read_bytes())[2])
        assert devpki.NOT_FOR_PRODUCTION in cert.subject.human_friendly
    agency = x509.Certificate.load(pem.unarmor((folder / "certs" / "agency.cert.pem").read_bytes())[2])
    assert agency.subject.native["organization_name"] == "UBND phường Hoàn Kiếm"
    assert set(agency.key_usage_value.native) == {"digital_signature", "non_repudiation"}

    assert _run(["dev-pki", str(folder), "--port", "9124"]) == ExitCode.bad_args  # the port is in the certs


def test_dev_pki_serve_command(tmp_path) -> None:
    """``sohoa dev-pki DIR --serve`` answers timestamp requests on 127.0.0.1 only."""
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    port = free_port()
    code = ("import argparse, sys; from sohoa import signing; p = argparse.ArgumentParser(); "
            "signing.add_commands(p.add_subparsers()); a = p.parse_args(sys.argv[1:]); sys.exit(a.run(a))")
    process = subprocess.Popen(
        [sys.executable, "-c", code, "dev-pki", str(tmp_path / "pki"), "--port", str(port), "--serve"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        pki = devpki.DevPki.load(tmp_path / "pki")
        token = asyncio.run(RequestsHTTPTimeStamper(pki.tsa_url).async_timestamp(b"\0" * 32, "sha256"))
        assert token["content"]["encap_content_info"]["content_type"].native == "tst_info"
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        for line in listening.splitlines():  # ss is in iproute2, nearly always there
            assert line.split()[3] == f"127.0.0.1:{port}"  # the local address: loopback only
    finally:
        process.terminate()
        process.wait(timeout=10)
