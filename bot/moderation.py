"""Pure moderation decisions: what to do with one member message (no discord, no clock).

The Discord cog feeds each message in a chat channel through `Moderator.check` with the time
passed in, and carries out the verdict (delete, warn, time out, log). Keeping the rules here
means they are unit-tested without a server and read the same for every platform.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.config import Moderation

DUPLICATE_WINDOW = timedelta(minutes=1)
_LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|io|gg|ly|co|me|xyz)/\S*", re.I)
_SPACES = re.compile(r"\s+")


class Rule(StrEnum):
    FLOOD = "flood"
    DUPLICATE = "duplicate"
    BLOCKED_WORD = "blocked-word"
    NEW_MEMBER_LINK = "new-member-link"


@dataclass(frozen=True)
class MessageFacts:
    """What the rules need to know about one message."""

    user_id: int
    text: str
    at: datetime
    joined_at: datetime | None = None  # when the author joined the server, if known
    is_host: bool = False


@dataclass(frozen=True)
class Verdict:
    """The action for one message: always delete it; warn once; maybe time the member out."""

    rule: Rule
    reason: str
    warn: bool = False
    timeout: timedelta | None = None


class FloodTracker:
    """More than `limit` messages from one member within `window` -> the excess is flood.

    Every message counts, deleted ones too, so hammering the channel stays flood."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}

    def observe(self, user_id: int, at: datetime) -> bool:
        """Record a message; True when it is beyond the limit."""
        times = self._seen.setdefault(user_id, deque())
        while times and at - times[0] >= self.window:
            times.popleft()
        times.append(at)
        return len(times) > self.limit


class DuplicateTracker:
    """The same text from the same member again within `window` is spam (case and spacing
    ignored); short reactions like "+1" are never duplicates."""

    MIN_LENGTH = 12

    def __init__(self, window: timedelta = DUPLICATE_WINDOW) -> None:
        self.window = window
        self._last: dict[int, dict[str, datetime]] = {}

    def observe(self, user_id: int, text: str, at: datetime) -> bool:
        key = normalise(text)
        if len(key) < self.MIN_LENGTH:
            return False
        seen = self._last.setdefault(user_id, {})
        for old in [k for k, t in seen.items() if at - t >= self.window]:
            del seen[old]
        duplicate = key in seen
        seen[key] = at
        return duplicate


def normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def blocked_word(text: str, words: Iterable[str]) -> str | None:
    """The first configured word or phrase found in `text` (whole words, any case)."""
    if not words:
        return None
    folded = normalise(text)
    for word in words:
        w = normalise(word)
        if w and re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded):
            return word
    return None


def contains_link(text: str) -> bool:
    return _LINK.search(text) is not None


def is_new_member(joined_at: datetime | None, now: datetime, hours: int) -> bool:
    """Joined less than `hours` ago (0 disables the rule; unknown join time is not new)."""
    return hours > 0 and joined_at is not None and now - joined_at < timedelta(hours=hours)


@dataclass
class Moderator:
    """One chat's rules and memory. `reset()` when a new session starts (warnings are per chat)."""

    settings: Moderation
    _flood: FloodTracker = field(init=False)
    _duplicates: DuplicateTracker = field(init=False)
    _warned_at: dict[int, datetime] = field(default_factory=dict, init=False)
    _timed_out: set[int] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        flood = self.settings.flood
        self._flood = FloodTracker(flood.messages, flood.seconds)
        self._duplicates = DuplicateTracker()
        self._warned_at = {}
        self._timed_out = set()

    def check(self, facts: MessageFacts, *, chat_running: bool) -> Verdict | None:
        """The verdict for one message, or None to leave it alone. Hosts are never moderated."""
        if facts.is_host:
            return None
        s = self.settings
        word = blocked_word(facts.text, s.blocked_words)
        if word is not None:
            return Verdict(Rule.BLOCKED_WORD, f"contains a blocked word ({word!r})")
        if is_new_member(facts.joined_at, facts.at, s.new_member_link_hours) and contains_link(
            facts.text
        ):
            return self._warned(
                facts,
                Rule.NEW_MEMBER_LINK,
                f"link from a member who joined less than {s.new_member_link_hours} h ago",
            )
        if not chat_running:
            return None
        if s.flood.enabled and self._flood.observe(facts.user_id, facts.at):
            return self._flood_verdict(facts)
        if s.duplicate_spam and self._duplicates.observe(facts.user_id, facts.text, facts.at):
            return self._warned(facts, Rule.DUPLICATE, "the same message again within a minute")
        return None

    def _warned(self, facts: MessageFacts, rule: Rule, reason: str) -> Verdict:
        first = facts.user_id not in self._warned_at
        if first:
            self._warned_at[facts.user_id] = facts.at
        return Verdict(rule, reason, warn=first)

    def _flood_verdict(self, facts: MessageFacts) -> Verdict:
        flood = self.settings.flood
        reason = f"more than {flood.messages} messages in {flood.seconds.total_seconds():g} s"
        warned_at = self._warned_at.get(facts.user_id)
        if warned_at is None:
            self._warned_at[facts.user_id] = facts.at
            return Verdict(Rule.FLOOD, reason, warn=True)
        # A repeat offender (flooding again once the warning had time to be read) is timed out.
        if (
            flood.timeout > timedelta(0)
            and facts.at - warned_at >= flood.seconds
            and facts.user_id not in self._timed_out
        ):
            self._timed_out.add(facts.user_id)
            return Verdict(Rule.FLOOD, reason + " after a warning", timeout=flood.timeout)
        return Verdict(Rule.FLOOD, reason)
