"""`leadershipchat demo`: a complete chat, compressed, with scripted members and no Discord.

The real engine, store and recap code run against the in-memory transport and the real
APScheduler trigger. Time is virtual: a ScaledClock runs `speed` times faster than the wall
clock, so the default one-hour run of show takes about 30 s while every timestamp (posts, answers,
the recap and its chart) reads like the real evening. Members are played from `bot.demo_script`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.clock import ScaledClock
from bot.config import ChatSettings, Settings
from bot.demo_bluesky import BLUESKY_CAST, DemoBluesky, play
from bot.demo_script import CAST, SCRIPT, Line, Member
from bot.domain.sessions import SessionRow, SessionStatus
from bot.engine import ChatEngine
from bot.engine.planning import snapshot
from bot.engine.recap_publisher import publish_recap
from bot.engine.triggers import ScaledTrigger, SchedulerTrigger
from bot.memory_transport import MemoryTransport
from bot.recap.display import plural
from bot.recap.posts import RecapPost
from bot.recap.source import RecapSource
from bot.store import Store
from bot.timeline import start_for_date
from bot.topics import Topic, TopicCatalog
from bot.transport import IncomingEvent, MessageCreated, Outgoing, Posted

CHAT, ANNOUNCE, RECAP, HOST, GUILD = 9001, 9002, 9003, 9004, 9000
BLUESKY_RECAP_WAIT = 10.0  # seconds of real time; the mirror's job follows the recap at once
BLUESKY = 0  # not a channel: Bluesky's lines are printed with this "channel"
CHANNEL_NAMES = {
    CHAT: "#chat",
    ANNOUNCE: "#announce",
    RECAP: "#recap",
    HOST: "#hosts",
    BLUESKY: "bluesky",
}
LEAD = timedelta(
    minutes=10, seconds=30
)  # virtual time before the start: the 10-minute reminder first
_STAMP = re.compile(r"<t:(-?\d{1,12})(?::([tTdDfFR]))?>")


def demo_settings(out: Path, hashtag: str = "#LeadershipChat") -> Settings:
    """The default run of show, with only the 10-minute reminder and a 10-minute late window."""
    chat = {
        "name": "leadershipchat",
        "hashtag": hashtag,
        "guild_id": GUILD,
        "channels": {"chat": CHAT, "announce": ANNOUNCE, "recap": RECAP, "host": HOST},
        "host_role_id": 1,
        "run_of_show": {"reminders": ["10m"], "late_window": "10m"},
    }
    return Settings.model_validate(
        {
            "database": str(out.absolute() / "demo.db"),
            "recap_dir": str(out.absolute()),  # stored with the session: never cwd-relative
            "prompts_dir": str(out.absolute()),
            "chats": [chat],
        }
    )


def relative(delta: timedelta) -> str:
    """Discord's `<t:...:R>` wording (moment.js thresholds): `in a minute`, `10 minutes ago`."""
    seconds = abs(delta.total_seconds())
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    if seconds < 45:
        text = "a few seconds"
    elif seconds < 90:
        text = "a minute"
    elif minutes < 45:
        text = plural(round(minutes), "minute")
    elif minutes < 90:
        text = "an hour"
    elif hours < 22:
        text = plural(round(hours), "hour")
    elif hours < 36:
        text = "a day"
    else:
        text = plural(round(days), "day")
    return f"in {text}" if delta.total_seconds() > 0 else f"{text} ago"


class PrintingTransport(MemoryTransport):
    """The in-memory transport, printing every post as a chat client would show it."""

    def __init__(self, clock: ScaledClock, zone: str, out: TextIO) -> None:
        super().__init__(clock, guild_id=GUILD)
        self.out = out
        self.zone = ZoneInfo(zone)

    def _local(self, at: datetime) -> str:
        return at.astimezone(self.zone).strftime("%H:%M")

    def _stamp(self, match: re.Match[str]) -> str:
        """A Discord timestamp as a reader's client shows it (in the chat's zone, 24-hour)."""
        at = datetime.fromtimestamp(int(match[1]), self.zone)
        style = match[2] or "f"
        if style == "R":
            return relative(at - self.clock.now())
        clock = at.strftime("%H:%M:%S" if style == "T" else "%H:%M")
        day = f"{at:%B} {at.day}, {at.year}"
        return {
            "t": clock,
            "T": clock,
            "d": f"{at:%m/%d/%Y}",
            "D": day,
            "f": f"{day} {clock}",
            "F": f"{at:%A}, {day} {clock}",
        }[style]

    def show(self, who: str, channel: int, text: str) -> None:
        """Print one line the way a reader sees it (timestamps in local time, channel names)."""
        text = _STAMP.sub(self._stamp, text)
        text = re.sub(r"<#(\d+)>", lambda m: CHANNEL_NAMES.get(int(m[1]), "#channel"), text)
        first, *rest = text.splitlines() or [""]
        print(
            f"{self._local(self.clock.now())} {CHANNEL_NAMES.get(channel, '#thread'):<9} {who:>14}: {first}",
            file=self.out,
        )
        for line in rest[:4]:
            print(f"{'':>41}{line}", file=self.out)
        if len(rest) > 4:
            print(f"{'':>41}...", file=self.out)
        self.out.flush()

    async def post(self, message: Outgoing) -> Posted:
        posted = await super().post(message)
        titles = [str(e.get("title", "")) for e in message.embeds if e.get("title")]
        text = message.content or ""
        if titles:
            text += ("\n" if text else "") + "\n".join(f"[embed] {t}" for t in titles)
        if message.files:
            text += "\n[files] " + ", ".join(f.name for f in message.files)
        self.show("leadershipchat", message.channel_id, text)
        return posted

    async def _emit(self, event: IncomingEvent) -> None:
        if isinstance(event, MessageCreated):
            self.show(
                event.author_name,
                event.channel_id,
                event.content + (" ↩ (reply)" if event.reply_to else ""),
            )
        await super()._emit(event)


