"""Lay out and draw a document on A4 pages following NĐ 30/2020, Phụ lục I.

All measures are taken in millimetres and points and converted to pixels
at the target resolution, so a page at 200 and at 300 dpi has the same
layout. Text is drawn word by word so each word's ink box is known exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import marks
from .content import DocSpec, Para, SignBlock
from .fonts import load
from .truth import WordTruth

A4_MM = (210.0, 297.0)


def a4_pixels(dpi: int) -> tuple[int, int]:
    """A4 at ``dpi``: 2480×3508 at 300 dpi, 1654×2339 at 200 dpi."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


# --------------------------------------------------------------------------- typesetting


class Typesetter:
    """Fonts and cached word widths for one family at one resolution."""

    def __init__(self, family: str, dpi: int):
        self.family = family
        self.dpi = dpi
        self._widths: dict[tuple[str, str, float], float] = {}

    def px(self, pt: float) -> float:
        return pt * self.dpi / 72.0

    def mm(self, mm: float) -> float:
        return mm * self.dpi / 25.4

    def font(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        return load(self.family, style, max(4, round(self.px(pt))))

    def width(self, text: str, style: str, pt: float) -> float:
        key = (text, style, pt)
        w = self._widths.get(key)
        if w is None:
            w = self._widths[key] = self.font(style, pt).getlength(text)
        return w

    def space(self, pt: float) -> float:
        return self.width(" ", "regular", pt)


@dataclass
class Word:
    text: str
    style: str
    pt: float
    x: float  # left of the advance box
    baseline: float


@dataclass
class Line:
    block: str
    words: list[Word]


@dataclass
class Row:
    """A body line before it is given a page and a y position."""

    words: list[tuple[str, str, float]]  # text, style, x relative to the left margin
    pt: float
    keep_with_next: bool = False
    gap_before: float = 0.0  # px of space above (dropped at the top of a page)


@dataclass
class Mark:
    kind: str  # "seal" | "signature"; held-out pages add the kinds of ``MARK_COLOURS``
    mask: np.ndarray
    x: int
    y: int


# Ink colour of each kind of mark; the signature's blue for any other kind.
MARK_COLOURS: dict[str, tuple[int, int, int]] = {
    "seal": marks.SEAL_RED,
    "seal_oval": marks.SEAL_RED,
    "seal_emblem": marks.SEAL_RED,
    "handwriting": marks.HAND_BLUE,
    "esign": marks.ESIGN_BLUE,
    "incoming_stamp": marks.STAMP_VIOLET,
}


@dataclass
class Variant:
    """How a held-out page departs from the tuned layout (``None`` on tuned pages).

    ``hand_number`` / ``hand_day``: "" (printed), "legible" or "illegible" (written by hand
    into a printed blank), ``hand_month``: the month written by hand as the day is;
    ``esign``: "" or where a digital-signature box goes ("above" the
    issuing body or "over" it); ``seal``: "round", "oval" or "emblem"."""

    style: Style
    subject_rule: bool = True
    hand_number: str = ""
    hand_day: str = ""
    hand_month: bool = False
    esign: list[str] = field(default_factory=list)  # the box's lines
    esign_at: str = ""
    seal: str = "round"
    incoming: str = ""  # the receiving office on a "CÔNG VĂN ĐẾN" stamp, "" for none
    rng_seed: int = 0


@dataclass
class Draft:
    """One page's content in page pixels, before drawing."""

    lines: list[Line] = field(default_factory=list)
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)  # filled boxes
    marks: list[Mark] = field(default_factory=list)


def wrap(
    ts: Typesetter, runs: list[tuple[str, str]], pt: float, width: float, first_indent: float = 0.0
) -> list[list[tuple[str, str, float]]]:
    """Greedy line breaking; returns lines of (word, style, natural width)."""
    space = ts.space(pt)
    lines: list[list[tuple[str, str, float]]] = [[]]
    used = 0.0
    avail = width - first_indent
    for text, style in runs:
        w = ts.width(text, style, pt)
        if lines[-1] and used + space + w > avail:
            lines.append([])
            used = 0.0
            avail = width
        used += (space if lines[-1] else 0.0) + w
        lines[-1].append((text, style, w))
    return [ln for ln in lines if ln]


