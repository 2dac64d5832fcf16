"""End to end: `leadershipchat run` SIGKILLed at every kill point of one compressed chat, and
restarted each time, while members keep posting, in the seconds after each restart before the
bot is READY too (see tests/test_e2e_harness.py). Every member message must end up stored,
counted and in the recap exactly once, and every step posted once."""

from __future__ import annotations

import asyncio
import math
import re
import signal
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.store import Store
from tests.fakediscord import PostRecord
from tests.test_e2e_harness import (
    START_IN,
    WAIT,
    Scene,
    assert_attribution,
    assert_each_step_posted_once_in_order,
    bot_posts,
    ledger,
    scene,
    stored_messages,
)

RUN_OF_SHOW: dict[str, Any] = {
    "reminders": ["8s", "4s"],
    "welcome": "0s",
    "first_question": "12s",
    "spacing": "4s",
    "last_call": "28s",
    "late_window": "4s",
    "host_heads_up": "8s",  # early: a heads-up is still useful if a slow restart delays it
    "newcomer_grouping": "1s",
}
DURATION = "32s"
CROWD = ("alice", "bob", "cara", "dan")
CHAT = "leadershipchat"
PACE = 0.3  # seconds between two messages of the crowd: a busy chat
BURST = 40  # messages posted as fast as members can, for the kill mid-capture
QUESTION = re.compile(r"Q(\d): ")


@dataclass
class Crowd:
    """Members who keep posting whatever the bot is doing (down, starting, capturing)."""

    s: Scene
    sent: dict[int, str] = field(default_factory=dict)  # message id -> text as posted
    posted_at: list[float] = field(default_factory=list)
    until: float = math.inf
    count: int = 0

    async def post(self, who: str, text: str, **kwargs: Any) -> int:
        message = await self.s.fake.post(who, "chat", text, **kwargs)
        self.sent[message.id] = text
        self.posted_at.append(time.time())
        return int(message.id)

    async def chatter(self) -> None:
        while time.time() < self.until:
            who = CROWD[self.count % len(CROWD)]
            await self.post(who, f"m{self.count:03d} from {who}")
            self.count += 1
            await asyncio.sleep(PACE)

    async def burst(self, kill_after: int) -> None:
        """A run of messages in quick succession; the bot is killed in the middle of it."""
        for n in range(BURST):
            who = CROWD[n % len(CROWD)]
            await self.post(who, f"b{n:03d} from {who}")
            if n == kill_after:
                assert await self.s.bot.stop(signal.SIGKILL) == -signal.SIGKILL
            await asyncio.sleep(0.01)


def chat_post(s: Scene, prefix: str) -> Any:
    return lambda p: p.channel_id == s.ch("chat") and p.content.startswith(prefix)


def transcript(s: Scene) -> str:
    """The Markdown transcript attached to the recap in Discord, as readers get it."""
    (summary,) = [p for p in bot_posts(s) if p.channel_id == s.ch("recaps") and p.attachments]
    (md,) = [a for a in summary.attachments if a.filename.endswith("-transcript.md")]
    return md.content.decode()


