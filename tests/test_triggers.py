"""Triggers: upkeep timers (`every`, `daily`) beside the one-off step jobs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.clock import ManualClock
from bot.engine.triggers import ManualTrigger

T0 = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)


async def test_every_runs_from_its_first_time_at_each_interval() -> None:
    clock = ManualClock(T0)
    trigger = ManualTrigger(clock)
    runs: list[datetime] = []

    async def job() -> None:
        runs.append(clock.now())

    trigger.every("upkeep:republish", timedelta(minutes=1), job, first=T0)
    await trigger.advance_to(T0 + timedelta(minutes=3, seconds=30))
    assert runs == [T0 + timedelta(minutes=m) for m in range(4)]
    trigger.cancel("upkeep:republish")
    await trigger.advance_to(T0 + timedelta(minutes=10))
    assert len(runs) == 4


async def test_daily_runs_at_its_time_of_day_from_the_next_one() -> None:
    clock = ManualClock(T0)  # 22:30: today's 03:15 is past
    trigger = ManualTrigger(clock)
    runs: list[datetime] = []

    async def backup() -> None:
        runs.append(clock.now())

    trigger.daily("upkeep:nightly-backup", time(3, 15), backup)
    await trigger.advance_to(T0 + timedelta(days=2))
    first = datetime(2026, 12, 2, 3, 15, tzinfo=UTC)
    assert runs == [first, first + timedelta(days=1)]
