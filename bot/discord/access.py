"""Who is a host, and which configured chat a channel or command belongs to."""

from __future__ import annotations

import discord

from bot.config import ChatSettings, Settings


def is_host(user: discord.abc.User | None, chat: ChatSettings) -> bool:
    """The configured host role or Manage Server (server admins can always run a chat)."""
    if not isinstance(user, discord.Member):
        return False
    if chat.host_role_id is not None and user.get_role(chat.host_role_id) is not None:
        return True
    return user.guild_permissions.manage_guild


class ChatChannels:
    """Which chat a channel belongs to as its chat channel, or a thread in it: asked for every
    message, so answered from a map by id."""

    def __init__(self, settings: Settings) -> None:
        self._by_id = {c.channels.chat: c for c in settings.chats}

    def of(self, channel: discord.abc.GuildChannel | discord.Thread | None) -> ChatSettings | None:
        if channel is None:
            return None
        chat = self._by_id.get(channel.id)
        if chat is None and isinstance(channel, discord.Thread) and channel.parent_id:
            chat = self._by_id.get(channel.parent_id)
        return chat


def _channel_ids(chat: ChatSettings) -> set[int]:
    ch = chat.channels
    return {i for i in (ch.chat, ch.announce, ch.recap, ch.host, ch.mod_log) if i}


def chat_for(
    settings: Settings, guild_id: int | None, channel_id: int | None, parent_id: int | None
) -> ChatSettings | None:
    """Commands act on the chat whose channel they are used in, else the guild's first chat."""
    if guild_id is None:
        return None
    mine = [c for c in settings.chats if c.guild_id == guild_id]
    for chat in mine:
        if {channel_id, parent_id} & _channel_ids(chat):
            return chat
    return mine[0] if mine else None
