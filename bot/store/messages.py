"""Member messages captured in a chat: stored as they arrive, re-attributed on edit, tombstoned on delete."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain.messages import HOME_PLATFORM, Added, Attributed, Held, MessageRow, PostOrigin
from bot.store.codec import (
    damaged,
    from_db,
    join_ints,
    join_texts,
    reads_row,
    required_time,
    split_ints,
    split_texts,
    to_db,
)
from bot.store.forgotten import member_hash, read_salt


def _origin(
    platform: str, post_ref: str | None, author_ref: str | None, handle: str | None, public: int
) -> PostOrigin | None:
    if platform == HOME_PLATFORM:
        return None
    return PostOrigin(platform, post_ref or "", author_ref or "", handle or "", bool(public))


@reads_row("messages")
def _row(r: aiosqlite.Row) -> MessageRow:
    return MessageRow(
        id=r["id"],
        session_id=r["session_id"],
        channel_id=r["channel_id"],
        thread_id=r["thread_id"],
        author_id=r["author_id"],
        author_name=r["author_name"],
        author_is_bot=bool(r["author_is_bot"]),
        author_is_host=bool(r["author_is_host"]),
        content=r["content"],
        created_at=required_time(r["created_at"]),
        edited_at=from_db(r["edited_at"]),
        deleted_at=from_db(r["deleted_at"]),
        reply_to=r["reply_to"],
        attribution=Attributed(
            kind=r["kind"],
            questions=split_ints(r["questions"]),
            labels=split_texts(r["labels"]),
            unmatched_labels=split_texts(r["unmatched_labels"]),
            late=bool(r["late"]),
        ),
        hidden=bool(r["hidden"]),
        reactions=r["reactions"],
        jump_url=r["jump_url"],
        origin=_origin(
            r["platform"], r["post_ref"], r["author_ref"], r["author_handle"], r["public"]
        ),
    )


# Reading many rows (a recap, an export): named columns in a fixed order, unpacked by position
# (sqlite3.Row looks each name up), and one Attributed per distinct attribution.
_COLUMNS = (
    "id, session_id, channel_id, thread_id, author_id, author_name, author_is_bot,"
    " author_is_host, content, created_at, edited_at, deleted_at, reply_to, kind, questions,"
    " labels, unmatched_labels, late, hidden, reactions, jump_url, platform, post_ref,"
    " author_ref, author_handle, public"
)


def _rows(found: Iterable[Sequence[Any]]) -> list[MessageRow]:
    """`_convert`, with a value that cannot be converted a DamagedRow naming its message."""
    current: list[Sequence[Any]] = []

    def tracked() -> Iterator[Sequence[Any]]:
        for r in found:
            current[:] = [r]
            yield r

    try:
        return _convert(tracked())
    except (ValueError, TypeError) as exc:
        raise damaged("messages", current[0][0] if current else "?", exc) from None


def _convert(found: Iterable[Sequence[Any]]) -> list[MessageRow]:
    attributions: dict[tuple[Any, ...], Attributed] = {}
    out = []
    for r in found:
        key = (r[13], r[14], r[15], r[16], r[17])
        a = attributions.get(key)
        if a is None:
            a = attributions[key] = Attributed(
                kind=r[13],
                questions=split_ints(r[14]),
                labels=split_texts(r[15]),
                unmatched_labels=split_texts(r[16]),
                late=bool(r[17]),
            )
        out.append(
            MessageRow(
                id=r[0],
                session_id=r[1],
                channel_id=r[2],
                thread_id=r[3],
                author_id=r[4],
                author_name=r[5],
                author_is_bot=bool(r[6]),
                author_is_host=bool(r[7]),
                content=r[8],
                created_at=required_time(r[9]),
                edited_at=from_db(r[10]),
                deleted_at=from_db(r[11]),
                reply_to=r[12],
                attribution=a,
                hidden=bool(r[18]),
                reactions=r[19],
                jump_url=r[20],
                origin=_origin(r[21], r[22], r[23], r[24], r[25]),
            )
        )
    return out


_INSERT = (
    "INSERT INTO messages (id, session_id, channel_id, thread_id, author_id, author_name,"
    " author_is_bot, author_is_host, content, created_at, edited_at, reply_to, kind, questions,"
    " labels, unmatched_labels, late, jump_url, platform, post_ref, author_ref, author_handle,"
    " public) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (id) DO NOTHING"
)

# The live capture write: one statement for a run of messages that also withholds the text of an
# opted-out author and skips what a forgotten member posted before being forgotten (the column
# after the stored ones: the author's salted hash, not stored). The rows are a VALUES list, whose
# columns SQLite names column1...
_CAPTURE_COLUMNS = 23
_FORGOTTEN_BEFORE = (
    "NOT EXISTS (SELECT 1 FROM forgotten_members f"
    f" WHERE f.hash = v.column{_CAPTURE_COLUMNS + 1} AND f.forgotten_at >= v.column10)"
)
_CAPTURE_PER_STATEMENT = 500  # 12,000 parameters; SQLite allows 32,766


def _capture_sql(count: int) -> str:
    row = "(" + ", ".join("?" * (_CAPTURE_COLUMNS + 1)) + ")"
    picked = [f"v.column{n}" for n in range(1, _CAPTURE_COLUMNS + 1)]
    picked[8] = (
        "CASE WHEN EXISTS (SELECT 1 FROM members WHERE user_id = v.column5 AND opted_out)"
        " THEN NULL ELSE v.column9 END"
    )
    return (
        "INSERT INTO messages (id, session_id, channel_id, thread_id, author_id, author_name,"
        " author_is_bot, author_is_host, content, created_at, edited_at, reply_to, kind,"
        " questions, labels, unmatched_labels, late, jump_url, platform, post_ref, author_ref,"
        " author_handle, public)"
        f" SELECT {', '.join(picked)} FROM (VALUES {', '.join([row] * count)}) AS v"
        f" WHERE {_FORGOTTEN_BEFORE}"
        " ON CONFLICT (id) DO NOTHING"
    )


def _params(m: MessageRow) -> tuple[object, ...]:
    a = m.attribution
    return (
        m.id,
        m.session_id,
        m.channel_id,
        m.thread_id,
        m.author_id,
        m.author_name,
        m.author_is_bot,
        m.author_is_host,
        m.content,
        to_db(m.created_at),
        to_db(m.edited_at),
        m.reply_to,
        a.kind,
        join_ints(a.questions),
        join_texts(a.labels),
        join_texts(a.unmatched_labels),
        a.late,
        m.jump_url,
        m.platform,
        o.post_ref if (o := m.origin) else None,
        o.author_ref if o else None,
        o.author_handle if o else None,
        o.public if o else True,
    )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


class Messages:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._capturing = asyncio.Lock()
        self._salt: bytes | None = None  # of `forgotten_members`; never changes once made

    async def add(self, message: MessageRow) -> bool:
        """Store a new message; False when it was already stored (backfill overlap)."""
        cur = await self._conn.execute(_INSERT, _params(message))
        return cur.rowcount > 0

    async def add_member_message(self, message: MessageRow) -> Added | None:
        """Store one live member message (see `add_member_messages`); None if already stored."""
        return (await self.add_member_messages([message])).get(message.id)

    async def add_member_messages(self, messages: Sequence[MessageRow]) -> dict[int, Added]:
        """Store live member messages; the text of an author who opted out is withheld (NULL),
        decided in the insert itself. Returns the newly stored ones by id (a message already
        stored, from a history backfill overlapping live events, is not).

        One round trip for the whole run: per 500 messages a check and an insert, issued at
        once (aiosqlite runs them in order on its thread). Nothing hands back a row per message:
        while the event loop is busy (a burst), each row costs the database thread a wait for
        the GIL of up to 5 ms, so the check answers in one row of JSON."""
        step = _CAPTURE_PER_STATEMENT
        chunks = [messages[i : i + step] for i in range(0, len(messages), step)]
        if self._salt is None:
            self._salt = await read_salt(self._conn)
        hashes = {a: member_hash(self._salt, a) for a in {m.author_id for m in messages}}
        statements = []
        for chunk in chunks:
            ids = sorted({m.id for m in chunk})
            authors = sorted({m.author_id for m in chunk})
            keys = sorted({hashes[a] for a in authors})
            statements.append(
                self._conn.execute_fetchall(
                    f"SELECT (SELECT json_group_array(id) FROM messages WHERE id IN ({_marks(ids)})),"
                    " (SELECT json_group_array(user_id) FROM members"
                    f" WHERE opted_out AND user_id IN ({_marks(authors)})),"
                    " (SELECT json_group_object(hash, forgotten_at) FROM forgotten_members"
                    f" WHERE hash IN ({_marks(keys)}))",
                    [*ids, *authors, *keys],
                )
            )
            statements.append(
                self._conn.execute_fetchall(
                    _capture_sql(len(chunk)),
                    [v for m in chunk for v in (*_params(m), hashes[m.author_id])],
                )
            )
        async with self._capturing:  # no other capture write between a check and its insert
            done = await asyncio.gather(*statements)
        added: dict[int, Added] = {}
        for chunk, checked in zip(chunks, done[::2], strict=True):
            (stored, opted_out, forgotten_at), *_ = checked
            known, withheld = set(json.loads(stored)), set(json.loads(opted_out))
            forgotten: dict[str, str] = json.loads(forgotten_at)
            for m in chunk:
                before = forgotten.get(hashes[m.author_id])
                if before is not None and before >= str(to_db(m.created_at)):
                    continue  # posted before its author was forgotten: not stored (see SQL)
                if m.id not in known and m.id not in added:
                    added[m.id] = Added(opted_out=m.author_id in withheld)
        return added

    async def questions_of(self, message_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
        """The questions stored messages were attributed to (a reply counts for its parent's);
        one row back however many (see `add_member_messages`)."""
        ids = sorted(set(message_ids))
        if not ids:
            return {}
        rows = await self._conn.execute_fetchall(
            "SELECT json_group_array(json_array(id, questions)) FROM messages"
            f" WHERE id IN ({_marks(ids)})",
            ids,
        )
        (found,), *_ = rows
        return {mid: split_ints(questions) for mid, questions in json.loads(found)}

    async def add_many(self, messages: Sequence[MessageRow]) -> None:
        """Store a batch of stored-form messages in one transaction (seeding and tests)."""
        await self._conn.execute("BEGIN")
        try:
            await self._conn.executemany(_INSERT, [_params(m) for m in messages])
        except BaseException:
            await self._conn.execute("ROLLBACK")
            raise
        await self._conn.execute("COMMIT")

    async def get(self, message_id: int) -> MessageRow | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM messages WHERE id = ?", (message_id,)
        )
        r = next(iter(rows), None)  # one round trip (a cursor would take three)
        return _row(r) if r else None

    async def for_session(
        self, session_id: int, *, include_deleted: bool = False
    ) -> list[MessageRow]:
        """A session's messages in posting order."""
        sql = f"SELECT {_COLUMNS} FROM messages WHERE session_id = ?"
        if not include_deleted:
            sql += " AND deleted_at IS NULL"
        found = await self._conn.execute_fetchall(sql + " ORDER BY created_at, id", (session_id,))
        return _rows(found)

    async def held(self, session_id: int) -> dict[int, Held]:
        """Every message stored for a session, by id: what a catch-up compares history with."""
        rows = await self._conn.execute_fetchall(
            "SELECT json_group_array(json_array(id, COALESCE(thread_id, channel_id), edited_at,"
            " deleted_at IS NOT NULL)) FROM messages WHERE session_id = ?",
            (session_id,),
        )
        (found,), *_ = rows
        return {
            mid: Held(where, from_db(edited), bool(deleted))
            for mid, where, edited, deleted in json.loads(found)
        }

    async def edit(
        self, message_id: int, content: str, edited_at: datetime, attribution: Attributed
    ) -> None:
        a = attribution
        await self._conn.execute(
            "UPDATE messages SET content = ?, edited_at = ?, kind = ?, questions = ?, labels = ?,"
            " unmatched_labels = ?, late = ? WHERE id = ? AND deleted_at IS NULL",
            (
                content,
                to_db(edited_at),
                a.kind,
                join_ints(a.questions),
                join_texts(a.labels),
                join_texts(a.unmatched_labels),
                a.late,
                message_id,
            ),
        )

    async def delete(self, message_id: int, deleted_at: datetime) -> None:
        """Tombstone: the text goes, the row stays so a late edit event cannot resurrect it."""
        await self._conn.execute(
            "UPDATE messages SET deleted_at = COALESCE(deleted_at, ?), content = NULL WHERE id = ?",
            (to_db(deleted_at), message_id),
        )

    async def set_hidden(self, message_id: int, hidden: bool) -> bool:
        cur = await self._conn.execute(
            "UPDATE messages SET hidden = ? WHERE id = ?", (hidden, message_id)
        )
        return cur.rowcount > 0

    async def add_reaction(self, message_id: int, user_id: int, emoji: str) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO reactions (message_id, user_id, emoji)"
            " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM messages WHERE id = ?)",
            (message_id, user_id, emoji, message_id),
        )
        await self._recount(message_id)

    async def remove_reaction(self, message_id: int, user_id: int, emoji: str) -> None:
        await self._conn.execute(
            "DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
            (message_id, user_id, emoji),
        )
        await self._recount(message_id)

    async def _recount(self, message_id: int) -> None:
        await self._conn.execute(
            "UPDATE messages SET reactions = (SELECT COUNT(*) FROM reactions WHERE message_id = ?)"
            " WHERE id = ?",
            (message_id, message_id),
        )
