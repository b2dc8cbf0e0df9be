"""Accuracy metrics for OCR text against ground truth.

Both sides are NFC-normalised and their whitespace collapsed before anything
is compared, so a line break in one text and a space in the other are equal.

* ``cer`` – character error rate: Levenshtein distance between the two
  normalised texts divided by the truth's length. It is order-sensitive: a
  page whose columns come out in another order scores badly even if every
  word was read right.
* ``bow_wer`` – bag-of-words word error rate, blind to order. With the
  multisets T (truth words) and H (hypothesis words), missing = |T − H|,
  extra = |H − T| and ``bow_wer = max(missing, extra) / |T|``; a misread word
  is one missing and one extra, so it counts once.

Words are whitespace-separated tokens with surrounding punctuation stripped;
case and diacritics are kept (``Số`` ≠ ``số`` ≠ ``So``). Tokens that are
nothing but punctuation are dropped.

Aggregates over many pages are micro-averages: ``Score`` keeps the raw counts
so that ``Score.total`` of several pages weighs each page by its length.

Self-check: ``python -m bench.metrics`` runs the doctests.

>>> cer("Số: 125/QĐ-UBND", "Số:  125/QĐ-UBND")
0.0
>>> round(cer("Bát Tràng", "Bat Tràng"), 3)
0.111
>>> bow_wer("ngày 15 tháng 9", "tháng 9 ngày 15")
0.0
>>> bow_wer("ngày 15 tháng 9", "ngay 15 tháng 9")  # one substitution
0.25
>>> bow_wer("ngày 15 tháng 9", "ngay 15 tháng 9 năm")  # and one extra word
0.5
>>> bow_wer("a b c d", "")
1.0
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, every run of whitespace to one space, no leading or trailing space.

    >>> normalise("  Ủy ban\\n\\nnhân\\tdân ")
    'Ủy ban nhân dân'
    >>> normalise("U\\u031by") == "Ưy"  # decomposed input
    True
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def words(text: str) -> list[str]:
    """Whitespace tokens with surrounding punctuation stripped; empty tokens dropped.

    >>> words("Số: 125/QĐ-UBND, ngày 15/9/2025. – (trích)")
    ['Số', '125/QĐ-UBND', 'ngày', '15/9/2025', 'trích']
    >>> words("“Kính gửi” … ./.")
    ['Kính', 'gửi']
    """
    out = []
    for token in normalise(text).split(" "):
        start, end = 0, len(token)
        while start < end and _is_punct(token[start]):
            start += 1
        while end > start and _is_punct(token[end - 1]):
            end -= 1
        if start < end:
            out.append(token[start:end])
    return out


@dataclass
class Score:
    """Raw error counts of one page (or, summed, of many)."""

    char_errors: int = 0
    chars: int = 0
    word_errors: int = 0
    words: int = 0
    missing: int = 0
    extra: int = 0

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else float(self.char_errors > 0)

    @property
    def wer(self) -> float:
        return self.word_errors / self.words if self.words else float(self.word_errors > 0)

    def __add__(self, other: Score) -> Score:
        return Score(
            self.char_errors + other.char_errors,
            self.chars + other.chars,
            self.word_errors + other.word_errors,
            self.words + other.words,
            self.missing + other.missing,
            self.extra + other.extra,
        )

    @staticmethod
    def total(scores: list[Score]) -> Score:
        out = Score()
        for s in scores:
            out = out + s
        return out

    def to_dict(self) -> dict[str, float | int]:
        return {
            "cer": round(self.cer, 5),
            "wer": round(self.wer, 5),
            "char_errors": self.char_errors,
            "chars": self.chars,
            "word_errors": self.word_errors,
            "words": self.words,
            "missing_words": self.missing,
            "extra_words": self.extra,
        }


def score(truth: str, hypothesis: str) -> Score:
    """Character and bag-of-words errors of one page.

    >>> s = score("Quyết định số 125", "Quyết đinh số 125 ~")
    >>> (s.char_errors, s.chars, s.missing, s.extra, s.word_errors, s.words)
    (3, 17, 1, 2, 2, 4)
    >>> (round(s.cer, 4), s.wer)
    (0.1765, 0.5)
    >>> Score.total([s, score("a b", "a b")]).wer
    0.3333333333333333
    """
    t, h = normalise(truth), normalise(hypothesis)
    tw, hw = Counter(words(t)), Counter(words(h))
    missing = sum((tw - hw).values())
    extra = sum((hw - tw).values())
    return Score(
        char_errors=Levenshtein.distance(t, h),
        chars=len(t),
        word_errors=max(missing, extra),
        words=sum(tw.values()),
        missing=missing,
        extra=extra,
    )


def cer(truth: str, hypothesis: str) -> float:
    """Character error rate: edit distance / truth length, whitespace collapsed."""
    return score(truth, hypothesis).cer


def bow_wer(truth: str, hypothesis: str) -> float:
    """Order-free word error rate: max(missing, extra) / truth words."""
    return score(truth, hypothesis).wer


def diff_words(truth: str, hypothesis: str, limit: int = 12) -> tuple[list[str], list[str]]:
    """A few of the missing and extra words, for reports.

    >>> diff_words("Ủy ban nhân dân", "Uy ban nhân dân dân")
    (['Ủy'], ['Uy', 'dân'])
    """
    tw, hw = Counter(words(truth)), Counter(words(hypothesis))
    missing = list((tw - hw).elements())[:limit]
    extra = list((hw - tw).elements())[:limit]
    return missing, extra


if __name__ == "__main__":
    import doctest
    import sys

    failed, tried = doctest.testmod()
    print(f"bench.metrics: {tried - failed}/{tried} checks passed")
    sys.exit(1 if failed else 0)
