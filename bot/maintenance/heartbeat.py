"""The running bot's liveness mark and the `health` verdict read from it by another process.

The bot writes a beat every 30 s while it is connected to Discord; `leadershipchat health` (the
Docker HEALTHCHECK) calls the bot healthy while the last beat is younger than 90 s, so one missed
beat or a short reconnect is not an alarm but a bot stuck for a minute and a half is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.damaged_row import DamagedRow
from bot.store import SCHEMA_VERSION, Store
from bot.store.backup import inspect, last_beat

log = logging.getLogger(__name__)

INTERVAL = 30.0
STALE_AFTER = timedelta(seconds=90)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


def utc_now() -> datetime:
    return datetime.now(UTC)


async def beat_once(store: Store, now: datetime, detail: str = "connected") -> None:
    """Write one beat (for a caller that has its own timer)."""
    await store.heartbeat.beat(now, os.getpid(), detail)


async def heartbeat_loop(
    store: Store,
    *,
    interval: float = INTERVAL,
    clock: Clock = utc_now,
    is_connected: Callable[[], bool] = lambda: True,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Beat every `interval` seconds while `is_connected()`; run it as a task and cancel it to
    stop. On cancellation (a clean shutdown) the beat is cleared, so `health` and `restore` know
    at once that the bot is gone. A failed write is logged and retried next time."""
    try:
        while True:
            if is_connected():
                try:
                    await beat_once(store, clock())
                except (sqlite3.Error, ValueError) as exc:
                    log.warning("heartbeat not written: %s", exc)
            await sleep(interval)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await store.upkeep.clear_heartbeat()
        raise


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def check_health(database: Path, now: datetime, *, stale_after: timedelta = STALE_AFTER) -> Health:
    """Healthy when the database opens, is ours, and holds a beat younger than `stale_after`."""
    try:
        facts = inspect(database, integrity=False)
        beat = last_beat(database)
    except FileNotFoundError:
        return Health(False, f"database {database} does not exist (has the bot ever run?)")
    except (sqlite3.Error, DamagedRow) as exc:
        return Health(False, f"database {database} cannot be read: {exc}")
    if not facts.is_leadershipchat:
        return Health(False, f"{database} is not a leadershipchat database")
    if facts.user_version > SCHEMA_VERSION:
        return Health(
            False,
            f"database schema v{facts.user_version} is newer than this leadershipchat "
            f"(v{SCHEMA_VERSION})",
        )
    if beat is None:
        return Health(False, "no heartbeat: the bot is not running or not connected to Discord")
    age = now - beat.at
    seconds = round(age.total_seconds())
    if age > stale_after:
        return Health(
            False,
            f"heartbeat is stale: last one {seconds}s ago at {beat.at:%Y-%m-%d %H:%M:%S} UTC "
            f"(pid {beat.pid}; limit {round(stale_after.total_seconds())}s)",
        )
    return Health(True, f"ok: heartbeat {max(seconds, 0)}s ago, pid {beat.pid}, {beat.detail}")
