"""Recaps from DiscordChatExporter JSON exports, for chats a host ran by hand.

The export's messages become the same stored rows live capture writes, attributed by the same
function (bot.answers.attribute), and then go through the same build_recap.
Question posts are `Q<n>` messages by a bot account or a named host; their time fixes the clock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.answers import ChatClock, Incoming, ReplyTarget, attribute, parse_question_label
from bot.domain.messages import Attributed, MessageRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepRow, StepStatus
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.durations import format_duration
from bot.recap.dce_read import (
    EARLIEST,
    LATEST,
    ExportError,
    ExportMessage,
    channel_name,
    guild_id,
    load_export,
    read_messages,
)
from bot.recap.display import local
from bot.recap.inputs import RecapInput
from bot.recap.model import safe_name
from bot.topics import Topic

__all__ = ["ExportError", "ExportOptions", "input_from_exports", "load_export"]

log = logging.getLogger(__name__)
_Q_PREFIX = re.compile(r"^[\s*_~>|]*[Qq]\s?\d+[*_~]*\s*[:：\-–—.)]?[*_~]*\s*")
_HASHTAG = re.compile(r"(#\w+)$")  # on stripped text: no `\s*` to backtrack over
WELCOME_LOOKBACK = timedelta(minutes=30)
# Question numbers read from Qn posts: more is not a chat (a bot's "Q999999999:" would otherwise
# make a recap with a billion empty questions).
MAX_QUESTION = 50
SHOWN_REPEATS = 5  # repeated message ids named one by one in the warnings
MAX_DURATION, MAX_LATE_WINDOW = timedelta(days=7), timedelta(days=366)


@dataclass(frozen=True)
class ExportOptions:
    hosts: tuple[str, ...] = ()  # names, nicknames or ids (hosts' own Qn posts are questions)
    topic: Topic | None = None  # question texts, title, hosts and prep post
    title: str | None = None
    chat: str | None = None  # default: the channel's name
    hashtag: str | None = None  # default: found at the end of the question posts
    start: datetime | None = None  # default: the welcome post, else 5 minutes before Q1
    duration: timedelta = timedelta(hours=1)
    late_window: timedelta = timedelta(hours=12)
    timezone: str | None = None  # IANA name; default: the export's own UTC offset
    exclude: tuple[str, ...] = ()  # authors left out (opted out), by name or id
    hide: frozenset[int] = field(default_factory=frozenset)  # message ids left out


_Msg = ExportMessage


def _matches(m: _Msg, wanted: Sequence[str]) -> bool:
    return any(w.lower().lstrip("@") in m.handles for w in wanted)


def _question_text(text: str) -> tuple[str, str | None]:
    """`Q2: How do you ...? #LeadershipChat` -> ("How do you ...?", "#LeadershipChat")."""
    body = _Q_PREFIX.sub("", text, count=1).strip()
    tag = _HASHTAG.search(body)
    return (body[: tag.start()].strip() if tag else body), (tag[1] if tag else None)


def _start(msgs: Sequence[_Msg], first_q: datetime, hosts: Sequence[str]) -> datetime:
    """The welcome post (bot/host, shortly before Q1), else Q1 minus 5 minutes, on a 5-minute mark."""
    for m in msgs:
        before_q1 = first_q - WELCOME_LOOKBACK <= m.at < first_q
        if before_q1 and (m.bot or _matches(m, hosts)) and parse_question_label(m.text) is None:
            return m.at
    guess = first_q - timedelta(minutes=5)
    return guess - timedelta(
        minutes=guess.minute % 5, seconds=guess.second, microseconds=guess.microsecond
    )


def _offset_name(stamp: str) -> str:
    m = re.search(r"([+-]\d{2}:\d{2})$", stamp)
    return m[1] if m else "UTC"


def _once(read: Sequence[tuple[_Msg, str]]) -> list[_Msg]:
    """Each message id once (the earliest copy), saying so when an id came more than once:
    the same export given twice or overlapping exports (same text), or an edited file (not)."""
    kept: dict[int, tuple[_Msg, str]] = {}
    repeats: dict[int, list[tuple[_Msg, str]]] = {}
    for m, source in sorted(read, key=lambda pair: (pair[0].at, pair[0].id)):
        if m.id in kept:
            repeats.setdefault(m.id, []).append((m, source))
        else:
            kept[m.id] = (m, source)
    for n, (mid, extra) in enumerate(repeats.items()):
        if n == SHOWN_REPEATS:  # the same file given twice repeats every id: a few, then a count
            log.warning("... and %d more repeated message ids, each counted once", len(repeats) - n)
            break
        first = kept[mid][0]
        differ = any((e.text, e.author_id) != (first.text, first.author_id) for e, _ in extra)
        files = sorted({source for _, source in (kept[mid], *extra)})
        log.warning(
            "message id %d appears %d times (%s)%s; it is counted once",
            mid,
            len(extra) + 1,
            ", ".join(files),
            ": the copies differ, the earliest is kept" if differ else "",
        )
    return [m for m, _ in kept.values()]


def _question_posts(msgs: Sequence[_Msg], hosts: Sequence[str]) -> dict[int, _Msg]:
    posts: dict[int, _Msg] = {}
    for m in msgs:
        n = parse_question_label(m.text)
        if n is None or n < 1 or m.thread or not (m.bot or _matches(m, hosts)):
            continue
        if n > MAX_QUESTION:
            log.warning(
                "message %d starts with Q%d: more than %d questions is not a chat, so it is "
                "read as a plain message",
                m.id,
                n,
                MAX_QUESTION,
            )
            continue
        posts.setdefault(n, m)
    return posts


def _check(options: ExportOptions) -> None:
    if options.start is not None and not EARLIEST <= options.start < LATEST:
        raise ExportError(f"start {options.start.isoformat()}: not a time a chat can have")
    if not timedelta(0) < options.duration <= MAX_DURATION:
        raise ExportError(
            f"--duration {format_duration(options.duration)}: a chat lasts more than 0s and at"
            f" most {format_duration(MAX_DURATION)}"
        )
    if not timedelta(0) <= options.late_window <= MAX_LATE_WINDOW:
        raise ExportError(
            f"--late-window {format_duration(options.late_window)}: at most"
            f" {format_duration(MAX_LATE_WINDOW)}"
        )


def input_from_exports(
    exports: Sequence[Mapping[str, Any]],
    options: ExportOptions = ExportOptions(),
    *,
    sources: Sequence[str] = (),
) -> RecapInput:
    """One recap input from a channel export plus any exports of its question threads.

    `sources` names each export in error messages and warnings (its file name)."""
    if not exports:
        raise ExportError("no export given")
    _check(options)
    names = [sources[i] if i < len(sources) else f"export {i + 1}" for i in range(len(exports))]
    msgs = _once(
        [(m, name) for e, name in zip(exports, names, strict=True) for m in read_messages(e, name)]
    )
    main = exports[0]
    posts = _question_posts(msgs, options.hosts)
    if not posts:
        raise ExportError(
            "no question posts found: questions are messages starting with Q1:, Q2: ... by a bot"
            " account or a host (name the hosts with --host)"
        )
    first_q = min(p.at for p in posts.values())
    start = options.start.astimezone(UTC) if options.start else _start(msgs, first_q, options.hosts)
    close = max(start + options.duration, max(p.at for p in posts.values()) + timedelta(minutes=1))
    late_until = close + options.late_window
    topic = options.topic
    count = len(topic.questions) if topic else max(posts)
    clock = ChatClock(start, {n: p.at for n, p in posts.items()}, count, close, late_until)
    by_post = {p.id: n for n, p in posts.items()}
    excluded = {m.author_id for m in msgs if options.exclude and _matches(m, options.exclude)}
    seen: dict[int, tuple[tuple[int, ...], bool]] = {p.id: ((n,), True) for n, p in posts.items()}
    guild = guild_id(main, names[0])
    rows: list[MessageRow] = []
    for m in msgs:
        if m.id in seen or m.bot:
            continue
        target = None
        if m.reply_to is not None and m.reply_to in seen:
            questions, is_post = seen[m.reply_to]
            target = ReplyTarget(questions[0] if questions else None, is_question_post=is_post)
        host = _matches(m, options.hosts)
        a = attribute(
            Incoming(
                m.text,
                m.at,
                author_is_host=host,
                author_opted_out=m.author_id in excluded,
                reply_to=target,
                thread_question=by_post.get(m.channel_id) if m.thread else None,
            ),
            clock,
        )
        seen[m.id] = (a.questions, False)
        rows.append(
            MessageRow(
                id=m.id,
                session_id=None,
                channel_id=m.channel_id,
                thread_id=m.channel_id if m.thread else None,
                author_id=m.author_id,
                author_name=m.author,
                author_is_host=host,
                content=_unname(m, excluded),
                created_at=m.at,
                edited_at=m.edited_at,
                reply_to=m.reply_to,
                attribution=Attributed(
                    a.kind.value, a.questions, a.labels, a.unmatched_labels, a.late
                ),
                hidden=m.id in options.hide,
                reactions=m.reactions,
                jump_url=f"https://discord.com/channels/{guild}/{m.channel_id}/{m.id}"
                if guild
                else None,
            )
        )
    return _input(main, options, posts, rows, clock, excluded, guild)


def _unname(m: _Msg, excluded: set[int]) -> str:
    """Exports write mentions as "@Name": an excluded member's name becomes "@member"."""
    text = m.text
    for uid, names in m.mentions:
        if uid in excluded:
            for name in sorted(filter(None, names), key=len, reverse=True):
                text = text.replace("@" + name, "@member")
    return text


