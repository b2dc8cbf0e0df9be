"""Sign a finished PDF/A as the converting agency: PAdES B-B, B-T or B-LT with pyHanko.

The Law on E-Transactions 2023 (art. 12) wants a paper-to-digital conversion to
carry the converting agency's digital signature. The signature is one
incremental update appended to the validated PDF/A-2b, so the archival file
underneath stays byte for byte what ``pipeline.pdfa`` wrote. In that update:

* the signature field, its widget and (when visible) the TT 05/2025 mark — top
  right of page 1, the agency's name and the signing time in Vietnam time, in
  an embedded serif font, no seal image;
* for B-LT, the Document Security Store with the certificates, OCSP responses
  and CRLs needed to validate the signature later without the network;
* the XMP packet and the document information dictionary, updated together
  (pyHanko would set different Producers in each, which PDF/A forbids).

The key comes from a PKCS#12 file or a PKCS#11 token. Passwords and PINs are
read from environment variables or Prefect Secret blocks named in the settings
and go nowhere else.
Every file is signed into a temporary file and moved into place only when the
signature is complete and checks out; a failure leaves no file that looks
signed.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import logging
import math
import os
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from asn1crypto import x509 as asn1_x509

from pipeline.sign import cms as _cms
from pipeline.core.errors import (
    CertificateUnusableError,
    MissingDependencyError,
    SigningCredentialsError,
    SigningError,
    TimestampUnavailableError,
    TokenUnavailableError,
)
from pipeline.core.settings import SigningSettings

log = logging.getLogger(__name__)

try:
    from zoneinfo import ZoneInfo

    VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # noqa: BLE001 - no tz database: Vietnam has kept UTC+7 without DST since 1975
    VIETNAM = timezone(timedelta(hours=7), "ICT")

FIELD_NAME = "sohoa-agency-signature"
LEVELS = ("B-B", "B-T", "B-LT")
_PADDING = 3  # points of white space around the mark's text


@dataclass(frozen=True)
class SignatureFacts:
    """What was signed and how: kept in ``record.json`` beside each file."""

    level: str
    field: str
    signer: str  # the certificate's subject common name
    agency: str | None  # the certificate's organisation (O)
    certificate_serial: str  # hexadecimal
    certificate_sha256: str
    issuer: str
    signing_time: datetime  # in Vietnam time, as shown on the mark
    timestamp_time: datetime | None
    timestamp_authority: str | None
    visible: bool

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "field": self.field,
            "signer": self.signer,
            "agency": self.agency,
            "certificate_serial": self.certificate_serial,
            "certificate_sha256": self.certificate_sha256,
            "issuer": self.issuer,
            "signing_time": self.signing_time,
            "timestamp_time": self.timestamp_time,
            "timestamp_authority": self.timestamp_authority,
            "visible": self.visible,
        }


def effective_level(settings: SigningSettings) -> str:
    """The configured PAdES level, or the default: B-T with a TSA, else B-B."""
    if settings.level is not None:
        return settings.level
    return "B-T" if settings.tsa_url else "B-B"


def is_configured(settings: SigningSettings) -> bool:
    return settings.configured


def vietnam_time(when: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second: ``2025-09-15T08:30:00+07:00``."""
    return when.astimezone(VIETNAM).replace(microsecond=0).isoformat()


