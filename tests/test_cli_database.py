"""Every command that reads or changes the database says what is wrong with an unusable one
(exit 2, no traceback) and leaves the file as it was: missing, a folder, not SQLite, damaged
inside, another program's, from a newer leadershipchat, locked by another program."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.cli import database
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.store import SCHEMA_VERSION, Store
from tests.conftest import CliResult

AT = datetime(2026, 1, 6, 1, tzinfo=UTC)
CONFIG = """
database: chat.db
recap_dir: recaps
chats:
  - name: c
    guild_id: 1
    channels: {chat: 2}
"""
COMMANDS = {
    "recap": ["recap", "--last"],
    "stats": ["stats"],
    "site": ["site", "SITE"],  # SITE: a folder beside the config
    "purge": ["purge"],
    "forget": ["forget", "123", "--yes"],
}


async def fill(path: Path) -> None:
    async with Store(path) as store:
        for i in range(20):
            topic = SessionTopic("t" * 400, (SessionQuestion("q" * 400),))
            await store.sessions.create("c", date(2026, 1, 5 + i), AT, topic, AT)


def make_db(path: Path) -> None:
    asyncio.run(fill(path))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def damaged(path: Path) -> None:
    """A database whose header is fine but whose sessions table is garbage."""
    make_db(path)
    with closing(sqlite3.connect(path)) as conn:
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        root = int(
            conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sessions'").fetchone()[0]
        )
    with path.open("r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\xff" * page)


def newer(path: Path) -> None:
    make_db(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def foreign(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.commit()


PROBLEMS: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing": (lambda p: None, "no database at"),
    "folder": (lambda p: p.mkdir(), "is a folder, not a database file"),
    "not sqlite": (lambda p: p.write_bytes(b"hello, this is a text file\n" * 200), "is damaged"),
    "damaged inside": (damaged, "is damaged"),
    "foreign": (foreign, "is not a leadershipchat database"),
    "newer": (newer, f"schema v{SCHEMA_VERSION + 1}"),
}


def argv(command: str, config: Path) -> list[str]:
    return [str(config.parent / "site") if a == "SITE" else a for a in COMMANDS[command]]


@pytest.fixture
def config(write_config: Callable[..., Path]) -> Path:
    return write_config(CONFIG)


def snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unusable_database_is_a_clear_message(
    command: str, problem: str, config: Path, run_cli: Callable[..., CliResult]
) -> None:
    db = config.parent / "chat.db"
    prepare, message = PROBLEMS[problem]
    prepare(db)
    before = snapshot(db)
    result = run_cli("--config", config, *argv(command, config))
    assert result.code == 2, result.err
    assert message in result.err and str(db) in result.err, result.err
    assert "Traceback" not in result.err and "unexpectedly" not in result.err
    assert snapshot(db) == before, "the command changed the file"
    if problem == "foreign":
        with closing(sqlite3.connect(db)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert tables == {"invoices"}, "a stranger's database must never be migrated"


@pytest.fixture
def locked(config: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Another program holds an exclusive lock (a rollback-journal database mid-write)."""
    monkeypatch.setattr(database, "LOCK_WAIT", 0.1)
    db = config.parent / "chat.db"
    make_db(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("CREATE TABLE scratch (x)")
    try:
        yield config
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_locked_database_says_so(
    command: str, locked: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", locked, *argv(command, locked))
    assert result.code == 2, result.err
    assert "is locked by another program" in result.err and "try again" in result.err


def test_run_with_a_locked_database_exits_1_so_a_service_manager_tries_again(
    locked: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    """A backup holding the lock when the bot starts passes: exit 2 would tell systemd
    (RestartPreventExitStatus=2, docs/hosting.md) never to start the bot again."""
    monkeypatch.setenv("DISCORD_TOKEN", "x" * 24 + ".abcdef." + "y" * 27)
    result = run_cli("--config", locked, "run")
    assert result.code == 1, result.err
    assert "is locked by another program" in result.err and "try again" in result.err


def test_run_refuses_an_unusable_database_before_connecting(
    config: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "x" * 24 + ".abcdef." + "y" * 27)
    for problem in ("folder", "newer", "foreign"):
        db = config.parent / "chat.db"
        if db.is_dir():
            db.rmdir()
        db.unlink(missing_ok=True)
        prepare, message = PROBLEMS[problem]
        prepare(db)
        result = run_cli("--config", config, "run")
        assert result.code == 2 and message in result.err, (problem, result.err)


@pytest.mark.parametrize("session", ["99999999999999999999999", "0", "-4"])
def test_ids_beyond_what_sqlite_holds_are_usage_errors(
    session: str, config: Path, run_cli: Callable[..., CliResult]
) -> None:
    make_db(config.parent / "chat.db")
    for argv in (["recap", session], ["forget", session, "--yes"]):
        result = run_cli("--config", config, *argv)
        assert result.code == 2 and "not an id" in result.err, result.err


# -- a damaged value in one row -------------------------------------------------------------


@pytest.fixture
def filled(tmp_path: Path, write_config: Callable[..., Path]) -> Path:
    """The recap tests' three held sessions (the last is session 3) and their config."""
    from tests.fixtures.recap import scenario as sc
    from tests.test_recap_cli import CONFIG as RECAP_CONFIG

    async def go() -> None:
        async with await Store.open(tmp_path / "test.db") as store:
            await sc.fill_store(store)

    asyncio.run(go())
    return write_config(RECAP_CONFIG)


def edit(db: Path, sql: str) -> None:
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(sql)
        conn.commit()


@pytest.mark.parametrize(
    ("sql", "row", "said"),
    [
        ("UPDATE sessions SET chat_date = '../../x' WHERE id = 3", "sessions row 3", "'../../x'"),
        (
            "UPDATE sessions SET topic_json = '{bad' WHERE id = 3",
            "sessions row 3",
            "not valid JSON",
        ),
        ("UPDATE sessions SET topic_json = '[1]' WHERE id = 3", "sessions row 3", ""),
        ("UPDATE sessions SET status = 'exploded' WHERE id = 3", "sessions row 3", "exploded"),
    ],
)
def test_a_damaged_session_row_is_named_not_a_bug(
    filled: Path, tmp_path: Path, run_cli: Callable[..., CliResult], sql: str, row: str, said: str
) -> None:
    edit(tmp_path / "test.db", sql)
    for argv in (["recap", "--last"], ["recap", "3"]):
        result = run_cli("--config", filled, *argv, "--out", tmp_path / "out")
        assert result.code == 2, result.err
        assert "is damaged: " + row + " cannot be read" in result.err and said in result.err
        assert "bug" not in result.err
    assert not (tmp_path / "out").exists()


def test_a_recap_of_another_session_still_works_with_a_warning(
    filled: Path,
    tmp_path: Path,
    run_cli: Callable[..., CliResult],
    caplog: pytest.LogCaptureFixture,
) -> None:
    edit(tmp_path / "test.db", "UPDATE sessions SET chat_date = '../../x' WHERE id = 1")
    result = run_cli("--config", filled, "recap", "2", "--out", tmp_path / "out")
    assert result.code == 0, result.err
    assert "sessions row 1 cannot be read" in caplog.text and "left out" in caplog.text


def test_one_damaged_session_does_not_stop_the_site(
    filled: Path,
    tmp_path: Path,
    run_cli: Callable[..., CliResult],
    caplog: pytest.LogCaptureFixture,
) -> None:
    db = tmp_path / "test.db"
    edit(db, "UPDATE sessions SET topic_json = 'not json' WHERE id = 2")
    edit(db, "UPDATE messages SET created_at = 'yesterday' WHERE id = (SELECT MIN(id) FROM"
         " messages WHERE session_id = 3)")  # fmt: skip
    result = run_cli("--config", filled, "site", tmp_path / "site")
    assert result.code == 0, result.err
    assert result.out.startswith("1 recap(s)")
    pages = sorted(p.name for p in (tmp_path / "site").iterdir() if p.is_dir())
    assert pages == ["leadershipchat-2024-04-23"]
    assert "sessions row 2 cannot be read (not valid JSON" in caplog.text
    assert "session 3 left out of the archive" in caplog.text and "messages row" in caplog.text


def test_forget_takes_a_bluesky_handle_or_did(
    config: Path, run_cli: Callable[..., CliResult]
) -> None:
    make_db(config.parent / "chat.db")
    for who in ("@Nobody.bsky.social", "did:plc:abc234"):
        result = run_cli("--config", config, "forget", who, "--yes")
        assert result.code == 0, result.err
        assert "Nothing was stored about Bluesky account " in result.out
    result = run_cli("--config", config, "forget", "not an account!", "--yes")
    assert result.code == 2 and "nor a Bluesky handle or DID" in result.err


@pytest.mark.parametrize(
    ("sql", "row"),
    [
        ("UPDATE steps SET due_at = 'soon' WHERE session_id = 3", "steps row 3/"),
        ("UPDATE steps SET status = 'exploded' WHERE session_id = 3", "steps row 3/"),
        ("UPDATE members SET first_seen_at = 'x'", "members row "),
        ("UPDATE session_members SET answers = 'x'", "session_members row "),
        (
            "INSERT INTO redo_work (session_id, reason, queued_at) VALUES (3, 'forget', 'nope')",
            "redo_work row 1",
        ),
    ],
)
def test_a_damaged_row_of_any_table_is_named_not_a_bug(
    filled: Path, tmp_path: Path, run_cli: Callable[..., CliResult], sql: str, row: str
) -> None:
    """Not only sessions and messages: a value the bot never writes in any table the commands
    read is the database's damage, exit 2 naming the row (or, for the site, the session left
    out), never 'failed unexpectedly ... this is a bug'."""
    edit(tmp_path / "test.db", sql)
    named = 0
    for argv in (
        ["recap", "3", "--out", str(tmp_path / "out")],
        ["stats"],
        ["site", str(tmp_path / "site")],
        ["purge"],
        ["forget", "1001", "--yes"],
    ):
        result = run_cli("--config", filled, *argv)
        assert "unexpectedly" not in result.err and "bug" not in result.err, (argv, result.err)
        assert result.code in (0, 2), (argv, result.err)
        if result.code == 2:
            assert f"is damaged: {row}" in result.err and "cannot be read" in result.err
            named += 1
    assert named, "no command read the damaged row"


def test_a_damaged_heartbeat_is_unhealthy_not_a_bug(
    filled: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    edit(
        tmp_path / "test.db",
        "INSERT INTO heartbeat (id, beat_at, pid, detail) VALUES (1, 'x', 1, '')",
    )
    result = run_cli("--config", filled, "health")
    assert result.code == 1, result.err
    assert "heartbeat row 1 cannot be read" in result.out + result.err
    assert "unexpectedly" not in result.err
