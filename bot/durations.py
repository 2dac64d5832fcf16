"""Durations as hosts write them: `30s`, `10m`, `1h`, `24h`, `1h30m`, `2d` (seconds matter: tests
compress a chat into seconds)."""

from __future__ import annotations

import math
import re
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[dhms]\s*)+$", re.IGNORECASE)
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
MAX_DURATION = timedelta(days=366)  # nothing in a weekly chat is longer; past it, a typo
_MAX_TEXT = 50
_HINT = "write it like 30s, 10m, 1h or 1h30m"


def parse_duration(value: object) -> timedelta:
    """Parse `1h30m` style text (or seconds); raise ValueError naming the accepted forms."""
    if isinstance(value, timedelta):
        return _bounded(value.total_seconds(), value)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration; {_HINT}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"{value!r} is negative; durations are written like 30s, 10m, 1h")
        return _bounded(float(value), value)
    if isinstance(value, str) and len(value) <= _MAX_TEXT and _WHOLE.match(value):
        seconds = sum(float(n) * _UNIT[u.lower()] for n, u in _PART.findall(value))
        return _bounded(seconds, value)
    shown = (
        value if not isinstance(value, str) or len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
    )
    raise ValueError(f"{shown!r} is not a duration; {_HINT}")


def _bounded(seconds: float, written: object) -> timedelta:
    if not math.isfinite(seconds):
        raise ValueError(f"{written!r} is not a duration; {_HINT}")
    if abs(seconds) > MAX_DURATION.total_seconds():
        raise ValueError(f"{written!r} is too long; durations go up to {MAX_DURATION.days}d")
    return timedelta(seconds=seconds)


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