class DocumentSigner:
    """Signs many PDF/A files with one key: open once, then ``sign`` each file.

    The key store is opened (and a token logged in to) when the signer is made,
    so a wrong password or a missing token stops a job before any page is read.
    Use it as a context manager, or call ``close``.
    """

    def __init__(self, settings: SigningSettings):
        self.settings = settings
        self._session = self._mark = None
        self.level = effective_level(settings)
        if self.level in ("B-T", "B-LT") and not settings.tsa_url:
            raise SigningError(
                f"PAdES {self.level} needs a timestamp server: set signing.tsa_url",
                f"PAdES {self.level} cần máy chủ cấp dấu thời gian: đặt signing.tsa_url",
            )
        if self.level == "B-LT" and not settings.trust_roots:
            raise SigningError(
                "PAdES B-LT needs the trusted CA certificates: set signing.trust_roots",
                "PAdES B-LT cần chứng thư CA tin cậy: đặt signing.trust_roots",
            )
        extra = [_load_cert(p) for p in settings.extra_certs]
        if settings.pkcs11_module is not None and settings.pkcs12_file is not None:
            raise SigningError(
                "both signing.pkcs12_file and signing.pkcs11_module are set: choose one",
                "đặt cả signing.pkcs12_file và signing.pkcs11_module: chỉ chọn một",
            )
        if settings.pkcs11_module is not None:
            self._signer, self._session = _pkcs11_signer(settings, extra)
        elif settings.pkcs12_file is not None:
            self._signer = _pkcs12_signer(settings, extra)
        else:
            raise SigningError(
                "no signing key is configured (signing.pkcs12_file or signing.pkcs11_module)",
                "chưa cấu hình khóa ký (signing.pkcs12_file hoặc signing.pkcs11_module)",
            )
        try:
            self._set_up(settings, extra)
        except BaseException:
            self.close()  # log out of the token, remove the font copy
            raise

    def _set_up(self, settings: SigningSettings, extra: list) -> None:
        try:
            self.certificate: asn1_x509.Certificate = self._signer.signing_cert
        except Exception as e:
            raise _token_error(settings, e) from e
        check_certificate(self.certificate)
        self.agency = unicodedata.normalize(
            "NFC", settings.agency or _cms.organisation(self.certificate) or _cms.common_name(self.certificate)
        )
        self._timestamper = (
            _RetryingTimeStamper(settings.tsa_url, settings.tsa_timeout_seconds, settings.tsa_attempts)
            if self.level in ("B-T", "B-LT")
            else None
        )
        self._validation_context = _signing_validation_context(settings, extra) if self.level == "B-LT" else None
        if self._timestamper is not None and settings.trust_roots:
            asyncio.run(_check_timestamp_authority(self._timestamper, settings))
        if settings.mark.visible:
            self._mark = _Mark(settings.mark, self.agency + _cms.common_name(self.certificate))

    @property
    def is_development(self) -> bool:
        """True for a certificate made by ``sohoa dev-pki``: its signatures prove nothing."""
        return "DEVELOPMENT ONLY" in self.certificate.subject.human_friendly

    def __enter__(self) -> DocumentSigner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._mark is not None:
            self._mark.close()
        if self._session is not None:
            try:
                self._session.close()
            finally:
                self._session = None

    # -- signing ---------------------------------------------------------------

    def sign(self, source: Path, destination: Path) -> SignatureFacts:
        """Sign ``source`` into ``destination`` (written atomically, only on success)."""
        return asyncio.run(self.async_sign(source, destination))

    def sign_in_place(self, path: Path) -> SignatureFacts:
        return self.sign(path, path)

    async def async_sign(self, source: Path, destination: Path) -> SignatureFacts:
        source, destination = Path(source), Path(destination)
        check_certificate(self.certificate)  # a long job may outlive the certificate
        fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".signing", dir=destination.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w+b") as out:
                when, prepared = await self._sign_to(source, out)
                out.flush()
                os.fsync(out.fileno())
            signer_info = _check_signed(tmp, self.certificate, prepared)
            facts = self._facts(signer_info, when)
            os.replace(tmp, destination)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return facts

    async def _sign_to(self, source: Path, out):
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign import fields, signers
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.sign.signers.pdf_signer import (
            DSSContentSettings,
            PdfCMSSignedAttributes,
            SigDSSPlacementPreference,
        )
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        data = source.read_bytes()
        when = datetime.now(VIETNAM).replace(microsecond=0)
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=True)
        except Exception as e:
            raise SigningError(
                f"cannot read the PDF to sign: {e}", f"không đọc được tệp PDF cần ký: {e}", source
            ) from e
        if reader.encrypted:
            raise SigningError("the PDF is encrypted", "tệp PDF bị mã hóa", source)
        writer = _ArchivalWriter.from_reader(reader)
        writer.prepare_metadata(data, when)

        mark_text = None
        box = None
        rotation = 0
        if self._mark is not None:
            first = _first_page(reader)
            rotation = int(_inherited(first, "/Rotate") or 0) % 360
            mark_text = self._mark.text(agency=self.agency, signer=_cms.common_name(self.certificate), when=when)
            rect, (w, h) = self._mark.box(_page_box(first), rotation, mark_text)
            # pyHanko lays the appearance out in the field's box: give it the upright size,
            # then turn the widget into place (below) once the appearance exists.
            box = (rect[0], rect[1], rect[0] + w, rect[1] + h)
        field_spec = fields.SigFieldSpec(
            FIELD_NAME,
            on_page=0,
            box=box,
            # PDF/A: every annotation printable, none hidden, even an invisible one.
            invis_sig_settings=fields.InvisSigSettings(
                set_print_flag=True, set_hidden_flag=False, box_out_of_bounds=False
            ),
        )
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=self.settings.reason or None,
            embed_validation_info=self.level == "B-LT",
            validation_context=self._validation_context,
            signer_key_usage={"digital_signature"},
            # B-LT in the signed revision itself: one revision, the whole file covered.
            dss_settings=DSSContentSettings(
                placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
            ),
        )
        pdf_signer = signers.PdfSigner(
            meta,
            self._signer,
            timestamper=self._timestamper,
            stamp_style=self._mark.style() if self._mark is not None else None,
            new_field_spec=field_spec,
        )
        try:
            session = pdf_signer.init_signing_session(writer)
            session.system_time = when  # the CMS signing time, /M and the mark agree
            presign = await session.perform_presign_validation(writer)
            reserved = await session.estimate_signature_container_size(presign, tight=False)
            tbs = session.prepare_tbs_document(
                validation_info=presign,
                bytes_reserved=reserved,
                appearance_text_params={"mark": mark_text} if mark_text is not None else None,
            )
            if rotation and self._mark is not None:
                _counter_rotate_appearance(session.sig_field, rotation, rect)
            prepared, output = tbs.digest_tbs_document(output=out)
            await tbs.perform_signature(
                document_digest=prepared.document_digest,
                pdf_cms_signed_attrs=PdfCMSSignedAttributes(
                    signing_time=when,
                    adobe_revinfo_attr=None,
                    cades_signed_attrs=meta.cades_signed_attr_spec,
                ),
            )
        except (TimestampRequestError, TimestampUnavailableError) as e:
            raise _tsa_error(self.settings, e) from e
        except SigningError:
            raise
        except Exception as e:
            raise _classify(e, self.settings) from e
        return when, prepared

    def _facts(self, signer_info, when: datetime) -> SignatureFacts:
        ts_time = ts_authority = None
        token = _cms.signature_timestamp(signer_info)
        if token is not None:
            ts_time = _cms.timestamp_time(token).astimezone(VIETNAM)
            tsa_cert = _cms.token_signer_cert(token)
            ts_authority = _cms.common_name(tsa_cert) if tsa_cert is not None else None
        if self.level != "B-B" and token is None:
            raise TimestampUnavailableError(
                "the signature came back without its timestamp", "chữ ký không kèm dấu thời gian"
            )
        cert = self.certificate
        return SignatureFacts(
            level=self.level,
            field=FIELD_NAME,
            signer=_cms.common_name(cert),
            agency=_cms.organisation(cert),
            certificate_serial=format(cert.serial_number, "x"),
            certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
            issuer=cert.issuer.human_friendly,
            signing_time=when,
            timestamp_time=ts_time,
            timestamp_authority=ts_authority,
            visible=self._mark is not None,
        )


