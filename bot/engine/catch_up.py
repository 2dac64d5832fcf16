"""Catching up after a (re)connect: what happened in a chat while the bot was not listening.

After a fresh gateway session (a restart, or a session Discord could not resume) nothing says
what was missed, so the running session's channel, its question threads and the threads members
started are read again from the welcome on, with `after` paging: messages not stored yet are
captured, text edited meanwhile is attributed again, messages that are gone are tombstoned.
Live capture goes on meanwhile and may already have stored messages posted after the gap: ids
de-duplicate them, and they never decide where reading starts.

After a resumed session Discord replays what was missed, so only what follows each channel's
caught-up mark is read: the newest message id a catch-up has read there, moved by nothing else.

Nothing is lost to a failure either: a capture write that fails (the database locked past its
busy timeout) or a history read that fails marks its channel behind, from just before what was
missed, and a retry job reads it back with growing delays (`RETRY_DELAYS`) until it succeeds;
a failed edit or delete is taken in by a full catch-up. A recap waits for it (up to `WAIT`),
until every delay has been tried once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.messages import Held
from bot.engine.capture import Capture
from bot.engine.newcomers import NewcomerBatches
from bot.engine.ports import MemberRecords, MessageRecords
from bot.engine.session_view import SessionView
from bot.engine.triggers import Trigger
from bot.transport import (
    ChatTransport,
    IncomingEvent,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    Presence,
)

log = logging.getLogger(__name__)

# How long a recap waits for the catch-up after a (re)connect before going out without it.
WAIT = 60.0
# Seconds before reading back what a failure left out, attempt after attempt (the last repeats).
RETRY_DELAYS = (5.0, 15.0, 60.0, 300.0)
RETRY_JOB = "catch-up-retry"


class CatchUp:
    def __init__(
        self,
        *,
        chats: Sequence[ChatSettings],
        capture: Capture,
        transport: ChatTransport,
        messages: MessageRecords,
        members: MemberRecords,
        newcomers: NewcomerBatches,
        clock: Clock,
        trigger: Trigger | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._chats = chats
        self.capture = capture
        self._transport = transport
        self._messages, self._members = messages, members
        self._newcomers = newcomers
        self._clock = clock
        self._trigger, self._retry_delays = trigger, retry_delays
        self.marks: dict[int, int] = {}  # channel or thread id -> newest message id read there
        # Left out by a failure: channel or thread id -> read again after this id (None: from
        # the welcome); and whether a failed edit or delete needs a full catch-up.
        self.behind: dict[int, int | None] = {}
        self._full_again = False
        self._attempts = 0
        self._retry_due = False
        # Clear while events may be missed (starting, disconnected) until the next catch-up.
        self.done = asyncio.Event()
        self.done.set()

    def mark_behind(self) -> None:
        self.done.clear()

    def missed(self, event: IncomingEvent) -> None:
        """Capture could not store `event`: read it back from history later."""
        if isinstance(event, MessageCreated):
            self._left_out(event.thread_id or event.channel_id, event.message_id - 1)
        elif isinstance(event, MessageEdited | MessageDeleted):
            self._full_again = True
            self._retry_later()
        # a reaction is not in history; its count is recounted with the message's next change

    def _left_out(self, channel: int, after: int | None) -> None:
        if channel in self.behind:
            known = self.behind[channel]
            after = None if known is None or after is None else min(known, after)
        self.behind[channel] = after
        self._retry_later()

    def _retry_later(self) -> None:
        if not self._given_up:
            self.done.clear()
        if self._trigger is None or self._retry_due:
            return
        delay = self._retry_delays[min(self._attempts, len(self._retry_delays) - 1)]
        self._attempts += 1
        self._retry_due = True
        when = self._clock.now() + timedelta(seconds=delay)
        self._trigger.at(RETRY_JOB, when, self.retry)

    async def retry(self) -> None:
        """The retry job: read back what failures left out (a failed edit or delete: all)."""
        self._retry_due = False
        behind, self.behind = self.behind, {}
        full, self._full_again = self._full_again, False
        if full:
            await self.run(full=True)
        else:
            stored = 0
            try:
                for channel, after in behind.items():
                    stored += await self._read(channel, after, None)
            finally:
                self._settle()
            log.info("read back %d message(s) a failure had left out", stored)
        if not self.behind and not self._full_again:
            self._attempts = 0

    @property
    def _given_up(self) -> bool:
        """Every delay used once: a recap no longer waits (the retries go on)."""
        return self._attempts > len(self._retry_delays)

    def _settle(self) -> None:
        if self._given_up or (not self.behind and not self._full_again):
            self.done.set()

    async def wait(self) -> None:
        """A recap waits for the catch-up after a (re)connect, so what members posted while the
        bot was away is in it; after `WAIT` seconds it goes out anyway."""
        if self.done.is_set():
            return
        try:
            await asyncio.wait_for(self.done.wait(), WAIT)
        except TimeoutError:
            log.warning("no catch-up on history after %ss; going on without it", WAIT)

    async def run(self, *, full: bool) -> int:
        """Catch up on every chat's capturing session; returns messages stored."""
        stored = 0
        try:
            for chat in self._chats:
                view = await self.capture.view_for(chat)
                if view is not None:
                    stored += await self._session(chat, view, full=full)
        finally:
            self._settle()
        if stored:
            log.info("caught up on %d message(s) posted while the bot was away", stored)
        return stored

    async def _channels(self, chat: ChatSettings, view: SessionView) -> list[int]:
        """The chat channel, the question threads and every thread with messages since the
        welcome (members start their own, and threads may have been started while offline)."""
        channel = chat.channels.chat
        try:
            listed = await self._transport.threads_since(channel, view.welcome_message)
        except Exception as exc:
            log.warning("could not list the threads of channel %s; retried: %s", channel, exc)
            listed = []
            self._full_again = True
            self._retry_later()
        return list(dict.fromkeys([channel, *view.threads, *listed]))

    async def _session(self, chat: ChatSettings, view: SessionView, *, full: bool) -> int:
        anchor = view.welcome_message
        # Taken before reading: a message stored then and missing from history is gone.
        held = await self._messages.held(view.session.id) if full else None
        stored = 0
        for channel in await self._channels(chat, view):
            after = anchor
            if not full and channel in self.marks:
                after = max(self.marks[channel], anchor or 0)
            stored += await self._read(channel, after, held)
        if full:  # a crash may have come between storing messages and counting them
            async with self.capture.writing():
                await self._members.rebuild(view.session.id)
                if chat.welcome_newcomers and await self._members.unwelcomed(view.session.id):
                    await self._newcomers.queue(view.session, chat)
        return stored

    async def _read(self, channel: int, after: int | None, held: dict[int, Held] | None) -> int:
        """Read one channel after `after` and take it in; a failure marks it behind."""
        try:
            history = await self._transport.history(channel, after)
            async with self.capture.writing():
                stored = await self._reconcile(channel, after, history, held)
        except Exception as exc:
            log.warning("could not catch up on %s; retried: %s", channel, exc)
            if held is not None:
                self._full_again = True
            self._left_out(channel, after)
            return 0
        if history:
            newest = max(m.message_id for m in history)
            self.marks[channel] = max(self.marks.get(channel, 0), newest)
        return stored

    async def _gone(self, channel: int, missing: Sequence[int]) -> list[int]:
        """Of the messages an empty history read lacks, those the platform says are gone; the
        first one the bot may not read stops the asking (the channel is not readable)."""
        gone = []
        for mid in missing:
            presence = await self._transport.message_presence(channel, mid)
            if presence is Presence.UNKNOWN:
                return []
            if presence is Presence.GONE:
                gone.append(mid)
        return gone

    async def _reconcile(
        self,
        channel: int,
        after: int | None,
        history: Sequence[MessageCreated],
        held: dict[int, Held] | None,
    ) -> int:
        """Store what is new; with `held` (the session's stored messages) also take in edits,
        and deletes when the history read covers them (`after` a known message)."""
        capture = self.capture
        known = held or {}
        stored = await capture.on_messages([m for m in history if m.message_id not in known])
        if held is None:
            return stored
        edits = [
            MessageEdited(m.message_id, m.content, m.edited_at)
            for m in history
            if m.edited_at is not None
            and (h := held.get(m.message_id)) is not None
            and not h.deleted
            and (h.edited_at is None or m.edited_at > h.edited_at)
        ]
        for edit in edits:
            await capture.on_edit(edit)
        seen = {m.message_id for m in history}
        # Only when history was read after a known message does a gap suggest a delete; and when
        # nothing came back at all (without Read Message History Discord answers with nothing),
        # each missing message is asked for, to tell "gone" from "not allowed to read".
        missing = [
            mid
            for mid, h in held.items()
            if after is not None
            and mid > after
            and h.channel_id == channel
            and not h.deleted
            and mid not in seen
        ]
        gone = missing if history else await self._gone(channel, missing)
        now = self._clock.now()
        for mid in gone:
            await capture.on_delete(MessageDeleted(mid, now))
        if edits or gone:
            log.info("while away, in %s: %d edited, %d deleted", channel, len(edits), len(gone))
        return stored
