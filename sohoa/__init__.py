"""sohoa: scanned dossiers of Vietnamese communes into signed, searchable PDF/A (the command line)."""

from pipeline import __version__

__all__ = ["__version__"]
