"""Start-up checks: every configured channel and role exists and the bot may do its job there.

A missing permission otherwise shows up mid-chat as a question that never appears. Each problem
is logged with the fix and the list is posted in the host channel (when that one works).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import discord

from bot.config import ChatSettings
from bot.discord.commands import HOST_GROUP, HOST_PERMISSIONS

log = logging.getLogger(__name__)

LABELS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
    "manage_messages": "Manage Messages",
    "manage_channels": "Manage Channel",
    "manage_events": "Manage Events",
    "moderate_members": "Timeout Members",
}
ROLE = 1  # a command permission overwrite for a role (2: a member, 3: a channel)
BASE = ("view_channel", "send_messages", "embed_links", "read_message_history")
THREADS = ("create_public_threads", "send_messages_in_threads")


@dataclass(frozen=True)
class Problem:
    what: str
    fix: str
    channel: str | None = None  # the config field of the channel it is about, if any

    def __str__(self) -> str:
        return f"{self.what} Fix: {self.fix}"


def _deletes(chat: ChatSettings) -> bool:
    m = chat.moderation
    return bool(m.flood.enabled or m.duplicate_spam or m.blocked_words or m.new_member_link_hours)


def channel_needs(chat: ChatSettings) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Config field -> (channel id, permissions the bot needs there)."""
    chat_perms: tuple[str, ...] = (*BASE, "attach_files")
    if chat.answers_in_threads:
        chat_perms += THREADS
    if _deletes(chat):
        chat_perms += ("manage_messages",)
    if chat.moderation.slowmode > timedelta(0):
        chat_perms += ("manage_channels",)
    ch = chat.channels
    needs: dict[str, tuple[int, tuple[str, ...]]] = {"chat": (ch.chat, chat_perms)}
    if ch.announce:
        needs["announce"] = (ch.announce, BASE)
    if ch.recap:
        needs["recap"] = (ch.recap, (*BASE, "attach_files", *THREADS))
    else:
        needs["chat"] = (ch.chat, tuple(dict.fromkeys((*chat_perms, *THREADS))))
    if ch.host:
        needs["host"] = (ch.host, ("view_channel", "send_messages"))
    if ch.mod_log:
        needs["mod_log"] = (ch.mod_log, ("view_channel", "send_messages", "embed_links"))
    return needs


def _names(perms: Iterable[str]) -> str:
    return ", ".join(LABELS.get(p, p) for p in perms)


def check_chat(guild: discord.Guild | None, chat: ChatSettings) -> list[Problem]:
    """Everything that would stop this chat from running, with the fix for each."""
    if guild is None:
        return [
            Problem(
                f"{chat.name}: the bot is not in server {chat.guild_id}.",
                "invite it with the bot and applications.commands scopes, or correct guild_id.",
            )
        ]
    me = guild.me
    problems: list[Problem] = []
    for field, (channel_id, needed) in channel_needs(chat).items():
        channel = guild.get_channel_or_thread(channel_id)
        if channel is None:
            problems.append(
                Problem(
                    f"{chat.name}: channels.{field} ({channel_id}) does not exist or the bot "
                    "cannot see it.",
                    f"correct channels.{field} in the config, or let the bot's role view it.",
                    field,
                )
            )
            continue
        perms = channel.permissions_for(me)
        missing = [p for p in needed if not getattr(perms, p)]
        if missing:
            problems.append(
                Problem(
                    f"{chat.name}: missing {_names(missing)} in #{channel.name} (channels.{field}).",
                    f"give the bot's role {_names(missing)} in #{channel.name} "
                    "(Edit Channel > Permissions).",
                    field,
                )
            )
    for field, role_id in (
        ("host_role_id", chat.host_role_id),
        ("notify_role_id", chat.notify_role_id),
    ):
        if role_id is not None and guild.get_role(role_id) is None:
            problems.append(
                Problem(
                    f"{chat.name}: {field} {role_id} is not a role in {guild.name}.",
                    f"correct {field} in the config (Server Settings > Roles, right-click, Copy ID).",
                )
            )
    server = me.guild_permissions
    server_needs = ["manage_events"]
    if chat.moderation.flood.timeout > timedelta(0):
        server_needs.append("moderate_members")
    missing = [p for p in server_needs if not getattr(server, p)]
    if missing:
        problems.append(
            Problem(
                f"{chat.name}: missing {_names(missing)} in {guild.name}.",
                f"give the bot's role {_names(missing)} (Server Settings > Roles).",
            )
        )
    return problems


def role_sees_command(
    role: discord.Role, overwrites: Sequence[Mapping[str, Any]], command_id: int, app_id: int
) -> bool:
    """Whether Discord shows a command with the host group's default permissions to members of
    `role`: by the role's own permissions, or by an admin's overwrite for the command (else for
    all the app's commands) that allows the role or @everyone."""
    if role.permissions.administrator or role.permissions >= HOST_PERMISSIONS:
        return True
    by_target = {int(o["id"]): o.get("permissions") or [] for o in overwrites}
    entries = by_target.get(command_id, by_target.get(app_id, []))
    allowed = {role.id, role.guild.id}  # the guild id is @everyone
    return any(
        int(e["type"]) == ROLE and int(e["id"]) in allowed and e["permission"] for e in entries
    )


async def check_host_commands(client: discord.Client, chat: ChatSettings) -> list[Problem]:
    """Members with only the host role do not see /chathost until an admin allows the role
    (Discord's default permissions for it are Manage Server). Unknown (REST failed): no report."""
    guild = client.get_guild(chat.guild_id)
    role = guild.get_role(chat.host_role_id) if guild and chat.host_role_id else None
    app_id = client.application_id
    if guild is None or role is None or app_id is None:
        return []
    if role.permissions.administrator or role.permissions >= HOST_PERMISSIONS:
        return []
    try:
        commands = [
            *await client.http.get_guild_commands(app_id, guild.id),
            *await client.http.get_global_commands(app_id),
        ]
        overwrites = await client.http.get_guild_application_command_permissions(app_id, guild.id)
    except discord.HTTPException as exc:
        log.info("could not check who sees /%s: %s", HOST_GROUP, exc)
        return []
    command = next((c for c in commands if c["name"] == HOST_GROUP), None)
    if command is None or role_sees_command(role, list(overwrites), int(command["id"]), app_id):
        return []
    bot = client.user.name if client.user else "the bot"
    return [
        Problem(
            f"{chat.name}: members with the host role @{role.name} do not see /{HOST_GROUP}: "
            "Discord shows it to Manage Server only.",
            f"Server Settings > Integrations > {bot} > /{HOST_GROUP} > Add Roles or Members > "
            f"@{role.name}, allowed (or give the role Manage Server).",
        )
    ]


def report_text(problems: list[Problem]) -> str:
    lines = ["I checked my setup and found problems that will get in the way of the chat:"]
    lines += [f"- {p}" for p in problems]
    return "\n".join(lines)[:1990]
