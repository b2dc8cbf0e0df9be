"""Signing: each PAdES level against the live development TSA/OCSP/CRL, checked by sohoa and by
poppler's pdfsig; the signed file still PDF/A-2b; the TT 05 mark; PKCS#11 on SoftHSM2; every
bad-input case ends in its own error with nothing that looks signed left behind."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pikepdf
import pikepdf.pdfa
import pytest
from werkzeug.serving import make_server

from flows.secrets import agency_signer, signing_secret
from pipeline.core.errors import (
    CertificateUnusableError,
    ExitCode,
    SigningCredentialsError,
    SigningError,
    TimestampUnavailableError,
    TokenUnavailableError,
)
from pipeline.core.settings import MarkSettings
from pipeline.sign import devpki, verify_file
from pipeline.sign import pdfa_claim as _sign_pdfa
from pipeline.sign.signer import effective_level
from pipeline.sign.times import vietnam_time
from tests import pdfsig
from tests.conftest_signing import (  # noqa: E402
    build_pdfa,
    document_signer,
    free_port,
    issue_certificate,
    sign_file,
    signing_settings,
)

pytest_plugins = ("tests.conftest_signing",)

ISO_VN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00")


def _leftovers(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith("."))


# -- each level, two implementations ------------------------------------------------------


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT"])
def test_each_level_verifies_in_sohoa_and_pdfsig(level, signed_files, dev_pki) -> None:
    path, facts = signed_files[level]
    assert facts.level == level
    assert facts.agency == "UBND xã Bát Tràng"
    assert ISO_VN.fullmatch(vietnam_time(facts.signing_time))

    report = verify_file(path, [dev_pki.root_cert])
    assert report.ok, report.to_text()
    (sig,) = report.signatures
    assert sig.level == level
    assert sig.integrity and sig.trusted and sig.covers_whole_file
    assert sig.agency == "UBND xã Bát Tràng"
    assert devpki.NOT_FOR_PRODUCTION in sig.signer
    assert report.pdfa_claim == "2B" and report.pdfa_holds
    if level == "B-B":
        assert sig.timestamp_time is None and facts.timestamp_time is None
    else:
        assert sig.timestamp_ok and "Timestamp Authority" in sig.timestamp_authority
        assert abs((sig.timestamp_time - facts.signing_time).total_seconds()) < 60
    assert sig.ltv is (True if level == "B-LT" else None)

    checked = pdfsig.check(path)
    (other,) = checked.signatures
    assert other.valid, checked.output  # "Signature is Valid."
    assert other.total_document_signed, checked.output
    assert other.signature_type == "ETSI.CAdES.detached"
    assert other.common_name == sig.signer


def test_default_level_follows_the_tsa(dev_pki) -> None:
    assert effective_level(signing_settings(dev_pki)) == "B-T"
    assert effective_level(signing_settings(dev_pki, tsa_url=None)) == "B-B"
    assert effective_level(signing_settings(dev_pki, tsa_url=None, level="B-LT")) == "B-LT"


def test_b_lt_embeds_the_validation_data(signed_files) -> None:
    path, _ = signed_files["B-LT"]
    with pikepdf.open(path) as pdf:
        dss = pdf.Root.DSS
        # The chain's certificates and the OCSP responses (CRLs only where OCSP is missing).
        assert len(dss.Certs) >= 2 and len(dss.OCSPs) >= 2  # agency and TSA
        assert "/VRI" not in dss  # deprecated, and it would force a second revision
    with pikepdf.open(signed_files["B-T"][0]) as pdf:
        assert "/DSS" not in pdf.Root


# -- PDF/A after signing -------------------------------------------------------------------


@pytest.mark.parametrize("level", ["B-B", "B-LT"])
def test_signed_file_still_meets_pdfa_2b(level, signed_files, pdfa_file) -> None:
    path, _ = signed_files[level]
    data = path.read_bytes()
    original = pdfa_file.read_bytes()
    # An incremental update: the PDF/A as built is the signed file's first revision, byte for byte.
    base = _sign_pdfa.base_revision(data)
    assert base == original
    assert pikepdf.pdfa.validate_written(io.BytesIO(base), "2b").passed

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert reader.xrefs.total_revisions == 2  # one increment, DSS included for B-LT
    assert _sign_pdfa.check_increment(reader, 1) == []
    kinds = _increment_kinds(reader)
    allowed = {"Catalog", "Page", "Sig", "Widget", "Form", "Font", "FontDescriptor", "FontFile", "ToUnicode",
               "Metadata", "Info", "AcroForm", "DSS", "DSS data", "ObjStm", "XRef"}
    assert set(kinds) <= allowed, kinds
    assert {"Sig", "Widget", "Metadata", "Info"} <= set(kinds)
    if level == "B-LT":
        assert {"DSS", "DSS data"} <= set(kinds)

    with pikepdf.open(path) as pdf:
        (widget,) = pdf.pages[0].Annots
        assert widget.FT == "/Sig" and int(widget.F) & 4 and not int(widget.F) & (1 | 2 | 32 | 256)
        assert set(widget.AP.keys()) == {"/N"}
        fonts = list(widget.AP.N.Resources.Font.values())
        assert fonts, "the mark's font"
        for font in fonts:
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor  # embedded
            assert "LiberationSerif" in str(descriptor.FontName)
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert str(pdf.docinfo.Producer) == meta["pdf:Producer"]
        assert "pyHanko" in meta["pdf:Producer"]
        moddate = pikepdf.Object.parse(b"(" + bytes(pdf.docinfo.ModDate) + b")")
        assert _pdf_date(str(moddate)) == dt.datetime.fromisoformat(meta["xmp:ModifyDate"])
    assert _sign_pdfa.check(data).holds


def _increment_kinds(reader) -> list[str]:
    now = reader.get_historical_resolver(1)
    root = now.trailer_view.raw_get("/Root").idnum
    info = now.trailer_view.raw_get("/Info").idnum
    dss = now.root.raw_get("/DSS").idnum if "/DSS" in now.root else None
    dss_data = set()
    if dss is not None:
        for key in ("/Certs", "/OCSPs", "/CRLs"):
            if key not in now.root["/DSS"]:
                continue
            for i in range(len(now.root["/DSS"][key])):
                dss_data.add(now.root["/DSS"][key].raw_get(i).idnum)
    font_files = set()
    kinds = []
    refs = sorted(reader.xrefs.explicit_refs_in_revision(1), key=lambda r: r.idnum)
    for ref in refs:
        obj = now.get_object(ref)
        if hasattr(obj, "get") and obj.get("/Type") == "/FontDescriptor":
            font_files.add(obj.raw_get("/FontFile2").idnum)
    for ref in refs:
        obj = now.get_object(ref)
        get = obj.get if hasattr(obj, "get") else (lambda k, d=None: d)
        if ref.idnum == root:
            kinds.append("Catalog")
        elif ref.idnum == info:
            kinds.append("Info")
        elif ref.idnum == dss:
            kinds.append("DSS")
        elif ref.idnum in dss_data:
            kinds.append("DSS data")
        elif ref.idnum in font_files:
            kinds.append("FontFile")
        elif get("/Subtype") == "/Widget":
            kinds.append("Widget")
        elif get("/Subtype") == "/Form":
            kinds.append("Form")
        elif get("/Fields") is not None:
            kinds.append("AcroForm")
        elif get("/Type") in ("/Catalog", "/Page", "/Sig", "/Font", "/FontDescriptor", "/Metadata", "/ObjStm", "/XRef"):
            kinds.append(str(get("/Type"))[1:])
        elif b"begincmap" in getattr(obj, "data", b""):
            kinds.append("ToUnicode")
        else:
            kinds.append(f"unexpected object {ref.idnum}: {dict(obj) if hasattr(obj, 'items') else obj!r}")
    return kinds


def _pdf_date(text: str) -> dt.datetime:
    m = re.fullmatch(r"D:(\d{14})([+-])(\d\d)'(\d\d)'?", text)
    assert m, text
    offset = dt.timedelta(hours=int(m.group(3)), minutes=int(m.group(4))) * (1 if m.group(2) == "+" else -1)
    return dt.datetime.strptime(m.group(1), "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone(offset))


def test_pdfa_check_catches_what_signing_must_not_add(signed_files, tmp_path) -> None:
    """The increment check is not a rubber stamp: a script added after signing is refused."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    path, _ = signed_files["B-B"]
    out = tmp_path / "scripted.pdf"
    with path.open("rb") as f:
        writer = IncrementalPdfFileWriter(f)
        action = generic.DictionaryObject({
            generic.pdf_name("/S"): generic.pdf_name("/JavaScript"),
            generic.pdf_name("/JS"): generic.pdf_string("app.alert('x')"),
        })
        writer.root["/OpenAction"] = writer.add_object(action)
        writer.update_root()
        with out.open("wb") as o:
            writer.write(o)
    result = _sign_pdfa.check(out.read_bytes())
    assert not result.holds
    assert any("/OpenAction" in p for p in result.problems), result.problems


