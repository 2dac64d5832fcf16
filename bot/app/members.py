"""A member's own commands: leaving and rejoining the recaps, reminders, what is stored about
them, and erasing it.

Opting out is one transaction (the flag, the queued redo of published copies, the text of the
messages stored so far): all of it or none. The published copies are then redone in the
background by the republisher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.maintenance.forget import ForgetReport, forget_member
from bot.store import Store


@dataclass(frozen=True)
class MemberStats:
    display_name: str
    chats: int
    messages: int
    answers: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    reminded: tuple[str, ...]  # the chats (names) they get a DM before
    opted_out: bool


class MemberSettings:
    def __init__(self, store: Store, redo_copies: Callable[[], object]) -> None:
        self._store = store
        self._redo_copies = redo_copies  # the bot's republisher, run in the background

    async def opt_out(self, user_id: int, display_name: str) -> int:
        """Leave the recaps; returns how many stored messages lost their text."""
        async with self._store.transaction() as tx:
            await tx.members.set_opted_out(user_id, display_name, True)
            cleared = await tx.privacy.opt_out(user_id)
        self._redo_copies()
        return cleared

    async def opt_in(self, user_id: int, display_name: str) -> None:
        async with self._store.transaction() as tx:
            await tx.members.set_opted_out(user_id, display_name, False)

    async def remind(self, user_id: int, display_name: str, chat: str, on: bool) -> None:
        """A DM before each of this chat's sessions, on or off (the member and the setting
        together)."""
        async with self._store.transaction() as tx:
            await tx.members.set_remind(user_id, display_name, chat, on)

    async def forget(self, user_id: int, now: datetime) -> ForgetReport:
        """Erase everything stored about the member (`bot.maintenance.forget`), then redo the
        published copies (recap files, archive pages, the bot's posts) in the background."""
        report = await forget_member(self._store, user_id, now=now)
        self._redo_copies()
        return report

    async def stats(self, user_id: int) -> MemberStats | None:
        """None when nothing is stored about the member."""
        members = self._store.members
        member = await members.get(user_id)
        if member is None:
            return None
        sessions = (await members.history([user_id])).get(user_id, [])
        messages = answers = 0
        for session_id in sessions:
            part = await members.participation(session_id, user_id)
            if part is not None:
                messages += part.messages
                answers += part.answers
        return MemberStats(
            display_name=member.display_name,
            chats=len(sessions),
            messages=messages,
            answers=answers,
            first_seen_at=member.first_seen_at,
            last_seen_at=member.last_seen_at,
            reminded=tuple(sorted(await members.reminded_chats(user_id))),
            opted_out=member.opted_out,
        )
