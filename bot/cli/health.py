"""`leadershipchat health`: the Docker HEALTHCHECK. Exit 0 healthy, 1 unhealthy, with the reason.

Every failure, a broken config included, is exit 1: Docker reserves 2, and a health probe that
cannot read its config is unhealthy, not a usage error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cli.common import CliError, load_config, seconds
from bot.maintenance.heartbeat import STALE_AFTER, check_health


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "health",
        help="exit 0 if the running bot's heartbeat is fresh, else 1 with the reason",
    )
    parser.add_argument(
        "--stale-after",
        type=seconds,
        default=STALE_AFTER.total_seconds(),
        metavar="SECONDS",
        help=f"heartbeat older than this is unhealthy (default {STALE_AFTER.total_seconds():.0f})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_config(args, read_only=False)
    except CliError as exc:
        print(f"unhealthy: config: {exc}", file=sys.stderr)
        return 1
    health = check_health(
        settings.database, datetime.now(UTC), stale_after=timedelta(seconds=args.stale_after)
    )
    if health.ok:
        print(health.reason)
        return 0
    print(f"unhealthy: {health.reason}", file=sys.stderr)
    return 1
