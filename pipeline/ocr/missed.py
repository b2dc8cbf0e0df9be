"""A second look at ink the page's OCR left unread: the signature block, the header.

Tesseract's page layout analysis (``--psm 3``) drops a region it takes for a
picture: on a photocopy the black seal and signature, stamped over the
signer's position and name, can make the whole signature block one; a rule
drawn close under the issuing body's unit line can do the same to that line.
The first pass's words are masked out of the page; what ink is left, in a
blob of a line's size or more in the right-hand column (where NĐ 30 puts the
signature block) or in the header, is read again as one block of text
(``--psm 6``): in the signature block with the first pass's words whitened so
nothing is read twice, in the header with its rules whitened and a line taken
only where it lies over no word read (``region_crop``, ``merge``). Only lines
of two or more sure words of two letters or more are kept (or a sure given
name alone, the rest of its name garbled by the seal and the signature), and
nothing the first pass read surely is changed (what it read unsurely under a
word kept was the same ink read worse, and gives way; the word kept stays unsure).

A signature's stroke that touches the name under it can make the block's
read miss the name: when no line was kept where the region's lowest line of
ink lies, that band is read again alone (``--psm 7``), with a stroke run level through
the name whitened and the letters' stems it crossed kept (``without_rules``).

On a clean page every blob of ink is explained by words, so the second pass
costs only the look at a ~50 dpi copy.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.core.model import Line, OcrResult, Word, mostly_over, one_over_the_other
from pipeline.core.vi_names import capitalised_syllable

LOOK_DPI = 50.0  # unread ink is looked for at about this resolution
MIN_BLOB_MM = (20.0, 4.0)  # width, height: a line of a name at least (a streak is thinner)
MAX_BLOB_MM = (120.0, 90.0)  # and at most this (a page of unread text is another matter)
RIGHT_FROM = 0.4  # the signature block lies right of this share of the page's width
HEADER_SHARE = 0.3  # and the header (the issuing body on the left) above this share of its height
JOIN_MM = 3.0  # unread ink closer than this is one blob
MARGIN_MM = (6.0, 3.0)  # read a little around the blob: a line may stick out of it
MAX_REGIONS = 3
MIN_WORD_CONF = 40.0  # second-pass words below this, or of one letter, are the seal's and
# the signature's scraps
MIN_LINE_CONF = 60.0  # and lines whose kept words average below this are dropped,
MIN_LINE_WORDS = 2  # or that keep fewer words than this (a position, a full name), but
# for a sure given name alone
READ_CONF = 50.0  # first-pass words at least this sure count as read (not a seal's scraps)
SURE_GIVEN_NAME = 80.0  # a lone name-like word this sure is kept on a line of its own
BODY_PT = 13.0  # NĐ 30's text size, for the height of a line
BAND_INK = 0.12  # rows with this share of the inkiest row's ink belong to a band
BAND_EM = (0.4, 2.2)  # a band this many line heights high is a line of text
BAND_PAD = 0.3  # read with this much (in line heights) above and below
RULE_EM = 2.0  # ink running level this many line heights is a rule, no letter's stroke
GIVEN_WAY_CONF = 60.0  # a word read over the first pass's unsure ones is no surer than this


def unread_regions(image: np.ndarray, words: list[Word], dpi: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, image pixels) of unread ink a line's size or more, in the
    signature block's column or the header."""
    h, w = image.shape
    f = max(1, round(dpi / LOOK_DPI))
    small = cv2.resize(image, (w // f, h // f), interpolation=cv2.INTER_AREA)
    ink = (small < 200).astype(np.uint8)
    pad = max(1, round(1.0 / 25.4 * dpi / f))
    header_y = HEADER_SHARE * h
    for word in words:
        # In the header, a word read at all is no line the layout analysis dropped.
        if not (word.confidence >= READ_CONF or (word.box[3] <= header_y and _read_at_all(word))):
            continue
        x0, y0, x1, y1 = word.box
        ink[max(0, y0 // f - pad): y1 // f + pad + 1, max(0, x0 // f - pad): x1 // f + pad + 1] = 0
    ink[int(HEADER_SHARE * ink.shape[0]):, : int(RIGHT_FROM * ink.shape[1])] = 0
    px_mm = dpi / f / 25.4
    k = max(1, round(JOIN_MM * px_mm))
    joined = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    found = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        wmm, hmm = bw / px_mm, bh / px_mm
        if not (MIN_BLOB_MM[0] <= wmm <= MAX_BLOB_MM[0] and MIN_BLOB_MM[1] <= hmm <= MAX_BLOB_MM[1]):
            continue
        mx, my = MARGIN_MM[0] * px_mm, MARGIN_MM[1] * px_mm
        box = (max(0, int((x - mx) * f)), max(0, int((y - my) * f)),
               min(w, int((x + bw + mx) * f)), min(h, int((y + bh + my) * f)))
        found.append((bw * bh, box))
    found.sort(reverse=True)
    return [box for _, box in found[:MAX_REGIONS]]


def in_header(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> bool:
    return box[3] <= HEADER_SHARE * shape[0]


def region_crop(image: np.ndarray, words: list[Word], box: tuple[int, int, int, int],
                dpi: float) -> np.ndarray:
    """The region as it is read again. In the signature block, the words already read
    whitened (a signature's stroke, level or not, is left: the name's band is found by it).
    In the header, its long rules whitened and the words read left as they are: the line a
    rule hid sits close under the one read, and whitening that one's box would cut its
    marks (``merge`` leaves out what overlaps a word already read)."""
    if in_header(box, image.shape):
        return without_rules(image[box[1]:box[3], box[0]:box[2]], dpi)
    return masked_crop(image, words, box)


def masked_crop(image: np.ndarray, words: list[Word], box: tuple[int, int, int, int]) -> np.ndarray:
    """The region, with the words already read in it whitened."""
    x0, y0, x1, y1 = box
    crop = image[y0:y1, x0:x1].copy()
    for word in words:
        a, b, c, d = word.box
        if word.confidence < READ_CONF or c <= x0 or a >= x1 or d <= y0 or b >= y1:
            continue
        crop[max(0, b - y0): max(0, d - y0), max(0, a - x0): max(0, c - x0)] = 255
    return crop


def without_rules(crop: np.ndarray, dpi: float) -> np.ndarray:
    """``crop`` with its long horizontal rules whitened: a rule drawn close under a line
    (the issuing body's) makes Tesseract lose the marks above the letters it touches, and
    one run through a line (a signature's last stroke through the name) its letters."""
    em = BODY_PT / 72.0 * dpi
    ink = (crop < 128).astype(np.uint8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(3, round(RULE_EM * em))), np.uint8))
    if not rules.any():
        return crop
    struck = cv2.dilate(rules, np.ones((3, 1), np.uint8)) > 0
    # A letter the rule runs through ("Kha" struck by a signature's last stroke) keeps
    # its stroke across it: ink just above and just below the rule is joined again.
    left = ink.copy()
    left[struck] = 0
    across = round(struck.sum() / max(1, struck.any(axis=0).sum())) + 2
    joined = cv2.morphologyEx(left, cv2.MORPH_CLOSE, np.ones((across, 1), np.uint8)) > 0
    out = crop.copy()
    out[struck & ~joined] = 255
    return out


def last_line(crop: np.ndarray, dpi: float) -> tuple[int, int] | None:
    """Rows (y0, y1) of the lowest band of ink a line of text high in ``crop``: a signer's
    name, which a signature's stroke touching it can hide from a block's read."""
    ink = (crop < 128).astype(np.float32).sum(axis=1)
    if not ink.any():
        return None
    rows = cv2.blur(ink.reshape(-1, 1), (1, 5)).ravel() > BAND_INK * ink.max()
    em = BODY_PT / 72.0 * dpi
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0]))))
    bands = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])
             if BAND_EM[0] * em <= b - a <= BAND_EM[1] * em]
    if not bands:
        return None
    y0, y1 = bands[-1]
    pad = round(BAND_PAD * em)
    return max(0, y0 - pad), min(crop.shape[0], y1 + pad)