async def _seed_last_week(store: Store, settings: Settings, start: datetime, topic: Topic) -> None:
    """Returning members took part last week, so only the real newcomers get welcomed."""
    chat = settings.chats[0]
    last = start - timedelta(days=7)
    session = await store.sessions.create(
        chat.name, (topic.date - timedelta(days=7)), last, snapshot(topic), last
    )
    await store.sessions.set_status(session.id, SessionStatus.RECAPPED)
    for member in CAST:
        if member.returning:
            await store.members.record_message(
                session.id, member.user_id, member.name, last, answer=True
            )


async def _play(transport: PrintingTransport, clock: ScaledClock, start: datetime) -> None:
    """Members act at their scripted minute; replies to questions find the question's post."""
    by_tag: dict[str, MessageCreated] = {}
    cast = {m.user_id: m for m in CAST}
    for line in SCRIPT:
        await asyncio.sleep(clock.real_seconds_until(start + timedelta(minutes=line.minute)))
        await _act(transport, line, cast[line.who], by_tag)


async def _act(
    transport: PrintingTransport, line: Line, member: Member, by_tag: dict[str, MessageCreated]
) -> None:
    if line.react:
        if (target := by_tag.get(line.react)) is not None:
            await transport.member_react(target.message_id, line.who, "👍")
        return
    if line.delete:
        if (target := by_tag.pop(line.delete, None)) is not None:
            await transport.member_delete(target)
            transport.show(member.name, CHAT, "(deleted their message)")
        return
    if line.edit:
        if (target := by_tag.get(line.edit)) is not None:
            await transport.member_edit(target, line.text)
            transport.show(member.name, CHAT, f"(edited) {line.text}")
        return
    reply_to = None
    if line.reply_to.startswith("Q"):
        reply_to = next(
            (
                p.message_id
                for p in transport.posts_in(CHAT)
                if p.content.startswith(line.reply_to + ":")
            ),
            None,
        )
    elif line.reply_to in by_tag:
        reply_to = by_tag[line.reply_to].message_id
    msg = await transport.member_post(
        line.who, member.name, line.text, channel_id=CHAT, reply_to=reply_to, is_host=member.host
    )
    if line.tag:
        by_tag[line.tag] = msg


def _prepare(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("demo.db", "demo.db-wal", "demo.db-shm"):
        (out / name).unlink(missing_ok=True)


def _collect(made: Path, out: Path) -> list[Path]:
    """Copy the session's recap files up into `out`, where the user looks for them."""
    files = [out / p.name for p in sorted(made.iterdir()) if p.is_file()]
    for path in files:
        shutil.copy2(made / path.name, path)
    return files


async def run_demo(
    topic: Topic,
    out: Path,
    speed: float,
    *,
    upcoming: Sequence[Topic] = (),
    stream: TextIO = sys.stdout,
) -> list[Path]:
    """Run one compressed session end to end; returns the recap files written to `out`.

    `upcoming` topics (later dates) let the close announce next week's topic.
    """
    await asyncio.to_thread(_prepare, out)
    settings = demo_settings(out)
    chat = settings.chats[0]
    start = start_for_date(chat.schedule, topic.date)
    clock = ScaledClock(start - LEAD, speed)
    transport = PrintingTransport(clock, chat.schedule.timezone, stream)
    topics_known = [Topic(**{**t.__dict__, "chat": None, "path": None}) for t in (topic, *upcoming)]
    catalog = TopicCatalog(topics_known, [])
    published = asyncio.Event()

    async def recap(
        source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
    ) -> Sequence[RecapPost]:
        posts = await publish_recap(source, session, chat, out_dir)
        published.set()
        return posts

    async def topics() -> TopicCatalog:
        return catalog

    scheduler = SchedulerTrigger()
    bluesky = DemoBluesky(lambda who, text: transport.show(who, BLUESKY, text))
    async with Store(settings.database) as store:
        await _seed_last_week(store, settings, start, topic)
        engine = ChatEngine(
            settings,
            store,
            transport,
            trigger=ScaledTrigger(scheduler, clock),
            clock=clock,
            topics=topics,
            recap=recap,
            mirrors=[bluesky],
        )
        transport.handler = engine.capture.handle
        clock.restart()  # the evening starts now, not when set-up began
        await engine.start()
        try:
            session = await engine.plan_session(chat.name, start)
            print(
                f"{chat.hashtag} demo: '{topic.title}', {start.astimezone(chat.schedule.zone):%A %B %d, %H:%M %Z}, "
                f"{len(CAST)} members on Discord and {len(BLUESKY_CAST)} on Bluesky; the evening"
                f" runs {speed:g}x faster than real time.\n",
                file=stream,
            )
            players = asyncio.gather(
                _play(transport, clock, start),
                play(engine, store, chat, bluesky, clock, start, bluesky.show),
            )
            await published.wait()
            async with engine.lock(session.id):  # the recap step holds it until every post is out
                pass
            # Then the recap link on Bluesky (posted once the Discord recap is recorded).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bluesky.recap_posted.wait(), BLUESKY_RECAP_WAIT)
            await players
            done = await store.sessions.get(session.id)
        finally:
            await engine.stop()
    if done is None or done.recap_dir is None:
        raise RuntimeError("the demo session ended without a recap; see the log above")
    return await asyncio.to_thread(_collect, Path(done.recap_dir), out)
