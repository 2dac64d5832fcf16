"""Host controls: start, pause/resume, next, skip, edit, extend, end, cancel, re-run recap.

Each one changes the ledger (due times or statuses), is recorded as a host action, and re-arms the
jobs, so it survives a restart. Each returns a short sentence for the host who asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepKind, StepRow, StepStatus
from bot.engine import render
from bot.engine.events import EventKeeper
from bot.engine.jobs import Jobs
from bot.engine.locks import SessionLocks
from bot.engine.notify import best_effort
from bot.engine.ports import HostActionLog, SessionRecords, StepLedger
from bot.engine.queries import current_session
from bot.engine.sending import step_nonce
from bot.transport import ChatTransport, Outgoing

_CHAT_KINDS = {
    StepKind.WELCOME.value,
    StepKind.HEADS_UP.value,
    StepKind.QUESTION.value,
    StepKind.LAST_CALL.value,
    StepKind.CLOSE.value,
    StepKind.RECAP.value,
    StepKind.NEWCOMERS.value,
    StepKind.SLOWMODE_ON.value,
    StepKind.SLOWMODE_OFF.value,
}
# What a longer chat moves, and what closing it now brings forward.
_TAIL_KINDS = {
    StepKind.LAST_CALL.value,
    StepKind.CLOSE.value,
    StepKind.RECAP.value,
    StepKind.SLOWMODE_OFF.value,
}


class ControlError(Exception):
    """The control cannot apply now (e.g. nothing to skip); the message says why."""


class HostControls:
    def __init__(
        self,
        *,
        chats: Mapping[str, ChatSettings],
        sessions: SessionRecords,
        steps: StepLedger,
        host_actions: HostActionLog,
        jobs: Jobs,
        locks: SessionLocks,
        transport: ChatTransport,
        clock: Clock,
        timeline_changed: Callable[[int], None],
        events: EventKeeper,
    ) -> None:
        self._chats = chats
        self._sessions, self._steps, self._host_actions = sessions, steps, host_actions
        self._jobs, self._locks = jobs, locks
        self._transport, self._clock = transport, clock
        self._timeline_changed = timeline_changed
        self._events = events

    async def _session(self, chat_name: str) -> SessionRow:
        session = await current_session(self._sessions, chat_name)
        if session is None:
            raise ControlError("there is no planned or running session for this chat")
        return session

    async def _pending(self, session_id: int) -> list[StepRow]:
        return [
            s for s in await self._steps.for_session(session_id) if s.status is StepStatus.PENDING
        ]

    async def _apply(
        self, session: SessionRow, moves: dict[str, datetime], action: str, detail: str, actor: str
    ) -> None:
        await self._steps.reschedule(session.id, moves)
        await self._host_actions.record(session.id, action, detail, actor, self._clock.now())
        self._timeline_changed(session.id)
        await self._jobs.schedule_session(session.id)
        await self._events.sync(session.id)

    async def start_now(self, chat_name: str, actor: str) -> str:
        session = await self._session(chat_name)
        async with self._locks.lock(session.id):
            pending = await self._pending(session.id)
            welcome = next((s for s in pending if s.key == "welcome"), None)
            if welcome is None:
                raise ControlError("this session has already started")
            now = self._clock.now()
            shift = now - welcome.due_at
            for s in pending:
                if s.kind == StepKind.REMINDER.value:
                    await self._steps.mark_skipped(session.id, s.key, "started early by a host")
            await self._apply(
                session,
                {s.key: s.due_at + shift for s in pending if s.kind in _CHAT_KINDS},
                "start",
                "",
                actor,
            )
        return "Starting now: the welcome goes out and every later step moves with it."

    async def pause(self, chat_name: str, actor: str) -> str:
        session = await self._session(chat_name)
        if session.status is SessionStatus.PAUSED:
            raise ControlError("the chat is already paused")
        if session.status not in (SessionStatus.PLANNED, SessionStatus.RUNNING):
            raise ControlError("only a planned or running chat can be paused")
        async with self._locks.lock(session.id):
            now = self._clock.now()
            await self._sessions.set_status(session.id, SessionStatus.PAUSED, paused_at=now)
            await self._apply(session, {}, "pause", "", actor)
        return "Paused. Nothing more is posted until `/chathost resume`; every later step will move by the pause."

    async def resume(self, chat_name: str, actor: str) -> str:
        session = await self._session(chat_name)
        if session.status is not SessionStatus.PAUSED or session.paused_at is None:
            raise ControlError("the chat is not paused")
        async with self._locks.lock(session.id):
            now = self._clock.now()
            shift = now - session.paused_at
            ledger = await self._steps.for_session(session.id)
            started = any(s.key == "welcome" and s.status is StepStatus.SENT for s in ledger)
            status = SessionStatus.RUNNING if started else SessionStatus.PLANNED
            await self._sessions.set_status(session.id, status)
            pending = [s for s in ledger if s.status is StepStatus.PENDING]
            moves = {s.key: s.due_at + shift for s in pending}
            await self._apply(session, moves, "resume", f"paused for {_minutes(shift)}", actor)
        return f"Resumed after {_minutes(shift)}; every later step moved by the same."

    async def next_question(self, chat_name: str, actor: str) -> str:
        session = await self._session(chat_name)
        async with self._locks.lock(session.id):
            pending = await self._pending(session.id)
            questions = [s for s in pending if s.kind == StepKind.QUESTION.value]
            if not questions:
                raise ControlError("there is no question left to post")
            now = self._clock.now()
            first = questions[0]
            pull = max(first.due_at - now, timedelta(0))
            moves: dict[str, datetime] = {first.key: now}
            for s in pending:
                if (
                    s.kind in (StepKind.QUESTION.value, StepKind.HEADS_UP.value)
                    and s.due_at > first.due_at
                ):
                    moves[s.key] = s.due_at - pull
            await self._steps.mark_skipped(
                session.id, f"heads-up-q{first.question}", "posted early"
            )
            await self._apply(session, moves, "next", first.key, actor)
        return f"Posting Q{first.question} now; later questions keep their spacing."

    async def skip_question(self, chat_name: str, actor: str, number: int | None = None) -> str:
        session = await self._session(chat_name)
        async with self._locks.lock(session.id):
            pending = [
                s for s in await self._pending(session.id) if s.kind == StepKind.QUESTION.value
            ]
            target = next((s for s in pending if number is None or s.question == number), None)
            if target is None:
                raise ControlError(
                    f"Q{number} is not waiting to be posted"
                    if number
                    else "no question left to skip"
                )
            await self._steps.mark_skipped(session.id, target.key, f"skipped by {actor}")
            await self._steps.mark_skipped(
                session.id, f"heads-up-q{target.question}", "question skipped"
            )
            self._jobs.cancel_step(session.id, target.key)
            self._jobs.cancel_step(session.id, f"heads-up-q{target.question}")
            await self._apply(session, {}, "skip", target.key, actor)
        return f"Q{target.question} will not be posted."

    async def edit_question(self, chat_name: str, number: int, text: str, actor: str) -> str:
        text = text.strip()
        if not text:
            raise ControlError("the new question text is empty")
        session = await self._session(chat_name)
        async with self._locks.lock(session.id):
            step = await self._steps.get(session.id, f"q{number}")
            if step is None:
                raise ControlError(f"this session has no Q{number}")
            if step.status is not StepStatus.PENDING:
                raise ControlError(
                    f"Q{number} was already {step.status.value}; it can no longer be edited"
                )
            await self._sessions.set_topic(session.id, session.topic.with_question(number, text))
            await self._apply(session, {}, "edit-question", f"q{number}: {text}", actor)
        return f"Q{number} will be: {text}"

    async def extend(self, chat_name: str, minutes: int, actor: str) -> str:
        if not 1 <= minutes <= 180:
            raise ControlError("extend by 1 to 180 minutes")
        session = await self._session(chat_name)
        delta = timedelta(minutes=minutes)
        async with self._locks.lock(session.id):
            pending = await self._pending(session.id)
            moves: dict[str, datetime] = {
                s.key: s.due_at + delta for s in pending if s.kind in _TAIL_KINDS
            }
            if "close" not in moves:
                raise ControlError("the chat has already closed")
            await self._apply(session, moves, "extend", f"{minutes} min", actor)
        return f"Extended by {minutes} minutes: last call, close and recap moved."

    async def end_now(self, chat_name: str, actor: str) -> str:
        session = await self._session(chat_name)
        chat = self._chats[chat_name]
        async with self._locks.lock(session.id):
            pending = await self._pending(session.id)
            if not any(s.key == "close" for s in pending):
                raise ControlError("the chat has already closed")
            now = self._clock.now()
            for s in pending:
                if s.kind in (
                    StepKind.QUESTION.value,
                    StepKind.HEADS_UP.value,
                    StepKind.LAST_CALL.value,
                ):
                    await self._steps.mark_skipped(session.id, s.key, f"ended early by {actor}")
                    self._jobs.cancel_step(session.id, s.key)
            moves: dict[str, datetime] = {
                "close": now,
                "slowmode-off": now,
                "recap": now + chat.run_of_show.late_window,
            }
            if session.status is SessionStatus.PAUSED:  # ending a paused chat ends the pause too
                await self._sessions.set_status(session.id, SessionStatus.RUNNING)
            await self._apply(session, moves, "end", "", actor)
        return "Closing now; late answers are collected as usual before the recap."

    async def cancel(self, chat_name: str, actor: str) -> str:
        session = await self._session(chat_name)
        chat = self._chats[chat_name]
        welcome = await self._steps.get(session.id, "welcome")
        started = welcome is not None and welcome.status is StepStatus.SENT
        if started or session.status not in (SessionStatus.PLANNED, SessionStatus.PAUSED):
            raise ControlError(
                "only a chat that has not started can be cancelled (use `/chathost end` instead)"
            )
        async with self._locks.lock(session.id):
            for s in await self._pending(session.id):
                await self._steps.mark_skipped(session.id, s.key, f"cancelled by {actor}")
                self._jobs.cancel_step(session.id, s.key)
            await self._sessions.set_status(session.id, SessionStatus.CANCELLED)
            await self._apply(session, {}, "cancel", "", actor)
            await best_effort(
                self._transport.post(
                    Outgoing(
                        chat.announce_channel,
                        render.cancelled(chat, session.start_at),
                        nonce=step_nonce(session.id, "cancelled", session.start_at),
                    )
                ),
                "announce the cancellation",
            )
        return "This week's chat is cancelled; members were told in the announcement channel."

    async def rerun_recap(self, chat_name: str, actor: str, session_id: int | None = None) -> str:
        session = await self._sessions.get(session_id) if session_id else None
        if session is None:
            recent = [
                s
                for s in await self._sessions.recent(chat_name, 10)
                if s.status in (SessionStatus.CLOSED, SessionStatus.RECAPPED)
            ]
            if not recent:
                raise ControlError("no closed session to recap yet")
            session = recent[0]
        async with self._locks.lock(session.id):
            now = self._clock.now()
            await self._steps.reopen(session.id, "recap", now)
            await self._apply(session, {}, "recap", "", actor)
        return f"Re-publishing the recap of {session.chat_date}."


def _minutes(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