# -- the visible mark -------------------------------------------------------------------------


def test_mark_top_right_agency_and_vietnam_time(signed_files) -> None:
    path, facts = signed_files["B-T"]
    words = _words(path)
    when = vietnam_time(facts.signing_time)
    texts = [w for w, _ in words]
    # pyHanko tags each line with /ActualText, which pdftotext reads as one word.
    assert texts[-2:] == ["UBND xã Bát Tràng", when]
    with pikepdf.open(path) as pdf:
        width, height = float(pdf.pages[0].MediaBox[2]), float(pdf.pages[0].MediaBox[3])
        (widget,) = pdf.pages[0].Annots
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
        stream = widget.AP.N.read_bytes()
    assert x1 > width * 0.75 and y1 > height * 0.9  # top right
    assert width - x1 == pytest.approx(28, abs=1) and height - y1 == pytest.approx(28, abs=1)
    for _, (bx0, by0, bx1, by1) in words[-2:]:
        assert bx0 >= x0 - 1 and bx1 <= x1 + 1  # pdftotext's top-left origin
        assert height - by1 >= y0 - 3 and height - by0 <= y1 + 1
    assert b"/F1 10 Tf" in stream and b"0 0 0 rg" in stream  # 10 pt, black
    scale = re.match(rb"q q (\S+) 0 0 (\S+) ", stream)
    assert scale and float(scale.group(1)) == 1 and float(scale.group(2)) == 1  # not shrunk
    assert b"/Image" not in stream and b" Do" not in stream  # no seal image


