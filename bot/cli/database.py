"""The database as the commands that read or change it (recap, stats, site, purge, forget, run)
open it: every way the file can be unusable is a message saying what to do, exit 2.

Missing, a folder, not SQLite, damaged, another program's database, written by a newer
leadershipchat, locked or read-only: each is checked before the store opens it (so a stranger's
database is never migrated into ours), and the same problems met halfway through the work are
reported the same way. Any other database error is a bug and reaches the top-level guard.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from bot.cli.common import CliError
from bot.damaged_row import DamagedRow
from bot.store import SCHEMA_VERSION, SchemaError, Store
from bot.store.backup import inspect

T = TypeVar("T")

LOCK_WAIT = 5.0  # seconds to wait for another program's lock, as the store does
RESTORE_HINT = "restore a backup with `leadershipchat restore FILE`"


class DatabaseBusy(CliError):
    """The database cannot be used now but may be soon (another program's lock, an I/O error):
    `run` exits 1 for it, so a service manager starts the bot again (docs/hosting.md)."""


def _may_pass(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, sqlite3.DatabaseError) and any(
        word in text for word in ("locked", "busy", "disk I/O", "unable to open")
    )


def database_problem(path: Path, exc: BaseException) -> str | None:
    """The message for a database error the user can act on; None for anything else (a bug)."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.filename and not str(exc.filename).startswith(str(path)):
        return None  # another file (a recap being rewritten): not the database's problem
    if isinstance(exc, SchemaError):
        return f"{path}: {text}"
    if isinstance(exc, DamagedRow):
        return f"{path} is damaged: {text}: {RESTORE_HINT}, or correct that row"
    if isinstance(exc, PermissionError):
        return f"{path}: permission denied (run as the user that owns it)"
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a folder, not a database file: check `database:` in the config"
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    if "locked" in text or "busy" in text:
        return (
            f"{path} is locked by another program (a backup, a restore or a copy?): "
            "try again when it is done"
        )
    if "readonly" in text or "read-only" in text:
        return f"{path} is read-only here: this command needs to write to it"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"{path} is damaged or not an SQLite database ({text}): {RESTORE_HINT}"
    if "unable to open" in text or "disk I/O" in text:
        return f"{path} cannot be opened ({text})"
    return None


def check_database(path: Path, *, may_create: bool = False, writes: bool = False) -> None:
    """Refuse a database path the store must not open: CliError (exit 2) saying why and what to do.

    `may_create`: a missing file is fine (`run` creates it); elsewhere it means there is nothing
    to read yet. `writes`: the command changes the data, so the whole file is checked first
    (writing into a damaged database can lose more of it)."""
    if not path.exists():
        if may_create:
            return
        raise CliError(
            f"no database at {path} (has the bot run yet? see `database:` in the config)"
        )
    if path.is_dir():
        raise CliError(f"{path} is a folder, not a database file: check `database:` in the config")
    try:
        facts = inspect(path, integrity=writes, timeout=LOCK_WAIT)
    except (OSError, sqlite3.DatabaseError) as exc:
        problem = database_problem(path, exc) or f"{path} cannot be read ({exc})"
        raise (DatabaseBusy if _may_pass(exc) else CliError)(problem) from None
    if facts.user_version > SCHEMA_VERSION:
        raise CliError(
            f"{path} was written by a newer leadershipchat (schema v{facts.user_version}; this "
            f"one knows v{SCHEMA_VERSION}): upgrade leadershipchat, or {RESTORE_HINT}"
        )
    if facts.tables and not facts.is_leadershipchat:
        shown = ", ".join(sorted(facts.tables)[:5])
        raise CliError(
            f"{path} is not a leadershipchat database (its tables: {shown}): check `database:` "
            "in the config"
        )
    if facts.problems:
        shown = "; ".join(facts.problems[:3])
        raise CliError(f"{path} is damaged (integrity check: {shown}): {RESTORE_HINT}")


def with_store(path: Path, work: Callable[[Store], Awaitable[T]], *, writes: bool = False) -> T:
    """Check the file, open the store, run `work` on it and close it again."""
    check_database(path, writes=writes)

    async def go() -> T:
        async with Store(path) as store:
            return await work(store)  # rows left out as damaged are logged as warnings

    try:
        return asyncio.run(go())
    except (OSError, sqlite3.DatabaseError, SchemaError, DamagedRow) as exc:
        problem = database_problem(path, exc)
        if problem is None:
            raise
        raise CliError(problem) from None