def balanced_wrap(
    ts: Typesetter, runs: list[tuple[str, str]], pt: float, width: float
) -> list[list[tuple[str, str, float]]]:
    """Wrap centred text into as few lines as ``width`` allows, of even lengths
    (a title is not left with one word on its last line)."""
    lines = wrap(ts, runs, pt, width)
    if len(lines) < 2:
        return lines
    total = sum(w for ln in lines for _, _, w in ln) + ts.space(pt) * (len(runs) - 1)
    target = total / len(lines)
    while target < width:
        trial = wrap(ts, runs, pt, target)
        if len(trial) == len(lines):
            return trial
        target += ts.space(pt)
    return lines


def place(
    ts: Typesetter,
    line: list[tuple[str, str, float]],
    pt: float,
    x0: float,
    width: float,
    align: str,
    last: bool,
) -> list[tuple[str, str, float]]:
    """x of each word for an alignment within [x0, x0 + width]."""
    space = ts.space(pt)
    natural = sum(w for _, _, w in line) + space * (len(line) - 1)
    gap = space
    if align == "center":
        x = x0 + (width - natural) / 2
    elif align == "right":
        x = x0 + width - natural
    else:
        x = x0
        if align == "justify" and not last and len(line) > 1:
            extra = (width - natural) / (len(line) - 1)
            if extra < 3 * space:  # a loose line would look wrong; leave it ragged
                gap = space + extra
    out = []
    for text, style, w in line:
        out.append((text, style, x))
        x += w + gap
    return out


# --------------------------------------------------------------------------- the renderer


@dataclass
class Style:
    """Layout choices drawn once per document."""

    top: float  # margins in mm
    bottom: float
    left: float
    right: float
    body_pt: float
    header_pt: float
    pitch: float  # line pitch as a multiple of the body size
    indent_mm: float
    para_pt: float  # space after a paragraph, points

    @staticmethod
    def draw(rng: random.Random) -> Style:
        return Style(
            top=rng.uniform(20, 25),
            bottom=rng.uniform(20, 25),
            left=rng.uniform(30, 35),
            right=rng.uniform(15, 20),
            body_pt=rng.choice((13.0, 14.0)),
            header_pt=rng.choice((12.0, 13.0)),
            pitch=rng.uniform(1.17, 1.42),
            indent_mm=rng.uniform(10, 12.7),
            para_pt=rng.uniform(4, 7),
        )


