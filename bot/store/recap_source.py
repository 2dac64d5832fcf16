"""The store as a recap reads it: the methods of `bot.recap.source.RecapSource` (matched by
shape; the store never imports the recap)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.members import MemberRow, Participation
from bot.domain.messages import MessageRow
from bot.domain.sessions import SessionRow
from bot.domain.steps import StepRow
from bot.store.links import MemberLinks
from bot.store.members import Members
from bot.store.messages import Messages
from bot.store.sessions import Sessions
from bot.store.steps import Steps

ALL = 1_000_000_000


class RecapRows:
    def __init__(
        self,
        sessions: Sessions,
        steps: Steps,
        messages: Messages,
        members: Members,
        links: MemberLinks,
    ) -> None:
        self._sessions, self._steps = sessions, steps
        self._messages, self._members = messages, members
        self._links = links

    async def session(self, session_id: int) -> SessionRow | None:
        return await self._sessions.get(session_id)

    async def sessions(self, chat: str | None = None) -> Sequence[SessionRow]:
        return await self._sessions.recent(chat, limit=ALL)

    async def steps(self, session_id: int) -> Sequence[StepRow]:
        return await self._steps.for_session(session_id)

    async def messages(self, session_id: int) -> Sequence[MessageRow]:
        return await self._messages.for_session(session_id)

    async def members(self, user_ids: Sequence[int]) -> dict[int, MemberRow]:
        return await self._members.many(list(user_ids))

    async def participation(self, session_id: int) -> Sequence[Participation]:
        return await self._members.for_session(session_id)

    async def attendance(self, user_ids: Sequence[int]) -> dict[int, list[int]]:
        return await self._members.history(list(user_ids))

    async def links(self, session_id: int) -> dict[int, int]:
        return await self._links.for_session(session_id)
