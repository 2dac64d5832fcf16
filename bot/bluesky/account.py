"""The account the bot posts as: handle, service and the app password from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.bluesky.errors import BlueskyLoginError

APP_PASSWORDS_HELP = "Bluesky: Settings > Privacy and security > App passwords"


@dataclass(frozen=True)
class BlueskyAccount:
    handle: str
    service: str  # the PDS or entryway, e.g. https://bsky.social
    password: str = field(repr=False)  # never logged
    password_env: str = "BLUESKY_APP_PASSWORD"  # named in messages, never the password itself


def account_from_env(
    handle: str, service: str, password_env: str, environ: Mapping[str, str]
) -> BlueskyAccount:
    """The account with its app password read from `environ[password_env]`; a missing or
    empty variable is a `BlueskyLoginError` that says how to fix it."""
    password = environ.get(password_env, "").strip()
    if not password:
        raise BlueskyLoginError(
            f"the Bluesky app password of {handle} is missing: set the environment variable"
            f" {password_env} (create an app password in {APP_PASSWORDS_HELP})"
        )
    return BlueskyAccount(handle, service, password, password_env)
