"""`leadershipchat purge` (retention by hand) and `leadershipchat forget USER_ID` (erasure)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from bot.cli.common import load_config, row_id
from bot.cli.database import check_database, with_store
from bot.config_bluesky import account_key
from bot.maintenance.forget import (
    ForgetReport,
    finish_pending,
    forget_account,
    forget_member,
    with_redone,
)
from bot.maintenance.republish import Redone
from bot.maintenance.retention import purge_expired
from bot.store import Store
from bot.unsafe_text import escaped


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
    parser.add_argument(
        "member",
        type=member_ref,
        help="the member's Discord user id, or their Bluesky handle or DID",
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run_forget)


def member_ref(text: str) -> int | str:
    """argparse type: a Discord user id (a number), else a Bluesky handle or DID."""
    if text.strip().lstrip("+-").isdigit():
        return row_id(text.strip())
    account = account_key(text)
    if account is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a Discord user id (a number) nor a Bluesky handle or DID"
        )
    return account


def run_purge(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=False)

    async def go(store: Store) -> tuple[int, list[Redone]]:
        now = datetime.now(UTC)
        n = await purge_expired(store, settings, now)
        return n, await finish_pending(store, settings, now)

    n, redone = with_store(settings.database, go, writes=True)
    days = ", ".join(f"{c.name}: {c.privacy.retention_days} days" for c in settings.chats)
    print(f"purged the text of {n} message(s) past retention ({days}); counts are kept")
    for r in redone:
        print(escaped(f"session {r.session_id} ({r.stage}): {r.note}"))  # notes name folders
    if redone:
        print("The bot edits its Discord recap posts of these sessions when it runs.")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=False)
    check_database(settings.database)  # before asking: nothing to confirm if it cannot work
    member = args.member
    who = f"member {member}" if isinstance(member, int) else f"Bluesky account {member}"
    if not args.yes:
        try:
            answer = input(f"Erase everything stored about {who}? This cannot be undone [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing was erased")
            return 1

    async def go(store: Store) -> ForgetReport:
        now = datetime.now(UTC)
        if isinstance(member, int):
            report = await forget_member(store, member, now=now)
        else:
            report = await forget_account(store, "bluesky", member, now=now)
        # Files now; Discord posts are the bot's to edit (this command may run without it).
        return with_redone(report, await finish_pending(store, settings, now))

    for line in with_store(settings.database, go, writes=True).lines():
        print(escaped(line))  # the redone notes name folders the database holds
    return 0
