"""`/chathost ...`: the hosts' commands, as a GroupCog loaded as an extension (`setup`).

Discord shows the group only to members with Manage Server (or to the roles and people a server
admin allows under Server Settings > Integrations); every command also checks the host role at
run time (`interaction_check`), since an admin can open it up to anyone.

Session controls are one engine call each (`engine.controls.*`); a ControlError from one becomes
the host's ephemeral answer through the tree's error handler. Controls defer first: a cancel
posts in the announcement channel, which can take longer than the 3 s Discord allows for an
answer. Topic files and drafts are in `_topics.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import ChatSettings
from bot.discord.commands import HOST_DESCRIPTION, HOST_GROUP, HOST_PERMISSIONS
from bot.discord.commands import _topics as topics
from bot.discord.commands._checks import actor, chat_of, check_host
from bot.discord.replies import send_reply

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

Control = Callable[[str, str], Awaitable[str]]
BlueskyAction = Callable[[ChatSettings, str, str], Awaitable[str]]


@app_commands.guild_only()
@app_commands.default_permissions(HOST_PERMISSIONS)
class HostCommands(commands.GroupCog, group_name=HOST_GROUP, group_description=HOST_DESCRIPTION):
    def __init__(self, bot: LeadershipBot) -> None:
        self.bot = bot
        self.controls = bot.engine.controls
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return check_host(self.bot, interaction)

    async def _run(self, interaction: discord.Interaction, control: Control) -> None:
        chat = chat_of(self.bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await control(chat.name, actor(interaction)))

    # -- session controls --------------------------------------------------------------------

    @app_commands.command(
        name="start",
        description="Start the chat now: the welcome goes out, later steps move with it",
    )
    async def start(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.start_now)

    @app_commands.command(
        name="pause", description="Pause the chat: nothing is posted until /chathost resume"
    )
    async def pause(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.pause)

    @app_commands.command(
        name="resume", description="Resume a paused chat (later steps move by the pause)"
    )
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.resume)

    @app_commands.command(name="next", description="Post the next question now")
    async def next_(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.next_question)

    @app_commands.command(name="skip", description="Do not post a question (default: the next one)")
    @app_commands.describe(number="the question to skip, e.g. 3 (default: the next one)")
    async def skip(
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 12] | None = None,
    ) -> None:
        await self._run(
            interaction, lambda chat, who: self.controls.skip_question(chat, who, number)
        )

    @app_commands.command(
        name="extend", description="Give the chat more time (moves last call, close, recap)"
    )
    @app_commands.describe(minutes="how many minutes to add")
    async def extend(
        self, interaction: discord.Interaction, minutes: app_commands.Range[int, 1, 180]
    ) -> None:
        await self._run(interaction, lambda chat, who: self.controls.extend(chat, minutes, who))

    @app_commands.command(name="end", description="Close the chat now (late answers still count)")
    async def end(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.end_now)

    @app_commands.command(name="cancel", description="Cancel this week's chat (members are told)")
    async def cancel(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.cancel)

    @app_commands.command(
        name="edit-question", description="Change the text of a question not posted yet"
    )
    @app_commands.describe(number="the question number", text="the new question text")
    async def edit_question(
        self,
        interaction: discord.Interaction,
        number: app_commands.Range[int, 1, 12],
        text: app_commands.Range[str, 1, 250],
    ) -> None:
        await self._run(
            interaction, lambda chat, who: self.controls.edit_question(chat, number, text, who)
        )

    @app_commands.command(name="recap", description="Publish the last chat's recap again")
    async def recap(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, self.controls.rerun_recap)

    # -- the chat's Bluesky side -------------------------------------------------------------

    @app_commands.command(
        name="hide-post", description="Hide a Bluesky post from the recap (its link or AT-URI)"
    )
    @app_commands.describe(link="the post's bsky.app link or AT-URI")
    async def hide_post(
        self, interaction: discord.Interaction, link: app_commands.Range[str, 1, 1000]
    ) -> None:
        await self._bluesky(interaction, self.bot.bluesky_moderation.hide_post, link)

    @app_commands.command(
        name="ignore-account",
        description="Ignore a Bluesky account: its posts hidden from the recap, none collected",
    )
    @app_commands.describe(handle_or_did="the account's handle (name.bsky.social) or DID")
    async def ignore_account(
        self, interaction: discord.Interaction, handle_or_did: app_commands.Range[str, 1, 300]
    ) -> None:
        await self._bluesky(interaction, self.bot.bluesky_moderation.ignore_account, handle_or_did)

    @app_commands.command(
        name="unignore-account",
        description="Collect a Bluesky account again (and show the posts its ignoring hid)",
    )
    @app_commands.describe(handle_or_did="the account's handle (name.bsky.social) or DID")
    async def unignore_account(
        self, interaction: discord.Interaction, handle_or_did: app_commands.Range[str, 1, 300]
    ) -> None:
        await self._bluesky(
            interaction, self.bot.bluesky_moderation.unignore_account, handle_or_did
        )

    async def _bluesky(
        self, interaction: discord.Interaction, action: BlueskyAction, text: str
    ) -> None:
        """A Bluesky moderation action of the application service, answered to the host."""
        chat = chat_of(self.bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await action(chat, text, interaction.user.display_name))

    # -- what the chat looks like ------------------------------------------------------------

    @app_commands.command(
        name="preview", description="The next chat's run of show, in your time zone"
    )
    async def preview(self, interaction: discord.Interaction) -> None:
        chat = chat_of(self.bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await self.bot.chat_status.preview(chat))

    @app_commands.command(
        name="status", description="Where the current chat is: steps, messages, people"
    )
    async def status(self, interaction: discord.Interaction) -> None:
        chat = chat_of(self.bot, interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await self.bot.chat_status.status(chat))

    # -- topic files -------------------------------------------------------------------------

    topic = app_commands.Group(name="topic", description="Topic files: show, add, import")

    @topic.command(name="show", description="Show a topic file and any problems in it")
    @app_commands.describe(name="the topic file")
    async def topic_show(self, interaction: discord.Interaction, name: str) -> None:
        await send_reply(interaction, await topics.describe(self.bot, name))

    @topic_show.autocomplete("name")
    async def topic_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await topics.choices(self.bot, current)

    @topic.command(
        name="new", description="Write a topic file: date, title, prep post, hosts, questions"
    )
    @app_commands.describe(replace="overwrite the topic already planned for that date")
    async def topic_new(self, interaction: discord.Interaction, replace: bool = False) -> None:
        chat = chat_of(self.bot, interaction)
        await interaction.response.send_modal(await topics.new_topic_form(self.bot, chat, replace))

    @topic.command(
        name="import", description="Add a topic from a YAML file (as in the prompts folder)"
    )
    @app_commands.describe(
        file="the topic .yaml file", replace="overwrite the topic already planned for that date"
    )
    async def topic_import(
        self, interaction: discord.Interaction, file: discord.Attachment, replace: bool = False
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await send_reply(interaction, await topics.import_file(self.bot, file, replace))

    @app_commands.command(name="draft", description="Draft a topic file from a prep blog post")
    @app_commands.describe(
        file="the prep post (.txt, .md or .html)",
        url="or the prep post's address",
        day="the chat date, YYYY-MM-DD (default: from the post)",
    )
    async def draft(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        url: str | None = None,
        day: str | None = None,
    ) -> None:
        chat = chat_of(self.bot, interaction)
        override = topics.draft_day(file, url, day)
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary, upload = await topics.draft(self.bot, chat, file, url, override)
        await send_reply(interaction, summary, file=upload)


async def setup(bot: LeadershipBot) -> None:
    await bot.add_cog(HostCommands(bot))
