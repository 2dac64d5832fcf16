"""Ephemeral answers to interactions, and the one place that turns errors into friendly words.

Expected problems (not a host, no chat here, a control that cannot apply now, a bad topic file)
are answered in a sentence; anything else is logged with its traceback and the member is told
that something went wrong, never left with Discord's "The application did not respond".
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.drafting import DraftError
from bot.engine import ControlError
from bot.topic_writer import TopicRejected
from bot.topics import TopicFileError
from bot.transport import TransportError

log = logging.getLogger(__name__)

GENERIC = "Something went wrong on my side; the details are in the bot's log."


class NotHost(app_commands.CheckFailure):
    """A host command used by someone without the host role or Manage Server."""


class NoChatHere(app_commands.CheckFailure):
    """A command used in a server with no configured chat."""


class UserError(Exception):
    """A problem with what the member asked for; the message is shown as it is."""


def friendly(error: BaseException) -> str | None:
    """The sentence for an expected error, or None for a bug."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, NotHost | NoChatHere | UserError | ControlError):
        return str(original)
    if isinstance(original, app_commands.NoPrivateMessage):
        return "Use this command in the chat's server."
    if isinstance(original, app_commands.CheckFailure):
        return "You can't use this command here."
    if isinstance(original, app_commands.TransformerError):
        return f"That value is not valid: {original.value!r}."
    if isinstance(original, TopicRejected):
        return str(original)[:1900]
    if isinstance(original, TopicFileError):
        lines = [f"line {p.line}: {p.message}" for p in original.problems]
        return "That topic has problems:\n" + "\n".join(lines[:20])
    if isinstance(original, DraftError):
        return f"I could not draft a topic from that: {original}"
    if isinstance(original, TransportError) and not original.retryable:
        return f"Discord refused: {original}"
    return None


async def send_reply(interaction: discord.Interaction, content: str, **extra: Any) -> None:
    """Answer ephemerally, whether or not the interaction was answered (or deferred) already."""
    content = content[:2000]
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **extra)
    else:
        await interaction.response.send_message(content, ephemeral=True, **extra)


async def reply_error(interaction: discord.Interaction, error: BaseException) -> None:
    message = friendly(error)
    if message is None:
        name = interaction.command.qualified_name if interaction.command else "an interaction"
        log.error("error in %s", name, exc_info=error)
        message = GENERIC
    try:
        await send_reply(interaction, message)
    except discord.HTTPException as exc:  # expired or already answered: the log has it
        log.warning("could not tell the member about an error: %s", exc)