def open_signer(settings: SigningSettings) -> DocumentSigner | None:
    """A signer for the configured key, or None when signing is not configured."""
    return DocumentSigner(settings) if is_configured(settings) else None


def sign_file(source: Path, destination: Path, settings: SigningSettings) -> SignatureFacts:
    """Sign one file with a signer opened and closed for it."""
    with DocumentSigner(settings) as signer:
        return signer.sign(source, destination)


# -- certificate checks ----------------------------------------------------------


def check_certificate(cert: asn1_x509.Certificate, at: datetime | None = None) -> None:
    """Refuse a certificate that is out of date or may not make signatures."""
    at = at or datetime.now(timezone.utc)
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


# -- key stores ------------------------------------------------------------------


def _secret(variable: str, block: str | None, what_en: str, what_vi: str) -> str:
    """The password or PIN: from the Prefect Secret block when one is named, else the variable."""
    if block:
        return _prefect_secret(block, what_en, what_vi)
    value = os.environ.get(variable)
    if value is None:
        raise SigningCredentialsError(
            f"the {what_en} is not set: put it in the environment variable {variable}",
            f"chưa có {what_vi}: đặt trong biến môi trường {variable}",
        )
    return value


def _secret_source(variable: str, block: str | None) -> tuple[str, str]:
    """Where the password or PIN came from, for messages: (English, Vietnamese)."""
    if block:
        return f"the Prefect Secret block '{block}'", f"khối Prefect Secret '{block}'"
    return variable, variable


