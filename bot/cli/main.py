"""Entry point: builds the parser from each command module; user errors exit 2 with a message,
anything unexpected exits 1 with one line and a crash log (`crash.py`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.cli import backup, demo, health, privacy, prompts, recap, run, schedule, site, stats
from bot.cli.common import EXIT_USAGE, CliError
from bot.cli.crash import EXIT_UNEXPECTED, report_crash
from bot.cli.user_paths import may_pass, path_problem
from bot.logs import setup_logging

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`
COMMANDS = (prompts, schedule, demo, run, health, backup, privacy, recap, stats, site)


class _Parser(argparse.ArgumentParser):
    """argparse that says how to get help when the input is wrong."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(try `{self.prog} --help`)\n")


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every command takes, before or after the command name (`schedule --config F`).

    Below the top level their default is SUPPRESS, so a value given before the command is not
    overwritten by the subcommand's default."""

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    parser.add_argument(
        "--config",
        type=Path,
        default=default(None),
        help="config file (default: config.yaml; read-only commands fall back to config.example.yaml)",
    )
    parser.add_argument(
        "--log-level", default=default("INFO"), choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--log-format", default=default("text"), choices=["text", "json"])
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show the traceback of an unexpected error instead of writing a crash log",
    )


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every command parser below `parser`, nested ones (`prompts draft`) included."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += [child, *_subparsers(child)]
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="leadershipchat",
        description="Run a weekly Twitter-style chat on Discord: questions on time, answers collected, recaps.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    for child in _subparsers(parser):
        _global_options(child, top=False)
    return parser


def _command(args: argparse.Namespace) -> str:
    """`recap`, `prompts draft`: how the user named the command that failed."""
    words = [args.command] + [
        str(value) for key, value in vars(args).items() if key.endswith("_command") and value
    ]
    return " ".join(words)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, usage errors (exit 2): a code, as below
        return done.code if isinstance(done.code, int) else EXIT_USAGE
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
    except BrokenPipeError:  # `leadershipchat schedule | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the one guard: a bug is one line and a crash log, never a traceback
        if isinstance(exc, OSError | RuntimeError) and (problem := path_problem(exc, args)):
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_UNEXPECTED if may_pass(exc) else EXIT_USAGE  # 1: it may pass
        return report_crash(_command(args), exc, debug=args.debug)
    return code
