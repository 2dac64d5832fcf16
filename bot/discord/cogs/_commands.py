"""Adds the `/chat` (members) and `/chathost` (hosts) command groups to the tree when loaded
and removes them when unloaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.discord.commands import build_chat_group, build_host_group

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot


class CommandsCog(commands.Cog):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self.groups = (build_chat_group(bot), build_host_group(bot))

    async def cog_load(self) -> None:
        for group in self.groups:
            self.bot.tree.add_command(group)

    async def cog_unload(self) -> None:
        for group in self.groups:
            self.bot.tree.remove_command(group.name)
