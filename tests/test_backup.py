"""Backups while a writer is busy, keep-last-N, and a restore that refuses bad files and a live bot
and keeps what it replaced."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.maintenance.backup import (
    BackupError,
    existing_backups,
    make_backup,
    nightly_backup,
    prune,
    restore,
)
from bot.store import SCHEMA_VERSION, Store

NOW = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
TOPIC = SessionTopic("Serving", (SessionQuestion("Why?"),))
CONFIG = """
database: data/chat.db
backup: {dir: data/backups, keep: 2}
chats:
  - name: c
    guild_id: 1
    channels: {chat: 2}
"""


async def make_db(path: Path, chats: int = 1, beat: datetime | None = None) -> None:
    async with Store(path) as store:
        for i in range(chats):
            await store.sessions.create(f"chat{i}", date(2026, 12, 1), NOW, TOPIC, NOW)
        if beat:
            await store.heartbeat.beat(beat, 1, "connected")


def count(path: Path, table: str = "sessions") -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_backup_while_a_writer_is_busy(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db))
    writer = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    stop, wrote = threading.Event(), threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set() or n < 200:
            n += 1
            writer.execute("BEGIN IMMEDIATE")
            writer.executemany(
                "INSERT INTO host_actions (session_id, action, detail, actor, created_at)"
                " VALUES (1, 'extend', ?, 'host', '2026-12-02T00:00:00+00:00')",
                [(f"{n}-{i}" * 20,) for i in range(20)],
            )
            writer.execute("COMMIT")
            if n == 50:
                wrote.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert wrote.wait(30)
        copies = [
            make_backup(db, tmp_path / "b", now=NOW + timedelta(minutes=i), keep=5).path
            for i in range(3)
        ]
    finally:
        stop.set()
        thread.join()
        writer.close()
    for copy in copies:
        assert integrity(copy) == "ok"
        actions = count(copy, "host_actions")
        assert actions % 20 == 0 and actions >= 50 * 20  # whole transactions only
        assert count(copy) == 1
        assert copy.stat().st_mode & 0o777 == 0o600
        assert not Path(f"{copy}-wal").exists()  # a single self-contained file
    assert count(copies[-1], "host_actions") >= count(copies[0], "host_actions")


def test_uncommitted_writes_are_not_in_the_copy(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db))
    busy = sqlite3.connect(db, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    busy.execute("DELETE FROM sessions")
    try:
        copy = make_backup(db, tmp_path / "b", now=NOW, keep=1).path
    finally:
        busy.execute("ROLLBACK")
        busy.close()
    assert copy.name == "leadershipchat-20261202-0330.db"
    assert count(copy) == 1


def test_keep_last_n_leaves_other_files_alone(tmp_path: Path) -> None:
    db, dest = tmp_path / "chat.db", tmp_path / "backups"
    asyncio.run(make_db(db))
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    (dest / "leadershipchat-latest.db").write_text("not ours by name")
    for day in range(5):
        done = make_backup(db, dest, now=NOW + timedelta(days=day), keep=3)
    assert [p.name for p in done.removed] == ["leadershipchat-20261203-0330.db"]
    assert [p.name for p in existing_backups(dest)] == [
        "leadershipchat-20261204-0330.db",
        "leadershipchat-20261205-0330.db",
        "leadershipchat-20261206-0330.db",
    ]
    assert (dest / "notes.txt").exists() and (dest / "leadershipchat-latest.db").exists()
    assert len(prune(dest, 1)) == 2
    with pytest.raises(BackupError):
        prune(dest, 0)


def test_backup_of_a_missing_database_fails_without_creating_it(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        make_backup(tmp_path / "none.db", tmp_path / "b", now=NOW, keep=1)
    assert not (tmp_path / "none.db").exists()


async def test_nightly_backup_uses_the_config(write_config: Callable[..., Path]) -> None:
    settings = load_settings(write_config(CONFIG))
    await make_db(settings.database)
    for hours in range(3):
        path = await nightly_backup(settings, NOW + timedelta(hours=hours))
    assert path == settings.backup.dir / "leadershipchat-20261202-0530.db"
    assert len(existing_backups(settings.backup.dir)) == 2  # backup.keep


def test_restore_replaces_the_database_and_keeps_the_old_one(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db, chats=1, beat=NOW - timedelta(seconds=5)))
    backup = make_backup(db, tmp_path / "b", now=NOW, keep=1).path
    asyncio.run(make_db(db, chats=3))  # life goes on after the backup
    later = NOW + timedelta(minutes=10)  # the bot has stopped: its beat is stale

    done = restore(backup, db, now=later)

    assert count(db) == 1 and integrity(db) == "ok"
    assert done.previous == tmp_path / "chat.db.before-restore-20261202-034000"
    assert count(done.previous) == 3
    assert count(db, "heartbeat") == 0  # a restored file must not look like a live bot
    assert not Path(f"{db}-wal").exists()
    assert db.stat().st_mode & 0o777 == 0o600
    asyncio.run(make_db(db))  # and it opens with the store


def test_restore_refuses_while_the_bot_runs_unless_forced(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db, beat=NOW - timedelta(seconds=10)))
    backup = make_backup(db, tmp_path / "b", now=NOW, keep=1).path
    with pytest.raises(BackupError, match="bot looks like it is running"):
        restore(backup, db, now=NOW)
    assert restore(backup, db, now=NOW, force=True).previous is not None


def corrupt_copy(good: Path, dest: Path) -> Path:
    """Overwrite the middle of a valid database with junk: the header still reads as SQLite."""
    data = bytearray(good.read_bytes())
    page = 4096
    assert len(data) >= 4 * page
    data[2 * page + 100 : 3 * page] = b"\xff" * (page - 100)
    dest.write_bytes(bytes(data))
    return dest


def test_restore_refuses_damaged_foreign_and_newer_files(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db, chats=30))
    good = make_backup(db, tmp_path / "b", now=NOW, keep=1).path
    before = db.read_bytes()

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not a database" * 200)
    with pytest.raises(BackupError, match="not a usable SQLite database"):
        restore(junk, db, now=NOW)

    with pytest.raises(BackupError, match="damaged"):
        restore(corrupt_copy(good, tmp_path / "bad.db"), db, now=NOW)

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (x)")
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(BackupError, match="not a leadershipchat database"):
        restore(foreign, db, now=NOW)

    newer = tmp_path / "newer.db"
    newer.write_bytes(good.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(BackupError, match="newer than this leadershipchat"):
        restore(newer, db, now=NOW)

    with pytest.raises(BackupError, match="does not exist"):
        restore(tmp_path / "missing.db", db, now=NOW)
    with pytest.raises(BackupError, match="live database itself"):
        restore(db, db, now=NOW)

    assert db.read_bytes() == before
    assert not list(tmp_path.glob("chat.db.before-restore*"))


def test_a_second_restore_keeps_the_first_ones_copy(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db, chats=1))
    one = make_backup(db, tmp_path / "b", now=NOW, keep=5).path
    asyncio.run(make_db(db, chats=4))  # four sessions: the database worth keeping

    first = restore(one, db, now=NOW)
    second = restore(one, db, now=NOW)  # the same second: the name must still be new
    third = restore(one, db, now=NOW + timedelta(hours=1))

    kept = [first.previous, second.previous, third.previous]
    assert all(p is not None for p in kept) and len(set(kept)) == 3
    assert first.previous is not None and count(first.previous) == 4, "the first copy survives"
    assert sorted(tmp_path.glob("chat.db.before-restore*")) == sorted(kept)


def test_restore_replaces_a_damaged_live_database_and_keeps_its_bytes(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(make_db(db, chats=30))
    good = make_backup(db, tmp_path / "b", now=NOW, keep=1).path
    for wreck in (lambda: corrupt_copy(good, db), lambda: db.write_bytes(b"\x00garbage" * 900)):
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        wreck()
        damaged = db.read_bytes()
        done = restore(good, db, now=NOW)
        assert count(db) == 30 and integrity(db) == "ok"
        assert done.previous is not None and done.previous_damaged
        assert done.previous.read_bytes() == damaged
        assert done.previous.stat().st_mode & 0o777 == 0o600


def test_restore_command_over_a_damaged_database(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    config = write_config(CONFIG)
    db = tmp_path / "data" / "chat.db"
    asyncio.run(make_db(db, chats=5))
    good = make_backup(db, tmp_path / "b", now=NOW, keep=1).path
    db.write_bytes(b"not sqlite at all" * 300)
    result = run_cli("--config", config, "restore", good)
    assert result.code == 0, result.err
    assert "was damaged; its files were kept as they were" in result.out
    assert count(db) == 5


def test_backup_and_restore_commands(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    config = write_config(CONFIG)
    asyncio.run(make_db(tmp_path / "data" / "chat.db"))

    made = run_cli("--config", config, "backup")
    assert made.code == 0, made.err
    assert made.out.startswith("backup written: ")
    (written,) = existing_backups(tmp_path / "data" / "backups")

    elsewhere = run_cli("--config", config, "backup", tmp_path / "usb", "--keep", "1")
    assert elsewhere.code == 0 and len(existing_backups(tmp_path / "usb")) == 1

    bad = run_cli("--config", config, "backup", "--keep", "0")
    assert bad.code == 2

    restored = run_cli("--config", config, "restore", written)
    assert restored.code == 0, restored.err
    assert "before-restore" in restored.out

    (tmp_path / "junk.db").write_bytes(b"x" * 5000)
    refused = run_cli("--config", config, "restore", tmp_path / "junk.db")
    assert refused.code == 2 and "not a usable SQLite database" in refused.err


def test_backup_and_restore_refusals_are_user_errors(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    """Each is the host's to fix: a clear message and exit 2 (1 is kept for bugs)."""
    config = write_config(CONFIG)
    db = tmp_path / "data" / "chat.db"
    asyncio.run(make_db(db))
    cases = {
        "does not exist": ["restore", tmp_path / "nonexist.db"],
        "not a usable SQLite database": ["restore", config],
        "is a folder": ["restore", tmp_path / "data"],
        "is the live database itself": ["restore", tmp_path / "data" / ".." / "data" / "chat.db"],
        "/dev/null is a file": ["backup", "/dev/null/x"],
        "is a file, not a folder": ["backup", config],
    }
    for said, argv in cases.items():
        result = run_cli("--config", config, *argv)
        assert (result.code, said in result.err) == (2, True), (argv, result.err)
    assert count(db) == 1, "nothing was replaced"
