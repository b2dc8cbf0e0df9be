"""The agency's key and certificates: a PKCS#12 file or a PKCS#11 token, opened with the
password or PIN the caller passes in; the checks a signing certificate must pass; CA
certificates read from files; what a token's failure means to the clerk.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from asn1crypto import x509 as asn1_x509

from pipeline.core.errors import (
    CertificateUnusableError,
    SigningCredentialsError,
    SigningError,
    TokenUnavailableError,
)
from pipeline.core.settings import SigningSettings
from pipeline.sign import cms as _cms
from pipeline.sign.secret import Secret
from pipeline.sign.times import vietnam_time


def check_certificate(cert: asn1_x509.Certificate, at: datetime | None = None) -> None:
    """Refuse a certificate that is out of date or may not make signatures."""
    at = at or datetime.now(UTC)
    name = _cms.common_name(cert)
    validity = cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    if at < not_before:
        raise CertificateUnusableError(
            f"the signing certificate '{name}' is not valid yet (from {vietnam_time(not_before)})",
            f"chứng thư ký '{name}' chưa có hiệu lực (từ {vietnam_time(not_before)})",
        )
    if at > not_after:
        raise CertificateUnusableError(
            f"the signing certificate '{name}' expired on {vietnam_time(not_after)}",
            f"chứng thư ký '{name}' đã hết hạn ngày {vietnam_time(not_after)}",
        )
    usage = cert.key_usage_value
    if usage is None or "digital_signature" not in usage.native:
        raise CertificateUnusableError(
            f"the certificate '{name}' is not for digital signatures (no digitalSignature key usage)",
            f"chứng thư '{name}' không dùng để ký số (thiếu mục đích digitalSignature)",
        )


def pkcs12_signer(settings: SigningSettings, extra: list, secret: Secret):
    """A signer for the key in the PKCS#12 file, opened with the password in ``secret``."""
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    path = Path(cast(Path, settings.pkcs12_file))  # set: the caller chose PKCS#12 for it
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SigningCredentialsError(
            f"cannot read the PKCS#12 file: {e.strerror}", f"không đọc được tệp PKCS#12: {e.strerror}", path
        ) from e
    password = secret.reveal()
    try:
        key, cert, cas = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as e:
        if _is_pkcs12(data):
            raise SigningCredentialsError(
                f"wrong password for the PKCS#12 file (from {secret.where_en})",
                f"sai mật khẩu của tệp PKCS#12 (lấy từ {secret.where_vi})",
                path,
            ) from None  # the library's message adds nothing and must not carry the password
        raise SigningCredentialsError(
            "is not a PKCS#12 (.p12/.pfx) file", "không phải tệp PKCS#12 (.p12/.pfx)", path
        ) from e
    finally:
        del password
    if key is None or cert is None:
        raise SigningCredentialsError(
            "the PKCS#12 file holds no private key with its certificate",
            "tệp PKCS#12 không có khóa bí mật kèm chứng thư",
            path,
        )
    signing_key = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in cas or ()]
    return _InMemoryKeySigner(
        key,
        signing_cert=signing_cert,
        signing_key=signing_key,
        cert_registry=SimpleCertificateStore.from_certs([*chain, *extra]),
    )


def _simple_signer_base():
    from pyhanko.sign.signers import SimpleSigner

    return SimpleSigner


