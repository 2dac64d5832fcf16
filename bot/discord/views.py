"""Buttons: the persistent "Remind me" toggle on reminders, and the /chat forgetme confirmation.

The reminder button has a fixed custom_id and a view registered with `bot.add_view` at start-up,
so clicks on reminders posted before a restart still work.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.discord.replies import reply_error
from bot.store import Store

log = logging.getLogger(__name__)

REMIND_ID = "leadershipchat:remind"


async def toggle_remind(store: Store, user: discord.abc.User) -> str:
    """Flip a member's DM reminder and say what it is now."""
    member = await store.members.get(user.id)
    on = not (member is not None and member.remind)
    await store.members.set_remind(user.id, user.display_name, on)
    if not on:
        return "Reminders off: no more DMs before the chat."
    text = "Reminders on: I'll DM you shortly before each chat."
    if member is not None and member.opted_out:
        text += " (You opted out of recaps, which also stops DMs: use `/chat optin` to rejoin.)"
    return text


class RemindView(discord.ui.View):
    """The persistent "Remind me" button under reminders."""

    def __init__(self, store: Store) -> None:
        super().__init__(timeout=None)
        self.store = store

    @discord.ui.button(
        label="Remind me",
        emoji="\N{BELL}",
        style=discord.ButtonStyle.secondary,
        custom_id=REMIND_ID,
    )
    async def remind(
        self, interaction: discord.Interaction, button: discord.ui.Button[RemindView]
    ) -> None:
        text = await toggle_remind(self.store, interaction.user)
        await interaction.response.send_message(text, ephemeral=True)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[RemindView]
    ) -> None:
        await reply_error(interaction, error)


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
        text = await self.on_confirm(interaction)
        await interaction.response.edit_message(content=text, view=None)

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
