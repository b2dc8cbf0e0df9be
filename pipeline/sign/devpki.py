"""A development PKI: a CA, an agency signing certificate and a local TSA/OCSP/CRL service.

DEVELOPMENT ONLY – NOT FOR PRODUCTION. Every certificate name says so, the
keys are stored unencrypted, and the services answer anyone on 127.0.0.1.
It exists so that signing can be tried and tested end to end on one machine;
real signatures need a certificate from the Government CA or a licensed CA.

``create(DIR)`` writes the keys, a certomancer configuration and the agency's
PKCS#12 file; ``serve(DIR)`` runs certomancer's timestamp, OCSP and CRL
endpoints on 127.0.0.1 at the port chosen when the PKI was made (the URLs are
inside the certificates, so the port cannot change afterwards).
"""

from __future__ import annotations

import json
import os
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import yaml

NOT_FOR_PRODUCTION = "DEVELOPMENT ONLY – NOT FOR PRODUCTION"
WARNING = (
    f"{NOT_FOR_PRODUCTION}: this PKI, its keys and its services are for development and "
    "tests; a signature made with it proves nothing.\n"
    f"CHỈ DÙNG ĐỂ PHÁT TRIỂN – KHÔNG DÙNG THẬT: chữ ký tạo bằng hạ tầng này không có giá trị."
)
DEFAULT_AGENCY = "UBND xã Bát Tràng"
DEFAULT_PORT = 9797
HOST = "127.0.0.1"  # never another interface: the services have no access control
ARCH = "sohoa-dev"
PASSWORD_ENV = "SOHOA_SIGNING__PKCS12_PASSWORD"
_KEYS = ("root", "agency", "tsa", "ocsp")


@dataclass(frozen=True)
class DevPki:
    """Where a development PKI's files are and where its services listen."""

    directory: Path
    port: int
    agency: str

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/{ARCH}/ocsp/root"

    @property
    def crl_url(self) -> str:
        return f"{self.base_url}/{ARCH}/crls/root/latest.crl"

    @property
    def root_cert(self) -> Path:
        return self.directory / "certs" / "root.cert.pem"

    @property
    def agency_p12(self) -> Path:
        return self.directory / "agency.p12"

    @property
    def env_file(self) -> Path:
        return self.directory / "signing.env"

    @property
    def config_file(self) -> Path:
        return self.directory / "signing.yaml"

    def password(self) -> str:
        """The PKCS#12 password, as kept in ``signing.env`` (owner-only)."""
        for line in self.env_file.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if name == PASSWORD_ENV:
                return value
        raise KeyError(PASSWORD_ENV)

    def certomancer_config(self):
        from certomancer.registry import CertomancerConfig

        return CertomancerConfig.from_file(
            str(self.directory / "certomancer.yml"), key_search_dir=str(self.directory)
        )

    @classmethod
    def load(cls, directory: Path) -> DevPki:
        info = json.loads((Path(directory) / "pki.json").read_text(encoding="utf-8"))
        return cls(Path(directory).resolve(), int(info["port"]), info["agency"])


