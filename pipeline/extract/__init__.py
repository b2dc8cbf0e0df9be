"""OCR words → documents and their NĐ 30/TT 05 metadata."""