def _read_at_all(word: Word) -> bool:
    """A word with a letter or a digit: what a rule or a speck is read as ("_", "—") is not."""
    return any(c.isalnum() for c in word.text)


def _given_name(word: Word) -> bool:
    """A sure capitalised Vietnamese syllable ("Toàn"): the end of a signer's name whose
    other words the seal and the signature garbled, kept alone (its surname may be matched
    by shape, ``_ocr_surnames``)."""
    t = word.text.strip(".,;:")
    return word.confidence >= SURE_GIVEN_NAME and len(t) >= 3 and capitalised_syllable(t)


def merge(result: OcrResult, extra: OcrResult, offset: tuple[int, int], *,
          header: bool = False) -> OcrResult:
    """``result`` with the second pass's good lines (boxes moved by ``offset``) after its own;
    a word over one the first pass read surely is that one, read twice, and left out, and
    the first pass's unsure words under a word kept are left out instead. In the
    ``header``, a line is taken whole or not at all, and not if any of it lies over a word
    the first pass read (however unsurely): part of an issuing body, sure, reads as a
    whole one."""
    dx, dy = offset
    words = list(result.words)
    lines = list(result.lines)
    read = [w.box for w in result.words if (_read_at_all(w) if header else w.confidence >= READ_CONF)]

    def twice(w: Word) -> bool:
        return any(mostly_over((w.box[0] + dx, w.box[1] + dy, w.box[2] + dx, w.box[3] + dy), b)
                   for b in read)

    for index, line in enumerate(extra.lines):
        lettered = [w for w in extra.words if w.line == index
                    and sum(c.isalpha() for c in w.text) >= 2 and not twice(w)]
        kept = [w for w in lettered if w.confidence >= MIN_WORD_CONF]
        if header and len(kept) >= MIN_LINE_WORDS:
            # A header line read surely but for a word ("CÔNG AN TĨNH[34] BĂC NINH") is
            # taken with that word, unsure: without it the body reads as a shorter one.
            kept = lettered
        if header and len(kept) < sum(w.line == index and _read_at_all(w) for w in extra.words):
            continue  # whole or not at all (a speck, "-.", is no word of it)
        if not kept or sum(w.confidence for w in kept) / len(kept) < MIN_LINE_CONF:
            continue
        if len(kept) < MIN_LINE_WORDS and not _given_name(kept[0]):
            continue
        # The first pass's unsure words under these ("1, CHL" under "TL. CHỦ") were the same
        # ink read worse: they give way, and what it read surely beside them ("TỊCH") joins
        # this line's row again. A word read over them stays unsure (``GIVEN_WAY_CONF``):
        # two readings of that ink differed ("Khặăm", "Khăm"), the second no surer for it.
        moved = [(a + dx, b + dy, c + dx, d + dy) for a, b, c, d in (w.box for w in kept)]
        gave_way = [m for m in moved if not header and any(
            w.confidence < READ_CONF and one_over_the_other(w.box, m) for w in words)]
        words = [w for w in words if w.confidence >= READ_CONF or not any(
            one_over_the_other(w.box, m) for m in gave_way)]
        n = len(lines)
        _, y0, _, y1 = line.box
        x0, x1 = min(w.box[0] for w in kept), max(w.box[2] for w in kept)
        lines.append(Line((x0 + dx, y0 + dy, x1 + dx, y1 + dy), line.baseline, line.size))
        for w, box in zip(kept, moved, strict=True):
            conf = min(w.confidence, GIVEN_WAY_CONF) if box in gave_way else w.confidence
            words.append(Word(w.text, conf, box, n))
    return OcrResult.of(words, lines, result.seconds + extra.seconds)
