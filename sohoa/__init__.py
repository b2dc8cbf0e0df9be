"""sohoa: scanned dossiers of Vietnamese communes into signed, searchable PDF/A."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sohoa")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