class DocumentRenderer:
    def __init__(
        self,
        spec: DocSpec,
        family: str,
        dpi: int,
        rng: random.Random,
        seal_text: str,
        variant: Variant | None = None,
    ):
        self.spec = spec
        self.seal_text = seal_text
        self.rng = rng
        self.variant = variant
        # Held-out marks draw from their own generator, so they never shift the layout's.
        self.vrng = random.Random(variant.rng_seed if variant else 0)
        self.ts = Typesetter(family, dpi)
        self.st = Style.draw(rng) if variant is None else variant.style
        self.W, self.H = a4_pixels(dpi)
        mm = self.ts.mm
        self.x0 = mm(self.st.left)
        self.x1 = self.W - mm(self.st.right)
        self.cw = self.x1 - self.x0
        self.y_top = mm(self.st.top)
        self.y_bottom = self.H - mm(self.st.bottom)
        self.lead = self.ts.px(self.st.body_pt) * self.st.pitch
        self.rule_w = max(1, round(self.ts.px(0.6)))
        self._wrap_cache: dict[tuple[int, int], list[Row]] = {}

    # -- measures ------------------------------------------------------------------
    def asc(self, pt: float) -> float:
        """Distance from the top of a line's slot to its baseline (half the leading above)."""
        size = self.ts.px(pt)
        return size * 0.80 + (self.st.pitch - 1.0) * size / 2

    def centred(
        self, block: str, text: str, style: str, pt: float, cx: float, baseline: float
    ) -> Line:
        runs = [(w, style) for w in text.split()]
        line = wrap(self.ts, runs, pt, 1e9)[0]
        width = sum(w for _, _, w in line) + self.ts.space(pt) * (len(line) - 1)
        placed = place(self.ts, line, pt, cx - width / 2, width, "left", True)
        return Line(block, [Word(t, s, pt, x, baseline) for t, s, x in placed])

    @staticmethod
    def extent(line: Line, ts: Typesetter) -> tuple[float, float]:
        first, last = line.words[0], line.words[-1]
        return first.x, last.x + ts.width(last.text, last.style, last.pt)

    def hrule(self, cx: float, y: float, length: float) -> tuple[int, int, int, int]:
        return (round(cx - length / 2), round(y), round(cx + length / 2), round(y) + self.rule_w)

    # -- first-page header ----------------------------------------------------------
    def header(self, d: Draft) -> float:
        """Draw the header blocks into ``d``; return the y where the body may start."""
        ts, spec, st = self.ts, self.spec, self.st
        meta = spec.meta
        hp = st.header_pt
        motto = "Độc lập - Tự do - Hạnh phúc"
        national = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        # Right column wide enough for the Quốc hiệu; shrink the header size for wide faces.
        while True:
            need_r = ts.width(national, "bold", hp) + ts.space(hp) * 6 + ts.mm(4)
            need_l = max(ts.width(s, "bold", hp) for s in meta.organ_lines) + ts.mm(6)
            if need_r + need_l <= self.cw + ts.mm(8) or hp <= 10.5:
                break
            hp -= 0.5
        right_w = max(need_r, self.cw * 0.58)
        shift = ts.mm(self.rng.uniform(-2, 2))  # offices' templates differ a little
        left_w = self.cw - right_w + shift
        lcx = self.x0 + left_w / 2 - ts.mm(3)  # the organ block leans towards the margin
        rcx = self.x0 + left_w + (self.cw - left_w) / 2 + shift / 2
        pitch_h = ts.px(hp) * 1.18
        base = self.y_top + ts.px(hp) * 0.82
        # 1. organ, 2. national — drawn in that reading order.
        y = base
        for s in meta.organ_lines:
            d.lines.append(self.centred("organ", s, "bold", hp, lcx, y))
            y += pitch_h
        last_organ = d.lines[-1]
        a, b = self.extent(last_organ, ts)
        rule_y_l = y - pitch_h + ts.px(hp) * 0.38
        d.rules.append(self.hrule(lcx, rule_y_l, (b - a) * self.rng.uniform(0.34, 0.5)))
        d.lines.append(self.centred("national", national, "bold", hp, rcx, base))
        mp = min(14.0, hp + 1)
        y_m = base + ts.px(hp) * 0.2 + ts.px(mp) * 1.18
        d.lines.append(self.centred("national", motto, "bold", mp, rcx, y_m))
        a, b = self.extent(d.lines[-1], ts)
        rule_y_r = y_m + ts.px(mp) * 0.36
        d.rules.append((round(a), round(rule_y_r), round(b), round(rule_y_r) + self.rule_w))
        # 3. number, 4. V/v (công văn), 5. place and date — on a common baseline.
        y_no = max(rule_y_l, rule_y_r) + ts.px(13) * 1.55
        if self.variant and self.variant.hand_number:
            self.hand_filled(
                d,
                "number",
                meta.number_text,
                [meta.code_number],
                self.variant.hand_number,
                "regular",
                13.0,
                lcx,
                y_no,
            )
        else:
            d.lines.append(self.centred("number", meta.number_text, "regular", 13.0, lcx, y_no))
        y_after = y_no
        if spec.cv_subject:
            cp = 12.0
            lines = balanced_wrap(
                ts, [(w, "regular") for w in spec.cv_subject.split()], cp, left_w - ts.mm(6)
            )
            yy = y_no + ts.px(cp) * 1.35
            for ln in lines:
                width = sum(w for _, _, w in ln) + ts.space(cp) * (len(ln) - 1)
                placed = place(ts, ln, cp, lcx - width / 2, width, "left", True)
                d.lines.append(Line("cv_subject", [Word(t, s, cp, x, yy) for t, s, x in placed]))
                yy += ts.px(cp) * 1.2
            y_after = yy - ts.px(cp) * 1.2
        dp = st.body_pt
        if self.variant and self.variant.hand_day:
            after = meta.date_text.split(" ngày ", 1)[1].split()
            pieces = [after[0], after[2]] if self.variant.hand_month else [after[0]]
            self.hand_filled(
                d, "place_date", meta.date_text, pieces, self.variant.hand_day, "italic", dp, rcx, y_no
            )
        else:
            d.lines.append(self.centred("place_date", meta.date_text, "italic", dp, rcx, y_no))
        y = max(y_after, y_no) + ts.px(st.body_pt) * 1.2
        # 6. type name, 7. subject with a short rule under it.
        if spec.type_heading:
            y += ts.px(st.body_pt) * 1.5
            d.lines.append(
                self.centred("type", spec.type_heading, "bold", 14.0, self.x0 + self.cw / 2, y)
            )
            lines = balanced_wrap(
                ts,
                [(w, "bold") for w in spec.subject.split()],
                st.body_pt,
                self.cw * self.rng.uniform(0.7, 0.85),
            )
            for ln in lines:
                y += ts.px(st.body_pt) * 1.22
                width = sum(w for _, _, w in ln) + ts.space(st.body_pt) * (len(ln) - 1)
                placed = place(
                    ts, ln, st.body_pt, self.x0 + (self.cw - width) / 2, width, "left", True
                )
                d.lines.append(
                    Line("subject", [Word(t, s, st.body_pt, x, y) for t, s, x in placed])
                )
            a, b = self.extent(d.lines[-1], ts)
            y += ts.px(st.body_pt) * 0.55
            rule = self.hrule((a + b) / 2, y, (b - a) * self.rng.uniform(0.34, 0.5))
            if self.variant is None or self.variant.subject_rule:
                d.rules.append(rule)
        # 8. addressees.
        if spec.addressees:
            y += ts.px(st.body_pt) * 1.9
            bp = st.body_pt
            if len(spec.addressees) == 1:
                d.lines.append(
                    self.centred(
                        "addressee",
                        f"Kính gửi: {spec.addressees[0]}",
                        "regular",
                        bp,
                        self.x0 + self.cw / 2,
                        y,
                    )
                )
            else:
                label_x = self.x0 + self.cw * 0.18
                items_x = label_x + ts.width("Kính gửi:", "regular", bp) + ts.space(bp) * 2
                hang = ts.width("- ", "regular", bp)
                label = [
                    Word("Kính", "regular", bp, label_x, y),
                    Word("gửi:", "regular", bp, label_x + ts.width("Kính ", "regular", bp), y),
                ]
                for item in spec.addressees:
                    runs = [(w, "regular") for w in ("- " + item).split()]
                    for j, ln in enumerate(wrap(ts, runs, bp, self.x1 - items_x, 0.0)):
                        x = items_x + (hang if j else 0.0)
                        placed = place(ts, ln, bp, x, self.x1 - x, "left", True)
                        d.lines.append(
                            Line(
                                "addressee", label + [Word(t, s, bp, px, y) for t, s, px in placed]
                            )
                        )
                        label = []
                        y += ts.px(bp) * 1.25
                y -= ts.px(bp) * 1.25
        if self.variant and self.variant.esign:
            self.esign(d, lcx, base)
        return y + ts.px(st.body_pt) * 0.9

    # -- held-out marks ---------------------------------------------------------------
    def hand_filled(
        self,
        d: Draft,
        block: str,
        text: str,
        handwritten: list[str],
        how: str,
        style: str,
        pt: float,
        cx: float,
        baseline: float,
    ) -> None:
        """A printed line with blanks where ``handwritten`` (in order) was written in by
        hand: the printed words are text, the handwriting ``handwriting`` marks over the
        blanks."""
        ts = self.ts
        start = text.index(" ngày ") + 6 if block == "place_date" else text.index(" ") + 1
        printed: list[str] = []  # the printed runs before, between and after the blanks
        for piece in handwritten:
            at = text.index(piece, start)
            printed.append(text[:at] if not printed else text[start:at])
            start = at + len(piece)
        printed.append(text[start:])
        ppm = ts.dpi / 25.4
        hands = [marks.handwriting(self.vrng, piece, ppm, pt * 0.25, how == "legible")
                 for piece in handwritten]
        gaps = [hand.shape[1] + ts.space(pt) * 2 for hand in hands]
        runs = [[(w, style) for w in run.split()] for run in printed]
        width = sum(ts.width(w, st, pt) + ts.space(pt) for run in runs for w, st in run) + sum(gaps)
        width -= ts.space(pt) if runs[-1] else 0.0  # no space after the line's last word
        x = cx - width / 2
        words: list[Word] = []
        for i, run in enumerate(runs):
            for w, st in run:
                words.append(Word(w, st, pt, x, baseline))
                x += ts.width(w, st, pt) + ts.space(pt)
            if i < len(hands):
                # The ink sits on the printed baseline, a little above it as a hand does.
                hy = round(baseline - hands[i].shape[0] + ts.px(pt) * 0.12)
                d.marks.append(Mark("handwriting", hands[i], round(x + ts.space(pt) * 0.5), hy))
                x += gaps[i]
        d.lines.append(Line(block, words))

    def esign(self, d: Draft, cx: float, organ_top: float) -> None:
        """A digital signature's box above the issuing body or over it."""
        assert self.variant is not None
        ppm = self.ts.dpi / 25.4
        box = marks.esign_box(self.variant.esign, ppm, self.vrng.uniform(2.2, 2.8))
        h, w = box.shape
        x = round(max(self.ts.mm(4), cx - w / 2 + self.ts.mm(self.vrng.uniform(-8, 8))))
        if self.variant.esign_at == "above":
            y = round(max(self.ts.mm(2), organ_top - self.ts.px(self.st.header_pt) - h))
        else:
            y = round(organ_top - self.ts.px(self.st.header_pt) * 0.6)
        d.marks.append(Mark("esign", box, x, y))

    def incoming(self, d: Draft) -> None:
        """A "CÔNG VĂN ĐẾN" stamp over the first page's body, often half off the edge."""
        assert self.variant is not None
        ppm = self.ts.dpi / 25.4
        s = marks.incoming_stamp(self.vrng, self.variant.incoming, ppm)
        h, w = s.shape
        x = round(self.vrng.uniform(self.x0, self.W - w * self.vrng.uniform(0.45, 1.0)))
        y = round(self.vrng.uniform(self.H * 0.35, self.H * 0.6))
        d.marks.append(Mark("incoming_stamp", s, x, y))

    # -- body -----------------------------------------------------------------------
    def rows(self, para: Para, n: int) -> list[Row]:
        key = (id(para), n)
        cached = self._wrap_cache.get(key)
        if cached is not None:
            return cached
        ts, st = self.ts, self.st
        pt = st.body_pt
        indent = ts.mm(st.indent_mm) if para.indent else 0.0
        lines = wrap(ts, para.runs(n), pt, self.cw, indent)
        out: list[Row] = []
        for i, ln in enumerate(lines):
            first, last = i == 0, i == len(lines) - 1
            x0 = indent if (first and para.align != "center") else 0.0
            placed = place(ts, ln, pt, x0, self.cw - x0, para.align, last)
            gap = ts.px(para.space_before) if first else 0.0
            out.append(Row(placed, pt, keep_with_next=para.keep_with_next and last, gap_before=gap))
        if out:
            out[0].gap_before += ts.px(st.para_pt)
        self._wrap_cache[key] = out
        return out

    def paginate(
        self, items: list[tuple[Para, int]], y_first: float
    ) -> tuple[list[list[tuple[Row, float]]], float]:
        """Flow rows over pages; return rows with their top y per page, and the last y."""
        rows = [r for p, n in items for r in self.rows(p, n)]
        pages: list[list[tuple[Row, float]]] = [[]]
        y = y_first
        for i, r in enumerate(rows):
            if pages[-1]:
                y += r.gap_before
            need = self.lead
            if r.keep_with_next and i + 1 < len(rows):
                need += self.lead + rows[i + 1].gap_before
            if y + need > self.y_bottom and pages[-1]:
                pages.append([])
                y = self.y_top
            pages[-1].append((r, y))
            y += self.lead
        return pages, y

    # -- closing: Nơi nhận and signature -----------------------------------------------
    def sign_block(self, d: Draft, blk: SignBlock, cx: float, y: float, block: str) -> float:
        ts, bp = self.ts, self.st.body_pt
        sp = ts.px(bp) * 1.22
        if blk.authority:
            d.lines.append(self.centred(block, blk.authority, "bold", bp, cx, y))
            y += sp
        d.lines.append(self.centred(block, blk.position, "bold", bp, cx, y))
        pos_y = y
        gap = ts.mm(self.rng.uniform(26, 31))
        name_y = y + gap
        d.lines.append(self.centred(block, blk.name, "bold", bp, cx, name_y))
        ppm = ts.dpi / 25.4
        sig = marks.scribble(self.rng, ppm, self.rng.uniform(28, 40))
        sh, sw = sig.shape
        sx = round(cx - sw / 2 + ts.mm(self.rng.uniform(-4, 4)))
        sy = round((pos_y + name_y) / 2 - ts.px(bp) * 0.3 - sh / 2 + ts.mm(self.rng.uniform(-2, 2)))
        d.marks.append(Mark("signature", sig, sx, sy))
        if blk.seal:
            s = marks.seal(self.rng, self.seal_text, ppm, self.rng.uniform(34, 36))
            kind = "seal"
            if self.variant and self.variant.seal != "round":
                s = marks.seal_variant(
                    self.vrng, self.seal_text, ppm, s.shape[0] / ppm, self.variant.seal
                )
                kind = f"seal_{self.variant.seal}"
            R = s.shape[0] / 2
            # Over the left third of the signature, its top over the position line.
            cxs = sx + sw * self.rng.uniform(0.25, 0.38) - R + ts.mm(2)
            cys = pos_y + R * self.rng.uniform(0.6, 0.8)
            d.marks.append(Mark(kind, s, round(cxs - s.shape[1] / 2), round(cys - R)))
        return name_y

    def closing(self, d: Draft, y: float) -> float:
        """Draw Nơi nhận / co-signature and the signature from ``y``; return the bottom."""
        ts, spec = self.ts, self.spec
        first_base = y + self.asc(self.st.body_pt)
        bottom = first_base
        if spec.cosign is not None:
            bottom = max(
                bottom,
                self.sign_block(d, spec.cosign, self.x0 + self.cw * 0.22, first_base, "cosign"),
            )
        elif spec.recipients:
            hp, ip = 12.0, 11.0
            yy = first_base
            d.lines.append(
                Line(
                    "recipients",
                    [
                        Word("Nơi", "bolditalic", hp, self.x0, yy),
                        Word(
                            "nhận:",
                            "bolditalic",
                            hp,
                            self.x0 + ts.width("Nơi ", "bolditalic", hp),
                            yy,
                        ),
                    ],
                )
            )
            yy += ts.px(ip) * 1.45
            col = self.cw * 0.42
            hang = ts.width("- ", "regular", ip)
            for item in spec.recipients:
                lines = wrap(ts, [(w, "regular") for w in item.split()], ip, col)
                for i, ln in enumerate(lines):
                    x0 = self.x0 + (hang if i else 0.0)
                    placed = place(ts, ln, ip, x0, col, "left", True)
                    d.lines.append(
                        Line("recipients", [Word(t, s, ip, x, yy) for t, s, x in placed])
                    )
                    yy += ts.px(ip) * 1.22
            bottom = max(bottom, yy - ts.px(ip) * 1.22)
        cx = self.x0 + self.cw * self.rng.uniform(0.70, 0.76)
        bottom = max(bottom, self.sign_block(d, spec.sign, cx, first_base, "signature"))
        return bottom + ts.px(self.st.body_pt) * 0.3

    def closing_height(self) -> float:
        state = self.rng.getstate()
        h = self.closing(Draft(), 0.0)
        self.rng.setstate(state)  # measuring must not change what is drawn later
        return h

    # -- whole document -----------------------------------------------------------------
    def layout(self, pages_wanted: int) -> list[Draft]:
        """Fit the body to ``pages_wanted`` pages and return each page's draft."""
        spec, rng = self.spec, self.rng
        first = Draft()
        y_body = self.header(first)
        close_h = self.closing_height()
        close_gap = self.lead * 0.6
        limit = self.y_bottom - close_h - close_gap  # the body must end above this on its last page

        fill = rng.uniform(0.35, 0.95)  # how far down its last page the body ends
        grown: list[Para] = []  # paragraphs added so far, reused if we start again
        for wanted in range(pages_wanted, pages_wanted + 4):
            items: list[tuple[Para, int]] = [(p, len(p.sentences)) for p in spec.body]
            optional = list(spec.optional_sections)
            grow_at = spec.grow_at
            top_last = y_body if wanted == 1 else self.y_top
            target = top_last + (limit - top_last) * fill
            for k in range(300):  # grow until the wanted length is passed
                pages, y_end = self.paginate(items, y_body)
                if len(pages) > wanted or (len(pages) == wanted and y_end >= target):
                    break
                if k == len(grown):
                    grown.append(spec.grow())
                p = grown[k]
                items.insert(grow_at, (p, len(p.sentences)))
                grow_at += 1
            for _ in range(600):  # then trim from the end until the closing fits
                pages, y_end = self.paginate(items, y_body)
                if len(pages) == wanted and y_end <= limit:
                    break
                if not _trim_one(items, optional):
                    break
            if len(pages) == wanted and y_end <= limit:
                break
            # The fixed parts alone are too long for this many pages: allow one more.

        if _close_lists(items):  # "." is no wider than ";": the flow cannot grow
            pages, y_end = self.paginate(items, y_body)
        drafts = [first] + [Draft() for _ in pages[1:]]
        if self.variant and self.variant.incoming:
            self.incoming(first)
        for i, rows in enumerate(pages):
            d = drafts[i]
            if i > 0:
                # Continuation pages: page number centred in the top margin.
                y_pn = self.ts.mm(self.rng.uniform(10, 13))
                d.lines.insert(
                    0,
                    self.centred(
                        "page_number",
                        str(i + 1),
                        "regular",
                        self.st.body_pt,
                        self.x0 + self.cw / 2,
                        y_pn,
                    ),
                )
            for r, y in rows:
                base = y + self.asc(r.pt)
                d.lines.append(
                    Line("body", [Word(t, s, r.pt, self.x0 + x, base) for t, s, x in r.words])
                )
        last_y = y_end
        if last_y + close_gap + close_h > self.y_bottom:
            # Could not fit (a very long fixed part): the closing goes to its own page.
            d = Draft()
            d.lines.append(
                self.centred(
                    "page_number",
                    str(len(drafts) + 1),
                    "regular",
                    self.st.body_pt,
                    self.x0 + self.cw / 2,
                    self.ts.mm(11),
                )
            )
            drafts.append(d)
            last_y = self.y_top
        self.closing(drafts[-1], last_y + close_gap)
        return drafts


