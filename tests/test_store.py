"""The SQLite store: private file, WAL, foreign keys, migrations that upgrade old databases in place
and refuse newer ones, and repositories that make the bot's "never lose, never repeat" possible."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.members import Seen
from bot.domain.messages import Added, Attributed, Held, MessageRow
from bot.domain.sessions import SessionStatus
from bot.domain.steps import NewStep, StepStatus
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.store import SCHEMA_VERSION, SchemaError, Store
from bot.store.codec import topic_to_json
from bot.store.connection import connect, migrations, schema_version
from bot.store.sessions import ACTIVE_TTL, Sessions

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Tuesday 2026-12-01 20:00 EST
DAY = date(2026, 12, 1)
TOPIC = SessionTopic(
    title="Serving leadership",
    questions=(SessionQuestion("What does serving look like?"), SessionQuestion("Why?", 1500.0)),
    hosts=("Maya Ortega",),
    prep_post="https://example.com/blog/serving-leadership",
)


async def tables(conn) -> set[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {r[0] for r in await cur.fetchall()}


async def columns(conn, table: str) -> set[str]:
    async with conn.execute(f"PRAGMA table_info({table})") as cur:
        return {r[1] for r in await cur.fetchall()}


async def schema(conn) -> list[tuple[str, str]]:
    async with conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
    ) as cur:
        return [(r[0], r[1]) for r in await cur.fetchall()]


# ----------------------------------------------------------------------------- connection


async def test_empty_database_is_migrated_to_the_current_version(tmp_path):
    conn = await connect(tmp_path / "chat.db")
    try:
        assert SCHEMA_VERSION == len(migrations()) >= 2
        assert await schema_version(conn) == SCHEMA_VERSION
        assert {
            "sessions",
            "steps",
            "messages",
            "reactions",
            "members",
            "session_members",
            "moderation_actions",
            "host_actions",
            "heartbeat",
        } <= await tables(conn)
    finally:
        await conn.close()


async def test_older_database_is_upgraded_in_place_and_keeps_its_data(tmp_path):
    path = tmp_path / "chat.db"
    old = await connect(path, migrate_to=1)
    try:
        assert await schema_version(old) == 1
        assert "heartbeat" not in await tables(old)
        assert "recap_dir" not in await columns(old, "sessions")
        await old.execute(
            "INSERT INTO sessions (chat, chat_date, start_at, topic_json, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                "leadershipchat",
                DAY.isoformat(),
                T0.isoformat(),
                topic_to_json(TOPIC),
                T0.isoformat(),
            ),
        )
    finally:
        await old.close()

    async with Store(path) as store:
        assert await schema_version(store.conn) == SCHEMA_VERSION
        assert {"host_actions", "heartbeat"} <= await tables(store.conn)
        assert {"recap_dir", "recap_posted_at"} <= await columns(store.conn, "sessions")
        session = await store.sessions.for_date("leadershipchat", DAY)
        assert session is not None
        assert session.topic == TOPIC
        assert session.start_at == T0
        assert session.recap_dir is None
        # and the new parts work on the upgraded database
        await store.host_actions.record(session.id, "pause", "", "maya", T0)
        assert [a.action for a in await store.host_actions.for_session(session.id)] == ["pause"]


@pytest.mark.parametrize(
    ("chats", "expected"),
    [
        # several chats: the DMs members got were for the chats they had posted in
        (("leadershipchat", "evening"), {1: {"evening"}, 2: set(), 3: set()}),
        # one chat: everyone who pressed "Remind me" got its DMs, posted or not
        (("leadershipchat",), {1: {"leadershipchat"}, 2: {"leadershipchat"}, 3: set()}),
    ],
)
async def test_remind_me_becomes_per_chat_and_keeps_the_dms_members_were_getting(
    tmp_path, chats, expected
):
    version = next(m.version for m in migrations() if m.name == "reminders_per_chat")
    path = tmp_path / "chat.db"
    old = await connect(path, migrate_to=version - 1)
    try:
        for n, chat in enumerate(chats):
            await old.execute(
                "INSERT INTO sessions (id, chat, chat_date, start_at, topic_json, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    n + 1,
                    chat,
                    DAY.isoformat(),
                    T0.isoformat(),
                    topic_to_json(TOPIC),
                    T0.isoformat(),
                ),
            )
        # 1 asked and posted in the last chat, 2 asked and never posted, 3 posted, never asked
        for user, remind in ((1, 1), (2, 1), (3, 0)):
            await old.execute(
                "INSERT INTO members (user_id, display_name, remind) VALUES (?, ?, ?)",
                (user, f"member {user}", remind),
            )
        for user, session in ((1, len(chats)), (3, 1)):
            await old.execute(
                "INSERT INTO session_members (session_id, user_id, messages) VALUES (?, ?, 1)",
                (session, user),
            )
    finally:
        await old.close()
    async with Store(path) as store:
        assert "remind" not in await columns(store.conn, "members")
        assert {u: await store.members.reminded_chats(u) for u in expected} == expected


async def test_upgraded_schema_matches_a_fresh_one(tmp_path):
    old = await connect(tmp_path / "old.db", migrate_to=1)
    await old.close()
    upgraded = await connect(tmp_path / "old.db")
    fresh = await connect(tmp_path / "fresh.db")
    try:
        assert await schema(upgraded) == await schema(fresh)
    finally:
        await upgraded.close()
        await fresh.close()


async def test_reopening_a_current_database_changes_nothing(tmp_path):
    path = tmp_path / "chat.db"
    async with Store(path) as store:
        await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    async with Store(path) as store:
        assert await schema_version(store.conn) == SCHEMA_VERSION
        assert len(await store.sessions.recent()) == 1


async def test_database_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "chat.db"
    conn = await connect(path)
    await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    await conn.close()
    with pytest.raises(SchemaError, match="newer than this leadershipchat"):
        await connect(path)
    # and it was left untouched
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


async def test_an_existing_database_file_is_made_private_on_open(tmp_path):
    path = tmp_path / "chat.db"
    async with Store(path):
        pass
    for file in (path, path.with_name("chat.db-wal")):
        file.touch()
        os.chmod(file, 0o644)  # copied in by hand, or made by an older version
    async with Store(path) as store:
        await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.with_name("chat.db-wal").stat().st_mode) == 0o600


async def test_database_file_is_private_and_its_folder_is_created(tmp_path):
    path = tmp_path / "data" / "nested" / "chat.db"
    old_umask = os.umask(0o022)
    try:
        async with Store(path) as store:
            await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            wal = path.with_name(path.name + "-wal")
            if wal.exists():  # SQLite gives the WAL file the database file's permissions
                assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


async def test_wal_and_foreign_keys_are_on(store):
    async with store.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with store.conn.execute("PRAGMA foreign_keys") as cur:
        assert (await cur.fetchone())[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        await store.steps.add(999, [NewStep("q1", "question", T0, 1)])  # no such session


async def test_in_memory_database_for_quick_tests():
    async with Store(":memory:") as store:
        assert await schema_version(store.conn) == SCHEMA_VERSION


async def test_naive_times_are_refused(store):
    with pytest.raises(ValueError, match="naive datetime"):
        await store.sessions.create("leadershipchat", DAY, T0.replace(tzinfo=None), TOPIC, T0)


# ----------------------------------------------------------------------------- sessions


async def test_session_create_is_idempotent_per_chat_and_date(store):
    first = await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    other_topic = SessionTopic(title="Something else", questions=())
    again = await store.sessions.create(
        "leadershipchat", DAY, T0, other_topic, T0 + timedelta(hours=1)
    )
    assert again == first  # same row, first topic kept
    assert again.topic.title == "Serving leadership"
    assert again.status is SessionStatus.PLANNED

    next_week = await store.sessions.create(
        "leadershipchat", DAY + timedelta(weeks=1), T0 + timedelta(weeks=1), TOPIC, T0
    )
    other_chat = await store.sessions.create("eveningchat", DAY, T0, TOPIC, T0)
    assert len({first.id, next_week.id, other_chat.id}) == 3
    assert [s.id for s in await store.sessions.recent("leadershipchat")] == [next_week.id, first.id]


async def test_session_topic_snapshot_round_trips(store):
    topic = SessionTopic(
        title="Leading customers — «quoted» ✨",
        questions=(SessionQuestion("Q one?"), SessionQuestion("Q two?", 25 * 60.0)),
        hosts=("Grace Adeyemi", "Sam Whitfield"),
        welcome="Hello!",
        closing="Bye.",
    )
    session = await store.sessions.create("leadershipchat", DAY, T0, topic, T0)
    assert (await store.sessions.get(session.id)).topic == topic
    edited = topic.with_question(2, "Q two, edited?")
    await store.sessions.set_topic(session.id, edited)
    stored = (await store.sessions.get(session.id)).topic
    assert stored.questions[1] == SessionQuestion("Q two, edited?", 1500.0)


async def test_session_status_and_active_list(store):
    session = await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    await store.sessions.set_status(session.id, SessionStatus.PAUSED, paused_at=T0)
    paused = await store.sessions.get(session.id)
    assert (paused.status, paused.paused_at) == (SessionStatus.PAUSED, T0)
    assert [s.id for s in await store.sessions.active()] == [session.id]
    await store.sessions.set_status(session.id, SessionStatus.RECAPPED)
    assert await store.sessions.active() == []
    assert (await store.sessions.get(session.id)).paused_at is None


async def count_session_queries(store) -> list[str]:
    seen: list[str] = []
    await store.conn.set_trace_callback(seen.append)
    return seen


async def test_active_sessions_are_remembered_until_a_session_is_written(store):
    """`active()` is asked for every chat message; it must not cost a query each time, and a
    status change must be seen at once."""
    session = await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    seen = await count_session_queries(store)
    for _ in range(5):
        assert [s.status for s in await store.sessions.active()] == [SessionStatus.PLANNED]
    assert sum("FROM sessions" in q for q in seen) == 1
    await store.sessions.set_status(session.id, SessionStatus.RUNNING)
    assert [s.status for s in await store.sessions.active()] == [SessionStatus.RUNNING]
    await store.sessions.set_topic(session.id, TOPIC.with_question(1, "Edited?"))
    assert (await store.sessions.active())[0].topic.questions[0].text == "Edited?"
    await store.sessions.set_status(session.id, SessionStatus.CANCELLED)
    assert await store.sessions.active() == []


async def test_callers_asking_at_once_share_one_sessions_query(store):
    await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    seen = await count_session_queries(store)
    answers = await asyncio.gather(*(store.sessions.active() for _ in range(50)))
    assert all([s.chat_date for s in a] == [DAY] for a in answers)
    assert sum("FROM sessions" in q for q in seen) == 1


async def test_a_sessions_query_racing_a_write_does_not_hide_the_write(store):
    session = await store.sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    early = asyncio.ensure_future(store.sessions.active())
    await asyncio.sleep(0)  # the early caller starts its query...
    await asyncio.sleep(0)
    await store.sessions.set_status(session.id, SessionStatus.RUNNING)  # ...then a write lands
    await early
    assert [s.status for s in await store.sessions.active()] == [SessionStatus.RUNNING]


async def test_a_change_by_another_process_reaches_active_sessions_within_the_ttl(store):
    """A CLI command writing the same database file is seen by a running bot within a second."""
    now = [100.0]
    sessions = Sessions(store.conn, monotonic=lambda: now[0])
    created = await sessions.create("leadershipchat", DAY, T0, TOPIC, T0)
    assert [s.status for s in await sessions.active()] == [SessionStatus.PLANNED]
    await store.sessions.set_status(created.id, SessionStatus.RUNNING)  # another writer
    assert [s.status for s in await sessions.active()] == [SessionStatus.PLANNED]
    now[0] += ACTIVE_TTL
    assert [s.status for s in await sessions.active()] == [SessionStatus.RUNNING]


# ----------------------------------------------------------------------------- the step ledger


async def make_session(store, day: date = DAY):
    return await store.sessions.create("leadershipchat", day, T0, TOPIC, T0)


async def test_steps_start_pending_and_adding_again_keeps_their_state(store):
    session = await make_session(store)
    plan = [
        NewStep("welcome", "welcome", T0),
        NewStep("q1", "question", T0 + timedelta(minutes=5), 1),
        NewStep("q2", "question", T0 + timedelta(minutes=14), 2),
    ]
    await store.steps.add(session.id, plan)
    rows = await store.steps.for_session(session.id)
    assert [(r.key, r.status, r.question) for r in rows] == [
        ("welcome", StepStatus.PENDING, None),
        ("q1", StepStatus.PENDING, 1),
        ("q2", StepStatus.PENDING, 2),
    ]
    await store.steps.mark_sent(session.id, "welcome", message_id=10, channel_id=20, sent_at=T0)
    await store.steps.add(session.id, [NewStep("welcome", "welcome", T0 + timedelta(hours=1))])
    welcome = await store.steps.get(session.id, "welcome")
    assert (welcome.status, welcome.due_at, welcome.message_id) == (StepStatus.SENT, T0, 10)


async def test_step_transitions_pending_to_sent_skipped_failed(store):
    session = await make_session(store)
    await store.steps.add(
        session.id,
        [
            NewStep("reminder-1h", "reminder", T0 - timedelta(hours=1)),
            NewStep("q1", "question", T0 + timedelta(minutes=5), 1),
            NewStep("q2", "question", T0 + timedelta(minutes=14), 2),
            NewStep("close", "close", T0 + timedelta(hours=1)),
        ],
    )
    sent_at = T0 + timedelta(minutes=5, seconds=1)
    await store.steps.mark_sent(
        session.id, "q1", message_id=111, channel_id=222, sent_at=sent_at, thread_id=333
    )
    await store.steps.mark_skipped(session.id, "reminder-1h", "the chat had already started")
    assert await store.steps.begin_attempt(session.id, "q2") == 1
    await store.steps.fail_attempt(session.id, "q2", "503 Service Unavailable", final=False)
    assert (await store.steps.get(session.id, "q2")).status is StepStatus.PENDING
    assert await store.steps.begin_attempt(session.id, "q2") == 2
    await store.steps.fail_attempt(session.id, "q2", "403 Missing Access", final=True)

    q1 = await store.steps.get(session.id, "q1")
    assert (q1.status, q1.message_id, q1.channel_id, q1.thread_id, q1.sent_at) == (
        StepStatus.SENT,
        111,
        222,
        333,
        sent_at,
    )
    reminder = await store.steps.get(session.id, "reminder-1h")
    assert (reminder.status, reminder.last_error) == (
        StepStatus.SKIPPED,
        "the chat had already started",
    )
    q2 = await store.steps.get(session.id, "q2")
    assert (q2.status, q2.attempts, q2.last_error) == (StepStatus.FAILED, 2, "403 Missing Access")
    assert [s.key for s in await store.steps.pending()] == ["close"]


async def test_a_sent_step_is_never_skipped_or_rescheduled(store):
    session = await make_session(store)
    await store.steps.add(session.id, [NewStep("q1", "question", T0, 1)])
    await store.steps.mark_sent(session.id, "q1", message_id=1, channel_id=2, sent_at=T0)
    await store.steps.mark_skipped(session.id, "q1", "too late")
    await store.steps.reschedule(session.id, {"q1": T0 + timedelta(minutes=10)})
    q1 = await store.steps.get(session.id, "q1")
    assert (q1.status, q1.due_at) == (StepStatus.SENT, T0)


async def test_reschedule_moves_pending_steps_and_reopen_runs_one_again(store):
    session = await make_session(store)
    await store.steps.add(
        session.id,
        [NewStep("q2", "question", T0, 2), NewStep("recap", "recap", T0 + timedelta(hours=13))],
    )
    later = T0 + timedelta(minutes=7)
    await store.steps.reschedule(session.id, {"q2": later})
    assert (await store.steps.get(session.id, "q2")).due_at == later

    await store.steps.mark_sent(session.id, "recap", message_id=5, channel_id=6, sent_at=T0)
    await store.steps.reopen(session.id, "recap", later)
    recap = await store.steps.get(session.id, "recap")
    assert (recap.status, recap.due_at) == (StepStatus.PENDING, later)


async def test_a_crash_mid_send_leaves_a_visible_attempt(store):
    session = await make_session(store)
    await store.steps.add(session.id, [NewStep("q1", "question", T0, 1)])
    await store.steps.begin_attempt(session.id, "q1")
    q1 = await store.steps.get(session.id, "q1")
    assert (q1.status, q1.attempts) == (StepStatus.PENDING, 1)  # restart sees it and checks history


async def test_drop_pending_removes_only_unsent_steps(store):
    session = await make_session(store)
    await store.steps.add(
        session.id, [NewStep("q5", "question", T0, 5), NewStep("q6", "question", T0, 6)]
    )
    await store.steps.mark_sent(session.id, "q5", message_id=1, channel_id=2, sent_at=T0)
    await store.steps.drop_pending(session.id, ["q5", "q6"])
    assert [s.key for s in await store.steps.for_session(session.id)] == ["q5"]


async def test_deleting_a_session_removes_its_steps(store):
    session = await make_session(store)
    await store.steps.add(session.id, [NewStep("q1", "question", T0, 1)])
    await store.conn.execute("DELETE FROM sessions WHERE id = ?", (session.id,))
    assert await store.steps.for_session(session.id) == []


# ----------------------------------------------------------------------------- messages


def message(
    mid: int, session_id: int, text: str, *, author: int = 7, minute: int = 6, kind: str = "answer"
):
    return MessageRow(
        id=mid,
        session_id=session_id,
        channel_id=222,
        author_id=author,
        author_name=f"member{author}",
        content=text,
        created_at=T0 + timedelta(minutes=minute),
        attribution=Attributed(kind=kind, questions=(1,), labels=("A1",)),
    )


async def test_message_add_is_idempotent_and_round_trips(store):
    session = await make_session(store)
    row = message(1001, session.id, "A1: serve first\nthen lead")
    assert await store.messages.add(row) is True
    assert await store.messages.add(row) is False  # backfill overlap: stored once
    assert await store.messages.get(1001) == row
    assert await store.messages.for_session(session.id) == [row]


async def test_message_edit_reattributes_and_delete_leaves_a_tombstone(store):
    session = await make_session(store)
    await store.messages.add_many(
        [message(1, session.id, "A1: first"), message(2, session.id, "hello", minute=7)]
    )
    edited_at = T0 + timedelta(minutes=8)
    new = Attributed(kind="answer", questions=(1, 2), labels=("A1", "A2"), late=False)
    await store.messages.edit(1, "A1/A2: both", edited_at, new)
    row = await store.messages.get(1)
    assert (row.content, row.edited_at, row.attribution) == ("A1/A2: both", edited_at, new)

    deleted_at = T0 + timedelta(minutes=9)
    await store.messages.delete(1, deleted_at)
    tomb = await store.messages.get(1)
    assert (tomb.content, tomb.deleted_at) == (None, deleted_at)
    assert [m.id for m in await store.messages.for_session(session.id)] == [2]
    assert [m.id for m in await store.messages.for_session(session.id, include_deleted=True)] == [
        1,
        2,
    ]
    # a late edit event for a deleted message does not bring the text back
    await store.messages.edit(1, "resurrected?", deleted_at + timedelta(seconds=1), new)
    assert (await store.messages.get(1)).content is None


async def test_reactions_are_counted_once_per_member_and_emoji(store):
    session = await make_session(store)
    await store.messages.add(message(1, session.id, "A1: yes"))
    await store.messages.add_reaction(1, 50, "👍")
    await store.messages.add_reaction(1, 50, "👍")  # gateway replay
    await store.messages.add_reaction(1, 51, "👍")
    await store.messages.add_reaction(1, 50, "🎉")
    assert (await store.messages.get(1)).reactions == 3
    await store.messages.remove_reaction(1, 50, "👍")
    await store.messages.remove_reaction(1, 50, "👍")
    assert (await store.messages.get(1)).reactions == 2
    await store.messages.add_reaction(999, 50, "👍")  # unknown message: ignored, no error
    assert await store.messages.get(999) is None


async def test_held_tells_a_catch_up_where_each_message_is_and_what_became_of_it(store):
    session = await make_session(store)
    in_thread = replace(message(9, session.id, "b"), thread_id=333)
    await store.messages.add_many(
        [message(5, session.id, "a"), in_thread, message(12, session.id, "c")]
    )
    await store.messages.edit(5, "a!", T0 + timedelta(minutes=8), Attributed("discussion"))
    await store.messages.delete(12, T0 + timedelta(minutes=9))
    assert await store.messages.held(session.id) == {
        5: Held(222, T0 + timedelta(minutes=8), deleted=False),
        9: Held(333, None, deleted=False),
        12: Held(222, None, deleted=True),
    }
    assert await store.messages.held(session.id + 1) == {}


# ----------------------------------------------------------------------------- members


async def test_first_session_makes_a_newcomer_the_second_does_not(store):
    first = await make_session(store)
    second = await make_session(store, DAY + timedelta(weeks=1))

    p = await store.members.record_message(first.id, 7, "Ada", T0, answer=True)
    assert (p.newcomer, p.messages, p.answers) == (True, 1, 1)
    p = await store.members.record_message(
        first.id, 7, "Ada", T0 + timedelta(minutes=1), answer=False
    )
    assert (p.newcomer, p.messages, p.answers) == (True, 2, 1)  # still her first session

    later = T0 + timedelta(weeks=1)
    p = await store.members.record_message(second.id, 7, "Ada L.", later, answer=True)
    assert (p.newcomer, p.messages, p.answers) == (False, 1, 1)

    member = await store.members.get(7)
    assert member.display_name == "Ada L."
    assert (member.first_session_id, member.sessions_count) == (first.id, 2)
    assert (member.first_seen_at, member.last_seen_at) == (T0, later)
    assert await store.members.history([7]) == {7: [first.id, second.id]}


async def test_a_run_of_messages_counts_like_the_same_messages_one_by_one(store):
    first = await make_session(store)
    second = await make_session(store, DAY + timedelta(weeks=1))
    await store.members.record_message(first.id, 7, "Ada", T0, answer=True)  # a regular
    at = [T0 + timedelta(weeks=1, minutes=m) for m in range(4)]
    parts = await store.members.record_messages(
        second.id,
        [
            Seen(7, "Ada", at[0], answer=True),
            Seen(8, "Bo", at[1], answer=False),  # first time ever
            Seen(7, "Ada L.", at[2], answer=False),
            Seen(8, "Bo", at[3], answer=True),
        ],
    )
    assert {u: (p.newcomer, p.messages, p.answers) for u, p in parts.items()} == {
        7: (False, 2, 1),
        8: (True, 2, 1),
    }
    ada, bo = await store.members.get(7), await store.members.get(8)
    assert (ada.display_name, ada.sessions_count, ada.last_seen_at) == ("Ada L.", 2, at[2])
    assert (bo.first_session_id, bo.sessions_count, bo.first_seen_at) == (second.id, 1, at[1])
    # the next run in the same session adds to the counts
    more = await store.members.record_messages(second.id, [Seen(8, "Bo", at[3], answer=True)])
    assert (more[8].messages, more[8].answers, more[8].newcomer) == (3, 2, True)
    assert (await store.members.get(8)).sessions_count == 1


async def test_a_run_of_live_messages_is_stored_once_and_withholds_opted_out_text(store):
    session = await make_session(store)
    await store.members.set_opted_out(9, "Cy", True)
    first = message(1, session.id, "A1: hello")
    assert await store.messages.add_member_messages([first]) == {1: Added(opted_out=False)}
    run = [
        first,  # already stored (a backfill overlapping live events)
        message(2, session.id, "A1: private", author=9),
        message(3, session.id, "A2: public"),
        message(3, session.id, "A2: public"),  # the same event twice in one run
    ]
    assert await store.messages.add_member_messages(run) == {
        2: Added(opted_out=True),
        3: Added(opted_out=False),
    }
    stored = {m.id: m.content for m in await store.messages.for_session(session.id)}
    assert stored == {1: "A1: hello", 2: None, 3: "A2: public"}


async def test_a_member_known_only_from_a_command_is_still_a_newcomer(store):
    session = await make_session(store)
    await store.members.set_remind(8, "Bo", "leadershipchat", True)  # before ever posting
    p = await store.members.record_message(session.id, 8, "Bo", T0, answer=False)
    assert p.newcomer is True
    assert [m.user_id for m in await store.members.to_remind("leadershipchat")] == [8]
    assert await store.members.to_remind("otherchat") == []  # reminders are per chat


async def test_opted_out_members(store):
    await store.members.set_opted_out(9, "Cy", True)
    assert await store.members.opted_out_ids() == {9}
    await store.members.set_remind(9, "Cy", "leadershipchat", True)
    assert await store.members.to_remind("leadershipchat") == []  # opted out wins
    await store.members.set_opted_out(9, "Cy", False)
    assert await store.members.opted_out_ids() == set()


async def test_a_transaction_is_all_or_nothing_and_takes_no_other_write_along(tmp_path):
    """A write made meanwhile on the store's own connection (capture) waits for the transaction
    and survives its rollback; the transaction's own writes are gone."""
    async with Store(tmp_path / "tx.db") as store:

        async def capture_meanwhile() -> None:
            await store.members.ensure(8, "Bo")

        writer = None
        with pytest.raises(RuntimeError, match="half way"):
            async with store.transaction() as tx:
                await tx.members.set_opted_out(7, "Al", True)
                writer = asyncio.create_task(capture_meanwhile())
                await asyncio.sleep(0.05)  # the other write is waiting for the transaction
                raise RuntimeError("half way")
        assert writer is not None
        await writer
        assert await store.members.get(7) is None
        assert await store.members.get(8) is not None

        async with store.transaction() as tx:
            await tx.members.set_opted_out(7, "Al", True)
            await tx.members.set_remind(7, "Al", "leadershipchat", True)
        al = await store.members.get(7)
        assert al is not None and al.opted_out
        assert await store.members.reminded_chats(7) == {"leadershipchat"}


async def test_a_store_is_opened_and_closed_by_async_with(tmp_path):
    store = Store(tmp_path / "life.db")
    with pytest.raises(RuntimeError, match="not open"):
        _ = store.conn
    async with store as opened:
        assert opened is store
        await store.members.ensure(1, "Al")
    async with Store(tmp_path / "life.db") as again:
        assert await again.members.get(1) is not None