def create(
    directory: Path,
    *,
    agency: str = DEFAULT_AGENCY,
    port: int = DEFAULT_PORT,
    now: datetime | None = None,
) -> DevPki:
    """Make a new development PKI in ``directory`` (refused if one is there already)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
    from cryptography.hazmat.primitives.serialization import pkcs12

    directory = Path(directory).resolve()
    if (directory / "pki.json").exists():
        raise FileExistsError(directory / "pki.json")
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range")
    agency = unicodedata.normalize("NFC", agency).strip()
    if not agency:
        raise ValueError("the agency name is empty")
    pki = DevPki(directory, port, agency)
    (directory / "keys").mkdir(parents=True, exist_ok=True)
    (directory / "certs").mkdir(exist_ok=True)
    os.chmod(directory / "keys", 0o700)

    for label in _KEYS:
        # RSA where certificates must come out the same each time certomancer loads them
        # (RSA PKCS#1 v1.5 is deterministic) and as Vietnamese CAs issue them; P-256 for
        # the services, which certomancer reloads on every request (fast to load, to sign).
        if label in ("tsa", "ocsp"):
            key: PrivateKeyTypes = ec.generate_private_key(ec.SECP256R1())
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_private(
            directory / "keys" / f"{label}.key.pem",
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
    start = (now or datetime.now(UTC)).replace(second=0, microsecond=0) - timedelta(hours=1)
    config = _certomancer_config(pki, start)
    (directory / "certomancer.yml").write_text(
        "# " + NOT_FOR_PRODUCTION + "\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    arch = pki.certomancer_config().get_pki_arch(ARCH)
    for label in _KEYS:
        (directory / "certs" / f"{label}.cert.pem").write_bytes(_pem(arch.get_cert(label).dump()))

    # The PKCS#12 holds the agency key, its certificate and the CA, as a CA would issue it.
    password = secrets.token_urlsafe(18)
    from cryptography import x509 as pyca_x509

    agency_key = serialization.load_pem_private_key(
        (directory / "keys" / "agency.key.pem").read_bytes(), password=None
    )
    cert = pyca_x509.load_der_x509_certificate(arch.get_cert("agency").dump())
    root = pyca_x509.load_der_x509_certificate(arch.get_cert("root").dump())
    _write_private(
        pki.agency_p12,
        pkcs12.serialize_key_and_certificates(
            name=None,
            key=cast(Any, agency_key),  # the RSA key written above
            cert=cert,
            cas=[root],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        ),
    )
    _write_private(pki.env_file, f"{PASSWORD_ENV}={password}\n".encode())
    pki.config_file.write_text(signing_yaml(pki), encoding="utf-8")
    (directory / "pki.json").write_text(
        json.dumps({"port": port, "agency": agency, "warning": NOT_FOR_PRODUCTION}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    (directory / "README.txt").write_text(WARNING + "\n", encoding="utf-8")
    return pki


def signing_yaml(pki: DevPki) -> str:
    """The ``signing:`` settings that use this PKI (merge into a sohoa YAML file)."""
    section = {
        "signing": {
            "signer": "pkcs12",
            "pkcs12_file": str(pki.agency_p12),
            "pkcs12_password_env": PASSWORD_ENV,
            "tsa_url": pki.tsa_url,
            "trust_roots": [str(pki.root_cert)],
        }
    }
    return (
        f"# {NOT_FOR_PRODUCTION}\n"
        f"# Development signing with the PKI in {pki.directory}; the password is in\n"
        f"# {pki.env_file} (set -a; . {pki.env_file}; set +a). Serve the timestamp service with\n"
        f"# `sohoa dev-pki {pki.directory} --serve`.\n"
        + yaml.safe_dump(section, allow_unicode=True, sort_keys=False)
    )


def app(directory: Path):
    """certomancer's WSGI application for this PKI: TSA, OCSP and CRLs only."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore

    pki = DevPki.load(directory)
    config = pki.certomancer_config()
    # No web UI: it would hand out the private keys. No fake-time header: anyone could backdate.
    return Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False, allow_time_override=False)


def serve(directory: Path, *, ready: Callable[[str], None] | None = None) -> None:
    """Run the services on 127.0.0.1 until interrupted."""
    from werkzeug.serving import make_server

    pki = DevPki.load(directory)
    server = make_server(HOST, pki.port, app(directory), threaded=True)
    if ready is not None:
        ready(pki.base_url)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def _certomancer_config(pki: DevPki, start: datetime) -> dict:
    def validity(years: int) -> dict:
        end = start.replace(year=start.year + years)
        return {"valid-from": start.isoformat(), "valid-to": end.isoformat()}

    def ku(*usages: str) -> dict:
        return {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": list(usages)}}

    revocation = [
        {"id": "authority_information_access",
         "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["root"]}}},
        {"id": "crl_distribution_points",
         "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}}},
    ]
    dev = f"sohoa {NOT_FOR_PRODUCTION}"
    return {
        "external-url-prefix": pki.base_url,
        "keysets": {
            ARCH: {
                "path-prefix": "keys",
                "keys": {label: {"path": f"{label}.key.pem"} for label in _KEYS},
            }
        },
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN"},
                "entities": {
                    "root": {"organization-name": dev, "common-name": f"{dev} Root CA"},
                    "agency": {
                        "organization-name": pki.agency,
                        "organizational-unit-name": NOT_FOR_PRODUCTION,
                        "common-name": f"{pki.agency} – {NOT_FOR_PRODUCTION}",
                    },
                    "tsa": {"organization-name": dev, "common-name": f"{dev} Timestamp Authority"},
                    "ocsp": {"organization-name": dev, "common-name": f"{dev} OCSP Responder"},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": validity(10),
                        "extensions": [
                            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                            ku("digital_signature", "key_cert_sign", "crl_sign"),
                        ],
                    },
                    "agency": {
                        "subject": "agency",
                        "issuer": "root",
                        "validity": validity(2),
                        "extensions": [ku("digital_signature", "non_repudiation"), *revocation],
                    },
                    "tsa": {
                        "subject": "tsa",
                        "issuer": "root",
                        "validity": validity(5),
                        "extensions": [
                            ku("digital_signature", "non_repudiation"),
                            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                            *revocation,
                        ],
                    },
                    "ocsp": {
                        "subject": "ocsp",
                        "issuer": "root",
                        "validity": validity(2),
                        "extensions": [
                            ku("digital_signature"),
                            {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                            {"id": "ocsp_no_check"},
                        ],
                    },
                },
                "services": {
                    "ocsp": {"root": {"for-issuer": "root", "responder-cert": "ocsp", "signing-key": "ocsp"}},
                    "crl-repo": {
                        "root": {"for-issuer": "root", "signing-key": "root", "simulated-update-schedule": "P1D"}
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


def _pem(der: bytes) -> bytes:
    from asn1crypto import pem

    return pem.armor("CERTIFICATE", der)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
