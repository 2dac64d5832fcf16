"""Time as a dependency: production reads the system clock, tests and benchmarks set it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


class ScaledClock:
    """Virtual time that runs `speed` times faster than the system clock, from `start`.

    The demo runs a real one-hour run of show in about 30 s this way: every timestamp (posts,
    member messages, the recap) reads like the real hour.
    """

    def __init__(self, start: datetime, speed: float, real: Clock | None = None) -> None:
        self._real = real or SystemClock()
        self._real_origin = self._real.now()
        self._origin = start
        self.speed = speed

    def now(self) -> datetime:
        return self._origin + (self._real.now() - self._real_origin) * self.speed

    def restart(self) -> None:
        """Count from `start` again, as if virtual time had stood still until now (set-up work
        on a slow machine must not eat into a fast run of show)."""
        self._real_origin = self._real.now()

    def to_real(self, virtual: datetime) -> datetime:
        """When, on the system clock, virtual time `virtual` arrives."""
        return self._real_origin + (virtual - self._origin) / self.speed

    def real_seconds_until(self, virtual: datetime) -> float:
        return max(0.0, (virtual - self.now()).total_seconds() / self.speed)
