"""ChatEngine: one object that runs every configured chat's sessions.

The DB ledger is the truth: a session's steps are rows; the trigger (APScheduler in production)
only wakes `run_step`, which re-reads the row, decides whether the step is still useful, posts
it through the transport with a deterministic nonce, and records the message id. A restart
rebuilds every job from the ledger, so nothing is lost and nothing is posted twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.clock import Clock
from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepKind, StepRow, StepStatus
from bot.engine import planner, render
from bot.engine.staleness import stale_reason
from bot.engine.topic_alerts import TopicAlerts
from bot.engine.triggers import Trigger
from bot.recap.posts import RecapPost
from bot.recap.source import RecapSource
from bot.store import Store
from bot.timeline import local_date, next_starts
from bot.topics import MESSAGE_LIMIT, TopicCatalog
from bot.transport import ChatTransport, Outgoing, TransportError

log = logging.getLogger(__name__)

RETRY_DELAYS = (2.0, 10.0, 30.0, 120.0, 300.0)  # seconds between attempts of a failing step
PLANNER_INTERVAL = timedelta(hours=1)
# Steps whose posts move the attribution clock (see `bot.engine.capture.build_view`).
_TIMELINE_KINDS = frozenset({StepKind.WELCOME, StepKind.QUESTION, StepKind.CLOSE})
# Steps after which the scheduled event changes status (live, completed).
_EVENT_KINDS = frozenset({StepKind.WELCOME, StepKind.CLOSE})


class RecapPublisher(Protocol):
    async def __call__(
        self, source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
    ) -> Sequence[RecapPost]:
        """Write the recap files to `out_dir` and return the messages to post."""


TopicSource = Callable[[], Awaitable[TopicCatalog]]


def step_nonce(session_id: int, key: str, due_at: datetime, part: int = 0) -> str:
    """Deterministic per step (and per re-run), so a resend after a crash is deduplicated."""
    raw = f"{session_id}:{key}:{due_at.isoformat()}:{part}".encode()
    return hashlib.blake2b(raw, digest_size=10).hexdigest()


class ChatEngine:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        transport: ChatTransport,
        *,
        trigger: Trigger,
        clock: Clock,
        topics: TopicSource,
        recap: RecapPublisher,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.settings = settings
        self.store = store
        self.transport = transport
        self.trigger = trigger
        self.clock = clock
        self.topics = topics
        self.recap = recap
        self.retry_delays = tuple(retry_delays)
        self._locks: dict[int, asyncio.Lock] = {}
        self._timeline_moving: dict[int, asyncio.Event] = {}  # session id -> set when recorded
        self._chats = {c.name: c for c in settings.chats}
        self._session_chats: dict[int, str] = {}  # known without the database (it may be locked)
        self._unrecorded: dict[tuple[int, str], int] = {}  # step -> runs that raised
        self.topic_alerts = TopicAlerts()
        # Imported here to keep module-level imports one-directional (they import this module's types).
        from bot.engine.capture import Capture
        from bot.engine.controls import HostControls
        from bot.engine.events import EventKeeper

        self.capture = Capture(self)
        self.controls = HostControls(self)
        self.events = EventKeeper(self)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Plan upcoming sessions, rebuild every job from the ledger, put the scheduled events
        right, catch up on missed messages."""
        await self.plan_all()
        await self.rebuild_jobs()
        await self.events.reconcile()
        await self.capture.backfill()

    def chat(self, name: str) -> ChatSettings:
        return self._chats[name]

    def lock(self, session_id: int) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    async def timeline_settled(self, session_id: int) -> None:
        """Wait while a post that moves the session's timeline (the welcome, a question, the
        close) is being sent and recorded: a member who answers Q2 the instant it appears must
        see Q2 counted as posted. Other steps (reminders and their DMs, recaps) do not hold up
        capture."""
        moving = self._timeline_moving.get(session_id)
        if moving is not None:
            await moving.wait()

    # -- planning ----------------------------------------------------------------------------

    async def plan_all(self) -> list[SessionRow]:
        """Create the current/next session of every chat once it is within PLAN_AHEAD."""
        now = self.clock.now()
        catalog = await self.topics()
        for chat, text in self.topic_alerts.news(catalog, self.settings.chats):
            await self.tell_hosts(chat, text)
        planned = []
        for chat in self.settings.chats:
            length = chat.close_offset + chat.run_of_show.late_window
            for start in next_starts(chat.schedule, now - length, 2):
                if now >= start - planner.PLAN_AHEAD:
                    day = local_date(chat.schedule, start)
                    session = await self.store.sessions.for_date(chat.name, day)
                    if session is None or not await self.store.steps.for_session(session.id):
                        # new, or created by a run that died before writing its steps
                        session = await self.plan_session(chat.name, start, catalog=catalog)
                    else:
                        await self.refresh_topic(session.id, catalog)
                    planned.append(session)
        self.trigger.at("planner", now + PLANNER_INTERVAL, self._planner_tick)
        return planned

    async def _planner_tick(self) -> None:
        try:
            await self.plan_all()
        except Exception:
            log.exception("planning failed; will try again in an hour")
            self.trigger.at("planner", self.clock.now() + PLANNER_INTERVAL, self._planner_tick)

    async def plan_session(
        self, chat_name: str, start: datetime, *, catalog: TopicCatalog | None = None
    ) -> SessionRow:
        """Create a session (idempotent per chat and date) with its full step ledger."""
        chat = self.chat(chat_name)
        catalog = catalog or await self.topics()
        day = local_date(chat.schedule, start)
        topic_file = catalog.for_date(chat.name, day, self.settings)
        topic = planner.snapshot(topic_file)
        now = self.clock.now()
        existing = await self.store.sessions.for_date(chat.name, day)
        session = existing or await self.store.sessions.create(chat.name, day, start, topic, now)
        if existing is None or not await self.store.steps.for_session(session.id):
            rows = planner.ledger_rows(planner.steps_for(chat, start, topic))
            if topic_file is None and (warn := planner.no_topic_step(chat, now)) is not None:
                rows.append(warn)
            await self.store.steps.add(session.id, rows)
            await self.events.sync(session.id)
            log.info("planned %s on %s: %s", chat.name, day, topic.title)
        await self.schedule_session(session.id)
        return session

    async def refresh_topic(self, session_id: int, catalog: TopicCatalog | None = None) -> bool:
        """Re-read the topic file for a session that has not started; re-plan if it changed."""
        async with self.lock(session_id):
            session = await self.store.sessions.get(session_id)
            if session is None:
                return False
            ledger = await self.store.steps.for_session(session_id)
            sent = {s.key for s in ledger if s.status is not StepStatus.PENDING}
            if not planner.refreshable(session, sent):
                return False
            chat = self.chat(session.chat)
            catalog = catalog or await self.topics()
            topic = planner.snapshot(catalog.for_date(chat.name, session.chat_date, self.settings))
            if topic == session.topic:
                return False
            await self.store.sessions.set_topic(session_id, topic)
            steps = planner.ledger_rows(planner.steps_for(chat, session.start_at, topic))
            keep = {s.key for s in steps}
            await self.store.steps.drop_pending(
                session_id,
                [s.key for s in ledger if s.key not in keep and s.kind != StepKind.NO_TOPIC],
            )
            await self.store.steps.reschedule(session_id, {s.key: s.due_at for s in steps})
            await self.store.steps.add(session_id, steps)
            for s in ledger:
                if s.key not in keep:
                    self.trigger.cancel(self.job_id(session_id, s.key))
            await self.events.sync(session_id)
            log.info("topic for %s on %s is now %r", chat.name, session.chat_date, topic.title)
        await self.schedule_session(session_id)
        return True

    async def _safely(self, call: Awaitable[object], what: str) -> object:
        """Side effects that must never stop the chat (events, DMs): log and go on."""
        try:
            return await call
        except TransportError as exc:
            log.warning("could not %s: %s", what, exc)
            return None

    # -- jobs --------------------------------------------------------------------------------

    @staticmethod
    def job_id(session_id: int, key: str) -> str:
        return f"session-{session_id}:{key}"

    async def schedule_session(self, session_id: int) -> None:
        for step in await self.store.steps.for_session(session_id):
            if step.status is StepStatus.PENDING:
                self.schedule_step(session_id, step.key, step.due_at)

    def schedule_step(self, session_id: int, key: str, when: datetime) -> None:
        async def job() -> None:
            await self.run_step(session_id, key)

        self.trigger.at(self.job_id(session_id, key), when, job)

    async def rebuild_jobs(self) -> None:
        """Start-up: one job per pending step in the ledger (past-due ones run at once)."""
        for step in await self.store.steps.pending():
            self.schedule_step(step.session_id, step.key, step.due_at)

    # -- running steps -------------------------------------------------------------------------

    async def run_step(self, session_id: int, key: str) -> None:
        """Fire one step if it is still pending, due and useful; never twice. When even
        recording a failure fails (the database stayed locked past its busy timeout), the step
        is tried again later, and hosts hear of it once the usual retries are used up."""
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
            self.schedule_step(session_id, key, self.clock.now() + timedelta(seconds=delay))
            if runs == len(delays):
                name = self._session_chats.get(session_id)
                for chat in self.settings.chats if name is None else [self.chat(name)]:
                    await self.tell_hosts(
                        chat,
                        f"I could not run `{key}` for {chat.hashtag} ({type(exc).__name__}: {exc});"
                        f" I keep trying every {delay:.0f}s.",
                    )
        else:
            self._unrecorded.pop((session_id, key), None)

    async def _run_step(self, session_id: int, key: str) -> None:
        async with self.lock(session_id):
            session = await self.store.sessions.get(session_id)
            step = await self.store.steps.get(session_id, key)
            if session is not None:
                self._session_chats[session_id] = session.chat
            if session is None or step is None or step.status is not StepStatus.PENDING:
                return
            now = self.clock.now()
            if step.due_at > now:  # moved later (resume, extend) after this job was set
                self.schedule_step(session_id, key, step.due_at)
                return
            if session.status is SessionStatus.PAUSED:
                return  # resume re-schedules every pending step
            if session.status is SessionStatus.CANCELLED:
                await self.store.steps.mark_skipped(session_id, key, "session cancelled")
                return
            ledger = await self.store.steps.for_session(session_id)
            reason = stale_reason(step, ledger, now)
            if reason is not None:
                log.info("skipping %s of session %s: %s", key, session_id, reason)
                await self.store.steps.mark_skipped(session_id, key, reason)
                return
            try:
                await self._perform(session, step, ledger)
            except TransportError as exc:
                await self._failed(session, step, exc)
            except Exception as exc:  # a bug or a full disk must not silently drop the step
                log.exception("step %s of session %s raised", key, session_id)
                await self._failed(session, step, TransportError(f"{type(exc).__name__}: {exc}"))

    async def _perform(self, session: SessionRow, step: StepRow, ledger: list[StepRow]) -> None:
        """Post the step and record it; capture waits meanwhile if it moves the timeline."""
        from bot.engine.posting import perform

        kind = StepKind(step.kind)
        moving = kind in _TIMELINE_KINDS
        if moving:
            self._timeline_moving[session.id] = asyncio.Event()
        try:
            await perform(self, session, step, ledger)
        finally:
            self.capture.forget_clock(session.id)
            if moving:
                self._timeline_moving.pop(session.id).set()
        if kind in _EVENT_KINDS:  # after capture is free again: the event is no hurry
            await self.events.sync(session.id)

    async def _failed(self, session: SessionRow, step: StepRow, exc: TransportError) -> None:
        row = await self.store.steps.get(session.id, step.key)
        attempts = row.attempts if row else step.attempts
        if attempts == step.attempts:  # failed before anything was sent: still an attempt
            attempts = await self.store.steps.begin_attempt(session.id, step.key)
        final = not exc.retryable or attempts > len(self.retry_delays)
        await self.store.steps.fail_attempt(session.id, step.key, str(exc), final=final)
        chat = self.chat(session.chat)
        if final:
            log.error("step %s of session %s failed for good: %s", step.key, session.id, exc)
            await self.tell_hosts(chat, f"I could not post `{step.key}` for {chat.hashtag}: {exc}")
            return
        delay = self.retry_delays[attempts - 1]
        log.warning(
            "step %s of session %s failed (%s); retrying in %ss", step.key, session.id, exc, delay
        )
        self.schedule_step(session.id, step.key, self.clock.now() + timedelta(seconds=delay))

    async def tell_hosts(self, chat: ChatSettings, text: str) -> None:
        """Report a problem in the host channel; if that fails too, the log has it."""
        if chat.channels.host is None:
            return
        if len(text) > MESSAGE_LIMIT:
            text = text[: MESSAGE_LIMIT - 1] + "…"
        await self._safely(
            self.transport.post(Outgoing(channel_id=chat.channels.host, content=text)),
            "tell the hosts",
        )

    async def next_topic(self, chat: ChatSettings, after: date) -> tuple[str | None, datetime]:
        start = next_starts(chat.schedule, self.clock.now(), 1)[0]
        if local_date(chat.schedule, start) <= after:
            start = next_starts(chat.schedule, start, 1)[0]
        catalog = await self.topics()
        topic = catalog.for_date(chat.name, local_date(chat.schedule, start), self.settings)
        return (topic.title if topic else None), start

    # -- queries for commands ----------------------------------------------------------------

    async def current_session(self, chat_name: str) -> SessionRow | None:
        """The session host commands act on: running/paused, else the next planned, else the last closed."""
        sessions = [s for s in await self.store.sessions.active() if s.chat == chat_name]
        for wanted in (
            (SessionStatus.RUNNING, SessionStatus.PAUSED),
            (SessionStatus.PLANNED,),
            (SessionStatus.CLOSED,),
        ):
            found = [s for s in sessions if s.status in wanted]
            if found:
                return found[0] if wanted != (SessionStatus.CLOSED,) else found[-1]
        return None

    def render_reminder(
        self, session: SessionRow, chat: ChatSettings, step: StepRow, last: bool
    ) -> str:
        return render.reminder(chat, session.topic, session.start_at, notify=last, before=step.key)
