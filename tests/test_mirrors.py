"""Two platforms at once: a mirror (another platform's transport, here a second in-memory one)
posts its own version of the steps it takes once the home post is recorded, never twice, not at
all when the home platform skipped the step, and after a restart when a crash came between."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.config import ChatSettings
from bot.domain.steps import StepKind, StepStatus
from bot.engine import ChatEngine
from bot.engine.mirrors import MirrorCall
from bot.memory_transport import MemoryTransport
from bot.transport import MessageCreated, Outgoing, TransportError
from tests.test_engine import START, TOPIC, Harness, compressed_settings

ELSEWHERE = 900  # the other platform's "channel"


class Elsewhere:
    """A second platform: questions and the close, in its own words, on its own transport."""

    name = "elsewhere"

    def __init__(self, transport: MemoryTransport) -> None:
        self.transport = transport
        self.fail_next: list[Exception] = []
        self.hold: asyncio.Event | None = None  # set: the next post waits for it (hanging)
        self.entered = asyncio.Event()
        self.down: TransportError | None = None  # set: every post fails with it
        self.lose_answer = False  # set: the next post goes through but fails as a timeout

    def kinds(self, chat: ChatSettings) -> Collection[StepKind]:
        return {StepKind.QUESTION, StepKind.CLOSE}

    async def post(self, call: MirrorCall) -> str | None:  # raises what fail_next holds
        if self.down is not None:  # reading its own posts fails too
            raise self.down
        step = call.step.step
        text = f"[{call.step.chat.hashtag}] {step.key}"
        if call.attempts:  # an earlier attempt may have got through
            for own in self.transport.posts_in(ELSEWHERE):
                if own.content == text:
                    return str(own.message_id)
        hold, self.hold = self.hold, None
        self.entered.set()
        if hold is not None:
            await hold.wait()
        if self.fail_next:
            raise self.fail_next.pop(0)
        posted = await self.transport.post(Outgoing(ELSEWHERE, text))
        if self.lose_answer:  # the post went through, the answer never came
            self.lose_answer = False
            raise TransportError("timed out")
        return str(posted.message_id)


class MirroredHarness(Harness):
    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, compressed_settings(tmp_path), [TOPIC])
        self.elsewhere = Elsewhere(MemoryTransport(self.clock))

    def engine_options(self) -> dict[str, Any]:
        return {"mirrors": [self.elsewhere]}


@pytest_asyncio.fixture
async def h(tmp_path: Path) -> AsyncIterator[MirroredHarness]:
    """The engine harness with one mirror platform; its store closed after the test."""
    harness = MirroredHarness(tmp_path)
    yield harness
    if harness.store is not None:
        await harness.store.close()


def texts(h: MirroredHarness) -> list[str]:
    return [p.content for p in h.elsewhere.transport.posts_in(ELSEWHERE)]


async def plan(h: MirroredHarness) -> int:
    engine: ChatEngine = await h.boot()
    session = await engine.plan_session("leadershipchat", START)
    return session.id


async def test_a_mirror_posts_its_steps_after_the_home_post_once_each(h: MirroredHarness) -> None:
    session_id = await plan(h)
    assert h.engine is not None
    await h.run_until(START + timedelta(seconds=14))  # Q1 out at home and elsewhere, Q2 not yet
    assert texts(h) == ["[#LeadershipChat] q1"]
    await h.engine.controls.skip_question("leadershipchat", "Hana", 2)
    await h.run_until(START + timedelta(minutes=5))
    assert texts(h) == ["[#LeadershipChat] q1", "[#LeadershipChat] q3", "[#LeadershipChat] close"]
    assert h.store is not None
    records = {r.key: r for r in await h.store.platform_steps.for_session(session_id)}
    assert set(records) == {"q1", "q2", "q3", "close"}
    assert records["q2"].status is StepStatus.SKIPPED
    home = {s.key: s for s in await h.store.steps.for_session(session_id)}
    for key in ("q1", "q3", "close"):
        assert records[key].status is StepStatus.SENT and records[key].post_ref
        assert records[key].sent_at is not None and home[key].sent_at is not None
        assert records[key].sent_at >= home[key].sent_at  # after the home post


async def test_a_mirror_failing_is_retried_and_a_crash_in_between_is_made_good(
    h: MirroredHarness,
) -> None:
    session_id = await plan(h)
    h.elsewhere.fail_next.append(TransportError("503 Service Unavailable"))
    await h.run_until(START + timedelta(seconds=5))  # Q1 at home; elsewhere failed once
    assert texts(h) == []
    await h.run_until(START + timedelta(seconds=7))  # retried after the first back-off
    assert texts(h) == ["[#LeadershipChat] q1"]
    h.elsewhere.fail_next.append(ConnectionError("killed"))  # Q2's mirror dies mid-way...
    await h.run_until(START + timedelta(seconds=15))
    assert texts(h) == ["[#LeadershipChat] q1"]
    await h.crash()  # ... and so does the bot, before the retry
    h.clock.set(START + timedelta(seconds=20))
    await h.boot()
    await h.run_until(START + timedelta(seconds=21))
    assert texts(h) == ["[#LeadershipChat] q1", "[#LeadershipChat] q2"]  # once each
    assert h.store is not None
    record = await h.store.platform_steps.get(session_id, "q2", "elsewhere")
    assert record is not None and record.status is StepStatus.SENT


async def test_a_mirror_that_cannot_post_tells_the_hosts_and_the_chat_goes_on(
    h: MirroredHarness,
) -> None:
    session_id = await plan(h)
    h.elsewhere.fail_next.append(TransportError("401 bad app password", retryable=False))
    await h.run_until(START + timedelta(minutes=5))
    assert [p.content for p in h.transport.posts_in(50) if "elsewhere" in p.content] == [
        "I could not post `q1` on elsewhere for #LeadershipChat: 401 bad app password (the chat"
        " goes on; if more elsewhere posts fail this session, the log has them)"
    ]
    assert texts(h) == ["[#LeadershipChat] q2", "[#LeadershipChat] q3", "[#LeadershipChat] close"]
    assert h.store is not None
    record = await h.store.platform_steps.get(session_id, "q1", "elsewhere")
    assert record is not None and record.status is StepStatus.FAILED
    assert all(s.status is StepStatus.SENT for s in await h.store.steps.for_session(session_id))


async def test_hosts_hear_once_per_session_of_a_platform_that_keeps_failing(
    h: MirroredHarness,
) -> None:
    await plan(h)
    for _ in range(3):
        h.elsewhere.fail_next.append(TransportError("401 bad app password", retryable=False))
    await h.run_until(START + timedelta(minutes=5))
    notes = [p.content for p in h.transport.posts_in(50) if "elsewhere" in p.content]
    assert len(notes) == 1 and "`q1`" in notes[0]
    assert texts(h) == ["[#LeadershipChat] close"]  # q1, q2, q3 failed; the chat went on


async def test_a_mirror_post_in_flight_holds_nothing_up_at_home(h: MirroredHarness) -> None:
    """The mirror posts outside the session's lock: while its platform hangs, the home
    platform's next step goes out on time."""
    session_id = await plan(h)
    assert h.engine is not None
    h.trigger.cancel(f"session-{session_id}:q1@elsewhere")  # run by hand below, as a task
    await h.run_until(START + timedelta(seconds=5))  # Q1 at home
    hold = h.elsewhere.hold = asyncio.Event()
    hanging = asyncio.create_task(h.engine.run_mirror(session_id, "q1", "elsewhere"))
    await h.elsewhere.entered.wait()
    assert not h.engine.lock(session_id).locked()
    await h.run_until(START + timedelta(seconds=15))  # Q2 due at 15 s, while Q1 hangs there
    assert [p.content.split(":")[0] for p in h.transport.posts_in(20)][1:3] == ["Q1", "Q2"]
    assert texts(h) == ["[#LeadershipChat] q2"]
    hold.set()
    await hanging
    assert texts(h) == ["[#LeadershipChat] q2", "[#LeadershipChat] q1"]  # q1 once, when back


