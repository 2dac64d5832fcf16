"""Bluesky as a platform the engine is given: one account per chat with a `bluesky:` section,
its mirror (what the bot posts there) and its collector (what it reads there).

`ChatEngine(..., platforms=[BlueskyPlatform(...)])` wires both in. At the engine's start the
credentials are checked (a login per account, in a task of its own: Discord never waits for
it); a missing app password or one Bluesky refuses is told in the chat's host channel, and the
chat runs on Discord meanwhile (each Bluesky post then fails and is told once per session).
Each login of an account (that check after the fix and a restart, or one by itself after an
outage) has the engine try that chat's failed Bluesky posts again (`MirrorRunner.back`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping

from bot.bluesky.account import account_from_env
from bot.bluesky.client import BlueskyClient
from bot.bluesky.collector import BlueskyCollector
from bot.bluesky.errors import BlueskyError
from bot.bluesky.mirror import BlueskyMirror
from bot.bluesky.posts import PLATFORM
from bot.bluesky.recheck import BlueskyRecheck
from bot.clock import Clock
from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionRow
from bot.engine import ChatEngine
from bot.engine.notify import HostNotes
from bot.store import Store

log = logging.getLogger(__name__)


class BlueskyPlatform:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        clock: Clock,
        environ: Mapping[str, str],
        timeout: float = 15.0,
    ) -> None:
        self._store, self._clock = store, clock
        self.chats = [c for c in settings.chats if c.bluesky is not None]
        self.clients: dict[str, BlueskyClient] = {}
        self.problems: dict[str, str] = {}  # chat -> why its account cannot be used
        for chat in self.chats:
            section = chat.bluesky
            assert section is not None
            try:
                account = account_from_env(
                    section.handle, section.service, section.app_password_env, environ
                )
            except BlueskyError as exc:
                self.problems[chat.name] = str(exc)
                continue
            self.clients[chat.name] = BlueskyClient(account, clock=clock, timeout=timeout)
        self._mirror = BlueskyMirror(self.clients, self.problems)
        self.collector: BlueskyCollector | None = None
        self.recheck: BlueskyRecheck | None = None
        self._notes: HostNotes | None = None
        self._checked: asyncio.Task[None] | None = None
        self._backs: set[asyncio.Task[None]] = set()  # failed posts being tried again

    @property
    def mirror(self) -> BlueskyMirror:
        return self._mirror

    def attach_to(self, engine: ChatEngine) -> None:
        self._notes = engine.notes
        for name, client in self.clients.items():
            client.on_login = functools.partial(self._back, engine, name)
        self.collector = BlueskyCollector(
            chats=self.chats,
            clients=self.clients,
            capture=engine.capture,
            store=self._store,
            trigger=engine.trigger,
            clock=self._clock,
        )
        self.recheck = BlueskyRecheck(
            chats=self.chats,
            clients=self.clients,
            store=self._store,
            trigger=engine.trigger,
            clock=self._clock,
        )
        engine.attach(self)

    # -- the engine's OtherSource ----------------------------------------------------------------

    async def start(self) -> None:
        links = {a: u for c in self.chats if c.bluesky for a, u in c.bluesky.links.items()}
        async with self._store.transaction() as tx:
            await tx.links.replace(PLATFORM, links, self._clock.now())
        if self._checked is None:
            self._checked = asyncio.create_task(self.check_credentials())
        if self.collector is not None:
            await self.collector.start()
        if self.recheck is not None:
            self.recheck.start()

    async def stop(self) -> None:
        if self.collector is not None:
            await self.collector.stop()
        if self.recheck is not None:
            self.recheck.stop()
        if self._checked is not None and not self._checked.done():
            self._checked.cancel()
        for task in list(self._backs):
            task.cancel()

    def _back(self, engine: ChatEngine, chat: str) -> None:
        """The chat's account logged in: its failed posts go again, in a task of their own (the
        login may be part of a post in flight, which that task then waits for)."""
        task = asyncio.create_task(engine.mirrors.back(PLATFORM, chat))
        self._backs.add(task)
        task.add_done_callback(self._backs.discard)

    async def settle(self, session: SessionRow, chat: ChatSettings) -> None:
        if self.collector is not None:
            await self.collector.settle(session, chat)

    async def close(self) -> None:
        """Close the accounts' connections (after the engine stopped)."""
        await asyncio.gather(*(c.close() for c in self.clients.values()))

    # -- the start-up check ------------------------------------------------------------------

    async def check_credentials(self) -> None:
        """Log every account in; tell the hosts of each chat whose account cannot."""
        for chat in self.chats:
            problem = self.problems.get(chat.name)
            client = self.clients.get(chat.name)
            if problem is None and client is not None:
                try:
                    await client.login()
                    log.info("Bluesky: %s logged in for %s", client.handle, chat.name)
                    continue
                except BlueskyError as exc:
                    if exc.retryable:  # Bluesky down or busy: nothing for hosts to fix
                        await self._tell(chat, str(exc), passing=True)
                        continue
                    problem = str(exc)
            await self._tell(chat, problem or "no account")

    async def _tell(self, chat: ChatSettings, problem: str, *, passing: bool = False) -> None:
        log.error("Bluesky for %s: %s", chat.name, problem)
        if self._notes is None:
            return
        then = (
            "The bot logs in again at its next post or poll there, nothing to fix unless it lasts."
            if passing
            else "Fix it and restart the bot."
        )
        await self._notes.tell(
            chat,
            f"Bluesky is not working for {chat.hashtag}: {problem}. The chat runs on Discord"
            f" meanwhile. {then}",
        )
