"""Snowflake ids and timestamps, shaped like Discord's."""

from __future__ import annotations

import datetime as dt
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeGenerator:
    """Time-based snowflakes: ``(ms since Discord epoch) << 22 | increment``.

    Ids are strictly increasing even when many are made in the same millisecond, so ordering by
    id is ordering by creation, as on Discord.
    """

    def __init__(self, worker_id: int = 1, process_id: int = 1) -> None:
        self._prefix = ((worker_id & 0x1F) << 17) | ((process_id & 0x1F) << 12)
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        if ms <= self._last_ms:
            ms = self._last_ms
            self._increment += 1
            if self._increment > 0xFFF:
                ms += 1
                self._increment = 0
        else:
            self._increment = 0
        self._last_ms = ms
        return (ms << 22) | self._prefix | self._increment


def snowflake_time(snowflake: int) -> float:
    """Unix time (seconds) encoded in a snowflake."""
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000.0


def iso(ts: float) -> str:
    """ISO 8601 timestamp with microseconds and +00:00, like Discord's."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


def iso_of(snowflake: int) -> str:
    return iso(snowflake_time(snowflake))
