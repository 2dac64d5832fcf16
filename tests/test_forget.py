"""Erasure on request: after `forget_member` nothing in ANY table names the member, everybody
else's data is intact, it is all-or-nothing, and the erased text is not left in the file."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.messages import Attributed, MessageRow
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.maintenance.forget import forget_account, forget_member
from bot.store import Store

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
GONE = 424242424242424242  # the member who asks to be forgotten
OTHER = 515151515151515151
HOST = 626262626262626262
SECRET = "my-very-private-answer-zebra"


def msg(mid: int, author: int, name: str, text: str, minute: int, **kw: object) -> MessageRow:
    return MessageRow(
        id=mid,
        session_id=kw.pop("session_id", 1),  # type: ignore[arg-type]
        channel_id=900,
        author_id=author,
        author_name=name,
        content=text,
        created_at=T0 + timedelta(minutes=minute),
        attribution=Attributed("answer", (1,), ("A1",)),
        **kw,  # type: ignore[arg-type]
    )


async def populate(store: Store) -> int:
    """A session where GONE answered, reacted, was moderated, mentioned and hosted-for."""
    topic = SessionTopic(
        "Serving", (SessionQuestion("Q?"),), hosts=("Maya", f"<@{GONE}>"), prep_post=None
    )
    session = await store.sessions.create("leadershipchat", date(2026, 12, 1), T0, topic, T0)
    rows = [
        msg(1001, GONE, "Gone Person", f"A1: {SECRET}", 6),
        msg(1002, OTHER, "Other", f"A1: agree with <@{GONE}> and <@!{GONE}>", 7, reply_to=1001),
        msg(1003, OTHER, "Other", "A1: my own answer", 8),
        msg(1004, GONE, "Gone Person", "A1: second thought", 9),
    ]
    for row in rows:
        await store.messages.add(row)
        await store.members.record_message(
            session.id, row.author_id, row.author_name, row.created_at, answer=True
        )
    await store.messages.add_reaction(1003, GONE, "👍")
    await store.messages.add_reaction(1003, HOST, "🔥")
    await store.messages.add_reaction(1001, OTHER, "❤️")
    await store.members.set_remind(GONE, "Gone Person", "leadershipchat", True)
    await store.moderation.record(
        user_id=GONE, action="delete", reason="flood", at=T0, session_id=session.id, message_id=9
    )
    await store.moderation.record(
        user_id=OTHER, action="warn", reason="blocked word", at=T0, session_id=session.id
    )
    await store.host_actions.record(session.id, "hide", f"message by {GONE}", f"Host ({HOST})", T0)
    await store.host_actions.record(session.id, "skip", "Q2", f"Gone Person ({GONE})", T0)
    await store.heartbeat.beat(T0, 1, "connected")
    return session.id


def mentions(db: Path, user_id: int) -> list[str]:
    """Every table and column in the file that still holds the id (as a number or in text)."""
    found = []
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for col in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                n = conn.execute(
                    f'SELECT COUNT(*) FROM "{table}" WHERE "{col}" = ? OR instr(CAST("{col}" AS TEXT), ?) > 0',
                    (user_id, str(user_id)),
                ).fetchone()[0]
                if n:
                    found.append(f"{table}.{col}: {n}")
    return found


def database_bytes(folder: Path) -> bytes:
    """The database file and its -wal/-shm companions, as raw bytes."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("test.db*")))


async def test_nothing_about_the_member_is_left_in_any_table(store: Store, tmp_path: Path) -> None:
    await populate(store)
    db = tmp_path / "test.db"
    assert len(mentions(db, GONE)) >= 6  # the check can see the member before

    report = await forget_member(store, GONE)

    assert mentions(db, GONE) == []
    assert report.deleted["messages"] == 2
    assert report.deleted["reactions"] >= 1
    assert report.deleted["members"] == 1
    assert report.deleted["session_members"] == 1
    assert report.deleted["reminders"] == 1  # their "Remind me" goes too
    assert report.deleted["moderation_actions"] == 1
    assert "messages.content" in report.scrubbed
    text = "\n".join(report.lines())
    assert "Not removed by the bot: backups made before now" in text
    assert "copies people made themselves" in text


async def test_everybody_else_is_kept(store: Store) -> None:
    sid = await populate(store)
    await forget_member(store, GONE)

    kept = {m.id: m for m in await store.messages.for_session(sid)}
    assert set(kept) == {1002, 1003}
    assert kept[1002].content == "A1: agree with @former-member and @former-member"
    assert kept[1002].reply_to is None  # it replied to a message that is gone
    assert kept[1003].reactions == 1  # GONE's 👍 removed, HOST's 🔥 kept
    assert (await store.members.participation(sid, OTHER)) is not None
    assert [a.reason for a in await store.moderation.for_user(OTHER)] == ["blocked word"]
    actors = [a.actor for a in await store.host_actions.for_session(sid)]
    assert actors == [f"Host ({HOST})", "[forgotten]"]  # the display name goes with the id
    session = await store.sessions.get(sid)
    assert session is not None and session.topic.hosts == ("Maya", "@former-member")
    assert await store.heartbeat.last() is not None


