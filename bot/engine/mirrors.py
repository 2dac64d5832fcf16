"""The platforms a chat also runs on, beside its home platform (issue 16: Bluesky beside
Discord): a list of mirrors the engine is given.

The home platform's post of a step is the step's own ledger row (`steps`). Each mirror says
which step kinds it takes for a chat; when the session is planned every such step gets a record
on that platform (`platform_steps`, pending) and a trigger job of its own
(`session-ID:KEY@PLATFORM`), due with the step. The job posts the mirror's version once the home
post is recorded (the home post moves the timeline; a mirror follows it), skips it when the
step was not posted at home (stale, skipped, cancelled), and records what was posted. Failures
are retried with back-off and told to the hosts when final; the home chat never waits for a
mirror. A restart rebuilds the mirror jobs from the pending records, like the steps'.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionStatus
from bot.domain.steps import NewStep, StepKind, StepStatus
from bot.engine.locks import SessionLocks
from bot.engine.notify import HostNotes
from bot.engine.ports import PlatformStepLedger, SessionRecords, StepLedger
from bot.engine.step_kinds import StepCall
from bot.transport import TransportError

log = logging.getLogger(__name__)

FOLLOW = timedelta(seconds=5)  # a mirror due while its home post is still being retried


@dataclass(frozen=True)
class MirrorCall:
    """A step posted at home, to be posted on a mirror; `attempts` > 0 when an earlier attempt
    may have reached the platform (look for the bot's own post there first)."""

    step: StepCall
    attempts: int


class Mirror(Protocol):
    """Another platform the chat runs on (implemented in its edge package, e.g. `bot/bluesky/`)."""

    name: str

    def kinds(self, chat: ChatSettings) -> Collection[StepKind]:
        """The step kinds this platform posts for the chat (none: the chat is not on it)."""

    async def post(self, call: MirrorCall) -> str | None:
        """Post this platform's version of the step, once; return its id there (None when
        there was nothing to post). A TransportError is retried unless `retryable` is False."""


ScheduleMirror = Callable[[int, str, str, datetime], None]


class MirrorRunner:
    def __init__(
        self,
        *,
        mirrors: Sequence[Mirror],
        chats: Mapping[str, ChatSettings],
        sessions: SessionRecords,
        steps: StepLedger,
        records: PlatformStepLedger,
        locks: SessionLocks,
        notes: HostNotes,
        clock: Clock,
        schedule: ScheduleMirror,
        retry_delays: Sequence[float],
    ) -> None:
        self._mirrors = {m.name: m for m in mirrors}
        self._chats = chats
        self._sessions, self._steps, self._records = sessions, steps, records
        self._locks, self._notes, self._clock = locks, notes, clock
        self._schedule = schedule
        self._delays = tuple(retry_delays)
        self._raised: dict[tuple[int, str, str], int] = {}

    async def plan(self, session_id: int, chat: ChatSettings, steps: Sequence[NewStep]) -> None:
        """A record on each mirror for the steps of kinds it takes (planning, re-planning)."""
        for name, mirror in self._mirrors.items():
            kinds = {StepKind(k).value for k in mirror.kinds(chat)}
            keys = [s.key for s in steps if s.kind in kinds]
            if keys:
                await self._records.add(session_id, name, keys)

    async def run(self, session_id: int, key: str, platform: str) -> None:
        """The mirror job: never raises; a run that could not even record is tried again."""
        try:
            await self._run(session_id, key, platform)
        except Exception:
            runs = self._raised[(session_id, key, platform)] = (
                self._raised.get((session_id, key, platform), 0) + 1
            )
            delay = self._delays[min(runs, len(self._delays)) - 1]
            log.exception("%s of step %s of session %s raised", platform, key, session_id)
            self._schedule(session_id, key, platform, self._later(delay))
        else:
            self._raised.pop((session_id, key, platform), None)

    async def _run(self, session_id: int, key: str, platform: str) -> None:
        async with self._locks.lock(session_id):
            session, ledger, record = await asyncio.gather(
                self._sessions.get(session_id),
                self._steps.for_session(session_id),
                self._records.get(session_id, key, platform),
            )
            step = next((s for s in ledger if s.key == key), None)
            mirror = self._mirrors.get(platform)
            if record is None or record.status is not StepStatus.PENDING:
                return
            if session is None or step is None or mirror is None:
                await self._records.mark_skipped(session_id, key, platform, "no such step here")
                return
            if session.status is SessionStatus.CANCELLED or step.status in (
                StepStatus.SKIPPED,
                StepStatus.FAILED,
            ):
                why = f"not posted on the home platform ({step.last_error or step.status.value})"
                await self._records.mark_skipped(session_id, key, platform, why)
                return
            if step.status is StepStatus.PENDING:  # the home post comes first
                self._schedule(session_id, key, platform, max(step.due_at, self._later(FOLLOW)))
                return
            chat = self._chats[session.chat]
            await self._records.begin_attempt(session_id, key, platform)
            call = MirrorCall(StepCall(session, chat, step, ledger), record.attempts)
            try:
                ref = await mirror.post(call)
            except TransportError as exc:
                await self._failed(chat, session_id, key, platform, record.attempts + 1, exc)
                return
            await self._records.mark_sent(session_id, key, platform, post_ref=ref, at=self._now())
            log.info("step %s of session %s posted on %s", key, session_id, platform)

    async def _failed(
        self,
        chat: ChatSettings,
        session_id: int,
        key: str,
        platform: str,
        attempts: int,
        exc: TransportError,
    ) -> None:
        final = not exc.retryable or attempts > len(self._delays)
        await self._records.fail_attempt(session_id, key, platform, str(exc), final=final)
        if final:
            log.error(
                "step %s of session %s failed for good on %s: %s", key, session_id, platform, exc
            )
            await self._notes.tell(
                chat, f"I could not post `{key}` on {platform} for {chat.hashtag}: {exc}"
            )
            return
        self._schedule(session_id, key, platform, self._later(self._delays[attempts - 1]))

    def _now(self) -> datetime:
        return self._clock.now()

    def _later(self, delay: float | timedelta) -> datetime:
        seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
        return self._clock.now() + timedelta(seconds=seconds)
