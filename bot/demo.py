"""`leadershipchat demo`: a complete chat, compressed, with scripted members and no Discord.

The real engine, store and recap code run against the in-memory transport and the real
APScheduler trigger; only the clock is sped up (by compressing the run of show) and the members
are played from `bot.demo_script`. It prints the chat as it happens and writes the recap files.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.config import Settings
from bot.engine import ChatEngine
from bot.engine.recap_publisher import publish_recap
from bot.engine.triggers import SchedulerTrigger
from bot.memory_transport import MemoryTransport
from bot.store import Store
from bot.store.sessions import SessionStatus
from bot.store.steps import StepStatus
from bot.demo_script import CAST, SCRIPT, Line, Member
from bot.timeline import local_date
from bot.topics import Topic, TopicCatalog
from bot.transport import MessageCreated, Outgoing, Posted

CHAT, ANNOUNCE, RECAP, HOST, GUILD = 9001, 9002, 9003, 9004, 9000
LEAD = 5.0  # seconds of real time before the chat starts (the last reminder goes out first)


def demo_settings(out: Path, speed: float, hashtag: str = "#LeadershipChat") -> Settings:
    """One chat whose hour lasts 3600/speed seconds; reminders and late window shortened too."""

    def scaled(minutes: float) -> str:
        return f"{minutes * 60 / speed:.3f}s"

    chat = {
        "name": "leadershipchat",
        "hashtag": hashtag,
        "guild_id": GUILD,
        "channels": {"chat": CHAT, "announce": ANNOUNCE, "recap": RECAP, "host": HOST},
        "host_role_id": 1,
        "schedule": {"weekday": "tuesday", "time": "20:00", "timezone": "America/New_York", "duration": scaled(60)},
        "run_of_show": {
            "reminders": [f"{LEAD - 1:.3f}s"],
            "first_question": scaled(5),
            "spacing": scaled(9),
            "last_call": scaled(55),
            "late_window": scaled(10),
            "host_heads_up": scaled(1),
            "newcomer_grouping": scaled(1),
        },
    }
    return Settings.model_validate(
        {"database": str(out / "demo.db"), "recap_dir": str(out), "prompts_dir": str(out), "chats": [chat]}
    )


class PrintingTransport(MemoryTransport):
    """The in-memory transport, printing every post as a chat client would show it."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(SystemClock())
        self.out = out
        self._t0 = self.clock.now()

    def _show(self, who: str, channel: int, text: str) -> None:
        where = {CHAT: "#chat", ANNOUNCE: "#announce", RECAP: "#recap", HOST: "#hosts"}.get(channel, "#thread")
        elapsed = (self.clock.now() - self._t0).total_seconds()
        first, *rest = (text or "(embeds and files)").splitlines() or [""]
        print(f"[{elapsed:5.1f}s] {where:<9} {who:>14}: {first}", file=self.out)
        for line in rest[:6]:
            print(f"{'':>42}{line}", file=self.out)
        if len(rest) > 6:
            print(f"{'':>42}...", file=self.out)
        self.out.flush()

    async def post(self, message: Outgoing) -> Posted:
        posted = await super().post(message)
        self._show("leadershipchat", message.channel_id, message.content)
        return posted

    async def member_post(
        self,
        author_id: int,
        author_name: str,
        content: str,
        *,
        channel_id: int,
        thread_id: int | None = None,
        reply_to: int | None = None,
        is_host: bool = False,
        deliver: bool = True,
    ) -> MessageCreated:
        msg = await super().member_post(
            author_id, author_name, content, channel_id=channel_id, thread_id=thread_id,
            reply_to=reply_to, is_host=is_host, deliver=deliver,
        )
        arrow = " ↩" if msg.reply_to else ""
        self._show(author_name, msg.channel_id, content + arrow)
        return msg


