"""The step ledger: every planned step of a session and what became of it (never lose, never repeat)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.domain.steps import NewStep, PartPost, StepRow, StepStatus
from bot.store.codec import from_db, reads_row, required_time, to_db


def _step_key(r: aiosqlite.Row) -> str:
    return f"{r['session_id']}/{r['key']}"


@reads_row("steps", _step_key)
def _row(r: aiosqlite.Row) -> StepRow:
    return StepRow(
        session_id=r["session_id"],
        key=r["key"],
        kind=r["kind"],
        question=r["question"],
        due_at=required_time(r["due_at"]),
        status=StepStatus(r["status"]),
        message_id=r["message_id"],
        channel_id=r["channel_id"],
        thread_id=r["thread_id"],
        attempts=r["attempts"],
        last_error=r["last_error"],
        sent_at=from_db(r["sent_at"]),
        parts_sent=r["parts_sent"],
    )


class Steps:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(self, session_id: int, steps: Iterable[NewStep]) -> None:
        """Insert steps that are not in the ledger yet (existing keys keep their state)."""
        await self._conn.executemany(
            "INSERT OR IGNORE INTO steps (session_id, key, kind, question, due_at) VALUES (?, ?, ?, ?, ?)",
            [(session_id, s.key, s.kind, s.question, to_db(s.due_at)) for s in steps],
        )

    # Reads are one round trip to the database thread each (`execute_fetchall`; a cursor takes
    # three): a step that falls due during a burst reads the ledger before it posts, and every
    # round trip waits for a turn of the busy event loop.

    async def for_session(self, session_id: int) -> list[StepRow]:
        """All steps of a session ordered by due time (then insertion order)."""
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM steps WHERE session_id = ? ORDER BY due_at, rowid", (session_id,)
        )
        return [_row(r) for r in rows]

    async def get(self, session_id: int, key: str) -> StepRow | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM steps WHERE session_id = ? AND key = ?", (session_id, key)
        )
        return next((_row(r) for r in rows), None)

    async def pending(self) -> list[StepRow]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM steps WHERE status = 'pending' ORDER BY due_at, rowid"
        )
        return [_row(r) for r in rows]

    async def mark_sent(
        self,
        session_id: int,
        key: str,
        *,
        message_id: int | None,
        channel_id: int | None,
        sent_at: datetime,
        thread_id: int | None = None,
    ) -> None:
        """`thread_id` None keeps a thread recorded before (a question's, opened before)."""
        await self._conn.execute(
            "UPDATE steps SET status = 'sent', message_id = ?, channel_id = ?,"
            " thread_id = COALESCE(?, thread_id),"
            " sent_at = ?, last_error = NULL WHERE session_id = ? AND key = ?",
            (message_id, channel_id, thread_id, to_db(sent_at), session_id, key),
        )

    async def set_thread(self, session_id: int, key: str, thread_id: int) -> None:
        await self._conn.execute(
            "UPDATE steps SET thread_id = ? WHERE session_id = ? AND key = ?",
            (thread_id, session_id, key),
        )

    async def mark_skipped(self, session_id: int, key: str, reason: str) -> None:
        await self._conn.execute(
            "UPDATE steps SET status = 'skipped', last_error = ? WHERE session_id = ? AND key = ?"
            " AND status = 'pending'",
            (reason, session_id, key),
        )

    async def begin_attempt(self, session_id: int, key: str) -> int:
        """Count an attempt before sending (a crash mid-send leaves attempts > 0). Returns the count."""
        rows = await self._conn.execute_fetchall(
            "UPDATE steps SET attempts = attempts + 1, last_error = 'sending'"
            " WHERE session_id = ? AND key = ? RETURNING attempts",
            (session_id, key),
        )
        return next((int(r[0]) for r in rows), 0)

    async def fail_attempt(self, session_id: int, key: str, error: str, *, final: bool) -> None:
        """Record why an attempt failed; a final failure marks the step failed."""
        await self._conn.execute(
            "UPDATE steps SET last_error = ?, status = CASE WHEN ? THEN 'failed' ELSE status END"
            " WHERE session_id = ? AND key = ?",
            (error, final, session_id, key),
        )

    async def reschedule(self, session_id: int, due: dict[str, datetime]) -> None:
        """Move pending steps to new due times (pause/resume, extend, next)."""
        await self._conn.executemany(
            "UPDATE steps SET due_at = ? WHERE session_id = ? AND key = ? AND status = 'pending'",
            [(to_db(at), session_id, key) for key, at in due.items()],
        )

    async def record_part(
        self,
        session_id: int,
        key: str,
        parts_sent: int,
        *,
        message_id: int | None,
        thread_id: int | None,
    ) -> None:
        """A multi-part step has `parts_sent` parts out (first message and thread remembered)."""
        await self._conn.execute(
            "UPDATE steps SET parts_sent = ?, message_id = ?, thread_id = ? WHERE session_id = ? AND key = ?",
            (parts_sent, message_id, thread_id, session_id, key),
        )

    async def record_post(
        self, session_id: int, key: str, part: int, *, channel_id: int, message_id: int
    ) -> None:
        """Remember the message of one part (before `record_part` counts it), to edit it later."""
        await self._conn.execute(
            "INSERT OR IGNORE INTO step_posts (session_id, key, part, channel_id, message_id)"
            " VALUES (?, ?, ?, ?, ?)",
            (session_id, key, part, channel_id, message_id),
        )

    async def posts(self, session_id: int, key: str) -> list[PartPost]:
        """Every recorded message of a multi-part step (of every run), in part order."""
        async with self._conn.execute(
            "SELECT part, channel_id, message_id FROM step_posts WHERE session_id = ? AND key = ?"
            " ORDER BY part, message_id",
            (session_id, key),
        ) as cur:
            return [PartPost(r[0], r[1], r[2]) for r in await cur.fetchall()]

    async def reopen(self, session_id: int, key: str, due_at: datetime) -> None:
        """Make a finished step pending again (re-run recap), from its first part."""
        await self._conn.execute(
            "UPDATE steps SET status = 'pending', due_at = ?, last_error = NULL, parts_sent = 0,"
            " attempts = 0, thread_id = NULL"
            " WHERE session_id = ? AND key = ?",
            (to_db(due_at), session_id, key),
        )

    async def drop_pending(self, session_id: int, keys: Iterable[str]) -> None:
        """Remove pending steps that a re-plan no longer has (a topic lost a question)."""
        await self._conn.executemany(
            "DELETE FROM steps WHERE session_id = ? AND key = ? AND status = 'pending'",
            [(session_id, k) for k in keys],
        )
