"""Fixtures for the signing tests: a development PKI served live on 127.0.0.1, a PDF/A
built by ``pipeline.pdfa`` to sign, a SoftHSM2 token.

Loaded by ``tests/test_sign.py`` and ``tests/test_verify.py`` through ``pytest_plugins``,
so the PKI and its server are made once per test process.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from flows.secrets import signing_secret
from pipeline import sign
from pipeline.core.settings import SigningSettings
from pipeline.ingest import pages
from pipeline.pdfa import document as pdfa
from pipeline.sign import devpki
from tests.conftest import draw_page

REPO = Path(__file__).resolve().parents[1]
SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN_LABEL, TOKEN_PIN, KEY_LABEL = "sohoa-test", "246810", "agency"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dev PKI server exited: {process.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory) -> devpki.DevPki:
    """A development PKI whose TSA/OCSP/CRL service runs (certomancer, 127.0.0.1, a free port)."""
    pki = devpki.create(tmp_path_factory.mktemp("pki") / "dev", port=free_port())
    serve = "import sys; from pipeline.sign import devpki; devpki.serve(sys.argv[1])"
    process = subprocess.Popen(
        [sys.executable, "-c", serve, str(pki.directory)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(pki.port, process)
        yield pki
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def pkcs12_password(dev_pki, monkeypatch) -> str:
    password = dev_pki.password()
    monkeypatch.setenv(devpki.PASSWORD_ENV, password)
    return password


def signing_settings(pki: devpki.DevPki, **overrides) -> SigningSettings:
    values = {
        "pkcs12_file": pki.agency_p12,
        "tsa_url": pki.tsa_url,
        "trust_roots": [pki.root_cert],
        "tsa_attempts": 2,
        "tsa_timeout_seconds": 5,
    }
    values.update(overrides)
    return SigningSettings(**values)


def document_signer(settings: SigningSettings) -> sign.DocumentSigner:
    """A signer opened as sohoa opens one: its password or PIN found by ``flows.secrets``."""
    return sign.DocumentSigner(settings, signing_secret(settings))


def sign_file(source: Path, destination: Path, settings: SigningSettings) -> sign.SignatureFacts:
    return sign.sign_file(source, destination, settings, signing_secret(settings))


def build_pdfa(folder: Path, rotation: int = 0, name: str = "doc") -> Path:
    """A one-page PDF/A-2b made by ``pipeline.pdfa.build`` from a JPEG scan, as sohoa makes it."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.jpg"
    draw_page(dpi=100).save(source, dpi=(100, 100), quality=80)
    (page,) = pages.read_pages(source, max_pixels=250_000_000)
    out = folder / f"{name}.pdf"
    info = pdfa.DocumentInfo(
        title="Quyết định số 125/QĐ-UBND về việc rà soát hồ sơ đất đai",
        created=dt.datetime(2025, 9, 15, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))),
        document_id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        creator_tool="sohoa test",
    )
    pdfa.build([pdfa.PageContent(page, None, np.eye(3), rotation)], info, out)
    return out


@pytest.fixture(scope="session")
def pdfa_file(tmp_path_factory) -> Path:
    return build_pdfa(tmp_path_factory.mktemp("pdfa"))


@pytest.fixture(scope="session")
def signed_files(dev_pki, pdfa_file, tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """The PDF/A signed once at each PAdES level: {level: (path, SignatureFacts)}."""
    folder = tmp_path_factory.mktemp("signed")
    os.environ[devpki.PASSWORD_ENV] = dev_pki.password()
    try:
        out = {}
        for level in ("B-B", "B-T", "B-LT"):
            with document_signer(signing_settings(dev_pki, level=level)) as signer:
                path = folder / f"signed-{level}.pdf"
                out[level] = (path, signer.sign(pdfa_file, path))
        return out
    finally:
        del os.environ[devpki.PASSWORD_ENV]


@pytest.fixture(scope="session")
def softhsm_token(dev_pki, tmp_path_factory):
    """A SoftHSM2 token holding the agency key and certificate; the PIN is in the returned dict."""
    tools = [shutil.which(t) for t in ("softhsm2-util", "pkcs11-tool")]
    if not all(tools) or not SOFTHSM_MODULE.is_file():
        pytest.skip("SoftHSM2/OpenSC are not installed (scripts/install-system-packages.sh installs them)")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    # The module reads this when first loaded, which no test has done before this fixture.
    os.environ["SOFTHSM2_CONF"] = str(conf)

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN, "--so-pin", "13579135")
    run("softhsm2-util", "--import", str(dev_pki.directory / "keys" / "agency.key.pem"), "--token", TOKEN_LABEL,
        "--label", KEY_LABEL, "--id", "01", "--pin", TOKEN_PIN)
    from asn1crypto import pem

    der = folder / "agency.der"
    der.write_bytes(pem.unarmor((dev_pki.directory / "certs" / "agency.cert.pem").read_bytes())[2])
    run("pkcs11-tool", "--module", str(SOFTHSM_MODULE), "--token-label", TOKEN_LABEL, "--login", "--pin", TOKEN_PIN,
        "--write-object", str(der), "--type", "cert", "--label", KEY_LABEL, "--id", "01")
    return {"module": SOFTHSM_MODULE, "token": TOKEN_LABEL, "key": KEY_LABEL, "pin": TOKEN_PIN}


def issue_certificate(pki: devpki.DevPki, folder: Path, name: str, *, not_before: dt.datetime,
                      not_after: dt.datetime, key_usage: dict | None, password: str) -> Path:
    """A PKCS#12 with a certificate from the development CA, for the bad-certificate cases."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    ca_key = serialization.load_pem_private_key((pki.directory / "keys" / "root.key.pem").read_bytes(), None)
    ca = x509.load_pem_x509_certificate(pki.root_cert.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND xã Bát Tràng"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{name} – {devpki.NOT_FOR_PRODUCTION}"),
    ])
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
    )
    if key_usage is not None:
        flags = dict.fromkeys(
            ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
             "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"], False)
        flags.update(key_usage)
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    cert = builder.sign(ca_key, hashes.SHA256())
    path = folder / f"{name}.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        None, key, cert, [ca], serialization.BestAvailableEncryption(password.encode())))
    return path


@pytest.fixture(scope="session")
def stranger_root(tmp_path_factory) -> Path:
    """A CA certificate that issued nothing here: trusting only it trusts none of our signatures."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Stranger CA – {devpki.NOT_FOR_PRODUCTION}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("stranger") / "root.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path
