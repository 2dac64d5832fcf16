"""The step ledger: every planned step of a session and what became of it. The ledger is the
truth (never lose a step, never post one twice); triggers only say "look at step X now"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class StepKind(StrEnum):
    REMINDER = "reminder"
    WELCOME = "welcome"
    HEADS_UP = "heads_up"
    QUESTION = "question"
    LAST_CALL = "last_call"
    CLOSE = "close"
    RECAP = "recap"
    NO_TOPIC = "no_topic"  # heads-up to hosts: no topic file for the coming chat
    NEWCOMERS = "newcomers"  # welcome first-time members (added while the chat runs)
    SLOWMODE_ON = "slowmode_on"  # the chat channel's slowmode for the chat hour (no post)
    SLOWMODE_OFF = "slowmode_off"


class StepStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class StepRow:
    session_id: int
    key: str
    kind: str
    question: int | None
    due_at: datetime
    status: StepStatus
    message_id: int | None
    channel_id: int | None
    thread_id: int | None
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    parts_sent: int = 0


@dataclass(frozen=True)
class PlatformStep:
    """What became of a step on a platform the chat also runs on (`bot.engine.mirrors`); the
    home platform's record is the step's own row."""

    session_id: int
    key: str
    platform: str
    status: StepStatus
    post_ref: str | None  # the post's id there (Bluesky: an AT-URI)
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    retry_when_back: bool = False  # failed for a reason that passes: tried again when back


@dataclass(frozen=True)
class PartPost:
    """One message of a multi-part step (the recap), as posted."""

    part: int
    channel_id: int
    message_id: int


@dataclass(frozen=True)
class NewStep:
    key: str
    kind: str
    due_at: datetime
    question: int | None = None
