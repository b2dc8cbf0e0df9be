"""python -m synth --out DIR --profile clean --dpi 300 --docs 3 --seed 1 [--split heldout] [--format …]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .degrade import PROFILES
from .dossier import make_dossier
from .fonts import available_families
from .writers import FORMATS, write_dossier, write_multitiff, write_pdf, write_truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m synth",
        description="Make a synthetic scanned dossier with ground truth.",
    )
    ap.add_argument("--out", required=True, type=Path, help="output folder (created)")
    ap.add_argument("--profile", default="clean", choices=sorted(PROFILES))
    ap.add_argument("--dpi", default=300, type=int)
    ap.add_argument("--docs", default=3, type=int, help="documents in the dossier")
    ap.add_argument(
        "--pages",
        default="1,2",
        help="pages per document: a number, or choices such as 1,2 (default)",
    )
    ap.add_argument("--seed", default=1, type=int)
    ap.add_argument(
        "--split",
        default="tuned",
        choices=("tuned", "heldout"),
        help="the pages the extraction was tuned on (default) or the held-out ones",
    )
    ap.add_argument(
        "--font",
        default=None,
        choices=available_families() + available_families("heldout"),
        help="a face of the chosen split",
    )
    ap.add_argument(
        "--format",
        default=None,
        choices=[*FORMATS, "pdf", "multitiff"],
        help="page files (default: the profile's usual format), or one pdf / multi-page tiff",
    )
    a = ap.parse_args(argv)
    if a.docs < 1 or a.dpi < 50:
        ap.error("--docs must be ≥ 1 and --dpi ≥ 50")
    pages = [int(x) for x in a.pages.split(",")]
    if a.font is not None and a.font not in available_families(a.split):
        ap.error(f"--font {a.font} is not a face of the {a.split} split")
    t = time.perf_counter()
    dossier = make_dossier(
        a.seed,
        a.docs,
        pages[0] if len(pages) == 1 else tuple(pages),
        a.profile,
        a.dpi,
        a.font,
        a.split,
    )
    a.out.mkdir(parents=True, exist_ok=True)
    if a.format == "pdf":
        write_pdf(a.out / "ho-so.pdf", dossier)
        write_truth(a.out / "truth.json", dossier)
    elif a.format == "multitiff":
        write_multitiff(a.out / "ho-so.tif", dossier)
        write_truth(a.out / "truth.json", dossier)
    else:
        write_dossier(a.out, dossier, a.format)
    n = len(dossier.pages)
    print(
        f"{n} pages, {len(dossier.documents)} documents, profile {a.profile}, {a.dpi} dpi "
        f"→ {a.out} ({time.perf_counter() - t:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
