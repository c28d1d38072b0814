"""Time as the tick sees it: `as_of` is a parameter, read in the campaign's timezone.

Timestamps are stored in UTC (SQLite keeps no offset, so a stored local time would be
misread); a naive `as_of` means local time where the campaign runs.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaign.i18n import _


def in_zone(as_of: datetime, timezone: str) -> datetime:
    """as_of as an aware time in the campaign's zone (naive input is taken as local)."""
    zone = ZoneInfo(timezone)
    return as_of.replace(tzinfo=zone) if as_of.tzinfo is None else as_of.astimezone(zone)


def as_utc(as_of: datetime, timezone: str) -> datetime:
    return in_zone(as_of, timezone).astimezone(UTC)


def local_date(as_of: datetime, timezone: str) -> date:
    """The day as_of falls on where the campaign runs."""
    return in_zone(as_of, timezone).date()


def utc(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite returns them without their UTC offset, so a
    naive value here means UTC, unlike a naive `as_of`, which means local time)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_time(moment: datetime, timezone: ZoneInfo | str) -> datetime:
    """A stored (UTC) timestamp in the campaign's zone."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return utc(moment).astimezone(zone)


def shown_time(moment: datetime | None, timezone: ZoneInfo | str) -> str:
    """A stored (UTC) timestamp as a person reads it: local, to the minute, zone named."""
    if moment is None:
        return "-"
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return f"{local_time(moment, zone):%Y-%m-%d %H:%M} {zone.key}"


def local_today(moment: datetime, timezone: ZoneInfo | str) -> date:
    """The campaign-local day of a stored (UTC) timestamp."""
    return local_time(moment, timezone).date()


def parse_as_of(text: str, timezone: str) -> datetime:
    """A CLI `--as-of`: a date (its first moment) or an ISO datetime, local unless offset."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=ZoneInfo(timezone))
        return in_zone(datetime.fromisoformat(text), timezone)
    except ValueError:
        raise ValueError(
            _("{text!r} is not a date or datetime (YYYY-MM-DD[THH:MM])").format(text=text)
        ) from None


def now_in(timezone: str) -> datetime:
    return datetime.now(ZoneInfo(timezone))


def service_clock(start: datetime | None) -> Callable[[], datetime]:
    """'Now' for the web app and entered answers: the real clock, or (CAMPAIGN_CLOCK) a
    simulated one that starts at `start` and runs on in real time."""
    if start is None:
        return lambda: datetime.now(UTC)
    origin, began = utc(start), _time.monotonic()
    return lambda: origin + timedelta(seconds=_time.monotonic() - began)


def settings_now() -> datetime | None:
    """The simulated 'now' of CAMPAIGN_CLOCK for a command, or None for the real clock."""
    from campaign.settings import get_settings

    start = get_settings().clock
    return utc(start) if start is not None else None
