"""The recap as readers see it: plain frozen dataclasses, built once and rendered many ways.

Every renderer (Discord, Markdown, HTML, JSON, CSV, chart) reads only this model, so what a
reader sees is decided in one place (bot.recap.build) and the formats cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime
from functools import cached_property
from typing import Any

from bot.unsafe_text import printable

_UNSAFE = re.compile(r"[^a-z0-9_-]+")
HOME_PLATFORM = "discord"
PLATFORM_NAMES = {"discord": "Discord", "bluesky": "Bluesky"}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.capitalize())


def safe_name(name: str) -> str:
    """A chat or channel name as a file name: a-z, 0-9, `-`, `_` (config names already are)."""
    return _UNSAFE.sub("-", name.lower()).strip("-")[:80] or "chat"


@dataclass(frozen=True)
class RecapMessage:
    """One member message that is visible in the recap (bots, opted-out, hidden, deleted: never)."""

    id: int
    author_id: int
    author: str  # display name
    text: str  # mentions already written as "@Name", custom emoji as ":name:"
    created_at: datetime  # aware UTC
    kind: str  # answer | discussion | intro | unmatched
    questions: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    unmatched_labels: tuple[str, ...] = ()
    late: bool = False
    reactions: int = 0
    reply_to: int | None = None  # the visible message this replies to, if any
    edited: bool = False
    jump_url: str | None = None
    author_is_host: bool = False
    platform: str = HOME_PLATFORM  # where it was posted (its jump_url leads there)
    public: bool = True  # False: the author hides from logged-out readers (left off the site)

    @property
    def where(self) -> str:
        return platform_name(self.platform)


@dataclass(frozen=True)
class Thread:
    """A top-level message under a question with its replies, nested one level (flattened)."""

    message: RecapMessage
    replies: tuple[RecapMessage, ...] = ()


@dataclass(frozen=True)
class RecapQuestion:
    number: int
    text: str
    posted_at: datetime | None
    jump_url: str | None = None
    threads: tuple[Thread, ...] = ()
    top: tuple[RecapMessage, ...] = ()  # most reactions first, ties: earliest
    answers: int = 0  # messages of kind answer (an "A1/A2:" counts under both)
    discussion: int = 0
    late: int = 0  # late answers


@dataclass(frozen=True)
class Participant:
    user_id: int
    name: str
    messages: int
    answers: int
    newcomer: bool
    streak: int | None  # consecutive sessions of this chat, this one included; None: unknown
    host: bool = False
    talked_with: tuple[int, ...] = ()  # user ids, most replies first
    platforms: tuple[str, ...] = (HOME_PLATFORM,)  # where they posted (two: a host linked them)

    @property
    def elsewhere(self) -> str | None:
        """Where they took part when not only on the home platform, e.g. "Bluesky"."""
        if self.platforms == (HOME_PLATFORM,):
            return None
        return " and ".join(platform_name(p) for p in self.platforms)


@dataclass(frozen=True)
class Pair:
    """Two members who replied to each other (either direction), with how often."""

    a: int
    b: int
    replies: int


@dataclass(frozen=True)
class BusiestMinute:
    at: datetime  # start of the minute, UTC
    messages: int


@dataclass(frozen=True)
class PlatformStats:
    """One platform's share of a chat run on several."""

    participants: int = 0
    messages: int = 0
    answers: int = 0


@dataclass(frozen=True)
class Stats:
    participants: int = 0
    newcomers: int = 0
    returning: int = 0
    messages: int = 0
    answers: int = 0
    late_answers: int = 0
    replies: int = 0
    answers_per_question: Mapping[int, int] = field(default_factory=dict)
    busiest_minute: BusiestMinute | None = None
    median_answers_per_participant: float = 0.0
    per_platform: Mapping[str, PlatformStats] = field(default_factory=dict)  # home first

    @property
    def platforms(self) -> int:
        return len(self.per_platform)


@dataclass(frozen=True)
class Recap:
    chat: str
    title: str
    chat_date: date
    start_at: datetime
    end_at: datetime
    timezone: str  # IANA name (or "+HH:MM" for exports without one): how times are shown
    hashtag: str | None = None
    session_id: int | None = None
    late_until: datetime | None = None
    hosts: tuple[str, ...] = ()
    prep_post: str | None = None
    questions: tuple[RecapQuestion, ...] = ()
    intros: tuple[RecapMessage, ...] = ()
    unmatched: tuple[RecapMessage, ...] = ()  # messages with labels for no posted question
    participants: tuple[Participant, ...] = ()  # by name
    pairs: tuple[Pair, ...] = ()  # most replies first
    stats: Stats = Stats()
    messages: tuple[RecapMessage, ...] = ()  # every visible message in posting order
    history_known: bool = True  # False for exports: newcomer/streak cannot be known
    source: str = "store"  # "store" or "export"

    @property
    def slug(self) -> str:
        """Folder / file stem: `leadershipchat-2024-05-07`, safe as one path component whatever
        the stored chat name is (a restored database can hold anything, `../` too)."""
        return f"{safe_name(self.chat)}-{self.chat_date.isoformat()}"

    @cached_property
    def names(self) -> dict[int, str]:
        """user id -> display name of every participant (renderers look names up here)."""
        return {p.user_id: p.name for p in self.participants}

    @cached_property
    def author_of(self) -> dict[int, str]:
        """message id -> its author's name (for "reply to ...")."""
        return {m.id: m.author for m in self.messages}

    def name_of(self, user_id: int) -> str:
        return self.names.get(user_id, "member")

    @property
    def newcomers(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.newcomer)

    @property
    def display_title(self) -> str:
        return f"{self.hashtag}: {self.title}" if self.hashtag else self.title

    def printable(self) -> Recap:
        """This recap with every text made safe to show: control characters, terminal escape
        sequences and bidi overrides removed from titles, names and messages (`cat recap.md`
        must not run an escape a member typed). Every format but recap.json, which keeps the
        text as stored (JSON escapes it), renders this; the one place text is cleaned."""
        cleaned: Recap = _printable(self)
        return cleaned


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _printable(getattr(value, f.name)) for f in fields(value)})
    if isinstance(value, tuple):
        return tuple(_printable(v) for v in value)
    if isinstance(value, Mapping):
        return {k: _printable(v) for k, v in value.items()}
    return value
