"""Cogs: capture (member messages -> engine), moderation (rules + "Hide from recap") and the
`/chat` and `/chathost` command groups. `load_cogs` adds them all; each cog removes what it added on unload."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord.cogs._capture import CaptureCog
from bot.discord.cogs._commands import CommandsCog
from bot.discord.cogs._moderation import ModerationCog

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

__all__ = ["CaptureCog", "CommandsCog", "ModerationCog", "load_cogs"]


async def load_cogs(bot: LeadershipBot) -> None:
    await bot.add_cog(CaptureCog(bot))
    await bot.add_cog(ModerationCog(bot))
    await bot.add_cog(CommandsCog(bot))
