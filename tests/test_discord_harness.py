"""Shared set-up for the Discord tests (this module has no tests of its own).

`world()` starts the fake Discord server with one server laid out like a real chat (chat,
announce, recaps, hosts, modlog channels; host and notify roles; members), and the config that
points at it. `bot_running()` runs the real LeadershipBot against it in this process. The
end-to-end tests reuse the same world and config but run `leadershipchat run` as a subprocess.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.config import WEEKDAYS, ChatSettings, Settings
from bot.discord.client import LeadershipBot, Rehearsal
from bot.discord.runner import assemble_bot
from bot.engine import ChatEngine
from bot.store import Store
from tests.fakediscord import (
    FakeDiscord,
    GuildHandle,
    InteractionResponseRecord,
    Perm,
    PostRecord,
    running,
    skip_identify_delay,
)

TIMEOUT = 10.0
CHANNELS = ("chat", "announce", "recaps", "hosts", "modlog", "lounge")
MEMBERS: dict[str, Sequence[str]] = {
    "alice": (),
    "bob": (),
    "cara": (),
    "dan": (),
    "hana": ("host",),
}
QUESTIONS = (
    "What does serving first mean to you?",
    "Who served you well, and how?",
    "What will you try this week?",
)
# Compressed run of show: Q1 3 s after the welcome, then every 3 s; heads-ups 1 s before.
FAST_RUN_OF_SHOW: dict[str, Any] = {
    "reminders": ["4s", "2s"],
    "welcome": "0s",
    "first_question": "3s",
    "spacing": "3s",
    "last_call": "11s",
    "late_window": "3s",
    "host_heads_up": "1s",
    "newcomer_grouping": "1s",
}


def calm_zone(now: datetime) -> str:
    """A time zone where it is not close to midnight, so a chat planned from now keeps its date."""
    for name in ("UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"):
        if 1 <= now.astimezone(ZoneInfo(name)).hour < 22:
            return name
    return "UTC"


def chat_config(guild: GuildHandle, now: datetime, **overrides: Any) -> dict[str, Any]:
    """One chat in `guild`; its weekly slot is days away, so only a rehearsal runs today."""
    zone = calm_zone(now)
    weekday = (now.astimezone(ZoneInfo(zone)).weekday() + 3) % 7
    chat: dict[str, Any] = {
        "name": "leadershipchat",
        "guild_id": guild.id,
        "channels": {
            "chat": guild.channel("chat"),
            "announce": guild.channel("announce"),
            "recap": guild.channel("recaps"),
            "host": guild.channel("hosts"),
            "mod_log": guild.channel("modlog"),
        },
        "host_role_id": guild.role("host"),
        "notify_role_id": guild.role("notify"),
        "schedule": {
            "weekday": WEEKDAYS[weekday],
            "time": "20:00",
            "timezone": zone,
            "duration": "14s",
        },
        "run_of_show": dict(FAST_RUN_OF_SHOW),
    }
    chat.update(overrides)
    return chat


def config_data(fake: FakeDiscord, tmp: Path, chats: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "database": str(tmp / "data" / "chat.db"),
        "prompts_dir": str(tmp / "prompts"),
        "recap_dir": str(tmp / "data" / "recaps"),
        "discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url},
        "chats": chats,
    }


def write_config(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_topic(
    folder: Path,
    day: date,
    *,
    title: str = "Serving first",
    questions: Sequence[str] = QUESTIONS,
    **extra: Any,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"title": title, "date": day.isoformat(), **extra}
    data["questions"] = list(questions)
    path = folder / f"{day.isoformat()}-topic.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def chat_day(chat: ChatSettings, when: datetime) -> date:
    return when.astimezone(chat.schedule.zone).date()


@dataclass
class World:
    fake: FakeDiscord
    guild: GuildHandle
    tmp: Path

    def ch(self, name: str) -> int:
        return self.guild.channel(name)

    def settings(self, **chat_overrides: Any) -> Settings:
        now = datetime.now(UTC)
        data = config_data(self.fake, self.tmp, [chat_config(self.guild, now, **chat_overrides)])
        return Settings.model_validate(data)


@contextlib.asynccontextmanager
async def world(
    tmp: Path, *, bot_permissions: int = Perm.BOT_DEFAULT, **fake_options: Any
) -> AsyncIterator[World]:
    """The fake server with the chat's server built, discord.py (this process) pointed at it;
    `fake_options` go to FakeDiscord (rate limits...)."""
    async with FakeDiscord(default_guild=False, **fake_options) as fake:
        fake.point_discord_py_here()  # the fake puts discord.py back when it stops
        guild = await fake.create_guild(
            "Leaders",
            channels=CHANNELS,
            roles={"host": 0, "notify": 0},
            members=MEMBERS,
            bot_permissions=bot_permissions,
        )
        hosts = guild.channel("hosts")
        await fake.set_overwrite(hosts, guild.id, deny=Perm.VIEW_CHANNEL)
        await fake.set_overwrite(hosts, guild.role("host"), allow=Perm.VIEW_CHANNEL)
        await fake.set_overwrite(hosts, guild.bot_role_id, allow=Perm.VIEW_CHANNEL)
        # the admin let the host role see the bot's commands (/chathost defaults to Manage Server)
        await fake.set_command_permissions(None, [("host", True)])
        yield World(fake, guild, tmp)


@dataclass
class Harness:
    world: World
    settings: Settings
    store: Store
    engine: ChatEngine
    bot: LeadershipBot

    @property
    def fake(self) -> FakeDiscord:
        return self.world.fake

    @property
    def chat(self) -> ChatSettings:
        return self.settings.chats[0]


@contextlib.asynccontextmanager
async def bot_running(
    w: World, settings: Settings, *, rehearsal: timedelta | None = None, **bot_options: Any
) -> AsyncIterator[Harness]:
    """The real bot, connected to the fake in this process; closed (not crashed) on exit."""
    store = await Store.open(settings.database)
    try:
        options: dict[str, Any] = {"guild_ready_timeout": 0.1}
        options.update(bot_options)
        bot = assemble_bot(
            settings,
            store,
            rehearsal=Rehearsal(rehearsal) if rehearsal is not None else None,
            retry_delays=(0.5, 1.0, 2.0),
            **options,
        )
        skip_identify_delay(bot)
        async with running(bot, w.fake.token, timeout=TIMEOUT):
            yield Harness(w, settings, store, bot.engine, bot)
    finally:
        await store.close()


async def answer_of(fake: FakeDiscord, interaction_id: int) -> InteractionResponseRecord:
    """The bot's first answer with text to an interaction (a reply, or the followup after a defer)."""
    return await fake.wait_for_action(
        lambda r: r.interaction_id == interaction_id and bool(r.content),
        kind=InteractionResponseRecord,
        timeout=TIMEOUT,
    )


async def slash(
    fake: FakeDiscord,
    name: str,
    options: dict[str, Any] | None = None,
    *,
    user: str,
    channel: str = "chat",
) -> InteractionResponseRecord:
    interaction = await fake.invoke_slash_command(name, options, user=user, channel=channel)
    return await answer_of(fake, interaction.id)


def posted_in(channel_id: int) -> Callable[[PostRecord], bool]:
    return lambda p: p.channel_id == channel_id


def starts_with(channel_id: int, prefix: str) -> Callable[[PostRecord], bool]:
    return lambda p: p.channel_id == channel_id and p.content.startswith(prefix)
