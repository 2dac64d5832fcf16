"""Which members a session's "Remind me" DM was sent (or was being sent) to, so a retry after a
crash DMs nobody twice and still reaches the members it had not reached (one whose DM was under
way is checked in their DM channel)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.store.codec import to_db


class ReminderDms:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def claims(self, session_id: int) -> dict[int, bool]:
        """Member -> whether their DM is known to have gone (False: it was under way when the
        bot stopped, and may or may not have gone)."""
        rows = await self._conn.execute_fetchall(
            "SELECT user_id, sent_at IS NOT NULL FROM reminder_dms WHERE session_id = ?",
            (session_id,),
        )
        return {r[0]: bool(r[1]) for r in rows}

    async def claim(self, session_id: int, user_id: int, at: datetime) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO reminder_dms (session_id, user_id, claimed_at) VALUES (?, ?, ?)",
            (session_id, user_id, to_db(at)),
        )

    async def sent(self, session_id: int, user_id: int, at: datetime) -> None:
        await self._conn.execute(
            "UPDATE reminder_dms SET sent_at = ? WHERE session_id = ? AND user_id = ?",
            (to_db(at), session_id, user_id),
        )
