"""The one place that runs poppler's ``pdfsig``: a second, independent signature checker.

pdfsig (poppler, with NSS underneath) reads the signatures of a PDF and says
whether each is valid and whether it covers the whole document. Whether it
trusts the signer depends on the NSS database it is given (``nss_dir``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import MissingDependencyError

DEBIAN_PACKAGES = "poppler-utils"


@dataclass(frozen=True)
class PdfsigSignature:
    field: str | None
    common_name: str | None
    signature_type: str | None
    validation: str  # e.g. "Signature is Valid."
    certificate: str | None  # e.g. "Certificate is Trusted."
    total_document_signed: bool

    @property
    def valid(self) -> bool:
        return self.validation.startswith("Signature is Valid")

    @property
    def trusted(self) -> bool:
        return bool(self.certificate) and self.certificate.startswith("Certificate is Trusted")


@dataclass(frozen=True)
class PdfsigResult:
    signatures: list[PdfsigSignature]
    output: str
    returncode: int


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingDependencyError(
            f"the {name} program is not installed (Debian: apt-get install {DEBIAN_PACKAGES})",
            f"chưa cài chương trình {name} (Debian: apt-get install {DEBIAN_PACKAGES})",
        )
    return found


def check(path: Path, *, nss_dir: Path | None = None, online: bool = False, timeout: float = 60) -> PdfsigResult:
    """Run pdfsig on ``path``; ``nss_dir``: an NSS database of trusted CAs (``certutil -d``)."""
    command = [_program("pdfsig")]
    if nss_dir is not None:
        command += ["-nssdir", f"sql:{nss_dir}"]
    if not online:
        command.append("-no-ocsp")
    command.append(str(path))
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    text = done.stdout + done.stderr
    return PdfsigResult(_parse(text), text, done.returncode)


def _parse(text: str) -> list[PdfsigSignature]:
    signatures = []
    for block in re.split(r"^Signature #\d+:\s*$", text, flags=re.M)[1:]:
        def field(label: str, block: str = block) -> str | None:
            match = re.search(rf"^\s*- {re.escape(label)}: (.*)$", block, flags=re.M)
            return match.group(1).strip() if match else None

        signatures.append(
            PdfsigSignature(
                field=field("Signature Field Name"),
                common_name=field("Signer Certificate Common Name"),
                signature_type=field("Signature Type"),
                validation=field("Signature Validation") or "",
                certificate=field("Certificate Validation"),
                total_document_signed=bool(re.search(r"^\s*- Total document signed\s*$", block, flags=re.M)),
            )
        )
    return signatures
