"""discord.Message -> the engine's MessageCreated (live events and history alike)."""

from __future__ import annotations

import discord

from bot.transport import MessageCreated


def message_created(
    message: discord.Message, *, chat_channel_id: int, is_host: bool
) -> MessageCreated:
    """A member message as the engine sees it: a thread message carries its parent chat channel
    as `channel_id` and the thread as `thread_id`."""
    thread_id = message.channel.id if message.channel.id != chat_channel_id else None
    reply_to = None
    if message.type is discord.MessageType.reply and message.reference is not None:
        reply_to = message.reference.message_id
    return MessageCreated(
        message_id=message.id,
        channel_id=chat_channel_id,
        author_id=message.author.id,
        author_name=message.author.display_name,
        content=message.content,
        created_at=message.created_at,
        thread_id=thread_id,
        author_is_bot=message.author.bot,
        author_is_host=is_host,
        reply_to=reply_to,
        jump_url=message.jump_url,
        edited_at=message.edited_at,
    )


def looks_content_stripped(message: discord.Message) -> bool:
    """A member message with nothing in it at all: what Discord sends without the Message
    Content intent (text, embeds and attachments are all blanked)."""
    return (
        not message.author.bot
        and not message.content
        and not message.attachments
        and not message.embeds
        and not message.stickers
        and message.type in (discord.MessageType.default, discord.MessageType.reply)
    )
