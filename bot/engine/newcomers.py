"""Newcomer welcomes: newcomers arriving close together are welcomed in one post, a
`newcomers-N` ledger step due `newcomer_grouping` after the first of them."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow
from bot.domain.steps import NewStep, StepKind, StepStatus
from bot.engine.jobs import Jobs
from bot.engine.ports import StepLedger


class NewcomerBatches:
    def __init__(self, steps: StepLedger, jobs: Jobs, clock: Clock) -> None:
        self._steps = steps
        self._jobs = jobs
        self._clock = clock
        # session id -> due time of its pending newcomers step, so a burst of newcomer messages
        # does not read the ledger once per message
        self._due: dict[int, datetime] = {}

    def forget(self, session_id: int) -> None:
        """The ledger changed (a step was sent or moved)."""
        self._due.pop(session_id, None)

    async def queue(self, session: SessionRow, chat: ChatSettings) -> None:
        """Make sure a newcomers step is pending for the session (one batch at a time)."""
        now = self._clock.now()
        due = self._due.get(session.id)
        if due is not None and now < due:
            return  # still pending: it cannot run before it is due, and moving it forgets this
        ledger = await self._steps.for_session(session.id)
        batches = [s for s in ledger if s.kind == StepKind.NEWCOMERS.value]
        pending = [s for s in batches if s.status is StepStatus.PENDING]
        if pending:
            self._due[session.id] = pending[0].due_at
            return
        key = f"newcomers-{len(batches) + 1}"
        due = now + chat.run_of_show.newcomer_grouping
        await self._steps.add(session.id, [NewStep(key, StepKind.NEWCOMERS.value, due)])
        self._jobs.schedule_step(session.id, key, due)
        self._due[session.id] = due
