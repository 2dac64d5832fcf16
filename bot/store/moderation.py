"""Moderation actions (deleted floods, blocked words, hidden messages), one row each."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.domain.actions import ModerationAction
from bot.store.codec import required_time, to_db


class ModerationLog:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(
        self,
        *,
        user_id: int,
        action: str,
        reason: str,
        at: datetime,
        session_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO moderation_actions (session_id, user_id, message_id, action, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, user_id, message_id, action, reason, to_db(at)),
        )

    async def for_user(self, user_id: int) -> list[ModerationAction]:
        async with self._conn.execute(
            "SELECT * FROM moderation_actions WHERE user_id = ? ORDER BY id", (user_id,)
        ) as cur:
            rows = await cur.fetchall()
        return [
            ModerationAction(
                r["id"],
                r["session_id"],
                r["user_id"],
                r["message_id"],
                r["action"],
                r["reason"],
                required_time(r["created_at"]),
            )
            for r in rows
        ]
