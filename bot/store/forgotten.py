"""The salted hash by which a forgotten member's old messages are recognised without keeping
their id (`forgotten_members`, written by the erasure, read by the capture insert)."""

from __future__ import annotations

import hashlib

import aiosqlite


async def read_salt(conn: aiosqlite.Connection) -> bytes:
    rows = await conn.execute_fetchall("SELECT salt FROM erasure_salt LIMIT 1")
    (salt,), *_ = rows
    return bytes.fromhex(salt)


def member_hash(salt: bytes, user_id: int) -> str:
    return hashlib.blake2b(str(user_id).encode(), key=salt, digest_size=16).hexdigest()
