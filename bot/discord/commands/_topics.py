"""Topic files from Discord, for `/chathost topic show|new|import` and `/chathost draft`.

New and imported topics are validated and written into the prompts folder (bot.discord.
topic_files), then the planned session of that date picks them up (`bot.app.topics`), so
hosts can plan weeks from Discord. Drafts come back as a YAML file to edit and import.
"""

from __future__ import annotations

import asyncio
import io
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.config import ChatSettings
from bot.discord.replies import UserError, reply_error, send_reply
from bot.drafting import decode_source, detect_kind, render_draft_yaml
from bot.drafting.fetch import fetch_source
from bot.drafting.for_chat import draft_for_chat
from bot.timeline import chat_dates
from bot.topic_writer import (
    describe_topic,
    form_yaml,
    list_topic_files,
    save_topic,
    slug,
    taken_dates,
)
from bot.topics import off_weekday

if TYPE_CHECKING:
    from bot.discord.client import LeadershipBot

MAX_UPLOAD = 2_000_000
UPCOMING = 60  # chat dates a draft may pick from


class TopicModal(discord.ui.Modal, title="New chat topic"):
    day: discord.ui.TextInput[TopicModal] = discord.ui.TextInput(
        label="Chat date (YYYY-MM-DD)", custom_id="topic-date", min_length=10, max_length=10
    )
    topic_title: discord.ui.TextInput[TopicModal] = discord.ui.TextInput(
        label="Title", custom_id="topic-title", max_length=200
    )
    prep_post: discord.ui.TextInput[TopicModal] = discord.ui.TextInput(
        label="Prep post URL (optional)", custom_id="topic-prep", required=False, max_length=400
    )
    hosts: discord.ui.TextInput[TopicModal] = discord.ui.TextInput(
        label="Hosts, comma separated (optional)",
        custom_id="topic-hosts",
        required=False,
        max_length=300,
    )
    questions: discord.ui.TextInput[TopicModal] = discord.ui.TextInput(
        label="Questions, one per line",
        custom_id="topic-questions",
        style=discord.TextStyle.paragraph,
        max_length=4000,
    )

    def __init__(
        self, bot: LeadershipBot, chat: ChatSettings, default_day: date, replace: bool
    ) -> None:
        super().__init__(custom_id="leadershipchat:topic-new", timeout=900)
        self.bot = bot
        self.chat = chat
        self.replace = replace
        self.day.default = default_day.isoformat()

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = form_yaml(
            self.chat,
            self.bot.settings,
            day=self.day.value,
            title=self.topic_title.value,
            prep_post=self.prep_post.value,
            hosts=self.hosts.value,
            questions=self.questions.value,
        )
        saved = await asyncio.to_thread(save_topic, text, self.bot.settings, replace=self.replace)
        await send_reply(interaction, await self.bot.topic_updates.apply(saved))

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await reply_error(interaction, error)


async def _read_upload(attachment: discord.Attachment) -> bytes:
    if attachment.size > MAX_UPLOAD:
        raise UserError(f"{attachment.filename} is larger than {MAX_UPLOAD // 1_000_000} MB.")
    return await attachment.read()


def _next_free_day(bot: LeadershipBot, chat: ChatSettings) -> date:
    taken = taken_dates(bot.settings, chat)
    days = chat_dates(chat.schedule, bot.clock.now(), UPCOMING)
    return next((d for d in days if d not in taken), days[0])


async def describe(bot: LeadershipBot, name: str) -> str:
    """`/chathost topic show`: a topic file and any problems in it."""
    return await asyncio.to_thread(describe_topic, bot.settings, name)


async def choices(bot: LeadershipBot, current: str) -> list[app_commands.Choice[str]]:
    """The topic files whose names contain what the host typed, newest first."""
    files = await asyncio.to_thread(list_topic_files, bot.settings)
    wanted = current.lower()
    return [
        app_commands.Choice(name=p.name[:100], value=p.name)
        for p in reversed(files)
        if wanted in p.name.lower()
    ][:25]


async def new_topic_form(bot: LeadershipBot, chat: ChatSettings, replace: bool) -> TopicModal:
    """`/chathost topic new`: the form, its date the next chat without a topic."""
    day = await asyncio.to_thread(_next_free_day, bot, chat)
    return TopicModal(bot, chat, day, replace)


async def import_file(bot: LeadershipBot, file: discord.Attachment, replace: bool) -> str:
    """`/chathost topic import`: validate and write an uploaded topic file."""
    data = await _read_upload(file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{file.filename} is not UTF-8 text.") from None
    saved = await asyncio.to_thread(save_topic, text, bot.settings, replace=replace)
    return await bot.topic_updates.apply(saved)


def draft_day(file: discord.Attachment | None, url: str | None, day: str | None) -> date | None:
    """Check a draft request before deferring: one source, and a date that parses."""
    if (file is None) == (url is None):
        raise UserError("Attach the prep post as a file, or give its URL (one of the two).")
    try:
        return date.fromisoformat(day) if day else None
    except ValueError:
        raise UserError(f"{day!r} is not a date like 2026-12-01.") from None


async def draft(
    bot: LeadershipBot,
    chat: ChatSettings,
    file: discord.Attachment | None,
    url: str | None,
    override: date | None,
) -> tuple[str, discord.File]:
    """`/chathost draft`: a draft topic file from a prep post, and what to check in it."""
    fetched = None
    if file is not None:
        text = decode_source(await _read_upload(file), file.filename)
        kind = detect_kind(text, file.filename)
    else:
        assert url is not None
        page = await fetch_source(url)
        text, kind, fetched = page.text, page.kind, page.url
    taken = await asyncio.to_thread(taken_dates, bot.settings, chat)
    # Drafting is CPU work (HTML extraction included): off the event loop, so the chat's posts
    # and capture go on while a host drafts.
    result = await asyncio.to_thread(
        draft_for_chat,
        text,
        kind,
        chat,
        now=bot.clock.now(),
        taken=taken,
        date_override=override,
        chat_name=None if chat.name == bot.settings.chats[0].name else chat.name,
        source_url=fetched,
    )
    name = f"{result.date.isoformat()}-{slug(result.title)}.yaml"
    upload = discord.File(io.BytesIO(render_draft_yaml(result).encode("utf-8")), filename=name)
    generated = sum(q.generated for q in result.questions)
    summary = (
        f"Draft for {result.date}: **{result.title}**, {len(result.questions)} question(s)"
        + (f", {generated} of them generated from the post's key ideas" if generated else "")
        + ". Check the lines marked `check`, then `/chathost topic import` it."
    )
    if override is not None and (off := off_weekday(override, chat)) is not None:
        summary += f"\nWarning: {off}."  # as `prompts validate` warns
    return summary, upload
