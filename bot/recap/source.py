"""What a recap reads, and nothing more: the narrow source a recap, the trends and the archive
site are built from. The store provides it (`Store.recap_source`); a test can give any object
with these methods. Held sessions only: `bot.domain.sessions.HELD` filters the others out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.domain.members import MemberRow, Participation
from bot.domain.messages import MessageRow
from bot.domain.sessions import SessionRow
from bot.domain.steps import StepRow


class RecapSource(Protocol):
    async def session(self, session_id: int) -> SessionRow | None: ...

    async def sessions(self, chat: str | None = None) -> Sequence[SessionRow]:
        """Every session (of one chat, or all), newest first."""

    async def steps(self, session_id: int) -> Sequence[StepRow]: ...

    async def messages(self, session_id: int) -> Sequence[MessageRow]:
        """A session's messages not deleted, in posting order."""

    async def members(self, user_ids: Sequence[int]) -> dict[int, MemberRow]: ...

    async def participation(self, session_id: int) -> Sequence[Participation]:
        """Who took part (at least one message not deleted)."""

    async def attendance(self, user_ids: Sequence[int]) -> dict[int, list[int]]:
        """Session ids each member took part in, oldest first (newcomers, streaks)."""

    async def links(self, session_id: int) -> dict[int, int]:
        """The session's authors on another platform whom a host linked to a home member (the
        same person): their id -> the member's."""
