"""How ``bench.metadata`` scores an extracted NĐ 30 field against the truth.

The truth of a field is what the page prints, as a string, or ``None`` when the page gives no
value to read: a field it does not have (no authority line), or one written by hand so badly
that nobody could read it (``DocumentMeta.handwritten``; a real truth's ``null``). A value is

* **right** when it equals the truth after normalising both (NFC, runs of whitespace to one
  space; the old and new tone placements folded: "UỶ" = "ỦY", "hoà" = "hòa"); a type name
  compares case-blind, an authority line without regard to the space after "KT." / "TL.", a
  trích yếu counts at a rapidfuzz ratio of at least ``SUBJECT_MIN_RATIO`` once a leading
  "V/v" is dropped from both. Where the truth is ``None``, only an empty value is right: an
  illegible handwritten number left empty (and so sent to review) is the right answer;
* **wrong** otherwise; a wrong value is **silently wrong** when its confidence is at least the
  extraction's review threshold (``pipeline.extract.params.REVIEW_BELOW``), so that no one
  would be asked to check it. An empty value is never silently wrong: it is always reviewed.

Fields a truth does not score (the real truth has no type code) are left out of the
``expected`` mapping.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

FIELDS = ("type_name", "type_code", "code_number", "code_notation", "issued_date",
          "issued_place", "organ_name", "subject", "signer_authority", "signer_position",
          "signer_name")
SHORT = {"type_name": "type", "type_code": "code", "code_number": "number",
         "code_notation": "notation", "issued_date": "date", "issued_place": "place",
         "organ_name": "organ", "subject": "subject", "signer_authority": "authority",
         "signer_position": "position", "signer_name": "signer"}
SUBJECT_MIN_RATIO = 90
# Confidence bins of the reliability table: [lo, hi), the last one closed.
BINS = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.0))

_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
_VV = re.compile(r"^\s*v\s*/\s*v\s*[:.]?\s*", re.IGNORECASE)
_AUTHORITY_DOT = re.compile(r"(?<!\w)(KT|TL|TM|TUQ|Q|T/M|K/T)(?:\.\s*|\s+)", re.IGNORECASE)


def _old_to_new_tones() -> dict[str, str]:
    """"oà" → "òa", "uỷ" → "ủy", … in every case: the tone moved to the first vowel."""
    table: dict[str, str] = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in _TONES:
            for f in (first, first.upper()):
                for s in (second, second.upper()):
                    old = unicodedata.normalize("NFC", f + s + tone)
                    new = unicodedata.normalize("NFC", f + tone + s)
                    table[old] = new
    return table


_FOLD = _old_to_new_tones()
_FOLD_RE = re.compile("(" + "|".join(map(re.escape, _FOLD)) + r")(?!\w)")


def norm(s: str | None) -> str:
    """NFC, whitespace runs to one space, the old tone placement at a word's end folded
    to the new one ("hoà" → "hòa", "UỶ" → "ỦY"; "hoàn" is left alone)."""
    text = " ".join(unicodedata.normalize("NFC", s or "").split())
    return _FOLD_RE.sub(lambda m: _FOLD[m.group(1)], text)


def _subject(s: str) -> str:
    return _VV.sub("", s)


def _authority(s: str) -> str:
    return _AUTHORITY_DOT.sub(lambda m: m.group(1).upper() + ". ", s).strip()


def comparable(name: str, value: Any) -> str | None:
    """A value as it is compared: normalised text, an ISO date, or ``None``."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = norm(str(value))
    if name == "type_name":
        text = text.upper()
    elif name == "subject":
        text = _subject(text)
    elif name == "signer_authority":
        text = _authority(text)
    elif name == "type_code" and text == "CV":
        return None  # a công văn's code, printed nowhere: "CV" and none are the same answer
    return text or None


def matches(name: str, want: str | None, got: str | None) -> bool:
    """``want`` and ``got`` as ``comparable`` returns them."""
    if want is None or got is None:
        return want is None and got is None
    if name == "subject":
        return fuzz.ratio(want, got) >= SUBJECT_MIN_RATIO
    return want == got


