"""Another platform's posts and accounts in the messages table: finding them as a host names them
(a post's link, a handle or a DID; `/chathost hide-post`, `ignore-account`, `forget`), hiding an
account's posts, and what the poller and the re-check keep up to date (which posts a session
holds, whether they are public, the authors' handles now)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True)
class Account:
    """An account elsewhere as the stored posts know it."""

    ref: str  # the DID
    handle: str
    member_id: int  # what its posts are stored under (negative)


class PostsElsewhere:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def find(self, platform: str, author: str, collection: str, rkey: str) -> int | None:
        """The message id of a stored post, named by its author (DID or handle, as a link may
        carry either) and record key; None when no such post was stored."""
        rows = await self._conn.execute_fetchall(
            "SELECT id FROM messages WHERE platform = ? AND post_ref IS NOT NULL"
            " AND substr(post_ref, -length(?)) = ?"
            " AND (author_ref = ? OR lower(author_handle) = lower(?)) ORDER BY id LIMIT 1",
            (platform, f"/{collection}/{rkey}", f"/{collection}/{rkey}", author, author),
        )
        found = next(iter(rows), None)
        return None if found is None else int(found[0])

    async def account(self, platform: str, account: str) -> Account | None:
        """The account a DID or handle names, as its latest stored post has it."""
        rows = await self._conn.execute_fetchall(
            "SELECT author_ref, author_handle, author_id FROM messages"
            " WHERE platform = ? AND author_ref IS NOT NULL AND author_id <> 0"
            " AND (author_ref = ? OR lower(author_handle) = lower(?))"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (platform, account, account),
        )
        found = next(iter(rows), None)
        if found is None:
            return None
        return Account(found[0], found[1] or found[0], int(found[2]))

    async def hide_by_author(
        self, platform: str, author_ref: str, session_ids: Sequence[int]
    ) -> list[int]:
        """Hide an account's posts in these sessions; the ids of those that were shown."""
        if not session_ids:
            return []
        marks = ",".join("?" * len(session_ids))
        rows = await self._conn.execute_fetchall(
            "UPDATE messages SET hidden = 1 WHERE platform = ? AND author_ref = ? AND hidden = 0"
            f" AND session_id IN ({marks}) RETURNING id",
            (platform, author_ref, *session_ids),
        )
        return sorted(int(r[0]) for r in rows)

    async def show(self, message_ids: Sequence[int]) -> list[int]:
        """Show hidden messages again; the sessions they belong to."""
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids))
        rows = await self._conn.execute_fetchall(
            f"UPDATE messages SET hidden = 0 WHERE hidden = 1 AND id IN ({marks})"
            " RETURNING session_id",
            tuple(message_ids),
        )
        return sorted({int(r[0]) for r in rows if r[0] is not None})

    async def elsewhere(self, session_id: int, platform: str) -> dict[str, tuple[int, bool]]:
        """A session's messages from another platform, by post reference: (id, deleted). What
        a poll there skips, and what the check for deleted posts looks up."""
        rows = await self._conn.execute_fetchall(
            "SELECT post_ref, id, deleted_at IS NOT NULL FROM messages"
            " WHERE session_id = ? AND platform = ? AND post_ref IS NOT NULL",
            (session_id, platform),
        )
        return {ref: (mid, bool(deleted)) for ref, mid, deleted in rows}

    async def set_public(self, message_ids: Sequence[int], public: bool) -> int:
        """Whether logged-out readers may see these messages' text (Bluesky's
        `!no-unauthenticated`, as the author's account says now)."""
        if not message_ids:
            return 0
        cur = await self._conn.execute(
            f"UPDATE messages SET public = ? WHERE public <> ? AND id IN ({', '.join('?' * len(message_ids))})",
            (public, public, *message_ids),
        )
        return cur.rowcount

    async def set_handles(self, platform: str, handles: Mapping[str, str]) -> int:
        """Accounts of another platform under their handle now (author ref -> handle): a handle
        can change, and an old one can pass to someone else. Their messages and member names
        follow; returns the messages renamed."""
        changed = 0
        for ref, handle in sorted(handles.items()):
            cur = await self._conn.execute(
                "UPDATE messages SET author_handle = ?, author_name = ?"
                " WHERE platform = ? AND author_ref = ? AND author_handle IS NOT ?",
                (handle, handle, platform, ref, handle),
            )
            if cur.rowcount > 0:
                changed += cur.rowcount
                await self._conn.execute(
                    "UPDATE members SET display_name = ? WHERE user_id IN"
                    " (SELECT author_id FROM messages WHERE platform = ? AND author_ref = ?)",
                    (handle, platform, ref),
                )
        return changed

    async def authors_elsewhere(self, platform: str, account: str) -> list[int]:
        """The member ids an account on another platform posted as, by DID or handle."""
        rows = await self._conn.execute_fetchall(
            "SELECT DISTINCT author_id FROM messages WHERE platform = ? AND author_id <> 0"
            " AND (author_ref = ? OR lower(author_handle) = lower(?))",
            (platform, account, account),
        )
        return [r[0] for r in rows]
