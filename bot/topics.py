"""Topic files (prompts/*.yaml): one chat date each, with its questions.

Hosts write these by hand (or draft them from a prep post), so validation lists every problem with
file and line, and separates errors (the chat cannot run) from warnings (a question too long to
mirror on X or Bluesky).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.bluesky_text import POST_GRAPHEMES, grapheme_count
from bot.config import WEEKDAYS, ChatSettings, Settings
from bot.durations import format_duration, parse_duration
from bot.timeline import question_offsets
from bot.unsafe_text import bidi_control, invisible
from bot.yaml_source import YamlDocument, YamlSyntaxError, read_yaml

log = logging.getLogger(__name__)

MAX_QUESTIONS = 12
POST_LIMIT = 280  # hosts mirror a question on X as "Q1: <text> #Hashtag"
MESSAGE_LIMIT = 2000  # characters Discord accepts in one message
# Longest texts a topic may hold: with them every post the bot makes from a topic (reminder,
# welcome, questions, heads-ups, close) fits in one Discord message.
MAX_LENGTH = {"title": 200, "prep_post": 500, "welcome": 1500, "closing": 1500, "host": 50}
MAX_HOSTS = 8
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELDS = {"title", "date", "chat", "hosts", "prep_post", "welcome", "closing", "questions"}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR
    chat: str | None = None  # the chat it concerns, when the file got that far

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class Question:
    text: str
    at: timedelta | None = None


@dataclass(frozen=True)
class Topic:
    title: str
    date: date
    questions: tuple[Question, ...]
    chat: str | None = None
    hosts: tuple[str, ...] = ()
    prep_post: str | None = None
    welcome: str | None = None
    closing: str | None = None
    path: Path | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


class TopicFileError(Exception):
    """A topic file could not be read; `problems` lists why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


def question_post(n: int, text: str, hashtag: str) -> str:
    """The question as posted and mirrored: `Q3: <text> #LeadershipChat`."""
    return f"Q{n}: {text} {hashtag}"


def _text(value: Any) -> str | None:
    """The stripped text, or None when there is none a reader would see."""
    return value.strip() if isinstance(value, str) and not invisible(value) else None


def _unseen(value: Any) -> str:
    """For a text that is there but has nothing to see (`"\\u200b"`), say so."""
    return " (it holds only invisible characters)" if isinstance(value, str) and value else ""


def _text_problem(value: Any) -> str | None:
    """Why a text field's value cannot be used, when it is there: not text (`42`, `.nan`,
    `!!binary`), or text with a bidi override that makes it read differently from what it says."""
    if value is None:
        return None
    if not isinstance(value, str):
        return f"must be text, not {_kind(value)} (put it in quotes)"
    if (bidi := bidi_control(value)) is not None:
        return f"holds {bidi}, which changes the order the text is shown in; remove it"
    return None


_KINDS: tuple[tuple[Any, str], ...] = (
    (bool, "true/false"),
    (int | float, "a number"),
    (bytes, "binary data"),
    (list, "a list"),
    (dict, "a mapping"),
    (date, "a date"),
)


def _kind(value: Any) -> str:
    return next((name for kind, name in _KINDS if isinstance(value, kind)), type(value).__name__)


