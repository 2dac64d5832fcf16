"""Clocks: the demo's virtual time runs `speed` times faster and can start over after set-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock, ScaledClock

REAL = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EVENING = datetime(2026, 12, 2, 0, 50, tzinfo=UTC)


def test_scaled_clock_runs_faster_and_maps_back_to_real_time() -> None:
    real = ManualClock(REAL)
    clock = ScaledClock(EVENING, speed=120, real=real)
    real.set(REAL + timedelta(seconds=5))
    assert clock.now() == EVENING + timedelta(minutes=10)
    assert clock.to_real(EVENING + timedelta(minutes=20)) == REAL + timedelta(seconds=10)
    assert clock.real_seconds_until(EVENING + timedelta(minutes=12)) == 1.0


def test_restarting_the_scaled_clock_gives_back_time_spent_setting_up() -> None:
    """A slow set-up (opening the database, seeding last week) must not make the first
    reminder of a fast demo stale before it could be posted."""
    real = ManualClock(REAL)
    clock = ScaledClock(EVENING, speed=1200, real=real)
    real.set(REAL + timedelta(seconds=2))  # 40 virtual minutes gone during set-up
    clock.restart()
    assert clock.now() == EVENING
    real.set(REAL + timedelta(seconds=3))
    assert clock.now() == EVENING + timedelta(minutes=20)
