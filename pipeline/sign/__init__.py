"""PDF/A → signed by the converting agency (PAdES, pyHanko); verification; a development PKI.

What callers outside this package use is named here and loaded on first use:
importing pyHanko takes about 0.4 s, which a run that signs nothing should not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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

# name → the module that holds it ("devpki" is that module itself)
_HOMES = {
    "open_signer": "signer",
    "DocumentSigner": "signer",
    "SignatureFacts": "signer",
    "sign_file": "signer",
    "Secret": "secret",
    "load_certificates": "credentials",
    "verify_file": "verify",
    "VerifyReport": "verify",
    "archive_verifier": "verify",
    "devpki": "devpki",
}

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


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{home}")
    value = module if name == home else getattr(module, name)
    globals()[name] = value  # once loaded, found without coming here again
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
