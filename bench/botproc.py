"""The real bot, measured (subprocess entry point).

Runs `bot.discord.runner.run_bot`, the code behind `leadershipchat run`, with a rehearsal session
starting `--start-in` seconds after start-up. Two hooks (and discord.py's start-up wait for more
servers shortened to 0.1 s), nothing else changed:

* commit times: the store method that writes a run of live member messages returns once its
  statement has committed (autocommit, WAL); a wrapper records `time.time()` for each message id
  it stored right then;
* `READY` on stdout when the bot's `on_ready` (and its history backfill) has finished.

`--naive` swaps in the pre-tuning capture path (`bench.naive`). On SIGTERM the bot stops cleanly
and the commit times go to `--result` as JSON.
Usage: `python -m bench.botproc --config FILE --start-in SECONDS [--naive] --result FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.domain.messages import Added, MessageRow
from bot.store.messages import Messages

Commits = list[tuple[int, float]]


def record_commits(naive: bool) -> Commits:
    """Wrap the write of a live member message to note when each one committed."""
    commits: Commits = []
    if naive:
        from bench import naive as baseline

        baseline.install()
        add = Messages.add

        async def timed_add(self: Messages, message: MessageRow) -> bool:
            stored = await add(self, message)
            if stored:
                commits.append((message.id, time.time()))
            return stored

        Messages.add = timed_add  # type: ignore[method-assign]
    else:
        add_members = Messages.add_member_messages

        async def timed_add_members(
            self: Messages, messages: Sequence[MessageRow]
        ) -> dict[int, Added]:
            added = await add_members(self, messages)
            now = time.time()
            commits.extend((message_id, now) for message_id in added)
            return added

        Messages.add_member_messages = timed_add_members  # type: ignore[method-assign]
    return commits


def announce_ready() -> None:
    """Print READY after `on_ready`; and skip discord.py's 2 s wait for more GUILD_CREATEs
    (`guild_ready_timeout`, as the tests' FAST_CLIENT_OPTIONS do): start-up is not measured."""
    from bot.discord.client import LeadershipBot

    on_ready = LeadershipBot.on_ready
    init = LeadershipBot.__init__

    def fast_init(self: LeadershipBot, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("guild_ready_timeout", 0.1)
        init(self, *args, **kwargs)

    LeadershipBot.__init__ = fast_init  # type: ignore[method-assign]

    async def ready_then_say_so(self: LeadershipBot) -> None:
        await on_ready(self)
        print("READY", flush=True)

    LeadershipBot.on_ready = ready_then_say_so  # type: ignore[method-assign]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    from bot.cli.run import other_platforms
    from bot.config import load_settings
    from bot.discord.client import Rehearsal
    from bot.discord.runner import run_bot

    commits = record_commits(args.naive)
    announce_ready()
    settings = load_settings(Path(args.config))
    started = time.time()
    code = await run_bot(
        settings,
        os.environ["DISCORD_TOKEN"],
        rehearsal=Rehearsal(timedelta(seconds=args.start_in)),
        platforms=other_platforms(settings),  # Bluesky, when the config has a section
    )
    result: dict[str, Any] = {
        "commits": commits,
        "started_at": started,
        "exit": code,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--start-in", type=float, default=3.0)
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--result", required=True)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    args = parser.parse_args()
    outcome = asyncio.run(main(args))
    Path(args.result).write_text(json.dumps(outcome))
    sys.exit(outcome["exit"])
