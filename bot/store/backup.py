"""Whole-file database work for backup, restore and health, in plain (blocking) sqlite3.

These run from the CLI, where there is no event loop, or in a worker thread (`asyncio.to_thread`)
when the bot calls them. They never create a database: a missing file is reported, not made.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bot.store.codec import damaged, required_time
from bot.store.heartbeat import Beat

# Tables every leadershipchat database has had since the first migration.
CORE_TABLES = frozenset({"sessions", "steps", "messages", "members"})


@dataclass(frozen=True)
class DbFacts:
    """What a database file is: its schema version, its tables, and integrity problems if any."""

    user_version: int
    tables: frozenset[str]
    problems: tuple[str, ...]

    @property
    def is_leadershipchat(self) -> bool:
        return self.user_version > 0 and self.tables >= CORE_TABLES


@contextlib.contextmanager
def open_existing(path: Path, *, timeout: float = 5.0) -> Iterator[sqlite3.Connection]:
    """Open a database file that must already exist (`mode=rw`: SQLite will not create it)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    uri = f"file:{quote(str(path.resolve()))}?mode=rw"
    conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def inspect(path: Path, *, integrity: bool = True, timeout: float = 5.0) -> DbFacts:
    """Schema version, tables and (optionally) `PRAGMA integrity_check` problems of a file.

    Raises sqlite3.DatabaseError when the file is not an SQLite database at all, and
    sqlite3.OperationalError ("locked") when another connection holds it past `timeout` s."""
    with open_existing(path, timeout=timeout) as conn:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = frozenset(
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        )
        problems: tuple[str, ...] = ()
        if integrity:
            try:
                rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            except sqlite3.DatabaseError as exc:
                rows = [str(exc)]
            problems = tuple(r for r in rows if r != "ok")
    return DbFacts(version, tables, problems)


def last_beat(path: Path) -> Beat | None:
    """The heartbeat the running bot last wrote, or None (no row, or a schema without the table)."""
    with open_existing(path) as conn:
        try:
            row = conn.execute("SELECT beat_at, pid, detail FROM heartbeat WHERE id = 1").fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
    if row is None:
        return None
    try:
        return Beat(required_time(row[0]), int(row[1]), str(row[2]))
    except (ValueError, TypeError) as exc:
        raise damaged("heartbeat", 1, exc) from None


def online_copy(source: Path, dest: Path) -> None:
    """Copy a live database with SQLite's online backup API into a new single file at `dest`.

    Safe while the bot writes: the copy is one consistent snapshot. `dest` is written beside
    itself first and moved into place, so a crash never leaves a half-written backup under the
    final name; it is made 0600 (it holds everything the database holds)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        with open_existing(source) as src:
            out = sqlite3.connect(str(partial), isolation_level=None)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode = DELETE")
                bad = [str(r[0]) for r in out.execute("PRAGMA quick_check") if r[0] != "ok"]
            finally:
                out.close()
        if bad:
            raise sqlite3.DatabaseError(f"the copy failed its check: {'; '.join(bad[:3])}")
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


def forget_heartbeat(path: Path) -> None:
    """Drop the heartbeat carried inside a copy (a restored file must not look like a live bot)."""
    with open_existing(path) as conn, contextlib.suppress(sqlite3.OperationalError):
        conn.execute("DELETE FROM heartbeat")


def checkpoint(path: Path) -> None:
    """Fold a database's WAL into the main file (before the file is moved aside)."""
    with open_existing(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