def _input(
    main: Mapping[str, Any],
    options: ExportOptions,
    posts: Mapping[int, _Msg],
    rows: list[MessageRow],
    clock: ChatClock,
    excluded: set[int],
    guild: int,
) -> RecapInput:
    topic = options.topic
    texts = {n: _question_text(p.text) for n, p in posts.items()}
    count = clock.question_count
    if topic:
        questions = tuple(SessionQuestion(q.text) for q in topic.questions)
    else:
        questions = tuple(
            SessionQuestion(texts[n][0] if n in texts else "") for n in range(1, count + 1)
        )
    hashtag = options.hashtag or next((t for _, t in texts.values() if t), None)
    host_names = topic.hosts if topic and topic.hosts else _host_names(posts, options.hosts, rows)
    channel = channel_name(main)
    title = options.title or (topic.title if topic else channel or "Chat")
    first = next(iter(posts.values()))
    tz = options.timezone or _offset_name(first.stamp)
    session = SessionRow(
        id=0,
        chat=options.chat or safe_name(channel),
        chat_date=local(clock.welcome_at, tz).date(),
        start_at=clock.welcome_at,
        topic=SessionTopic(
            title=title,
            questions=questions,
            hosts=tuple(host_names),
            prep_post=topic.prep_post if topic else None,
        ),
        status=SessionStatus.CLOSED,
        paused_at=None,
        event_id=None,
        created_at=clock.welcome_at,
        recap_dir=None,
        recap_posted_at=None,
    )
    steps = [_step("welcome", "welcome", clock.welcome_at)]
    steps += [_step(f"q{n}", "question", p.at, n, p) for n, p in sorted(posts.items())]
    steps += [_step("close", "close", clock.close_at), _step("recap", "recap", clock.late_until)]
    return RecapInput(
        session=session,
        steps=steps,
        messages=rows,
        hashtag=hashtag,
        timezone=tz,
        guild_id=guild or None,
        excluded_authors=frozenset(excluded),
        source="export",
    )


def _host_names(
    posts: Mapping[int, _Msg], hosts: Sequence[str], rows: Sequence[MessageRow]
) -> list[str]:
    """Hosts as readers know them: the display name behind each --host (id or name)."""
    names: dict[str, str] = {}
    for r in rows:
        if r.author_is_host:
            names.setdefault(str(r.author_id), r.author_name)
    for p in posts.values():
        if not p.bot:
            names.setdefault(str(p.author_id), p.author)
    return sorted(set(names.values()), key=str.casefold) if names else list(hosts)


def _step(
    key: str, kind: str, at: datetime, n: int | None = None, post: _Msg | None = None
) -> StepRow:
    sent = kind != "recap"
    return StepRow(
        session_id=0,
        key=key,
        kind=kind,
        question=n,
        due_at=at,
        status=StepStatus.SENT if sent else StepStatus.PENDING,
        message_id=post.id if post else None,
        channel_id=post.channel_id if post else None,
        thread_id=None,
        attempts=1 if sent else 0,
        last_error=None,
        sent_at=at if sent else None,
    )
