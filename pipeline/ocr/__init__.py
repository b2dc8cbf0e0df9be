"""Cleaned page → words with their boxes and confidences (Tesseract ``vie``)."""

from pipeline._exec.tesseract import model_path, model_sha256
from pipeline._exec.tesseract import version as engine_version
from pipeline.ocr.recognise import recognize
from pipeline.ocr.surnames import faces as name_faces
from pipeline.ocr.tones import check_model as name_check_model

__all__ = ["engine_version", "model_path", "model_sha256", "name_check_model", "name_faces",
           "recognize"]
