"""Catching up after a restart (bot/engine/catch_up.py): messages posted, edited and deleted
while the bot was down, threads members started, participation that follows edits and deletes,
and newcomer welcomes that survive a crash. On the engine with the in-memory transport."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import Clock
from bot.domain.messages import MessageRow
from bot.domain.sessions import SessionRow
from bot.maintenance.forget import forget_member
from bot.memory_transport import MemoryTransport
from bot.store import Store
from bot.transport import MessageCreated, Outgoing, Posted, Presence, TransportError
from tests.test_engine import (
    ALICE,
    BOB,
    CARA,
    CHAT,
    START,
    Harness,
    plan,
)


async def stored_by_id(h: Harness, session: SessionRow) -> dict[int, MessageRow]:
    return {
        m.id: m for m in await store_of(h).messages.for_session(session.id, include_deleted=True)
    }


def store_of(h: Harness) -> Store:
    assert h.store is not None
    return h.store


async def test_messages_posted_while_down_are_caught_up_though_live_ones_arrive_first(
    harness: Harness,
) -> None:
    """The restarted bot hears new messages before it reads history: those must not hide the
    ones posted while it was down (reading used to start after the newest message stored)."""
    h = harness
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 is out
    t = h.transport
    before = await t.member_post(ALICE, "Alice", "A1: before the crash", channel_id=CHAT)
    await h.crash()
    away = [
        await t.member_post(
            BOB, "Bob", f"A1: while you were away {n}", channel_id=CHAT, deliver=False
        )
        for n in range(3)
    ]
    live: list[MessageCreated] = []

    async def members_go_on() -> None:
        live.append(
            await t.member_post(CARA, "Cara", "A1: just after the restart", channel_id=CHAT)
        )

    await h.boot(before_catch_up=members_go_on)
    stored = await stored_by_id(h, session)
    assert live[0].message_id in stored  # heard live, before the catch-up
    assert {m.message_id for m in [before, *away, *live]} <= set(stored)
    counts = {p.user_id: p.messages for p in await store_of(h).members.for_session(session.id)}
    assert counts == {ALICE: 1, BOB: 3, CARA: 1}  # nothing counted twice


class HistorySpy(MemoryTransport):
    """Remembers where each history read started."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.reads: list[tuple[int, int | None]] = []

    async def history(self, channel_id: int, after_id: int | None) -> Sequence[MessageCreated]:
        self.reads.append((channel_id, after_id))
        return await super().history(channel_id, after_id)


async def test_edits_and_deletes_made_while_down_are_taken_in_reading_from_the_welcome(
    harness: Harness,
) -> None:
    h = harness
    h.transport = t = HistorySpy(h.clock)
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 is out
    hello = await t.member_post(ALICE, "Alice", "hello all", channel_id=CHAT)
    answer = await t.member_post(ALICE, "Alice", "A1: first try", channel_id=CHAT)
    regret = await t.member_post(BOB, "Bob", "A1: something I regret", channel_id=CHAT)
    kept = await t.member_post(BOB, "Bob", "A1: this one stays", channel_id=CHAT)
    await h.crash()
    await h.run_until(START + timedelta(seconds=8))
    await t.member_edit(hello, "A1: on second thought, serving is listening", deliver=False)
    await t.member_edit(answer, "oops, wrong window", deliver=False)
    await t.member_delete(regret, deliver=False)
    t.reads.clear()
    await h.boot()
    stored = {
        m.id: m for m in await store_of(h).messages.for_session(session.id, include_deleted=True)
    }
    assert stored[hello.message_id].content == "A1: on second thought, serving is listening"
    assert stored[hello.message_id].attribution.kind == "answer"
    assert stored[hello.message_id].edited_at == START + timedelta(seconds=8)
    assert stored[answer.message_id].attribution.kind != "answer"
    assert stored[regret.message_id].deleted_at is not None
    assert stored[regret.message_id].content is None
    assert stored[kept.message_id].deleted_at is None
    parts = {
        p.user_id: (p.messages, p.answers)
        for p in await store_of(h).members.for_session(session.id)
    }
    assert parts == {ALICE: (2, 1), BOB: (1, 1)}
    welcome = next(p for p in t.posts_in(CHAT) if p.content.startswith("Welcome"))
    assert (CHAT, welcome.message_id) in t.reads  # from the welcome on, never the whole channel
    assert all(after is not None for _, after in t.reads)


async def test_threads_members_start_are_caught_up_even_when_started_while_down(
    harness: Harness,
) -> None:
    h, t = harness, harness.transport
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    theirs = t.member_thread(CHAT)
    early = await t.member_post(
        ALICE, "Alice", "A1: in my thread", channel_id=CHAT, thread_id=theirs
    )
    await h.crash()
    later = await t.member_post(
        BOB,
        "Bob",
        "A1: replying in Alice's thread",
        channel_id=CHAT,
        thread_id=theirs,
        deliver=False,
    )
    new_thread = t.member_thread(CHAT)
    offline = await t.member_post(
        CARA, "Cara", "A1: a thread of my own", channel_id=CHAT, thread_id=new_thread, deliver=False
    )
    await h.boot()
    stored = {m.id: m for m in await store_of(h).messages.for_session(session.id)}
    assert early.message_id in stored  # live
    assert stored[later.message_id].thread_id == theirs
    assert stored[offline.message_id].thread_id == new_thread
    assert stored[offline.message_id].attribution.questions == (1,)


