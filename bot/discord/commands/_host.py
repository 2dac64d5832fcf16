"""Host commands: the session controls (start, pause, next ...), the run of show and status.

Each control is one engine call (`engine.controls.*`); a ControlError from it becomes the host's
ephemeral answer through the tree's error handler. Controls defer first: a cancel posts in the
announcement channel, which can take longer than the 3 s Discord allows for an answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.discord.commands._checks import AppCommand, actor, chat_of, host_only
from bot.discord.replies import send_reply

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

Control = Callable[[str, str], Awaitable[str]]


def commands(bot: LeadershipBot) -> list[AppCommand]:
    hosts = host_only(bot)
    controls = bot.engine.controls

    async def run(interaction: discord.Interaction, call: Callable[[str], Awaitable[str]]) -> None:
        chat = chat_of(bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await call(chat.name))

    def simple(name: str, description: str, control: Control) -> AppCommand:
        @app_commands.command(name=name, description=description)
        @hosts
        async def command(interaction: discord.Interaction) -> None:
            await run(interaction, lambda chat: control(chat, actor(interaction)))

        return command

    @app_commands.command(name="skip", description="Do not post a question (default: the next one)")
    @app_commands.describe(number="the question to skip, e.g. 3 (default: the next one)")
    @hosts
    async def skip(
        interaction: discord.Interaction, number: app_commands.Range[int, 1, 12] | None = None
    ) -> None:
        await run(
            interaction, lambda chat: controls.skip_question(chat, actor(interaction), number)
        )

    @app_commands.command(
        name="extend", description="Give the chat more time (moves last call, close, recap)"
    )
    @app_commands.describe(minutes="how many minutes to add")
    @hosts
    async def extend(
        interaction: discord.Interaction, minutes: app_commands.Range[int, 1, 180]
    ) -> None:
        await run(interaction, lambda chat: controls.extend(chat, minutes, actor(interaction)))

    @app_commands.command(
        name="edit-question", description="Change the text of a question not posted yet"
    )
    @app_commands.describe(number="the question number", text="the new question text")
    @hosts
    async def edit_question(
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 12],
        text: app_commands.Range[str, 1, 250],
    ) -> None:
        await run(
            interaction, lambda chat: controls.edit_question(chat, number, text, actor(interaction))
        )

    @app_commands.command(
        name="preview", description="The next chat's run of show, in your time zone"
    )
    @hosts
    async def preview(interaction: discord.Interaction) -> None:
        chat = chat_of(bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await bot.chat_status.preview(chat))

    @app_commands.command(
        name="status", description="Where the current chat is: steps, messages, people"
    )
    @hosts
    async def status(interaction: discord.Interaction) -> None:
        chat = chat_of(bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await bot.chat_status.status(chat))

    return [
        simple(
            "start",
            "Start the chat now: the welcome goes out, later steps move with it",
            controls.start_now,
        ),
        simple("pause", "Pause the chat: nothing is posted until /chathost resume", controls.pause),
        simple("resume", "Resume a paused chat (later steps move by the pause)", controls.resume),
        simple("next", "Post the next question now", controls.next_question),
        skip,
        extend,
        simple("end", "Close the chat now (late answers still count)", controls.end_now),
        simple("cancel", "Cancel this week's chat (members are told)", controls.cancel),
        edit_question,
        simple("recap", "Publish the last chat's recap again", controls.rerun_recap),
        preview,
        status,
    ]
