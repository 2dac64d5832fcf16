"""Running one step when its job fires: re-read it under the session's lock, skip it if it is no
longer pending, due or useful (`staleness.py`), hand it to its kind's handler, and deal with
failures: retried with back-off, reported to the hosts when final. When even recording a failure
fails (the database stayed locked past its busy timeout), the step is tried again later without
touching the database, and hosts hear of it once the usual retries are used up.

From the moment the job fires the step goes first (`PostsFirst`): capture holds back its next
run of messages until the post is out and recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepKind, StepRow, StepStatus
from bot.engine.events import EventKeeper
from bot.engine.locks import PostsFirst, SessionLocks
from bot.engine.notify import HostNotes
from bot.engine.ports import SessionRecords, StepLedger
from bot.engine.staleness import stale_reason
from bot.engine.step_kinds import StepCall, StepHandler
from bot.transport import TransportError

log = logging.getLogger(__name__)

RETRY_DELAYS = (2.0, 10.0, 30.0, 120.0, 300.0)  # seconds between attempts of a failing step
# Steps whose posts move the attribution clock (see `bot.engine.session_view.build_view`).
TIMELINE_KINDS = frozenset({StepKind.WELCOME, StepKind.QUESTION, StepKind.CLOSE})
# Steps after which the scheduled event changes status (live, completed).
EVENT_KINDS = frozenset({StepKind.WELCOME, StepKind.CLOSE})

Schedule = Callable[[int, str, datetime], None]


class StepRunner:
    def __init__(
        self,
        *,
        chats: Mapping[str, ChatSettings],
        sessions: SessionRecords,
        steps: StepLedger,
        handlers: Mapping[StepKind, StepHandler],
        locks: SessionLocks,
        posts_first: PostsFirst,
        notes: HostNotes,
        clock: Clock,
        schedule: Schedule,
        timeline_changed: Callable[[int], None],
        events: EventKeeper,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._chats = chats
        self._sessions, self._steps = sessions, steps
        self._handlers = handlers
        self._locks, self._posts_first = locks, posts_first
        self._notes, self._clock = notes, clock
        self._schedule = schedule
        self._timeline_changed = timeline_changed
        self._events = events
        self.retry_delays = tuple(retry_delays)
        self._session_chats: dict[int, str] = {}  # known without the database (it may be locked)
        self._unrecorded: dict[tuple[int, str], int] = {}  # step -> runs that raised

    async def run_step(self, session_id: int, key: str) -> None:
        """Fire one step if it is still pending, due and useful; never twice."""
        try:
            await self._run_step(session_id, key)
        except Exception as exc:
            runs = self._unrecorded[(session_id, key)] = (
                self._unrecorded.get((session_id, key), 0) + 1
            )
            delays = self.retry_delays or RETRY_DELAYS
            delay = delays[min(runs, len(delays)) - 1]
            log.exception(
                "step %s of session %s raised; trying again in %ss", key, session_id, delay
            )
            self._schedule(session_id, key, self._clock.now() + timedelta(seconds=delay))
            if runs == len(delays):
                name = self._session_chats.get(session_id)
                chats = self._chats.values() if name is None else [self._chats[name]]
                for chat in chats:
                    await self._notes.tell(
                        chat,
                        f"I could not run `{key}` for {chat.hashtag} ({type(exc).__name__}: {exc});"
                        f" I keep trying every {delay:.0f}s.",
                    )
        else:
            self._unrecorded.pop((session_id, key), None)

    async def _run_step(self, session_id: int, key: str) -> None:
        async with self._locks.lock(session_id), self._posts_first.posting():
            # both reads at once: one wait for the database thread, not two turns of a busy loop
            session, ledger = await asyncio.gather(
                self._sessions.get(session_id), self._steps.for_session(session_id)
            )
            step = next((s for s in ledger if s.key == key), None)
            if session is not None:
                self._session_chats[session_id] = session.chat
            if session is None or step is None or step.status is not StepStatus.PENDING:
                return
            now = self._clock.now()
            if step.due_at > now:  # moved later (resume, extend) after this job was set
                self._schedule(session_id, key, step.due_at)
                return
            if session.status is SessionStatus.PAUSED:
                return  # resume re-schedules every pending step
            if session.status is SessionStatus.CANCELLED:
                await self._steps.mark_skipped(session_id, key, "session cancelled")
                return
            reason = stale_reason(step, ledger, now)
            if reason is not None:
                log.info("skipping %s of session %s: %s", key, session_id, reason)
                await self._steps.mark_skipped(session_id, key, reason)
                return
            try:
                await self._perform(session, step, ledger)
            except TransportError as exc:
                await self._failed(session, step, exc)
            except Exception as exc:  # a bug or a full disk must not silently drop the step
                log.exception("step %s of session %s raised", key, session_id)
                await self._failed(session, step, TransportError(f"{type(exc).__name__}: {exc}"))

    async def _perform(self, session: SessionRow, step: StepRow, ledger: list[StepRow]) -> None:
        """Hand the step to its kind's handler; capture waits meanwhile if it moves the
        timeline."""
        kind = StepKind(step.kind)
        call = StepCall(session, self._chats[session.chat], step, ledger)
        handler = self._handlers.get(kind)
        try:
            if kind in TIMELINE_KINDS:
                with self._locks.moving_timeline(session.id):
                    done = handler is not None and await handler(call)
            else:
                done = handler is not None and await handler(call)
            if not done:
                await self._steps.mark_skipped(
                    session.id, step.key, "nothing to do for this step here"
                )
        finally:
            self._timeline_changed(session.id)
        if kind in EVENT_KINDS:  # after capture is free again: the event is no hurry
            async with self._posts_first.aside():
                await self._events.sync(session.id)

    async def _failed(self, session: SessionRow, step: StepRow, exc: TransportError) -> None:
        row = await self._steps.get(session.id, step.key)
        attempts = row.attempts if row else step.attempts
        if attempts == step.attempts:  # failed before anything was sent: still an attempt
            attempts = await self._steps.begin_attempt(session.id, step.key)
        final = not exc.retryable or attempts > len(self.retry_delays)
        await self._steps.fail_attempt(session.id, step.key, str(exc), final=final)
        chat = self._chats[session.chat]
        if final:
            log.error("step %s of session %s failed for good: %s", step.key, session.id, exc)
            await self._notes.tell(chat, f"I could not post `{step.key}` for {chat.hashtag}: {exc}")
            return
        delay = self.retry_delays[attempts - 1]
        log.warning(
            "step %s of session %s failed (%s); retrying in %ss", step.key, session.id, exc, delay
        )
        self._schedule(session.id, step.key, self._clock.now() + timedelta(seconds=delay))