class _InMemoryKeySigner(_simple_signer_base()):  # type: ignore[misc]  # pyHanko loaded only when signing
    """pyHanko's SimpleSigner, without re-reading the key for every signature.

    Loading an RSA key checks it (about 0.1 s), and SimpleSigner loads it for
    the size estimate and again for the signature; this keeps it loaded and
    answers the estimate with a placeholder of the right size.
    """

    def __init__(self, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return bytes(self._raw_size())
        return self.sign_raw(data, digest_algorithm)

    def _raw_size(self) -> int:
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        key = self._private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.key_size // 8
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return 2 * ((key.key_size + 7) // 8) + 9  # DER: a SEQUENCE of two INTEGERs, worst case
        return 512

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        algorithm = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            mechanism = algorithm.signature_algo
        except ValueError:
            mechanism = algorithm["algorithm"].native
        digest = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if isinstance(key, rsa.RSAPrivateKey) and mechanism == "rsassa_pkcs1v15":
            return key.sign(data, PKCS1v15(), digest)
        if isinstance(key, ec.EllipticCurvePrivateKey) and mechanism == "ecdsa":
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # PSS and the rest: pyHanko's own way


def _is_pkcs12(data: bytes) -> bool:
    from asn1crypto import pkcs12

    try:
        pfx = pkcs12.Pfx.load(data)
        return pfx["version"].native == "v3" and pfx["mac_data"].native is not None
    except Exception:  # noqa: BLE001 - any parse failure: not a PKCS#12 file
        return False


def pkcs11_signer(settings: SigningSettings, extra: list, secret: Secret):
    """A signer for the key on the token, logged in with the PIN in ``secret``; and its session."""
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    module = Path(cast(Path, settings.pkcs11_module))  # set: the caller chose PKCS#11 for it
    if not module.is_file():
        raise TokenUnavailableError(
            "the PKCS#11 module (token driver) is not installed here",
            "không có mô-đun PKCS#11 (trình điều khiển token) tại đây",
            module,
        )
    if not settings.pkcs11_key_label:
        raise SigningError(
            "signing.pkcs11_key_label is not set: which key on the token signs?",
            "chưa đặt signing.pkcs11_key_label: khóa nào trên token dùng để ký?",
        )
    pin = secret.reveal()
    criteria = TokenCriteria(label=settings.pkcs11_token_label) if settings.pkcs11_token_label else None
    try:
        session = open_pkcs11_session(str(module), token_criteria=criteria, user_pin=pin)
    except Exception as e:
        raise token_error(settings, e, (secret.where_en, secret.where_vi)) from None
    finally:
        del pin
    signer = PKCS11Signer(
        session,
        cert_label=settings.pkcs11_cert_label or settings.pkcs11_key_label,
        key_label=settings.pkcs11_key_label,
        ca_chain=extra,
        other_certs_to_pull=None,
    )
    return signer, session


def token_error(settings: SigningSettings, e: Exception, pin_from: tuple[str, str]) -> Exception:
    """A token's failure as the error the clerk sees; ``pin_from``: where the PIN came from (en, vi)."""
    name = type(e).__name__
    label = settings.pkcs11_token_label or "?"
    if name in ("PinIncorrect", "PinInvalid", "PinLenRange", "PinLocked", "PinExpired"):
        source_en, source_vi = pin_from
        return SigningCredentialsError(
            f"the token '{label}' refused the PIN ({name}, from {source_en})",
            f"token '{label}' không nhận mã PIN ({name}, lấy từ {source_vi})",
        )
    if isinstance(e, SigningError):
        return e
    text = str(e)
    if "No token" in text or name in ("TokenNotPresent", "TokenNotRecognised", "SlotIDInvalid"):
        return TokenUnavailableError(
            f"the token '{label}' is not plugged in (module {settings.pkcs11_module})",
            f"không thấy token '{label}' (chưa cắm? mô-đun {settings.pkcs11_module})",
        )
    if "certificate" in text or "private key" in text:
        return TokenUnavailableError(
            f"the key or certificate '{settings.pkcs11_key_label}' is not on the token '{label}': {text}",
            f"khóa hoặc chứng thư '{settings.pkcs11_key_label}' không có trên token '{label}'",
        )
    return TokenUnavailableError(
        f"the PKCS#11 token could not be used: {name}: {text}",
        f"không dùng được token PKCS#11: {name}: {text}",
    )


def _load_cert(path: Path) -> asn1_x509.Certificate:
    from asn1crypto import pem

    try:
        data = Path(path).read_bytes()
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        return asn1_x509.Certificate.load(data)
    except Exception as e:
        raise SigningError(
            f"not a readable certificate (PEM or DER): {e}", f"không đọc được chứng thư (PEM hoặc DER): {e}", path
        ) from e


def load_certificates(paths) -> list[asn1_x509.Certificate]:
    return [_load_cert(p) for p in paths]


def validation_context(settings: SigningSettings, extra: list):
    """What B-LT validates the signing certificate against, fetching its OCSP responses and CRLs."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    return ValidationContext(
        trust_roots=load_certificates(settings.trust_roots),
        other_certs=extra,
        allow_fetching=True,
        # B-LT promises the validation data is inside: without it, fail rather than embed nothing.
        revocation_mode="hard-fail",
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=settings.tsa_timeout_seconds),
    )

