"""The capture write path under load: a member message, or a run of them, costs five statements
in two round trips, opted-out text is withheld in the insert itself, the capturing session is looked up once per
timeline change, and a burst of newcomers reads the ledger once (see docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from bot.domain.messages import Added, Attributed, MessageRow
from bot.domain.sessions import SessionStatus
from bot.engine.capture import RUN_LIMIT
from bot.store import Store
from bot.transport import Outgoing, Posted
from tests.test_engine import (
    ALICE,
    BOB,
    CHAT,
    START,
    Harness,
    plan,
)


def row(message_id: int, session_id: int, author: int, text: str) -> MessageRow:
    return MessageRow(
        id=message_id,
        session_id=session_id,
        channel_id=CHAT,
        author_id=author,
        author_name=f"member{author}",
        content=text,
        created_at=START,
        attribution=Attributed(kind="answer", questions=(1,), labels=("A1",)),
    )


async def test_add_member_message_is_idempotent_and_withholds_opted_out_text(
    harness: Harness,
) -> None:
    session = await plan(harness)
    store = harness.store
    assert store is not None
    assert await store.messages.add_member_message(row(1, session.id, ALICE, "A1: yes")) == Added(
        opted_out=False
    )
    assert await store.messages.add_member_message(row(1, session.id, ALICE, "A1: yes")) is None
    await store.members.set_opted_out(BOB, "Bob", True)
    assert await store.messages.add_member_message(row(2, session.id, BOB, "A1: private")) == Added(
        opted_out=True
    )
    stored = {m.id: m for m in await store.messages.for_session(session.id)}
    assert stored[1].content == "A1: yes" and stored[1].attribution.questions == (1,)
    assert stored[2].content is None and stored[2].author_name == "member102"


async def test_record_message_counts_a_session_once_per_member(harness: Harness) -> None:
    session = await plan(harness)
    store = harness.store
    assert store is not None
    for minute in range(3):
        part = await store.members.record_message(
            session.id, ALICE, "Alice", START + timedelta(minutes=minute), answer=minute == 0
        )
    assert (part.messages, part.answers, part.newcomer, part.welcomed) == (3, 1, True, False)
    member = await store.members.get(ALICE)
    assert member is not None and member.sessions_count == 1
    assert member.last_seen_at == START + timedelta(minutes=2)


async def count_statements(store: Store) -> list[str]:
    seen: list[str] = []
    await store.conn.set_trace_callback(seen.append)
    return seen


async def test_a_live_message_costs_five_statements_once_the_session_is_known(
    harness: Harness,
) -> None:
    await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=6))  # Q1 posted
    await t.member_post(ALICE, "Alice", "A1: warm-up", channel_id=CHAT)  # newcomer: more work
    await t.member_post(ALICE, "Alice", "A1: warm-up again", channel_id=CHAT)
    assert harness.store is not None
    seen = await count_statements(harness.store)
    for n in range(5):
        await t.member_post(ALICE, "Alice", f"A1: answer {n}", channel_id=CHAT)
    await harness.store.conn.set_trace_callback(None)
    # per message: stored-yet check, insert, member, participation, participation read back
    assert len(seen) == 5 * 5, seen
    assert not any("FROM sessions" in s for s in seen)


async def test_capture_follows_status_changes_without_asking_every_message(
    harness: Harness,
) -> None:
    """The cached capturing session is forgotten whenever a step runs or a host acts."""
    session = await plan(harness)
    t = harness.transport
    before = await t.member_post(ALICE, "Alice", "too early", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=1))  # welcome: the session is running
    intro = await t.member_post(ALICE, "Alice", "hi, Alice here", channel_id=CHAT)
    assert harness.engine is not None and harness.store is not None
    await harness.engine.controls.pause("leadershipchat", "host")
    paused = await t.member_post(BOB, "Bob", "still here", channel_id=CHAT)
    await harness.engine.controls.end_now("leadershipchat", "host")
    await harness.run_until(START + timedelta(minutes=5))  # closed, late window over, recapped
    final = await harness.store.sessions.get(session.id)
    assert final is not None and final.status is SessionStatus.RECAPPED
    after = await t.member_post(BOB, "Bob", "anyone?", channel_id=CHAT)
    ids = {m.id for m in await harness.store.messages.for_session(session.id)}
    assert intro.message_id in ids and paused.message_id in ids
    assert before.message_id not in ids and after.message_id not in ids


async def test_a_burst_of_newcomers_reads_the_ledger_once_and_is_welcomed_once(
    harness: Harness,
) -> None:
    await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=1))
    assert harness.store is not None
    seen = await count_statements(harness.store)
    for n in range(20):
        await t.member_post(500 + n, f"New{n}", "hello, first time here", channel_id=CHAT)
    await harness.store.conn.set_trace_callback(None)
    # once for the session's timeline (the welcome just ran), once for the pending welcome step
    assert sum("FROM steps" in s for s in seen) == 2, [s for s in seen if "steps" in s]
    await harness.run_until(START + timedelta(seconds=20))
    welcomes = [p.content for p in t.posts_in(CHAT) if "first time" in p.content]
    assert len(welcomes) == 1 and "**New0**" in welcomes[0] and "**New19**" in welcomes[0]


async def test_for_session_reads_the_same_rows_as_get(harness: Harness) -> None:
    """The bulk reader (recaps, exports) unpacks columns by position and shares equal
    attributions; each row must still equal the one `get` returns."""
    session = await plan(harness)
    store = harness.store
    assert store is not None
    rows = [
        row(1, session.id, ALICE, "A1: yes"),
        row(2, session.id, BOB, "A1: same attribution"),
        MessageRow(
            id=3,
            session_id=session.id,
            channel_id=CHAT,
            thread_id=77,
            author_id=BOB,
            author_name="Bob",
            content="A2/A9: both",
            created_at=START + timedelta(minutes=1),
            attribution=Attributed("answer", (2,), ("A2", "A9"), ("A9",), late=True),
            author_is_host=True,
            reply_to=1,
            jump_url="https://discord.test/3",
        ),
    ]
    await store.messages.add_many(rows)
    await store.messages.delete(2, START + timedelta(minutes=2))
    await store.messages.set_hidden(3, True)
    listed = await store.messages.for_session(session.id, include_deleted=True)
    assert listed == [await store.messages.get(m.id) for m in rows]
    assert [m.id for m in await store.messages.for_session(session.id)] == [1, 3]


async def test_a_run_of_messages_costs_five_statements_however_long(harness: Harness) -> None:
    """Under a burst the capture cog hands over everything queued at once: fifty messages from
    five members are stored and counted with as many statements as one."""
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=6))  # Q1 posted
    authors = [ALICE, BOB, 501, 502, 503]
    for author in authors:  # each is already counted in this session
        await t.member_post(author, f"m{author}", "A1: first", channel_id=CHAT)
    run = [
        await t.member_post(
            authors[n % 5], f"m{authors[n % 5]}", f"A1: #{n}", channel_id=CHAT, deliver=False
        )
        for n in range(50)
    ]
    assert harness.store is not None and harness.engine is not None
    seen = await count_statements(harness.store)
    await harness.engine.capture.handle_many(run)
    await harness.store.conn.set_trace_callback(None)
    assert len(seen) == 5, seen
    parts = {p.user_id: p for p in await harness.store.members.for_session(session.id)}
    assert all(parts[a].messages == 11 and parts[a].answers == 11 for a in authors)
    stored = await harness.store.messages.for_session(session.id)
    assert [m.content for m in stored][-50:] == [f"A1: #{n}" for n in range(50)]


async def test_replies_in_a_run_count_for_the_question_of_their_parent(harness: Harness) -> None:
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=16))  # Q1 and Q2 posted
    earlier = await t.member_post(ALICE, "Alice", "A1: listening first", channel_id=CHAT)
    answer = await t.member_post(BOB, "Bob", "A1: asking", channel_id=CHAT, deliver=False)
    same_run = await t.member_post(
        ALICE, "Alice", "so true", channel_id=CHAT, reply_to=answer.message_id, deliver=False
    )
    stored_parent = await t.member_post(
        BOB, "Bob", "+1", channel_id=CHAT, reply_to=earlier.message_id, deliver=False
    )
    assert harness.engine is not None and harness.store is not None
    await harness.engine.capture.handle_many([answer, same_run, stored_parent])
    stored = {m.id: m for m in await harness.store.messages.for_session(session.id)}
    assert stored[same_run.message_id].attribution.questions == (1,)
    assert stored[stored_parent.message_id].attribution.questions == (1,)


async def test_one_broken_message_does_not_cost_the_rest_of_its_run(harness: Harness) -> None:
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=6))
    good = await t.member_post(ALICE, "Alice", "A1: fine", channel_id=CHAT, deliver=False)
    broken = replace(
        await t.member_post(BOB, "Bob", "A1: nameless", channel_id=CHAT, deliver=False),
        author_name=None,  # type: ignore[arg-type]  # what a malformed event could carry
    )
    also_good = await t.member_post(BOB, "Bob", "A1: fine too", channel_id=CHAT, deliver=False)
    assert harness.engine is not None and harness.store is not None
    await harness.engine.capture.handle_many([good, broken, also_good])
    stored = [m.id for m in await harness.store.messages.for_session(session.id)]
    assert stored == [good.message_id, also_good.message_id]


async def test_a_question_falling_due_during_a_burst_goes_out_before_the_backlog(
    harness: Harness,
) -> None:
    """Under a burst the capture worker takes thousands of queued messages at once. A question
    that falls due meanwhile goes first: capture holds back between runs of RUN_LIMIT messages,
    so the post waits for one run at most, never for the whole backlog."""
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=14))  # Q1 is out; Q2 falls due at 15 s
    assert harness.engine is not None and harness.store is not None
    store = harness.store
    before = len(await store.messages.for_session(session.id))
    backlog = [
        await t.member_post(600 + n % 50, f"m{n % 50}", f"A1: #{n}", channel_id=CHAT, deliver=False)
        for n in range(4 * RUN_LIMIT)
    ]
    stored_when_posted: list[int] = []
    post = t.post

    async def noting(message: Outgoing) -> Posted:
        if message.content.startswith("Q2"):
            stored_when_posted.append(len(await store.messages.for_session(session.id)) - before)
        return await post(message)

    t.post = noting  # type: ignore[method-assign]
    harness.clock.set(START + timedelta(seconds=15))
    capturing = asyncio.create_task(harness.engine.capture.handle_many(backlog))
    await asyncio.sleep(0)  # the worker has taken the backlog when the job fires
    await harness.engine.run_step(session.id, "q2")
    await capturing
    assert len(stored_when_posted) == 1 and stored_when_posted[0] <= RUN_LIMIT
    assert len(await store.messages.for_session(session.id)) - before == len(backlog)
