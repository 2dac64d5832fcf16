"""Durations as hosts write them: `30s`, `10m`, `1h`, `24h`, `1h30m`, `2d` (seconds matter: tests
compress a chat into seconds)."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: object) -> timedelta:
    """Parse `1h30m` style text (or seconds); raise ValueError naming the accepted forms."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; write it like 30s, 10m, 1h or 1h30m")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative; durations are written like 30s, 10m, 1h")
        return timedelta(seconds=value)
    if isinstance(value, str) and _WHOLE.match(value):
        seconds = sum(float(n) * _UNIT[u.lower()] for n, u in _PART.findall(value))
        return timedelta(seconds=seconds)
    raise ValueError(f"{value!r} is not a duration; write it like 30s, 10m, 1h or 1h30m")


def format_duration(value: timedelta) -> str:
    """Inverse of parse_duration for display: 5400s -> `1h30m`."""
    total = int(value.total_seconds())
    if total == 0:
        return "0s"
    sign = "-" if total < 0 else ""
    total = abs(total)
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            out += f"{total // size}{unit}"
            total %= size
    return sign + out