def _words(path: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(w, (float(a), float(b), float(c), float(d))) for a, b, c, d, w in found]


@pytest.mark.parametrize("rotation", [90, 270])
def test_mark_upright_top_right_on_a_turned_page(rotation, dev_pki, pkcs12_password, tmp_path) -> None:
    source = build_pdfa(tmp_path, rotation=rotation)
    out = tmp_path / "signed.pdf"
    with document_signer(signing_settings(dev_pki, tsa_url=None)) as signer:
        signer.sign(source, out)
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-png", str(out), str(png)], check=True)
    import numpy as np
    from PIL import Image

    shown = np.asarray(Image.open(f"{png}-1.png").convert("L"))
    h, w = shown.shape
    corner = shown[: h // 8, w * 2 // 3 :]
    assert (corner < 128).sum() > 50  # ink in the shown top right
    # Upright: pdftotext reads the shown page, so the mark reads as words in order.
    assert "UBND xã Bát Tràng" in subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert _sign_pdfa.check(out.read_bytes()).holds


def test_invisible_signature(dev_pki, pkcs12_password, pdfa_file, tmp_path) -> None:
    out = tmp_path / "invisible.pdf"
    settings = signing_settings(dev_pki, tsa_url=None, mark=MarkSettings(visible=False))
    with document_signer(settings) as signer:
        facts = signer.sign(pdfa_file, out)
    assert not facts.visible
    with pikepdf.open(out) as pdf:
        (widget,) = pdf.pages[0].Annots
        assert [float(v) for v in widget.Rect] == [0, 0, 0, 0]
        assert int(widget.F) & 4  # printable, as PDF/A wants of every annotation
    assert "UBND" not in subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert verify_file(out, [dev_pki.root_cert]).ok
    assert pdfsig.check(out).signatures[0].valid


# -- PKCS#11 token ------------------------------------------------------------------------------


def test_runs_sharing_a_worker_process_take_the_token_in_turn(softhsm_token, dev_pki, pdfa_file, tmp_path,
                                                              monkeypatch) -> None:
    """A token takes one login per process ("user already logged in" for a second one): two
    flow runs signing at once in one worker process each sign, one after the other."""
    import threading

    from flows.digitise import agency_signer_of_run

    monkeypatch.setenv("SOHOA_SIGNING__PKCS11_PIN", softhsm_token["pin"])
    settings = signing_settings(
        dev_pki, pkcs12_file=None, pkcs11_module=softhsm_token["module"],
        pkcs11_token_label=softhsm_token["token"], pkcs11_key_label=softhsm_token["key"],
    )
    problems: list[BaseException] = []
    signed: list[Path] = []

    def run(i: int) -> None:
        try:
            with agency_signer_of_run(settings, warn=lambda text: None) as signer:
                out = tmp_path / f"run-{i}.pdf"
                signer.sign(pdfa_file, out)
                signed.append(out)
        except BaseException as e:  # noqa: BLE001 - reported below
            problems.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert problems == []
    assert len(signed) == 3 and all(verify_file(p, [dev_pki.root_cert]).ok for p in signed)


def test_pkcs11_token_signs(softhsm_token, dev_pki, pdfa_file, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOHOA_SIGNING__PKCS11_PIN", softhsm_token["pin"])
    settings = signing_settings(
        dev_pki, pkcs12_file=None, pkcs11_module=softhsm_token["module"],
        pkcs11_token_label=softhsm_token["token"], pkcs11_key_label=softhsm_token["key"],
    )
    out = tmp_path / "token.pdf"
    with document_signer(settings) as signer:
        facts = signer.sign(pdfa_file, out)
    assert facts.level == "B-T" and facts.timestamp_time is not None
    report = verify_file(out, [dev_pki.root_cert])
    assert report.ok, report.to_text()
    assert pdfsig.check(out).signatures[0].valid


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"pkcs11_token_label": "not-plugged-in"}, TokenUnavailableError),
        ({"pkcs11_module": "/usr/lib/no-such-pkcs11-module.so"}, TokenUnavailableError),
        ({"pkcs11_key_label": "no-such-key"}, TokenUnavailableError),
        ({"pin": "999999"}, SigningCredentialsError),
    ],
)
def test_pkcs11_failures(change, error, softhsm_token, dev_pki, monkeypatch) -> None:
    pin = change.pop("pin", softhsm_token["pin"])
    monkeypatch.setenv("SOHOA_SIGNING__PKCS11_PIN", pin)
    values = {"pkcs12_file": None, "pkcs11_module": softhsm_token["module"],
              "pkcs11_token_label": softhsm_token["token"], "pkcs11_key_label": softhsm_token["key"], **change}
    with pytest.raises(error) as caught:
        document_signer(signing_settings(dev_pki, **values))
    assert caught.value.en and caught.value.vi and pin not in caught.value.message


