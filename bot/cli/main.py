"""Entry point: builds the parser from each command module and turns user errors into exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.cli import backup, demo, health, privacy, prompts, recap, run, schedule, site, stats
from bot.cli.common import EXIT_USAGE, CliError
from bot.logs import setup_logging

COMMANDS = (prompts, schedule, demo, run, health, backup, privacy, recap, stats, site)


class _Parser(argparse.ArgumentParser):
    """argparse that says how to get help when the input is wrong."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(try `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="leadershipchat",
        description="Run a weekly Twitter-style chat on Discord: questions on time, answers collected, recaps.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default: config.yaml; read-only commands fall back to config.example.yaml)",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--log-format", default="text", choices=["text", "json"])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_level, args.log_format)
    args.config_given = args.config is not None
    if args.config is None:
        args.config = Path("config.yaml")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"error: {exc}" if "\n" not in str(exc) else str(exc), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    return code