def _prefect_secret(block: str, what_en: str, what_vi: str) -> str:
    try:
        from prefect.blocks.system import Secret
    except ImportError:
        raise MissingDependencyError(
            f"the {what_en} is set to come from the Prefect Secret block '{block}', "
            "but Prefect is not installed (pip install 'prefect>=3.4,<4')",
            f"{what_vi} được đặt lấy từ khối Prefect Secret '{block}' nhưng chưa cài Prefect "
            "(pip install 'prefect>=3.4,<4')",
        ) from None
    try:
        # _sync: a plain call even when the signer is made inside a running event loop.
        loaded = Secret.load(block, _sync=True)
    except ValueError as e:
        if "Unable to find block document" not in str(e):
            raise _prefect_unreachable(block, what_en, what_vi, e) from None
        raise SigningCredentialsError(
            f"the {what_en} is not set: there is no Prefect Secret block '{block}'",
            f"chưa có {what_vi}: không có khối Prefect Secret '{block}'",
        ) from None
    except Exception as e:  # noqa: BLE001 - the API is down, refuses, or answers nonsense
        raise _prefect_unreachable(block, what_en, what_vi, e) from None
    # The stored value as saved: Secret.get() would parse text that looks like JSON, so a
    # password such as "1e3" or "true" would come back as 1000.0 or True.
    value = loaded.value.get_secret_value()
    del loaded
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a PIN saved as a number
    if not isinstance(value, str):
        raise SigningCredentialsError(
            f"the Prefect Secret block '{block}' does not hold the {what_en} as text",
            f"khối Prefect Secret '{block}' không chứa {what_vi} dạng văn bản",
        )
    return value


def _prefect_unreachable(block: str, what_en: str, what_vi: str, e: Exception) -> SigningCredentialsError:
    # Only the exception's type: its text could quote the block's contents (a validation error).
    try:
        from prefect.settings import PREFECT_API_URL

        url = PREFECT_API_URL.value()
    except Exception:  # noqa: BLE001 - the settings themselves are broken
        url = None
    return SigningCredentialsError(
        f"cannot read the {what_en} from the Prefect Secret block '{block}': "
        f"the Prefect API{f' at {url}' if url else ''} is unreachable or failed ({type(e).__name__})",
        f"không đọc được {what_vi} từ khối Prefect Secret '{block}': "
        f"không kết nối được Prefect API{f' tại {url}' if url else ''} hoặc API lỗi ({type(e).__name__})",
    )


