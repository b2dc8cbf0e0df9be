"""Pages → an upright, level, evenly lit grey image for OCR (OpenCV), with the mapping back
to the original scan."""

from pipeline.cleanup.prepare import prepare_for_ocr

__all__ = ["prepare_for_ocr"]
