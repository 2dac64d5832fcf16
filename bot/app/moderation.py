"""The moderation log and "Hide from recap": every moderation action is one row in the store and
one line in the chat's mod-log channel (posted through the platform's transport). Hiding a
message and logging it are one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import ChatSettings
from bot.store import Store
from bot.topics import MESSAGE_LIMIT
from bot.transport import ChatTransport, Outgoing, TransportError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Who:
    """The member an action concerns."""

    user_id: int
    display_name: str


@dataclass(frozen=True)
class Where:
    """The message an action concerns, as the log line shows it."""

    message_id: int
    jump_url: str | None = None
    content: str = ""


def defused(text: str, limit: int = 200) -> str:
    """Member text quoted in the log: shortened, no mention or code formatting left working."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return short.replace("@", "@\u200b").replace("`", "'")


def log_line(who: Who, where: Where | None, action: str, reason: str) -> str:
    at = f" in {where.jump_url}" if where is not None and where.jump_url else ""
    line = f"**{action}**: {defused(who.display_name, 80)} (`{who.user_id}`){at}: {reason}"
    if where is not None and where.content:
        line += f"\n> {defused(where.content)}"
    return line[:MESSAGE_LIMIT]


class ModerationLog:
    def __init__(self, store: Store, transport: ChatTransport, clock: Clock) -> None:
        self._store, self._transport, self._clock = store, transport, clock

    async def record(
        self,
        chat: ChatSettings,
        session_id: int | None,
        who: Who,
        where: Where | None,
        action: str,
        reason: str,
    ) -> None:
        """One row in the store's moderation log and one line in the mod-log channel."""
        await self._store.moderation.record(
            user_id=who.user_id,
            action=action,
            reason=reason,
            at=self._clock.now(),
            session_id=session_id,
            message_id=where.message_id if where is not None else None,
        )
        await self._tell(chat, log_line(who, where, action, reason))

    async def hide(
        self, chat: ChatSettings, session_id: int | None, who: Who, where: Where, by: str
    ) -> bool:
        """Keep a stored message out of every recap and export, and log it; False (nothing
        changed) when the message is not part of a recorded chat."""
        reason = f"hidden from the recap by {by}"
        async with self._store.transaction() as tx:
            if not await tx.messages.set_hidden(where.message_id, True):
                return False
            await tx.moderation.record(
                user_id=who.user_id,
                action="hide-from-recap",
                reason=reason,
                at=self._clock.now(),
                session_id=session_id,
                message_id=where.message_id,
            )
        await self._tell(chat, log_line(who, where, "hide-from-recap", reason))
        return True

    async def _tell(self, chat: ChatSettings, line: str) -> None:
        if chat.channels.mod_log is None:
            return
        try:
            await self._transport.post(Outgoing(chat.channels.mod_log, line))
        except TransportError as exc:
            log.warning("could not write to the mod log: %s", exc)