def _list_kind(p: Para) -> str:
    """ "dash" for "- …" items, "numbered" for "1. …" member lines, "" otherwise."""
    first = p.sentences[0] if p.sentences else ""
    if first.startswith("- "):
        return "dash"
    if p.align == "left" and first[:1].isdigit() and not p.keep_with_next:
        return "numbered"
    return ""


def _close_lists(items: list[tuple[Para, int]]) -> bool:
    """End the last item of each "…;" list with a full stop, once trimming is done."""
    changed = False
    for i, (p, n) in enumerate(items):
        kind = _list_kind(p)
        text = p.sentences[n - 1] if n else ""
        nxt = _list_kind(items[i + 1][0]) if i + 1 < len(items) else ""
        if kind and kind != nxt and text.endswith(";"):
            kept = [*p.sentences[: n - 1], text[:-1] + "."]
            items[i] = (replace(p, sentences=kept), n)
            changed = True
    return changed


def _trim_one(items: list[tuple[Para, int]], optional: list[str]) -> bool:
    """Shorten the body by one sentence or one paragraph, from the end;
    failing that, leave out the last optional section."""
    for i in range(len(items) - 1, -1, -1):
        p, n = items[i]
        if n > p.min_sentences:
            items[i] = (p, n - 1)
            return True
        if p.droppable:
            prev_heading = i > 0 and items[i - 1][0].keep_with_next
            nxt = items[i + 1][0] if i + 1 < len(items) else None
            alone = nxt is None or nxt.keep_with_next or nxt.end
            if prev_heading and alone:
                continue  # would leave a heading with nothing under it
            del items[i]
            return True
    while optional:
        sec = optional.pop()
        if any(p.section == sec for p, _ in items):
            items[:] = [(p, n) for p, n in items if p.section != sec]
            return True
    return False


