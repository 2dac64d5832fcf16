"""Engine: a full session on a controllable clock, restarts, capture and host controls."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepStatus
from bot.engine import ChatEngine, ControlError
from bot.engine.triggers import ManualTrigger
from bot.memory_transport import MemoryTransport
from bot.recap.posts import RecapPost
from bot.recap.source import RecapSource
from bot.store import Store
from bot.topics import Question, Topic, TopicCatalog
from bot.transport import Outgoing, Posted, TransportError

START = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # Tuesday 2026-12-01 20:00 America/New_York
CHAT, ANNOUNCE, RECAP, HOST = 20, 30, 40, 50
ALICE, BOB, CARA, DAN = 101, 102, 103, 104


def compressed_settings(tmp_path: Path, **chat_overrides: object) -> Settings:
    """A one-minute chat: Q1 at 5 s, then every 10 s; last call 55 s, close 60 s, late window 30 s."""
    chat: dict[str, object] = {
        "name": "leadershipchat",
        "guild_id": 10,
        "channels": {"chat": CHAT, "announce": ANNOUNCE, "recap": RECAP, "host": HOST},
        "host_role_id": 60,
        "notify_role_id": 70,
        "schedule": {
            "weekday": "tuesday",
            "time": "20:00",
            "timezone": "America/New_York",
            "duration": "60s",
        },
        "run_of_show": {
            "reminders": ["60s", "10s"],
            "welcome": "0s",
            "first_question": "5s",
            "spacing": "10s",
            "last_call": "55s",
            "late_window": "30s",
            "host_heads_up": "2s",
            "newcomer_grouping": "5s",
        },
    }
    chat.update(chat_overrides)
    return Settings.model_validate(
        {
            "database": str(tmp_path / "chat.db"),
            "recap_dir": str(tmp_path / "recaps"),
            "chats": [chat],
        }
    )


TOPIC = Topic(
    title="Serving leadership",
    date=date(2026, 12, 1),
    questions=tuple(
        Question(q) for q in ("What does serving mean?", "Who served you?", "What will you try?")
    ),
    hosts=("Jane Doe",),
)


@dataclass
class RecordingRecap:
    """Stands in for the recap package: records which sessions were recapped."""

    calls: list[int]

    async def __call__(
        self, source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
    ) -> Sequence[RecapPost]:
        self.calls.append(session.id)
        answers = [m for m in await source.messages(session.id) if m.attribution.kind == "answer"]
        return [RecapPost(content=f"Recap: {session.topic.title}, {len(answers)} answers")]


class Harness:
    def __init__(self, tmp_path: Path, settings: Settings, topics: list[Topic]) -> None:
        self.tmp_path = tmp_path
        self.settings = settings
        self.clock = ManualClock(START - timedelta(minutes=5))
        self.transport = MemoryTransport(self.clock)
        self.recap = RecordingRecap([])
        self.catalog = TopicCatalog(list(topics), [])
        self.store: Store | None = None
        self.engine: ChatEngine | None = None
        self.trigger = ManualTrigger(self.clock)

    async def _topics(self) -> TopicCatalog:
        return self.catalog

    async def boot(
        self, *, before_catch_up: Callable[[], Awaitable[object]] | None = None
    ) -> ChatEngine:
        """(Re)start the bot: a new store connection, a new engine, a new trigger, same 'Discord'.
        `before_catch_up`: members acting once live events flow, before the history catch-up
        (on Discord, the seconds between connecting and READY)."""
        self.store = await Store.open(self.settings.database)
        self.trigger = ManualTrigger(self.clock)
        self.engine = ChatEngine(
            self.settings,
            self.store,
            self.transport,
            trigger=self.trigger,
            clock=self.clock,
            topics=self._topics,
            recap=self.recap,
            retry_delays=(1.0, 2.0, 4.0),
            **self.engine_options(),
        )
        self.transport.handler = self.engine.capture.handle
        if before_catch_up is None:
            await self.engine.start()
        else:  # as the bot does: the catch-up waits for the platform to be ready
            await self.engine.start(catch_up=False)
            await before_catch_up()
            await self.engine.catch_up.run(full=True)
        return self.engine

    def engine_options(self) -> dict[str, Any]:
        """More of ChatEngine's options, for a harness that needs them (mirrors)."""
        return {}

    async def crash(self) -> None:
        """Drop everything without a clean shutdown (jobs vanish with the trigger)."""
        assert self.store is not None
        await self.store.conn.close()
        self.transport.handler = None
        self.store = None
        self.engine = None

    async def run_until(self, when: datetime) -> None:
        await self.trigger.advance_to(when)

    @property
    def bot_texts(self) -> list[str]:
        return [p.content for p in self.transport.posts]


