"""Sign a finished PDF/A as the converting agency: PAdES B-B, B-T or B-LT with pyHanko.

The Law on E-Transactions 2023 (art. 12) wants a paper-to-digital conversion to
carry the converting agency's digital signature. The signature is one
incremental update appended to the validated PDF/A-2b, so the archival file
underneath stays byte for byte what ``pipeline.pdfa`` wrote. In that update:

* the signature field, its widget and (when visible) the TT 05/2025 mark — top
  right of page 1, the agency's name and the signing time in Vietnam time, in
  an embedded serif font, no seal image (``mark``);
* for B-LT, the Document Security Store with the certificates, OCSP responses
  and CRLs needed to validate the signature later without the network;
* the XMP packet and the document information dictionary, updated together
  (pyHanko would set different Producers in each, which PDF/A forbids: ``writer``).

The key comes from a PKCS#12 file or a PKCS#11 token (``credentials``), opened
with the password or PIN the caller looked up and passes in as a ``Secret``:
this stage reads no environment variable and asks no secret store.
Every file is signed into a temporary file and moved into place only when the
signature is complete and checks out; a failure leaves no file that looks
signed.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from asn1crypto import x509 as asn1_x509

from pipeline.core.errors import (
    CertificateUnusableError,
    SigningError,
    TimestampUnavailableError,
)
from pipeline.core.settings import SigningSettings
from pipeline.sign import cms as _cms
from pipeline.sign import credentials, mark, timestamp, writer
from pipeline.sign.secret import Secret
from pipeline.sign.times import VIETNAM

FIELD_NAME = "sohoa-agency-signature"


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


class DocumentSigner:
    """Signs many PDF/A files with one key: open once, then ``sign`` each file.

    The key store is opened (and a token logged in to) with the password or PIN
    in ``secret`` when the signer is made, so a wrong password or a missing token
    stops a job before any page is read. Use it as a context manager, or call
    ``close``.
    """

    def __init__(self, settings: SigningSettings, secret: Secret):
        self.settings = settings
        self._session: Any = None
        self._mark: mark.Mark | None = None
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
        extra = credentials.load_certificates(settings.extra_certs)
        if settings.pkcs11_module is not None and settings.pkcs12_file is not None:
            raise SigningError(
                "both signing.pkcs12_file and signing.pkcs11_module are set: choose one",
                "đặt cả signing.pkcs12_file và signing.pkcs11_module: chỉ chọn một",
            )
        # Where the PIN came from, should the token refuse it later; the value is not kept.
        self._secret_from = (secret.where_en, secret.where_vi)
        if settings.pkcs11_module is not None:
            self._signer, self._session = credentials.pkcs11_signer(settings, extra, secret)
        elif settings.pkcs12_file is not None:
            self._signer = credentials.pkcs12_signer(settings, extra, secret)
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
            raise credentials.token_error(settings, e, self._secret_from) from e
        credentials.check_certificate(self.certificate)
        self.agency = unicodedata.normalize(
            "NFC", settings.agency or _cms.organisation(self.certificate) or _cms.common_name(self.certificate)
        )
        self._timestamper = (
            timestamp.RetryingTimeStamper(cast(str, settings.tsa_url), settings.tsa_timeout_seconds, settings.tsa_attempts)
            if self.level in ("B-T", "B-LT")
            else None
        )
        self._validation_context = credentials.validation_context(settings, extra) if self.level == "B-LT" else None
        if self._timestamper is not None and settings.trust_roots:
            asyncio.run(timestamp.check_timestamp_authority(self._timestamper, settings))
        if settings.mark.visible:
            self._mark = mark.Mark(settings.mark, self.agency + _cms.common_name(self.certificate))

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
        credentials.check_certificate(self.certificate)  # a long job may outlive the certificate
        fd, tmp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".signing", dir=destination.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "w+b") as out:
                when, prepared = await self._sign_to(source, out)
                out.flush()
                os.fsync(out.fileno())
            signer_info = writer.check_signed(tmp, self.certificate, prepared)
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
        archival = writer.ArchivalWriter.from_reader(reader)
        archival.prepare_metadata(data, when)

        mark_text = None
        box = None
        rotation = 0
        if self._mark is not None:
            first = mark.first_page(reader)
            rotation = int(mark.inherited(first, "/Rotate") or 0) % 360
            mark_text = self._mark.text(agency=self.agency, signer=_cms.common_name(self.certificate), when=when)
            rect, (w, h) = self._mark.box(mark.page_box(first), rotation, mark_text)
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
            session = pdf_signer.init_signing_session(archival)
            session.system_time = when  # the CMS signing time, /M and the mark agree
            presign = await session.perform_presign_validation(archival)
            reserved = await session.estimate_signature_container_size(presign, tight=False)
            tbs = session.prepare_tbs_document(
                validation_info=presign,
                bytes_reserved=reserved,
                appearance_text_params={"mark": mark_text} if mark_text is not None else None,
            )
            if rotation and self._mark is not None:
                mark.counter_rotate_appearance(session.sig_field, rotation, rect)
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
            raise timestamp.tsa_error(self.settings, e) from e
        except SigningError:
            raise
        except Exception as e:
            raise _classify(e, self.settings, self._secret_from) from e
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


def open_signer(settings: SigningSettings, secret: Secret) -> DocumentSigner | None:
    """A signer for the configured key, opened with ``secret``; None when signing is not configured."""
    return DocumentSigner(settings, secret) if settings.configured else None


def sign_file(source: Path, destination: Path, settings: SigningSettings, secret: Secret) -> SignatureFacts:
    """Sign one file with a signer opened and closed for it."""
    with DocumentSigner(settings, secret) as signer:
        return signer.sign(source, destination)


def _classify(e: Exception, settings: SigningSettings, secret_from: tuple[str, str]) -> Exception:
    """A pyHanko/certvalidator failure as the clerk-facing error it means."""
    cause: BaseException = e
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
        return credentials.token_error(settings, e, secret_from)
    return SigningError(f"signing failed: {name}: {e}", f"ký số không thành công: {name}: {e}")

