"""`leadershipchat prompts draft SOURCE`: a host's prep post -> a commented topic file draft.

The drafting itself is the pure `bot.drafting.draft_topic`; this module only reads the source
(file, stdin or URL), asks the config for the chat's upcoming dates and the topic files for the
dates already taken, and writes the YAML.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.bounded_read import read_at_most
from bot.drafting import MAX_SOURCE_BYTES, DraftError, SourceKind, decode_source, detect_kind
from bot.topics import is_web_address

EXIT_INPUT = 2


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-24") from None


def _web_address(value: str) -> str:
    """--url: what `prompts validate` accepts as a prep_post, so no draft holds javascript:."""
    if not is_web_address(value.strip()):
        shown = value if len(value) <= 80 else value[:79] + "…"
        raise argparse.ArgumentTypeError(f"{shown!r} is not a web address (https://...)")
    return value.strip()


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register `draft` under `leadershipchat prompts`."""
    parser = subparsers.add_parser(
        "draft",
        help="draft a topic file from a host's prep blog post",
        description=(
            "Read a prep post (text, Markdown or HTML file, - for stdin, or an http(s) URL) and "
            "write a topic YAML draft: title, chat date, co-hosts and candidate questions taken "
            "from the post. Guesses are marked with comments; edit them, then run "
            "`leadershipchat prompts validate`."
        ),
    )
    parser.add_argument("source", metavar="SOURCE", help="file, - (stdin) or http(s) URL")
    parser.add_argument("--chat", metavar="NAME", help="configured chat (default: the first)")
    parser.add_argument(
        "--date", type=_iso_date, metavar="YYYY-MM-DD", help="chat date (default: from the post)"
    )
    parser.add_argument(
        "--url",
        type=_web_address,
        help="prep post address for the topic, http(s) (default: SOURCE if a URL)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write the draft here; a folder gets DATE-TITLE.yaml (default or -: standard output)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")
    parser.set_defaults(func=run)


def _now() -> datetime:
    """The clock, in one place so tests can pin it."""
    return datetime.now(UTC)


def _is_url(source: str) -> bool:
    return bool(re.match(r"^https?://", source, re.IGNORECASE))


def read_source(source: str) -> tuple[str, SourceKind | None, str | None]:
    """The post's text, its kind when the name tells, and the address it was fetched from (for
    a URL); DraftError if it cannot be read. Files and stdin are read up to the size limit."""
    if source == "-":
        return (
            decode_source(sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1), "standard input"),
            None,
            None,
        )
    if _is_url(source):
        from bot.drafting.fetch import fetch_source_sync

        page = fetch_source_sync(source)
        return page.text, page.kind, page.url
    path = Path(source)
    try:  # a FIFO nobody writes to reads as empty (the post is empty), never waits for ever
        data = read_at_most(path, MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise DraftError(f"{source}: no such file") from None
    except OSError as exc:
        raise DraftError(f"{source}: cannot read it ({exc.strerror})") from None
    text = decode_source(data, source)
    return text, detect_kind(text, path.name), None


def slug(title: str) -> str:
    """`Trust Is Built in Small Moments` -> `trust-is-built-in-small-moments` (for file names)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    out = "-".join(words)[:60].rstrip("-")
    return out or "topic"


def _output_path(target: Path, day: date, title: str) -> Path:
    return target / f"{day.isoformat()}-{slug(title)}.yaml" if target.is_dir() else target


def run(args: argparse.Namespace) -> int:
    """Draft and write; input problems print `error: ...` and return 2 (never a traceback)."""
    from bot.cli.common import CliError

    try:
        return _run(args)
    except (CliError, DraftError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code if isinstance(exc, CliError) else EXIT_INPUT


def _run(args: argparse.Namespace) -> int:
    from bot.cli.common import CliError, load_config
    from bot.drafting import render_draft_yaml
    from bot.drafting.for_chat import draft_for_chat
    from bot.topics import chat_of, load_catalog, off_weekday

    settings = load_config(args, read_only=True)
    try:
        chat = settings.chat(args.chat)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    if args.date is not None and (off := off_weekday(args.date, chat)) is not None:
        print(f"warning: --date {off}", file=sys.stderr)  # as `prompts validate` warns
    text, kind, fetched = read_source(args.source)
    folders = [settings.prompts_dir] if settings.prompts_dir.is_dir() else []
    taken: set[date] = set()
    for topic in load_catalog(folders, settings).topics:
        owner = chat_of(topic, settings)
        if owner is not None and owner.name == chat.name:
            taken.add(topic.date)
    draft = draft_for_chat(
        text,
        kind,
        chat,
        now=_now(),
        taken=taken,
        prep_url=args.url,
        source_url=fetched,
        date_override=args.date,
        chat_name=args.chat,
    )
    output = render_draft_yaml(draft)
    generated = sum(q.generated for q in draft.questions)
    summary = (
        f"{len(draft.questions)} question(s) for {draft.date.isoformat()}"
        + (f" ({generated} generated from the post's key ideas)" if generated else "")
        + (f", {len(draft.extra_questions)} more as comments" if draft.extra_questions else "")
        + "; check the lines marked `check`"
    )
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(output)
        print(f"drafted {summary}", file=sys.stderr)
        return 0
    path = _output_path(args.output, draft.date, draft.title)
    if path.exists() and not args.force:
        raise CliError(f"{path} already exists (use --force to overwrite it)")
    path.write_text(output, encoding="utf-8")  # an OSError names the path (`user_paths.py`)
    print(f"wrote {path}: {summary}", file=sys.stderr)
    return 0
