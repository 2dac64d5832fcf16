"""Host controls as recorded facts (who paused, skipped, extended what, and when)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.domain.actions import HostAction
from bot.store.codec import required_time, to_db


class HostActions:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(
        self, session_id: int, action: str, detail: str, actor: str, at: datetime
    ) -> None:
        await self._conn.execute(
            "INSERT INTO host_actions (session_id, action, detail, actor, created_at) VALUES (?, ?, ?, ?, ?)",
            (session_id, action, detail, actor, to_db(at)),
        )

    async def for_session(self, session_id: int) -> list[HostAction]:
        async with self._conn.execute(
            "SELECT * FROM host_actions WHERE session_id = ? ORDER BY id", (session_id,)
        ) as cur:
            rows = await cur.fetchall()
        return [
            HostAction(
                r["session_id"],
                r["action"],
                r["detail"],
                r["actor"],
                required_time(r["created_at"]),
            )
            for r in rows
        ]
