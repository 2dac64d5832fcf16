"""The one path by which a step's post reaches the platform, and is recorded.

Every post of a step goes through `Sender.send`: a text Discord would refuse is refused plainly;
after an earlier attempt the bot's own recent posts are looked through first (a crash between
posting and recording, longer ago than Discord's nonce window), otherwise the post goes out with
a nonce derived from session, step, due time and part, so a resend within the window returns the
first message. `Sender.deliver` is a one-post step from start to record.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.steps import StepRow
from bot.engine.ports import StepLedger
from bot.topics import MESSAGE_LIMIT
from bot.transport import ChatTransport, Outgoing, Posted, TransportError

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = timedelta(minutes=1)  # posts never go out before due; allow clock skew


def step_nonce(session_id: int, key: str, due_at: datetime, part: int = 0) -> str:
    """Deterministic per step (and per re-run), so a resend after a crash is deduplicated."""
    raw = f"{session_id}:{key}:{due_at.isoformat()}:{part}".encode()
    return hashlib.blake2b(raw, digest_size=10).hexdigest()


def _signature(content: str, embeds: Sequence[Mapping[str, Any]]) -> tuple[str, tuple[str, ...]]:
    """What tells one post from another in the channel: its text and its embeds' titles (a
    recap's question parts have no text; Discord normalises the rest of an embed)."""
    return content, tuple(str(e.get("title") or "") for e in embeds)


class OwnHistory:
    """The bot's posts in a channel since the step was due, read once per channel, for finding a
    post that reached the platform before a crash kept it from being recorded."""

    def __init__(self, transport: ChatTransport, since: datetime) -> None:
        self._transport, self._since = transport, since
        self._seen: dict[int, list[Posted]] = {}
        self._taken: set[int] = set()

    async def find(self, message: Outgoing) -> Posted | None:
        channel_id = message.channel_id
        if channel_id not in self._seen:
            self._seen[channel_id] = list(
                await self._transport.recent_own_posts(channel_id, self._since)
            )
        wanted = _signature(message.content, message.embeds)
        for own in self._seen[channel_id]:
            if own.message_id not in self._taken and _signature(own.content, own.embeds) == wanted:
                self._taken.add(own.message_id)
                return own
        return None


class Sender:
    def __init__(self, transport: ChatTransport, steps: StepLedger) -> None:
        self.transport = transport
        self._steps = steps

    def history(self, step: StepRow) -> OwnHistory | None:
        """Where to look for posts of an earlier attempt (None on the first attempt)."""
        if step.attempts == 0:
            return None
        return OwnHistory(self.transport, step.due_at - HISTORY_LOOKBACK)

    async def send(
        self, step: StepRow, message: Outgoing, *, part: int = 0, history: OwnHistory | None
    ) -> Posted:
        """Post one message of `step` unless an earlier attempt already did."""
        if len(message.content) > MESSAGE_LIMIT:  # Discord would refuse it: say why, plainly
            raise TransportError(
                f"it is {len(message.content)} characters and Discord takes at most"
                f" {MESSAGE_LIMIT} in a message",
                retryable=False,
            )
        if history is not None and (found := await history.find(message)) is not None:
            log.info(
                "step %s (part %d) of session %s was already posted as %s",
                step.key,
                part,
                step.session_id,
                found.message_id,
            )
            return found
        nonce = message.nonce or step_nonce(step.session_id, step.key, step.due_at, part)
        return await self.transport.post(replace(message, nonce=nonce))

    async def deliver(
        self,
        step: StepRow,
        message: Outgoing,
        *,
        before_record: Callable[[Posted], Awaitable[None]] | None = None,
    ) -> Posted:
        """A one-post step: counted as an attempt, sent once, recorded as sent.
        `before_record` runs in between, given the post (a status, or a question's thread, that
        must exist before the step counts as done, so a crash in between leaves the step to be
        found again; its post is then found, not sent twice)."""
        history = self.history(step)
        await self._steps.begin_attempt(step.session_id, step.key)
        posted = await self.send(step, message, history=history)
        if before_record is not None:
            await before_record(posted)
        await self._steps.mark_sent(
            step.session_id,
            step.key,
            message_id=posted.message_id,
            channel_id=posted.channel_id,
            sent_at=posted.created_at,
        )
        return posted
