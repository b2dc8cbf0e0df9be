"""sohoa's stages, each a plain function: dossier → pages → OCR → metadata → PDF/A →
signature → archive."""

import os

# Parallelism comes from pages, one single-threaded process per core. NumPy's OpenBLAS
# would otherwise start a thread per core in each process, which spins for a while
# before it sleeps: measured here, 0.4 s of CPU per `sohoa` run taken from the OCR.
# (Set before NumPy is first imported; a value the user set is kept.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
