"""Times as signatures show them: Vietnam time (UTC+7), on the mark, in messages and in reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo

    VIETNAM: tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # noqa: BLE001 - no tz database: Vietnam has kept UTC+7 without DST since 1975
    VIETNAM = timezone(timedelta(hours=7), "ICT")


def vietnam_time(when: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second: ``2025-09-15T08:30:00+07:00``."""
    return when.astimezone(VIETNAM).replace(microsecond=0).isoformat()
