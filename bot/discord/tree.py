"""The command tree with one error handler for every slash and context-menu command."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.discord.replies import reply_error


class ChatCommandTree(app_commands.CommandTree[discord.Client]):
    """Expected errors become friendly ephemeral replies; the rest are logged (see replies)."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await reply_error(interaction, error)
