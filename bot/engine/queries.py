"""Which session a chat's commands and rules act on."""

from __future__ import annotations

from bot.domain.sessions import SessionRow, SessionStatus
from bot.engine.ports import SessionRecords


async def current_session(sessions: SessionRecords, chat_name: str) -> SessionRow | None:
    """Running/paused, else the next planned, else the last closed (answered from the store's
    memory of active sessions, so it is cheap enough for every message)."""
    found = [s for s in await sessions.active() if s.chat == chat_name]
    for wanted in (
        (SessionStatus.RUNNING, SessionStatus.PAUSED),
        (SessionStatus.PLANNED,),
        (SessionStatus.CLOSED,),
    ):
        matching = [s for s in found if s.status in wanted]
        if matching:
            return matching[0] if wanted != (SessionStatus.CLOSED,) else matching[-1]
    return None