# -- bad input: distinct errors, nothing that looks signed ------------------------------------------


def test_wrong_password(dev_pki, pdfa_file, tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(devpki.PASSWORD_ENV, "not-the-password-x7")
    with pytest.raises(SigningCredentialsError) as caught:
        sign_file(pdfa_file, tmp_path / "out.pdf", signing_settings(dev_pki))
    assert caught.value.exit_code == ExitCode.signing_credentials == 20
    assert "wrong password" in caught.value.en and "sai mật khẩu" in caught.value.vi
    assert "not-the-password-x7" not in caught.value.message + caught.value.message_vi + repr(caught.value)
    assert "not-the-password-x7" not in caplog.text
    assert list(tmp_path.iterdir()) == []


def test_password_not_in_the_environment(dev_pki, monkeypatch) -> None:
    monkeypatch.delenv(devpki.PASSWORD_ENV, raising=False)
    with pytest.raises(SigningCredentialsError, match=devpki.PASSWORD_ENV):
        document_signer(signing_settings(dev_pki))


def test_settings_mistakes_are_reported_before_a_missing_password(dev_pki, monkeypatch, tmp_path) -> None:
    """The password is looked up first, but its absence is reported where the signer needs it."""
    monkeypatch.delenv(devpki.PASSWORD_ENV, raising=False)
    with pytest.raises(SigningCredentialsError, match="cannot read the PKCS#12 file"):
        document_signer(signing_settings(dev_pki, pkcs12_file=tmp_path / "no-such.p12"))
    with pytest.raises(SigningError, match="needs a timestamp server"):
        document_signer(signing_settings(dev_pki, level="B-T", tsa_url=None))


def test_a_secret_names_its_source_never_its_value(dev_pki, pkcs12_password) -> None:
    secret = signing_secret(signing_settings(dev_pki))
    assert (secret.where_en, secret.where_vi) == (devpki.PASSWORD_ENV, devpki.PASSWORD_ENV)
    assert secret.reveal() == pkcs12_password
    assert pkcs12_password not in repr(secret) + str(secret)


def test_not_a_pkcs12_file(dev_pki, pkcs12_password, tmp_path) -> None:
    junk = tmp_path / "agency.p12"
    junk.write_bytes(b"-----BEGIN NOTHING-----\n")
    with pytest.raises(SigningCredentialsError, match="not a PKCS#12"):
        document_signer(signing_settings(dev_pki, pkcs12_file=junk))


@pytest.mark.parametrize(
    ("name", "valid", "key_usage", "message"),
    [
        ("expired", (-400, -30), {"digital_signature": True, "content_commitment": True}, "expired"),
        ("not-yet-valid", (30, 400), {"digital_signature": True, "content_commitment": True}, "not valid yet"),
        ("no-digital-signature", (-1, 30), {"key_encipherment": True}, "not for digital signatures"),
    ],
)
def test_unusable_certificates(name, valid, key_usage, message, dev_pki, pdfa_file, tmp_path, monkeypatch) -> None:
    now = dt.datetime.now(dt.UTC)
    p12 = issue_certificate(dev_pki, tmp_path, name, not_before=now + dt.timedelta(days=valid[0]),
                            not_after=now + dt.timedelta(days=valid[1]), key_usage=key_usage, password="pw-1")
    monkeypatch.setenv(devpki.PASSWORD_ENV, "pw-1")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(CertificateUnusableError, match=message) as caught:
        sign_file(pdfa_file, out_dir / "doc.pdf", signing_settings(dev_pki, pkcs12_file=p12))
    assert caught.value.exit_code == ExitCode.certificate_unusable
    assert list(out_dir.iterdir()) == []


class _FlakyTsa:
    """The development TSA behind a switch: the first ``failures`` requests get HTTP 503."""

    def __init__(self, pki: devpki.DevPki, failures: int):
        self.app = devpki.app(pki.directory)
        self.failures = failures
        self.requests = 0
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, self, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __call__(self, environ, start_response):
        self.requests += 1
        if self.requests <= self.failures:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"busy"]
        return self.app(environ, start_response)

    def url(self, pki: devpki.DevPki) -> str:
        return pki.tsa_url.replace(f":{pki.port}/", f":{self.port}/")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_timestamp_server_retried_then_used(dev_pki, pkcs12_password, pdfa_file, tmp_path) -> None:
    with _FlakyTsa(dev_pki, failures=1) as tsa:
        settings = signing_settings(dev_pki, tsa_url=tsa.url(dev_pki), tsa_attempts=3)
        with document_signer(settings) as signer:
            signer._timestamper.first_pause = 0.05
            facts = signer.sign(pdfa_file, tmp_path / "out.pdf")
    assert facts.timestamp_time is not None
    assert tsa.requests >= 3  # one refused, then the size estimate and the real token
    assert verify_file(tmp_path / "out.pdf", [dev_pki.root_cert]).signatures[0].timestamp_ok


