"""Buttons: the persistent "Remind me" toggle on reminders, and the /chat forgetme confirmation.

The reminder button names its chat in its custom_id (`leadershipchat:remind:<chat>`) and is a
`DynamicItem` registered at start-up, so a click on a reminder posted before a restart still
reaches the right chat. Reminders posted before reminders were per chat carry the bare
`leadershipchat:remind`: those act on the chat(s) announcing in the channel clicked in.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.config import ChatSettings, Settings
from bot.discord.access import chat_for
from bot.discord.replies import UserError, reply_error
from bot.store import Store

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

log = logging.getLogger(__name__)

REMIND_ID = "leadershipchat:remind"
CUSTOM_ID_LIMIT = 100


def remind_key(chat_name: str) -> str:
    """The chat's part of the button's custom_id: its name, or a digest of a very long one."""
    if len(REMIND_ID) + 1 + len(chat_name) <= CUSTOM_ID_LIMIT:
        return chat_name
    return "~" + hashlib.blake2b(chat_name.encode(), digest_size=8).hexdigest()


def remind_chats(
    settings: Settings, key: str | None, guild_id: int | None, channel_id: int | None
) -> list[ChatSettings]:
    """The chats a click is about: the one the button names, or for a button from before
    reminders were per chat, those announcing in that channel (else the channel's chat)."""
    if key is not None:
        return [c for c in settings.chats if remind_key(c.name) == key]
    here = [
        c
        for c in settings.chats
        if c.guild_id == guild_id and channel_id in (c.announce_channel, c.channels.chat)
    ]
    if here:
        return here
    fallback = chat_for(settings, guild_id, channel_id, None)
    return [fallback] if fallback is not None else []


async def toggle_remind(store: Store, user: discord.abc.User, chats: list[ChatSettings]) -> str:
    """Flip a member's DM reminder for these chats and say what it is now."""
    subscribed = await store.members.reminded_chats(user.id)
    on = not all(c.name in subscribed for c in chats)
    for chat in chats:
        await store.members.set_remind(user.id, user.display_name, chat.name, on)
    names = ", ".join(c.hashtag for c in chats)
    if not on:
        return f"Reminders off for {names}: no more DMs before it."
    text = f"Reminders on for {names}: I'll DM you shortly before each chat."
    member = await store.members.get(user.id)
    if member is not None and member.opted_out:
        text += " (You opted out of recaps, which also stops DMs: use `/chat optin` to rejoin.)"
    return text


class RemindButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(REMIND_ID) + r"(?::(?P<chat>[^:]+))?",
):
    """The persistent "Remind me" button under a chat's reminders."""

    def __init__(self, key: str | None) -> None:
        custom_id = REMIND_ID if key is None else f"{REMIND_ID}:{key}"
        super().__init__(
            discord.ui.Button(
                label="Remind me",
                emoji="\N{BELL}",
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id,
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RemindButton:
        return cls(match["chat"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = cast("LeadershipBot", interaction.client)
        try:
            chats = remind_chats(
                bot.settings, self.key, interaction.guild_id, interaction.channel_id
            )
            if not chats:
                raise UserError("That chat is no longer run here, so there is nothing to remind.")
            text = await toggle_remind(bot.store, interaction.user, chats)
            await interaction.response.send_message(text, ephemeral=True)
        except Exception as exc:
            await reply_error(interaction, exc)


def remind_view(chat_name: str) -> discord.ui.View:
    """The view a chat's reminder is posted with."""
    view = discord.ui.View(timeout=None)
    view.add_item(RemindButton(remind_key(chat_name)))
    return view


Confirm = Callable[[discord.Interaction], Awaitable[str]]


class ConfirmView(discord.ui.View):
    """A yes/no question for one member; only they can answer, and only once."""

    def __init__(self, owner_id: int, confirm_label: str, on_confirm: Confirm) -> None:
        super().__init__(timeout=300)
        self.owner_id = owner_id
        self.on_confirm = on_confirm
        self.confirm.label = confirm_label

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner_id:
            await interaction.response.send_message("This question is not for you.", ephemeral=True)
            return False
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        self.stop()
        # Discord allows 3 s for a first answer and the work (an erasure waiting for the
        # database) may take longer: acknowledged at once, the question edited when done.
        await interaction.response.defer()
        text = await self.on_confirm(interaction)
        await interaction.edit_original_response(content=text, view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was changed.", view=None)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[ConfirmView]
    ) -> None:
        await reply_error(interaction, error)
