"""What the external programs sohoa runs (pdftoppm, weed, tesseract) may see of this process's
environment: everything but the secrets and settings they have no use for."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

# sohoa's settings (S3 keys, PKCS#12 password, PKCS#11 PIN), Prefect's (API key, auth string),
# cloud SDK credentials, weed's own keys.
_PRIVATE_PREFIXES = ("SOHOA_", "PREFECT_", "AWS_", "WEED_", "GOOGLE_", "AZURE_")


def _private(name: str) -> bool:
    return name.startswith(_PRIVATE_PREFIXES)


def for_child() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not _private(name)}


class ChildEnvironment(Mapping[str, str]):
    """``os.environ`` as it is at each use, without the private names: for a library that
    starts programs with an environment it reads from a module global (pytesseract)."""

    def __getitem__(self, name: str) -> str:
        if _private(name):
            raise KeyError(name)
        return os.environ[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in list(os.environ) if not _private(name))

    def __len__(self) -> int:
        return sum(1 for _ in self)
