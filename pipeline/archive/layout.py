"""The names a dossier's folder in the bucket is made of, and its BagIt-style manifest."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from pathlib import Path

RECORD = "record.json"  # the commit point: a folder without it does not exist for readers
MANIFEST = "manifest-sha256.txt"
# Packages made for an archive (sohoa export-sip): beside the dossiers, never among them.
EXPORTS_PREFIX = "exports/"


def manifest_text(items: Mapping[str, str]) -> str:
    """BagIt-style manifest: ``<sha256>  <path>`` per line, sorted, paths %-encoded for CR/LF/%."""
    return "".join(f"{sha}  {_bagit_path(name)}\n" for name, sha in sorted(items.items()))


def parse_manifest(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            sha, _, name = line.partition("  ")
            out[urllib.parse.unquote(name)] = sha.strip().lower()
    return out


def _bagit_path(name: str) -> str:
    return name.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def is_signed(body: bytes | Path) -> bool:
    """A PDF with a signature value: a /ByteRange array is in every PDF signature dictionary."""
    data = body.read_bytes() if isinstance(body, Path) else body
    return b"/ByteRange" in data and b"/Sig" in data
