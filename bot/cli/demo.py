"""`leadershipchat demo`: rehearse a whole chat offline (no token, no network)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config
from bot.cli.outputs import output_folder, writing
from bot.topics import TopicFileError, load_catalog, load_topic_file


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo",
        help="run a complete compressed chat with scripted members, offline, and write its recap",
        description="Runs the real engine, store and recap code with scripted members and an in-memory "
        "Discord stand-in. No token, no network.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("demo-out"),
        help="where recap files go (default ./demo-out)",
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=120.0,
        help="how much faster than real time (default 120: the evening in about 40 s)",
    )
    parser.add_argument(
        "--topic",
        type=Path,
        default=None,
        help="topic file to run (default: the first in prompts_dir)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    if not 10 <= args.speed <= 1200:
        raise CliError(
            "--speed must be between 10 (the evening in 8 minutes) and 1200 (in 4 seconds)"
        )
    upcoming = []
    if args.topic is not None:
        try:
            topic = load_topic_file(args.topic)
        except TopicFileError as exc:
            raise CliError(str(exc)) from None
    else:
        settings = load_config(args, read_only=True)
        catalog = load_catalog([settings.prompts_dir], settings)
        if not catalog.topics:
            raise CliError(f"no topic files in {settings.prompts_dir}; pass one with --topic FILE")
        topic, *upcoming = catalog.topics
    output_folder(args.out, "--out")
    with writing("--out", args.out):
        files = asyncio.run(run_demo(topic, args.out, args.speed, upcoming=upcoming))
    print("\nRecap files:")
    for path in files:
        print(f"  {path}")
    return 0