async def _seed_last_week(store: Store, settings: Settings, start: datetime, topic: Topic) -> None:
    """Returning members took part last week, so only the real newcomers get welcomed."""
    from bot.engine.planner import snapshot

    chat = settings.chats[0]
    last = start - timedelta(days=7)
    session = await store.sessions.create(chat.name, local_date(chat.schedule, last), last, snapshot(topic), last)
    await store.sessions.set_status(session.id, SessionStatus.RECAPPED)
    for member in CAST:
        if member.returning:
            await store.members.record_message(session.id, member.user_id, member.name, last, answer=True)


async def _play(transport: PrintingTransport, start: datetime, speed: float) -> None:
    """Members act at their scripted minute (scaled); question posts are looked up by number."""
    by_tag: dict[str, MessageCreated] = {}
    cast = {m.user_id: m for m in CAST}
    for line in SCRIPT:
        due = start + timedelta(seconds=line.minute * 60 / speed)
        delay = (due - transport.clock.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        await _act(transport, line, cast[line.who], by_tag)


def _question_post(transport: PrintingTransport, label: str) -> int | None:
    return next((p.message_id for p in transport.posts_in(CHAT) if p.content.startswith(label + ":")), None)


async def _act(transport: PrintingTransport, line: Line, member: Member, by_tag: dict[str, MessageCreated]) -> None:
    name = member.name
    if line.react:
        target = by_tag.get(line.react)
        if target is not None:
            await transport.member_react(target.message_id, line.who, "👍")
        return
    if line.delete:
        target = by_tag.pop(line.delete, None)
        if target is not None:
            await transport.member_delete(target)
            transport._show(name, CHAT, "(deleted a message)")
        return
    if line.edit:
        target = by_tag.get(line.edit)
        if target is not None:
            await transport.member_edit(target, line.text)
            transport._show(name, CHAT, f"(edited) {line.text}")
        return
    reply_to = None
    if line.reply_to.startswith("Q"):
        reply_to = _question_post(transport, line.reply_to)
    elif line.reply_to in by_tag:
        reply_to = by_tag[line.reply_to].message_id
    msg = await transport.member_post(
        line.who, name, line.text, channel_id=CHAT, reply_to=reply_to, is_host=member.host
    )
    if line.tag:
        by_tag[line.tag] = msg


async def run_demo(topic: Topic, out: Path, speed: float, stream: TextIO = sys.stdout) -> list[Path]:
    """Run one compressed session end to end; returns the recap files written."""
    if out.exists():
        for name in ("demo.db", "demo.db-wal", "demo.db-shm"):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    settings = demo_settings(out, speed)
    transport = PrintingTransport(out=stream)
    clock = transport.clock
    start = clock.now() + timedelta(seconds=LEAD)
    chat = settings.chats[0]
    topic = Topic(**{**topic.__dict__, "date": local_date(chat.schedule, start), "chat": None, "path": None})
    catalog = TopicCatalog([topic], [])

    async def topics() -> TopicCatalog:
        return catalog

    trigger = SchedulerTrigger()
    async with await Store.open(settings.database) as store:
        await _seed_last_week(store, settings, start, topic)
        engine = ChatEngine(settings, store, transport, trigger=trigger, clock=clock, topics=topics, recap=publish_recap)
        transport.handler = engine.capture.handle
        trigger.start()
        try:
            session = await engine.plan_session(chat.name, start)
            print(f"{chat.hashtag} demo: '{topic.title}' with {len(CAST)} members, the hour compressed to {3600 / speed:.0f} s\n", file=stream)
            players = asyncio.create_task(_play(transport, start, speed))
            while True:
                recap = await store.steps.get(session.id, "recap")
                if recap is None or recap.status is not StepStatus.PENDING:
                    break
                await asyncio.sleep(0.2)
            await players
            done = await store.sessions.get(session.id)
        finally:
            trigger.shutdown()
    if done is None or done.recap_dir is None:
        raise RuntimeError("the demo session ended without a recap; see the log above")
    files = sorted(p for p in Path(done.recap_dir).iterdir() if p.is_file())
    if out.resolve() != Path(done.recap_dir).resolve():
        for f in files:
            shutil.copy2(f, out / f.name)
        files = sorted(out / f.name for f in files)
    return files
