"""The ceiling: a bare discord.py client whose `on_message` only counts (subprocess entry point).

It connects with the bot's intents (so it parses the same payloads and caches the same members),
prints READY, and once `--expect` member messages have arrived writes the arrival time of each
one's id to `--result` and exits. Usage (the benchmark starts it):
`python -m bench.bareclient --api-base URL --gateway URL --expect N --result FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import time
from pathlib import Path

import discord
import yarl


class BareClient(discord.Client):
    def __init__(self, expect: int, timeout: float) -> None:
        from bot.discord.client import bot_intents

        super().__init__(intents=bot_intents(), guild_ready_timeout=0.1)
        self.expect = expect
        self.timeout = timeout
        self.arrivals: list[tuple[int, float]] = []
        self.done = asyncio.Event()

    async def on_ready(self) -> None:
        print("READY", flush=True)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        self.arrivals.append((message.id, time.time()))
        if len(self.arrivals) >= self.expect:
            self.done.set()


async def main(args: argparse.Namespace) -> dict[str, list[tuple[int, float]]]:
    discord.http.Route.BASE = args.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway)
    client = BareClient(args.expect, args.timeout)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, client.done.set)
    async with client:
        runner = asyncio.create_task(client.start(os.environ["DISCORD_TOKEN"]))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client.done.wait(), args.timeout)
        await client.close()
        runner.cancel()
    return {"arrivals": client.arrivals}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--gateway", required=True)
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--result", required=True)
    args = parser.parse_args()
    Path(args.result).write_text(json.dumps(asyncio.run(main(args))))
