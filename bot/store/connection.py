"""Opening the SQLite database: file mode 0600, WAL, foreign keys, numbered migrations.

Migrations are `migrations/NNNN_name.sql`, applied in order inside one transaction each, with
`PRAGMA user_version` recording the last one applied, so an older database upgrades in place and a
half-applied migration never persists.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)


class SchemaError(Exception):
    """The database is newer than this code, or not a leadershipchat database."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """All bundled migrations in version order."""
    found = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    assert [m.version for m in found] == list(range(1, len(found) + 1)), (
        "migration numbers have gaps"
    )
    return found


SCHEMA_VERSION = len(migrations())


def _create_private(path: Path) -> None:
    """Create the DB file readable by its owner only, before SQLite opens it; an existing file
    (copied in, made by an older version) is made private too, with its WAL and shared memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)
        except OSError as exc:  # not its owner: say so, and still run
            log.warning("could not make %s private (mode 600): %s", file, exc.strerror or exc)


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> int:
    """Apply pending migrations up to `target` (default: all); return the resulting version."""
    current = await schema_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema is version {current}, newer than this leadershipchat ({SCHEMA_VERSION}); "
            "upgrade leadershipchat or restore an older backup"
        )
    for mig in migrations():
        if mig.version <= current or (target is not None and mig.version > target):
            continue
        await conn.executescript(
            f"BEGIN IMMEDIATE;\n{mig.sql}\nPRAGMA user_version = {mig.version};\nCOMMIT;"
        )
        current = mig.version
    return current


async def connect(path: Path | str, *, migrate_to: int | None = None) -> aiosqlite.Connection:
    """Open (creating if needed) and migrate the database. `:memory:` works for tests."""
    if str(path) != ":memory:":
        _create_private(Path(path))
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await migrate(conn, migrate_to)
    except BaseException:
        await conn.close()
        raise
    return conn


ERASURE_BUSY_TIMEOUT_MS = 30_000  # an erasure waits this long for another writer to finish


async def side_connection(path: Path | str) -> aiosqlite.Connection:
    """A second connection to a database that `connect` opened (and migrated). A transaction on
    it is its own: a write another coroutine makes meanwhile on the main connection waits for
    it (busy timeout) instead of joining it, so a rollback can never take that write along."""
    if str(path) == ":memory:":
        raise ValueError("an in-memory database has no second connection; use a file")
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute(f"PRAGMA busy_timeout = {ERASURE_BUSY_TIMEOUT_MS}")
    except BaseException:
        await conn.close()
        raise
    return conn