async def test_the_running_bot_stops_showing_a_forgotten_host_at_once(store: Store) -> None:
    """The bot remembers the active sessions between messages; an erasure must not leave the
    forgotten host's mention in what it remembers."""
    await populate(store)
    assert f"<@{GONE}>" in (await store.sessions.active())[0].topic.hosts
    await forget_member(store, GONE)
    assert (await store.sessions.active())[0].topic.hosts == ("Maya", "@former-member")


async def test_unknown_member_is_a_clean_no_op(store: Store) -> None:
    await populate(store)
    report = await forget_member(store, 999999999999999999)
    assert report.total == 0
    assert report.lines()[0].startswith("Nothing was stored")


@pytest.mark.parametrize("account", ["ana.bsky.social", "did:plc:abc234"])
async def test_an_unknown_bluesky_handle_says_the_account_may_have_had_another(
    store: Store, account: str
) -> None:
    await populate(store)
    lines = (await forget_account(store, "bluesky", account)).lines()
    assert lines[0] == f"Nothing was stored about Bluesky account {account}: nothing to erase."
    assert any("its DID (did:plc:" in line for line in lines) is (account == "ana.bsky.social")


async def test_erasure_is_all_or_nothing(store: Store) -> None:
    sid = await populate(store)
    # A failure late in the transaction (deleting the member row) must undo everything before it.
    await store.conn.execute(
        "CREATE TRIGGER block BEFORE DELETE ON members BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="boom"):
        await forget_member(store, GONE)
    ids = {m.id for m in await store.messages.for_session(sid)}
    assert ids == {1001, 1002, 1003, 1004}
    assert len(await store.moderation.for_user(GONE)) == 1
    # and the connection is usable afterwards (no transaction left open)
    await store.conn.execute("DROP TRIGGER block")
    report = await forget_member(store, GONE)
    assert report.deleted["messages"] == 2


async def test_erased_text_does_not_linger_in_the_file(store: Store, tmp_path: Path) -> None:
    await populate(store)
    assert SECRET.encode() in database_bytes(tmp_path)  # in the WAL until checkpointed
    await forget_member(store, GONE)
    assert SECRET.encode() not in database_bytes(tmp_path)


async def test_short_ids_and_longer_numbers_are_not_mangled(store: Store) -> None:
    """A demo id like 202 must not be 'scrubbed' out of timestamps; a real id is only replaced
    as a whole number, never inside a longer one."""
    sid = await populate(store)
    await store.host_actions.record(sid, "note", f"ref 9{GONE}1 and {GONE}", "Host", T0)
    await store.messages.add(msg(2001, 202, "Demo", "A1: short id", 10))
    await store.messages.add(msg(2002, OTHER, "Other", "A1: thanks <@202>, see 2026-12-02", 11))

    await forget_member(store, 202)
    kept = await store.messages.get(2002)
    assert kept is not None and kept.content == "A1: thanks @former-member, see 2026-12-02"
    assert (await store.messages.get(1001)) is not None
    assert (await store.sessions.get(sid)) is not None

    await forget_member(store, GONE)
    details = [a.detail for a in await store.host_actions.for_session(sid)]
    assert f"ref 9{GONE}1 and [forgotten]" in details


async def test_erased_messages_cannot_come_back_through_history_backfill(store: Store) -> None:
    """After a reconnect the bot re-reads channel history; a forgotten member's old messages are
    still on Discord, and must not be stored again."""
    await populate(store)
    await forget_member(store, GONE)
    assert not await store.messages.add(msg(1001, GONE, "Gone Person", f"A1: {SECRET}", 6))
    kept = await store.messages.get(1001)
    assert kept is not None and kept.content is None and kept.author_id == 0
    assert all(m.id != 1001 for m in await store.messages.for_session(1))  # never in a recap


async def test_two_erasures_at_once_both_succeed(store: Store) -> None:
    import asyncio

    await populate(store)
    first, second = await asyncio.gather(forget_member(store, GONE), forget_member(store, OTHER))
    assert first.total > 0 and second.total > 0


async def test_a_message_captured_during_an_erasure_that_rolls_back_is_kept(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The erasure's transaction must be its own: a member's message stored meanwhile by the
    capture (another coroutine, same store) is not part of it and survives its rollback."""
    import asyncio

    import bot.store.privacy as privacy

    sid = await populate(store)
    # The erasure fails late: when it scrubs the member's mention out of another message.
    await store.conn.execute(
        "CREATE TRIGGER block BEFORE UPDATE OF content ON messages"
        " WHEN NEW.content LIKE '%@former-member%' BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    live = msg(3001, OTHER, "Other", "A1: posted while the erasure ran", 12, session_id=sid)
    captures: list[asyncio.Task[bool]] = []
    pattern = privacy.scrub_pattern

    def capture_meanwhile(user_id: int) -> re.Pattern[str]:
        if not captures:  # mid-erasure: the capture stores a new message
            captures.append(asyncio.get_running_loop().create_task(store.messages.add(live)))
        return pattern(user_id)

    monkeypatch.setattr(privacy, "scrub_pattern", capture_meanwhile)
    with pytest.raises(sqlite3.IntegrityError, match="boom"):
        await forget_member(store, GONE)
    assert captures and await captures[0]
    kept = await store.messages.get(3001)
    assert kept is not None and kept.content == "A1: posted while the erasure ran"
    assert {m.id for m in await store.messages.for_session(sid)} >= {1001, 1004, 3001}
