"""Retention purges, opt-out and a member's erasure: the SQL behind `purge_expired`, `/chat optout`
and `forget_member`.

Each of them first queues the sessions whose published copies (recap files, archive pages, the
bot's Discord posts) must be redone (`redo_work`), so a crash part-way never leaves a copy with
words the database no longer holds.

Erasure is one transaction (all or nothing) on a connection of its own, with `secure_delete` on,
so the freed pages are zeroed and a write another coroutine makes meanwhile (a chat message being
captured) waits for it instead of joining it and being lost with a rollback. The request is
recorded first (`erasure_requests`) and deleted by the erasure itself, so a kill at any point
leaves either the request (the next start erases) or the finished erasure. Beyond the tables known
today it sweeps every table for columns that name a member (`user_id`, `author_id`, `member_id`,
`actor_id`) and scrubs the id and its mentions (`<@id>`) from every text column, so a table added
later is not silently missed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.store.codec import to_db
from bot.store.connection import side_connection
from bot.store.forgotten import member_hash, read_salt

MEMBER_COLUMNS = ("user_id", "author_id", "member_id", "actor_id")
MENTION_REPLACEMENT = "@former-member"
ID_REPLACEMENT = "[forgotten]"
SNOWFLAKE_MIN_DIGITS = 15

# Sessions a member's erasure changes: their words, their reactions, their counts, and any text
# that mentions them (other members' messages, a topic naming them as host).
_AFFECTED_SESSIONS = """
    SELECT session_id FROM messages WHERE author_id = :user AND session_id IS NOT NULL
    UNION SELECT session_id FROM session_members WHERE user_id = :user
    UNION SELECT m.session_id FROM reactions r JOIN messages m ON m.id = r.message_id
        WHERE r.user_id = :user AND m.session_id IS NOT NULL
    UNION SELECT session_id FROM messages
        WHERE instr(content, :text) > 0 AND session_id IS NOT NULL
    UNION SELECT id FROM sessions WHERE instr(topic_json, :text) > 0
