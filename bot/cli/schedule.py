"""`leadershipchat schedule`: the next chats with their topic and full run of show."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cli.common import CliError, load_config, weeks
from bot.cli.prompts import warn_broken_topics
from bot.engine import planning
from bot.run_of_show import Show, as_text, planned
from bot.timeline import local_date, next_starts
from bot.topics import load_catalog


def register(sub: Any) -> None:
    parser = sub.add_parser("schedule", help="preview the next chats and their run of show")
    parser.add_argument(
        "--weeks", type=weeks, default=2, help="how many upcoming chats per chat (default 2)"
    )
    parser.add_argument(
        "--tz", default=None, help="also show times in this IANA zone (e.g. Europe/Berlin)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=True)
    extra: list[tuple[str, tzinfo]] = []
    if args.tz:
        try:
            extra.append((args.tz, ZoneInfo(args.tz)))
        except (ZoneInfoNotFoundError, ValueError):
            raise CliError(
                f"--tz {args.tz!r} is not a known time zone (an IANA name like Europe/Berlin)"
            ) from None
    catalog = load_catalog([settings.prompts_dir], settings)
    now = datetime.now(UTC)
    for chat in settings.chats:
        zones = [(chat.schedule.timezone, chat.schedule.zone), *extra]
        for start in next_starts(chat.schedule, now, args.weeks):
            day = local_date(chat.schedule, start)
            topic = planning.snapshot(catalog.for_date(chat.name, day, settings))
            show = Show.of(chat, topic, start, planned(planning.steps_for(chat, start, topic)))
            print("\n" + as_text(show, zones))
    warn_broken_topics(catalog)
    return 0