async def plan(h: Harness) -> SessionRow:
    engine = await h.boot()
    return await engine.plan_session("leadershipchat", START)


async def test_full_session_posts_every_step_once_in_order_on_time(harness: Harness) -> None:
    session = await plan(harness)
    await harness.run_until(START + timedelta(minutes=5))
    assert harness.store is not None
    ledger = await harness.store.steps.for_session(session.id)
    assert all(s.status is StepStatus.SENT for s in ledger), [(s.key, s.status) for s in ledger]
    posts = harness.transport.posts
    keys_in_post_order = [
        s.key
        for s in sorted(
            ledger,
            key=lambda s: next(i for i, p in enumerate(posts) if p.message_id == s.message_id),
        )
    ]
    assert keys_in_post_order == [
        "reminder-1m",
        "reminder-10s",
        "welcome",
        "heads-up-q1",
        "q1",
        "heads-up-q2",
        "q2",
        "heads-up-q3",
        "q3",
        "last-call",
        "close",
        "recap",
    ]
    for step in ledger:
        post = next(p for p in posts if p.message_id == step.message_id)
        assert post.created_at == step.due_at, step.key  # on time, to the second
    assert len(posts) == len(ledger)  # nothing twice
    chat_posts = [p.content for p in harness.transport.posts_in(CHAT)]
    assert chat_posts[1] == "Q1: What does serving mean? #LeadershipChat"
    assert "A1" in chat_posts[0]  # the welcome explains the answer format
    reminders = harness.transport.posts_in(ANNOUNCE)
    assert "<t:" in reminders[0].content and ":R>" in reminders[0].content
    assert reminders[-1].outgoing.mention_role_ids == (70,)  # only the last reminder pings the role
    assert reminders[0].outgoing.mention_role_ids == ()
    assert all(p.outgoing.mention_role_ids == () for p in posts if p.channel_id != ANNOUNCE)
    assert harness.transport.posts_in(HOST)[0].content.startswith("Heads-up: Q1")
    assert harness.recap.calls == [session.id]
    final = await harness.store.sessions.get(session.id)
    assert final is not None and final.status is SessionStatus.RECAPPED


async def test_capture_attributes_labels_replies_threads_and_timeline(harness: Harness) -> None:
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=1))
    intro = await t.member_post(ALICE, "Alice", "Hi all, Alice from Ohio", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=6))
    q1 = next(p for p in t.posts_in(CHAT) if p.content.startswith("Q1:"))
    a1 = await t.member_post(BOB, "Bob", "A1: serving means listening first", channel_id=CHAT)
    reply = await t.member_post(CARA, "Cara", "so true", channel_id=CHAT, reply_to=a1.message_id)
    to_q = await t.member_post(
        DAN, "Dan", "Putting people first", channel_id=CHAT, reply_to=q1.message_id
    )
    early = await t.member_post(ALICE, "Alice", "A3: jumping ahead", channel_id=CHAT)
    chatter = await t.member_post(ALICE, "Alice", "great question", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=16))
    both = await t.member_post(BOB, "Bob", "A1/A2: my first boss", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=61))
    late = await t.member_post(CARA, "Cara", "A3: delegate more", channel_id=CHAT)
    assert harness.store is not None
    got = {m.id: m.attribution for m in await harness.store.messages.for_session(session.id)}
    assert got[intro.message_id].kind == "intro"
    assert (got[a1.message_id].kind, got[a1.message_id].questions) == ("answer", (1,))
    assert (got[reply.message_id].kind, got[reply.message_id].questions) == ("discussion", (1,))
    assert (got[to_q.message_id].kind, got[to_q.message_id].questions) == ("answer", (1,))
    assert got[early.message_id].kind == "unmatched" and got[early.message_id].unmatched_labels == (
        "A3",
    )
    assert (got[chatter.message_id].kind, got[chatter.message_id].questions) == ("discussion", (1,))
    assert got[both.message_id].questions == (1, 2)
    assert got[late.message_id].late and got[late.message_id].questions == (3,)


