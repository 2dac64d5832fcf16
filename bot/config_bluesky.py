"""A chat's optional `bluesky:` section: the same chat on Bluesky.

The account's handle, the *name* of the environment variable that holds its app password (the
password itself never goes in the file: a value that looks like one is refused), which steps are
mirrored and how answers are collected. Each problem reads like the rest of config.yaml's:
`config.yaml:LINE: chats[0].bluesky.handle: what is wrong`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator, model_validator

from bot.atproto_syntax import is_did, is_handle, normalize_handle
from bot.bluesky_text import bluesky_tag
from bot.config_values import Duration
from bot.durations import format_duration

MirrorStep = Literal["reminders", "welcome", "questions", "last_call", "close", "recap"]
CollectWay = Literal["hashtag", "replies"]
MIRRORABLE: tuple[MirrorStep, ...] = (
    "reminders",
    "welcome",
    "questions",
    "last_call",
    "close",
    "recap",
)
DEFAULT_MIRROR: tuple[MirrorStep, ...] = ("welcome", "questions", "last_call", "close", "recap")
COLLECTABLE: tuple[CollectWay, ...] = ("hashtag", "replies")
# Keys a host might write the password under; they get a message about where it belongs.
PASSWORD_KEYS = frozenset({"password", "app_password", "app-password", "apppassword", "secret"})

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_APP_PASSWORD = re.compile(r"^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$")  # how Bluesky shows them


def _poll_interval(value: timedelta) -> timedelta:
    low, high = timedelta(seconds=2), timedelta(minutes=5)
    if not low <= value <= high:
        raise ValueError(
            f"{format_duration(value)} is outside {format_duration(low)} to"
            f" {format_duration(high)}: answers are looked for this often"
        )
    return value


def _names(value: Any, known: Sequence[str], what: str) -> Any:
    """A list of names from `known` (`last call` and `last-call` read as `last_call`), each
    once; a single name is a list of one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return value
    out: list[Any] = []
    for item in value:
        name = re.sub(r"[\s-]+", "_", item.strip().lower()) if isinstance(item, str) else item
        if name not in known:
            raise ValueError(f"{item!r} is not {what} (choose from: {', '.join(known)})")
        if name in out:
            raise ValueError(f"{item!r} is listed twice")
        out.append(name)
    return tuple(out)


class BlueskySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    handle: str
    app_password_env: str = "BLUESKY_APP_PASSWORD"
    service: str = "https://bsky.social"
    mirror: tuple[MirrorStep, ...] = DEFAULT_MIRROR
    collect: tuple[CollectWay, ...] = COLLECTABLE
    poll_every: Annotated[Duration, AfterValidator(_poll_interval)] = timedelta(seconds=10)
    # After its recap, a chat's stored posts are looked up again daily for this many days
    # (deleted ones leave the published copies, a new !no-unauthenticated label hides the text
    # from the public site); 0 turns that off.
    recheck_days: int = 30
    # Where Bluesky readers find the recap (`{chat}`, `{date}`, `{folder}` filled in), e.g.
    # https://example.org/recaps/{folder}/; without it the recap post links the Discord message.
    recap_url: str | None = None
    # People on both platforms: a Bluesky handle or DID -> their Discord user id. A recap counts
    # each such person once (their Bluesky posts under their Discord name).
    links: dict[str, int] = {}

    @field_validator("handle", mode="before")
    @classmethod
    def _handle(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        handle = normalize_handle(value)
        if is_did(handle):
            raise ValueError(
                f"{value!r} is a DID; write the account's handle (like leadershipchat.bsky.social)"
            )
        if "@" in handle:
            raise ValueError(
                f"{value!r} looks like an email address; write the account's handle"
                " (like leadershipchat.bsky.social)"
            )
        if not is_handle(handle):
            raise ValueError(
                f"{value!r} is not a Bluesky handle (write it like leadershipchat.bsky.social)"
            )
        return handle

    @field_validator("app_password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if _APP_PASSWORD.match(value.strip()):
            raise ValueError(
                "this looks like an app password itself; never write it in this file: set it"
                " in an environment variable and write that variable's name here (like"
                " BLUESKY_APP_PASSWORD)"
            )
        if not _ENV_NAME.match(value):
            raise ValueError(
                f"{value!r} is not the name of an environment variable (capital letters, digits"
                " and _, like BLUESKY_APP_PASSWORD); the password itself never goes in this file"
            )
        return value

    @field_validator("service")
    @classmethod
    def _service(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(
                f"{value!r} is not a web address (https://bsky.social, or your own PDS)"
            )
        return value.rstrip("/")

    @field_validator("recap_url")
    @classmethod
    def _recap_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"^https?://[^\s/]+\S*$", value):
            raise ValueError(f"{value!r} is not a web address (https://...)")
        try:
            value.format(chat="c", date="2026-01-06", folder="c-2026-01-06")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(
                f"{value!r}: only {{chat}}, {{date}} and {{folder}} are filled in ({exc})"
            ) from None
        return value

    @field_validator("links", mode="before")
    @classmethod
    def _links(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, user in value.items():
            account = account_key(str(key))
            if account is None:
                raise ValueError(f"{key!r} is not a Bluesky handle or DID")
            if isinstance(user, bool) or not isinstance(user, int) or user <= 0:
                raise ValueError(f"{key}: {user!r} is not a Discord user id (a number)")
            out[account] = user
        return out

    @field_validator("recheck_days")
    @classmethod
    def _recheck_days(cls, value: int) -> int:
        if not 0 <= value <= 366:
            raise ValueError(
                f"{value} is outside 0 to 366: the days after a chat its Bluesky posts are"
                " looked up again (0: never)"
            )
        return value

    @field_validator("mirror", mode="before")
    @classmethod
    def _mirror(cls, value: Any) -> Any:
        return _names(value, MIRRORABLE, "a step the bot can mirror on Bluesky")

    @field_validator("collect", mode="before")
    @classmethod
    def _collect(cls, value: Any) -> Any:
        return _names(value, COLLECTABLE, "a way to collect answers")

    @model_validator(mode="after")
    def _does_something(self) -> BlueskySettings:
        if not self.mirror and not self.collect:
            raise ValueError(
                "mirrors no step and collects no answers: list what to do on Bluesky, or"
                " remove the bluesky section"
            )
        return self


def account_key(text: str) -> str | None:
    """A Bluesky account as a host writes it (`@Ana.bsky.social`, a DID) in the form it is
    stored and matched in (handles in lower case); None when it is neither."""
    text = text.strip()
    if is_did(text):
        return text
    handle = normalize_handle(text)
    return handle if is_handle(handle) else None


def misplaced_password(key: object) -> str | None:
    """The message for a setting named like a password (`password:`), or None."""
    if str(key).lower() not in PASSWORD_KEYS:
        return None
    return (
        "never write a password in this file: put the app password in an environment variable"
        " and name the variable in app_password_env"
    )


def hashtag_problem(hashtag: str) -> str | None:
    """Why the chat's hashtag cannot be used on Bluesky, or None when it can."""
    if bluesky_tag(hashtag) is not None:
        return None
    return (
        f"{hashtag} is not a hashtag on Bluesky (it needs a letter and at most 64 characters),"
        " so the chat's posts there could not be found"
    )


def shared_password_problem(sections: Sequence[BlueskySettings | None]) -> tuple[int, str] | None:
    """Two chats naming one variable for two different accounts: an app password belongs to
    one account. The index of the second chat and what to tell the host, or None."""
    owners: dict[str, str] = {}
    for i, section in enumerate(sections):
        if section is None:
            continue
        owner = owners.setdefault(section.app_password_env, section.handle)
        if owner != section.handle:
            return i, (
                f"{section.app_password_env} already holds the app password of {owner}; give"
                f" {section.handle} a variable of its own"
            )
    return None