async def test_participation_counts_follow_edits_and_deletes(harness: Harness) -> None:
    h, t = harness, harness.transport
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    first = await t.member_post(ALICE, "Alice", "A1: listening", channel_id=CHAT)
    await t.member_post(ALICE, "Alice", "A1: and asking", channel_id=CHAT)
    only = await t.member_post(BOB, "Bob", "hi, Bob here", channel_id=CHAT)
    await t.member_edit(first, "never mind that")
    await t.member_delete(only)
    parts = {
        p.user_id: (p.messages, p.answers)
        for p in await store_of(h).members.for_session(session.id)
    }
    assert parts == {ALICE: (2, 1)}  # Bob's only message is gone: he did not take part
    bob = await store_of(h).members.get(BOB)
    assert bob is not None and bob.sessions_count == 0
    assert await store_of(h).members.history([BOB]) == {BOB: []}


class Killed(BaseException):
    """The process dies: nothing after this point runs."""


class DiesAfterPosting(MemoryTransport):
    """SIGKILL the moment a post containing `fatal` has reached Discord."""

    fatal: str | None = None

    async def post(self, message: Outgoing) -> Posted:
        posted = await super().post(message)
        if self.fatal is not None and self.fatal in message.content:
            self.fatal = None
            raise Killed
        return posted


async def test_a_crash_between_a_newcomer_welcome_and_its_record_welcomes_nobody_twice(
    harness: Harness,
) -> None:
    h = harness
    h.transport = t = DiesAfterPosting(h.clock)
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=1))
    await t.member_post(ALICE, "Alice", "hello!", channel_id=CHAT)
    t.fatal = "first time"
    with pytest.raises(Killed):
        await h.run_until(START + timedelta(seconds=8))
    await h.crash()
    # While the bot is down a new member arrives, and Discord forgets the post's nonce.
    await t.member_post(BOB, "Bob", "hi from Lisbon, first chat!", channel_id=CHAT, deliver=False)
    t.forget_nonces()
    await h.boot()
    await h.run_until(START + timedelta(seconds=40))
    welcomes = [p.content for p in t.posts_in(CHAT) if "first time" in p.content]
    assert sum("**Alice**" in w for w in welcomes) == 1, welcomes
    assert sum("**Bob**" in w for w in welcomes) == 1, welcomes
    parts = await store_of(h).members.for_session(session.id)
    assert all(p.welcomed for p in parts)


