"""The password or PIN that opens the key store, as the caller found it.

The stage reads no environment variable and asks no secret store: whoever opens
the signer looks the secret up and passes it in, with a few words on where it
came from so that a refusal can say which value to check. The value itself goes
into no message, log or ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.core.errors import SohoaError


@dataclass(frozen=True, eq=False)
class Secret:
    """A password or PIN, and where it came from (``where_en``/``where_vi``: for messages).

    A caller that could not find the secret passes ``problem`` instead of a value:
    it is raised when the key store is about to be opened, so a mistake in the
    settings checked before that is still the one reported.
    """

    value: str | None = field(repr=False)
    where_en: str
    where_vi: str
    problem: SohoaError | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.problem is None):
            raise ValueError("a Secret holds either a value or the problem of finding one")

    @classmethod
    def missing(cls, problem: SohoaError, where_en: str, where_vi: str) -> Secret:
        return cls(None, where_en, where_vi, problem)

    def reveal(self) -> str:
        """The value, or the reason there is none raised as the error it is."""
        if self.value is None:
            assert self.problem is not None  # one or the other: __post_init__
            raise self.problem
        return self.value
