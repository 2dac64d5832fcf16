"""The only place that speaks SQL. `Store` bundles one connection with a repository per aggregate,
each mapping rows to the domain's types (`bot.domain`)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.store.connection import SCHEMA_VERSION, SchemaError, connect, side_connection
from bot.store.heartbeat import Heartbeat
from bot.store.host_actions import HostActions
from bot.store.ignored import IgnoredAccounts
from bot.store.links import MemberLinks
from bot.store.members import Members
from bot.store.messages import Messages
from bot.store.moderation import ModerationLog
from bot.store.platform_ids import PlatformIds
from bot.store.platform_steps import PlatformSteps
from bot.store.posts_elsewhere import PostsElsewhere
from bot.store.privacy import Privacy
from bot.store.recap_source import RecapRows
from bot.store.redo import RedoWork
from bot.store.reminder_dms import ReminderDms
from bot.store.sessions import Sessions
from bot.store.steps import Steps
from bot.store.upkeep import Upkeep

__all__ = ["SCHEMA_VERSION", "SchemaError", "Store"]


class Store:
    """`async with Store(path) as store:` opens the database (creating and migrating it) and
    closes it at the end; `await Store.open(path)` opens one whose closing is up to the caller.
    `store.transaction()` runs a block of writes all or nothing."""

    sessions: Sessions
    steps: Steps
    platform_steps: PlatformSteps
    platform_ids: PlatformIds
    links: MemberLinks
    messages: Messages
    members: Members
    moderation: ModerationLog
    host_actions: HostActions
    heartbeat: Heartbeat
    privacy: Privacy
    redo: RedoWork
    reminder_dms: ReminderDms
    upkeep: Upkeep
    recap_source: RecapRows  # what a recap reads (bot.recap.source.RecapSource)

    def __init__(self, path: Path | str = ":memory:") -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        return await cls(path).connect()

    async def connect(self) -> Store:
        if self._conn is None:
            self._bind(await connect(self.path))
        return self

    def _bind(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.sessions = Sessions(conn)
        self.steps = Steps(conn)
        self.platform_steps = PlatformSteps(conn)
        self.platform_ids = PlatformIds(conn)
        self.links = MemberLinks(conn)
        self.ignored = IgnoredAccounts(conn)
        self.posts_elsewhere = PostsElsewhere(conn)
        self.messages = Messages(conn)
        self.members = Members(conn)
        self.moderation = ModerationLog(conn)
        self.host_actions = HostActions(conn)
        self.heartbeat = Heartbeat(conn)
        # an erasure scrubs session topics too (a host's mention): forget the remembered ones
        self.privacy = Privacy(conn, self.path, erased=self.sessions.forget_active)
        self.redo = RedoWork(conn)
        self.reminder_dms = ReminderDms(conn)
        self.upkeep = Upkeep(conn)
        self.recap_source = RecapRows(
            self.sessions, self.steps, self.messages, self.members, self.links
        )

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the store is not open: use `async with Store(path)`")
        return self._conn

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Store]:
        """The block's writes, through the store it is given, commit together or not at all.
        They run on a connection of their own (BEGIN IMMEDIATE ... COMMIT), so a write another
        coroutine makes meanwhile on this store (capture) waits for the transaction (busy
        timeout) instead of joining it and being rolled back with it. Needs a database file."""
        tx = Store(self.path)
        tx._bind(await side_connection(self.path))
        try:
            await tx.conn.execute("BEGIN IMMEDIATE")
            try:
                yield tx
            except BaseException:
                await tx.conn.execute("ROLLBACK")
                raise
            await tx.conn.execute("COMMIT")
        finally:
            await tx.close()
            self.sessions.forget_active()

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()

    async def __aenter__(self) -> Store:
        return await self.connect()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