# --------------------------------------------------------------------------- drawing


def draw(
    draft: Draft, ts: Typesetter, size: tuple[int, int]
) -> tuple[np.ndarray, list[WordTruth], list[tuple[str, tuple[int, int, int, int]]]]:
    """Rasterise a draft: RGB page, the words with ink boxes, and the non-word marks."""
    W, H = size
    page = Image.new("L", (W, H), 255)
    words: list[WordTruth] = []
    for li, line in enumerate(draft.lines):
        for w in line.words:
            font = ts.font(w.style, w.pt)
            left, top, right, bottom = (int(v) for v in font.getbbox(w.text, anchor="ls"))
            pad = 3  # italic overhangs may pass the metric box by a pixel or two
            scratch = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
            ImageDraw.Draw(scratch).text(
                (pad - left, pad - top), w.text, font=font, fill=255, anchor="ls"
            )
            ink = scratch.getbbox()
            if ink is None:
                continue
            ox, oy = round(w.x) + left - pad, round(w.baseline) + top - pad
            page.paste(0, (ox, oy), scratch)
            words.append(
                WordTruth(
                    w.text, (ox + ink[0], oy + ink[1], ox + ink[2], oy + ink[3]), li, line.block
                )
            )
    other: list[tuple[str, tuple[int, int, int, int]]] = []
    pd = ImageDraw.Draw(page)
    for x0, y0, x1, y1 in draft.rules:
        pd.rectangle((x0, y0, x1 - 1, y1 - 1), fill=0)
        other.append(("rule", (x0, y0, x1, y1)))
    rgb = np.repeat(np.asarray(page)[:, :, None], 3, axis=2)
    for m in draft.marks:
        colour = MARK_COLOURS.get(m.kind, marks.SIGNATURE_BLUE)
        marks.multiply(rgb, m.mask, colour, m.x, m.y)
        ys, xs = np.nonzero(m.mask > 0.02)
        if len(xs):
            # Only the part on the page: a stamp may run off its edge.
            box = (
                max(0, m.x + int(xs.min())),
                max(0, m.y + int(ys.min())),
                min(W, m.x + int(xs.max()) + 1),
                min(H, m.y + int(ys.max()) + 1),
            )
            if box[0] < box[2] and box[1] < box[3]:
                other.append((m.kind, box))
    # Renumber lines densely, in drawing (= reading) order.
    remap: dict[int, int] = {}
    words = [WordTruth(w.text, w.box, remap.setdefault(w.line, len(remap)), w.block) for w in words]
    return rgb, words, other
