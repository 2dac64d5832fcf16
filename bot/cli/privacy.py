"""`leadershipchat purge` (retention by hand) and `leadershipchat forget USER_ID` (erasure)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.cli.common import CliError, load_config
from bot.config import Settings
from bot.maintenance.forget import ForgetReport, finish_pending, forget_member, with_redone
from bot.maintenance.republish import Redone
from bot.maintenance.retention import purge_expired
from bot.store import SchemaError, Store


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "purge",
        help="drop message text older than each chat's privacy.retention_days (counts stay)",
    )
    parser.set_defaults(func=run_purge)

    parser = sub.add_parser(
        "forget",
        help="erase everything stored about one member (messages, reactions, stats, settings)",
    )
    parser.add_argument("user_id", type=int, help="the member's Discord user id")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run_forget)


async def _open(settings: Settings) -> Store:
    if not settings.database.is_file():
        raise CliError(f"database {settings.database} does not exist", 1)
    try:
        return await Store.open(settings.database)
    except SchemaError as exc:
        raise CliError(str(exc), 1) from None


def run_purge(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=False)

    async def go() -> tuple[int, list[Redone]]:
        async with await _open(settings) as store:
            now = datetime.now(UTC)
            n = await purge_expired(store, settings, now)
            return n, await finish_pending(store, settings, now)

    n, redone = asyncio.run(go())
    days = ", ".join(f"{c.name}: {c.privacy.retention_days} days" for c in settings.chats)
    print(f"purged the text of {n} message(s) past retention ({days}); counts are kept")
    for r in redone:
        print(f"session {r.session_id} ({r.stage}): {r.note}")
    if redone:
        print("The bot edits its Discord recap posts of these sessions when it runs.")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=False)
    if args.user_id <= 0:
        raise CliError("USER_ID is a Discord user id (a long positive number)")
    if not args.yes:
        try:
            answer = input(
                f"Erase everything stored about member {args.user_id}? This cannot be undone [y/N] "
            )
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing was erased")
            return 1

    async def go() -> ForgetReport:
        async with await _open(settings) as store:
            now = datetime.now(UTC)
            report = await forget_member(store, args.user_id, now=now)
            # Files now; Discord posts are the bot's to edit (this command may run without it).
            return with_redone(report, await finish_pending(store, settings, now))

    for line in asyncio.run(go()).lines():
        print(line)
    return 0
