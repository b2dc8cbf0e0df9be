"""What scanners, desktops and copy programs leave beside the pages: never a page.

Such files are set aside with a note, never a reason to refuse a dossier."""

from __future__ import annotations

import fnmatch

JUNK_PATTERNS = (
    ".*", "._*", "Thumbs.db", "ehthumbs.db", "desktop.ini", "~$*", "*~", "*.tmp", "*.temp", "*.part",
    "*.partial", "*.crdownload", "*.download", "*.swp", "__MACOSX", "$RECYCLE.BIN", "*.lnk",
)


def is_junk(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name.lower(), p.lower())
               for p in JUNK_PATTERNS)
