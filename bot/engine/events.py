"""The server's scheduled event follows the ledger.

`wanted` (pure) says what the event should show for a session: the welcome's time as its start,
the close's as its end, and a status from the session (scheduled, active, completed, cancelled).
`EventKeeper.sync` reads the event as Discord has it and changes only what differs, so an event
edited or deleted by someone, or left behind while the bot was down, is put right at the next
change and at every start-up (`reconcile`).

Discord's rules shape the edits: the start moves only while the event is scheduled and only to
a future time; statuses go scheduled -> active -> completed or scheduled -> cancelled, and a
finished event cannot change any more. An external event also starts and ends by itself at its
times, which is why the end must follow an extension before the old end passes. When the chat
still has to happen but its event is gone or finished, a new event is made.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepRow, StepStatus
from bot.engine.locks import SessionLocks
from bot.engine.ports import SessionRecords, StepLedger
from bot.transport import (
    FINISHED_EVENT,
    ChatTransport,
    EventEdit,
    EventSpec,
    EventState,
    TransportError,
)

log = logging.getLogger(__name__)

# A start Discord accepts must be in the future when the request arrives: a start that is due
# now (a host started the chat early) is shown this much ahead, until the welcome makes it live.
START_LEAD = timedelta(seconds=3)
SAME_TIME = timedelta(seconds=1)  # Discord keeps times to the millisecond; ignore rounding
RECONCILE_RECENT = 3  # sessions per chat checked at start-up (the next one and the last ones)
RECONCILE_WINDOW = timedelta(days=7)
OPEN = frozenset({"scheduled", "active"})
PAUSED_NOTE = "Paused by the hosts: the times move when the chat resumes."


@dataclass(frozen=True)
class WantedEvent:
    spec: EventSpec
    status: str  # scheduled | active | completed | cancelled


def _when(step: StepRow | None) -> datetime | None:
    """When a step happened (sent) or is due (pending, or skipped at its due time)."""
    if step is None:
        return None
    if step.status is StepStatus.SENT and step.sent_at is not None:
        return step.sent_at
    return step.due_at


def event_spec(
    session: SessionRow, chat: ChatSettings, start: datetime, end: datetime
) -> EventSpec:
    description = f"{chat.hashtag}: {session.topic.title}"
    if session.topic.prep_post:
        description += f"\nPrep post: {session.topic.prep_post}"
    if session.status is SessionStatus.PAUSED:
        description += f"\n{PAUSED_NOTE}"
    return EventSpec(
        name=f"{chat.hashtag} · {session.topic.title}"[:100],
        description=description[:1000],
        start_at=start,
        end_at=end,
        channel_id=chat.channels.chat,
    )


def wanted(session: SessionRow, ledger: Sequence[StepRow], chat: ChatSettings) -> WantedEvent:
    """What the event should show for this session, from the ledger alone."""
    steps = {s.key: s for s in ledger}
    welcome = steps.get("welcome")
    start = _when(welcome) or session.start_at
    end = _when(steps.get("close")) or start + chat.close_offset
    if session.status is SessionStatus.CANCELLED:
        status = "cancelled"
    elif session.status in (SessionStatus.CLOSED, SessionStatus.RECAPPED):
        status = "completed"
    elif welcome is not None and welcome.status is StepStatus.SENT:
        status = "active"  # running, or paused after the start
    else:
        status = "scheduled"
    return WantedEvent(event_spec(session, chat, start, end), status)


def _differs(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is not b
    return abs(a - b) >= SAME_TIME


def time_edits(state: EventState, spec: EventSpec, now: datetime) -> EventEdit:
    """The start and end to send to an open event, within Discord's rules."""
    start: datetime | None = None
    if state.status == "scheduled":
        if spec.start_at >= now + START_LEAD:
            target = spec.start_at
        else:  # due now or past: shown just ahead of now, until the welcome makes it live
            target = now + START_LEAD
            if state.start_at <= target:
                target = state.start_at  # already soon or past: leave it
        if _differs(state.start_at, target):
            start = target
    begins = start or state.start_at
    end = (
        spec.end_at
        if spec.end_at > max(begins, now) and _differs(state.end_at, spec.end_at)
        else None
    )
    return EventEdit(start_at=start, end_at=end)


class EventKeeper:
    """Keeps each session's scheduled event in step with the ledger (see the module doc)."""

    def __init__(
        self,
        *,
        chats: Mapping[str, ChatSettings],
        sessions: SessionRecords,
        steps: StepLedger,
        locks: SessionLocks,
        transport: ChatTransport,
        clock: Clock,
    ) -> None:
        self._chats = chats
        self._sessions, self._steps = sessions, steps
        self._locks, self._transport, self._clock = locks, transport, clock

    async def sync(self, session_id: int) -> None:
        """Bring the event in line with the session; the caller holds the session's lock.
        A failure is logged, never raised: the event must not stop the chat."""
        session = await self._sessions.get(session_id)
        if session is None:
            return
        chat = self._chats[session.chat]
        ledger = await self._steps.for_session(session_id)
        want = wanted(session, ledger, chat)
        try:
            await self._sync(session, chat, want)
        except TransportError as exc:
            log.warning(
                "could not bring the scheduled event of %s on %s in line: %s",
                chat.name,
                session.chat_date,
                exc,
            )

    async def reconcile(self) -> None:
        """Start-up: every recent session's event is checked against the ledger (the bot may
        have been down during a change, or someone edited or deleted the event)."""
        since = self._clock.now() - RECONCILE_WINDOW
        for chat in self._chats.values():
            for session in await self._sessions.recent(chat.name, RECONCILE_RECENT):
                if session.start_at < since:
                    continue
                async with self._locks.lock(session.id):
                    await self.sync(session.id)

    async def _sync(self, session: SessionRow, chat: ChatSettings, want: WantedEvent) -> None:
        transport = self._transport
        guild = chat.guild_id
        state = None
        if session.event_id is not None:
            state = await transport.fetch_event(guild, session.event_id)
        if state is None or state.status in FINISHED_EVENT:
            if want.status not in OPEN:
                return  # the chat is over and so is its event (or it is gone): nothing to show
            if state is not None:
                log.info(
                    "the scheduled event of %s on %s was %s in Discord; the chat still runs, "
                    "so it gets a new one",
                    chat.name,
                    session.chat_date,
                    state.status,
                )
            state = await self._create(session, chat, want)
            if state is None:
                return
        if state.status == "scheduled" and want.status in ("active", "completed"):
            state = await transport.edit_event(guild, state.event_id, EventEdit(status="active"))
        if want.status not in OPEN:
            final = "cancelled" if state.status == "scheduled" else "completed"
            await transport.edit_event(guild, state.event_id, EventEdit(status=final))
            return
        spec = want.spec
        times = time_edits(state, spec, self._clock.now())
        edit = EventEdit(
            name=spec.name if spec.name != state.name else None,
            description=spec.description if spec.description != state.description else None,
            start_at=times.start_at,
            end_at=times.end_at,
        )
        if edit != EventEdit():
            await transport.edit_event(guild, state.event_id, edit)

    async def _create(
        self, session: SessionRow, chat: ChatSettings, want: WantedEvent
    ) -> EventState | None:
        """A new event (Discord wants a future start); None when the chat is about to end."""
        now = self._clock.now()
        spec = want.spec
        start = max(spec.start_at, now + START_LEAD)
        if spec.end_at <= start:
            return None
        created = await self._transport.create_event(
            chat.guild_id,
            EventSpec(spec.name, spec.description, start, spec.end_at, spec.channel_id),
        )
        await self._sessions.set_event(session.id, created.event_id)
        return created
