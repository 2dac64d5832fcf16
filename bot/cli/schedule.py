"""`leadershipchat schedule`: the next chats with their topic and full run of show."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli.common import CliError, load_config
from bot.timeline import StepKind, local_date, next_starts, plan
from bot.topics import load_catalog

_LABELS = {
    StepKind.REMINDER: "reminder",
    StepKind.WELCOME: "welcome",
    StepKind.HEADS_UP: "host heads-up",
    StepKind.QUESTION: "question",
    StepKind.LAST_CALL: "last call",
    StepKind.CLOSE: "close",
    StepKind.RECAP: "recap published",
}


def register(sub: Any) -> None:
    parser = sub.add_parser("schedule", help="preview the next chats and their run of show")
    parser.add_argument(
        "--weeks", type=int, default=2, help="how many upcoming chats per chat (default 2)"
    )
    parser.add_argument(
        "--tz", default=None, help="also show times in this IANA zone (e.g. Europe/Berlin)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=True)
    extra_zone = None
    if args.tz:
        try:
            extra_zone = ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise CliError(
                f"--tz {args.tz!r} is not a known time zone (an IANA name like Europe/Berlin)"
            ) from None
    if args.weeks < 1:
        raise CliError("--weeks must be at least 1")
    catalog = load_catalog([settings.prompts_dir], settings)
    now = datetime.now(UTC)
    for chat in settings.chats:
        zone = chat.schedule.zone
        for start in next_starts(chat.schedule, now, args.weeks):
            day = local_date(chat.schedule, start)
            topic = catalog.for_date(chat.name, day, settings)
            title = topic.title if topic else "no topic yet"
            print(f"\n{chat.name} {chat.hashtag} on {day:%A %Y-%m-%d}: {title}")
            explicit = [q.at for q in topic.questions] if topic else []
            header = f"  {chat.schedule.timezone:<23}"  # as wide as the time column below
            if extra_zone:
                header += f" {args.tz:<22}"
            print(header + " step")
            for step in plan(chat, start, explicit, heads_up=chat.channels.host is not None):
                local = step.due_at.astimezone(zone)
                line = f"  {local:%a %H:%M %Z}".ljust(25)
                if extra_zone:
                    line += f" {step.due_at.astimezone(extra_zone):%a %H:%M %Z}".ljust(23)
                label = _LABELS[step.kind]
                if step.kind is StepKind.QUESTION and topic and step.question:
                    label = f"Q{step.question}: {topic.questions[step.question - 1].text}"
                elif step.question:
                    label += f" (Q{step.question})"
                elif step.kind is StepKind.REMINDER:
                    label += f" ({step.key.removeprefix('reminder-')} before)"
                print(line + " " + label)
    return 0
