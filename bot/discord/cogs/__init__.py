"""The bot's cogs, each in a module loaded as an extension (discord.py's `load_extension` calls its
`setup`): capture (member messages -> engine), moderation (rules + "Hide from recap") and the
`/chat` and `/chathost` command groups (GroupCogs in `bot.discord.commands`). Each cog removes
what it added when it is unloaded. Nothing imports these modules directly: a loaded extension is
a module of its own, so other code finds a cog by name (`bot.get_cog`) and uses what it offers
through a protocol (`Drains`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

EXTENSIONS = (
    "bot.discord.cogs.capture",
    "bot.discord.cogs.moderation",
    "bot.discord.commands.member",
    "bot.discord.commands.host",
)


@runtime_checkable
class Drains(Protocol):
    """A cog with a queue of events (capture): `drain` waits until every one is handled."""

    async def drain(self) -> None: ...


async def load_extensions(bot: LeadershipBot) -> None:
    for name in EXTENSIONS:
        await bot.load_extension(name)


async def drain_capture(bot: LeadershipBot) -> None:
    """Wait until the member messages the capture cog has queued are stored."""
    capture = bot.get_cog("CaptureCog")
    if isinstance(capture, Drains):
        await capture.drain()
