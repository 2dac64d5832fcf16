"""The only place that speaks SQL. `Store` bundles one connection with a repository per aggregate."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import aiosqlite

from bot.store.connection import SCHEMA_VERSION, SchemaError, connect
from bot.store.heartbeat import Heartbeat
from bot.store.host_actions import HostActions
from bot.store.members import Members
from bot.store.messages import Messages
from bot.store.moderation import ModerationLog
from bot.store.privacy import Privacy
from bot.store.recap_source import RecapRows
from bot.store.redo import RedoWork
from bot.store.sessions import Sessions
from bot.store.steps import Steps
from bot.store.upkeep import Upkeep

__all__ = ["SCHEMA_VERSION", "SchemaError", "Store"]


class Store:
    """Open with `async with Store.open(path) as store:`; close it and the connection is gone."""

    def __init__(self, conn: aiosqlite.Connection, path: Path | str = ":memory:") -> None:
        self.conn = conn
        self.path = path
        self.sessions = Sessions(conn)
        self.steps = Steps(conn)
        self.messages = Messages(conn)
        self.members = Members(conn)
        self.moderation = ModerationLog(conn)
        self.host_actions = HostActions(conn)
        self.heartbeat = Heartbeat(conn)
        # an erasure scrubs session topics too (a host's mention): forget the remembered ones
        self.privacy = Privacy(conn, path, erased=self.sessions.forget_active)
        self.redo = RedoWork(conn)
        self.upkeep = Upkeep(conn)
        # what a recap reads (bot.recap.source.RecapSource)
        self.recap_source = RecapRows(self.sessions, self.steps, self.messages, self.members)

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        return cls(await connect(path), path)

    async def close(self) -> None:
        await self.conn.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
