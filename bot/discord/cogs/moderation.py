"""Moderation: checks member messages with the pure `bot.moderation` rules, in gateway order, and
hands a verdict to `bot.app.moderation.Enforcement`, which acts through the transport (delete,
warn once, time out) and logs it; gives hosts the "Hide from recap" message command. (The chat
channel's slowmode is a ledger step of the engine.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.moderation import Flagged, Hidden, Where, Who
from bot.config import ChatSettings
from bot.discord.access import ChatChannels, chat_for, is_host
from bot.discord.cogs import drain_capture
from bot.discord.replies import NoChatHere, NotHost, send_reply
from bot.domain.sessions import SessionRow, SessionStatus
from bot.moderation import MessageFacts, Moderator, Verdict

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

log = logging.getLogger(__name__)

_RUNNING = (SessionStatus.RUNNING, SessionStatus.PAUSED)


def _where(message: discord.Message) -> Where:
    return Where(message.id, message.jump_url, message.content)


def _flagged(message: discord.Message) -> Flagged:
    assert message.guild is not None  # take_message lets only server messages through
    return Flagged(message.guild.id, message.channel.id, message.channel.jump_url, _where(message))


class ModerationCog(commands.Cog):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self._chat_channels = ChatChannels(bot.settings)
        self._moderators = {c.name: Moderator(c.moderation) for c in bot.settings.chats}
        self._sessions: dict[str, int | None] = {}
        # messages to check, in gateway order, and the actions under way (deletes, warnings)
        self._queue: asyncio.Queue[tuple[discord.Message, ChatSettings]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._acting: set[asyncio.Task[None]] = set()
        self.hide_menu: app_commands.ContextMenu = app_commands.ContextMenu(
            name="Hide from recap", callback=self.hide_from_recap
        )
        # No default_member_permissions: Discord would hide the menu from hosts who have the
        # host role but not that permission. Hosts are checked when it is used, as for /chat.
        self.hide_menu.guild_only = True

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.hide_menu)
        self._worker = asyncio.create_task(self._work(), name="moderation")
        self.bot.intake.add(self.take_message)

    async def cog_unload(self) -> None:
        self.bot.intake.remove(self.take_message)
        self.bot.tree.remove_command(self.hide_menu.name, type=self.hide_menu.type)
        for task in (self._worker, *self._acting):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _session(self, chat: ChatSettings) -> SessionRow | None:
        session = await self.bot.engine.current_session(chat.name)
        current = session.id if session is not None else None
        if self._sessions.get(chat.name, current) != current:
            self._moderators[chat.name].reset()  # warnings are per chat
        self._sessions[chat.name] = current
        return session

    # -- message rules ------------------------------------------------------------------------

    def take_message(self, message: discord.Message) -> None:
        """Intake hook (see `bot/discord/intake.py`): runs in gateway order, only queues."""
        author = message.author
        if author.bot or not isinstance(author, discord.Member) or self.bot.closing:
            return
        channel = message.channel
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            return
        chat = self._chat_channels.of(channel)
        if chat is not None:
            self._queue.put_nowait((message, chat))

    async def _work(self) -> None:
        """Check messages one by one, in order (flood and duplicate rules count them), with the
        session looked up once per chat for everything queued meanwhile; acting on a verdict
        (REST calls) runs beside, so a burst of spam does not hold up the checks."""
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            sessions: dict[str, SessionRow | None] = {}
            for message, chat in batch:
                try:
                    if chat.name not in sessions:
                        sessions[chat.name] = await self._session(chat)
                    self._moderate(message, chat, sessions[chat.name])
                except Exception:
                    log.exception("could not moderate message %s", message.id)
                finally:
                    self._queue.task_done()

    def _moderate(
        self, message: discord.Message, chat: ChatSettings, session: SessionRow | None
    ) -> None:
        author = message.author
        assert isinstance(author, discord.Member)  # take_message lets only members through
        running = session is not None and session.status in _RUNNING
        facts = MessageFacts(
            user_id=author.id,
            text=message.content,
            at=message.created_at,
            joined_at=author.joined_at,
            is_host=is_host(author, chat),
        )
        verdict = self._moderators[chat.name].check(facts, chat_running=running)
        if verdict is not None:
            task = asyncio.create_task(self._acting_on(message, author, chat, session, verdict))
            self._acting.add(task)
            task.add_done_callback(self._acting.discard)

    async def _acting_on(
        self,
        message: discord.Message,
        member: discord.Member,
        chat: ChatSettings,
        session: SessionRow | None,
        verdict: Verdict,
    ) -> None:
        try:
            async with self.bot.working():
                await self.bot.enforcement.act(
                    chat,
                    session.id if session is not None else None,
                    Who(member.id, member.display_name),
                    _flagged(message),
                    verdict,
                )
        except Exception:
            log.exception("could not act on message %s (%s)", message.id, verdict.rule.value)

    # -- hide from recap ----------------------------------------------------------------------

    async def hide_from_recap(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Message command for hosts: keep this message out of every recap and export."""
        chat = chat_for(
            self.bot.settings,
            interaction.guild_id,
            interaction.channel_id,
            getattr(interaction.channel, "parent_id", None),
        )
        if chat is None:
            raise NoChatHere("No chat is configured for this server.")
        if not is_host(interaction.user, chat):
            raise NotHost("Only the chat's hosts can hide messages from the recap.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await drain_capture(self.bot)  # a message posted a moment ago is stored first
        session = await self.bot.engine.current_session(chat.name)
        found = await self.bot.mod_log.hide(
            chat,
            session.id if session is not None else None,
            Who(message.author.id, message.author.display_name),
            _where(message),
            by=interaction.user.display_name,
        )
        if not found:
            await send_reply(interaction, "That message is not part of a chat I recorded.")
            return
        if found is Hidden.HIDDEN_AND_REDONE:  # the recap is out: its copies follow
            self.bot.republisher.soon()
            await send_reply(
                interaction,
                "Hidden: this message will not appear in the recap."
                " The published recap is being redone without it.",
            )
            return
        await send_reply(interaction, "Hidden: this message will not appear in the recap.")


async def setup(bot: LeadershipBot) -> None:
    await bot.add_cog(ModerationCog(bot))
