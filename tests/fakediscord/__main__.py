"""Run the fake as its own process: ``python -m tests.fakediscord [--port N]``.

Prints one JSON line with ``api_base``, ``gateway_url``, ``control_url``, ``token`` and ids, then
serves until SIGINT/SIGTERM. Drive it through the HTTP control API (``/_control/...``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal

from .server import FakeDiscord


async def serve(args: argparse.Namespace) -> None:
    fake = FakeDiscord(
        port=args.port,
        heartbeat_interval_ms=args.heartbeat_ms,
        default_guild=not args.no_default_guild,
        interaction_response_timeout=args.interaction_timeout or None,
        message_rate_limit=(5, 5.0) if args.rate_limit else None,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with fake:
        info = {
            "api_base": fake.api_base,
            "gateway_url": fake.gateway_url,
            "control_url": fake.control_url,
            "token": fake.token,
            "application_id": str(fake.application_id),
            "bot_user_id": str(fake.bot_user_id),
        }
        print(json.dumps(info), flush=True)
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakediscord")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--heartbeat-ms", type=int, default=41250)
    parser.add_argument("--no-default-guild", action="store_true")
    parser.add_argument("--interaction-timeout", type=float, default=3.0, help="0 disables")
    parser.add_argument("--rate-limit", action="store_true", help="5 sends / 5 s per channel")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
