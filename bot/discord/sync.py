"""Slash command sync at start-up, per `discord.command_sync`.

guild (the default): the commands are copied to each configured server and synced there, which
is instant and cheap. global: synced to every server, but only when the command set changed since
the last global sync (a hash next to the database), because global syncs are rate limited and
take up to an hour to show. off: the operator syncs by other means.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import discord
from discord import app_commands

from bot.config import Settings

log = logging.getLogger(__name__)


def _stamp_file(settings: Settings) -> Path:
    return settings.database.with_name(settings.database.name + ".commands-synced")


def command_hash(tree: app_commands.CommandTree[discord.Client]) -> str:
    payload = [cmd.to_dict(tree) for cmd in tree.get_commands()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_commands(tree: app_commands.CommandTree[discord.Client], settings: Settings) -> None:
    mode = settings.discord.command_sync
    try:
        if mode == "guild":
            for guild_id in dict.fromkeys(c.guild_id for c in settings.chats):
                guild = discord.Object(guild_id)
                tree.copy_global_to(guild=guild)
                synced = await tree.sync(guild=guild)
                log.info("synced %d command(s) to server %d", len(synced), guild_id)
        elif mode == "global":
            stamp = _stamp_file(settings)
            current = command_hash(tree)
            if stamp.exists() and stamp.read_text().strip() == current:
                log.info("global commands unchanged since the last sync; not syncing")
                return
            synced = await tree.sync()
            stamp.write_text(current + "\n")
            log.info("synced %d global command(s); they can take an hour to appear", len(synced))
        else:
            log.info("command_sync is off: slash commands are not synced by the bot")
    except discord.Forbidden as exc:
        log.error(
            "could not sync slash commands (%s): re-invite the bot with the "
            "applications.commands scope",
            exc,
        )
    except discord.HTTPException as exc:
        log.error("could not sync slash commands: %s", exc)
