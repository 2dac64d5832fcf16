"""Redo work: sessions whose published copies must be rewritten from the database (after a
forget, an opt-out or the retention purge), what was redone and when, and where recap files and
archive sites were written outside the recap folder.

Rows are queued by `Privacy` before (or in the same transaction as) the change they follow; the
two stages, files and Discord posts, are marked done separately, so a crash part-way resumes at
the stage it stopped in, and a CLI run that cannot reach Discord leaves the posts to the bot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.store.codec import from_db, reads_row, required_time, to_db


@dataclass(frozen=True)
class RedoRow:
    id: int
    session_id: int
    reason: str  # forget | optout | retention | bluesky
    queued_at: datetime
    files_at: datetime | None
    files_note: str | None
    posts_at: datetime | None
    posts_note: str | None


@dataclass(frozen=True)
class RecapOutput:
    """A folder `leadershipchat site` (kind "site") or `recap --out` (kind "recap") wrote."""

    path: Path
    kind: str
    chat: str | None
    session_id: int | None
    title: str | None
    base_url: str | None
    formats: str | None


@reads_row("redo_work")
def _row(r: aiosqlite.Row) -> RedoRow:
    return RedoRow(
        id=r["id"],
        session_id=r["session_id"],
        reason=r["reason"],
        queued_at=required_time(r["queued_at"]),
        files_at=from_db(r["files_at"]),
        files_note=r["files_note"],
        posts_at=from_db(r["posts_at"]),
        posts_note=r["posts_note"],
    )


class RedoWork:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _select(
        self, where: str, args: Sequence[object] = (), order: str = "id", limit: int = -1
    ) -> list[RedoRow]:
        async with self._conn.execute(
            f"SELECT * FROM redo_work {where} ORDER BY {order} LIMIT ?", (*args, limit)
        ) as cur:
            return [_row(r) for r in await cur.fetchall()]

    async def pending_files(self) -> list[RedoRow]:
        return await self._select("WHERE files_at IS NULL")

    async def pending_posts(self) -> list[RedoRow]:
        return await self._select("WHERE posts_at IS NULL")

    async def any_pending(self) -> bool:
        """Cheap: asked every minute by the running bot."""
        async with self._conn.execute(
            "SELECT 1 FROM redo_work WHERE files_at IS NULL OR posts_at IS NULL LIMIT 1"
        ) as cur:
            return await cur.fetchone() is not None

    async def newest(self) -> int:
        """The id of the newest row (0: none): a mark to find what was queued after it."""
        rows = await self._conn.execute_fetchall("SELECT COALESCE(MAX(id), 0) FROM redo_work")
        (newest,), *_ = rows
        return int(newest)

    async def again_after(self, session_id: int, mark: int) -> int:
        """Queue the copies of a session again for every row queued after `mark` (another
        process may have redone them while the recap was still being published from the rows
        before). Returns how many rows were queued again."""
        cur = await self._conn.execute(
            "UPDATE redo_work SET files_at = NULL, files_note = NULL, posts_at = NULL,"
            " posts_note = NULL WHERE session_id = ? AND id > ?"
            " AND (files_at IS NOT NULL OR posts_at IS NOT NULL)",
            (session_id, mark),
        )
        return max(cur.rowcount, 0)

    async def recent(self, limit: int = 20) -> list[RedoRow]:
        """The latest redo work, newest first."""
        return await self._select("", order="id DESC", limit=limit)

    async def files_done(self, ids: Sequence[int], note: str, at: datetime) -> None:
        await self._conn.executemany(
            "UPDATE redo_work SET files_at = ?, files_note = ? WHERE id = ?",
            [(to_db(at), note, i) for i in ids],
        )

    async def posts_done(self, ids: Sequence[int], note: str, at: datetime) -> None:
        await self._conn.executemany(
            "UPDATE redo_work SET posts_at = ?, posts_note = ? WHERE id = ?",
            [(to_db(at), note, i) for i in ids],
        )

    # -- where copies were written ------------------------------------------------------------

    async def record_output(
        self,
        kind: str,
        path: Path,
        at: datetime,
        *,
        chat: str | None = None,
        session_id: int | None = None,
        title: str | None = None,
        base_url: str | None = None,
        formats: str | None = None,
    ) -> None:
        """`path` absolute (a later run may start in another folder)."""
        await self._conn.execute(
            "INSERT OR REPLACE INTO recap_outputs"
            " (path, kind, chat, session_id, title, base_url, formats, written_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (str(path), kind, chat, session_id, title, base_url, formats, to_db(at)),
        )

    async def outputs(self) -> list[RecapOutput]:
        async with self._conn.execute("SELECT * FROM recap_outputs ORDER BY path") as cur:
            return [
                RecapOutput(
                    Path(r["path"]),
                    r["kind"],
                    r["chat"],
                    r["session_id"],
                    r["title"],
                    r["base_url"],
                    r["formats"],
                )
                for r in await cur.fetchall()
            ]
