"""Verify the signatures of a PDF, and whether it still meets its PDF/A claim.

For each signature: who signed (the certificate's CN) for which agency (O),
when, the RFC 3161 timestamp and its authority, whether the signed bytes are
intact, whether the certificate chains to a configured trust root, the PAdES
level, whether the signature covers the whole file (or only validation data
was appended after it), and for B-LT whether the embedded validation data
alone is enough to validate it. For the file: whether its PDF/A claim still
holds (see ``pdfa_claim``). A report is ``ok`` only when all of it is.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from pipeline.core.errors import SohoaError
from pipeline.sign import cms as _cms
from pipeline.sign import pdfa_claim as _sign_pdfa
from pipeline.sign.credentials import load_certificates
from pipeline.sign.times import VIETNAM, vietnam_time

PADES_SUBFILTER = "/ETSI.CAdES.detached"


@dataclass
class SignatureReport:
    field: str
    signer: str | None = None
    agency: str | None = None
    signing_time: datetime | None = None  # as the signer's computer claims it
    timestamp_time: datetime | None = None  # as the timestamp authority attests it
    timestamp_authority: str | None = None
    timestamp_ok: bool | None = None  # None: no timestamp
    integrity: bool = False  # the signed bytes are unchanged and the signature value is right
    trusted: bool = False
    trust: str = ""
    level: str | None = None  # B-B, B-T, B-LT, B-LTA; None: not a PAdES signature
    ltv: bool | None = None  # B-LT and above: validates from the embedded data alone
    covers_whole_file: bool = False
    later_changes: str = "none"  # none | validation data | other
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class VerifyReport:
    file: str
    signatures: list[SignatureReport] = field(default_factory=list)
    pdfa_claim: str | None = None
    pdfa_holds: bool | None = None  # None: the file claims no PDF/A conformance
    pdfa_problems: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and bool(self.signatures)
            and all(s.ok for s in self.signatures)
            and self.pdfa_holds is not False
        )

    def to_dict(self) -> dict:
        def plain(value):
            if isinstance(value, datetime):
                return vietnam_time(value) if value.tzinfo else value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        data = plain(asdict(self))
        data["ok"] = self.ok
        for sig, report in zip(data["signatures"], self.signatures, strict=True):
            sig["ok"] = report.ok
        return data

    def to_text(self) -> str:
        lines = [f"{self.file}"]
        if not self.signatures:
            lines.append("  Không có chữ ký / No signature")
        for n, s in enumerate(self.signatures, 1):
            verdict = "HỢP LỆ / VALID" if s.ok else "KHÔNG HỢP LỆ / INVALID"
            lines.append(f"  Chữ ký / Signature {n} ({s.field}): {verdict}")
            lines.append(f"    Người ký / Signer: {s.signer or '?'}")
            lines.append(f"    Cơ quan / Agency: {s.agency or '?'}")
            lines.append(f"    Thời điểm ký / Signing time: {_when(s.signing_time)}")
            if s.timestamp_time is not None:
                state = "ok" if s.timestamp_ok else "NOT VALID"
                lines.append(
                    f"    Dấu thời gian / Timestamp: {_when(s.timestamp_time)} — {s.timestamp_authority} ({state})"
                )
            else:
                lines.append("    Dấu thời gian / Timestamp: không có / none")
            integrity = "nguyên vẹn / intact" if s.integrity else "BỊ THAY ĐỔI / ALTERED"
            lines.append(f"    Toàn vẹn / Integrity: {integrity}")
            trusted = "tin cậy / trusted" if s.trusted else "KHÔNG / NOT trusted"
            lines.append(f"    Tin cậy / Trust: {trusted} — {s.trust}")
            ltv = "" if s.ltv is None else f" (validation data {'complete' if s.ltv else 'INCOMPLETE'})"
            lines.append(f"    PAdES: {s.level or 'không phải PAdES / not PAdES'}{ltv}")
            coverage = "toàn bộ tệp / whole file" if s.covers_whole_file else (
                "toàn bộ trừ dữ liệu xác thực thêm sau / all but validation data added later"
                if s.later_changes == "validation data" else "KHÔNG TOÀN BỘ / NOT the whole file")
            lines.append(f"    Phạm vi / Coverage: {coverage}")
            lines += [f"    ! {p}" for p in s.problems]
        if self.pdfa_claim is None:
            lines.append("  PDF/A: không công bố / no claim")
        else:
            state = "vẫn đạt / still holds" if self.pdfa_holds else "KHÔNG CÒN ĐẠT / NO LONGER HOLDS"
            lines.append(f"  PDF/A-{self.pdfa_claim}: {state}")
            lines += [f"    ! {p}" for p in self.pdfa_problems[:10]]
        lines += [f"  ! {p}" for p in self.problems]
        lines.append(f"  => {'OK' if self.ok else 'LỖI / FAILED'}")
        return "\n".join(lines)


def verify_file(
    path: Path,
    trust_roots: Sequence[Path] = (),
    *,
    online: bool = False,
    check_pdfa: bool = True,
) -> VerifyReport:
    """Verify every signature in ``path`` against ``trust_roots`` (PEM/DER CA certificates).

    ``online``: also fetch OCSP responses and CRLs named in the certificates
    (a revoked certificate then fails; an unreachable service does not).
    """
    return asyncio.run(async_verify_file(path, trust_roots, online=online, check_pdfa=check_pdfa))


def archive_verifier(trust_roots: Sequence[Path] = ()) -> tuple[Callable[[Path], str | None], str]:
    """The check the archive audit runs on each signed PDF, and how to name it in the report.

    The check answers None when the file's signatures verify against
    ``trust_roots`` and its PDF/A claim holds, else the problems in one line.
    """
    roots = list(trust_roots)

    def check(path: Path) -> str | None:
        try:
            report = verify_file(path, roots)
        except SohoaError as e:  # a trust root that cannot be read, say
            return e.message
        return None if report.ok else _problems(report)

    return check, "pipeline.sign.verify.verify_file"


def _problems(report: VerifyReport) -> str:
    parts = list(report.problems)
    for sig in report.signatures:
        parts += [f"{sig.field}: {p}" for p in sig.problems]
    if report.pdfa_holds is False:
        parts += report.pdfa_problems or ["PDF/A claim broken"]
    if not report.signatures:
        parts.append("no signature found")
    return "; ".join(parts) or "the signature does not verify"


async def async_verify_file(
    path: Path,
    trust_roots: Sequence[Path] = (),
    *,
    online: bool = False,
    check_pdfa: bool = True,
) -> VerifyReport:
    from pyhanko.pdf_utils.reader import PdfFileReader

    path = Path(path)
    report = VerifyReport(str(path))
    try:
        data = path.read_bytes()
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_regular_signatures)
    except Exception as e:  # noqa: BLE001 - a clerk sees a sentence
        report.problems.append(f"not a readable PDF: {type(e).__name__}: {e}")
        return report
    roots = load_certificates(trust_roots)
    dss_certs, dss_ocsps, dss_crls = _dss_contents(reader)
    doc_timestamps = [s for s in reader.embedded_signatures if s.sig_object_type == "/DocTimeStamp"]
    if not signatures:
        report.problems.append("the file carries no signature")
    # Bytes after the last %%EOF belong to no revision: nothing signs or even reads them.
    last = _sign_pdfa.revision_end(data, reader, reader.xrefs.total_revisions - 1)
    trailing = len(data[last:].rstrip(b"\r\n\t\f\0 ")) and len(data) - last
    for sig in signatures:
        report.signatures.append(
            await _verify_signature(
                sig, reader, roots, online, dss_certs, dss_ocsps, dss_crls, doc_timestamps, trailing
            )
        )
    if check_pdfa:
        pdfa = _sign_pdfa.check(data)
        report.pdfa_claim = pdfa.claim
        report.pdfa_holds = pdfa.holds if pdfa.claim is not None else None
        report.pdfa_problems = pdfa.problems
    return report


async def _verify_signature(sig, reader, roots, online, dss_certs, dss_ocsps, dss_crls, doc_timestamps, trailing):
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import (
        SignatureCoverageLevel,
        async_validate_pdf_signature,
    )
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    out = SignatureReport(field=str(sig.field_name))
    try:
        cert = sig.signer_cert
        out.signer = _cms.common_name(cert)
        out.agency = _cms.organisation(cert)
    except Exception as e:  # noqa: BLE001
        out.problems.append(f"no signer certificate: {e}")
        return out
    token = _cms.signature_timestamp(sig.signer_info)
    if token is not None:
        out.timestamp_time = _cms.timestamp_time(token).astimezone(VIETNAM)
        tsa = _cms.token_signer_cert(token)
        out.timestamp_authority = _cms.common_name(tsa) if tsa is not None else "?"
    claimed = sig.self_reported_timestamp
    out.signing_time = claimed.astimezone(VIETNAM) if claimed else None

    context = _validation_context(roots, online, sig, dss_certs, dss_ocsps, dss_crls) if roots else None
    try:
        status = await async_validate_pdf_signature(
            sig,
            signer_validation_context=context if context is not None else _untrusting_context(sig),
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
        )
    except Exception as e:  # noqa: BLE001 - a malformed signature is a failed one
        out.problems.append(f"the signature could not be checked: {type(e).__name__}: {e}")
        return out

    out.integrity = bool(status.intact and status.valid)
    if not out.integrity:
        out.problems.append("the signed content was altered, or the signature value is wrong")
    if context is None:
        out.trust = "no trust roots configured (signing.trust_roots or --trust-root)"
        out.problems.append("trust not established: no trust roots configured")
    else:
        # Trust in the certificate path, apart from whether these bytes are intact.
        out.trusted = bool(status.validation_path is not None and status.trust_problem_indic is None
                           and not status.revoked)
        if out.trusted:
            anchor = status.validation_path[0] if status.validation_path is not None else None
            out.trust = f"chains to {_cms.common_name(anchor)}" if anchor is not None else "trusted"
        else:
            indic = status.trust_problem_indic
            out.trust = f"not trusted ({cast(Any, indic).name if indic is not None else 'no path to a trust root'})"
            if status.revoked:
                out.trust = "the certificate is REVOKED"
            out.problems.append(f"signer certificate {out.trust}")
    tst = status.timestamp_validity
    if token is not None:
        out.timestamp_ok = bool(tst is not None and tst.intact and tst.valid and (tst.trusted or context is None))
        if not out.timestamp_ok:
            out.problems.append("the timestamp is not valid" + ("" if tst is None else f" ({tst.summary()})"))

    out.level = _pades_level(sig, token, dss_ocsps, dss_crls, doc_timestamps)
    if out.level is None:
        out.problems.append("not a PAdES signature (SubFilter or signing-certificate attribute missing)")
    elif out.level in ("B-LT", "B-LTA") and roots:
        out.ltv = await _validates_offline(sig, roots, dss_certs, dss_ocsps, dss_crls, out.timestamp_time)
        if not out.ltv:
            out.problems.append("the embedded validation data (DSS) does not validate the signature on its own")

    out.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    if out.covers_whole_file:
        out.later_changes = "none"
    elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and not trailing:
        if level == ModificationLevel.LTA_UPDATES:
            out.later_changes = "validation data"
        elif level != ModificationLevel.NONE:
            out.later_changes = "other"
            out.problems.append(f"a later revision changes the document ({cast(Any, level).name.lower().replace('_', ' ')})"
                                " and is not covered by the signature")
    else:
        out.later_changes = "other"
        what = f"{trailing} bytes appended after the last revision" if trailing else "content appended"
        out.problems.append(f"{what}: not covered by the signature")
    return out


def _pades_level(sig, token, dss_ocsps, dss_crls, doc_timestamps) -> str | None:
    sub = sig.sig_object.get("/SubFilter")
    attrs = {a["type"].native for a in sig.signer_info["signed_attrs"]}
    if sub != PADES_SUBFILTER or not attrs & {"signing_certificate_v2", "signing_certificate"}:
        return None
    later_ts = [t for t in doc_timestamps if t.signed_revision > sig.signed_revision]
    if token is None and not later_ts:
        return "B-B"
    cert = sig.signer_cert
    covered = any(_ocsp_covers(o, cert) for o in dss_ocsps) or any(
        c["tbs_cert_list"]["issuer"] == cert.issuer for c in dss_crls
    )
    if not covered:
        return "B-T"
    # B-LTA: a document timestamp over the validation data
    return "B-LTA" if later_ts and any(t.signed_revision > sig.signed_revision for t in later_ts) else "B-LT"


def _ocsp_covers(response, cert) -> bool:
    try:
        basic = response["response_bytes"]["response"].parsed["tbs_response_data"]
        return any(r["cert_id"]["serial_number"].native == cert.serial_number for r in basic["responses"])
    except Exception:  # noqa: BLE001 - an unreadable response covers nothing
        return False


def _validation_context(roots, online, sig, dss_certs, dss_ocsps, dss_crls):
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

    return ValidationContext(
        trust_roots=roots,
        other_certs=[*dss_certs, *sig.other_embedded_certs],
        ocsps=dss_ocsps,
        crls=dss_crls,
        allow_fetching=online,
        revocation_mode="soft-fail",
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=5) if online else None,
    )


def _untrusting_context(sig):
    """A context with no roots: the signature's integrity is still checked, trust fails."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=[], allow_fetching=False, revocation_mode="soft-fail")


async def _validates_offline(sig, roots, dss_certs, dss_ocsps, dss_crls, moment) -> bool:
    """Would the signature validate with the network gone and only the file's own data?"""
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(
        trust_roots=roots,
        other_certs=[*dss_certs, *sig.other_embedded_certs],
        ocsps=dss_ocsps,
        crls=dss_crls,
        allow_fetching=False,
        revocation_mode="hard-fail",
        moment=moment,
    )
    try:
        status = await async_validate_pdf_signature(
            sig,
            signer_validation_context=context,
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
            skip_diff=True,
        )
    except Exception:  # noqa: BLE001 - missing data shows up as an exception here
        return False
    tst = status.timestamp_validity
    return bool(status.trusted and (tst is None or tst.trusted))


def _dss_contents(reader):
    from asn1crypto import crl, ocsp
    from pyhanko.sign.validation import DocumentSecurityStore
    from pyhanko.sign.validation.errors import ValidationInfoReadingError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except ValidationInfoReadingError:
        return [], [], []
    certs = list(dss.load_certs())
    ocsps = [ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
    crls = [crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
    return certs, ocsps, crls


def _when(value: datetime | None) -> str:
    return vietnam_time(value) if value is not None else "?"
