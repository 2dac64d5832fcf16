"""ChatEngine: the composition root of the engine's services, and their one lifecycle.

Each service is built with only what it needs (repositories, the transport, the clock, the
trigger, the locks), and none reaches into another: the planner makes sessions and their step
ledger; the step runner fires one step when its job says so and hands it to its kind's handler,
every post going through the sender (send once, record); capture stores and attributes member
messages, and the catch-up reads what happened while the bot was away; the host controls change
the ledger; the recap step builds and posts the recap.

The ledger in the store is the truth: `start()` plans, rebuilds one job per pending step (past-due
ones run at once, in order) and catches up, so a restart loses nothing and posts nothing twice.
The bot, the demo and the tests all run it with `start()` and `stop()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionRow
from bot.domain.steps import StepKind
from bot.engine import step_kinds
from bot.engine.capture import Capture
from bot.engine.catch_up import CatchUp
from bot.engine.controls import HostControls
from bot.engine.events import EventKeeper
from bot.engine.jobs import Jobs, job_id
from bot.engine.locks import PostsFirst, SessionLocks
from bot.engine.mirrors import Mirror, MirrorRunner, OtherSource
from bot.engine.newcomers import NewcomerBatches
from bot.engine.notify import HostNotes
from bot.engine.planner import Planner
from bot.engine.ports import EngineStore, RecapPublisher, TopicSource
from bot.engine.queries import current_session
from bot.engine.recap_step import RecapStep
from bot.engine.sending import Sender
from bot.engine.step_runner import RETRY_DELAYS, StepRunner
from bot.engine.triggers import Trigger
from bot.topics import TopicCatalog
from bot.transport import ChatTransport

log = logging.getLogger(__name__)


class Platform(Protocol):
    """Another platform the chat runs on, as its edge package hands it over: its mirror (what
    it posts) and, once attached to the engine, its sources (`ChatEngine.attach`)."""

    @property
    def mirror(self) -> Mirror: ...

    def attach_to(self, engine: ChatEngine) -> None: ...

    async def close(self) -> None:
        """Let go of the platform's connections (after the engine stopped)."""


DRAIN_TIMEOUT = 10.0  # seconds `stop()` waits for a post in flight to be recorded