def _parse(doc: YamlDocument) -> tuple[Topic | None, list[Problem]]:
    path, data = doc.path, doc.data
    problems: list[Problem] = []

    def err(loc: Sequence[str | int], message: str) -> None:
        problems.append(Problem(path, doc.line_of(loc), message))

    if not isinstance(data, dict):
        err((), "a topic file is a mapping with title, date and questions")
        return None, problems
    for key in data:
        if key not in _FIELDS:
            err((key,), f"{key}: is not a topic field (known: {', '.join(sorted(_FIELDS))})")
    title = _text(data.get("title"))
    if (problem := _text_problem(data.get("title"))) is not None:
        err(("title",), f"title: {problem}")
        title = None
    elif title is None:
        err(("title",), f"title: is required and cannot be empty{_unseen(data.get('title'))}")
    day = data.get("date")
    if isinstance(day, str) and _ISO_DAY.match(day.strip()):  # not 20261201 or 2026-W49-2
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(day.strip())
    if isinstance(day, datetime):
        err(
            ("date",),
            f"date: {day} has a time; write only the day, like {day.date()}"
            " (the time comes from the chat's schedule in the config)",
        )
    elif not isinstance(day, date):
        err(("date",), f"date: {_shown(data.get('date'))} is not a date (write it like 2026-11-24)")
    hosts_raw = data.get("hosts") or []
    if isinstance(hosts_raw, str):
        hosts_raw = [hosts_raw]
    if not isinstance(hosts_raw, list) or not all(
        isinstance(h, str | int) and not isinstance(h, bool) for h in hosts_raw
    ):
        err(("hosts",), "hosts: must be a list of names")
        hosts_raw = []
    elif len(hosts_raw) > MAX_HOSTS:
        err(("hosts",), f"hosts: {len(hosts_raw)} names; at most {MAX_HOSTS}")
    for i, host in enumerate(hosts_raw):
        if isinstance(host, int) and host.bit_length() > 64:  # str() of a 5,000-digit one fails
            err(("hosts", i), f"hosts[{i}]: a number too large for a name or a Discord id")
        elif len(str(host)) > MAX_LENGTH["host"]:
            err(("hosts", i), f"hosts[{i}]: longer than {MAX_LENGTH['host']} characters")
        elif (problem := _text_problem(host if isinstance(host, str) else None)) is not None:
            err(("hosts", i), f"hosts[{i}]: {problem}")
    questions: list[Question] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        err(("questions",), "questions: needs a list of 1 to 12 questions")
        raw_questions = []
    elif len(raw_questions) > MAX_QUESTIONS:
        err(("questions",), f"questions: {len(raw_questions)} questions; at most {MAX_QUESTIONS}")
    for i, raw in enumerate(raw_questions):
        loc = ("questions", i)
        at: timedelta | None = None
        value = raw.get("text") if isinstance(raw, dict) else raw
        if isinstance(raw, dict):
            extra = set(raw) - {"text", "at"}
            if extra:
                err(loc, f"questions[{i}]: unknown field(s) {', '.join(sorted(map(str, extra)))}")
            if raw.get("at") is not None:
                try:
                    at = parse_duration(raw["at"])
                except ValueError as exc:
                    err((*loc, "at"), f"questions[{i}].at: {exc}")
        if (problem := _text_problem(value)) is not None:
            err(loc, f"questions[{i}]: {problem}")
            continue
        text = _text(value)
        if text is None:
            err(loc, f"questions[{i}]: question text is empty{_unseen(value)}")
            continue
        questions.append(Question(text, at))
    for name in ("chat", "prep_post", "welcome", "closing"):
        if (problem := _text_problem(data.get(name))) is not None:
            err((name,), f"{name}: {problem}")
    for name in ("title", "prep_post", "welcome", "closing"):
        value = _text(data.get(name))
        if value is not None and len(value) > MAX_LENGTH[name]:
            err((name,), f"{name}: {len(value)} characters; at most {MAX_LENGTH[name]}")
    prep_post = _text(data.get("prep_post"))
    if prep_post is not None and not is_web_address(prep_post):
        err(("prep_post",), f"prep_post: {_shown(prep_post)} is not a web address (https://...)")
    if problems or title is None or not isinstance(day, date):
        return None, problems
    lines = {str(k[0]): v for k, v in doc.lines.items() if len(k) == 1}
    lines.update(
        {
            f"questions[{k[1]}]": v
            for k, v in doc.lines.items()
            if len(k) == 2 and k[0] == "questions"
        }
    )
    topic = Topic(
        title=title,
        date=day,
        questions=tuple(questions),
        chat=_text(data.get("chat")),
        hosts=tuple(str(h).strip() for h in hosts_raw if str(h).strip()),
        prep_post=_text(data.get("prep_post")),
        welcome=_text(data.get("welcome")),
        closing=_text(data.get("closing")),
        path=path,
        lines=lines,
    )
    return topic, problems


def _shown(value: object) -> str:
    """A value quoted in a message, cut short (a pasted page is not repeated back)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def is_web_address(text: str) -> bool:
    """An absolute http(s) address with a host and no spaces (no javascript:, data:, ...)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(c.isspace() for c in text)
    )


def load_topic_file(path: Path) -> Topic:
    """Read one topic file; raise TopicFileError listing every problem with its line."""
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        raise TopicFileError([Problem(path, exc.line, exc.problem)]) from None
    topic, problems = _parse(doc)
    if topic is None:
        raise TopicFileError(problems)
    return topic


def topic_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files, sorted."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        else:
            out.append(p)
    return out


def chat_of(topic: Topic, settings: Settings) -> ChatSettings | None:
    """The configured chat a topic belongs to (its `chat` field, else the first chat)."""
    try:
        return settings.chat(topic.chat)
    except KeyError:
        return None


def off_weekday(day: date, chat: ChatSettings) -> str | None:
    """Why a topic on `day` would never be used by `chat`'s weekly chats, or None (its weekday).
    Said by `prompts validate` and by `prompts draft --date` alike."""
    weekday = chat.schedule.weekday
    if day.weekday() == weekday:
        return None
    return (
        f"{day} is a {WEEKDAYS[day.weekday()].title()} and {chat.name} meets on"
        f" {WEEKDAYS[weekday].title()}s, so only a rehearsal (`leadershipchat run --start-in`)"
        " on that day would use this topic"
    )


