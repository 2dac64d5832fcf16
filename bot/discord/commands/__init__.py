"""The slash commands, in two top-level groups because Discord hides commands from members by
top-level command only (`default_member_permissions`):

- `/chathost ...` for hosts (`host.HostCommands`): session controls and the run of show, topic
  files and drafts (`_topics`). Discord shows it only to members with Manage Server (or to the roles and
  people a server admin allows under Server Settings > Integrations); every command also checks
  the host role at run time, since an admin can open it up to anyone.
- `/chat ...` for everyone (`member.MemberCommands`): the members' own commands.

Both are GroupCogs in modules loaded as extensions (`bot.discord.cogs.EXTENSIONS`).
"""

from __future__ import annotations

import discord

MEMBER_GROUP = "chat"
HOST_GROUP = "chathost"
MEMBER_DESCRIPTION = "The weekly chat: reminders, recaps, your stats and settings"
HOST_DESCRIPTION = "Run the weekly chat: start, pause, questions, topics, recap (hosts)"
# Who Discord shows the host group to by default; the same permission passes the run-time check.
HOST_PERMISSIONS = discord.Permissions(manage_guild=True)
