"""Checks of single values in config.yaml (pure): times of day, time zones, bounded durations.

Each raises ValueError with the sentence the host reads after `config.yaml:LINE: field:`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import BeforeValidator, PlainSerializer

from bot.durations import format_duration, parse_duration

# A duration written like 30s, 10m or 1h30m (and shown that way again).
Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]

# Zones that are a fixed offset from UTC: no daylight saving, so "8 pm" drifts by an hour twice a
# year for the people the host had in mind (and Etc/GMT+5 is UTC-5: the sign is reversed).
_FIXED_OFFSET = re.compile(r"^(?:Etc/)?(?:GMT|UTC|UCT)?[+-]\d{1,2}$|^(?:EST|MST|HST|Factory)$")
# Names the machine's zone folder has that are no place: `localtime` follows whatever zone the
# machine is set to (the chat would move with the server), `posixrules` is a template.
_NOT_A_PLACE = {"localtime", "posixrules"}


@functools.cache
def _zone_names() -> frozenset[str]:
    """Every IANA zone name on this machine (tzdata); a folder like `America` is not one."""
    return frozenset(available_timezones())


def zone_name(value: Any) -> str:
    """A zone the chat's clock can follow: a known IANA name of a place, not a fixed offset.
    A number (`timezone: -5`) is an offset too, and never a name."""
    if not isinstance(value, str):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        what = "is a number, not" if number else "is not"
        raise ValueError(f"{value!r} {what} a time zone: write an IANA name like America/New_York")
    if value in _NOT_A_PLACE:
        raise ValueError(
            f"{value!r} is the machine's own setting, not a place (the chat would move with the"
            " server); write the place whose clock the chat follows, like America/New_York"
        )
    if value not in _zone_names():
        raise ValueError(f"{value!r} is not a known time zone (an IANA name like America/New_York)")
    if _FIXED_OFFSET.match(value):
        raise ValueError(
            f"{value!r} is a fixed offset from UTC with no daylight saving; write the place"
            " whose clock the chat follows, like America/New_York or Europe/Berlin"
        )
    return value


def at_most(limit: timedelta, why: str) -> Callable[[timedelta], timedelta]:
    """A validator refusing durations over `limit` (Discord's own maximum, usually)."""

    def check(value: timedelta) -> timedelta:
        if value > limit:
            raise ValueError(
                f"{format_duration(value)} is too long: {why} {format_duration(limit)}"
            )
        return value

    return check


def time_of_day(value: Any) -> Any:
    """`"20:00"` -> 20:00. A number is refused: `2000` would be read as seconds (00:33 UTC)."""
    if value is None or isinstance(value, dt.time):  # None: an optional time left unset
        return value
    hint = f'{value!r} is not a time of day (write it like "20:00")'
    if not isinstance(value, str):
        raise ValueError(hint)
    try:
        parsed = dt.time.fromisoformat(value.strip().zfill(5))
    except ValueError:
        raise ValueError(hint) from None
    if parsed.tzinfo is not None:
        raise ValueError(f"{value!r} has a UTC offset; write the local time and set the timezone")
    return parsed
