"""Answer labels and attribution rules (docs/attribution.md).

Pure: no I/O, no discord, no clock (times are passed in). Live capture (the engine) and recaps
built from DiscordChatExporter exports both call this module, so the rules exist only here.
Everything is deterministic: an edit is handled by calling :func:`attribute` again.

Parsing is done with small anchored regexes driven by a loop (plus possessive quantifiers), so it
runs in linear time on any input; no single regex can backtrack catastrophically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


class Kind(StrEnum):
    """What a message is in the chat; OUTSIDE = before the welcome or after the late window."""

    ANSWER = "answer"
    DISCUSSION = "discussion"
    INTRO = "intro"
    QUESTION = "question"  # a host's (or the bot's) own `Q3: ...` post
    UNMATCHED = "unmatched"
    OUTSIDE = "outside"


@dataclass(frozen=True)
class Label:
    """One answer label; ``raw`` is kept verbatim so the recap can show what the author wrote."""

    raw: str  # e.g. "A1a", "a 2"
    question: int
    part: str = ""  # "a", "b"... lower-cased; "" when the label has no part


# Noise allowed before a label: whitespace, markdown emphasis/quote/spoiler markers, and mentions
# (raw `<@1>`, `<@!1>`, `<@&1>`, `<#1>`, or `@name` as exports render them), each optionally
# followed by "," or ":". Each token consumes >= 1 char and is possessive: linear time.
_PREFIX_TOKEN = re.compile(r"\s++|[*_~>|]++|(?:<[@#][!&]?[0-9]++>|@[\w.\-]++)[,:]?+")
# ASCII letters and digits only; at most 9 digits (a longer number is not a label).
_ANSWER = re.compile(r"[Aa](?P<sp>[^\S\n]?)(?P<num>[0-9]{1,9}+)(?![0-9])(?P<part>[A-Za-z]?)")
_QUESTION = re.compile(r"[Qq](?P<sp>[^\S\n]?)(?P<num>[0-9]{1,9}+)(?![0-9])")
# Punctuation that clearly ends a label ("A1:", "**A1**:", "A 1 -", "A1a)"), not "A1.5" / "A1-2".
_STRONG_END = re.compile(r"[*_~]*+[^\S\n]*+[:：\-–—.)](?![0-9])")
# Whitespace or end of text; only trusted after the compact form "A1" (see _ended).
_WEAK_END = re.compile(r"[*_~]*+(?:\s|\Z)")
# Between labels of a multi-label: "A1/A2", "A1 & A2", "A1, A2", "A1+A2", "A1 and A2".
_SEPARATOR = re.compile(r"[*_~]*+\s*+(?:[/&+,]|and(?![A-Za-z]))\s*+[*_~]*+")


def _skip_prefix(text: str) -> int:
    """Index of the first character after leading mentions, whitespace and markdown."""
    pos = 0
    while (m := _PREFIX_TOKEN.match(text, pos)) is not None and m.end() > pos:
        pos = m.end()
    return pos


def _ended(text: str, pos: int, strong_only: bool) -> bool:
    """Whether a label ending at ``pos`` is properly terminated.

    The spaced ("a 1") and part ("A1c") forms need punctuation, so "a 1 on 1 meetings" and
    "A1C levels" stay plain text; the compact "A1" may also end at whitespace or end of text.
    """
    if _STRONG_END.match(text, pos):
        return True
    return not strong_only and _WEAK_END.match(text, pos) is not None


def parse_labels(text: str) -> tuple[Label, ...]:
    """Answer labels at the start of ``text`` (after mentions/markdown), in written order.

    A multi-label counts only up to its last properly terminated label: "A1 & A2C levels" -> A1.
    """
    pos = _skip_prefix(text)
    found: list[Label] = []
    valid = 0
    while (m := _ANSWER.match(text, pos)) is not None:
        found.append(Label(m.group(), int(m["num"]), m["part"].lower()))
        if _ended(text, m.end(), strong_only=bool(m["sp"] or m["part"])):
            valid = len(found)
        sep = _SEPARATOR.match(text, m.end())
        if sep is None:
            break
        pos = sep.end()
    return tuple(found[:valid])


def parse_question_label(text: str) -> int | None:
    """Number of a `Q3: ...` / `Q3 - ...` / `**Q3:**` post (to find the questions in exports)."""
    m = _QUESTION.match(text, _skip_prefix(text))
    if m is None or not _ended(text, m.end(), strong_only=bool(m["sp"])):
        return None
    return int(m["num"])


@dataclass(frozen=True)
class ReplyTarget:
    """What a Discord reply points at, as already attributed by the caller."""

    question: int | None  # question of the replied-to message; None if unknown or none
    is_question_post: bool = False  # the replied-to message is the question post itself


def _require_aware(name: str, value: datetime) -> None:
    """Naive datetimes would make comparisons raise (or silently mean local time): refuse early."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got {value!r}")


