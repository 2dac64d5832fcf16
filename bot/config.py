"""config.yaml -> validated, typed settings.

Read once by the CLI and passed down (never at import time). Every validation problem is reported
as `config.yaml:LINE: chats[0].schedule.timezone: <what is wrong>`, all at once, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from bot import config_bluesky
from bot.config_values import Duration, at_most, time_of_day, zone_name
from bot.durations import format_duration
from bot.yaml_source import YamlDocument, YamlSyntaxError, format_loc, read_yaml

Snowflake = Annotated[
    int,
    Field(
        gt=0,
        lt=2**63,  # Discord ids are 64-bit; a longer number is a paste error
        description="a Discord id (turn on Developer Mode, right-click, Copy ID)",
    ),
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PLAN_AHEAD = timedelta(hours=48)  # sessions (and so their reminders) are planned this early
MAX_LATE_WINDOW = timedelta(days=3)


class ConfigError(Exception):
    """Config could not be loaded; `problems` holds one `file:line: field: message` per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _FieldProblem(ValueError):
    """A cross-field rule that blames one field: `loc` is relative to the model that raised it,
    so the message points at that field's line instead of the enclosing block."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(_Model):
    """Where discord.py connects: real Discord by default; tests point them at a fake server."""

    api_base: str | None = None
    gateway_url: str | None = None
    command_sync: Literal["guild", "global", "off"] = "guild"

    @field_validator("command_sync", mode="before")
    @classmethod
    def _sync_off(cls, value: Any) -> Any:
        if value is False:  # `command_sync: false` means off too
            return "off"
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("api_base", "gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError(f"{value!r} is not a URL (expected http(s):// or ws(s)://)")
        return value


class Schedule(_Model):
    weekday: int = Field(1, description="the day's name (tuesday or tue); held as 0=Monday")
    time: dt.time = dt.time(20, 0)
    timezone: str = "America/New_York"
    duration: Duration = timedelta(hours=1)

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        """Names only: a number is read two ways (2 is Wednesday counting from Monday = 0,
        Tuesday in ISO 8601, which counts from Monday = 1), and a wrong guess moves the chat."""
        if isinstance(value, int) and not isinstance(value, bool):
            hint = "write the day's name, like tuesday"
            if 0 <= value <= 7:
                zero, iso = WEEKDAYS[value % 7], WEEKDAYS[(value - 1) % 7]
                hint += f" ({value} is {zero} counting from 0 = Monday, {iso} in ISO 8601)"
            raise ValueError(f"{value} is a number, not a weekday: {hint}")
        if isinstance(value, str):
            name = value.strip().lower()
            for i, day in enumerate(WEEKDAYS):
                if name in (day, day[:3]):
                    return i
        raise ValueError(f"{value!r} is not a weekday (write e.g. tuesday)")

    @field_serializer("weekday")
    def _weekday_name(self, value: int) -> str:
        return WEEKDAYS[value]

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return time_of_day(value)

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone(cls, value: Any) -> str:
        return zone_name(value)

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0) or value > timedelta(hours=24):
            raise ValueError("must be more than 0s and at most 24h")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class RunOfShow(_Model):
    """Offsets from the chat's start (reminders: before it)."""

    reminders: tuple[Duration, ...] = (
        timedelta(hours=24),
        timedelta(hours=1),
        timedelta(minutes=10),
    )
    welcome: Duration = timedelta(0)
    first_question: Duration = timedelta(minutes=5)
    spacing: Duration = timedelta(minutes=9)
    last_call: Duration = timedelta(minutes=55)
    close: Duration | None = Field(None, description="default: the schedule's duration")
    late_window: Duration = timedelta(hours=12)
    host_heads_up: Duration = timedelta(seconds=60)
    newcomer_grouping: Duration = timedelta(minutes=1)

    @field_validator("spacing")
    @classmethod
    def _spacing(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be more than 0s")
        return value

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        for i, reminder in enumerate(value):
            if reminder > PLAN_AHEAD:
                raise _FieldProblem(
                    (i,),
                    f"{format_duration(reminder)} is too early: a chat is planned"
                    f" {format_duration(PLAN_AHEAD)} ahead, so reminders go up to that",
                )
        return value

    @field_validator("late_window")
    @classmethod
    def _late_window(cls, value: timedelta) -> timedelta:
        if value > MAX_LATE_WINDOW:
            raise ValueError(
                f"{format_duration(value)} is too long: the recap waits for the late window,"
                f" so it goes up to {format_duration(MAX_LATE_WINDOW)}"
            )
        return value


class Channels(_Model):
    chat: Snowflake
    announce: Snowflake | None = Field(None, description="default: the chat channel")
    recap: Snowflake | None = Field(None, description="default: the chat channel")
    host: Snowflake | None = Field(None, description="private channel for host heads-ups")
    mod_log: Snowflake | None = None


class FloodControl(_Model):
    enabled: bool = True
    messages: int = Field(8, ge=2, le=1000)
    seconds: Annotated[
        Duration,
        AfterValidator(at_most(timedelta(hours=1), "flood control watches bursts of at most")),
    ] = timedelta(seconds=10)
    timeout: Annotated[
        Duration, AfterValidator(at_most(timedelta(days=28), "Discord times out for at most"))
    ] = timedelta(0)


class Moderation(_Model):
    flood: FloodControl = FloodControl()
    duplicate_spam: bool = False
    blocked_words: tuple[str, ...] = ()
    new_member_link_hours: int = Field(0, ge=0, le=24 * 366)
    slowmode: Annotated[
        Duration, AfterValidator(at_most(timedelta(hours=6), "Discord's longest slowmode is"))
    ] = timedelta(0)


class Privacy(_Model):
    retention_days: int = Field(365, ge=1, le=36_600)  # up to a hundred years


class ChatSettings(_Model):
    name: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    hashtag: str = Field("#LeadershipChat", max_length=100)
    guild_id: Snowflake
    channels: Channels
    host_role_id: Snowflake | None = None
    notify_role_id: Snowflake | None = None
    schedule: Schedule = Schedule()
    run_of_show: RunOfShow = RunOfShow()
    answers_in_threads: bool = False
    welcome_newcomers: bool = True
    moderation: Moderation = Moderation()
    privacy: Privacy = Privacy()
    bluesky: config_bluesky.BlueskySettings | None = Field(
        None, description="the same chat on Bluesky"
    )

    @field_validator("hashtag")
    @classmethod
    def _hashtag(cls, value: str) -> str:
        # letters, digits and _ as on X: no mentions, markdown or invisible characters in posts
        if not re.fullmatch(r"#\w+", value):
            raise ValueError(f"{value!r} is not a hashtag (write it like #LeadershipChat)")
        return value

    @model_validator(mode="after")
    def _hashtag_on_bluesky(self) -> ChatSettings:
        problem = config_bluesky.hashtag_problem(self.hashtag) if self.bluesky is not None else None
        if problem is not None:
            raise _FieldProblem(("hashtag",), problem)
        return self

    @model_validator(mode="after")
    def _run_of_show_fits(self) -> ChatSettings:
        ros, length = self.run_of_show, self.schedule.duration
        close = ros.close if ros.close is not None else length
        fmt = format_duration
        if close > length + timedelta(hours=6):
            raise _FieldProblem(
                ("run_of_show", "close"),
                f"{fmt(close)} is far past the schedule's duration ({fmt(length)})",
            )
        if not ros.welcome <= ros.first_question < close:
            raise _FieldProblem(
                ("run_of_show", "first_question"),
                f"{fmt(ros.first_question)} must be at or after welcome ({fmt(ros.welcome)})"
                f" and before the close ({fmt(close)})",
            )
        if not ros.first_question <= ros.last_call <= close:
            raise _FieldProblem(
                ("run_of_show", "last_call"),
                f"{fmt(ros.last_call)} must be at or after first_question"
                f" ({fmt(ros.first_question)}) and at or before the close ({fmt(close)})",
            )
        return self

    @property
    def close_offset(self) -> timedelta:
        ros = self.run_of_show
        return ros.close if ros.close is not None else self.schedule.duration

    @property
    def announce_channel(self) -> int:
        return self.channels.announce or self.channels.chat

    @property
    def recap_channel(self) -> int:
        return self.channels.recap or self.channels.chat


class BackupSettings(_Model):
    dir: Path = Path("data/backups")
    keep: int = Field(7, ge=1)
    nightly_at: dt.time | None = None

    @field_validator("nightly_at", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return time_of_day(value)


class Settings(_Model):
    database: Path = Path("data/leadershipchat.db")
    prompts_dir: Path = Path("prompts")
    recap_dir: Path = Path("data/recaps")
    discord: DiscordSettings = DiscordSettings()
    backup: BackupSettings = BackupSettings()
    chats: tuple[ChatSettings, ...] = Field(min_length=1)
    source: Path | None = Field(None, exclude=True)

    @field_validator("chats")
    @classmethod
    def _unique_names(cls, chats: tuple[ChatSettings, ...]) -> tuple[ChatSettings, ...]:
        seen: set[str] = set()
        for i, chat in enumerate(chats):
            if chat.name in seen:
                raise _FieldProblem(
                    (i, "name"),
                    f"{chat.name!r} is already used by another chat; names must be unique",
                )
            seen.add(chat.name)
        problem = config_bluesky.shared_password_problem([c.bluesky for c in chats])
        if problem is not None:
            i, message = problem
            raise _FieldProblem((i, "bluesky", "app_password_env"), message)
        return chats

    def chat(self, name: str | None) -> ChatSettings:
        """The chat called `name`, or the first one when `name` is None."""
        if name is None:
            return self.chats[0]
        for chat in self.chats:
            if chat.name == name:
                return chat
        raise KeyError(
            f"no chat named {name!r} (configured: {', '.join(c.name for c in self.chats)})"
        )


def _message(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return (
            config_bluesky.misplaced_password(err["loc"][-1])
            or "is not a known setting (check the spelling; see config.example.yaml)"
        )
    if kind == "too_short":
        ctx = err.get("ctx") or {}
        return (
            f"needs at least {ctx.get('min_length', 1)} entry, found {ctx.get('actual_length', 0)}"
        )
    return str(msg).removeprefix("Value error, ")


def _loc(err: Any) -> tuple[str | int, ...]:
    loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
    cause = (err.get("ctx") or {}).get("error")
    return (*loc, *cause.loc) if isinstance(cause, _FieldProblem) else loc


def settings_from_document(doc: YamlDocument) -> Settings:
    """Validate parsed YAML; raise ConfigError with file:line for every problem."""
    if not isinstance(doc.data, dict):
        raise ConfigError(
            [f"{doc.path.name}:1: the file must be a mapping of settings (see config.example.yaml)"]
        )
    try:
        settings = Settings.model_validate(doc.data)
    except ValidationError as exc:
        errors = [(_loc(e), e) for e in exc.errors()]
        problems: list[tuple[int, str]] = []
        for loc, err in errors:
            # A list whose items failed also reports "too short"; the item errors say more.
            if err["type"] == "too_short" and any(
                o[: len(loc)] == loc and o != loc for o, _ in errors
            ):
                continue
            line = doc.line_of(loc)
            problems.append((line, f"{doc.path.name}:{line}: {format_loc(loc)}: {_message(err)}"))
        raise ConfigError([text for _, text in sorted(problems)]) from None
    # Absolute from here on: a path stored in the database (a session's recap folder) must not
    # change meaning with the folder a later command runs in.
    base = doc.path.parent.absolute()
    return settings.model_copy(
        update={
            "source": doc.path,
            "database": base / settings.database,
            "prompts_dir": base / settings.prompts_dir,
            "recap_dir": base / settings.recap_dir,
            "backup": settings.backup.model_copy(update={"dir": base / settings.backup.dir}),
        }
    )


def load_settings(path: Path) -> Settings:
    """Load config.yaml; relative paths in it are relative to the file's folder (and made
    absolute)."""
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        raise ConfigError([str(exc)]) from None
    return settings_from_document(doc)
