"""Adds the `/chat` command group to the tree when loaded and removes it when unloaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.discord.commands import build_chat_group

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot


class CommandsCog(commands.Cog):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self.group = build_chat_group(bot)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.group)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.group.name)