async def test_a_failing_home_platform_does_not_hold_the_mirror_and_answers_there_count(
    h: MirroredHarness,
) -> None:
    """The reverse: home keeps failing Q1, the mirror posts it after `home_grace` on its own,
    and an answer there is an answer to Q1 (the chat's clock takes the first post anywhere)."""
    session_id = await plan(h)
    assert h.engine is not None and h.store is not None
    h.transport.fail_next(20, channel_id=20)  # the chat channel at home is down
    grace = h.engine.mirrors.home_grace
    await h.run_until(START + timedelta(seconds=5) + grace - timedelta(seconds=0.5))
    assert texts(h) == []  # still waiting for the home post
    await h.run_until(START + timedelta(seconds=5) + grace + timedelta(seconds=1))
    assert texts(h) == ["[#LeadershipChat] q1"]
    record = await h.store.platform_steps.get(session_id, "q1", "elsewhere")
    assert record is not None and record.post_ref is not None
    home = await h.store.steps.get(session_id, "q1")
    assert home is not None and home.status is StepStatus.PENDING
    answer = MessageCreated(
        message_id=-7,
        channel_id=0,
        author_id=-8,
        author_name="ana.example.com",
        content="listening first",
        created_at=h.clock.now(),
        chat="leadershipchat",
        reply_ref=record.post_ref,
    )
    assert await h.engine.capture.on_message(answer)
    stored = await h.store.messages.get(-7)
    assert stored is not None
    assert (stored.attribution.kind, stored.attribution.questions) == ("answer", (1,))


def host_notes(h: MirroredHarness) -> list[str]:
    return [p.content for p in h.transport.posts_in(50) if "lsewhere" in p.content]


