"""The running bot's liveness mark, read by `leadershipchat health` from another process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.codec import required_time, to_db


@dataclass(frozen=True)
class Beat:
    at: datetime
    pid: int
    detail: str


class Heartbeat:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def beat(self, at: datetime, pid: int, detail: str = "") -> None:
        await self._conn.execute(
            "INSERT INTO heartbeat (id, beat_at, pid, detail) VALUES (1, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, pid = excluded.pid,"
            " detail = excluded.detail",
            (to_db(at), pid, detail),
        )

    async def last(self) -> Beat | None:
        async with self._conn.execute(
            "SELECT beat_at, pid, detail FROM heartbeat WHERE id = 1"
        ) as cur:
            r = await cur.fetchone()
        return Beat(required_time(r[0]), r[1], r[2]) if r else None
