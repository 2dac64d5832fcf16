"""`leadershipchat run`: the bot itself. The token comes from DISCORD_TOKEN, never the config."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.cli.common import CliError, load_config, seconds
from bot.cli.database import DatabaseBusy, check_database
from bot.config import Settings

if TYPE_CHECKING:
    from bot.discord.runner import PlatformsFor
    from bot.store import Store


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
        type=seconds,
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


# A bot token is one word of printable ASCII (letters, digits, `.`, `_`, `-`).
_TOKEN_CHARS = re.compile(r"[\x21-\x7e]+")


def bot_token(raw: str) -> str:
    """DISCORD_TOKEN as Discord expects it; CliError (never echoing the value) when it cannot be."""
    token = raw.strip()
    if token.startswith("Bot "):  # copied with the Authorization header's prefix
        token = token.removeprefix("Bot ").strip()
    if not token:
        raise CliError(
            "DISCORD_TOKEN is not set: export the bot token from the Discord Developer Portal "
            "(your application > Bot > Reset Token) as DISCORD_TOKEN"
        )
    if not _TOKEN_CHARS.fullmatch(token):
        raise CliError(
            "DISCORD_TOKEN holds a line break, a space or another character no token has "
            "(a copy-paste slip?): set it again to the token alone, on one line"
        )
    return token


def other_platforms(settings: Settings) -> PlatformsFor | None:
    """Bluesky when a chat has a `bluesky:` section (the atproto SDK is loaded only then)."""
    if not any(c.bluesky is not None for c in settings.chats):
        return None
    from bot.bluesky.platform import BlueskyPlatform
    from bot.clock import SystemClock

    def build(store: Store) -> list[BlueskyPlatform]:
        return [BlueskyPlatform(settings, store, clock=SystemClock(), environ=os.environ)]

    return build


def run(args: argparse.Namespace) -> int:
    token = bot_token(os.environ.get("DISCORD_TOKEN", ""))
    settings = load_config(args, read_only=False)
    try:
        check_database(settings.database, may_create=True)
    except DatabaseBusy as exc:  # may pass: exit 1, so a service manager tries again
        raise CliError(str(exc), code=1) from None
    if args.chat is not None:
        try:
            settings.chat(args.chat)
        except KeyError as exc:
            raise CliError(str(exc.args[0])) from None
    from bot.discord.client import Rehearsal
    from bot.discord.runner import StartupError, run_bot

    rehearsal = (
        Rehearsal(timedelta(seconds=args.start_in), args.chat)
        if args.start_in is not None
        else None
    )
    try:
        return asyncio.run(
            run_bot(settings, token, rehearsal=rehearsal, platforms=other_platforms(settings))
        )
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_status