def expected(meta: Any) -> dict[str, str | None]:
    """The truth of a generated document (``synth.DocumentMeta``)."""
    hand: Mapping[str, bool] = getattr(meta, "handwritten", {}) or {}
    want: dict[str, Any] = {
        "type_name": meta.type_name if meta.type_printed else "CÔNG VĂN",
        "type_code": meta.type_code or None,
        "code_number": meta.code_number,
        "code_notation": meta.code_notation,
        "issued_date": meta.issued_date,
        "issued_place": meta.place,
        "organ_name": meta.organ,
        "subject": meta.subject,
        "signer_authority": meta.signer_authority or None,
        "signer_position": meta.signer_position,
        "signer_name": meta.signer_name,
    }
    for name, legible in hand.items():
        if not legible:  # drawn so that no one could read it: the right answer is no value
            want[name] = None
    return {k: comparable(k, v) for k, v in want.items()}


def real_expected(truth: Mapping[str, Any]) -> dict[str, str | None]:
    """The truth of a real document (``real-scans/truth/<doc>.json``, its README's fields)."""
    signer = truth.get("signer") or {}
    want = {
        "type_name": truth.get("typeName"),
        "code_number": truth.get("codeNumber"),
        "code_notation": truth.get("codeNotation"),
        "issued_date": truth.get("issuedDate"),
        "issued_place": truth.get("issuedPlace"),
        "organ_name": truth.get("organName"),
        "subject": truth.get("subject"),
        "signer_authority": signer.get("signingAuthority"),
        "signer_position": signer.get("position"),
        "signer_name": signer.get("fullName"),
    }
    return {k: comparable(k, v) for k, v in want.items()}


def extracted(fields: Any, names: Iterable[str]) -> dict[str, tuple[str | None, float, str]]:
    """(comparable value, confidence, reason) of each named field of a ``DocumentFields``."""
    out: dict[str, tuple[str | None, float, str]] = {}
    for name in names:
        f = getattr(fields, name, None)
        if f is None:
            out[name] = (None, 0.0, "not extracted")
            continue
        out[name] = (comparable(name, f.value), float(f.confidence), f.reason or "")
    return out


@dataclass
class Scored:
    """One field of one document, as ``--json`` writes it."""

    split: str  # "tuned" | "heldout" | "real"
    profile: str  # degradation profile; "real" for the real scans
    doc: str  # "seed:index" of a generated document, the file stem of a real one
    field: str
    want: str | None
    got: str | None
    confidence: float
    right: bool
    silent: bool  # wrong and at or above the review threshold
    reason: str = ""


def score(split: str, profile: str, doc: str, want: Mapping[str, str | None],
          got: Mapping[str, tuple[str | None, float, str]], review_below: float) -> list[Scored]:
    """Every field of ``want`` scored against ``got``."""
    out = []
    for name, truth in want.items():
        value, conf, reason = got.get(name, (None, 0.0, "not extracted"))
        right = matches(name, truth, value)
        silent = not right and value is not None and conf >= review_below
        out.append(Scored(split, profile, doc, name, truth, value, conf, right, silent, reason))
    return out


def reliability(rows: Iterable[Scored]) -> list[tuple[str, int, float]]:
    """Per confidence bin of the values given (empty values apart): (bin, count, share wrong)."""
    counts = [[0, 0] for _ in BINS]
    empty = [0, 0]
    for r in rows:
        if r.got is None:
            empty[0] += 1
            empty[1] += not r.right
            continue
        for i, (lo, hi) in enumerate(BINS):
            if lo <= r.confidence < hi or (i == len(BINS) - 1 and r.confidence >= lo):
                counts[i][0] += 1
                counts[i][1] += not r.right
                break
    out = [(f"[{lo:.2f},{hi:.2f}{']' if i == len(BINS) - 1 else ')'}", n, bad / n if n else 0.0)
           for i, ((lo, hi), (n, bad)) in enumerate(zip(BINS, counts, strict=True))]
    out.append(("empty", empty[0], empty[1] / empty[0] if empty[0] else 0.0))
    return out
