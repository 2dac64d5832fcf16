"""One trigger job per pending step (`session-ID:KEY`), built from the ledger at start-up and
whenever a step is added or moved. The job only says "look at step X now"; the step runner
decides what to do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.domain.steps import StepStatus
from bot.engine.ports import StepLedger
from bot.engine.triggers import Trigger

RunStep = Callable[[int, str], Awaitable[None]]


def job_id(session_id: int, key: str) -> str:
    return f"session-{session_id}:{key}"


class Jobs:
    def __init__(self, trigger: Trigger, steps: StepLedger, run: RunStep) -> None:
        self._trigger = trigger
        self._steps = steps
        self._run = run

    def schedule_step(self, session_id: int, key: str, when: datetime) -> None:
        async def job() -> None:
            await self._run(session_id, key)

        self._trigger.at(job_id(session_id, key), when, job)

    def cancel_step(self, session_id: int, key: str) -> None:
        self._trigger.cancel(job_id(session_id, key))

    async def schedule_session(self, session_id: int) -> None:
        for step in await self._steps.for_session(session_id):
            if step.status is StepStatus.PENDING:
                self.schedule_step(session_id, step.key, step.due_at)

    async def rebuild(self) -> None:
        """Start-up: one job per pending step in the ledger (past-due ones run at once)."""
        for step in await self._steps.pending():
            self.schedule_step(step.session_id, step.key, step.due_at)
