"""`/chat ...`: the members' own commands (leave or rejoin recaps, DM reminders, their stats,
erasure, help), as a GroupCog loaded as an extension (`setup`). Each is one call to an
application service (`bot.app.members`). Everything answers ephemerally: only the member sees
what is stored about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app.members import MemberStats
from bot.config import ChatSettings
from bot.discord.commands import MEMBER_DESCRIPTION, MEMBER_GROUP
from bot.discord.commands._checks import chat_of
from bot.discord.replies import UserError, send_reply
from bot.discord.views import ConfirmView
from bot.engine.render import stamp
from bot.timeline import next_starts

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot


def help_text(chat: ChatSettings, next_start_ts: str) -> str:
    ros = chat.run_of_show
    spacing = int(ros.spacing.total_seconds() // 60) or 1
    return (
        f"**How {chat.hashtag} works**\n"
        f"Next chat: {next_start_ts} in <#{chat.channels.chat}>.\n"
        f"I post a welcome, then a question about every {spacing} minutes: **Q1:**, **Q2:** ...\n"
        f"Answer with **A1:**, **A2:** ... (or reply to the question) so your answer lands under "
        f"the right question in the recap. Reply to each other freely; that's the fun part.\n"
        f"Late answers still count for a while after the close; a recap follows in "
        f"<#{chat.recap_channel}>.\n"
        f"Your settings: `/chat remind on` (a DM before each chat), `/chat optout` (leave the "
        f"recaps), `/chat mystats`, `/chat forgetme` (erase what is stored about you)."
    )


def stats_text(stats: MemberStats | None, hashtags: Mapping[str, str]) -> str:
    """`hashtags`: chat name -> its hashtag, to name the chats a member is reminded of."""
    if stats is None:
        return "Nothing is stored about you yet: join a chat and your stats start here."
    lines = [
        f"**{discord.utils.escape_markdown(stats.display_name)}**",
        f"Chats joined: {stats.chats}",
        f"Messages: {stats.messages} (answers: {stats.answers})",
    ]
    if stats.first_seen_at:
        lines.append(f"First chat: {stamp(stats.first_seen_at, 'D')}")
    if stats.last_seen_at:
        lines.append(f"Last seen: {stamp(stats.last_seen_at, 'R')}")
    reminded = sorted(hashtags.get(c, c) for c in stats.reminded)
    lines.append(f"DM reminders: {'on for ' + ', '.join(reminded) if reminded else 'off'}")
    lines.append("In recaps: " + ("no (opted out)" if stats.opted_out else "yes"))
    return "\n".join(lines)


def _named_chat(bot: LeadershipBot, interaction: discord.Interaction, name: str) -> ChatSettings:
    """The chat of this server called `name` (what the autocomplete offers)."""
    for chat in bot.settings.chats:
        if chat.guild_id == interaction.guild_id and name in (chat.name, chat.hashtag):
            return chat
    raise UserError(f"There is no chat called {name!r} in this server.")


@app_commands.guild_only()
class MemberCommands(
    commands.GroupCog, group_name=MEMBER_GROUP, group_description=MEMBER_DESCRIPTION
):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self.members = bot.member_settings
        self.hashtags = {c.name: c.hashtag for c in bot.settings.chats}
        super().__init__()

    @app_commands.command(
        name="optout", description="Leave the recaps: your messages are no longer quoted"
    )
    async def optout(self, interaction: discord.Interaction) -> None:
        user = interaction.user
        cleared = await self.members.opt_out(user.id, user.display_name)
        await send_reply(
            interaction,
            "You're out of the recaps from now on, and I removed the text of "
            f"{cleared} stored message(s). Recaps already published (files, archive pages "
            "and my Discord posts) are being rewritten without your words. "
            "`/chat optin` brings you back.",
        )

    @app_commands.command(name="optin", description="Rejoin the recaps")
    async def optin(self, interaction: discord.Interaction) -> None:
        user = interaction.user
        await self.members.opt_in(user.id, user.display_name)
        await send_reply(interaction, "Welcome back: your answers appear in recaps again.")

    @app_commands.command(name="remind", description="A DM shortly before each chat")
    @app_commands.describe(state="on or off", chat="which chat (default: the one of this channel)")
    async def remind(
        self,
        interaction: discord.Interaction,
        state: Literal["on", "off"],
        chat: str | None = None,
    ) -> None:
        user = interaction.user
        bot = self.bot
        target = _named_chat(bot, interaction, chat) if chat else chat_of(bot, interaction)
        await self.members.remind(user.id, user.display_name, target.name, state == "on")
        text = (
            f"Reminders on for {target.hashtag}: I'll DM you shortly before each chat."
            if state == "on"
            else f"Reminders off for {target.hashtag}."
        )
        await send_reply(interaction, text)

    @remind.autocomplete("chat")
    async def chat_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{c.hashtag} ({c.name})"[:100], value=c.name)
            for c in self.bot.settings.chats
            if c.guild_id == interaction.guild_id and current.lower() in c.name
        ][:25]

    @app_commands.command(
        name="mystats", description="What the chat knows about you: chats, answers"
    )
    async def mystats(self, interaction: discord.Interaction) -> None:
        stats = await self.members.stats(interaction.user.id)
        await send_reply(interaction, stats_text(stats, self.hashtags))

    @app_commands.command(name="forgetme", description="Erase everything stored about you")
    async def forgetme(self, interaction: discord.Interaction) -> None:
        user_id = interaction.user.id

        async def erase(_: discord.Interaction) -> str:
            report = await self.members.forget(user_id, self.bot.clock.now())
            return "\n".join(report.lines())[:2000]

        view = ConfirmView(user_id, "Erase everything", erase)
        await send_reply(
            interaction,
            "This erases your messages, reactions, stats and settings from the chat's records, "
            "and rewrites the recaps already published (files, archive pages and my Discord "
            "posts) without them. It cannot be undone.",
            view=view,
        )

    @app_commands.command(name="help", description="How the chat works")
    async def help_(self, interaction: discord.Interaction) -> None:
        chat = chat_of(self.bot, interaction)
        start = next_starts(chat.schedule, self.bot.clock.now(), 1)[0]
        await send_reply(interaction, help_text(chat, f"{stamp(start, 'F')} ({stamp(start, 'R')})"))


async def setup(bot: LeadershipBot) -> None:
    await bot.add_cog(MemberCommands(bot))
