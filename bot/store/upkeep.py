"""Day-two chores on the bot's own connection: a clean stop's heartbeat, folding the WAL."""

from __future__ import annotations

import aiosqlite


class Upkeep:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def clear_heartbeat(self) -> None:
        """A clean stop says so at once, instead of letting `health` wait for the beat to age."""
        await self._conn.execute("DELETE FROM heartbeat")

    async def checkpoint(self) -> None:
        """Fold the WAL into the database file and truncate it (best effort: readers may block),
        so erased pages do not live on in the -wal file."""
        await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
