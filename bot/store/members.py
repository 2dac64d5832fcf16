"""Members and their participation: first/last seen, sessions, opt-out and reminder settings."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.domain.members import MemberRow, Participation, Seen
from bot.store.codec import count, from_db, reads_row, to_db


@dataclass
class _Tally:
    """One member's messages within a run being recorded."""

    name: str
    first_at: datetime
    last_at: datetime
    messages: int
    answers: int

    def add(self, seen: Seen) -> None:
        self.name = seen.display_name
        self.first_at = min(self.first_at, seen.at)
        self.last_at = max(self.last_at, seen.at)
        self.messages += 1
        self.answers += int(seen.answer)


# 5 parameters per member in the widest statement; SQLite allows 32,766 per statement
_MEMBERS_PER_STATEMENT = 500


def _user(r: aiosqlite.Row) -> object:
    return r["user_id"]


def _member_of_session(r: aiosqlite.Row) -> str:
    return f"{r['session_id']}/{r['user_id']}"


@reads_row("members", _user)
def _member(r: aiosqlite.Row) -> MemberRow:
    return MemberRow(
        user_id=r["user_id"],
        display_name=r["display_name"],
        first_seen_at=from_db(r["first_seen_at"]),
        last_seen_at=from_db(r["last_seen_at"]),
        first_session_id=r["first_session_id"],
        sessions_count=r["sessions_count"],
        opted_out=bool(r["opted_out"]),
    )


@reads_row("session_members", _member_of_session)
def _participation(r: aiosqlite.Row) -> Participation:
    return Participation(
        session_id=r["session_id"],
        user_id=r["user_id"],
        messages=count(r["messages"]),
        answers=count(r["answers"]),
        newcomer=bool(r["newcomer"]),
        welcomed=bool(r["welcomed"]),
    )