async def test_a_crash_as_the_welcome_is_recorded_still_captures_the_chat(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The welcome's post and the session marked running: a crash between them used to leave
    a welcomed chat whose session never ran, so nothing members said was captured."""
    h, t = harness, harness.transport
    session = await plan(h)

    async def dies(*args: object, **kwargs: object) -> None:
        raise Killed

    monkeypatch.setattr(store_of(h).sessions, "set_status", dies)
    with pytest.raises(Killed):
        await h.run_until(START + timedelta(seconds=1))
    await h.crash()
    await h.boot()
    await h.run_until(START + timedelta(seconds=2))
    hello = await t.member_post(ALICE, "Alice", "hello, Alice here", channel_id=CHAT)
    assert hello.message_id in await stored_by_id(h, session)
    assert len([p for p in t.posts_in(CHAT) if p.content.startswith("Welcome")]) == 1


async def test_a_crash_between_storing_messages_and_counting_them_is_made_good(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, t = harness, harness.transport
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    await t.member_post(ALICE, "Alice", "A1: counted", channel_id=CHAT)

    async def dies(*args: object, **kwargs: object) -> None:
        raise Killed

    monkeypatch.setattr(store_of(h).members, "record_messages", dies)
    with pytest.raises(Killed):
        await t.member_post(BOB, "Bob", "A1: stored, then the bot died", channel_id=CHAT)
    await h.crash()
    await h.boot()
    parts = {
        p.user_id: (p.messages, p.answers)
        for p in await store_of(h).members.for_session(session.id)
    }
    assert parts == {ALICE: (1, 1), BOB: (1, 1)}
    bob = await store_of(h).members.get(BOB)
    assert bob is not None and bob.first_session_id == session.id and bob.sessions_count == 1
    await h.run_until(START + timedelta(seconds=20))
    welcomes = [p.content for p in t.posts_in(CHAT) if "first time" in p.content]
    assert sum("**Bob**" in w for w in welcomes) == 1, welcomes


async def test_a_member_forgotten_while_the_bot_was_down_is_not_stored_again(
    harness: Harness,
) -> None:
    """`leadershipchat forget` run while the bot is down: the member's messages are still on
    Discord, the ones stored and the ones posted while the bot was away. The catch-up after the
    restart reads them all again and must store none (nor count the member); what they post
    after being forgotten is stored as anyone's."""
    h = harness
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 is out
    t = h.transport
    stored_before = await t.member_post(BOB, "Bob", "A1: forget me soon", channel_id=CHAT)
    await t.member_post(ALICE, "Alice", "A1: I stay", channel_id=CHAT)
    await h.crash()
    away = await t.member_post(BOB, "Bob", "A1: posted while down", channel_id=CHAT, deliver=False)
    async with Store(h.settings.database) as command_line:
        await forget_member(command_line, BOB, now=h.clock.now())
    await h.run_until(START + timedelta(seconds=7))
    await h.boot()
    stored = await stored_by_id(h, session)
    assert away.message_id not in stored
    assert stored[stored_before.message_id].content is None  # the erasure's tombstone
    assert all(m.author_id != BOB for m in stored.values())
    members = {p.user_id for p in await store_of(h).members.for_session(session.id)}
    assert members == {ALICE}

    again = await t.member_post(BOB, "Bob", "A1: back, and new", channel_id=CHAT)
    await h.crash()
    await h.boot()  # another full catch-up keeps the new message, still not the old ones
    stored = await stored_by_id(h, session)
    assert stored[again.message_id].content == "A1: back, and new"
    assert away.message_id not in stored


async def test_a_message_the_database_could_not_take_is_read_back_not_lost(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database stays locked past its busy timeout while a member posts: the message is
    read back from the channel's history once it is free again (later attempts wait longer),
    counted once, and a recap meanwhile waits for it."""
    h = harness
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 is out
    store = store_of(h)
    add = store.messages.add_member_messages
    failures = [sqlite3.OperationalError("database is locked")] * 2

    async def locked(messages: Sequence[MessageRow]) -> Any:
        if failures:
            raise failures.pop()
        return await add(messages)

    monkeypatch.setattr(store.messages, "add_member_messages", locked)
    lost = await h.transport.member_post(ALICE, "Alice", "A1: said while locked", channel_id=CHAT)
    assert lost.message_id not in await stored_by_id(h, session)
    assert h.engine is not None and not h.engine.catch_up.done.is_set()  # a recap would wait
    await h.run_until(h.clock.now() + timedelta(seconds=5))  # first retry: still locked
    assert lost.message_id not in await stored_by_id(h, session)
    await h.run_until(h.clock.now() + timedelta(seconds=15))
    stored = await stored_by_id(h, session)
    assert stored[lost.message_id].content == "A1: said while locked"
    counts = {p.user_id: p.messages for p in await store.members.for_session(session.id)}
    assert counts == {ALICE: 1}
    assert h.engine.catch_up.done.is_set()


class FailingHistory(MemoryTransport):
    """Discord answers the first `failures` history reads with a server error."""

    def __init__(self, clock: Clock, failures: int) -> None:
        super().__init__(clock)
        self.failures = failures

    async def history(self, channel_id: int, after_id: int | None) -> Sequence[MessageCreated]:
        if self.failures:
            self.failures -= 1
            raise TransportError("503 Service Unavailable", retryable=True)
        return await super().history(channel_id, after_id)


async def test_a_failed_history_read_after_a_restart_is_tried_again(harness: Harness) -> None:
    h = harness
    h.transport = t = FailingHistory(h.clock, failures=0)
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 is out
    await h.crash()
    away = await t.member_post(
        BOB, "Bob", "A1: while you were away", channel_id=CHAT, deliver=False
    )
    t.failures = 1
    await h.boot()
    assert away.message_id not in await stored_by_id(h, session)
    await h.run_until(h.clock.now() + timedelta(seconds=5))
    assert away.message_id in await stored_by_id(h, session)


async def test_the_only_message_deleted_while_down_is_tombstoned(harness: Harness) -> None:
    """History after the welcome comes back empty (the bot's own posts are not in it): that
    alone proves nothing, so the transport is asked, and a message it says is gone goes."""
    h = harness
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 is out
    t = h.transport
    only = await t.member_post(ALICE, "Alice", "A1: the one answer", channel_id=CHAT)
    await h.crash()
    await t.member_delete(only, deliver=False)
    await h.boot()
    gone = (await stored_by_id(h, session))[only.message_id]
    assert gone.deleted_at is not None and gone.content is None
    counts = {p.user_id: p.messages for p in await store_of(h).members.for_session(session.id)}
    assert counts.get(ALICE, 0) == 0


class NoReadAccess(MemoryTransport):
    """Without Read Message History: history is empty and no message can be read."""

    async def history(self, channel_id: int, after_id: int | None) -> Sequence[MessageCreated]:
        return []

    async def message_presence(self, channel_id: int, message_id: int) -> Presence:
        return Presence.UNKNOWN


async def test_an_empty_history_without_read_access_tombstones_nothing(harness: Harness) -> None:
    h = harness
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    kept = await h.transport.member_post(ALICE, "Alice", "A1: still here", channel_id=CHAT)
    await h.crash()
    blind = NoReadAccess(h.clock)
    blind.posts = h.transport.posts
    h.transport = blind
    await h.boot()
    assert (await stored_by_id(h, session))[kept.message_id].deleted_at is None
