"""Sessions: one chat on one date, with the topic snapshot it runs on."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime

import aiosqlite

from bot.damaged_row import DamagedRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.topics import SessionTopic
from bot.store.codec import (
    date_from_db,
    from_db,
    reads_row,
    required_time,
    to_db,
    topic_from_json,
    topic_to_json,
)

log = logging.getLogger(__name__)


@reads_row("sessions")
def _row(r: aiosqlite.Row) -> SessionRow:
    return SessionRow(
        id=r["id"],
        chat=r["chat"],
        chat_date=date_from_db(r["chat_date"]),
        start_at=required_time(r["start_at"]),
        topic=topic_from_json(r["topic_json"]),
        status=SessionStatus(r["status"]),
        paused_at=from_db(r["paused_at"]),
        event_id=r["event_id"],
        created_at=required_time(r["created_at"]),
        recap_dir=r["recap_dir"],
        recap_posted_at=from_db(r["recap_posted_at"]),
    )


# How long `active()` may answer from memory. Every write through this repository forgets the
# answer at once; the time limit only bounds how long a change made by another process (a CLI
# command on the same database file) goes unseen by a running bot.
ACTIVE_TTL = 1.0


class Sessions:
    def __init__(
        self, conn: aiosqlite.Connection, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._conn = conn
        self._monotonic = monotonic
        # `active()` is asked on every chat message (capture, moderation), so its answer is kept:
        # a query per message queued ~60,000 round trips on aiosqlite's one thread under a burst.
        self._active: tuple[SessionRow, ...] | None = None
        self._active_until = 0.0
        self._loading: asyncio.Future[tuple[SessionRow, ...]] | None = None
        self._generation = 0  # counts writes, so a query that raced one is not remembered
        # Rows the listings left out because they cannot be read, by id (a damaged or edited
        # database): one bad session must not hide every other one; callers may say so.
        self.damaged: dict[int, DamagedRow] = {}

    def _readable(self, rows: Iterable[aiosqlite.Row]) -> list[SessionRow]:
        """The rows that can be read; the others are noted in `damaged` and logged once."""
        found = []
        for r in rows:
            try:
                found.append(_row(r))
            except DamagedRow as exc:
                if r["id"] not in self.damaged:
                    log.warning("the database is damaged or was edited: %s; left out", exc)
                self.damaged[r["id"]] = exc
        return found

    def forget_active(self) -> None:
        """Drop the remembered `active()` answer; a query already under way may predate the
        change, so its answer is neither kept nor shared with later callers."""
        self._generation += 1
        self._active = None
        self._loading = None

    async def _write(self, sql: str, params: Iterable[object]) -> None:
        self.forget_active()
        try:
            await self._conn.execute(sql, tuple(params))
        finally:
            self.forget_active()

    async def create(
        self, chat: str, chat_date: date, start_at: datetime, topic: SessionTopic, now: datetime
    ) -> SessionRow:
        """Create the session for (chat, date), or return the existing one unchanged."""
        await self._write(
            "INSERT OR IGNORE INTO sessions (chat, chat_date, start_at, topic_json, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (chat, chat_date.isoformat(), to_db(start_at), topic_to_json(topic), to_db(now)),
        )
        found = await self.for_date(chat, chat_date)
        assert found is not None
        return found

    async def get(self, session_id: int) -> SessionRow | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM sessions WHERE id = ?", (session_id,)
        )  # one round trip (a cursor would take three)
        return next((_row(r) for r in rows), None)

    async def for_date(self, chat: str, chat_date: date) -> SessionRow | None:
        async with self._conn.execute(
            "SELECT * FROM sessions WHERE chat = ? AND chat_date = ?", (chat, chat_date.isoformat())
        ) as cur:
            r = await cur.fetchone()
        return _row(r) if r else None

    async def active(self) -> list[SessionRow]:
        """Sessions that still have work to do (not recapped or cancelled), oldest first.

        Answered from memory while nothing was written (see ACTIVE_TTL); callers asking at the
        same moment share one query."""
        if self._active is not None and self._monotonic() < self._active_until:
            return list(self._active)
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load_active(self._generation))
        return list(await asyncio.shield(self._loading))

    async def _load_active(self, generation: int) -> tuple[SessionRow, ...]:
        try:
            rows = await self._conn.execute_fetchall(
                "SELECT * FROM sessions WHERE status IN ('planned', 'running', 'paused', 'closed')"
                " ORDER BY start_at"
            )
            found = tuple(self._readable(rows))
        except BaseException:
            if generation == self._generation:
                self._loading = None
            raise
        if generation == self._generation:
            self._active = found
            self._active_until = self._monotonic() + ACTIVE_TTL
            self._loading = None
        return found

    async def recent(self, chat: str | None = None, limit: int = 50) -> list[SessionRow]:
        """Newest first."""
        sql = "SELECT * FROM sessions"
        args: tuple[object, ...] = ()
        if chat:
            sql += " WHERE chat = ?"
            args = (chat,)
        async with self._conn.execute(
            sql + " ORDER BY start_at DESC LIMIT ?", (*args, limit)
        ) as cur:
            return self._readable(await cur.fetchall())

    async def started_since(self, chat: str, since: datetime) -> list[SessionRow]:
        """A chat's sessions that started at or after `since`, newest first."""
        async with self._conn.execute(
            "SELECT * FROM sessions WHERE chat = ? AND start_at >= ? ORDER BY start_at DESC",
            (chat, to_db(since)),
        ) as cur:
            return self._readable(await cur.fetchall())

    async def set_status(
        self, session_id: int, status: SessionStatus, *, paused_at: datetime | None = None
    ) -> None:
        await self._write(
            "UPDATE sessions SET status = ?, paused_at = ? WHERE id = ?",
            (status.value, to_db(paused_at), session_id),
        )

    async def set_topic(self, session_id: int, topic: SessionTopic) -> None:
        await self._write(
            "UPDATE sessions SET topic_json = ? WHERE id = ?", (topic_to_json(topic), session_id)
        )

    async def set_event(self, session_id: int, event_id: int | None) -> None:
        await self._write("UPDATE sessions SET event_id = ? WHERE id = ?", (event_id, session_id))

    async def set_recap(self, session_id: int, recap_dir: str, posted_at: datetime | None) -> None:
        await self._write(
            "UPDATE sessions SET recap_dir = ?, recap_posted_at = COALESCE(?, recap_posted_at)"
            " WHERE id = ?",
            (recap_dir, to_db(posted_at), session_id),
        )