"""


@dataclass(frozen=True)
class Erased:
    """What one erasure removed, per table (rows deleted) and where text was scrubbed."""

    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    sessions: tuple[int, ...] = ()  # sessions whose published copies are queued to be redone


def scrub_pattern(user_id: int) -> re.Pattern[str]:
    """Mentions `<@id>`/`<@!id>` always; the bare id only as a whole number and only when it is
    long enough to be a Discord id (a short test id like 202 would match inside timestamps)."""
    uid = re.escape(str(user_id))
    mention = rf"<@!?{uid}>"
    if len(str(user_id)) < SNOWFLAKE_MIN_DIGITS:
        return re.compile(mention)
    return re.compile(rf"{mention}|(?<!\d){uid}(?!\d)")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _queue_redo(
    conn: aiosqlite.Connection, select_sessions: str, args: Sequence[object], reason: str
) -> int:
    """Queue the sessions `select_sessions` names (a query of one column, or `?` marks) for
    redoing their published copies."""
    cur = await conn.execute(
        "INSERT INTO redo_work (session_id, reason, queued_at)"
        f" SELECT DISTINCT s.id, ?, ? FROM sessions s WHERE s.id IN ({select_sessions})",
        (reason, to_db(datetime.now(UTC)), *args),
    )
    return max(cur.rowcount, 0)


class Privacy:
    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: Path | str,
        *,
        erased: Callable[[], None] = lambda: None,
    ) -> None:
        self._conn = conn
        self._path = path
        self._erasing = asyncio.Lock()  # one erasure at a time in this process
        self._erased = erased  # told after an erasure: rows other repositories remember changed

    async def queue_redo(self, session_ids: Sequence[int], reason: str) -> int:
        """Queue these sessions' published copies to be redone (with the change they follow, in
        one transaction): e.g. a Bluesky post deleted or hidden after the recap."""
        if not session_ids:
            return 0
        marks = ",".join("?" * len(session_ids))
        return await _queue_redo(self._conn, marks, list(session_ids), reason)

    # -- retention and opt-out ------------------------------------------------------------------

    async def purge_chat_text_before(self, chat: str, cutoff: datetime) -> int:
        """Drop the text of one chat's messages written before `cutoff`; rows and counts stay."""
        where = (
            "content IS NOT NULL AND created_at < ?"
            " AND session_id IN (SELECT id FROM sessions WHERE chat = ?)"
        )
        args = (to_db(cutoff), chat)
        await _queue_redo(
            self._conn, f"SELECT session_id FROM messages WHERE {where}", args, "retention"
        )
        cur = await self._conn.execute(f"UPDATE messages SET content = NULL WHERE {where}", args)
        return cur.rowcount

    async def purge_other_text_before(self, known_chats: Sequence[str], cutoff: datetime) -> int:
        """Same for messages of no session or of a chat no longer configured."""
        marks = ",".join("?" * len(known_chats)) or "NULL"
        where = (
            "content IS NOT NULL AND created_at < ? AND (session_id IS NULL OR session_id NOT IN"
            f" (SELECT id FROM sessions WHERE chat IN ({marks})))"
        )
        args = (to_db(cutoff), *known_chats)
        await _queue_redo(
            self._conn, f"SELECT session_id FROM messages WHERE {where}", args, "retention"
        )
        cur = await self._conn.execute(f"UPDATE messages SET content = NULL WHERE {where}", args)
        return cur.rowcount

    async def opt_out(self, user_id: int) -> int:
        """Leave the recaps: queue the member's sessions, then drop the text they wrote (the
        rows stay, so they still count as having taken part). Returns the messages cleared.
        The caller sets the opted-out flag first."""
        await _queue_redo(
            self._conn,
            "SELECT session_id FROM messages WHERE author_id = ?",
            (user_id,),
            "optout",
        )
        cur = await self._conn.execute(
            "UPDATE messages SET content = NULL WHERE author_id = ? AND content IS NOT NULL",
            (user_id,),
        )
        return cur.rowcount

    # -- erasure --------------------------------------------------------------------------------

    async def request_erasure(self, user_id: int, at: datetime) -> None:
        """Record that a member asked to be forgotten, before anything is erased."""
        await self._conn.execute(
            "INSERT OR IGNORE INTO erasure_requests (user_id, requested_at) VALUES (?, ?)",
            (user_id, to_db(at)),
        )

    async def pending_erasures(self) -> list[int]:
        """Erasures asked for whose transaction never committed (a kill, a failure)."""
        async with self._conn.execute(
            "SELECT user_id FROM erasure_requests ORDER BY requested_at, user_id"
        ) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def erase_member(self, user_id: int) -> Erased:
        """Remove everything about one member in one transaction on its own connection (one
        erasure at a time); the request row goes with it."""
        async with self._erasing:
            conn = await side_connection(self._path)
            try:
                return await _Erasure(conn, user_id).run()
            finally:
                await conn.close()
                self._erased()


