"""Small readers of CMS signatures and certificates shared by signing and verification."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from asn1crypto import cms, x509


def common_name(cert: x509.Certificate) -> str:
    subject = cert.subject.native
    return unicodedata.normalize("NFC", subject.get("common_name") or cert.subject.human_friendly)


def organisation(cert: x509.Certificate) -> str | None:
    value = cert.subject.native.get("organization_name")
    if isinstance(value, list):  # a multi-valued O: the first names the body
        value = value[0] if value else None
    return unicodedata.normalize("NFC", value) if value else None


def signature_timestamp(signer_info: cms.SignerInfo) -> cms.SignedData | None:
    """The RFC 3161 token over the signature value (unsigned attribute), if any."""
    attrs = signer_info["unsigned_attrs"]
    if not attrs:
        return None
    for attr in attrs:
        if attr["type"].native == "signature_time_stamp_token":
            return attr["values"][0]["content"]
    return None


def timestamp_time(token: cms.SignedData) -> datetime:
    return token["encap_content_info"]["content"].parsed["gen_time"].native


def token_signer_cert(token: cms.SignedData) -> x509.Certificate | None:
    """The certificate in a SignedData that matches its (first) signer."""
    sid = token["signer_infos"][0]["sid"]
    for choice in token["certificates"] or ():
        cert = choice.chosen
        if not isinstance(cert, x509.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if cert.serial_number == wanted["serial_number"].native and cert.issuer == wanted["issuer"]:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None
