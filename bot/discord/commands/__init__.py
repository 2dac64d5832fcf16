"""The `/chat` slash command group, assembled from one module per audience:
session controls and the run of show for hosts (`_host`), topic files and drafts for hosts
(`_topics`), and the members' own commands (`_member`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from bot.discord.commands import _host, _member, _topics

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

DESCRIPTION = "The weekly chat: host controls, topics, and your own settings"


def build_chat_group(bot: LeadershipBot) -> app_commands.Group:
    """`/chat ...`. Host commands check the host role at run time: Discord's default member
    permissions apply to a whole top-level command, so they cannot hide only some subcommands."""
    group = app_commands.Group(name="chat", description=DESCRIPTION, guild_only=True)
    for module in (_host, _topics, _member):
        for command in module.commands(bot):
            group.add_command(command)
    return group