def test_timestamp_server_down(dev_pki, pkcs12_password, pdfa_file, tmp_path) -> None:
    with _FlakyTsa(dev_pki, failures=100) as tsa:
        # No trust roots: no timestamp is asked for when the signer opens, so this is
        # the server failing in the middle of a job.
        settings = signing_settings(dev_pki, tsa_url=tsa.url(dev_pki), tsa_attempts=3, trust_roots=[])
        with document_signer(settings) as signer:
            signer._timestamper.first_pause = 0.2
            started = time.monotonic()
            with pytest.raises(TimestampUnavailableError, match="after 3 attempts") as caught:
                signer.sign(pdfa_file, tmp_path / "out.pdf")
            waited = time.monotonic() - started
    assert tsa.requests == 3
    assert waited >= 0.2 + 0.4  # the pause doubles
    assert caught.value.exit_code == ExitCode.timestamp_unavailable
    assert list(tmp_path.iterdir()) == []  # never an unsigned file in its place


def test_timestamp_server_unreachable(dev_pki, pkcs12_password, pdfa_file, tmp_path) -> None:
    settings = signing_settings(dev_pki, tsa_url=f"http://127.0.0.1:{free_port()}/tsa", tsa_attempts=2)
    with pytest.raises(TimestampUnavailableError):
        sign_file(pdfa_file, tmp_path / "out.pdf", settings)
    assert list(tmp_path.iterdir()) == []


