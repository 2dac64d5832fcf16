"""Members and their participation: first/last seen, sessions, opt-out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    display_name: str
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    first_session_id: int | None
    sessions_count: int
    opted_out: bool


@dataclass(frozen=True)
class Seen:
    """A member's message, as it counts towards their participation."""

    user_id: int
    display_name: str
    at: datetime
    answer: bool


@dataclass(frozen=True)
class Participation:
    session_id: int
    user_id: int
    messages: int
    answers: int
    newcomer: bool
    welcomed: bool
