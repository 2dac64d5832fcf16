"""Retention purges and a member's erasure: the SQL behind `purge_expired` and `forget_member`.

Erasure is one transaction (all or nothing) with `secure_delete` on, so the freed pages are zeroed
and the text does not linger in the file. Beyond the tables known today it sweeps every table for
columns that name a member (`user_id`, `author_id`, `member_id`, `actor_id`) and scrubs the id and
its mentions (`<@id>`) from every text column, so a table added later is not silently missed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiosqlite

from bot.store.codec import to_db

MEMBER_COLUMNS = ("user_id", "author_id", "member_id", "actor_id")
MENTION_REPLACEMENT = "@former-member"
ID_REPLACEMENT = "[forgotten]"
SNOWFLAKE_MIN_DIGITS = 15


@dataclass(frozen=True)
class Erased:
    """What one erasure removed, per table (rows deleted) and where text was scrubbed."""

    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)


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


class Privacy:
    def __init__(
        self, conn: aiosqlite.Connection, *, erased: Callable[[], None] = lambda: None
    ) -> None:
        self._conn = conn
        self._erasing = asyncio.Lock()  # one erasure transaction at a time on this connection
        self._erased = erased  # told after an erasure: rows other repositories remember changed

    async def purge_chat_text_before(self, chat: str, cutoff: datetime) -> int:
        """Drop the text of one chat's messages written before `cutoff`; rows and counts stay."""
        cur = await self._conn.execute(
            "UPDATE messages SET content = NULL WHERE content IS NOT NULL AND created_at < ?"
            " AND session_id IN (SELECT id FROM sessions WHERE chat = ?)",
            (to_db(cutoff), chat),
        )
        return cur.rowcount

    async def purge_other_text_before(self, known_chats: Sequence[str], cutoff: datetime) -> int:
        """Same for messages of no session or of a chat no longer configured."""
        marks = ",".join("?" * len(known_chats)) or "NULL"
        cur = await self._conn.execute(
            "UPDATE messages SET content = NULL WHERE content IS NOT NULL AND created_at < ?"
            " AND (session_id IS NULL OR session_id NOT IN"
            f" (SELECT id FROM sessions WHERE chat IN ({marks})))",
            (to_db(cutoff), *known_chats),
        )
        return cur.rowcount

    async def secure_delete(self, on: bool) -> bool:
        """Set `PRAGMA secure_delete` (freed pages are zeroed); return the previous setting."""
        async with self._conn.execute("PRAGMA secure_delete") as cur:
            row = await cur.fetchone()
        await self._conn.execute(f"PRAGMA secure_delete = {int(on)}")
        return bool(row and row[0])

    async def _tables(self) -> dict[str, list[tuple[str, str]]]:
        async with self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            names = [r[0] for r in await cur.fetchall()]
        tables: dict[str, list[tuple[str, str]]] = {}
        for name in names:
            async with self._conn.execute(f"PRAGMA table_info({_quote(name)})") as cur:
                tables[name] = [(r[1], (r[2] or "").upper()) for r in await cur.fetchall()]
        return tables

    async def _scrub(self, table: str, column: str, user_id: int) -> int:
        """Replace the member's mentions (and, for a real snowflake, the bare id as a whole
        number) in one text column; return the rows changed."""
        pattern = scrub_pattern(user_id)
        col = _quote(column)
        async with self._conn.execute(
            f"SELECT rowid, {col} FROM {_quote(table)} WHERE instr({col}, ?) > 0",
            (str(user_id),),
        ) as cur:
            rows = list(await cur.fetchall())
        changed = 0
        for rowid, text in rows:
            new = pattern.sub(
                lambda m: MENTION_REPLACEMENT if m.group(0).startswith("<") else ID_REPLACEMENT,
                text,
            )
            if new != text:
                await self._conn.execute(
                    f"UPDATE {_quote(table)} SET {col} = ? WHERE rowid = ?", (new, rowid)
                )
                changed += 1
        return changed

    async def erase_member(self, user_id: int) -> Erased:
        """Remove everything about one member, in one transaction (one erasure at a time)."""
        async with self._erasing:
            try:
                return await self._erase_member(user_id)
            finally:
                self._erased()

    async def _erase_member(self, user_id: int) -> Erased:
        deleted: dict[str, int] = {}
        scrubbed: dict[str, int] = {}

        async def run(sql: str, args: tuple[object, ...]) -> int:
            cur = await self._conn.execute(sql, args)
            return max(cur.rowcount, 0)

        previous = await self.secure_delete(True)
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
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
            # later history backfill would otherwise store them again from Discord.
            deleted["messages"] = await run(
                "UPDATE messages SET author_id = 0, author_name = '', content = NULL,"
                " deleted_at = COALESCE(deleted_at, ?), labels = '', unmatched_labels = '',"
                " jump_url = NULL, reactions = 0 WHERE author_id = ?",
                (to_db(datetime.now(UTC)), user_id),
            )
            for table, columns in tables.items():
                names = [c for c, _ in columns if c in MEMBER_COLUMNS]
                if names:
                    where = " OR ".join(f"{_quote(c)} = ?" for c in names)
                    n = await run(
                        f"DELETE FROM {_quote(table)} WHERE {where}", (user_id,) * len(names)
                    )
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
                    n = await self._scrub(table, column, user_id)
                    if n:
                        scrubbed[f"{table}.{column}"] = n
        except BaseException:
            await self._conn.execute("ROLLBACK")
            await self.secure_delete(previous)
            raise
        await self._conn.execute("COMMIT")
        await self.secure_delete(previous)
        return Erased({t: n for t, n in deleted.items() if n}, scrubbed)
