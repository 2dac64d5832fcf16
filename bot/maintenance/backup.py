"""Backups that are safe while the bot runs, and a restore that refuses to make things worse.

A backup is SQLite's online copy into `leadershipchat-YYYYMMDD-HHMM.db` (UTC), keeping the newest
N. A restore checks the file first (integrity, ours, not newer than this code), refuses while the
bot is running, and keeps the replaced database as `<db>.before-restore-YYYYMMDD-HHMMSS`, a new
name each time, so any restore can be undone. A live database too damaged to copy with SQLite is
kept byte for byte instead (that is when a restore is needed most).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.maintenance.heartbeat import check_health
from bot.store import SCHEMA_VERSION
from bot.store.backup import forget_heartbeat, inspect, online_copy

NAME = re.compile(r"leadershipchat-\d{8}-\d{4}\.db")


class BackupError(Exception):
    """A backup or restore that did not happen, with the reason in words for the host."""


@dataclass(frozen=True)
class Backup:
    path: Path
    removed: tuple[Path, ...]


@dataclass(frozen=True)
class Restored:
    database: Path
    previous: Path | None
    from_version: int
    previous_damaged: bool = False  # the replaced file could not be read: kept byte for byte


def backup_name(now: datetime) -> str:
    return f"leadershipchat-{now.astimezone(UTC):%Y%m%d-%H%M}.db"


def existing_backups(dest: Path) -> list[Path]:
    """Backups in `dest`, oldest first (the names sort by time). Other files are never touched."""
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir() if p.is_file() and NAME.fullmatch(p.name))


def prune(dest: Path, keep: int) -> tuple[Path, ...]:
    """Delete all but the newest `keep` backups; return what was deleted."""
    if keep < 1:
        raise BackupError("keep must be at least 1")
    old = existing_backups(dest)[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return tuple(old)


def make_backup(database: Path, dest: Path, *, now: datetime, keep: int) -> Backup:
    """Blocking: copy the live database into `dest`, then prune to `keep`."""
    if not database.is_file():
        raise BackupError(f"database {database} does not exist: nothing to back up")
    target = dest / backup_name(now)
    try:
        online_copy(database, target)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"backup of {database} failed: {exc}") from exc
    return Backup(target, prune(dest, keep))


async def nightly_backup(settings: Settings, now: datetime) -> Path:
    """The scheduler's nightly job: a backup into `backup.dir`, keeping `backup.keep`.

    The copy runs in a worker thread so the bot keeps answering Discord meanwhile."""
    done = await asyncio.to_thread(
        make_backup,
        settings.database,
        settings.backup.dir,
        now=now,
        keep=settings.backup.keep,
    )
    return done.path


def check_restorable(file: Path) -> int:
    """The file's schema version if it can be restored; else BackupError saying why not."""
    if file.is_dir():
        raise BackupError(f"{file} is a folder: give a backup file (leadershipchat-….db)")
    try:
        facts = inspect(file)
    except FileNotFoundError:
        what = "is not a database file" if file.exists() else "does not exist"
        raise BackupError(f"{file} {what}") from None
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{file} is not a usable SQLite database ({exc})") from None
    if facts.problems:
        shown = "; ".join(facts.problems[:3])
        raise BackupError(f"{file} is damaged (integrity check: {shown}); try an older backup")
    if not facts.is_leadershipchat:
        raise BackupError(f"{file} is not a leadershipchat database")
    if facts.user_version > SCHEMA_VERSION:
        raise BackupError(
            f"{file} has schema v{facts.user_version}, newer than this leadershipchat "
            f"(v{SCHEMA_VERSION}); upgrade leadershipchat first"
        )
    return facts.user_version


def _keep_name(database: Path, now: datetime) -> Path:
    """`<db>.before-restore-YYYYMMDD-HHMMSS`, never the name of an earlier copy."""
    base = f"{database.name}.before-restore-{now.astimezone(UTC):%Y%m%d-%H%M%S}"
    path, n = database.with_name(base), 1
    while path.exists() or Path(f"{path}-wal").exists():
        n += 1
        path = database.with_name(f"{base}-{n}")
    return path


def _keep(database: Path, now: datetime) -> tuple[Path, bool]:
    """Copy the live database aside; (where, whether it was too damaged to copy with SQLite)."""
    previous = _keep_name(database, now)
    try:
        online_copy(database, previous)
        return previous, False
    except sqlite3.DatabaseError:
        pass
    # Too damaged for SQLite to read: keep the files as they are (salvage tools may want them).
    for suffix in ("", "-wal"):
        source = Path(f"{database}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{previous}{suffix}"))
            os.chmod(Path(f"{previous}{suffix}"), 0o600)
    return previous, True


def restore(file: Path, database: Path, *, now: datetime, force: bool = False) -> Restored:
    """Blocking: replace `database` with a checked copy of `file`.

    The current database (with its WAL) is first kept under a new `<db>.before-restore-...`
    name; then its -wal and -shm files are removed (they belong to the old file and would
    corrupt the new one) and the checked copy is moved into place."""
    file, database = file.resolve(), database.resolve()
    if file == database:
        raise BackupError(f"{file} is the live database itself; pick a backup file")
    version = check_restorable(file)
    if database.exists() and not force:
        health = check_health(database, now)
        if health.ok:
            raise BackupError(
                f"the bot looks like it is running ({health.reason.removeprefix('ok: ')}): "
                "stop it first, or use --force"
            )
    incoming = database.with_name(database.name + ".restore-incoming")
    try:
        online_copy(file, incoming)
        forget_heartbeat(incoming)
        previous: Path | None = None
        damaged = False
        if database.exists():
            previous, damaged = _keep(database, now)
        for suffix in ("-wal", "-shm"):
            Path(str(database) + suffix).unlink(missing_ok=True)
        os.replace(incoming, database)
    except (sqlite3.Error, OSError) as exc:
        raise BackupError(f"restore failed, the database was not replaced: {exc}") from exc
    finally:
        incoming.unlink(missing_ok=True)
    return Restored(database, previous, version, damaged)
