"""Capture: member messages, edits, deletions and reactions in a chat channel and its threads go
to `engine.capture.handle`. Raw events are used for edits, deletions and reactions so messages
that are not in discord.py's cache (posted before a restart) still count."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord.access import chat_channel_of, is_host
from bot.discord.convert import looks_content_stripped, message_created
from bot.transport import IncomingEvent, MessageDeleted, MessageEdited, ReactionChanged

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

log = logging.getLogger(__name__)


class CaptureCog(commands.Cog):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self._guilds = {c.guild_id for c in bot.settings.chats}

    def _mine(self, user_id: int) -> bool:
        return self.bot.user is not None and user_id == self.bot.user.id

    async def _forward(self, event: IncomingEvent) -> None:
        if self.bot.closing:
            return  # the next start's history backfill picks it up
        async with self.bot.working():
            await self.bot.engine.capture.handle(event)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if self._mine(message.author.id) or message.guild is None:
            return
        channel = message.channel
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return
        chat = chat_channel_of(self.bot.settings, channel)
        if chat is None:
            return
        if looks_content_stripped(message):
            self.bot.note_empty_content()
        host = is_host(message.author, chat)
        await self._forward(
            message_created(message, chat_channel_id=chat.channels.chat, is_host=host)
        )

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id not in self._guilds or "content" not in payload.data:
            return
        if self._mine(int(payload.data.get("author", {}).get("id", 0))):
            return
        raw_edited = payload.data.get("edited_timestamp")
        edited_at = datetime.fromisoformat(raw_edited) if raw_edited else self.bot.clock.now()
        await self._forward(
            MessageEdited(payload.message_id, str(payload.data.get("content") or ""), edited_at)
        )

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id in self._guilds:
            await self._forward(MessageDeleted(payload.message_id, self.bot.clock.now()))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id in self._guilds:
            now = self.bot.clock.now()
            for message_id in sorted(payload.message_ids):
                await self._forward(MessageDeleted(message_id, now))

    async def _reaction(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        if payload.guild_id not in self._guilds or self._mine(payload.user_id):
            return
        await self._forward(
            ReactionChanged(payload.message_id, payload.user_id, str(payload.emoji), added)
        )

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, False)
