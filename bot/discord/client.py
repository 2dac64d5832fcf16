"""LeadershipBot: the discord.py client that runs the engine.

Everything it needs comes in through the constructor (settings, store, engine, transport,
trigger); nothing is read at import time. `setup_hook` does the start-up work that must happen
once (cogs, persistent views, scheduler, planning and job rebuild, command sync); `on_ready` and
`on_resumed` only catch up on history, because they fire again after every reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord
from discord.ext import commands

from bot.app.bluesky_moderation import BlueskyModeration
from bot.app.members import MemberSettings
from bot.app.moderation import Enforcement, ModerationLog
from bot.app.status import ChatStatus
from bot.app.topics import TopicUpdates
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.discord import preflight
from bot.discord.cogs import drain_capture, load_extensions
from bot.discord.intake import MessageIntake
from bot.discord.sync import sync_commands
from bot.discord.transport import DiscordTransport
from bot.discord.tree import ChatCommandTree
from bot.discord.upkeep import schedule_upkeep
from bot.discord.views import RemindButton, remind_view
from bot.engine import ChatEngine
from bot.engine.triggers import SchedulerTrigger
from bot.maintenance.forget import Republisher, finish_erasures
from bot.maintenance.heartbeat import INTERVAL, beat_once, heartbeat_loop
from bot.store import Store
from bot.transport import Outgoing, TransportError

log = logging.getLogger(__name__)

DRAIN_TIMEOUT = 10.0  # seconds a shutdown waits for a post in flight to be recorded


@dataclass(frozen=True)
class Rehearsal:
    """`leadershipchat run --start-in SECONDS`: plan a one-off session that starts soon (for
    rehearsals and end-to-end tests). Restarting reuses the session planned for that date."""

    start_in: timedelta
    chat: str | None = None


def bot_intents() -> discord.Intents:
    """Servers, their messages (with content), members (host roles, join dates) and reactions."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    intents.members = True
    intents.guild_reactions = True
    return intents


class LeadershipBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        store: Store,
        engine: ChatEngine,
        *,
        transport: DiscordTransport,
        trigger: SchedulerTrigger,
        clock: Clock | None = None,
        rehearsal: Rehearsal | None = None,
        heartbeat_interval: float = INTERVAL,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            tree_cls=ChatCommandTree,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.settings = settings
        self.store = store
        self.engine = engine
        self.transport = transport
        self.trigger = trigger
        self.clock = clock or SystemClock()
        self.rehearsal = rehearsal
        self.heartbeat_interval = heartbeat_interval
        self._checked_setup = False
        # Set once the first heartbeat and history backfill after connecting are done.
        self.caught_up = asyncio.Event()
        self._warned_content = False
        self._heartbeat: asyncio.Task[None] | None = None
        self.reconciling: asyncio.Task[None] | None = None  # the start-up check of the events
        self._closing = False
        self._inflight = 0
        self.intake = MessageIntake()
        self.republisher = Republisher(store, settings, transport, self.clock, engine.lock)
        # application services: what the commands and cogs change or ask, never the store itself
        self.chat_status = ChatStatus(settings, store, engine)
        self.member_settings = MemberSettings(store, self.republisher.soon)
        self.mod_log = ModerationLog(store, transport, self.clock)
        self.enforcement = Enforcement(transport, self.mod_log)
        self.bluesky_moderation = BlueskyModeration(
            store, self.mod_log, self.clock, self.republisher.soon
        )
        self.topic_updates = TopicUpdates(store, engine)
        self._idle = asyncio.Event()
        self._idle.set()
        transport.bind(self, remind_view)

    # -- start-up -----------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self.add_dynamic_items(RemindButton)
        await load_extensions(self)
        try:  # a forget a kill interrupted, finished before anything listens
            await finish_erasures(self.store)
        except Exception:
            log.exception("could not finish an interrupted erasure; retried within a minute")
        # The catch-up on history waits for READY (`on_ready`); until then what members said
        # while the bot was down is not stored, and a recap due now waits for it.
        await self.engine.start(catch_up=False)
        if self.rehearsal is not None:
            await self._plan_rehearsal(self.rehearsal)
        self.reconciling = asyncio.create_task(self._reconcile_events(), name="event-reconcile")
        schedule_upkeep(self.trigger, self.settings, self.store, self.clock, self.republisher)
        self._heartbeat = asyncio.create_task(
            heartbeat_loop(
                self.store, interval=self.heartbeat_interval, is_connected=self._connected
            ),
            name="heartbeat",
        )
        await sync_commands(self.tree, self.settings)

    async def _reconcile_events(self) -> None:
        """The scheduled events put right from the ledger, beside the start-up rather than in
        it: a session's lock may be held by a recap that waits for the first catch-up, which
        needs the connection that `setup_hook` would be holding up."""
        try:
            await self.engine.events.reconcile()
        except Exception:
            log.exception("could not check the scheduled events against the ledger")

    async def _plan_rehearsal(self, rehearsal: Rehearsal) -> None:
        chat = self.settings.chat(rehearsal.chat)
        start = self.clock.now() + rehearsal.start_in
        session = await self.engine.plan_session(chat.name, start)
        if session.start_at == start:
            log.info("rehearsal: %s starts at %s (session %d)", chat.name, start, session.id)
        else:
            log.info(
                "rehearsal: session %d of %s on %s already planned (starts %s); reusing it",
                session.id,
                chat.name,
                session.chat_date,
                session.start_at,
            )

    def _connected(self) -> bool:
        return self.is_ready() and not self.is_closed()

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """New chat messages go to the intake hooks (no task per listener, see
        `bot/discord/intake.py`), so nothing here listens for `on_message`: the bot has slash
        commands only. Every other event is dispatched as usual."""
        if event_name == "message" and args:
            self.intake(args[0])
            return
        super().dispatch(event_name, *args, **kwargs)

    async def on_ready(self) -> None:
        log.info("connected as %s (%s)", self.user, self.user.id if self.user else "?")
        if not self._checked_setup:
            self._checked_setup = True
            await self.check_setup()
        await self._backfill("ready")

    async def on_resumed(self) -> None:
        await self._backfill("resumed", full=False)  # Discord replayed what was missed

    async def on_disconnect(self) -> None:
        self.engine.catch_up.mark_behind()

    async def _backfill(self, why: str, *, full: bool = True) -> None:
        """Catch up on what happened while we were away (idempotent: stored ids are skipped)."""
        if self._closing:
            return
        async with self.working():
            try:
                await beat_once(self.store, self.clock.now())  # healthy from the first minute
                count = await self.engine.catch_up.run(full=full)
            except Exception:
                log.exception("history backfill after %s failed", why)
                return
        log.info("history backfill after %s: %d message(s) captured", why, count)
        self.caught_up.set()

    async def check_setup(self) -> list[preflight.Problem]:
        """Log every missing channel, role or permission with its fix; tell the hosts too."""
        found: list[preflight.Problem] = []
        for chat in self.settings.chats:
            problems = preflight.check_chat(self.get_guild(chat.guild_id), chat)
            problems += await preflight.check_host_commands(self, chat)
            for problem in problems:
                log.warning("setup: %s", problem)
            reachable = not any(p.channel == "host" for p in problems)
            if problems and chat.channels.host is not None and reachable:
                try:
                    await self.transport.post(
                        Outgoing(chat.channels.host, preflight.report_text(problems))
                    )
                except TransportError as exc:
                    log.warning("could not report setup problems to the hosts: %s", exc)
            found += problems
        if not found:
            log.info("setup: every channel, role and permission is in place")
        return found

    def note_empty_content(self) -> None:
        """Called for member messages that arrive empty: the privileged intent is off."""
        if not self._warned_content:
            self._warned_content = True
            log.error(
                "member messages arrive without their text: turn on the Message Content intent "
                "(Discord Developer Portal > your application > Bot > Privileged Gateway Intents)"
            )

    # -- shutdown -----------------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        return self._closing

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Mark event handling that uses the database, so a shutdown lets it finish first."""
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    async def _drain(self) -> None:
        """Let queued events be captured and event handlers finish before the engine stops."""

        async def settle() -> None:
            await drain_capture(self)
            await self._idle.wait()

        try:
            await asyncio.wait_for(settle(), DRAIN_TIMEOUT)
        except TimeoutError:
            log.warning("stopping with events still queued after %ss", DRAIN_TIMEOUT)
        except Exception:
            log.exception("could not wait for queued events")

    async def close(self) -> None:
        """Stop the engine (no new step; the one in flight is recorded) after the events
        queued, then the events check and the heartbeat (which clears it), then disconnect.
        The database is closed by whoever opened it, after this."""
        if not self._closing:
            self._closing = True
            self.trigger.pause()
            await self._drain()
            await self.engine.stop()
            for task in (self.reconciling, self._heartbeat):  # an unfinished check: next start
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        await super().close()
