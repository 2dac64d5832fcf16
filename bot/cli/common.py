"""What every subcommand shares: finding and loading the config, clean exits on bad input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

EXIT_USAGE = 2
EXAMPLE_CONFIG = Path("config.example.yaml")
MAX_WEEKS = 520  # ten years of weekly chats: more is a typo, and dates end at year 9999


class CliError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2 unless given."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def weeks(text: str) -> int:
    """argparse type for --weeks: a whole number from 1 to MAX_WEEKS (argparse exits 2 otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of weeks") from None
    if not 1 <= value <= MAX_WEEKS:
        raise argparse.ArgumentTypeError(
            f"{text} weeks: give 1 to {MAX_WEEKS} (ten years of weekly chats)"
        )
    return value


MAX_SECONDS = 366 * 86400  # a year: any longer wait or age is a typo


def seconds(text: str) -> float:
    """argparse type for a number of seconds: finite, 0 to MAX_SECONDS."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= MAX_SECONDS:  # NaN fails this too
        raise argparse.ArgumentTypeError(f"{text}: give 0 to {MAX_SECONDS} seconds (a year)")
    return value


def row_id(text: str) -> int:
    """argparse type for a Discord id or a session id: a whole number from 1 to 2**63 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text} is not an id (a positive number below 2**63)")
    return value


def load_config(args: argparse.Namespace, *, read_only: bool) -> Settings:
    """Load --config; read-only commands fall back to config.example.yaml with a notice."""
    path: Path = args.config
    if not path.exists():
        if read_only and not args.config_given and EXAMPLE_CONFIG.exists():
            print(
                f"note: {path} not found; using {EXAMPLE_CONFIG} (copy it to {path} and edit it)",
                file=sys.stderr,
            )
            path = EXAMPLE_CONFIG
        else:
            raise CliError(
                f"config file {path} not found (copy config.example.yaml to {path} and edit it)"
            )
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        raise CliError("\n".join(exc.problems)) from None
    # The config's paths are the user's too: an error on one is theirs to fix (`user_paths.py`).
    args.config_paths = (
        path,
        settings.database,
        settings.prompts_dir,
        settings.recap_dir,
        settings.backup.dir,
    )
    return settings
