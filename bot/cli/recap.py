"""`leadershipchat recap`: regenerate a session's recap files, or make one from an export.

leadershipchat recap 12 --out recaps/            (from the database)
leadershipchat recap --last
leadershipchat recap --from-export chat.json [thread.json ...] --host Hana --out recap/
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config, row_id
from bot.cli.database import RESTORE_HINT, with_store
from bot.cli.outputs import output_folder, writing
from bot.cli.user_paths import shown
from bot.config import ChatSettings, Settings
from bot.domain.sessions import HELD
from bot.durations import parse_duration
from bot.recap import build_recap, load_recap_input, parse_formats, write_recap_files
from bot.recap.dce import ExportError, ExportOptions, input_from_exports, load_export
from bot.recap.dce_read import EARLIEST, LATEST
from bot.recap.display import zone_of
from bot.recap.files import files_of_others
from bot.recap.model import Recap
from bot.store import Store
from bot.topics import TopicFileError, load_topic_file


def register(sub: Any) -> None:
    p = sub.add_parser(
        "recap",
        help="write a session's recap files (md, html, json, csv, png), from the DB or an export",
        description="Write recap.md, transcript.md, recap.html, recap.json, messages.csv and"
        " activity.png for a session in the database, or for a chat exported with"
        " DiscordChatExporter (JSON format).",
    )
    p.add_argument("session", nargs="?", type=row_id, help="session id (see --last)")
    p.add_argument("--last", action="store_true", help="the most recent chat that took place")
    p.add_argument("--chat", help="chat name from the config (hashtag, time zone)")
    p.add_argument("--out", type=Path, help="folder (default for the DB: recap_dir/CHAT-DATE)")
    p.add_argument("--format", default="md,html,json,csv,png", help="comma-separated formats")
    x = p.add_argument_group("from a DiscordChatExporter JSON export")
    x.add_argument(
        "--from-export",
        nargs="+",
        action="extend",
        type=Path,
        metavar="FILE",
        help="the channel's export, then any exports of its question threads",
    )
    x.add_argument(
        "--host",
        action="append",
        default=[],
        metavar="NAME_OR_ID",
        help="a host (their Qn: posts are the questions); repeat for several",
    )
    x.add_argument("--topic", type=Path, help="topic file with the title and question texts")
    x.add_argument("--title", help="title when there is no topic file")
    x.add_argument("--start", help="chat start, ISO 8601 (default: the welcome post / Q1 - 5m)")
    x.add_argument("--duration", default="1h", help="chat length (default 1h)")
    x.add_argument("--late-window", default="12h", help="late answers window (default 12h)")
    x.add_argument("--tz", help="IANA time zone for the recap (default: the export's offset)")
    x.add_argument(
        "--exclude", action="append", default=[], metavar="NAME_OR_ID", help="leave a member out"
    )
    x.add_argument(
        "--hide", action="append", default=[], type=int, metavar="MESSAGE_ID", help="leave out"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        formats = parse_formats(args.format)
    except ValueError as exc:
        raise CliError(f"--format: {exc}") from None
    if args.out is not None:
        output_folder(args.out, "--out")
    if args.from_export:
        if args.session is not None or args.last:
            raise CliError("give either --from-export or a session (id or --last), not both")
        if args.out is None:
            raise CliError("--from-export needs --out DIR")
        recap = _from_export(args)
        out: Path = args.out
        _not_someone_elses(out, recap, formats, "--out")
    else:
        settings = load_config(args, read_only=True)
        if args.session is None and not args.last:
            raise CliError("which session? give its id, --last, or --from-export FILE")
        recap = with_store(settings.database, lambda store: _from_db(args, settings, store))
        out = args.out or output_folder(settings.recap_dir / recap.slug, "recap_dir")
        _not_someone_elses(out, recap, formats, "--out" if args.out else "recap_dir")
        if (session_id := recap.session_id) is not None:
            where = out.resolve()
            with_store(
                settings.database, lambda store: _remember(store, where, session_id, formats)
            )
    with writing("--out" if args.out else "recap_dir", out):
        written = write_recap_files(recap, out, formats)
    for path in written:
        print(path)
    return 0


def _not_someone_elses(out: Path, recap: Recap, formats: frozenset[str], what: str) -> None:
    """Refuse a folder holding a file of the recap's names that this code did not write."""
    if taken := files_of_others(out, recap, formats):
        raise CliError(
            f"{what} {shown(out)} holds {taken[0]} that leadershipchat did not write (nothing "
            "was written): give an empty folder, or one an earlier `leadershipchat recap` wrote"
        )


