"""The result type of every extractor: a value or None, how sure, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Found(Generic[T]):
    """An extracted value, or ``None`` with the reason it was not found.

    ``confidence`` is 0..1. ``reason`` says why the value is missing, or why
    it is not certain (a fuzzy match, a misread that was corrected, low OCR
    confidence); it is meant for the person who reviews the record.
    """

    value: T | None
    confidence: float
    reason: str | None = None

    @classmethod
    def none(cls, reason: str) -> Found[T]:
        return cls(None, 0.0, reason)

    def reason_and(self, why: str) -> str:
        """This value's reason, if any, with ``why`` after it."""
        return f"{self.reason}; {why}" if self.reason else why


Found.__module__ = "pipeline.extract.fields"
