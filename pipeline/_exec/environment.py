"""What the external programs sohoa runs (pdftoppm, weed, tesseract) may see of this process's
environment: everything but the secrets and settings they have no use for."""

from __future__ import annotations

import os

# sohoa's settings (S3 keys, PKCS#12 password, PKCS#11 PIN), Prefect's (API key, auth string),
# cloud SDK credentials, weed's own keys.
_PRIVATE_PREFIXES = ("SOHOA_", "PREFECT_", "AWS_", "WEED_", "GOOGLE_", "AZURE_")


def for_child() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith(_PRIVATE_PREFIXES)}