async def _remember(store: Store, out: Path, session_id: int, formats: frozenset[str]) -> None:
    """Note where the files go: forgetting a member rewrites this copy too."""
    await store.redo.record_output(
        "recap", out, datetime.now(UTC), session_id=session_id, formats=",".join(sorted(formats))
    )


def _chat(args: argparse.Namespace, settings: Settings | None) -> ChatSettings | None:
    if settings is None:
        return None
    try:
        return settings.chat(args.chat)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None


async def _from_db(args: argparse.Namespace, settings: Settings, store: Store) -> Recap:
    session_id = args.session
    if args.last:
        now = datetime.now(UTC)
        held = [
            s
            for s in await store.sessions.recent(args.chat, limit=100)
            if s.status in HELD and s.start_at <= now
        ]
        if store.sessions.damaged:  # the last chat may be one of them: do not guess
            first = next(iter(store.sessions.damaged.values()))
            raise CliError(
                f"{settings.database} is damaged: {first}, so `recap --last` cannot tell which"
                f" chat was last: give a session id (`leadershipchat recap ID`), or {RESTORE_HINT}"
            )
        if not held:
            raise CliError("no chat has taken place yet")
        session_id = held[0].id
    session = await store.sessions.get(session_id)
    if session is None:
        raise CliError(f"no session with id {session_id}")
    names = {c.name for c in settings.chats}
    chat = settings.chat(session.chat) if session.chat in names else None
    return build_recap(await load_recap_input(store.recap_source, session_id, chat))


def _from_export(args: argparse.Namespace) -> Recap:
    chat = _chat(args, load_config(args, read_only=True)) if args.chat else None
    tz = args.tz or (chat.schedule.timezone if chat else None)
    if tz and zone_of(tz) is UTC and tz.upper() not in ("UTC", "Z"):
        raise CliError(f"--tz {tz!r} is not a known time zone (an IANA name like Europe/Berlin)")
    topic = None
    if args.topic:
        try:
            topic = load_topic_file(args.topic)
        except TopicFileError as exc:
            raise CliError(str(exc)) from None
    try:
        options = ExportOptions(
            hosts=tuple(args.host),
            topic=topic,
            title=args.title,
            chat=chat.name if chat else None,
            hashtag=chat.hashtag if chat else None,
            start=_start(args.start, tz),
            duration=_duration("--duration", args.duration),
            late_window=_duration("--late-window", args.late_window),
            timezone=tz,
            exclude=tuple(args.exclude),
            hide=frozenset(args.hide),
        )
        exports = [load_export(path) for path in args.from_export]
        sources = [str(path) for path in args.from_export]
        return build_recap(input_from_exports(exports, options, sources=sources))
    except (ExportError, ValueError) as exc:
        raise CliError(str(exc)) from None


def _duration(option: str, text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CliError(f"{option}: {exc}") from None


def _start(text: str | None, tz: str | None) -> datetime | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"--start {text!r} is not an ISO 8601 time (2024-05-07T20:00-04:00)"
        ) from None
    if at.tzinfo is None:
        if not tz:
            raise CliError("--start needs a UTC offset (2024-05-07T20:00-04:00) or --tz")
        at = at.replace(tzinfo=zone_of(tz))
    if not EARLIEST <= at < LATEST:
        raise CliError(f"--start {text!r} is not a time a chat can have (2015 to 2999)")
    return at