class Members:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def get(self, user_id: int) -> MemberRow | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM members WHERE user_id = ?", (user_id,)
        )
        r = next(iter(rows), None)  # one round trip (a cursor would take three)
        return _member(r) if r else None

    async def many(self, user_ids: list[int]) -> dict[int, MemberRow]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = await self._conn.execute_fetchall(
            f"SELECT * FROM members WHERE user_id IN ({marks})", user_ids
        )  # one round trip (a newcomers step reads it before it posts)
        return {r["user_id"]: _member(r) for r in rows}

    async def ensure(self, user_id: int, display_name: str) -> MemberRow:
        await self._conn.execute(
            "INSERT INTO members (user_id, display_name) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name",
            (user_id, display_name),
        )
        found = await self.get(user_id)
        assert found is not None
        return found

    async def record_message(
        self, session_id: int, user_id: int, display_name: str, at: datetime, *, answer: bool
    ) -> Participation:
        """Count one message towards a member's participation (see `record_messages`)."""
        seen = [Seen(user_id, display_name, at, answer)]
        return (await self.record_messages(session_id, seen))[user_id]

    async def record_messages(
        self, session_id: int, seen: Sequence[Seen]
    ) -> dict[int, Participation]:
        """Count messages towards their authors' participation, in posting order; a member's first
        message in a session decides whether they are a newcomer (never seen in an earlier one).
        Returns each author's participation after the count.

        This runs for every captured message, so a run of messages costs two statements (three
        when someone is new to the session) and one round trip to the database thread (two),
        however many members and messages it holds."""
        per_member: dict[int, _Tally] = {}
        for s in seen:
            tally = per_member.get(s.user_id)
            if tally is None:
                per_member[s.user_id] = _Tally(s.display_name, s.at, s.at, 1, int(s.answer))
            else:
                tally.add(s)
        members = list(per_member.items())
        step = _MEMBERS_PER_STATEMENT
        chunks = [members[i : i + step] for i in range(0, len(members), step)]
        found: dict[int, Participation] = {}
        for parts in await asyncio.gather(*(self._record(session_id, c) for c in chunks)):
            found |= parts
        return found

    async def _record(
        self, session_id: int, members: list[tuple[int, _Tally]]
    ) -> dict[int, Participation]:
        # The statements are issued at once: aiosqlite runs them in that order on its one
        # thread, and waiting for each before issuing the next would cost a turn of the event
        # loop (under a burst, a long one).
        rows = ", ".join(["(?, ?, ?, ?, ?)"] * len(members))
        upserted = self._conn.execute(
            "INSERT INTO members (user_id, display_name, first_seen_at, last_seen_at, first_session_id)"
            f" VALUES {rows} ON CONFLICT (user_id) DO UPDATE SET"
            " display_name = excluded.display_name, last_seen_at = excluded.last_seen_at,"
            " first_seen_at = COALESCE(members.first_seen_at, excluded.first_seen_at),"
            " first_session_id = COALESCE(members.first_session_id, excluded.first_session_id)",
            [
                v
                for uid, t in members
                for v in (uid, t.name, to_db(t.first_at), to_db(t.last_at), session_id)
            ],
        )
        counts = ", ".join(["(?, ?, ?)"] * len(members))
        counted = self._conn.execute_fetchall(
            "INSERT INTO session_members (session_id, user_id, messages, answers, newcomer)"
            " SELECT ?, c.column1, c.column2, c.column3, (m.first_session_id = ?)"
            f" FROM (VALUES {counts}) AS c JOIN members AS m ON m.user_id = c.column1 WHERE true"
            " ON CONFLICT (session_id, user_id) DO UPDATE SET"
            " messages = messages + excluded.messages, answers = answers + excluded.answers",
            [
                session_id,
                session_id,
                *(v for uid, t in members for v in (uid, t.messages, t.answers)),
            ],
        )
        # the counts after, as one row of JSON: no row per member while the loop is busy
        # (see Messages.add_member_messages)
        marks = ", ".join("?" * len(members))
        read_back = self._conn.execute_fetchall(
            "SELECT json_group_array(json_array(user_id, messages, answers, newcomer, welcomed))"
            f" FROM session_members WHERE session_id = ? AND user_id IN ({marks})",
            [session_id, *(uid for uid, _ in members)],
        )
        _, _, ((found,), *_) = await asyncio.gather(upserted, counted, read_back)
        parts = {
            uid: Participation(session_id, uid, n, answers, bool(newcomer), bool(welcomed))
            for uid, n, answers, newcomer, welcomed in json.loads(found)
        }
        tallies = dict(members)
        new = [uid for uid, p in parts.items() if p.messages == tallies[uid].messages]
        if new:  # a new session for these members
            await self._conn.execute(
                "UPDATE members SET sessions_count = (SELECT COUNT(*) FROM session_members AS s"
                " WHERE s.user_id = members.user_id AND s.messages > 0)"
                f" WHERE user_id IN ({', '.join('?' * len(new))})",
                new,
            )
        return parts

    async def participation(self, session_id: int, user_id: int) -> Participation | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM session_members WHERE session_id = ? AND user_id = ?",
            (session_id, user_id),
        )
        r = next(iter(rows), None)
        return _participation(r) if r else None

    async def for_session(self, session_id: int) -> list[Participation]:
        """Who took part (at least one message not deleted)."""
        async with self._conn.execute(
            "SELECT * FROM session_members WHERE session_id = ? AND messages > 0 ORDER BY user_id",
            (session_id,),
        ) as cur:
            return [_participation(r) for r in await cur.fetchall()]

    async def history(self, user_ids: list[int]) -> dict[int, list[int]]:
        """Session ids each member took part in, oldest first (for streaks and trends)."""
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        out: dict[int, list[int]] = {u: [] for u in user_ids}
        async with self._conn.execute(
            "SELECT sm.user_id, sm.session_id FROM session_members sm JOIN sessions s ON s.id = sm.session_id"
            f" WHERE sm.user_id IN ({marks}) AND sm.messages > 0 ORDER BY s.start_at",
            user_ids,
        ) as cur:
            for r in await cur.fetchall():
                out[r[0]].append(r[1])
        return out

    async def claim_newcomers(self, session_id: int, batch: int) -> list[int]:
        """The newcomers welcome batch `batch` names, in id order: those no batch has named yet
        are claimed for it (`welcomed` holds the batch), so a retry after a crash names the
        same people and a later batch never names them again. Members whose messages are all
        deleted are left out, and so are members on another platform (negative ids: the welcome
        is posted on the home platform)."""
        rows = await self._conn.execute_fetchall(
            "UPDATE session_members SET welcomed = ?"
            " WHERE session_id = ? AND newcomer AND welcomed = 0 AND messages > 0"
            " AND user_id > 0 RETURNING user_id",
            (batch, session_id),
        )
        return sorted(int(r[0]) for r in rows)

    async def claimed(self, session_id: int, batch: int) -> list[int]:
        """The members a newcomers batch already claimed (see `claim_newcomers`)."""
        rows = await self._conn.execute_fetchall(
            "SELECT user_id FROM session_members WHERE session_id = ? AND welcomed = ?"
            " ORDER BY user_id",
            (session_id, batch),
        )
        return [r[0] for r in rows]

    async def unwelcomed(self, session_id: int) -> int:
        """Newcomers no batch has claimed who would start one: not opted out, not only hosting,
        on the home platform."""
        rows = await self._conn.execute_fetchall(
            "SELECT COUNT(*) FROM session_members AS sm JOIN members AS m USING (user_id)"
            " WHERE sm.session_id = ? AND sm.newcomer AND sm.welcomed = 0 AND sm.messages > 0"
            " AND sm.user_id > 0"
            " AND NOT m.opted_out AND EXISTS (SELECT 1 FROM messages AS g WHERE"
            " g.session_id = sm.session_id AND g.author_id = sm.user_id AND NOT g.author_is_host"
            " AND g.deleted_at IS NULL)",
            (session_id,),
        )
        return int(next(iter(rows))[0])

    async def recount(self, message_ids: Sequence[int]) -> None:
        """Participation of these messages' authors, counted again from the messages stored:
        after an edit (an answer no more, or now) or a delete. A member left with no message
        no longer counts as taking part (`for_session`, `history`)."""
        ids = sorted(set(message_ids))
        if ids:
            marks = ", ".join("?" * len(ids))
            await self._count_again(
                f"SELECT session_id, author_id FROM messages WHERE id IN ({marks})", ids
            )

    async def rebuild(self, session_id: int) -> None:
        """A session's participation made whole from its stored messages: storing a run of
        messages and counting it are separate statements, and a crash between them left
        messages that were never counted (or members never recorded)."""
        live = "FROM messages WHERE session_id = ? AND deleted_at IS NULL AND author_id != 0"
        await self._conn.execute(
            "INSERT INTO members (user_id, display_name, first_seen_at, last_seen_at,"
            " first_session_id) SELECT author_id, MAX(author_name), MIN(created_at),"
            f" MAX(created_at), ? {live} GROUP BY author_id"
            " ON CONFLICT (user_id) DO UPDATE SET"
            " first_seen_at = COALESCE(members.first_seen_at, excluded.first_seen_at),"
            " first_session_id = COALESCE(members.first_session_id, excluded.first_session_id)",
            (session_id, session_id),
        )
        await self._conn.execute(
            "INSERT INTO session_members (session_id, user_id, newcomer)"
            " SELECT ?, m.user_id, (m.first_session_id = ?) FROM members AS m"
            f" WHERE m.user_id IN (SELECT author_id {live})"
            " ON CONFLICT (session_id, user_id) DO NOTHING",
            (session_id, session_id, session_id),
        )
        await self._count_again(
            "SELECT session_id, user_id FROM session_members WHERE session_id = ?", [session_id]
        )

    async def _count_again(self, pairs: str, params: Sequence[object]) -> None:
        """Counts of the (session, member) pairs `pairs` selects, from the messages stored."""
        mine = "m.session_id = session_members.session_id AND m.author_id = session_members.user_id"
        await self._conn.execute(
            "UPDATE session_members SET"
            f" messages = (SELECT COUNT(*) FROM messages AS m WHERE {mine}"
            " AND m.deleted_at IS NULL),"
            f" answers = (SELECT COUNT(*) FROM messages AS m WHERE {mine}"
            f" AND m.deleted_at IS NULL AND m.kind = 'answer') WHERE (session_id, user_id) IN ({pairs})",
            params,
        )
        await self._conn.execute(
            "UPDATE members SET sessions_count = (SELECT COUNT(*) FROM session_members AS s"
            " WHERE s.user_id = members.user_id AND s.messages > 0)"
            " WHERE user_id IN (SELECT user_id FROM session_members"
            f" WHERE (session_id, user_id) IN ({pairs}))",
            params,
        )

    async def welcomed_names(self, session_id: int) -> set[str]:
        """The names a session's welcomed newcomers went by (now, and on their messages): a
        welcome post may keep exactly these when a member is forgotten."""
        async with self._conn.execute(
            "SELECT m.display_name FROM session_members sm JOIN members m ON m.user_id = sm.user_id"
            " WHERE sm.session_id = ? AND sm.welcomed"
            " UNION SELECT msg.author_name FROM messages msg JOIN session_members sm"
            " ON sm.user_id = msg.author_id AND sm.session_id = msg.session_id"
            " WHERE msg.session_id = ? AND sm.welcomed",
            (session_id, session_id),
        ) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def set_opted_out(self, user_id: int, display_name: str, opted_out: bool) -> None:
        await self.ensure(user_id, display_name)
        await self._conn.execute(
            "UPDATE members SET opted_out = ? WHERE user_id = ?", (opted_out, user_id)
        )

    async def set_remind(self, user_id: int, display_name: str, chat: str, remind: bool) -> None:
        """Turn a member's DM before each session of `chat` on or off."""
        await self.ensure(user_id, display_name)
        if remind:
            await self._conn.execute(
                "INSERT OR IGNORE INTO reminders (user_id, chat) VALUES (?, ?)", (user_id, chat)
            )
        else:
            await self._conn.execute(
                "DELETE FROM reminders WHERE user_id = ? AND chat = ?", (user_id, chat)
            )

    async def reminded_chats(self, user_id: int) -> set[str]:
        rows = await self._conn.execute_fetchall(
            "SELECT chat FROM reminders WHERE user_id = ?", (user_id,)
        )
        return {r[0] for r in rows}

    async def opted_out_ids(self) -> set[int]:
        async with self._conn.execute("SELECT user_id FROM members WHERE opted_out = 1") as cur:
            return {r[0] for r in await cur.fetchall()}

    async def to_remind(self, chat: str) -> list[MemberRow]:
        """Members who asked for a DM before this chat (and have not opted out)."""
        async with self._conn.execute(
            "SELECT m.* FROM members AS m JOIN reminders AS r ON r.user_id = m.user_id"
            " WHERE r.chat = ? AND m.opted_out = 0 ORDER BY m.user_id",
            (chat,),
        ) as cur:
            return [_member(r) for r in await cur.fetchall()]

    async def erase(self, user_id: int) -> None:
        """Forget a member entirely: settings, reminders and participation counts."""
        await self._conn.execute("DELETE FROM session_members WHERE user_id = ?", (user_id,))
        await self._conn.execute("DELETE FROM reminders WHERE user_id = ?", (user_id,))
        await self._conn.execute("DELETE FROM members WHERE user_id = ?", (user_id,))
