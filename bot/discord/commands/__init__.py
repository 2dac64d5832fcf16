"""The slash commands, in two top-level groups because Discord hides commands from members by
top-level command only (`default_member_permissions`):

- `/chathost ...` for hosts: session controls and the run of show (`_host`), topic files and
  drafts (`_topics`). Discord shows it only to members with Manage Server (or to the roles and
  people a server admin allows under Server Settings > Integrations); every command also checks
  the host role at run time, since an admin can open it up to anyone.
- `/chat ...` for everyone: the members' own commands (`_member`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord.commands import _host, _member, _topics

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

MEMBER_GROUP = "chat"
HOST_GROUP = "chathost"
MEMBER_DESCRIPTION = "The weekly chat: reminders, recaps, your stats and settings"
HOST_DESCRIPTION = "Run the weekly chat: start, pause, questions, topics, recap (hosts)"
# Who Discord shows the host group to by default; the same permission passes the run-time check.
HOST_PERMISSIONS = discord.Permissions(manage_guild=True)


def build_chat_group(bot: LeadershipBot) -> app_commands.Group:
    """`/chat ...`: what every member may do."""
    group = app_commands.Group(name=MEMBER_GROUP, description=MEMBER_DESCRIPTION, guild_only=True)
    for command in _member.commands(bot):
        group.add_command(command)
    return group


def build_host_group(bot: LeadershipBot) -> app_commands.Group:
    """`/chathost ...`: hidden by Discord from members without Manage Server."""
    group = app_commands.Group(
        name=HOST_GROUP,
        description=HOST_DESCRIPTION,
        guild_only=True,
        default_permissions=HOST_PERMISSIONS,
    )
    for module in (_host, _topics):
        for command in module.commands(bot):
            group.add_command(command)
    return group
