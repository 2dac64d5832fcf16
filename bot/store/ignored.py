"""Accounts on another platform a host ignores for a chat: not collected, their recent posts
hidden (and shown again when the host takes it back)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite

from bot.store.codec import to_db


class IgnoredAccounts:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        chat: str,
        platform: str,
        account_ref: str,
        handle: str | None,
        hidden_ids: Sequence[int],
        at: datetime,
        by: str,
    ) -> bool:
        """False (nothing changed) when the account is ignored already."""
        cur = await self._conn.execute(
            "INSERT OR IGNORE INTO ignored_accounts"
            " (chat, platform, account_ref, handle, hidden_ids, ignored_at, ignored_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (chat, platform, account_ref, handle, json.dumps(list(hidden_ids)), to_db(at), by),
        )
        return cur.rowcount > 0

    async def remove(self, chat: str, platform: str, account_ref: str) -> list[int] | None:
        """Take the account back; the messages hidden when it was ignored, or None when it was
        not ignored."""
        rows = await self._conn.execute_fetchall(
            "DELETE FROM ignored_accounts WHERE chat = ? AND platform = ? AND account_ref = ?"
            " RETURNING hidden_ids",
            (chat, platform, account_ref),
        )
        found = next(iter(rows), None)
        return None if found is None else [int(i) for i in json.loads(found[0])]

    async def refs(self, chat: str, platform: str) -> set[str]:
        """The accounts ignored for a chat (what a poll leaves out)."""
        rows = await self._conn.execute_fetchall(
            "SELECT account_ref FROM ignored_accounts WHERE chat = ? AND platform = ?",
            (chat, platform),
        )
        return {r[0] for r in rows}

    async def drop_account(self, platform: str, accounts: Sequence[str]) -> int:
        """Forget an account (by DID or handle) in every chat's list: erasure leaves nothing
        that names it, so it is collected again like anyone new."""
        dropped = 0
        for account in accounts:
            cur = await self._conn.execute(
                "DELETE FROM ignored_accounts WHERE platform = ?"
                " AND (account_ref = ? OR lower(handle) = lower(?))",
                (platform, account, account),
            )
            dropped += cur.rowcount
        return dropped
