"""Capture: member messages, edits, deletions and reactions in a chat channel and its threads go
to the engine's capture. Raw events are used for edits, deletions and reactions so messages
that are not in discord.py's cache (posted before a restart) still count.

New messages come through the bot's intake hook, in gateway order; discord.py runs every other
handler as its own task. So that a quick edit or reaction never overtakes its message, each
only queues its event (synchronously), and one worker hands them to the engine in order,
everything queued at once together.

The queue is bounded without losing anything: once QUEUE_LIMIT events wait (the database
stalled, a flood), new messages, edits and deletions are not queued; once the worker has caught
up, a full catch-up reads the running session back from the channels' history (Discord keeps
them), as after a reconnect. Reactions, which history does not replay one by one, are still
queued up to HARD_LIMIT; past that they are dropped with an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord.access import ChatChannels, is_host
from bot.discord.convert import looks_content_stripped, message_created
from bot.transport import (
    IncomingEvent,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
)

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

log = logging.getLogger(__name__)

Queued = tuple[IncomingEvent, str | None]  # the event, and the chat to settle first
# Events handed to the engine at once: under a burst the queue fills while a run is written, and
# the next run takes what came meanwhile, so statements per message fall as the load rises.
BATCH_LIMIT = 5000
QUEUE_LIMIT = 20_000  # waiting events before new messages are left to the history catch-up
HARD_LIMIT = 2 * QUEUE_LIMIT
_READ_BACK = (MessageCreated, MessageEdited, MessageDeleted)  # what a full catch-up recovers


class CaptureCog(commands.Cog):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self._chat_channels = ChatChannels(bot.settings)
        self._guilds = {c.guild_id for c in bot.settings.chats}
        self._queue: asyncio.Queue[Queued] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._behind = False  # messages were left to the history catch-up
        self.queue_limit, self.hard_limit = QUEUE_LIMIT, HARD_LIMIT
        self._dropped = 0

    async def cog_load(self) -> None:
        self._worker = asyncio.create_task(self._work(), name="capture")
        self.bot.intake.add(self.take_message)

    async def cog_unload(self) -> None:
        self.bot.intake.remove(self.take_message)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def drain(self) -> None:
        """Wait until every queued event has been handled (shutdown)."""
        await self._queue.join()

    def _mine(self, user_id: int) -> bool:
        return self.bot.user is not None and user_id == self.bot.user.id

    def _enqueue(self, event: IncomingEvent, settle: str | None = None) -> None:
        if self.bot.closing:  # the next start's history backfill picks it up
            return
        waiting = self._queue.qsize()
        if isinstance(event, _READ_BACK) and (self._behind or waiting >= self.queue_limit):
            if not self._behind:
                log.warning(
                    "capture is %d events behind: new messages, edits and deletions are read "
                    "back from channel history once it has caught up",
                    waiting,
                )
                self.bot.engine.catch_up.mark_behind()  # a recap waits for it
            self._behind = True
            return
        if waiting >= self.hard_limit:
            self._dropped += 1
            log.error(
                "capture is %d events behind: a %s was dropped (%d so far)",
                waiting,
                type(event).__name__,
                self._dropped,
            )
            return
        self._queue.put_nowait((event, settle))

    async def _catch_up(self) -> None:
        """Read back the messages left out while the queue was full (stored ids are skipped)."""
        self._behind = False
        try:
            async with self.bot.working():
                count = await self.bot.engine.catch_up.run(full=True)
        except Exception:
            self._behind = True  # tried again after the next run; a reconnect's backfill too
            log.exception("could not read back the messages left out while capture was behind")
            return
        log.info("capture caught up: %d message(s) read back from channel history", count)

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH_LIMIT and not self._queue.empty():
                batch.append(self._queue.get_nowait())  # what piled up meanwhile goes in one run
            try:
                async with self.bot.working():
                    for chat_name in dict.fromkeys(settle for _, settle in batch if settle):
                        try:
                            await self._settled(chat_name)
                        except Exception:  # capture anyway: losing the run would be worse
                            log.exception("could not wait for %s's timeline", chat_name)
                    await self.bot.engine.capture.handle_many([event for event, _ in batch])
            except Exception:
                log.exception("could not capture %d event(s)", len(batch))
            finally:
                for _ in batch:
                    self._queue.task_done()
            if self._behind and self._queue.empty():
                await self._catch_up()

    async def _settled(self, chat_name: str) -> None:
        """Wait while the welcome, a question or the close is being posted and recorded."""
        session = await self.bot.engine.current_session(chat_name)
        if session is not None:
            await self.bot.engine.timeline_settled(session.id)

    def take_message(self, message: discord.Message) -> None:
        """Intake hook (see `bot/discord/intake.py`): runs in gateway order, only queues."""
        if self._mine(message.author.id) or message.guild is None:
            return
        channel = message.channel
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return
        chat = self._chat_channels.of(channel)
        if chat is None:
            return
        if looks_content_stripped(message):
            self.bot.note_empty_content()
        host = is_host(message.author, chat)
        event = message_created(message, chat_channel_id=chat.channels.chat, is_host=host)
        self._enqueue(event, chat.name)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id not in self._guilds or "content" not in payload.data:
            return
        if self._mine(int(payload.data.get("author", {}).get("id", 0))):
            return
        raw_edited = payload.data.get("edited_timestamp")
        edited_at = datetime.fromisoformat(raw_edited) if raw_edited else self.bot.clock.now()
        content = str(payload.data.get("content") or "")
        self._enqueue(MessageEdited(payload.message_id, content, edited_at))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id in self._guilds:
            self._enqueue(MessageDeleted(payload.message_id, self.bot.clock.now()))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id in self._guilds:
            now = self.bot.clock.now()
            for message_id in sorted(payload.message_ids):
                self._enqueue(MessageDeleted(message_id, now))

    def _reaction(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        if payload.guild_id in self._guilds and not self._mine(payload.user_id):
            emoji = str(payload.emoji)
            self._enqueue(ReactionChanged(payload.message_id, payload.user_id, emoji, added))

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self._reaction(payload, True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self._reaction(payload, False)


async def setup(bot: LeadershipBot) -> None:
    await bot.add_cog(CaptureCog(bot))
