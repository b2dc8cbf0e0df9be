"""Pages → an upright, level, evenly lit grey image for OCR (OpenCV)."""
