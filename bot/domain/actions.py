"""What people did to a chat, as recorded facts: host controls and moderation actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HostAction:
    session_id: int
    action: str
    detail: str
    actor: str
    created_at: datetime


@dataclass(frozen=True)
class ModerationAction:
    id: int
    session_id: int | None
    user_id: int
    message_id: int | None
    action: str
    reason: str
    created_at: datetime