@dataclass(frozen=True)
class ChatClock:
    """A session's timeline as it actually happened (timezone-aware datetimes, stored as UTC)."""

    welcome_at: datetime
    question_posted_at: Mapping[int, datetime]  # question number -> when posted (posted only)
    question_count: int  # questions that exist in the topic (numbered 1..question_count)
    close_at: datetime
    late_until: datetime

    def __post_init__(self) -> None:
        _require_aware("welcome_at", self.welcome_at)
        _require_aware("close_at", self.close_at)
        _require_aware("late_until", self.late_until)
        for number, at in self.question_posted_at.items():
            _require_aware(f"question_posted_at[{number}]", at)
        if not self.welcome_at <= self.close_at <= self.late_until:
            raise ValueError("need welcome_at <= close_at <= late_until")
        # Snapshot: a caller mutating its dict later must not change past attributions.
        object.__setattr__(
            self, "question_posted_at", MappingProxyType(dict(self.question_posted_at))
        )

    def is_posted(self, question: int, at: datetime) -> bool:
        """Whether ``question`` exists and had been posted at ``at`` (a post at ``at`` counts)."""
        posted = self.question_posted_at.get(question)
        return 1 <= question <= self.question_count and posted is not None and posted <= at

    def current_question(self, at: datetime) -> int | None:
        """The most recently posted question at ``at`` (ties: the higher number), if any."""
        posts = self.question_posted_at.items()
        live = [(posted, n) for n, posted in posts if self.is_posted(n, at)]
        return max(live)[1] if live else None


@dataclass(frozen=True)
class Incoming:
    """A member's message as the rules need it (live from the gateway or from an export)."""

    text: str
    created_at: datetime  # timezone-aware; for an edit, still the original creation time
    author_is_bot: bool = False
    author_is_host: bool = False
    author_opted_out: bool = False
    reply_to: ReplyTarget | None = None
    thread_question: int | None = None  # posted in the thread of question n

    def __post_init__(self) -> None:
        _require_aware("created_at", self.created_at)


@dataclass(frozen=True)
class Attribution:
    """The verdict for one message; ``labels`` keeps every label as written, matched or not."""

    kind: Kind
    questions: tuple[int, ...]  # ascending, unique
    labels: tuple[str, ...]
    unmatched_labels: tuple[str, ...]  # for questions that don't exist or weren't posted yet
    late: bool  # at/after close, before late_until
    excluded: bool  # bots and opted-out members: never in a recap or export


def _from_context(msg: Incoming, clock: ChatClock) -> tuple[Kind, tuple[int, ...]]:
    """Rules 5-7 for a message without answer labels: reply, then thread, then the timeline."""
    ref = msg.reply_to
    if ref is not None and ref.question is not None:
        return (Kind.ANSWER if ref.is_question_post else Kind.DISCUSSION), (ref.question,)
    if msg.thread_question is not None:
        return Kind.ANSWER, (msg.thread_question,)
    current = clock.current_question(msg.created_at)
    return (Kind.INTRO, ()) if current is None else (Kind.DISCUSSION, (current,))


def attribute(msg: Incoming, clock: ChatClock) -> Attribution:
    """Which question(s) ``msg`` belongs to and how (docs/attribution.md, rules 1-8).

    Precedence: outside the chat window -> OUTSIDE; answer labels (matched -> ANSWER, none
    matched -> UNMATCHED); a host's/bot's `Qn:` post -> QUESTION; reply to a question post ->
    ANSWER, reply to any other attributed message -> DISCUSSION of its question; message in a
    question's thread -> ANSWER; otherwise DISCUSSION of the latest posted question, or INTRO
    before Q1. A member's `Qn:` post follows the context rules but is never an ANSWER.
    Bot and opted-out messages get the same kind, with ``excluded=True``.
    """
    labels = parse_labels(msg.text)
    raw = tuple(label.raw for label in labels)
    excluded = msg.author_is_bot or msg.author_opted_out
    at = msg.created_at
    if not clock.welcome_at <= at < clock.late_until:
        return Attribution(Kind.OUTSIDE, (), raw, (), late=False, excluded=excluded)
    late = at >= clock.close_at

    if labels:
        matched = tuple(sorted({lb.question for lb in labels if clock.is_posted(lb.question, at)}))
        unmatched = tuple(lb.raw for lb in labels if not clock.is_posted(lb.question, at))
        kind = Kind.ANSWER if matched else Kind.UNMATCHED
        return Attribution(kind, matched, raw, unmatched, late=late, excluded=excluded)

    asked = parse_question_label(msg.text)
    if asked is not None and (msg.author_is_host or msg.author_is_bot):
        posted: tuple[int, ...] = (asked,) if clock.is_posted(asked, at) else ()
        return Attribution(Kind.QUESTION, posted, raw, (), late=late, excluded=excluded)

    kind, questions = _from_context(msg, clock)
    if asked is not None and kind is Kind.ANSWER:
        kind = Kind.DISCUSSION  # rule 4: a member's "Q2: ..." is talk, not an answer
    return Attribution(kind, questions, raw, (), late=late, excluded=excluded)