async def test_sigkill_at_each_of_10_kill_points_loses_no_message_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    killed: list[str] = []
    landed: list[int] = []
    async with scene(
        tmp_path,
        duration=DURATION,
        run_of_show=RUN_OF_SHOW,
        answers_in_threads=True,
        moderation={"flood": {"enabled": False}},  # the burst is about capture
    ) as s:
        crowd = Crowd(s)

        async def kill_at(name: str, predicate: Any, *, after: int) -> PostRecord:
            post = await s.fake.wait_for_post(predicate, WAIT, after=after)
            assert await s.bot.stop(signal.SIGKILL) == -signal.SIGKILL
            killed.append(name)
            landed.append(post.message_id)
            return post

        def mark() -> int:
            return len(s.fake.posts)

        async with Store(s.database) as store:  # members who pressed "Remind me"
            for name in CROWD:
                await store.members.set_remind(s.fake.guild.member(name), name, CHAT, True)
        await s.bot.start("--start-in", str(START_IN + 3))  # the last reminder 4 s before
        await kill_at("reminder", lambda p: p.channel_id == s.ch("announce"), after=0)
        await s.bot.start()
        at = mark()
        await kill_at("reminder DMs", lambda p: p.dm_recipient_id is not None, after=at)
        # the last reminder went out, perhaps unrecorded (skipped after a late restart)
        landed += [p.message_id for p in s.fake.posts[at:] if p.channel_id == s.ch("announce")]
        await s.bot.start()
        await kill_at("welcome", chat_post(s, "Welcome"), after=0)
        chatter = asyncio.create_task(crowd.chatter())
        try:
            await s.bot.start()
            at = mark()
            await kill_at("newcomers", lambda p: "first time" in p.content, after=at)
            await s.bot.start()
            at = mark()
            in_hosts = lambda p: p.channel_id == s.ch("hosts")  # noqa: E731
            await kill_at("heads-up", lambda p: in_hosts(p) and "Heads-up" in p.content, after=at)
            await s.bot.start()
            at = mark()
            question = await kill_at(
                "question",
                lambda p: p.channel_id == s.ch("chat") and QUESTION.match(p.content),
                after=at,
            )
            # answered while the bot is down, its question post perhaps not recorded yet
            number = int(QUESTION.match(question.content)[1])  # type: ignore[index]
            reply = await crowd.post(
                "dan", "so true, and while you were away", reply_to=question.message_id
            )
            s.expected[reply] = ("answer", (number,), False)
            readies = sum(1 for r in s.fake.gateway_events if r.event == "READY")
            await s.bot.start()
            await s.fake.wait_for_gateway("READY", count=readies + 1, timeout=WAIT)
            await crowd.burst(kill_after=BURST // 2)
            killed.append("mid-capture")
            # While the bot is down: an edit, a delete (of messages it had stored) and a thread
            # started by a member.
            with sqlite3.connect(s.database) as conn:
                held = [mid for (mid,) in conn.execute("SELECT id FROM messages ORDER BY id")]
            edited, gone = held[0], held[1]
            before_edit = crowd.sent[edited]
            await s.fake.edit(edited, "edited while the bot was away")
            crowd.sent[edited] = "edited while the bot was away"
            await s.fake.delete(gone)
            s.gone.add(gone)
            corner = await s.fake.start_thread("cara", "chat", "Cara's corner")
            in_thread = await crowd.post("cara", "t000 in my own thread", thread=corner)
            await s.bot.start()
            at = mark()
            await kill_at("last call", chat_post(s, "Last call"), after=at)
            await s.bot.start()
            at = mark()
            await kill_at("close", chat_post(s, "That's a wrap"), after=at)
            # Before the restart: on a loaded machine the recap may go before the chatter ends.
            at_recap = mark()
            recap_due = next(r for r in ledger(s.database) if r["key"] == "recap")["due_at"]
            crowd.until = datetime.fromisoformat(recap_due).timestamp() - 1.5  # late, not after
            late = await crowd.post("alice", "A3: a late one while the bot is down")
            s.expected[late] = ("answer", (3,), True)
            await s.bot.start()
            await chatter
        finally:
            chatter.cancel()
        in_recaps = lambda p: p.parent_channel_id == s.ch("recaps")  # noqa: E731
        await kill_at(
            "recap (mid-recap: its first part out, the rest not)", in_recaps, after=at_recap
        )
        await s.bot.start()
        await recapped(s)
        assert await s.bot.stop(signal.SIGTERM) == 0

        print(f"{len(killed)} kill points: {', '.join(killed)}; {len(crowd.sent)} member messages")
        assert len(killed) == 10
        dms = Counter(p.dm_recipient_id for p in s.fake.posts if p.dm_recipient_id is not None)
        assert dms and max(dms.values()) == 1, dms  # nobody reminded twice
        last_reminder = [r for r in ledger(s.database) if r["kind"] == "reminder"][-1]
        if last_reminder["status"] == "sent":  # not skipped after a slow restart: all reached
            assert len(dms) == len(CROWD), dms
            with sqlite3.connect(s.database) as conn:  # the one under way at the kill too
                unconfirmed = conn.execute("SELECT user_id FROM reminder_dms WHERE sent_at IS NULL")
                assert unconfirmed.fetchall() == []
        assert_each_step_posted_once_in_order(s, on_time=False, unrecorded=landed)
        stored = stored_messages(s.database)
        kept = {mid: text for mid, text in crowd.sent.items() if mid not in s.gone}
        lost = [text for mid, text in kept.items() if mid not in stored]
        assert not lost, f"{len(lost)} of {len(kept)} member messages lost: {lost}"
        assert stored[edited]["content"] == "edited while the bot was away"
        assert stored[in_thread]["thread_id"] == corner
        assert_attribution(s)
        assert_counted_once(s.database, kept)
        text = transcript(s)
        assert [t for t in kept.values() if text.count(t) != 1] == [], "in the recap once each"
        assert before_edit not in text and stored[gone]["content"] is None
        welcomed = Counter(
            name
            for p in bot_posts(s)
            if "first time" in p.content
            for name in re.findall(r"\*\*(\w+)\*\*", p.content)
        )
        assert welcomed and max(welcomed.values()) == 1, welcomed
        assert_members_posted_before_each_ready(s, crowd)


async def recapped(s: Scene) -> None:
    """Wait until the recap is recorded as published (nothing in Discord shows the moment)."""
    deadline = time.monotonic() + WAIT
    while True:
        with sqlite3.connect(s.database) as conn:
            (status,) = conn.execute("SELECT status FROM sessions").fetchone()
        if status == "recapped":
            return
        assert time.monotonic() < deadline, f"no recap within {WAIT}s (session {status})"
        await asyncio.sleep(0.1)


def assert_counted_once(database: Path, kept: dict[int, str]) -> None:
    """Exactly the messages kept are stored, and participation counts each once (a deleted
    one not at all)."""
    with sqlite3.connect(database) as conn:
        counts = dict(conn.execute("SELECT user_id, messages FROM session_members"))
        rows = list(conn.execute("SELECT id, author_id FROM messages WHERE deleted_at IS NULL"))
    assert {mid for mid, _ in rows} == set(kept)
    assert counts == dict(Counter(author for _, author in rows))


def assert_members_posted_before_each_ready(s: Scene, crowd: Crowd) -> None:
    """The window the test is about: after each restart the gateway is up (READY sent) and
    live messages flow, while discord.py still waits for guilds before `on_ready`."""
    readies = [r.received_at for r in s.fake.gateway_events if r.event == "READY"]
    busy = [t for t in readies if any(t <= at <= t + 1.5 for at in crowd.posted_at)]
    assert len(busy) >= 4, f"members posted after READY of only {len(busy)} restarts"
