"""Step kinds: the chat channel's slowmode is a pair of ledger timers (on with the
welcome, off with the close) that move with the chat and survive a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.domain.steps import StepStatus
from bot.transport import Posted, TransportError
from tests.test_engine import (
    ALICE,
    ANNOUNCE,
    BOB,
    CARA,
    CHAT,
    START,
    TOPIC,
    Harness,
    compressed_settings,
)


@pytest_asyncio.fixture
async def slow_chat(tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine harness with a 5 s slowmode configured; its store closed after the test."""
    settings = compressed_settings(tmp_path, moderation={"slowmode": "5s"})
    h = Harness(tmp_path, settings, [TOPIC])
    yield h
    if h.store is not None:
        await h.store.close()


async def test_slowmode_is_on_for_the_chat_hour_and_off_after_the_close(slow_chat: Harness) -> None:
    h = slow_chat
    engine = await h.boot()
    session = await engine.plan_session("leadershipchat", START)
    await h.run_until(START - timedelta(seconds=1))
    assert h.transport.slowmode == {}
    await h.run_until(START)
    assert h.transport.slowmode == {CHAT: 5}
    await h.run_until(START + timedelta(seconds=59))
    assert h.transport.slowmode == {CHAT: 5}
    await h.run_until(START + timedelta(seconds=60))
    assert h.transport.slowmode == {CHAT: 0}
    assert h.store is not None
    steps = {s.key: s for s in await h.store.steps.for_session(session.id)}
    assert steps["slowmode-on"].status is StepStatus.SENT
    assert steps["slowmode-off"].sent_at == START + timedelta(seconds=60)
    assert not any("slowmode" in p.content for p in h.transport.posts)  # nothing is posted


async def test_slowmode_follows_an_extension_an_early_end_and_a_restart(
    slow_chat: Harness,
) -> None:
    h = slow_chat
    engine = await h.boot()
    await engine.plan_session("leadershipchat", START)
    await h.run_until(START + timedelta(seconds=20))
    await engine.controls.extend("leadershipchat", 10, "Hana")
    await h.crash()
    h.transport.slowmode.clear()  # what a restart cannot tell: the channel keeps its slowmode
    h.clock.set(START + timedelta(seconds=61))
    engine = await h.boot()
    await h.run_until(START + timedelta(minutes=5))
    assert h.transport.slowmode == {}  # not turned off at the old close: the chat was extended
    await engine.controls.end_now("leadershipchat", "Hana")
    await h.run_until(START + timedelta(minutes=5, seconds=1))
    assert h.transport.slowmode == {CHAT: 0}


class Killed(BaseException):
    """The process dies: nothing after this point runs."""


async def test_a_crash_between_a_question_and_its_thread_still_opens_the_thread(
    tmp_path: Path,
) -> None:
    """Killed after Q1 reached Discord, before its answers thread was opened: the restarted
    bot finds the question (no second copy) and opens its thread."""
    h = Harness(tmp_path, compressed_settings(tmp_path, answers_in_threads=True), [TOPIC])
    try:
        engine = await h.boot()
        session = await engine.plan_session("leadershipchat", START)
        create_thread = h.transport.create_thread

        async def dies(channel_id: int, message_id: int, name: str) -> int:
            raise Killed

        h.transport.create_thread = dies  # type: ignore[method-assign]
        with pytest.raises(Killed):
            await h.run_until(START + timedelta(seconds=6))  # Q1 at 5 s
        await h.crash()
        h.transport.create_thread = create_thread  # type: ignore[method-assign]
        await h.boot()
        await h.run_until(START + timedelta(seconds=7))
        questions = [p for p in h.transport.posts_in(CHAT) if p.content.startswith("Q1")]
        assert len(questions) == 1
        assert h.store is not None
        q1 = await h.store.steps.get(session.id, "q1")
        assert q1 is not None and q1.status is StepStatus.SENT and q1.thread_id is not None
        assert h.transport.threads[q1.thread_id] == (CHAT, questions[0].message_id)
    finally:
        if h.store is not None:
            await h.store.close()


DirectMessage = Callable[[int, str], Awaitable[bool]]


async def reminder_dms_killed(h: Harness, dying: Callable[[DirectMessage], DirectMessage]) -> None:
    """Alice, Bob and Cara asked to be reminded; the bot dies among their DMs (where `dying`,
    wrapping the transport's DM, raises Killed) and its store is closed, as after a SIGKILL."""
    engine = await h.boot()
    await engine.plan_session("leadershipchat", START)
    assert h.store is not None
    for user, name in ((ALICE, "Alice"), (BOB, "Bob"), (CARA, "Cara")):
        await h.store.members.set_remind(user, name, "leadershipchat", True)
    dm = h.transport.direct_message
    h.transport.direct_message = dying(dm)  # type: ignore[method-assign]
    with pytest.raises(Killed):
        await h.run_until(START - timedelta(seconds=10))  # the last reminder
    await h.crash()
    h.transport.direct_message = dm  # type: ignore[method-assign]


async def test_a_crash_among_the_reminder_dms_dms_nobody_twice_and_reaches_the_rest(
    harness: Harness,
) -> None:
    """Killed after Bob's "Remind me" DM went and before it was recorded: the restarted bot
    reposts no reminder, DMs neither Alice nor Bob again, and still DMs Cara."""
    h = harness

    def dies_after_bob(dm: DirectMessage) -> DirectMessage:
        async def dms(user_id: int, content: str) -> bool:
            sent = await dm(user_id, content)
            if user_id == BOB:
                raise Killed
            return sent

        return dms

    await reminder_dms_killed(h, dies_after_bob)
    await h.boot()
    await h.run_until(START - timedelta(seconds=5))
    assert sorted(user for user, _ in h.transport.dms) == [ALICE, BOB, CARA]
    reminders = [p for p in h.transport.posts_in(ANNOUNCE) if "<@&70>" in p.content]
    assert len(reminders) == 1


@pytest.mark.parametrize("check", ["read", "unreadable"])
async def test_a_member_whose_dm_was_claimed_when_the_bot_died_still_gets_it(
    harness: Harness, check: str
) -> None:
    """Killed after Bob's "Remind me" DM was claimed and before it went (a SIGKILL among the
    DMs): the restarted bot finds no such reminder in Bob's DM channel (last week's does not
    count) and sends it. When that channel cannot be read, Bob is DMed all the same: he asked
    to be reminded. Alice is not DMed again, Cara is reached."""
    h = harness
    await h.transport.direct_message(BOB, "#LeadershipChat starts in 7 days: **Last week**")
    h.transport.dms.clear()

    def dies_before_bob(dm: DirectMessage) -> DirectMessage:
        async def dms(user_id: int, content: str) -> bool:
            if user_id == BOB:
                raise Killed
            return await dm(user_id, content)

        return dms

    await reminder_dms_killed(h, dies_before_bob)
    if check == "unreadable":

        async def refused(user_id: int, limit: int) -> list[Posted]:
            raise TransportError("403 Forbidden", retryable=False, status=403)

        h.transport.recent_own_dms = refused  # type: ignore[method-assign]
    await h.boot()
    await h.run_until(START - timedelta(seconds=5))
    assert sorted(user for user, _ in h.transport.dms) == [ALICE, BOB, CARA]
    assert len({text for _, text in h.transport.dms}) == 1  # the same reminder, to each
    reminders = [p for p in h.transport.posts_in(ANNOUNCE) if "<@&70>" in p.content]
    assert len(reminders) == 1
