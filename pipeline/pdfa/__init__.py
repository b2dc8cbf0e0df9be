"""Scan and words → a two-layer PDF/A-2b (the scan as it is, the words invisible over it), and
each page's text and hOCR."""

from pipeline.pdfa import hocr
from pipeline.pdfa.document import DocumentInfo, PageContent, build, warm_up

__all__ = ["DocumentInfo", "PageContent", "build", "hocr", "warm_up"]
