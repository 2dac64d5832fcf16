"""Health: fresh, stale and missing heartbeats; a missing or foreign database; the writer loop
(driven by a fake sleep, no real waiting); the CLI's exit codes for Docker's HEALTHCHECK."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.maintenance.heartbeat import check_health, heartbeat_loop
from bot.store import Store

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
CONFIG = "database: chat.db\nchats:\n  - name: c\n    guild_id: 1\n    channels: {chat: 2}\n"


async def test_fresh_heartbeat_is_healthy(store: Store, tmp_path: Path) -> None:
    await store.heartbeat.beat(NOW - timedelta(seconds=20), 4321, "connected")
    health = check_health(tmp_path / "test.db", NOW)
    assert health.ok, health.reason
    assert "20s ago" in health.reason and "4321" in health.reason


async def test_stale_heartbeat_is_unhealthy(store: Store, tmp_path: Path) -> None:
    await store.heartbeat.beat(NOW - timedelta(seconds=91), 4321, "connected")
    health = check_health(tmp_path / "test.db", NOW)
    assert not health.ok and "stale" in health.reason and "91s ago" in health.reason
    assert check_health(tmp_path / "test.db", NOW, stale_after=timedelta(minutes=5)).ok


async def test_no_heartbeat_is_unhealthy(store: Store, tmp_path: Path) -> None:
    health = check_health(tmp_path / "test.db", NOW)
    assert not health.ok and "no heartbeat" in health.reason


def test_missing_database_is_unhealthy_and_not_created(tmp_path: Path) -> None:
    health = check_health(tmp_path / "nope.db", NOW)
    assert not health.ok and "does not exist" in health.reason
    assert list(tmp_path.iterdir()) == []


def test_foreign_or_broken_database_is_unhealthy(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert "not a leadershipchat database" in check_health(other, NOW).reason
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert "cannot be read" in check_health(junk, NOW).reason


class Ticks:
    """A sleep that advances a fake clock and stops the loop after `n` sleeps."""

    def __init__(self, n: int) -> None:
        self.now, self.left, self.slept = NOW, n, []

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        self.left -= 1
        if not self.left:
            raise asyncio.CancelledError


async def test_loop_beats_while_connected_and_clears_on_stop(store: Store, tmp_path: Path) -> None:
    ticks = Ticks(3)
    connected = iter([True, True, False])
    seen: list[datetime | None] = []

    async def sleep(seconds: float) -> None:
        beat = await store.heartbeat.last()
        seen.append(beat.at if beat else None)
        await ticks.sleep(seconds)

    with pytest.raises(asyncio.CancelledError):
        await heartbeat_loop(
            store, clock=ticks.clock, is_connected=lambda: next(connected), sleep=sleep
        )
    # beats at t=0 and t=30; at t=60 it was disconnected, so the t=30 beat stayed
    assert seen == [NOW, NOW + timedelta(seconds=30), NOW + timedelta(seconds=30)]
    assert ticks.slept == [30, 30, 30]
    assert await store.heartbeat.last() is None  # a clean stop says so at once
    assert not check_health(tmp_path / "test.db", NOW).ok


async def test_loop_survives_a_failed_write(store: Store) -> None:
    ticks = Ticks(2)
    await store.conn.execute(
        "CREATE TRIGGER nope BEFORE INSERT ON heartbeat BEGIN SELECT RAISE(ABORT, 'disk'); END"
    )
    with pytest.raises(asyncio.CancelledError):
        await heartbeat_loop(store, clock=ticks.clock, sleep=ticks.sleep)
    assert ticks.slept == [30, 30]


def test_health_command_exit_codes(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    config = write_config(CONFIG)
    missing = run_cli("--config", config, "health")
    assert missing.code == 1 and "does not exist" in missing.err

    async def beat(at: datetime) -> None:
        async with Store(tmp_path / "chat.db") as store:
            await store.heartbeat.beat(at, 99, "connected")

    asyncio.run(beat(datetime.now(UTC)))
    ok = run_cli("--config", config, "health")
    assert ok.code == 0 and ok.out.startswith("ok: heartbeat")

    asyncio.run(beat(datetime.now(UTC) - timedelta(minutes=10)))
    stale = run_cli("--config", config, "health")
    assert stale.code == 1 and "stale" in stale.err


def test_health_with_a_broken_config_is_unhealthy_not_a_usage_error(
    write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    result = run_cli("--config", write_config("chats: []\n"), "health")
    assert result.code == 1 and result.err.startswith("unhealthy: config")
