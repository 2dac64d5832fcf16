"""`leadershipchat stats`: how the chat is doing across weeks, with a PNG trend chart."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config, weeks
from bot.cli.database import with_store
from bot.cli.outputs import output_file, writing
from bot.recap.trends import (
    build_trends,
    format_trends,
    load_trend_rows,
    render_trend_png,
)


def register(sub: Any) -> None:
    p = sub.add_parser("stats", help="participants, newcomers and returning members per week")
    p.add_argument("--weeks", type=weeks, default=12, help="how many recent chats (default 12)")
    p.add_argument("--chat", help="one chat by name (default: every chat)")
    p.add_argument("--png", type=Path, help="trend chart file (default: recap_dir/stats-CHAT.png)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=True)
    if args.chat:
        try:
            settings.chat(args.chat)
        except KeyError as exc:
            raise CliError(str(exc.args[0])) from None
    png = output_file(args.png or settings.recap_dir / f"stats-{args.chat or 'all'}.png", "--png")
    rows = with_store(
        settings.database, lambda store: load_trend_rows(store.recap_source, args.chat)
    )
    trends = build_trends(rows, today=datetime.now(UTC).date(), weeks=args.weeks)
    print(format_trends(trends))
    chart = render_trend_png(trends, f"Participants per chat ({args.chat or 'all chats'})")
    with writing("--png", png):
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(chart)
    print(f"\ntrend chart: {png}")
    return 0
