"""`leadershipchat prompts list|validate|draft`: the hosts' view of topic files."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli import prompts_draft
from bot.cli.common import load_config, weeks
from bot.timeline import chat_dates
from bot.topics import Severity, TopicCatalog, load_catalog, topic_files

UPCOMING_WEEKS = 8


def register(sub: Any) -> None:
    parser = sub.add_parser("prompts", help="list, validate and draft topic files")
    prompts_sub = parser.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)

    listing = prompts_sub.add_parser(
        "list", help="topics by date, and upcoming weeks with no topic yet"
    )
    listing.add_argument(
        "--weeks", type=weeks, default=UPCOMING_WEEKS, help="upcoming weeks to check"
    )
    listing.set_defaults(func=run_list)

    validate = prompts_sub.add_parser("validate", help="check topic files; exit 2 on errors")
    validate.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: prompts_dir)"
    )
    validate.set_defaults(func=run_validate)

    prompts_draft.add_parser(prompts_sub)


def run_validate(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=True)
    paths = args.paths or [settings.prompts_dir]
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"{p}: no such file or folder")
    catalog = load_catalog([p for p in paths if p.exists()], settings)
    for problem in sorted(catalog.problems, key=lambda p: (str(p.path), p.line)):
        print(problem)
    files = len(topic_files([p for p in paths if p.exists()]))
    errors = len(catalog.errors) + len(missing)
    warnings = sum(1 for p in catalog.problems if p.severity is Severity.WARNING)
    print(f"{files} file(s) checked: {errors} error(s), {warnings} warning(s)")
    return 2 if errors else 0


def run_list(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=True)
    catalog = load_catalog([settings.prompts_dir], settings)
    now = datetime.now(UTC)
    print(f"{'date':<11} {'chat':<16} {'questions':>9}  title")
    for topic in catalog.topics:
        chat = settings.chat(topic.chat) if topic.chat else settings.chats[0]
        print(
            f"{topic.date.isoformat():<11} {chat.name:<16} {len(topic.questions):>9}  {topic.title}"
        )
    for chat in settings.chats:
        missing = [
            d
            for d in chat_dates(chat.schedule, now, args.weeks)
            if catalog.for_date(chat.name, d, settings) is None
        ]
        if missing:
            print(f"\n{chat.name}: no topic yet for " + ", ".join(d.isoformat() for d in missing))
    warn_broken_topics(catalog)
    return 0


def warn_broken_topics(catalog: TopicCatalog) -> None:
    """A topic file with errors is left out (its date shows as having no topic): say so, in
    every command that shows topics, so the host does not think the file was never written."""
    if catalog.errors:
        print(
            f"\n{len(catalog.errors)} topic file problem(s); run `leadershipchat prompts validate`"
        )
