"""One trigger job per pending step (`session-ID:KEY`) and per pending record on a mirror
platform (`session-ID:KEY@PLATFORM`), built from the ledger at start-up and whenever a step is
added or moved. A job only says "look at step X now"; the step runner (or the mirror runner)
decides what to do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.steps import StepStatus
from bot.engine.ports import PlatformStepLedger, StepLedger
from bot.engine.triggers import Trigger

RunStep = Callable[[int, str], Awaitable[None]]
RunMirror = Callable[[int, str, str], Awaitable[None]]


def job_id(session_id: int, key: str) -> str:
    return f"session-{session_id}:{key}"


def mirror_job_id(session_id: int, key: str, platform: str) -> str:
    return f"session-{session_id}:{key}@{platform}"


class Jobs:
    def __init__(
        self,
        trigger: Trigger,
        steps: StepLedger,
        run: RunStep,
        *,
        records: PlatformStepLedger | None = None,
        run_mirror: RunMirror | None = None,
    ) -> None:
        """`records` and `run_mirror` when the chat runs on mirror platforms too."""
        self._trigger = trigger
        self._steps = steps
        self._run = run
        self._records = records
        self._run_mirror = run_mirror

    def schedule_step(self, session_id: int, key: str, when: datetime) -> None:
        async def job() -> None:
            await self._run(session_id, key)

        self._trigger.at(job_id(session_id, key), when, job)

    def schedule_mirror(self, session_id: int, key: str, platform: str, when: datetime) -> None:
        run = self._run_mirror
        if run is None:
            return

        async def job() -> None:
            await run(session_id, key, platform)

        self._trigger.at(mirror_job_id(session_id, key, platform), when, job)

    def cancel_step(self, session_id: int, key: str) -> None:
        self._trigger.cancel(job_id(session_id, key))

    async def schedule_session(self, session_id: int) -> None:
        ledger = await self._steps.for_session(session_id)
        for step in ledger:
            if step.status is StepStatus.PENDING:
                self.schedule_step(session_id, step.key, step.due_at)
        if self._records is not None:
            due = {s.key: s.due_at for s in ledger}
            for record in await self._records.for_session(session_id):
                if record.status is StepStatus.PENDING and record.key in due:
                    self.schedule_mirror(session_id, record.key, record.platform, due[record.key])

    async def rebuild(self) -> None:
        """Start-up: one job per pending step in the ledger (past-due ones run at once), and per
        pending record on a mirror (due with its step; a step long sent: at once)."""
        for step in await self._steps.pending():
            self.schedule_step(step.session_id, step.key, step.due_at)
        if self._records is not None:
            for record in await self._records.pending():
                home = await self._steps.get(record.session_id, record.key)
                if home is not None:
                    self.schedule_mirror(
                        record.session_id, record.key, record.platform, home.due_at
                    )
