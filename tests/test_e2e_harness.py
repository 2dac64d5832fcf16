"""Shared set-up for the end-to-end tests (this module has no tests of its own).

`scene()` writes a config pointing at the fake Discord server and a topic for today; a
`BotProcess` runs the real `python -m bot run --start-in 8` (a rehearsal session 8 s after
planning, its run of show compressed to ~30 s). `play_chat` plays members on the bot's cues: they
act a moment after a bot post (once the next cue appears), as people do; nothing sleeps. The
`assert_*` helpers read the fake's record of every post and the SQLite database afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import load_settings
from tests.fakediscord import PostRecord, ScheduledEventRecord, ThreadRecord
from tests.test_discord_harness import (
    World,
    chat_config,
    config_data,
    starts_with,
    world,
    write_config,
    write_topic,
)

REPO = Path(__file__).resolve().parent.parent
START_IN = 8.0
STEP_TOLERANCE = 2.0  # seconds between a step's due time and its post
# The recap's first post follows building every file (chart included) in the bot process, so
# "on time" allows for that work on a loaded 2-core machine.
RECAP_TOLERANCE = 8.0
WAIT = 30.0
RUN_OF_SHOW: dict[str, Any] = {
    "reminders": ["6s", "3s"],
    "welcome": "0s",
    "first_question": "4s",
    "spacing": "4s",
    "last_call": "15s",
    "late_window": "4s",
    "host_heads_up": "1s",
    "newcomer_grouping": "1s",
}


# -- the bot process ------------------------------------------------------------------------


@dataclass
class BotProcess:
    config: Path
    log: Path
    token: str
    proc: asyncio.subprocess.Process | None = None
    runs: int = 0

    async def start(self, *extra: str) -> None:
        self.runs += 1
        env = {**os.environ, "DISCORD_TOKEN": self.token, "PYTHONPATH": str(REPO)}
        env.pop("PYTEST_CURRENT_TEST", None)
        with self.log.open("a") as out:
            out.write(f"\n----- run {self.runs} -----\n")
        handle = self.log.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "--config",
                str(self.config),
                "run",
                *extra,
                cwd=REPO,
                env=env,
                stdout=handle,
                stderr=handle,
            )
        finally:
            handle.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), WAIT)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Scene:
    w: World
    bot: BotProcess
    config: dict[str, Any]
    tmp: Path
    expected: dict[int, tuple[str, tuple[int, ...], bool]] = field(default_factory=dict)
    kept: set[int] = field(default_factory=set)  # must be stored, whatever the attribution
    gone: set[int] = field(default_factory=set)

    @property
    def fake(self) -> Any:
        return self.w.fake

    @property
    def database(self) -> Path:
        return Path(self.config["database"])

    def ch(self, name: str) -> int:
        return self.w.ch(name)

    async def cue(self, channel: str, prefix: str, *, after: int = 0) -> PostRecord:
        return await self.fake.wait_for_post(
            starts_with(self.ch(channel), prefix), WAIT, after=after
        )

    async def say(
        self,
        who: str,
        text: str,
        expect: tuple[str, tuple[int, ...]] | None,
        *,
        late: bool = False,
        **kwargs: Any,
    ) -> int:
        """A member posts; `expect` is the (kind, questions) the store must end up with."""
        message = await self.fake.post(who, "chat", text, **kwargs)
        if expect is not None:
            self.expected[message.id] = (*expect, late)
        return int(message.id)

    async def keep(self, who: str, text: str) -> int:
        """A member posts something that must be stored (its attribution is not the point)."""
        message_id = await self.say(who, text, None)
        self.kept.add(message_id)
        return message_id


@asynccontextmanager
async def scene(tmp: Path, *, duration: str = "17s", **chat_overrides: Any) -> AsyncIterator[Scene]:
    async with world(tmp) as w:
        now = datetime.now(UTC)
        chat = chat_config(w.guild, now, **{"run_of_show": RUN_OF_SHOW, **chat_overrides})
        chat["schedule"]["duration"] = duration
        data = config_data(w.fake, tmp, [chat])
        config = write_config(tmp / "config.yaml", data)
        settings = load_settings(config)
        day = (now + timedelta(seconds=START_IN)).astimezone(settings.chats[0].schedule.zone)
        write_topic(settings.prompts_dir, day.date())
        bot = BotProcess(config, tmp / "bot.log", w.fake.token)
        s = Scene(w, bot, data, tmp)
        try:
            yield s
        except BaseException:
            sys.stderr.write(f"--- bot log ({bot.log}) ---\n{bot.text()[-20000:]}\n")
            raise
        finally:
            if bot.alive:
                await bot.stop(signal.SIGKILL)


# -- reading the results --------------------------------------------------------------------


def ledger(database: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        return list(conn.execute("SELECT * FROM steps ORDER BY due_at, rowid"))


def stored_messages(database: Path) -> dict[int, sqlite3.Row]:
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        return {r["id"]: r for r in conn.execute("SELECT * FROM messages")}


def due(row: sqlite3.Row) -> float:
    return datetime.fromisoformat(row["due_at"]).timestamp()


def bot_posts(s: Scene) -> list[PostRecord]:
    return [p for p in s.fake.posts if p.guild_id is not None]


def assert_each_step_posted_once_in_order(
    s: Scene, *, on_time: bool, unrecorded: Collection[int] = ()
) -> list[sqlite3.Row]:
    """`unrecorded`: posts that landed as the bot was killed, whose steps may have been skipped
    on restart as no longer useful (a reminder once the chat has started)."""
    steps = ledger(s.database)
    posts = {p.message_id: p for p in bot_posts(s)}
    sent = [r for r in steps if r["status"] == "sent"]
    for row in sent:
        assert row["message_id"] in posts, f"step {row['key']} has no post"
    ids = [r["message_id"] for r in sent]
    assert len(ids) == len(set(ids)), "two steps recorded the same post"
    stepped = set(ids)
    recap_parts = [p for p in posts.values() if p.message_id not in stepped | set(unrecorded)]
    assert all(p.parent_channel_id == s.ch("recaps") for p in recap_parts), [
        p.content[:60] for p in recap_parts
    ]
    order = sorted(sent, key=lambda r: posts[r["message_id"]].received_at)
    assert [r["key"] for r in order] == [r["key"] for r in sent], "posted out of order"
    if on_time:
        for row in sent:
            late = posts[row["message_id"]].received_at - due(row)
            limit = RECAP_TOLERANCE if row["kind"] == "recap" else STEP_TOLERANCE
            assert -0.05 <= late <= limit, f"{row['key']} posted {late:.2f}s after due"
    texts = [(p.channel_id, p.content) for p in posts.values() if p.content]
    assert len(texts) == len(set(texts)), "a bot post appeared twice"
    return steps


def assert_attribution(s: Scene) -> None:
    stored = stored_messages(s.database)
    for message_id, (kind, questions, late) in s.expected.items():
        row = stored.get(message_id)
        assert row is not None, f"message {message_id} was lost"
        got = (
            row["kind"],
            tuple(int(q) for q in row["questions"].split(",") if q),
            bool(row["late"]),
        )
        assert got == (kind, questions, late), (row["content"], got)
    for message_id in s.kept:
        assert message_id in stored, f"message {message_id} was lost"
    for message_id in s.gone:
        assert stored[message_id]["deleted_at"] is not None
        assert stored[message_id]["content"] is None


def assert_mention_safe(s: Scene) -> None:
    notify = s.w.guild.role("notify")
    for post in bot_posts(s):
        allowed = post.allowed_mentions
        assert allowed is not None and allowed.get("parse") == [], post.content[:60]
        assert not allowed.get("users") and not allowed.get("replied_user")
        assert set(allowed.get("roles") or []) <= {notify}
        message = s.fake.message(post.message_id)
        assert not message.mention_everyone and not message.mention_ids
        assert set(message.mention_role_ids) <= {notify}


def recap_text(s: Scene) -> str:
    parts = []
    for p in bot_posts(s):
        if p.parent_channel_id == s.ch("recaps"):
            parts.append(p.content)
            for embed in p.embeds:
                parts += [embed.get("title") or "", embed.get("description") or ""]
                parts += [f.get("value", "") for f in embed.get("fields") or []]
            parts += [a.content.decode("utf-8", "replace") for a in p.attachments]
    return "\n".join(parts)


async def play_chat(s: Scene) -> dict[str, int]:
    """Members take part in the whole chat; returns a few message ids for later checks."""
    role, bob = s.w.guild.role("notify"), s.w.guild.member("bob")
    await s.cue("chat", "Welcome")
    await s.cue("hosts", "Heads-up: Q1")
    await s.say("alice", "Hi all, Alice from Lisbon", ("intro", ()))
    await s.say("bob", "Bob here, first time!", ("intro", ()))
    q1 = await s.cue("chat", "Q1: ")
    thread = await s.fake.wait_for_action(
        lambda t: t.message_id == q1.message_id, kind=ThreadRecord, timeout=WAIT
    )
    await s.cue("hosts", "Heads-up: Q2")
    typo = await s.say("bob", "A1 listning first", ("answer", (1,)))
    reply = await s.say("cara", "Removing obstacles", ("answer", (1,)), reply_to=q1.message_id)
    await s.say("alice", "Serving is asking", ("answer", (1,)), thread=thread.thread_id)
    pings = f"A1: @everyone @here <@&{role}> <@{bob}> listen to people"
    await s.say("dan", pings, ("answer", (1,)))
    await s.say("bob", "so true", ("discussion", (1,)), reply_to=reply)
    oops = await s.say("dan", "A1: posted in the wrong window", None)
    await s.fake.edit(typo, "A1: listening first")
    await s.fake.delete(oops)
    s.gone.add(oops)
    await s.fake.react("alice", typo, "👍")
    await s.fake.react("cara", typo, "🔥")
    await s.fake.unreact("cara", typo, "🔥")
    await s.cue("hosts", "Heads-up: Q3")
    await s.say("cara", "A2: my first manager", ("answer", (2,)))
    await s.say("alice", "a2 - a nurse, years ago", ("answer", (2,)))
    await s.cue("chat", "Last call")
    await s.say("bob", "A3: ask more, tell less", ("answer", (3,)))
    await s.cue("chat", "That's a wrap")
    await s.fake.wait_for_action(
        lambda r: r.event.get("status") == 3, kind=ScheduledEventRecord, timeout=WAIT
    )
    await s.say("dan", "A3: late, but: write it down", ("answer", (3,)), late=True)
    return {"typo": typo}


async def wait_for_recap(s: Scene) -> None:
    """The recap's last message is recorded before the session is; wait on the fake's record."""
    await s.fake.wait_for_post(lambda p: p.parent_channel_id == s.ch("recaps"), WAIT)