async def test_posts_failed_in_an_outage_go_in_order_before_the_next_post_there(
    h: MirroredHarness,
) -> None:
    """The other platform is down for Q1 and Q2 (past their retries) and back by Q3: its
    members get Q1 and Q2 late, before Q3, and hosts hear once what happened."""
    session_id = await plan(h)
    h.elsewhere.down = TransportError("503 Service Unavailable")
    await h.run_until(START + timedelta(seconds=22))
    assert texts(h) == []
    assert h.store is not None
    record = await h.store.platform_steps.get(session_id, "q1", "elsewhere")
    assert record is not None and record.status is StepStatus.FAILED
    h.elsewhere.down = None
    await h.run_until(START + timedelta(seconds=26))
    assert texts(h) == ["[#LeadershipChat] q1", "[#LeadershipChat] q2", "[#LeadershipChat] q3"]
    notes = host_notes(h)
    assert "once elsewhere works again, while still in time" in notes[0]
    assert notes[1:] == ["Elsewhere is back for #LeadershipChat: posted Q1, Q2 late."]
    await h.run_until(START + timedelta(minutes=5))
    assert [t.split()[-1] for t in texts(h)] == ["q1", "q2", "q3", "close"]  # once each


async def test_posts_a_refused_login_failed_go_once_it_logs_in_after_a_restart(
    h: MirroredHarness,
) -> None:
    """The login is refused from the start; the host fixes it and restarts the bot mid-chat:
    the account's login (`back`) posts Q1 and Q2 late, in order, never twice."""
    await plan(h)
    h.elsewhere.down = TransportError("login refused", retryable=False, passes=True)
    await h.run_until(START + timedelta(seconds=20))
    await h.crash()
    h.elsewhere.down = None
    h.clock.set(START + timedelta(seconds=22))
    engine = await h.boot()
    await engine.mirrors.back("elsewhere")
    assert texts(h) == ["[#LeadershipChat] q1", "[#LeadershipChat] q2"]
    await engine.mirrors.back("elsewhere")  # a second login: nothing left to post
    await h.run_until(START + timedelta(minutes=5))
    assert [t.split()[-1] for t in texts(h)] == ["q1", "q2", "q3", "close"]
    assert host_notes(h)[1:] == ["Elsewhere is back for #LeadershipChat: posted Q1, Q2 late."]


async def test_a_held_post_that_had_gone_through_is_found_not_posted_again(
    h: MirroredHarness,
) -> None:
    session_id = await plan(h)
    h.elsewhere.lose_answer = True
    await h.run_until(START + timedelta(seconds=5))  # Q1 reached the platform; no answer
    h.elsewhere.down = TransportError("503 Service Unavailable")
    await h.run_until(START + timedelta(seconds=14))  # then it is down past Q1's retries
    assert h.store is not None and h.engine is not None
    record = await h.store.platform_steps.get(session_id, "q1", "elsewhere")
    assert record is not None and record.status is StepStatus.FAILED
    h.elsewhere.down = None
    await h.engine.mirrors.back("elsewhere")
    assert texts(h) == ["[#LeadershipChat] q1"]  # found among its own posts: once
    record = await h.store.platform_steps.get(session_id, "q1", "elsewhere")
    assert record is not None and record.status is StepStatus.SENT and record.post_ref


async def test_held_posts_follow_the_home_staleness_rules_when_back_after_the_chat(
    h: MirroredHarness,
) -> None:
    """Back only after the chat hour: the questions are no use any more (as at home after
    downtime), the close still is."""
    session_id = await plan(h)
    h.elsewhere.down = TransportError("login refused", retryable=False, passes=True)
    await h.run_until(START + timedelta(seconds=70))
    assert h.engine is not None
    h.elsewhere.down = None
    await h.engine.mirrors.back("elsewhere")
    assert texts(h) == ["[#LeadershipChat] close"]
    assert host_notes(h)[1:] == [
        "Elsewhere is back for #LeadershipChat: posted close late;"
        " left out Q1, Q2, Q3 (the chat hour is over)."
    ]
    assert h.store is not None
    records = {r.key: r for r in await h.store.platform_steps.for_session(session_id)}
    assert records["q1"].status is StepStatus.SKIPPED
    assert records["close"].status is StepStatus.SENT


async def test_a_failure_that_does_not_pass_is_not_tried_again(h: MirroredHarness) -> None:
    """A post the platform refuses as such (too long, malformed) would fail again: it stays
    failed when the platform logs in."""
    session_id = await plan(h)
    h.elsewhere.fail_next.append(TransportError("400 post too long", retryable=False))
    await h.run_until(START + timedelta(seconds=20))
    assert h.engine is not None
    await h.engine.mirrors.back("elsewhere")
    assert texts(h) == ["[#LeadershipChat] q2"]
    assert h.store is not None
    record = await h.store.platform_steps.get(session_id, "q1", "elsewhere")
    assert record is not None and record.status is StepStatus.FAILED
