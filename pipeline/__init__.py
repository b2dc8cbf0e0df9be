"""sohoa's stages, each a plain function: dossier → pages → clean-up → OCR → metadata →
PDF/A → signature → archive → (export to an archive as E-ARK packages).

The public surface, for the command line, the flows and other programs::

    from pipeline import process_dossier, OcrOptions
    record = process_dossier(Path("ho-so-01"), Path("out/ho-so-01"), ocr=OcrOptions(jobs=2))

``open_dossier`` → ``recognise_page`` (per page, anywhere) → ``assemble`` is the same run in
steps, for a scheduler that spreads the pages; ``settings`` loads the configuration and
``errors`` holds every error with its exit code. Each stage is a package of its own
(``pipeline.ingest``, ``cleanup``, ``ocr``, ``extract``, ``pdfa``, ``sign``, ``archive``,
``intake``, ``export``); ``pipeline.core`` holds what they share.
"""

import os
from typing import TYPE_CHECKING

from pipeline.core import lazy

# Parallelism comes from pages, one single-threaded process per core. NumPy's OpenBLAS
# would otherwise start a thread per core in each process, which spins for a while
# before it sleeps: measured here, 0.4 s of CPU per `sohoa` run taken from the OCR.
# (Set before NumPy is first imported; a value the user set is kept.)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__all__ = [
    "OcrOptions", "PageWork", "__version__", "assemble", "errors", "open_dossier",
    "process_dossier", "recognise_page", "settings",
]

__getattr__ = lazy.exports(__name__, {
    "OcrOptions": "pipeline.process",
    "PageWork": "pipeline.process",
    "assemble": "pipeline.process",
    "open_dossier": "pipeline.process",
    "process_dossier": "pipeline.process",
    "recognise_page": "pipeline.process",
    "errors": "pipeline.core.errors",
    "settings": "pipeline.core.settings",
    "__version__": "pipeline.core.version",
})

if TYPE_CHECKING:
    from pipeline.core import errors, settings
    from pipeline.core.version import __version__
    from pipeline.process import (
        OcrOptions,
        PageWork,
        assemble,
        open_dossier,
        process_dossier,
        recognise_page,
    )