def test_failed_signing_leaves_the_destination_alone(dev_pki, pkcs12_password, pdfa_file, tmp_path) -> None:
    target = tmp_path / "doc.pdf"
    target.write_bytes(pdfa_file.read_bytes())
    settings = signing_settings(
        dev_pki, tsa_url=f"http://127.0.0.1:{free_port()}/tsa", tsa_attempts=1, trust_roots=[]
    )
    with document_signer(settings) as signer, pytest.raises(TimestampUnavailableError):
        signer.sign_in_place(target)
    assert target.read_bytes() == pdfa_file.read_bytes()
    assert _leftovers(tmp_path) == []


def test_b_lt_needs_trust_roots_and_a_trusted_chain(
    dev_pki, pkcs12_password, pdfa_file, stranger_root, tmp_path
) -> None:
    with pytest.raises(SigningError, match="trust_roots"):
        document_signer(signing_settings(dev_pki, level="B-LT", trust_roots=[]))
    settings = signing_settings(dev_pki, level="B-LT", trust_roots=[stranger_root])
    # Caught when the signer opens: the timestamps would not chain to these roots either.
    with pytest.raises(TimestampUnavailableError, match="do not chain"):
        sign_file(pdfa_file, tmp_path / "out.pdf", settings)
    assert list(tmp_path.iterdir()) == []


# -- the time signing adds ----------------------------------------------------------------------


def test_signing_overhead_at_b_t(dev_pki, pkcs12_password, pdfa_file, tmp_path, capsys) -> None:
    """Median time to sign one document at B-T with the local TSA, over 20 runs: under 0.5 s."""
    times = []
    with document_signer(signing_settings(dev_pki, level="B-T")) as signer:
        signer.sign(pdfa_file, tmp_path / "warm.pdf")  # first use fetches the TSA's size sample
        for n in range(20):
            started = time.perf_counter()
            signer.sign(pdfa_file, tmp_path / f"{n}.pdf")
            times.append(time.perf_counter() - started)
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\nsigning overhead at B-T: median {median * 1000:.0f} ms, "
              f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {len(times)} runs")
    assert median < 0.5


# -- settings ------------------------------------------------------------------------------------


def test_dev_pki_settings_file_signs(dev_pki, pkcs12_password, pdfa_file, tmp_path, capsys, monkeypatch) -> None:
    """What ``sohoa process --config DIR/signing.yaml`` does: open once, warn, sign in place."""
    from pipeline.core import settings as config

    def warn(text: str) -> None:  # as ``sohoa process`` warns
        print(text, file=sys.stderr)

    monkeypatch.delenv("SOHOA_CONFIG", raising=False)
    settings = config.load(dev_pki.config_file)
    target = tmp_path / "doc.pdf"
    target.write_bytes(pdfa_file.read_bytes())
    signer = agency_signer(settings.signing, warn=warn)
    try:
        assert signer.is_development
        facts = signer.sign_in_place(target)
    finally:
        signer.close()
    assert devpki.NOT_FOR_PRODUCTION in capsys.readouterr().err
    assert facts.level == "B-T" and facts.timestamp_time is not None
    assert verify_file(target, settings.signing.trust_roots).ok
    assert _leftovers(tmp_path) == []
    assert agency_signer(config.Settings().signing, warn=warn) is None  # nothing configured: no signing


def test_password_variable_is_not_a_setting(monkeypatch) -> None:
    from pipeline.core import settings as config

    monkeypatch.setenv(devpki.PASSWORD_ENV, "s3cret-value")
    monkeypatch.setenv("SOHOA_SIGNING__LEVEL", "nonsense")
    with pytest.raises(Exception) as caught:  # a bad setting beside it: its message must not carry it
        config.Settings()
    assert "s3cret-value" not in str(caught.value)
    monkeypatch.delenv("SOHOA_SIGNING__LEVEL")
    assert "s3cret-value" not in repr(config.Settings())


def test_untrusted_timestamp_authority_is_refused_before_any_work(
    dev_pki, pkcs12_password, stranger_root
) -> None:
    """Another server answering on the TSA port must not yield files that fail verification."""
    settings = signing_settings(dev_pki, trust_roots=[stranger_root])
    with pytest.raises(TimestampUnavailableError, match="do not chain to signing.trust_roots"):
        document_signer(settings)