async def test_edit_reattributes_delete_tombstones_reactions_count(harness: Harness) -> None:
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=16))
    msg = await t.member_post(BOB, "Bob", "my first boss", channel_id=CHAT)
    await t.member_edit(msg, "A1: my first boss")
    gone = await t.member_post(CARA, "Cara", "A2: oops wrong", channel_id=CHAT)
    await t.member_delete(gone)
    await t.member_react(msg.message_id, ALICE)
    await t.member_react(msg.message_id, DAN)
    await t.member_react(msg.message_id, DAN, added=False)
    assert harness.store is not None
    stored = await harness.store.messages.get(msg.message_id)
    assert (
        stored is not None
        and stored.attribution.questions == (1,)
        and stored.attribution.kind == "answer"
    )
    assert stored.content == "A1: my first boss" and stored.reactions == 1
    ids = [m.id for m in await harness.store.messages.for_session(session.id)]
    assert gone.message_id not in ids


async def test_newcomers_welcomed_once_by_name_grouped(harness: Harness) -> None:
    await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=1))
    await t.member_post(ALICE, "Alice", "hello!", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=3))
    await t.member_post(BOB, "Bob", "hi from Lisbon", channel_id=CHAT)
    await t.member_post(BOB, "Bob", "excited to be here", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=20))
    welcomes = [p.content for p in t.posts_in(CHAT) if "first time" in p.content]
    assert welcomes == [
        "A warm welcome to **Alice** and **Bob**, joining #LeadershipChat for the first time!"
    ]


async def test_a_crowd_of_newcomers_gets_one_welcome_that_fits_in_a_message(
    harness: Harness,
) -> None:
    """150 first-timers at once: one post under Discord's 2,000 characters, as many names as
    fit and how many more, and nobody welcomed twice."""
    session = await plan(harness)
    t = harness.transport
    await harness.run_until(START + timedelta(seconds=1))
    for n in range(150):
        await t.member_post(1000 + n, f"Newcomer number {n:03d}", "hi all", channel_id=CHAT)
    await harness.run_until(START + timedelta(seconds=20))
    welcomes = [p.content for p in t.posts_in(CHAT) if "first time" in p.content]
    assert len(welcomes) == 1 and len(welcomes[0]) <= 2000
    assert "**Newcomer number 000**" in welcomes[0]
    named = welcomes[0].count("**") // 2
    assert 20 < named < 150 and f" and {150 - named} more, joining" in welcomes[0]
    assert harness.store is not None
    parts = await harness.store.members.for_session(session.id)
    assert all(p.welcomed for p in parts)


async def test_members_seen_before_are_not_newcomers_next_week(harness: Harness) -> None:
    await plan(harness)
    await harness.run_until(START + timedelta(seconds=1))
    await harness.transport.member_post(ALICE, "Alice", "hello!", channel_id=CHAT)
    await harness.run_until(START + timedelta(minutes=3))
    assert harness.engine is not None and harness.store is not None
    nxt = await harness.engine.plan_session("leadershipchat", START + timedelta(days=7))
    await harness.run_until(START + timedelta(days=7, seconds=1))
    await harness.transport.member_post(ALICE, "Alice", "back again", channel_id=CHAT)
    part = await harness.store.members.participation(nxt.id, ALICE)
    assert part is not None and not part.newcomer


@pytest.mark.parametrize("stop_after", range(0, 12))
async def test_restart_at_each_step_boundary_loses_nothing_and_repeats_nothing(
    tmp_path: Path, stop_after: int
) -> None:
    h = Harness(tmp_path, compressed_settings(tmp_path), [TOPIC])
    session = await plan(h)
    assert h.store is not None
    ledger = await h.store.steps.for_session(session.id)
    boundary = ledger[stop_after].due_at
    await h.run_until(boundary)
    await h.transport.member_post(ALICE, "Alice", "A1: before the crash", channel_id=CHAT)
    await h.crash()
    # While the bot is down, a member posts: only channel history has it.
    missed = await h.transport.member_post(
        BOB, "Bob", "A1: while you were away", channel_id=CHAT, deliver=False
    )
    await h.boot()
    await h.run_until(START + timedelta(minutes=5))
    assert h.store is not None
    final = await h.store.steps.for_session(session.id)
    sent = [s for s in final if s.status is StepStatus.SENT]
    assert len(h.transport.posts) == len(sent)  # never two copies
    assert len({p.message_id for p in h.transport.posts}) == len(h.transport.posts)
    assert {s.key for s in final if s.status is StepStatus.PENDING} == set()
    for key in ("welcome", "q1", "q2", "q3", "close", "recap"):
        assert next(s for s in final if s.key == key).status is StepStatus.SENT, key
    stored = {m.id: m for m in await h.store.messages.for_session(session.id)}
    if START <= boundary < ledger[-1].due_at:  # inside the chat and its late window
        assert missed.message_id in stored  # backfilled from history
    else:
        assert missed.message_id not in stored  # before the welcome or after the recap: not chat
    await h.store.close()
    h.store = None


