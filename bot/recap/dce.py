"""Recaps from DiscordChatExporter JSON exports, for chats a host ran by hand.

The export's messages become the same stored rows live capture writes, attributed by the same
function (bot.answers.attribute), and then go through the same build_recap.
Question posts are `Q<n>` messages by a bot account or a named host; their time fixes the clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.answers import ChatClock, Incoming, ReplyTarget, attribute, parse_question_label
from bot.recap.display import local
from bot.recap.inputs import RecapInput
from bot.store.messages import Attributed, MessageRow
from bot.store.sessions import SessionQuestion, SessionRow, SessionStatus, SessionTopic
from bot.store.steps import StepRow, StepStatus
from bot.topics import Topic

_KINDS = {"Default", "Reply"}  # joins, pins, thread-created notices... are not chat messages
_Q_PREFIX = re.compile(r"^[\s*_~>|]*[Qq]\s?\d+[*_~]*\s*[:：\-–—.)]?[*_~]*\s*")
_HASHTAG = re.compile(r"\s*(#\w+)\s*$")
WELCOME_LOOKBACK = timedelta(minutes=30)


class ExportError(ValueError):
    """The file is not a usable DiscordChatExporter JSON export (message says why)."""


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


@dataclass(frozen=True)
class _Msg:
    id: int
    channel_id: int
    thread: bool
    at: datetime
    stamp: str  # the raw timestamp (its UTC offset is the exporter's zone)
    edited_at: datetime | None
    author_id: int
    author: str
    handles: tuple[str, ...]  # lower-cased id, name, nickname: how --host/--exclude match
    bot: bool
    text: str
    reactions: int
    reply_to: int | None
    mentions: tuple[tuple[int, tuple[str, ...]], ...]


def load_export(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: cannot read a JSON export ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ExportError(f"{path}: not a DiscordChatExporter JSON export (no messages list)")
    return data


def _time(value: Any, where: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise ExportError(f"{where}: bad timestamp {value!r}") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _int(value: Any, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ExportError(f"{where}: bad id {value!r}") from None


def _messages(export: Mapping[str, Any]) -> list[_Msg]:
    channel = export.get("channel") or {}
    cid = _int(channel.get("id"), "channel.id")
    thread = "thread" in str(channel.get("type", "")).lower()
    out = []
    for raw in export["messages"]:
        if not isinstance(raw, dict) or raw.get("type", "Default") not in _KINDS:
            continue
        where = f"message {raw.get('id')!r}"
        author = raw.get("author") or {}
        name = str(author.get("nickname") or author.get("name") or "member")
        handles = (str(author.get("id")), str(author.get("name", "")), name)
        ref = (raw.get("reference") or {}).get("messageId")
        mentions = tuple(
            (_int(u.get("id"), where), (str(u.get("name", "")), str(u.get("nickname") or "")))
            for u in raw.get("mentions") or ()
            if isinstance(u, dict)
        )
        edited = raw.get("timestampEdited")
        out.append(
            _Msg(
                id=_int(raw.get("id"), where),
                channel_id=cid,
                thread=thread,
                at=_time(raw.get("timestamp"), where).astimezone(UTC),
                stamp=str(raw.get("timestamp")),
                edited_at=_time(edited, where).astimezone(UTC) if edited else None,
                author_id=_int(author.get("id"), where),
                author=name,
                handles=tuple(h.lower().lstrip("@") for h in handles if h),
                bot=bool(author.get("isBot")),
                text=str(raw.get("content") or ""),
                reactions=sum(int(r.get("count") or 0) for r in raw.get("reactions") or ()),
                reply_to=_int(ref, where) if ref else None,
                mentions=mentions,
            )
        )
    return out


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


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") or "chat"


def input_from_exports(
    exports: Sequence[Mapping[str, Any]], options: ExportOptions = ExportOptions()
) -> RecapInput:
    """One recap input from a channel export plus any exports of its question threads."""
    if not exports:
        raise ExportError("no export given")
    msgs = sorted((m for e in exports for m in _messages(e)), key=lambda m: (m.at, m.id))
    main = exports[0]
    posts: dict[int, _Msg] = {}
    for m in msgs:
        n = parse_question_label(m.text)
        if n is not None and n >= 1 and not m.thread and (m.bot or _matches(m, options.hosts)):
            posts.setdefault(n, m)
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
    guild = _int((main.get("guild") or {}).get("id") or 0, "guild.id")
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
    channel = main.get("channel") or {}
    title = options.title or (topic.title if topic else str(channel.get("name") or "Chat"))
    first = next(iter(posts.values()))
    tz = options.timezone or _offset_name(first.stamp)
    session = SessionRow(
        id=0,
        chat=options.chat or _slug(str(channel.get("name") or "chat")),
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
