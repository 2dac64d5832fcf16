"""`leadershipchat run`: the bot itself. The token comes from DISCORD_TOKEN, never the config."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import timedelta
from typing import Any

from bot.cli.common import CliError, load_config


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "run",
        help="connect to Discord and run the chats (token from the DISCORD_TOKEN variable)",
        description=(
            "Run the bot until stopped (SIGTERM or Ctrl-C stop it cleanly). The bot token is read "
            "from the DISCORD_TOKEN environment variable."
        ),
    )
    parser.add_argument(
        "--start-in",
        type=float,
        metavar="SECONDS",
        default=None,
        help=(
            "rehearsal: also plan a one-off session starting SECONDS from now, with the topic "
            "file of that date (restarting reuses the session already planned for that date)"
        ),
    )
    parser.add_argument(
        "--chat", metavar="NAME", help="the chat --start-in plans (default: the first)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        raise CliError(
            "DISCORD_TOKEN is not set: export the bot token from the Discord Developer Portal "
            "(your application > Bot > Reset Token) as DISCORD_TOKEN"
        )
    settings = load_config(args, read_only=False)
    if args.chat is not None:
        try:
            settings.chat(args.chat)
        except KeyError as exc:
            raise CliError(str(exc.args[0])) from None
    if args.start_in is not None and args.start_in < 0:
        raise CliError("--start-in needs a number of seconds, 0 or more")
    from bot.discord.client import Rehearsal
    from bot.discord.runner import StartupError, run_bot

    rehearsal = (
        Rehearsal(timedelta(seconds=args.start_in), args.chat)
        if args.start_in is not None
        else None
    )
    try:
        return asyncio.run(run_bot(settings, token, rehearsal=rehearsal))
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
