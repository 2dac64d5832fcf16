"""People on two platforms: a host says that an account elsewhere (a Bluesky handle or DID) is
the same person as a member on the home platform, so a recap counts them once."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.store.codec import to_db


class MemberLinks:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def link(self, platform: str, account: str, user_id: int, at: datetime) -> None:
        """`account` (a handle, lower case, or a DID) is member `user_id` (a new link for the
        same account replaces the old one)."""
        await self._conn.execute(
            "INSERT INTO member_links (platform, account, user_id, linked_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (platform, account) DO UPDATE SET user_id = excluded.user_id,"
            " linked_at = excluded.linked_at",
            (platform, account, user_id, to_db(at)),
        )

    async def replace(self, platform: str, links: dict[str, int], at: datetime) -> None:
        """The platform's links are exactly `links` (account -> member), as the config says
        (run it in `Store.transaction()`: the old ones go and the new ones come together)."""
        await self._conn.execute("DELETE FROM member_links WHERE platform = ?", (platform,))
        await self._conn.executemany(
            "INSERT INTO member_links (platform, account, user_id, linked_at) VALUES (?, ?, ?, ?)",
            [(platform, account, user, to_db(at)) for account, user in links.items()],
        )

    async def unlink(self, platform: str, account: str) -> bool:
        cur = await self._conn.execute(
            "DELETE FROM member_links WHERE platform = ? AND account = ?", (platform, account)
        )
        return cur.rowcount > 0

    async def of_member(self, user_id: int) -> list[tuple[str, str]]:
        rows = await self._conn.execute_fetchall(
            "SELECT platform, account FROM member_links WHERE user_id = ? ORDER BY linked_at",
            (user_id,),
        )
        return [(r[0], r[1]) for r in rows]

    async def for_session(self, session_id: int) -> dict[int, int]:
        """The session's authors elsewhere that a host linked to a home member: their id ->
        the member's (matched by DID or handle, as the host wrote it)."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT m.author_id, l.user_id FROM messages m JOIN member_links l"
            " ON l.platform = m.platform"
            " AND (l.account = m.author_ref OR l.account = lower(m.author_handle))"
            " WHERE m.session_id = ? AND m.author_id <> 0",
            (session_id,),
        )
        return {r[0]: r[1] for r in rows}
