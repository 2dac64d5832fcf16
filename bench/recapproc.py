"""One recap-scale measurement in a fresh process (subprocess entry point), so its peak memory is
its own. `--seed DB --messages N` first writes a store holding a session of N member messages (12
questions, answers, replies, intros, late answers, reactions, three earlier sessions for
streaks); `--db DB` then loads that session, builds it and renders every format, as the recap
step does, and writes phase times and memory to `--result`.
Usage: `python -m bench.recapproc (--seed DB --messages N | --db DB) --result FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.world import proc_status
from bot.config import Settings
from bot.domain.messages import Attributed, MessageRow
from bot.domain.sessions import SessionStatus
from bot.domain.steps import NewStep
from bot.engine.planning import snapshot
from bot.recap.build import build_recap
from bot.recap.chart import render_activity_png
from bot.recap.export import render_csv, render_json
from bot.recap.files import write_recap_files
from bot.recap.html import render_html
from bot.recap.inputs import load_recap_input
from bot.recap.markdown import render_markdown, render_transcript
from bot.recap.posts import discord_posts
from bot.store import Store
from bot.topics import Question, Topic

START = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # a Monday 20:00 in New York
CHAT, GUILD = 9001, 9000
SPACING = timedelta(minutes=4, seconds=30)
_VOCABULARY = (
    "trust listen serve team coach feedback clarity purpose growth care decide delegate "
    "example culture honest humble vision support time people questions learn patience "
    "https://example.com/read-this **bold** _soft_ #LeadershipChat"
)
WORDS = tuple(_VOCABULARY.split())


def settings(folder: Path) -> Settings:
    return Settings.model_validate(
        {
            "database": str(folder / "chat.db"),
            "recap_dir": str(folder / "recaps"),
            "chats": [
                {
                    "name": "leadershipchat",
                    "guild_id": GUILD,
                    "channels": {"chat": CHAT},
                    "schedule": {"timezone": "America/New_York"},
                }
            ],
        }
    )


def _topic(day: date) -> Topic:
    return Topic(
        title="Leading through a busy hour",
        date=day,
        questions=tuple(Question(f"What would you do about case {n}?") for n in range(1, 13)),
        hosts=("Hana Host",),
    )


async def seed(store: Store, messages: int, rng: random.Random) -> int:
    """A held session of `messages` member messages and three earlier ones; returns its id."""
    authors = max(20, min(messages // 10, 2000))
    people = [(10_000 + i, f"Member {i:04d}") for i in range(authors)]
    for week in (3, 2, 1):
        at = START - timedelta(weeks=week)
        earlier = await store.sessions.create(
            "leadershipchat", at.date(), at, snapshot(_topic(at.date())), at
        )
        await store.sessions.set_status(earlier.id, SessionStatus.RECAPPED)
        for uid, name in rng.sample(people, len(people) // 2):
            await store.members.record_message(earlier.id, uid, name, at, answer=True)
    session = await store.sessions.create(
        "leadershipchat", START.date(), START, snapshot(_topic(START.date())), START
    )
    posted = {n: START + timedelta(minutes=5) + (n - 1) * SPACING for n in range(1, 13)}
    close = START + timedelta(minutes=60)
    steps = [NewStep("welcome", "welcome", START)]
    steps += [NewStep(f"q{n}", "question", at, question=n) for n, at in posted.items()]
    steps += [NewStep("close", "close", close), NewStep("recap", "recap", close)]
    await store.steps.add(session.id, steps)
    for n, step in enumerate(steps):
        await store.steps.mark_sent(
            session.id, step.key, message_id=1_000 + n, channel_id=CHAT, sent_at=step.due_at
        )
    await store.sessions.set_status(session.id, SessionStatus.CLOSED)
    span = (close + timedelta(minutes=10) - START).total_seconds()
    rows: list[MessageRow] = []
    seen: set[int] = set()
    for i in range(messages):
        uid, name = people[rng.randrange(authors)]
        at = START + timedelta(seconds=span * i / messages)
        current = max((n for n, t in posted.items() if t <= at), default=0)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 50)))
        roll = rng.random()
        reply_to = None
        if current == 0:
            attribution = Attributed("intro")
        elif roll < 0.5:
            text = f"A{current}: {text}"
            attribution = Attributed("answer", (current,), (f"A{current}",), late=at >= close)
        else:
            if rows and roll < 0.85:
                reply_to = rows[rng.randrange(max(0, len(rows) - 200), len(rows))].id
            attribution = Attributed("discussion", (current,), late=at >= close)
        row = MessageRow(
            id=10**15 + i,
            session_id=session.id,
            channel_id=CHAT,
            author_id=uid,
            author_name=name,
            content=text,
            created_at=at,
            attribution=attribution,
            reply_to=reply_to,
            reactions=rng.choice((0, 0, 0, 1, 2, 5)),
            jump_url=f"https://discord.com/channels/{GUILD}/{CHAT}/{10**15 + i}",
        )
        rows.append(row)
        if uid not in seen:
            seen.add(uid)
            await store.members.record_message(
                session.id, uid, name, at, answer=attribution.kind == "answer"
            )
    await store.messages.add_many(rows)
    return session.id


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


async def seed_db(db: Path, messages: int) -> dict[str, Any]:
    async with Store(db) as store:
        session_id = await seed(store, messages, random.Random(messages))
    return {"session_id": session_id, "messages": messages}


def _import_matplotlib() -> None:
    import importlib

    for name in ("matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.ticker"):
        importlib.import_module(name)


async def measure(db: Path, session_id: int, breakdown: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-recap-") as tmp:
        folder = Path(tmp)
        s = settings(folder)
        # The bot imports matplotlib when it draws its first chart, once per process; a recap
        # is measured as the bot makes it every week after that, the import timed on its own.
        imported, _ = _timed(_import_matplotlib)
        base = proc_status(os.getpid())
        t0 = time.perf_counter()
        async with Store(db) as store:
            inp = await load_recap_input(store.recap_source, session_id, s.chats[0])
        load = time.perf_counter() - t0
        build, recap = _timed(lambda: build_recap(inp))
        out = folder / "recaps" / recap.slug
        files_s, paths = _timed(lambda: write_recap_files(recap, out))
        attached = [
            (p.name, p.read_bytes())
            for p in paths
            if p.name.endswith(("-transcript.md", "activity.png"))
        ]
        posts_s, posts = _timed(lambda: discord_posts(recap, files=attached))
        peak = proc_status(os.getpid())
        result: dict[str, Any] = {
            "messages": len(inp.messages),
            "matplotlib_import": imported,
            "shown": len(recap.messages),
            "load": load,
            "build": build,
            "files": files_s,
            "posts": posts_s,
            "total": load + build + files_s + posts_s,
            "bytes": {p.name: p.stat().st_size for p in paths},
            "discord_posts": len(posts),
            "rss_before_kb": base.get("VmRSS", 0),
            "peak_kb": peak.get("VmHWM", 0),
        }
        if breakdown:
            png = render_activity_png(recap)
            result["formats"] = {
                "md": _timed(lambda: render_markdown(recap))[0]
                + _timed(lambda: render_transcript(recap))[0],
                "html": _timed(lambda: render_html(recap, chart_png=png))[0],
                "json": _timed(lambda: render_json(recap))[0],
                "csv": _timed(lambda: render_csv(recap))[0],
                "png": _timed(lambda: render_activity_png(recap))[0],
                "discord": posts_s,
            }
        return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=Path, help="write a store with a session to this file")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--db", type=Path, help="measure the recap of the session seeded here")
    parser.add_argument("--session", type=int, default=4)
    parser.add_argument("--breakdown", action="store_true", help="also time each format alone")
    parser.add_argument("--result", required=True)
    args = parser.parse_args()
    if args.seed is not None:
        data = asyncio.run(seed_db(args.seed, args.messages))
    else:
        data = asyncio.run(measure(args.db, args.session, args.breakdown))
    Path(args.result).write_text(json.dumps(data))
    sys.exit(0)
