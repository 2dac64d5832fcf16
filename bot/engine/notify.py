"""Side effects that must never stop the chat (scheduled events, DMs, notes to the hosts): a
failure is logged and the chat goes on."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

from bot.config import ChatSettings
from bot.topics import MESSAGE_LIMIT
from bot.transport import ChatTransport, Outgoing, TransportError

log = logging.getLogger(__name__)

T = TypeVar("T")


async def best_effort(call: Awaitable[T], what: str) -> T | None:
    """The call's result, or None (logged) when the platform refused it."""
    try:
        return await call
    except TransportError as exc:
        log.warning("could not %s: %s", what, exc)
        return None


class HostNotes:
    """Problems reported in a chat's host channel; if that fails too, the log has them."""

    def __init__(self, transport: ChatTransport) -> None:
        self._transport = transport

    async def tell(self, chat: ChatSettings, text: str) -> None:
        if chat.channels.host is None:
            return
        if len(text) > MESSAGE_LIMIT:
            text = text[: MESSAGE_LIMIT - 1] + "…"
        await best_effort(
            self._transport.post(Outgoing(channel_id=chat.channels.host, content=text)),
            "tell the hosts",
        )
