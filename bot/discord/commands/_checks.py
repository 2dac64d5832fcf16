"""What every command needs: the chat it acts on, the host check, who asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.config import ChatSettings
from bot.discord.access import chat_for, is_host
from bot.discord.replies import NoChatHere, NotHost

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot


def chat_of(bot: LeadershipBot, interaction: discord.Interaction) -> ChatSettings:
    """The chat whose channel the command is used in, else the server's first chat."""
    parent = getattr(interaction.channel, "parent_id", None)
    chat = chat_for(bot.settings, interaction.guild_id, interaction.channel_id, parent)
    if chat is None:
        raise NoChatHere("No chat is configured for this server.")
    return chat


def check_host(bot: LeadershipBot, interaction: discord.Interaction) -> bool:
    """The configured host role or Manage Server, else an ephemeral refusal (NotHost)."""
    chat = chat_of(bot, interaction)
    if not is_host(interaction.user, chat):
        raise NotHost(f"Only {chat.hashtag} hosts can do that (the host role or Manage Server).")
    return True


def actor(interaction: discord.Interaction) -> str:
    """How host actions name who did them (kept in the host-actions log)."""
    return f"{interaction.user.display_name} ({interaction.user.id})"
