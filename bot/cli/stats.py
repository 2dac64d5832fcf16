"""`leadershipchat stats`: how the chat is doing across weeks, with a PNG trend chart."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config
from bot.recap.trends import Contributor, Trends, build_trends, load_trend_rows, render_trend_png
from bot.store import Store


def register(sub: Any) -> None:
    p = sub.add_parser("stats", help="participants, newcomers and returning members per week")
    p.add_argument("--weeks", type=int, default=12, help="how many recent chats (default 12)")
    p.add_argument("--chat", help="one chat by name (default: every chat)")
    p.add_argument("--png", type=Path, help="trend chart file (default: recap_dir/stats-CHAT.png)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.weeks < 1:
        raise CliError("--weeks must be at least 1")
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


async def _load(path: Path, chat: str | None) -> Any:
    async with await Store.open(path) as store:
        return await load_trend_rows(store, chat)


def _people(title: str, people: tuple[Contributor, ...]) -> list[str]:
    lines = [f"\n{title}"]
    if not people:
        return [*lines, "  nobody yet"]
    for i, c in enumerate(people, start=1):
        lines.append(
            f"  {i:>2}. {c.name:<24} {c.answers:>5} answers {c.messages:>6} messages"
            f" {c.sessions:>4} chats"
        )
    return lines


def format_trends(trends: Trends) -> str:
    """The table the CLI prints (and a Discord command can put in a code block)."""
    lines = [
        f"{'date':<11} {'chat':<16} {'people':>6} {'new':>4} {'returning':>9} {'came back':>9}"
        f" {'answers':>7}  title"
    ]
    for w in trends.weeks:
        back = f"{w.retained:.0%}" if w.retained is not None else "-"
        lines.append(
            f"{w.chat_date.isoformat():<11} {w.chat:<16} {w.participants:>6} {w.newcomers:>4}"
            f" {w.returning_rate:>9.0%} {back:>9} {w.answers:>7}  {w.title}"
        )
    if not trends.weeks:
        lines.append("no chats yet")
    else:
        people = sum(w.participants for w in trends.weeks)
        returning = sum(w.returning for w in trends.weeks)
        lines.append(
            f"\nreturning rate over these chats: {returning / people:.0%}" if people else ""
        )
    lines += _people(f"Top contributors in {trends.month:%B %Y}", trends.top_month)
    lines += _people("Top contributors of all time", trends.top_all_time)
    return "\n".join(lines)
