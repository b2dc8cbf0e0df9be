"""PDF/A → signed by the converting agency (PAdES, pyHanko); verification; a development PKI.

What callers outside this package use is named here and loaded on first use:
importing pyHanko takes about 0.4 s, which a run that signs nothing should not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.core import lazy

if TYPE_CHECKING:
    from pipeline.sign import devpki
    from pipeline.sign.credentials import load_certificates
    from pipeline.sign.secret import Secret
    from pipeline.sign.signer import (
        DocumentSigner,
        SignatureFacts,
        open_signer,
        sign_file,
    )
    from pipeline.sign.verify import VerifyReport, archive_verifier, verify_file

__all__ = [
    "DocumentSigner",
    "Secret",
    "SignatureFacts",
    "VerifyReport",
    "archive_verifier",
    "devpki",
    "load_certificates",
    "open_signer",
    "sign_file",
    "verify_file",
]

__getattr__ = lazy.exports(__name__, {
    "open_signer": "pipeline.sign.signer",
    "DocumentSigner": "pipeline.sign.signer",
    "SignatureFacts": "pipeline.sign.signer",
    "sign_file": "pipeline.sign.signer",
    "Secret": "pipeline.sign.secret",
    "load_certificates": "pipeline.sign.credentials",
    "verify_file": "pipeline.sign.verify",
    "VerifyReport": "pipeline.sign.verify",
    "archive_verifier": "pipeline.sign.verify",
    "devpki": "pipeline.sign.devpki",
})