def check_topic(topic: Topic, chat: ChatSettings) -> list[Problem]:
    """Rules that need the chat's settings: offsets inside the chat, post length (over
    Discord's limit an error, over X's a warning, over Bluesky's a warning when the chat
    mirrors its questions there), the chat's weekday (a warning)."""
    path = topic.path or Path("<topic>")
    problems: list[Problem] = []
    if (off := off_weekday(topic.date, chat)) is not None:  # a rehearsal may use it: a warning
        problems.append(Problem(path, topic.lines.get("date", 1), f"date: {off}", Severity.WARNING))
    offsets = question_offsets(chat, [q.at for q in topic.questions])
    for i, (q, offset) in enumerate(zip(topic.questions, offsets, strict=True)):
        line = topic.lines.get(f"questions[{i}]", 1)
        if not timedelta(0) <= offset < chat.close_offset:
            problems.append(
                Problem(
                    path,
                    line,
                    f"questions[{i}]: at {format_duration(offset)} is outside the chat"
                    f" (0s to {format_duration(chat.close_offset)})",
                )
            )
        elif i and offset <= offsets[i - 1]:
            problems.append(Problem(path, line, f"questions[{i}]: comes at or before question {i}"))
        post = question_post(i + 1, q.text, chat.hashtag)
        if len(post) > MESSAGE_LIMIT:
            problems.append(
                Problem(
                    path,
                    line,
                    f"questions[{i}]: posted as Q{i + 1} it is {len(post)} characters; Discord"
                    f" takes at most {MESSAGE_LIMIT} in a message, so it could not be asked",
                )
            )
        elif len(post) > POST_LIMIT:
            problems.append(
                Problem(
                    path,
                    line,
                    f"questions[{i}]: posted as Q{i + 1} it is {len(post)} characters; "
                    f"over {POST_LIMIT} it will not fit on X",
                    Severity.WARNING,
                )
            )
        mirrored = chat.bluesky is not None and "questions" in chat.bluesky.mirror
        if mirrored and len(post) <= MESSAGE_LIMIT and grapheme_count(post) > POST_GRAPHEMES:
            problems.append(
                Problem(
                    path,
                    line,
                    f"questions[{i}]: posted as Q{i + 1} it is {grapheme_count(post)} graphemes"
                    f" (characters as Bluesky counts them); a Bluesky post takes at most"
                    f" {POST_GRAPHEMES}, so it will not fit there",
                    Severity.WARNING,
                )
            )
    return [replace(p, chat=chat.name) for p in problems]


@dataclass
class TopicCatalog:
    """All topic files that loaded, plus every problem found in the folder."""

    topics: list[Topic]
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def for_date(self, chat_name: str, day: date, settings: Settings) -> Topic | None:
        for topic in self.topics:
            chat = chat_of(topic, settings)
            if chat is not None and chat.name == chat_name and topic.date == day:
                return topic
        return None


def load_catalog(paths: Iterable[Path], settings: Settings) -> TopicCatalog:
    """Load and cross-check topic files: per-file rules, chat rules, unique dates per chat."""
    topics: list[Topic] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, date], Topic] = {}
    try:
        files = topic_files(paths)
    except OSError as exc:
        return TopicCatalog([], [Problem(Path(exc.filename or "."), 1, f"cannot read ({exc})")])
    for path in files:
        try:
            topic = load_topic_file(path)
        except TopicFileError as exc:
            problems.extend(exc.problems)
            continue
        except Exception as exc:  # one odd file must never stop planning the others
            log.exception("topic file %s could not be read", path)
            problems.append(Problem(path, 1, f"could not be read ({type(exc).__name__}: {exc})"))
            continue
        chat = chat_of(topic, settings)
        if chat is None:
            problems.append(
                Problem(
                    path,
                    topic.lines.get("chat", 1),
                    f"chat: no chat named {_shown(topic.chat)} in the config",
                )
            )
            continue
        chat_problems = check_topic(topic, chat)
        problems.extend(chat_problems)
        if any(p.severity is Severity.ERROR for p in chat_problems):
            continue  # a topic the chat cannot run as written is never scheduled
        key = (chat.name, topic.date)
        if key in seen:
            other = seen[key].path
            problems.append(
                Problem(
                    path,
                    topic.lines.get("date", 1),
                    f"date: {topic.date} already has a topic for {chat.name} ({other})",
                    chat=chat.name,
                )
            )
            continue
        seen[key] = topic
        topics.append(topic)
    topics.sort(key=lambda t: (t.date, t.chat or ""))
    return TopicCatalog(topics, problems)
