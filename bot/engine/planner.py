"""The planner: each chat's next session once it is within PLAN_AHEAD (at start-up and hourly),
with its topic snapshot, its step ledger and its scheduled event (`events.py`); until the welcome, a changed
topic file re-plans the session. Broken topic files are told to the hosts once each."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionRow
from bot.domain.steps import NewStep, StepKind, StepStatus
from bot.engine import planning
from bot.engine.events import EventKeeper
from bot.engine.jobs import Jobs
from bot.engine.locks import SessionLocks
from bot.engine.notify import HostNotes
from bot.engine.ports import SessionRecords, StepLedger, TopicSource
from bot.engine.topic_alerts import TopicAlerts
from bot.engine.triggers import Trigger
from bot.timeline import local_date, next_starts
from bot.topics import TopicCatalog

log = logging.getLogger(__name__)

PLANNER_INTERVAL = timedelta(hours=1)

# A session's records on the mirror platforms, for the steps it was planned with.
PlanMirrors = Callable[[int, ChatSettings, Sequence[NewStep]], Awaitable[None]]


class Planner:
    def __init__(
        self,
        *,
        settings: Settings,
        sessions: SessionRecords,
        steps: StepLedger,
        topics: TopicSource,
        jobs: Jobs,
        locks: SessionLocks,
        notes: HostNotes,
        events: EventKeeper,
        trigger: Trigger,
        clock: Clock,
        plan_mirrors: PlanMirrors,
    ) -> None:
        self._settings = settings
        self._chats: Mapping[str, ChatSettings] = {c.name: c for c in settings.chats}
        self._sessions, self._steps = sessions, steps
        self.topics = topics
        self._jobs, self._locks, self._notes = jobs, locks, notes
        self._events, self._trigger, self._clock = events, trigger, clock
        self._alerts = TopicAlerts()
        self._plan_mirrors = plan_mirrors

    async def plan_all(self) -> list[SessionRow]:
        """Create the current/next session of every chat once it is within PLAN_AHEAD."""
        now = self._clock.now()
        catalog = await self.topics()
        for chat, text in self._alerts.news(catalog, self._settings.chats):
            await self._notes.tell(chat, text)
        planned = []
        for chat in self._settings.chats:
            length = chat.close_offset + chat.run_of_show.late_window
            for start in next_starts(chat.schedule, now - length, 2):
                if now >= start - planning.PLAN_AHEAD:
                    day = local_date(chat.schedule, start)
                    session = await self._sessions.for_date(chat.name, day)
                    if session is None or not await self._steps.for_session(session.id):
                        # new, or created by a run that died before writing its steps
                        session = await self.plan_session(chat.name, start, catalog=catalog)
                    else:
                        await self.refresh_topic(session.id, catalog)
                    planned.append(session)
        self._trigger.at("planner", now + PLANNER_INTERVAL, self._tick)
        return planned

    async def _tick(self) -> None:
        try:
            await self.plan_all()
        except Exception:
            log.exception("planning failed; will try again in an hour")
            self._trigger.at("planner", self._clock.now() + PLANNER_INTERVAL, self._tick)

    async def plan_session(
        self, chat_name: str, start: datetime, *, catalog: TopicCatalog | None = None
    ) -> SessionRow:
        """Create a session (idempotent per chat and date) with its full step ledger."""
        chat = self._chats[chat_name]
        catalog = catalog or await self.topics()
        day = local_date(chat.schedule, start)
        topic_file = catalog.for_date(chat.name, day, self._settings)
        topic = planning.snapshot(topic_file)
        now = self._clock.now()
        existing = await self._sessions.for_date(chat.name, day)
        session = existing or await self._sessions.create(chat.name, day, start, topic, now)
        if existing is None or not await self._steps.for_session(session.id):
            rows = planning.ledger_rows(planning.steps_for(chat, start, topic))
            if topic_file is None and (warn := planning.no_topic_step(chat, now)) is not None:
                rows.append(warn)
            await self._steps.add(session.id, rows)
            await self._plan_mirrors(session.id, chat, rows)
            await self._events.sync(session.id)
            log.info("planned %s on %s: %s", chat.name, day, topic.title)
        await self._jobs.schedule_session(session.id)
        return session

    async def refresh_topic(self, session_id: int, catalog: TopicCatalog | None = None) -> bool:
        """Re-read the topic file for a session that has not started; re-plan if it changed."""
        async with self._locks.lock(session_id):
            session = await self._sessions.get(session_id)
            if session is None:
                return False
            ledger = await self._steps.for_session(session_id)
            sent = {s.key for s in ledger if s.status is not StepStatus.PENDING}
            if not planning.refreshable(session, sent):
                return False
            chat = self._chats[session.chat]
            catalog = catalog or await self.topics()
            topic = planning.snapshot(
                catalog.for_date(chat.name, session.chat_date, self._settings)
            )
            if topic == session.topic:
                return False
            await self._sessions.set_topic(session_id, topic)
            steps = planning.ledger_rows(planning.steps_for(chat, session.start_at, topic))
            keep = {s.key for s in steps}
            await self._steps.drop_pending(
                session_id,
                [s.key for s in ledger if s.key not in keep and s.kind != StepKind.NO_TOPIC],
            )
            await self._steps.reschedule(session_id, {s.key: s.due_at for s in steps})
            await self._steps.add(session_id, steps)
            await self._plan_mirrors(session_id, chat, steps)
            for s in ledger:
                if s.key not in keep:
                    self._jobs.cancel_step(session_id, s.key)
            await self._events.sync(session_id)
            log.info("topic for %s on %s is now %r", chat.name, session.chat_date, topic.title)
        await self._jobs.schedule_session(session_id)
        return True

    async def next_topic(self, chat: ChatSettings, after: date) -> tuple[str | None, datetime]:
        """The title (None: no topic file yet) and start of the chat after `after`."""
        start = next_starts(chat.schedule, self._clock.now(), 1)[0]
        if local_date(chat.schedule, start) <= after:
            start = next_starts(chat.schedule, start, 1)[0]
        catalog = await self.topics()
        topic = catalog.for_date(chat.name, local_date(chat.schedule, start), self._settings)
        return (topic.title if topic else None), start
