"""Dossiers of synthetic scans: content → layout → pixels → degradation → truth."""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from . import degrade, heldout
from .content import nfc, plan_dossier
from .fonts import FAMILY_WEIGHTS, HELDOUT_WEIGHTS, available_families
from .render import DocumentRenderer, draw
from .truth import DocumentMeta, MarkTruth, PageTruth, WordTruth, lines_to_text

DPIS = (200, 300)
SPLITS = ("tuned", "heldout")


@dataclass
class CleanPage:
    """An upright, undegraded page and its truth in its own pixels."""

    rgb: np.ndarray
    words: list[WordTruth]
    marks: list[MarkTruth]
    meta: DocumentMeta
    font: str
    body_pt: float
    dpi: int
    page: int  # 1-based in the dossier
    page_in_doc: int


@dataclass
class Page:
    """One degraded page as it would come off the scanner, with its truth."""

    image: Image.Image  # RGB, or mode "1" for a bilevel profile
    truth: PageTruth
    default_format: str = "jpeg"
    jpeg_quality: int = 85
    jpeg_bytes: bytes | None = None  # the profile's own JPEG encoding, written as is


@dataclass
class Dossier:
    """``pages`` in dossier order; ``documents`` holds each document's metadata once."""

    seed: int
    profile: str
    dpi: int
    pages: list[Page]
    documents: list[DocumentMeta]

    @property
    def truths(self) -> list[PageTruth]:
        return [p.truth for p in self.pages]


def _pages_plan(rng: random.Random, n_docs: int, pages_per_doc: int | Sequence[int]) -> list[int]:
    if isinstance(pages_per_doc, int):
        return [pages_per_doc] * n_docs
    choices = list(pages_per_doc)
    plan = [rng.choice(choices) for _ in range(n_docs)]
    # Make sure every length asked for occurs when there is room for it.
    if n_docs >= len(set(choices)):
        for i, c in enumerate(sorted(set(choices))):
            if c not in plan:
                plan[(i + rng.randrange(n_docs)) % n_docs] = c
    return plan


def render_dossier(
    seed: int,
    n_docs: int = 3,
    pages_per_doc: int | Sequence[int] = (1, 2),
    dpi: int = 300,
    font: str | None = None,
    split: str = "tuned",
) -> list[CleanPage]:
    """Render a dossier's pages upright and clean; all randomness comes from ``seed``.

    ``split="heldout"`` draws from ``synth.heldout``: other issuers, signers, faces,
    layouts and marks than the tuned pages (the default, unchanged)."""
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    families = available_families(split)
    weights = HELDOUT_WEIGHTS if split == "heldout" else FAMILY_WEIGHTS
    if font is not None and font not in families:
        raise ValueError(f"unknown or missing font {font!r}; available: {', '.join(families)}")
    tag = "sohoa-synth" if split == "tuned" else "sohoa-synth-heldout"
    rng = random.Random(f"{tag}:{seed}")
    writer, plan = plan_dossier(rng, n_docs)
    lengths = _pages_plan(rng, n_docs, pages_per_doc)
    who = heldout.issuer(rng, writer.place) if split == "heldout" else None
    out: list[CleanPage] = []
    for i, ((key, form, d), n_pages) in enumerate(zip(plan, lengths, strict=True)):
        family = font or rng.choices(families, [weights.get(f, 0.1) for f in families])[0]
        spec = writer.document(key, form, d, i)
        variant = None
        seal_text = writer.place.seal_text
        if who is not None:
            vrng = random.Random(f"{tag}:{seed}:variant:{i}")
            variant = heldout.vary(spec, vrng, who, d, vrng.getrandbits(32))
            spec.meta.split = split
            seal_text = who.seal_text
        renderer = DocumentRenderer(
            spec,
            family,
            dpi,
            random.Random(f"{tag}:{seed}:layout:{i}"),
            seal_text,
            variant,
        )
        drafts = renderer.layout(n_pages)
        spec.meta.page_count = len(drafts)
        spec.meta.first_page = len(out) + 1
        for j, dr in enumerate(drafts):
            rgb, words, marks = draw(dr, renderer.ts, (renderer.W, renderer.H))
            out.append(
                CleanPage(
                    rgb,
                    words,
                    [MarkTruth(k, b) for k, b in marks],
                    spec.meta,
                    family,
                    renderer.st.body_pt,
                    dpi,
                    len(out) + 1,
                    j + 1,
                )
            )
    return out


def degrade_page(clean: CleanPage, profile: str, seed: int) -> Page:
    """Apply ``profile`` to one clean page, with its own generator derived from the seed.

    A held-out page's phone photo is also lit from one side, its paper's edge fading into
    the table there."""
    nrng = np.random.default_rng([seed, clean.page, zlib.crc32(profile.encode())])
    one_sided = clean.meta.split == "heldout"
    dg = degrade.apply(clean.rgb, profile, nrng, clean.dpi, one_sided_light=one_sided)
    h, w = dg.image.shape[:2]
    words: list[WordTruth] = []
    for wd in clean.words:
        box = degrade.map_box(dg.matrix, wd.box, (w, h))
        if box is not None:
            words.append(WordTruth(wd.text, box, wd.line, wd.block))
    marks = [
        MarkTruth(m.kind, b)
        for m in clean.marks
        if (b := degrade.map_box(dg.matrix, m.box, (w, h))) is not None
    ]
    # Line numbers stay dense after any word was dropped off the image.
    remap: dict[int, int] = {}
    words = [WordTruth(x.text, x.box, remap.setdefault(x.line, len(remap)), x.block) for x in words]
    truth = PageTruth(
        words=words,
        text=nfc(lines_to_text(words)),
        profile=profile,
        dpi=clean.dpi,
        font=clean.font,
        body_pt=clean.body_pt,
        width=w,
        height=h,
        rotation=dg.rotation,
        skew=dg.skew,
        transform=[[round(float(v), 6) for v in row] for row in dg.matrix],
        page=clean.page,
        page_in_doc=clean.page_in_doc,
        meta=clean.meta,
        marks=marks,
        params=dg.params,
    )
    image = Image.fromarray(dg.image > 127) if dg.mode == "1" else Image.fromarray(dg.image, "RGB")
    info = degrade.PROFILES[profile]
    return Page(image, truth, info.default_format, dg.jpeg_quality or 85, dg.jpeg_bytes)


def degrade_pages(clean: Sequence[CleanPage], profile: str, seed: int) -> list[Page]:
    return [degrade_page(c, profile, seed) for c in clean]


def make_dossier(
    seed: int,
    n_docs: int = 3,
    pages_per_doc: int | Sequence[int] = (1, 2),
    profile: str = "clean",
    dpi: int = 300,
    font: str | None = None,
    split: str = "tuned",
) -> Dossier:
    """A dossier of ``n_docs`` documents, each of ``pages_per_doc`` pages (an int, or
    choices drawn per document), rendered at ``dpi`` and degraded by ``profile``.

    The same seed gives the same documents under every profile, so results
    can be compared profile by profile on identical text. ``split="heldout"`` draws the
    held-out family (``synth.heldout``) instead of the tuned one.
    """
    if profile not in degrade.PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {', '.join(degrade.PROFILES)}")
    clean = render_dossier(seed, n_docs, pages_per_doc, dpi, font, split)
    pages = degrade_pages(clean, profile, seed)
    docs: list[DocumentMeta] = []
    for c in clean:
        if c.page_in_doc == 1:
            docs.append(c.meta)
    return Dossier(seed, profile, dpi, pages, docs)
