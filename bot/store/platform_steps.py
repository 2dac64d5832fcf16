"""Per-platform step records: what became of each step on the platforms the chat also runs on
(beside the home platform, whose record is the step's own row in `steps`). One row per step
and platform, pending until its post is out (never twice), skipped or failed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from bot.domain.steps import PlatformStep, StepStatus
from bot.store.codec import from_db, to_db


def _row(r: aiosqlite.Row) -> PlatformStep:
    return PlatformStep(
        session_id=r["session_id"],
        key=r["key"],
        platform=r["platform"],
        status=StepStatus(r["status"]),
        post_ref=r["post_ref"],
        attempts=r["attempts"],
        last_error=r["last_error"],
        sent_at=from_db(r["sent_at"]),
        retry_when_back=bool(r["retry_when_back"]),
    )


class PlatformSteps:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(self, session_id: int, platform: str, keys: Iterable[str]) -> None:
        """Records for steps that have none on this platform yet (existing ones keep theirs)."""
        await self._conn.executemany(
            "INSERT OR IGNORE INTO platform_steps (session_id, key, platform) VALUES (?, ?, ?)",
            [(session_id, key, platform) for key in keys],
        )

    async def get(self, session_id: int, key: str, platform: str) -> PlatformStep | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM platform_steps WHERE session_id = ? AND key = ? AND platform = ?",
            (session_id, key, platform),
        )
        return next((_row(r) for r in rows), None)

    async def for_session(self, session_id: int) -> list[PlatformStep]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM platform_steps WHERE session_id = ? ORDER BY rowid", (session_id,)
        )
        return [_row(r) for r in rows]

    async def pending(self) -> list[PlatformStep]:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM platform_steps WHERE status = 'pending' ORDER BY rowid"
        )
        return [_row(r) for r in rows]

    async def held(self, platform: str) -> list[PlatformStep]:
        """The records that failed for a reason that passes, to try again now the platform works
        again (`retry_when_back`), in planning order."""
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM platform_steps WHERE status = 'failed' AND retry_when_back"
            " AND platform = ? ORDER BY session_id, rowid",
            (platform,),
        )
        return [_row(r) for r in rows]

    async def retry(self, session_id: int, key: str, platform: str) -> None:
        """A held record pending again (its attempts kept: the own-posts check comes first)."""
        await self._conn.execute(
            "UPDATE platform_steps SET status = 'pending', retry_when_back = 0"
            " WHERE session_id = ? AND key = ? AND platform = ? AND status = 'failed'",
            (session_id, key, platform),
        )

    async def begin_attempt(self, session_id: int, key: str, platform: str) -> int:
        """Count an attempt before posting (a crash mid-post leaves attempts > 0)."""
        rows = await self._conn.execute_fetchall(
            "UPDATE platform_steps SET attempts = attempts + 1, last_error = 'sending'"
            " WHERE session_id = ? AND key = ? AND platform = ? RETURNING attempts",
            (session_id, key, platform),
        )
        return next((int(r[0]) for r in rows), 0)

    async def mark_sent(
        self, session_id: int, key: str, platform: str, *, post_ref: str | None, at: datetime
    ) -> None:
        await self._conn.execute(
            "UPDATE platform_steps SET status = 'sent', post_ref = ?, sent_at = ?,"
            " last_error = NULL WHERE session_id = ? AND key = ? AND platform = ?",
            (post_ref, to_db(at), session_id, key, platform),
        )

    async def mark_skipped(self, session_id: int, key: str, platform: str, reason: str) -> None:
        await self._conn.execute(
            "UPDATE platform_steps SET status = 'skipped', last_error = ?"
            " WHERE session_id = ? AND key = ? AND platform = ? AND status = 'pending'",
            (reason, session_id, key, platform),
        )

    async def fail_attempt(
        self,
        session_id: int,
        key: str,
        platform: str,
        error: str,
        *,
        final: bool,
        retry_when_back: bool = False,
    ) -> None:
        """`retry_when_back` (with `final`): it failed for a reason that passes (`held`)."""
        await self._conn.execute(
            "UPDATE platform_steps SET last_error = ?,"
            " status = CASE WHEN ? THEN 'failed' ELSE status END, retry_when_back = ?"
            " WHERE session_id = ? AND key = ? AND platform = ?",
            (error, final, final and retry_when_back, session_id, key, platform),
        )
