"""Cleaned page → words with their boxes and confidences (Tesseract ``vie``)."""
