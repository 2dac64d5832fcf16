"""What wakes the engine when a step falls due, and the bot's upkeep on its own timers.

The ledger in the DB is the truth; a trigger only says "look at step X now". Production uses
APScheduler's AsyncIOScheduler with one `date` job per step (stable ids, replace_existing), rebuilt
from the ledger at start-up, and `every` / `daily` jobs for upkeep (purge, redoing published
copies, backups). Tests can use ManualTrigger to drive time explicitly; the demo ScaledTrigger.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import ManualClock, ScaledClock

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Trigger(Protocol):
    def at(self, job_id: str, when: datetime, job: Job) -> None:
        """Run `job` at `when` (now if past); an existing job with this id is replaced."""

    def cancel(self, job_id: str) -> None: ...

    def every(self, job_id: str, interval: timedelta, job: Job, *, first: datetime) -> None:
        """Run `job` at `first`, then every `interval`; never two runs of it at once."""

    def daily(self, job_id: str, at: time, job: Job) -> None:
        """Run `job` every day at `at` (UTC)."""

    def start(self) -> None:
        """Begin firing jobs (inside the running event loop)."""

    def pause(self) -> None:
        """Fire nothing more for now (shutting down: the job in flight finishes)."""

    def shutdown(self) -> None: ...


class SchedulerTrigger:
    """APScheduler-backed trigger; the scheduler must be started inside a running event loop."""

    def __init__(self, scheduler: AsyncIOScheduler | None = None) -> None:
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")

    def start(self) -> None:
        if not self.scheduler.running:
            self.scheduler.start()

    def pause(self) -> None:
        if self.scheduler.running:
            self.scheduler.pause()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self.scheduler.add_job(
            job,
            "date",
            run_date=when,
            id=job_id,
            replace_existing=True,
            misfire_grace_time=None,  # a late job still runs; the engine decides if it is stale
            coalesce=True,
        )

    def cancel(self, job_id: str) -> None:
        if self.scheduler.get_job(job_id) is not None:
            self.scheduler.remove_job(job_id)

    def every(self, job_id: str, interval: timedelta, job: Job, *, first: datetime) -> None:
        self.scheduler.add_job(
            job,
            "interval",
            seconds=interval.total_seconds(),
            next_run_time=first,
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )

    def daily(self, job_id: str, at: time, job: Job) -> None:
        self.scheduler.add_job(
            job,
            "cron",
            hour=at.hour,
            minute=at.minute,
            timezone="UTC",
            id=job_id,
            replace_existing=True,
            coalesce=True,
        )

    def job_ids(self) -> set[str]:
        return {job.id for job in self.scheduler.get_jobs()}


class ManualTrigger:
    """Runs jobs only when `advance_to` is awaited, setting the clock to each job's time first."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self._jobs: dict[str, tuple[datetime, int, Job]] = {}
        self._order = itertools.count()

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self._jobs[job_id] = (when, next(self._order), job)

    def every(self, job_id: str, interval: timedelta, job: Job, *, first: datetime) -> None:
        async def again() -> None:
            self.every(job_id, interval, job, first=self.clock.now() + interval)
            await job()

        self.at(job_id, first, again)

    def daily(self, job_id: str, at: time, job: Job) -> None:
        today = self.clock.now().replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        first = today if today > self.clock.now() else today + timedelta(days=1)
        self.every(job_id, timedelta(days=1), job, first=first)

    def start(self) -> None:
        """Jobs run when a test advances the clock."""

    def pause(self) -> None:
        """Nothing runs between `advance_to` calls anyway."""

    def shutdown(self) -> None:
        self._jobs.clear()

    def cancel(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)

    def job_ids(self) -> set[str]:
        return set(self._jobs)

    def due_at(self, job_id: str) -> datetime | None:
        found = self._jobs.get(job_id)
        return found[0] if found else None

    async def advance_to(self, until: datetime) -> None:
        """Run every job due up to `until`, in due order (jobs added meanwhile included)."""
        while True:
            due = [(when, seq, jid) for jid, (when, seq, _) in self._jobs.items() if when <= until]
            if not due:
                break
            when, _, jid = heapq.nsmallest(1, due)[0]
            _, _, job = self._jobs.pop(jid)
            if when > self.clock.now():
                self.clock.set(when)
            await job()
        if until > self.clock.now():
            self.clock.set(until)


class ScaledTrigger:
    """Wraps a real trigger for a ScaledClock: a job due at virtual time T runs when T arrives."""

    _SLACK = timedelta(milliseconds=5)  # never fire a hair before the virtual due time

    def __init__(self, inner: SchedulerTrigger, clock: ScaledClock) -> None:
        self.inner = inner
        self.clock = clock

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        self.inner.at(job_id, self.clock.to_real(when) + self._SLACK, job)

    def cancel(self, job_id: str) -> None:
        self.inner.cancel(job_id)

    def every(self, job_id: str, interval: timedelta, job: Job, *, first: datetime) -> None:
        self.inner.every(job_id, interval / self.clock.speed, job, first=self.clock.to_real(first))

    def daily(self, job_id: str, at: time, job: Job) -> None:
        """Virtual days are short: once a virtual day, from the next `at`."""
        now = self.clock.now()
        today = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
        first = today if today > now else today + timedelta(days=1)
        self.every(job_id, timedelta(days=1), job, first=first)

    def start(self) -> None:
        self.inner.start()

    def pause(self) -> None:
        self.inner.pause()

    def shutdown(self) -> None:
        self.inner.shutdown()
