"""Times, dates and counts as a reader wants them: in the chat's own zone, in plain words."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{2}):?(\d{2})$")


def zone_of(name: str) -> tzinfo:
    """An IANA zone name, or a fixed "+HH:MM" offset (exports carry only an offset); else UTC."""
    m = _OFFSET.match(name.strip())
    if m:
        delta = timedelta(hours=int(m[2]), minutes=int(m[3]))
        return timezone(-delta if m[1] == "-" else delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(zone_of(zone))


def clock(at: datetime, zone: str) -> str:
    """`8:05 pm`."""
    t = local(at, zone)
    return f"{t.hour % 12 or 12}:{t.minute:02d} {'am' if t.hour < 12 else 'pm'}"


def zone_abbr(at: datetime, zone: str) -> str:
    """`EDT`, or `UTC-04:00` for a fixed offset."""
    return local(at, zone).tzname() or zone


def long_date(at: datetime, zone: str) -> str:
    """`Tuesday, May 7, 2024`."""
    t = local(at, zone)
    return f"{t:%A}, {t:%B} {t.day}, {t.year}"


def span(start: datetime, end: datetime, zone: str) -> str:
    """`Tuesday, May 7, 2024, 8:00 pm – 9:00 pm EDT`."""
    return f"{long_date(start, zone)}, {clock(start, zone)} – {clock(end, zone)} {zone_abbr(start, zone)}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 answer`, `3 answers`."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def names_list(names: list[str]) -> str:
    """`Ana`, `Ana and Ben`, `Ana, Ben and Chen`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def unix(at: datetime) -> int:
    return int(at.timestamp())