class ChatEngine:
    def __init__(
        self,
        settings: Settings,
        store: EngineStore,
        transport: ChatTransport,
        *,
        trigger: Trigger,
        clock: Clock,
        topics: TopicSource,
        recap: RecapPublisher,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        mirrors: Sequence[Mirror] = (),
        platforms: Sequence[Platform] = (),
    ) -> None:
        """`transport`: the chat's home platform; `mirrors`: the platforms it also runs on;
        `platforms`: the same, each with what it collects there (a mirror and a source)."""
        mirrors = [*mirrors, *(p.mirror for p in platforms)]
        self.settings = settings
        self.transport = transport
        self.trigger = trigger
        self.clock = clock
        self._sessions = store.sessions
        chats = {c.name: c for c in settings.chats}
        self._chats = chats
        self.locks = SessionLocks()
        self.posts_first = PostsFirst()
        notes = self.notes = HostNotes(transport)
        self.jobs = Jobs(
            trigger,
            store.steps,
            run=self.run_step,
            records=store.platform_steps if mirrors else None,
            run_mirror=self.run_mirror,
        )
        self.mirrors = MirrorRunner(
            mirrors=mirrors,
            chats=chats,
            sessions=store.sessions,
            steps=store.steps,
            records=store.platform_steps,
            locks=self.locks,
            notes=notes,
            clock=clock,
            schedule=self.jobs.schedule_mirror,
            retry_delays=retry_delays,
            timeline_changed=self._timeline_changed,
        )
        # What else collects member messages (another platform's poller): asked to be done
        # with a session before its recap is built (`attach`).
        self.sources: list[OtherSource] = []
        newcomers = NewcomerBatches(store.steps, self.jobs, clock)
        self.capture = Capture(
            chats=settings.chats,
            sessions=store.sessions,
            steps=store.steps,
            messages=store.messages,
            members=store.members,
            newcomers=newcomers,
            posts_first=self.posts_first,
            clock=clock,
            records=store.platform_steps if mirrors else None,
        )
        self.catch_up = CatchUp(
            chats=settings.chats,
            capture=self.capture,
            transport=transport,
            messages=store.messages,
            members=store.members,
            newcomers=newcomers,
            clock=clock,
            trigger=trigger,
        )
        self.capture.failed = self.catch_up.missed
        self.events = EventKeeper(
            chats=chats,
            sessions=store.sessions,
            steps=store.steps,
            locks=self.locks,
            transport=transport,
            clock=clock,
        )
        self.planner = Planner(
            settings=settings,
            sessions=store.sessions,
            steps=store.steps,
            topics=topics,
            jobs=self.jobs,
            locks=self.locks,
            notes=notes,
            events=self.events,
            trigger=trigger,
            clock=clock,
            plan_mirrors=self.mirrors.plan,
        )
        sender = Sender(transport, store.steps)
        handlers: dict[StepKind, step_kinds.StepHandler] = {
            StepKind.REMINDER: step_kinds.Reminder(
                sender, store.members, store.reminder_dms, self.posts_first, clock
            ),
            StepKind.WELCOME: step_kinds.Welcome(sender, store.sessions),
            StepKind.HEADS_UP: step_kinds.HeadsUp(sender),
            StepKind.QUESTION: step_kinds.Question(sender, store.steps),
            StepKind.LAST_CALL: step_kinds.LastCall(sender),
            StepKind.CLOSE: step_kinds.Close(sender, store.sessions, self.planner.next_topic),
            StepKind.NO_TOPIC: step_kinds.NoTopic(sender),
            StepKind.NEWCOMERS: step_kinds.Newcomers(sender, store.members, store.steps, newcomers),
            StepKind.SLOWMODE_ON: step_kinds.Slowmode(transport, store.steps, clock),
            StepKind.SLOWMODE_OFF: step_kinds.Slowmode(transport, store.steps, clock),
            StepKind.RECAP: RecapStep(
                sender=sender,
                steps=store.steps,
                sessions=store.sessions,
                redo=store.redo,
                publish=recap,
                source=store.recap_source,
                caught_up=self._before_recap,
                posts_first=self.posts_first,
                clock=clock,
                recap_dir=settings.recap_dir,
            ),
        }
        self.runner = StepRunner(
            chats=chats,
            sessions=store.sessions,
            steps=store.steps,
            handlers=handlers,
            locks=self.locks,
            posts_first=self.posts_first,
            notes=notes,
            clock=clock,
            schedule=self.jobs.schedule_step,
            timeline_changed=self._home_step_done,
            events=self.events,
            retry_delays=retry_delays,
        )
        self.controls = HostControls(
            chats=chats,
            sessions=store.sessions,
            steps=store.steps,
            host_actions=store.host_actions,
            jobs=self.jobs,
            locks=self.locks,
            transport=transport,
            clock=clock,
            timeline_changed=self.capture.forget_clock,
            events=self.events,
        )
        for platform in platforms:
            platform.attach_to(self)

    def _timeline_changed(self, session_id: int) -> None:
        self.capture.forget_clock(session_id)

    def _home_step_done(self, session_id: int) -> None:
        """A home step was posted or tried: the chat's clock changed, and mirror posts waiting
        for it go now."""
        self.capture.forget_clock(session_id)
        self.mirrors.home_changed(session_id)

    async def _before_recap(self, session: SessionRow, chat: ChatSettings) -> None:
        """What the recap waits for: the catch-up after a (re)connect, and every other source
        done with the session (its last poll; each bounds its own wait)."""
        await self.catch_up.wait()
        for source in self.sources:
            await source.settle(session, chat)

    def attach(self, source: OtherSource) -> None:
        """Another platform's collector of member messages (it feeds `capture`)."""
        self.sources.append(source)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self, *, catch_up: bool = True) -> None:
        """Plan upcoming sessions, rebuild every job from the ledger, start the trigger, put the
        scheduled events right and catch up on missed messages. A platform that is not
        connected yet passes `catch_up=False` and does those two once it is (`events.reconcile`
        beside its start-up, `catch_up.run` when connected; until then a recap waits)."""
        self.catch_up.mark_behind()
        self.trigger.start()
        await self.planner.plan_all()
        await self.jobs.rebuild()
        for source in self.sources:
            await source.start()
        if catch_up:
            await self.events.reconcile()
            await self.catch_up.run(full=True)

    async def stop(self) -> None:
        """Fire nothing more, let a step in flight and a capture write finish (up to
        DRAIN_TIMEOUT), then stop the trigger. The store is closed by whoever opened it, after."""
        self.trigger.pause()
        for source in self.sources:
            await source.stop()
        try:
            await asyncio.wait_for(self._settle(), DRAIN_TIMEOUT)
        except TimeoutError:
            log.warning("stopping with work still in flight after %ss", DRAIN_TIMEOUT)
        except Exception:
            log.exception("could not wait for work in flight")
        self.trigger.shutdown()

    async def _settle(self) -> None:
        for session in await self._sessions.active():
            async with self.locks.lock(session.id):
                pass
        async with self.capture.writing():
            pass

    # -- what the platforms and the tests ask of it -------------------------------------------

    @property
    def topics(self) -> TopicSource:
        return self.planner.topics

    def chat(self, name: str) -> ChatSettings:
        return self._chats[name]

    def lock(self, session_id: int) -> asyncio.Lock:
        return self.locks.lock(session_id)

    async def timeline_settled(self, session_id: int) -> None:
        await self.locks.timeline_settled(session_id)

    async def current_session(self, chat_name: str) -> SessionRow | None:
        """The session host commands act on: running/paused, else the next planned, else the
        last closed."""
        return await current_session(self._sessions, chat_name)

    async def plan_all(self) -> list[SessionRow]:
        return await self.planner.plan_all()

    async def plan_session(
        self, chat_name: str, start: datetime, *, catalog: TopicCatalog | None = None
    ) -> SessionRow:
        return await self.planner.plan_session(chat_name, start, catalog=catalog)

    async def refresh_topic(self, session_id: int, catalog: TopicCatalog | None = None) -> bool:
        return await self.planner.refresh_topic(session_id, catalog)

    async def rebuild_jobs(self) -> None:
        await self.jobs.rebuild()

    async def run_step(self, session_id: int, key: str) -> None:
        await self.runner.run_step(session_id, key)

    async def run_mirror(self, session_id: int, key: str, platform: str) -> None:
        await self.mirrors.run(session_id, key, platform)

    @staticmethod
    def job_id(session_id: int, key: str) -> str:
        return job_id(session_id, key)
