"""Dossier → pages: every page of a dossier with its real resolution, the clerk's manifest.

``read_pages`` probes every page (bad input fails here, before any OCR); ``load_pixels``
decodes one page; ``manifest`` reads the clerk's ``ho-so.yaml``."""

from pipeline.ingest import manifest
from pipeline.ingest.pages import load_pixels, read_pages

__all__ = ["load_pixels", "manifest", "read_pages"]
