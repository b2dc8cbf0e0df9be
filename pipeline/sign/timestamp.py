"""RFC 3161 timestamps for B-T and B-LT: a client that retries, a check of the authority
before any work, and the errors a clerk sees when the server fails."""

from __future__ import annotations

import asyncio
import hashlib
import logging

from pipeline.core.errors import TimestampUnavailableError
from pipeline.core.settings import SigningSettings
from pipeline.sign.credentials import load_certificates

log = logging.getLogger(__name__)


def _timestamper_base():
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper


class RetryingTimeStamper(_timestamper_base()):  # type: ignore[misc]  # pyHanko loaded only when signing
    """An RFC 3161 client that tries again, with doubling pauses, before giving up."""

    def __init__(self, url: str, timeout: float, attempts: int, first_pause: float = 0.5):
        super().__init__(url, timeout=timeout)
        self.attempts = attempts
        self.first_pause = first_pause

    async def async_request_tsa_response(self, req):
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        pause = self.first_pause
        for attempt in range(1, self.attempts + 1):
            try:
                return await super().async_request_tsa_response(req)
            except TimestampRequestError as e:
                url = _public_url(self.url)
                if attempt == self.attempts:
                    raise TimestampUnavailableError(
                        f"the timestamp server {url} did not answer after {attempt} attempts ({e})",
                        f"máy chủ dấu thời gian {url} không trả lời sau {attempt} lần thử ({e})",
                    ) from e
                log.warning("timestamp server %s: attempt %d failed (%s); retrying", url, attempt, e)
                await asyncio.sleep(pause)
                pause *= 2


async def check_timestamp_authority(timestamper, settings: SigningSettings) -> None:
    """One timestamp before any work: the server answers, and its tokens chain to our roots.

    A timestamp from an authority the verifier will not trust makes a file that
    claims B-T but fails verification; refuse before any page is read.
    """
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
    from pyhanko_certvalidator import ValidationContext

    digest = hashlib.sha256(b"sohoa timestamp authority check").digest()
    token = await timestamper.async_timestamp(digest, "sha256")
    context = ValidationContext(trust_roots=load_certificates(settings.trust_roots))
    try:
        status = await validate_tst_signed_data(token["content"], context, lambda _algo: digest)
        trusted = (
            bool(status.get("intact"))
            and bool(status.get("valid"))
            and status.get("trust_problem_indic") is None
            and status.get("validation_path") is not None
        )
    except Exception:  # noqa: BLE001 - any failure means the token cannot be relied on
        trusted = False
    if not trusted:
        url = _public_url(settings.tsa_url)
        raise TimestampUnavailableError(
            f"the timestamp server {url} answers, but its tokens do not chain to signing.trust_roots "
            "(another server on that port?)",
            f"máy chủ dấu thời gian {url} có trả lời nhưng dấu thời gian không thuộc chuỗi tin cậy "
            "signing.trust_roots (một máy chủ khác đang dùng cổng này?)",
        )


def tsa_error(settings: SigningSettings, e: Exception) -> TimestampUnavailableError:
    """A failure to timestamp a signature, as the error the clerk sees (the server's URL without credentials)."""
    if isinstance(e, TimestampUnavailableError):
        return e
    url = _public_url(settings.tsa_url)
    return TimestampUnavailableError(
        f"the timestamp server {url} failed: {e}", f"máy chủ dấu thời gian {url} bị lỗi: {e}"
    )


def _public_url(url: str | None) -> str:
    """The URL without any user:password@ in it, fit for a message or a log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=host))

