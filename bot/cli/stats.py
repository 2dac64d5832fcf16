"""`leadershipchat stats`: how the chat is doing across weeks, with a PNG trend chart."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config, weeks
from bot.recap.trends import (
    TrendRows,
    build_trends,
    format_trends,
    load_trend_rows,
    render_trend_png,
)
from bot.store import Store


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
    if not settings.database.exists():
        raise CliError(f"no database at {settings.database} (has the bot run yet?)")
    rows = asyncio.run(_load(settings.database, args.chat))
    trends = build_trends(rows, today=datetime.now(UTC).date(), weeks=args.weeks)
    print(format_trends(trends))
    png = args.png or settings.recap_dir / f"stats-{args.chat or 'all'}.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(render_trend_png(trends, f"Participants per chat ({args.chat or 'all chats'})"))
    print(f"\ntrend chart: {png}")
    return 0


async def _load(path: Path, chat: str | None) -> TrendRows:
    async with await Store.open(path) as store:
        return await load_trend_rows(store, chat)