async def test_crash_between_send_and_record_does_not_post_twice(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.store is not None
    await harness.run_until(START + timedelta(seconds=4))
    # The welcome went out; simulate a crash after Q1's post reached Discord but before it was recorded.
    await harness.store.steps.begin_attempt(session.id, "q1")

    await harness.transport.post(Outgoing(CHAT, "Q1: What does serving mean? #LeadershipChat"))
    await harness.crash()
    harness.clock.set(START + timedelta(seconds=40))  # a longer outage: the nonce window is over
    await harness.boot()
    await harness.run_until(START + timedelta(minutes=5))
    q1_posts = [p for p in harness.transport.posts if p.content.startswith("Q1:")]
    assert len(q1_posts) == 1
    step = await harness.store.steps.get(session.id, "q1")
    assert (
        step is not None
        and step.status is StepStatus.SENT
        and step.message_id == q1_posts[0].message_id
    )


async def test_downtime_skips_stale_reminders_and_sends_useful_steps_late(harness: Harness) -> None:
    session = await plan(harness)
    await harness.crash()
    harness.clock.set(START + timedelta(seconds=17))  # back after Q2 was due
    await harness.boot()
    await harness.run_until(START + timedelta(seconds=17))
    assert harness.store is not None
    ledger = {s.key: s for s in await harness.store.steps.for_session(session.id)}
    assert ledger["reminder-1m"].status is StepStatus.SKIPPED
    assert ledger["reminder-10s"].status is StepStatus.SKIPPED
    assert ledger["heads-up-q1"].status is StepStatus.SKIPPED
    assert ledger["welcome"].status is StepStatus.SENT
    assert ledger["q1"].status is StepStatus.SENT and ledger["q2"].status is StepStatus.SENT
    assert ledger["q3"].status is StepStatus.PENDING


async def test_retryable_failures_are_retried_and_the_chat_goes_on(harness: Harness) -> None:
    session = await plan(harness)
    harness.transport.fail_next(2, channel_id=CHAT)
    await harness.run_until(START + timedelta(minutes=5))
    assert harness.store is not None
    welcome = await harness.store.steps.get(session.id, "welcome")
    assert welcome is not None and welcome.status is StepStatus.SENT and welcome.attempts == 3
    assert all(
        s.status is StepStatus.SENT for s in await harness.store.steps.for_session(session.id)
    )


async def test_forbidden_channel_is_reported_to_hosts_and_other_steps_continue(
    harness: Harness,
) -> None:
    session = await plan(harness)
    harness.transport.fail_next(
        1, retryable=False, message="403 Missing Permissions", channel_id=CHAT
    )
    await harness.run_until(START + timedelta(minutes=5))
    assert harness.store is not None
    welcome = await harness.store.steps.get(session.id, "welcome")
    assert welcome is not None and welcome.status is StepStatus.FAILED
    assert any("403 Missing Permissions" in p.content for p in harness.transport.posts_in(HOST))
    q1 = await harness.store.steps.get(session.id, "q1")
    assert q1 is not None and q1.status is StepStatus.SENT


async def _due(h: Harness, session_id: int) -> dict[str, datetime]:
    assert h.store is not None
    return {s.key: s.due_at for s in await h.store.steps.for_session(session_id)}


async def test_pause_and_resume_shift_every_later_step(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None
    await harness.run_until(START + timedelta(seconds=7))
    before = await _due(harness, session.id)
    await harness.engine.controls.pause("leadershipchat", "host")
    await harness.run_until(START + timedelta(seconds=37))
    assert not any(
        p.content.startswith("Q2") for p in harness.transport.posts
    )  # nothing while paused
    await harness.engine.controls.resume("leadershipchat", "host")
    after = await _due(harness, session.id)
    assert after["q2"] - before["q2"] == timedelta(seconds=30)
    assert after["close"] - before["close"] == timedelta(seconds=30)
    assert after["q1"] == before["q1"]  # already posted: unchanged
    await harness.run_until(START + timedelta(minutes=5))
    q2 = next(p for p in harness.transport.posts if p.content.startswith("Q2"))
    assert q2.created_at == before["q2"] + timedelta(seconds=30)


async def test_a_chat_paused_before_it_starts_records_nothing_until_it_does(
    harness: Harness,
) -> None:
    """Hosts hold the start (a speaker is late): what members say in the channel meanwhile is
    not part of the chat; once resumed, the welcome goes out and capture begins."""
    session = await plan(harness)
    engine, store, t = harness.engine, harness.store, harness.transport
    assert engine is not None and store is not None
    await engine.controls.pause("leadershipchat", "host")
    await harness.run_until(START + timedelta(seconds=20))  # past the planned welcome
    waiting = await t.member_post(ALICE, "Alice", "are we starting?", channel_id=CHAT)
    await engine.controls.resume("leadershipchat", "host")  # paused 5 min 20 s: all move by it
    await harness.run_until(START + timedelta(minutes=5, seconds=30))  # welcome and Q1
    assert any(p.content.startswith("Welcome") for p in t.posts_in(CHAT))
    answer = await t.member_post(ALICE, "Alice", "A1: serving means listening", channel_id=CHAT)
    stored = {m.id for m in await store.messages.for_session(session.id)}
    assert waiting.message_id not in stored and answer.message_id in stored


async def test_extend_moves_last_call_close_and_recap(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None
    await harness.run_until(START + timedelta(seconds=20))
    before = await _due(harness, session.id)
    await harness.engine.controls.extend("leadershipchat", 5, "host")
    after = await _due(harness, session.id)
    for key in ("last-call", "close", "recap"):
        assert after[key] - before[key] == timedelta(minutes=5)
    assert after["q3"] == before["q3"]


async def test_skip_and_next_question(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None
    await harness.run_until(START + timedelta(seconds=6))
    before = await _due(harness, session.id)
    await harness.engine.controls.skip_question("leadershipchat", "host", 2)
    await harness.engine.controls.next_question("leadershipchat", "host")
    after = await _due(harness, session.id)
    assert after["q3"] == START + timedelta(seconds=6)  # "next" posts Q3 now
    assert after["close"] == before["close"]
    await harness.run_until(START + timedelta(minutes=5))
    questions = [p.content[:2] for p in harness.transport.posts_in(CHAT) if p.content[:1] == "Q"]
    assert questions == ["Q1", "Q3"]


async def test_end_now_and_edit_question(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None
    await harness.engine.controls.edit_question("leadershipchat", 2, "Who served you best?", "host")
    await harness.run_until(START + timedelta(seconds=16))
    with pytest.raises(ControlError):
        await harness.engine.controls.edit_question("leadershipchat", 1, "too late", "host")
    await harness.engine.controls.end_now("leadershipchat", "host")
    after = await _due(harness, session.id)
    assert after["close"] == START + timedelta(seconds=16)
    assert after["recap"] == START + timedelta(seconds=46)
    await harness.run_until(START + timedelta(minutes=5))
    texts = harness.bot_texts
    assert "Q2: Who served you best? #LeadershipChat" in texts
    assert not any(t.startswith("Q3") for t in texts)


async def test_cancel_posts_notice_and_nothing_else(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None
    await harness.engine.controls.cancel("leadershipchat", "host")
    await harness.run_until(START + timedelta(minutes=5))
    assert harness.store is not None
    ledger = await harness.store.steps.for_session(session.id)
    assert all(s.status is StepStatus.SKIPPED for s in ledger)
    assert [p.content for p in harness.transport.posts if "cancelled" in p.content]
    assert not any(p.content.startswith("Q1") for p in harness.transport.posts)


async def test_controls_survive_a_restart(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None
    await harness.run_until(START + timedelta(seconds=20))
    await harness.engine.controls.extend("leadershipchat", 1, "host")
    await harness.crash()
    await harness.boot()
    await harness.run_until(START + timedelta(minutes=5))
    close = next(p for p in harness.transport.posts if "wrap" in p.content)
    assert close.created_at == START + timedelta(seconds=120)
    assert harness.store is not None
    actions = await harness.store.host_actions.for_session(session.id)
    assert [a.action for a in actions] == ["extend"]


async def test_rerun_recap_posts_it_again(harness: Harness) -> None:
    await plan(harness)
    assert harness.engine is not None
    await harness.run_until(START + timedelta(minutes=5))
    await harness.engine.controls.rerun_recap("leadershipchat", "host")
    await harness.run_until(START + timedelta(minutes=6))
    assert len(harness.recap.calls) == 2
    assert len(harness.transport.posts_in(RECAP)) == 2


async def test_no_topic_warns_hosts_and_runs_open_discussion(tmp_path: Path) -> None:
    h = Harness(tmp_path, compressed_settings(tmp_path), [])
    session = await plan(h)
    await h.run_until(START + timedelta(minutes=5))
    assert session.topic.open_discussion
    assert any("No topic file" in p.content for p in h.transport.posts_in(HOST))
    assert any(p.content.startswith("Q1:") for p in h.transport.posts_in(CHAT))
    assert h.store is not None
    await h.store.close()
    h.store = None


async def test_topic_added_later_replaces_open_discussion_before_start(tmp_path: Path) -> None:
    h = Harness(tmp_path, compressed_settings(tmp_path), [])
    session = await plan(h)
    h.catalog = TopicCatalog([TOPIC], [])
    assert h.engine is not None
    assert await h.engine.refresh_topic(session.id)
    await h.run_until(START + timedelta(minutes=5))
    assert "Q1: What does serving mean? #LeadershipChat" in h.bot_texts
    assert h.store is not None
    await h.store.close()
    h.store = None


async def test_transport_error_type_is_plain() -> None:
    err = TransportError("x", retryable=False, status=403)
    assert not err.retryable and err.status == 403


class SlowAckTransport(MemoryTransport):
    """Discord accepts (and stamps) a post half a second before the bot hears back."""

    async def post(self, message: Outgoing) -> Posted:
        posted = await super().post(message)
        return replace(posted, created_at=posted.created_at - timedelta(milliseconds=500))


async def test_step_times_come_from_the_platform_so_quick_answers_land_after_their_question(
    harness: Harness,
) -> None:
    """A member who answers between Discord accepting Q1 and the bot recording it still answers Q1."""
    harness.transport = SlowAckTransport(harness.clock)
    session = await plan(harness)
    await harness.run_until(START + timedelta(seconds=5))  # Q1 goes out at START+5s
    assert harness.store is not None
    q1 = await harness.store.steps.get(session.id, "q1")
    assert q1 is not None and q1.sent_at == START + timedelta(seconds=5) - timedelta(
        milliseconds=500
    )
    harness.clock.set(START + timedelta(seconds=5) - timedelta(milliseconds=200))
    quick = await harness.transport.member_post(BOB, "Bob", "A1: first!", channel_id=CHAT)
    stored = await harness.store.messages.get(quick.message_id)
    assert stored is not None and (stored.attribution.kind, stored.attribution.questions) == (
        "answer",
        (1,),
    )


class FlakyRecap:
    """A recap of three parts; the platform fails on the third part once."""

    def __init__(self) -> None:
        self.raise_first: BaseException | None = None

    async def __call__(
        self, source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
    ) -> Sequence[RecapPost]:
        if self.raise_first is not None:
            exc, self.raise_first = self.raise_first, None
            raise exc
        return [RecapPost(content=f"part {i}") for i in range(3)]


async def test_a_recap_interrupted_mid_way_continues_without_reposting_parts(
    harness: Harness,
) -> None:
    flaky = FlakyRecap()
    harness.recap = flaky  # type: ignore[assignment]
    await plan(harness)
    await harness.run_until(START + timedelta(seconds=89))  # just before the recap
    original_post = harness.transport.post
    calls = 0

    async def third_part_fails(message: Outgoing) -> Posted:
        nonlocal calls
        if message.channel_id == RECAP:
            calls += 1
            if calls == 3:
                harness.transport.forget_nonces()  # the retry comes after the nonce window
                raise TransportError("502 Bad Gateway")
        return await original_post(message)

    harness.transport.post = third_part_fails  # type: ignore[method-assign]
    await harness.run_until(START + timedelta(minutes=10))
    assert [p.content for p in harness.transport.posts_in(RECAP)] == ["part 0", "part 1", "part 2"]


class EmbedRecap:
    """A recap shaped like the real one: a summary, then embed-only parts (no text of their own)."""

    async def __call__(
        self, source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
    ) -> Sequence[RecapPost]:
        return [
            RecapPost(content=f"Recap: {session.topic.title}"),
            RecapPost(embeds=({"title": "Q1: What does serving mean?"},)),
            RecapPost(embeds=({"title": "Who took part (2)"},)),
        ]


async def test_a_recap_part_posted_just_before_a_crash_is_not_posted_again(
    harness: Harness,
) -> None:
    """The second part reaches Discord, then the bot dies before recording it; it comes back
    after the nonce window. The channel already has that part: it is not posted twice."""
    harness.recap = EmbedRecap()  # type: ignore[assignment]
    session = await plan(harness)
    await harness.run_until(START + timedelta(seconds=89))  # just before the recap (90 s)
    assert harness.store is not None
    record_part = harness.store.steps.record_part

    async def dies_before_recording_the_second_part(
        session_id: int, key: str, parts_sent: int, **kw: int | None
    ) -> None:
        if parts_sent == 2:
            raise ConnectionError("killed")
        await record_part(session_id, key, parts_sent, **kw)

    harness.store.steps.record_part = dies_before_recording_the_second_part  # type: ignore[method-assign]
    await harness.run_until(START + timedelta(seconds=90, milliseconds=500))
    await harness.crash()
    harness.transport.forget_nonces()
    harness.clock.set(START + timedelta(minutes=30))
    await harness.boot()
    await harness.run_until(START + timedelta(minutes=31))

    posts = harness.transport.posts_in(RECAP)
    assert [(p.content, [e.get("title") for e in p.outgoing.embeds]) for p in posts] == [
        ("Recap: Serving leadership", []),
        ("", ["Q1: What does serving mean?"]),
        ("", ["Who took part (2)"]),
    ]
    step = await harness.store.steps.get(session.id, "recap")
    assert step is not None and step.status is StepStatus.SENT and step.parts_sent == 3
    assert step.message_id == posts[0].message_id


async def test_a_step_that_raises_is_retried_not_dropped(harness: Harness) -> None:
    flaky = FlakyRecap()
    flaky.raise_first = OSError("No space left on device")
    harness.recap = flaky  # type: ignore[assignment]
    session = await plan(harness)
    await harness.run_until(START + timedelta(minutes=10))
    assert harness.store is not None
    recap = await harness.store.steps.get(session.id, "recap")
    assert recap is not None and recap.status is StepStatus.SENT
    assert [p.content for p in harness.transport.posts_in(RECAP)] == ["part 0", "part 1", "part 2"]


async def test_a_step_that_keeps_raising_fails_and_hosts_are_told(harness: Harness) -> None:
    class Broken:
        async def __call__(self, *args: object) -> Sequence[RecapPost]:
            raise PermissionError("recap_dir is not writable")

    harness.recap = Broken()  # type: ignore[assignment]
    session = await plan(harness)
    await harness.run_until(START + timedelta(minutes=30))
    assert harness.store is not None
    recap = await harness.store.steps.get(session.id, "recap")
    assert recap is not None and recap.status is StepStatus.FAILED
    assert any("not writable" in p.content for p in harness.transport.posts_in(HOST))


async def test_cancel_is_refused_once_the_chat_has_started_even_if_paused(harness: Harness) -> None:
    await plan(harness)
    assert harness.engine is not None
    await harness.run_until(START + timedelta(seconds=7))
    await harness.engine.controls.pause("leadershipchat", "host")
    with pytest.raises(ControlError):
        await harness.engine.controls.cancel("leadershipchat", "host")
    assert not any("cancelled" in p.content for p in harness.transport.posts)


async def test_end_while_paused_closes_and_recaps(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None and harness.store is not None
    await harness.run_until(START + timedelta(seconds=7))
    await harness.engine.controls.pause("leadershipchat", "host")
    await harness.engine.controls.end_now("leadershipchat", "host")
    await harness.run_until(START + timedelta(minutes=5))
    ledger = {s.key: s.status for s in await harness.store.steps.for_session(session.id)}
    assert ledger["close"] is StepStatus.SENT and ledger["recap"] is StepStatus.SENT


async def test_a_long_pause_never_publishes_the_recap_mid_chat(harness: Harness) -> None:
    session = await plan(harness)
    assert harness.engine is not None and harness.store is not None
    await harness.run_until(START + timedelta(seconds=7))
    await harness.engine.controls.pause("leadershipchat", "host")
    await harness.run_until(START + timedelta(minutes=10))  # far past the original recap time
    assert harness.transport.posts_in(RECAP) == []
    during = await harness.transport.member_post(
        BOB, "Bob", "A1: said during the pause", channel_id=CHAT
    )
    stored = await harness.store.messages.get(during.message_id)
    assert stored is not None and not stored.attribution.late  # the chat is paused, not over
    await harness.engine.controls.resume("leadershipchat", "host")
    await harness.run_until(START + timedelta(minutes=20))
    assert len(harness.transport.posts_in(RECAP)) == 1
    assert (await harness.store.sessions.get(session.id)).status is SessionStatus.RECAPPED  # type: ignore[union-attr]


async def test_a_session_saved_without_its_steps_is_planned_again(harness: Harness) -> None:
    harness.clock.set(START - timedelta(hours=30))
    engine = await harness.boot()
    assert harness.store is not None
    # A previous run died between creating the session and writing its ledger.
    from bot.engine.planning import snapshot

    await harness.store.sessions.create(
        "leadershipchat", date(2026, 12, 1), START, snapshot(TOPIC), harness.clock.now()
    )
    await engine.plan_all()
    await harness.run_until(START + timedelta(minutes=5))
    assert any(p.content.startswith("Q1:") for p in harness.transport.posts)


async def test_members_who_asked_get_a_reminder_dm_before_the_chat(harness: Harness) -> None:
    await plan(harness)
    assert harness.store is not None
    await harness.store.members.set_remind(ALICE, "Alice", "leadershipchat", True)
    await harness.store.members.set_remind(BOB, "Bob", "leadershipchat", True)
    await harness.store.members.set_remind(BOB, "Bob", "leadershipchat", False)
    await harness.run_until(START)
    assert [user for user, _ in harness.transport.dms] == [ALICE]
    assert "Serving leadership" in harness.transport.dms[0][1]


async def test_with_two_chats_each_reminds_the_members_who_asked_for_it(tmp_path: Path) -> None:
    """Bob asked for this chat's reminder and never posted anywhere; Cara posts here but asked
    for the other chat's reminder only."""
    settings = compressed_settings(tmp_path)
    other = settings.chats[0].model_copy(
        update={
            "name": "otherchat",
            "channels": settings.chats[0].channels.model_copy(
                update={"chat": 21, "announce": 31, "recap": 41}
            ),
        }
    )
    h = Harness(
        tmp_path, settings.model_copy(update={"chats": (settings.chats[0], other)}), [TOPIC]
    )
    try:
        session = await plan(h)
        assert h.store is not None
        for user, name in ((ALICE, "Alice"), (CARA, "Cara")):
            await h.store.members.record_message(
                session.id, user, name, START - timedelta(days=1), answer=True
            )
        await h.store.members.set_remind(ALICE, "Alice", "leadershipchat", True)
        await h.store.members.set_remind(BOB, "Bob", "leadershipchat", True)
        await h.store.members.set_remind(CARA, "Cara", "otherchat", True)
        await h.run_until(START)
        # both chats run at the same time here; each DM names its chat's channel
        reminded = sorted((f"<#{CHAT}>" in text, user) for user, text in h.transport.dms)
        assert reminded == [(False, CARA), (True, ALICE), (True, BOB)]
    finally:
        if h.store is not None:
            await h.store.close()
            h.store = None


class GatedTransport(MemoryTransport):
    """Posts wait at a gate while it is closed, like a slow Discord."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()

    async def post(self, message: Outgoing) -> Posted:
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()
        return await super().post(message)


async def test_capture_waits_while_a_question_is_posted_but_not_for_host_notes(
    harness: Harness,
) -> None:
    """A member answering Q1 the instant it appears must see Q1 counted as posted, so capture
    waits while it is sent and recorded; a heads-up to hosts (or DMs, or a recap) does not
    hold up members' messages."""
    harness.transport = GatedTransport(harness.clock)
    session = await plan(harness)
    engine, store = harness.engine, harness.store
    assert engine is not None and store is not None
    await harness.run_until(START + timedelta(seconds=1))  # welcome posted
    steps = {s.key: s for s in await store.steps.for_session(session.id)}
    heads_up = next(s for s in steps.values() if s.kind == "heads_up" and s.question == 1)

    for key, holds_capture in ((heads_up.key, False), ("q1", True)):
        harness.clock.set(steps[key].due_at)
        harness.transport.gate.clear()
        harness.transport.waiting.clear()
        step = asyncio.ensure_future(engine.run_step(session.id, key))
        await harness.transport.waiting.wait()  # the post is in flight
        settled = asyncio.ensure_future(engine.timeline_settled(session.id))
        await asyncio.sleep(0)
        assert settled.done() is not holds_capture, key
        harness.transport.gate.set()
        await step
        await settled
        sent = await store.steps.get(session.id, key)
        assert sent is not None and sent.status is StepStatus.SENT
