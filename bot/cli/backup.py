"""`leadershipchat backup DEST` and `leadershipchat restore FILE`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config
from bot.cli.outputs import output_folder
from bot.maintenance.backup import BackupError, make_backup, restore
from bot.store import SCHEMA_VERSION


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "backup",
        help="copy the database (safe while the bot runs) and keep the newest N copies",
    )
    parser.add_argument(
        "dest",
        nargs="?",
        type=Path,
        default=None,
        help="folder for leadershipchat-YYYYMMDD-HHMM.db (default: backup.dir in the config)",
    )
    parser.add_argument(
        "--keep", type=int, default=None, help="copies to keep (default: backup.keep)"
    )
    parser.set_defaults(func=run_backup)

    parser = sub.add_parser(
        "restore",
        help="replace the database with a backup (checked first; stop the bot before)",
    )
    parser.add_argument("file", type=Path, help="a backup made by `leadershipchat backup`")
    parser.add_argument(
        "--force",
        action="store_true",
        help="restore even though the bot's heartbeat is fresh (it may still be running)",
    )
    parser.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=False)
    dest = args.dest if args.dest is not None else settings.backup.dir
    keep = args.keep if args.keep is not None else settings.backup.keep
    if keep < 1:
        raise CliError("--keep must be at least 1")
    output_folder(dest, "backup folder")
    try:
        done = make_backup(settings.database, dest, now=datetime.now(UTC), keep=keep)
    except BackupError as exc:  # what the host can do something about: exit 2 like any input
        raise CliError(str(exc)) from None
    print(f"backup written: {done.path}")
    for old in done.removed:
        print(f"removed old backup: {old}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=False)
    try:
        done = restore(args.file, settings.database, now=datetime.now(UTC), force=args.force)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"restored {args.file} into {done.database}")
    if done.previous and done.previous_damaged:
        print(
            f"the replaced database was damaged; its files were kept as they were: {done.previous}"
        )
    elif done.previous:
        print(f"the replaced database was kept as {done.previous}")
    if done.from_version < SCHEMA_VERSION:
        print(
            f"the backup has schema v{done.from_version}; it is upgraded to "
            f"v{SCHEMA_VERSION} when the bot next starts"
        )
    return 0