class _Erasure:
    """One member's erasure on a connection nobody else uses."""

    def __init__(self, conn: aiosqlite.Connection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id

    async def run(self) -> Erased:
        conn = self.conn
        await conn.execute("PRAGMA secure_delete = 1")
        await conn.execute("BEGIN IMMEDIATE")
        try:
            erased = await self._erase()
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        return erased

    async def _run(self, sql: str, args: Sequence[object]) -> int:
        cur = await self.conn.execute(sql, tuple(args))
        return max(cur.rowcount, 0)

    async def _tables(self) -> dict[str, list[tuple[str, str]]]:
        async with self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            names = [r[0] for r in await cur.fetchall()]
        tables: dict[str, list[tuple[str, str]]] = {}
        for name in names:
            async with self.conn.execute(f"PRAGMA table_info({_quote(name)})") as cur:
                tables[name] = [(r[1], (r[2] or "").upper()) for r in await cur.fetchall()]
        return tables

    async def _scrub(self, table: str, column: str) -> int:
        """Replace the member's mentions (and, for a real snowflake, the bare id as a whole
        number) in one text column; return the rows changed."""
        pattern = scrub_pattern(self.user_id)
        col = _quote(column)
        async with self.conn.execute(
            f"SELECT rowid, {col} FROM {_quote(table)} WHERE instr({col}, ?) > 0",
            (str(self.user_id),),
        ) as cur:
            rows = list(await cur.fetchall())
        changed = 0
        for rowid, text in rows:
            new = pattern.sub(
                lambda m: MENTION_REPLACEMENT if m.group(0).startswith("<") else ID_REPLACEMENT,
                text,
            )
            if new != text:
                await self._run(
                    f"UPDATE {_quote(table)} SET {col} = ? WHERE rowid = ?", (new, rowid)
                )
                changed += 1
        return changed

    async def _erase(self) -> Erased:
        user_id, run = self.user_id, self._run
        deleted: dict[str, int] = {}
        scrubbed: dict[str, int] = {}
        async with self.conn.execute(
            "SELECT requested_at FROM erasure_requests WHERE user_id = ?", (user_id,)
        ) as cur:
            asked = [r[0] for r in await cur.fetchall()]
        await run("DELETE FROM erasure_requests WHERE user_id = ?", (user_id,))
        async with self.conn.execute(
            _AFFECTED_SESSIONS, {"user": user_id, "text": str(user_id)}
        ) as cur:
            sessions = tuple(sorted(r[0] for r in await cur.fetchall()))
        tables = await self._tables()
        # Replies to their messages would point at rows that are gone.
        await run(
            "UPDATE messages SET reply_to = NULL"
            " WHERE reply_to IN (SELECT id FROM messages WHERE author_id = ?)",
            (user_id,),
        )
        deleted["reactions"] = await run("DELETE FROM reactions WHERE user_id = ?", (user_id,))
        deleted["reactions"] += await run(
            "DELETE FROM reactions WHERE message_id IN"
            " (SELECT id FROM messages WHERE author_id = ?)",
            (user_id,),
        )
        deleted["moderation_actions"] = await run(
            "DELETE FROM moderation_actions WHERE user_id = ?"
            " OR message_id IN (SELECT id FROM messages WHERE author_id = ?)",
            (user_id, user_id),
        )
        # Their messages become anonymous tombstones (no author, no text), not gone: a
        # later history backfill would otherwise store them again from Discord. A Bluesky
        # post's AT-URI, DID and handle go too (its id, a hash's row, keeps it from being
        # collected again: bot.bluesky.collector).
        deleted["messages"] = await run(
            "UPDATE messages SET author_id = 0, author_name = '', content = NULL,"
            " deleted_at = COALESCE(deleted_at, ?), labels = '', unmatched_labels = '',"
            " jump_url = NULL, reactions = 0, post_ref = NULL, author_ref = NULL,"
            " author_handle = NULL WHERE author_id = ?",
            (to_db(datetime.now(UTC)), user_id),
        )
        for table, columns in tables.items():
            names = [c for c, _ in columns if c in MEMBER_COLUMNS]
            if names:
                where = " OR ".join(f"{_quote(c)} = ?" for c in names)
                n = await run(f"DELETE FROM {_quote(table)} WHERE {where}", (user_id,) * len(names))
                deleted[table] = deleted.get(table, 0) + n
        await run(
            "UPDATE messages SET reactions ="
            " (SELECT COUNT(*) FROM reactions r WHERE r.message_id = messages.id)"
            " WHERE id IN (SELECT DISTINCT message_id FROM reactions) OR reactions > 0",
            (),
        )
        # Host actions name their actor as "Display Name (id)": the name goes too.
        actors = await run(
            "UPDATE host_actions SET actor = ? WHERE actor LIKE ?",
            (ID_REPLACEMENT, f"%({user_id})"),
        )
        if actors:
            scrubbed["host_actions.actor"] = actors
        for table, columns in tables.items():
            for column, kind in columns:
                if "CHAR" not in kind and "TEXT" not in kind and "CLOB" not in kind:
                    continue
                n = await self._scrub(table, column)
                if n:
                    scrubbed[f"{table}.{column}"] = n
        if sessions:
            await _queue_redo(self.conn, ",".join("?" * len(sessions)), sessions, "forget")
        # Their older messages are still on Discord: a catch-up must not store them again.
        # Whatever they posted until they asked (or until now, the later) counts as older.
        now = str(to_db(datetime.now(UTC)))
        await run(
            "INSERT INTO forgotten_members (hash, forgotten_at) VALUES (?, ?)"
            " ON CONFLICT (hash) DO UPDATE SET forgotten_at = excluded.forgotten_at",
            (member_hash(await read_salt(self.conn), user_id), max([*asked, now])),
        )
        return Erased({t: n for t, n in deleted.items() if n}, scrubbed, sessions)
