"""Sessions: one chat on one date, with the topic snapshot it runs on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.topics import SessionTopic


class SessionStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    PAUSED = "paused"
    CLOSED = "closed"
    RECAPPED = "recapped"
    CANCELLED = "cancelled"


# Sessions that happened (a cancelled or still planned one breaks no streak and counts for nobody).
HELD = frozenset(
    {SessionStatus.RUNNING, SessionStatus.PAUSED, SessionStatus.CLOSED, SessionStatus.RECAPPED}
)


@dataclass(frozen=True)
class SessionRow:
    id: int
    chat: str
    chat_date: date
    start_at: datetime
    topic: SessionTopic
    status: SessionStatus
    paused_at: datetime | None
    event_id: int | None
    created_at: datetime
    recap_dir: str | None
    recap_posted_at: datetime | None
