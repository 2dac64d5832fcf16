"""Ids for another platform's posts and accounts (Bluesky's AT-URIs and DIDs): the messages and
members tables are keyed by integers, Discord's snowflakes, which are always positive, so a post
or an account elsewhere gets minus the number of its row here, handed out on first sight and the
same ever after (a post seen again by a later poll is the same message)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import aiosqlite

_PER_STATEMENT = 500


def ref_key(ref: str) -> str:
    """What is kept of a reference: its SHA-256, so the ids of a forgotten member's posts (kept
    so they are not collected again) name nobody."""
    return hashlib.sha256(ref.encode()).hexdigest()


class PlatformIds:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def ids(self, platform: str, refs: Iterable[str]) -> dict[str, int]:
        """The id of each reference (negative), new ones handed out in the order given."""
        wanted = list(dict.fromkeys(refs))
        out: dict[str, int] = {}
        for start in range(0, len(wanted), _PER_STATEMENT):
            chunk = wanted[start : start + _PER_STATEMENT]
            keys = {ref_key(r): r for r in chunk}
            marks = ", ".join("(?, ?)" for _ in keys)
            await self._conn.execute(
                f"INSERT OR IGNORE INTO platform_ids (platform, key) VALUES {marks}",
                [v for k in keys for v in (platform, k)],
            )
            rows = await self._conn.execute_fetchall(
                "SELECT json_group_array(json_array(id, key)) FROM platform_ids"
                f" WHERE platform = ? AND key IN ({', '.join('?' * len(keys))})",
                [platform, *keys],
            )
            (found,), *_ = rows
            out |= {keys[key]: -row_id for row_id, key in json.loads(found)}
        return out

    async def known(self, platform: str, refs: Iterable[str]) -> dict[str, int]:
        """The ids of the references seen before; none is handed out."""
        keys = {ref_key(r): r for r in refs}
        if not keys:
            return {}
        rows = await self._conn.execute_fetchall(
            f"SELECT id, key FROM platform_ids WHERE platform = ? AND key IN"
            f" ({', '.join('?' * len(keys))})",
            [platform, *keys],
        )
        return {keys[key]: -row_id for row_id, key in rows}

    async def drop(self, member_id: int) -> None:
        """Forget an account's id (a forgotten member posting again is someone new)."""
        if member_id < 0:
            await self._conn.execute("DELETE FROM platform_ids WHERE id = ?", (-member_id,))
