"""Scan and words → a two-layer PDF/A-2b, and each page's text and hOCR."""