def _pkcs12_signer(settings: SigningSettings, extra: list):
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    path = Path(settings.pkcs12_file)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SigningCredentialsError(
            f"cannot read the PKCS#12 file: {e.strerror}", f"không đọc được tệp PKCS#12: {e.strerror}", path
        ) from e
    password = _secret(
        settings.pkcs12_password_env, settings.pkcs12_password_secret, "PKCS#12 password", "mật khẩu PKCS#12"
    )
    try:
        key, cert, cas = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as e:
        if _is_pkcs12(data):
            source_en, source_vi = _secret_source(settings.pkcs12_password_env, settings.pkcs12_password_secret)
            raise SigningCredentialsError(
                f"wrong password for the PKCS#12 file (from {source_en})",
                f"sai mật khẩu của tệp PKCS#12 (lấy từ {source_vi})",
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


class _InMemoryKeySigner(_simple_signer_base()):
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


def _pkcs11_signer(settings: SigningSettings, extra: list):
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    module = Path(settings.pkcs11_module)
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
    pin = _secret(settings.pkcs11_pin_env, settings.pkcs11_pin_secret, "token PIN", "mã PIN của token")
    criteria = TokenCriteria(label=settings.pkcs11_token_label) if settings.pkcs11_token_label else None
    try:
        session = open_pkcs11_session(str(module), token_criteria=criteria, user_pin=pin)
    except Exception as e:
        raise _token_error(settings, e) from None
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


def _token_error(settings: SigningSettings, e: Exception) -> Exception:
    name = type(e).__name__
    label = settings.pkcs11_token_label or "?"
    if name in ("PinIncorrect", "PinInvalid", "PinLenRange", "PinLocked", "PinExpired"):
        source_en, source_vi = _secret_source(settings.pkcs11_pin_env, settings.pkcs11_pin_secret)
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


# -- timestamps and validation data --------------------------------------------------


def _timestamper_base():
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper


class _RetryingTimeStamper(_timestamper_base()):
    """An RFC 3161 client that tries again, with doubling pauses, before giving up."""

    def __init__(self, url: str, timeout: float, attempts: int, first_pause: float = 0.5):
        super().__init__(url, timeout=timeout)
        self.attempts = attempts
        self.first_pause = first_pause

    async def async_request_tsa_response(self, req):
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            try:
                return await super().async_request_tsa_response(req)
            except TimestampRequestError as e:
                url = _public_url(self.url)
                if attempt == self.attempts:
                    raise TimestampUnavailableError(
                        f"the timestamp server {url} did not answer after {attempt} attempts ({e})",
                        f"máy chủ dấu thời gian {url} không trả lời sau {attempt} lần thử ({e})",
                    ) from e
                log.warning("timestamp server %s: attempt %d failed (%s); retrying", url, attempt, e)
                await asyncio.sleep(pause)
                pause *= 2


async def _check_timestamp_authority(timestamper, settings: SigningSettings) -> None:
    """One timestamp before any work: the server answers, and its tokens chain to our roots.

    A timestamp from an authority the verifier will not trust makes a file that
    claims B-T but fails verification; refuse before any page is read.
    """
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(b"sohoa timestamp authority check").digest()
    token = await timestamper.async_timestamp(digest, "sha256")
    context = ValidationContext(trust_roots=load_certificates(settings.trust_roots))
    try:
        status = await validate_tst_signed_data(token["content"], context, lambda _algo: digest)
        trusted = (
            bool(status.get("intact"))
            and bool(status.get("valid"))
            and status.get("trust_problem_indic") is None
            and status.get("validation_path") is not None
        )
    except Exception:  # noqa: BLE001 - any failure means the token cannot be relied on
        trusted = False
    if not trusted:
        url = _public_url(settings.tsa_url)
        raise TimestampUnavailableError(
            f"the timestamp server {url} answers, but its tokens do not chain to signing.trust_roots "
            "(another server on that port?)",
            f"máy chủ dấu thời gian {url} có trả lời nhưng dấu thời gian không thuộc chuỗi tin cậy "
            "signing.trust_roots (một máy chủ khác đang dùng cổng này?)",
        )


def _tsa_error(settings: SigningSettings, e: Exception) -> TimestampUnavailableError:
    if isinstance(e, TimestampUnavailableError):
        return e
    url = _public_url(settings.tsa_url)
    return TimestampUnavailableError(
        f"the timestamp server {url} failed: {e}", f"máy chủ dấu thời gian {url} bị lỗi: {e}"
    )


def _public_url(url: str | None) -> str:
    """The URL without any user:password@ in it, fit for a message or a log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=host))


def _signing_validation_context(settings: SigningSettings, extra: list):
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


def _classify(e: Exception, settings: SigningSettings) -> SigningError:
    """A pyHanko/certvalidator failure as the clerk-facing error it means."""
    cause = e
    while cause.__cause__ is not None and type(cause).__name__ == "SigningError":
        cause = cause.__cause__  # pyHanko wraps certvalidator's reason
    name = type(cause).__name__
    if name in ("PathBuildingError", "PathValidationError", "InvalidCertificateError", "RevokedError",
                "InsufficientRevinfoError", "ExpiredError", "NotYetValidError", "DisallowedAlgorithmError"):
        return CertificateUnusableError(
            f"the signing certificate did not validate for B-LT: {cause}",
            f"chứng thư ký không hợp lệ khi kiểm tra cho B-LT: {cause}",
        )
    if name.startswith("PKCS11") or type(e).__module__.startswith("pkcs11"):
        return _token_error(settings, e)
    return SigningError(f"signing failed: {name}: {e}", f"ký số không thành công: {name}: {e}")


# -- PDF/A: the metadata in the signing revision ------------------------------------------


def _writer_base():
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter


class _ArchivalWriter(_writer_base()):
    """An incremental writer that keeps XMP and the document information in agreement.

    pyHanko writes ``pyHanko x.y`` as the XMP Producer but appends it to the
    Info Producer, and takes two clocks for the two modification dates; PDF/A
    wants the pairs equal. Here both get the same Producer and the signing time.
    """

    _xmp: bytes | None = None
    _metadata_ref = None
    _producer: str | None = None
    _when: datetime | None = None

    def prepare_metadata(self, original: bytes, when: datetime) -> None:
        import pikepdf
        from pyhanko.pdf_utils.metadata.model import VENDOR

        with pikepdf.open(io.BytesIO(original)) as pdf:
            old = str(pdf.docinfo.get("/Producer", "")) if "/Info" in pdf.trailer else ""
            if not old:
                with pdf.open_metadata() as meta:
                    old = meta.get("pdf:Producer", "") or ""
            ours = VENDOR  # "pyHanko x.y.z"
            producer = old if ours in old else "; ".join(p for p in (old, ours) if p)
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                meta["pdf:Producer"] = producer
                meta["xmp:ModifyDate"] = when.isoformat()
                meta["xmp:MetadataDate"] = when.isoformat()
                meta["xmpMM:InstanceID"] = f"uuid:{uuid.uuid4()}"
            self._xmp = bytes(pdf.Root.Metadata.read_bytes())
        self._producer = producer
        self._when = when

    def _update_meta(self):
        from pyhanko.pdf_utils import generic

        if self._xmp is None:  # not prepared: pyHanko's own behaviour
            return super()._update_meta()
        trailer = self.trailer_view
        if "/Info" in trailer:
            info_ref = trailer.raw_get("/Info")
            info = info_ref.get_object()
            info["/Producer"] = generic.TextStringObject(self._producer)
            info["/ModDate"] = generic.pdf_date(self._when)
            if isinstance(info_ref, generic.IndirectObject):
                self.mark_update(info_ref)
        if self._metadata_ref is None:  # pyHanko may prepare the document more than once
            stream = generic.StreamObject(
                {"/Type": generic.NameObject("/Metadata"), "/Subtype": generic.NameObject("/XML")},
                stream_data=self._xmp,
            )
            self._metadata_ref = self.add_object(stream)
            self.root["/Metadata"] = self._metadata_ref
            self.update_root()


# -- the visible mark -------------------------------------------------------------


class _Mark:
    """The TT 05/2025 mark: the agency and the signing time, top right, 10 pt serif, black."""

    def __init__(self, settings, names: str):
        font = Path(settings.font)
        if not font.is_file():
            raise SigningError(
                "the font for the signature mark is missing (Debian: apt-get install fonts-liberation2)",
                "thiếu phông chữ cho dấu chữ ký (Debian: apt-get install fonts-liberation2)",
                font,
            )
        self.settings = settings
        self.font = font
        # Every mark uses the same few characters: cut the font down to them once, so
        # pyHanko's per-signature subsetting works on a small font (0.2 s -> a few ms).
        self._tmp = tempfile.TemporaryDirectory(prefix="sohoa-mark-")
        self.embedded_font = _subset_font(
            font, unicodedata.normalize("NFC", names + settings.text) + "0123456789-:+T", Path(self._tmp.name)
        )
        # pyHanko's layout computes with fractions: whole points only.
        self.size = int(settings.font_size)
        self.leading = round(self.size * 1.2)

    def text(self, *, agency: str, signer: str, when: datetime) -> str:
        text = self.settings.text.format(agency=agency, signer=signer, time=vietnam_time(when))
        return unicodedata.normalize("NFC", text)

    def style(self):
        from pyhanko.pdf_utils import layout
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.stamp import TextStampStyle

        return TextStampStyle(
            stamp_text="%(mark)s",
            text_box_style=TextBoxStyle(
                font=_in_memory_font_factory(self.embedded_font, self.size),
                font_size=self.size,
                leading=self.leading,
                text_color=(0, 0, 0),
                box_layout_rule=layout.SimpleBoxLayoutRule(
                    x_align=layout.AxisAlignment.ALIGN_MIN,
                    y_align=layout.AxisAlignment.ALIGN_MAX,
                    margins=layout.Margins.uniform(0),
                ),
            ),
            border_width=0,
            background=None,
            inner_content_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MAX,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(_PADDING),
                inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
            ),
        )

    def box(self, page_box: tuple[float, float, float, float], rotation: int, text: str):
        """Where the mark goes: (rectangle in page space, its upright width and height).

        Top right as the page is shown: with /Rotate (clockwise) the shown top
        right is another corner of the page's own space, and the rectangle is
        turned with it.
        """
        lines = text.split("\n")
        w = math.ceil(max(_text_width(self.font, line, self.size) for line in lines) + 2 * _PADDING + 2)
        h = math.ceil(self.leading * len(lines) + 2 * _PADDING)  # pyHanko: one leading a line
        x0, y0, x1, y1 = (round(v) for v in page_box)
        m = self.settings.margin
        rect = {
            0: (x1 - m - w, y1 - m - h, x1 - m, y1 - m),  # shown top right = top right
            90: (x0 + m, y1 - m - w, x0 + m + h, y1 - m),  # = top left
            180: (x0 + m, y0 + m, x0 + m + w, y0 + m + h),  # = bottom left
            270: (x1 - m - h, y0 + m, x1 - m, y0 + m + w),  # = bottom right
        }[rotation]
        return rect, (w, h)

    def close(self) -> None:
        self._tmp.cleanup()


def _in_memory_font_factory(font: Path, size: int):
    """pyHanko's glyph accumulator, fed from memory rather than an open file.

    pyHanko opens the font file for each signature and never closes it; the
    garbage collector's ResourceWarning can then land inside a later PDF/A
    check, which counts any warning as a failure.
    """
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    data = font.read_bytes()

    class InMemory(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(data),
                font_size=self.font_size,
                ot_script_tag=self.ot_script_tag,
                ot_language_tag=self.ot_language_tag,
                writing_direction=self.writing_direction,
                bcp47_lang_code=self.bcp47_lang_code,
                obj_stream=obj_stream,
            )

    return InMemory(str(font), font_size=size)


def _subset_font(font: Path, characters: str, folder: Path) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont, scaleUpem

    options = subset.Options()
    options.notdef_outline = True  # PDF/A: the .notdef glyph keeps an outline
    options.drop_tables += ["FFTM"]  # FontForge's timestamp: nothing to subset, only noise
    options.name_IDs = ["*"]
    out = folder / font.name
    with TTFont(str(font)) as tt:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(characters) - {"\n"})))
        subsetter.subset(tt)
        # pyHanko writes advance widths in font units into /W, which PDF reads as 1/1000 em:
        # right only for 1000-unit fonts. Times New Roman and Liberation Serif have 2048.
        if tt["head"].unitsPerEm != 1000:
            scaleUpem.scale_upem(tt, 1000)
        tt.save(str(out))
    return out


@functools.lru_cache(maxsize=4)
def _font_metrics(font: Path):
    from fontTools.ttLib import TTFont

    # Read in full and closed at once: an open font file left to the garbage collector
    # raises a ResourceWarning wherever it happens to be collected (the PDF/A
    # validator counts any warning as a failure).
    with TTFont(str(font)) as tt:
        return dict(tt.getBestCmap()), dict(tt["hmtx"].metrics), tt["head"].unitsPerEm


def _text_width(font: Path, text: str, size: float) -> float:
    cmap, metrics, upem = _font_metrics(font)
    units = sum(metrics.get(cmap.get(ord(c), ".notdef"), (upem // 2, 0))[0] for c in text)
    return units * size / upem


def _counter_rotate_appearance(sig_field, rotation: int, rect) -> None:
    """Turn the mark against the page's /Rotate so it reads upright, and put it in ``rect``."""
    from pyhanko.pdf_utils import generic

    normal = sig_field["/AP"]["/N"]
    # Counter-clockwise by the page's clockwise turn; the viewer fits the result into /Rect.
    matrix = {90: (0, 1, -1, 0, 0, 0), 180: (-1, 0, 0, -1, 0, 0), 270: (0, -1, 1, 0, 0, 0)}[rotation]
    normal["/Matrix"] = generic.ArrayObject(generic.NumberObject(v) for v in matrix)
    sig_field["/Rect"] = generic.ArrayObject(generic.FloatObject(v) for v in rect)


def _first_page(reader):
    ref, _ = reader.find_page_for_modification(0)
    return ref.get_object()


def _inherited(page, key: str):
    """A page attribute, looked up through the page tree as PDF inheritance says."""
    node = page
    for _ in range(64):  # a deeper tree is malformed
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node["/Parent"]
    return None


def _page_box(page) -> tuple[float, float, float, float]:
    box = _inherited(page, "/CropBox") or _inherited(page, "/MediaBox")
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


# -- small things ---------------------------------------------------------------


def _check_signed(path: Path, cert: asn1_x509.Certificate, prepared):
    """Read the new file back: our certificate's signature over every byte but its own.

    Returns the signature's SignerInfo. Cheap (one hash, one public-key
    operation), so every file gets it before it is moved into place.
    """
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    data = path.read_bytes()
    start, end = prepared.reserved_region_start, prepared.reserved_region_end
    ok = False
    signer_info = None
    try:
        contents = data[start:end]
        ok = contents[:1] == b"<" and contents[-1:] == b">"
        ok = ok and data.rstrip(b"\r\n").endswith(b"%%EOF")
        signed_data = cms.ContentInfo.load(bytes.fromhex(contents[1:-1].decode("ascii")), strict=False)["content"]
        signer_info = signed_data["signer_infos"][0]
        digest = hashlib.sha256(data[:start] + data[end:]).digest()
        byte_range = f"/ByteRange [0 {start} {end} {len(data) - end}]".encode()
        ok = ok and digest == prepared.document_digest and byte_range in data[end:]
        certs = [c.chosen for c in signed_data["certificates"]]
        ok = ok and any(c.dump() == cert.dump() for c in certs)
        intact, valid = validate_sig_integrity(signer_info, cert, expected_content_type="data", actual_digest=digest)
        ok = ok and intact and valid
    except Exception:  # noqa: BLE001 - anything unreadable here means the file is not good
        ok = False
    if not ok:
        raise SigningError(
            "the signed file did not check out after signing; nothing was written",
            "tệp sau khi ký không qua bước kiểm tra; không ghi ra",
            path,
        )
    return signer_info
