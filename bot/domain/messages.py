"""Member messages captured in a chat and where each belongs (its attribution)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Attributed:
    """Where a message belongs in the chat (computed by bot.answers, stored as plain values)."""

    kind: str
    questions: tuple[int, ...] = ()
    labels: tuple[str, ...] = ()
    unmatched_labels: tuple[str, ...] = ()
    late: bool = False


HOME_PLATFORM = "discord"


@dataclass(frozen=True)
class PostOrigin:
    """Where a message was posted when not on the chat's home platform (Discord): Bluesky.

    Such a message's id (and its author's) is a negative number the store hands out per post
    and per account (`platform_ids`), so it never meets a Discord snowflake; the post's own
    reference is `post_ref` (an AT-URI), its author's `author_ref` (a DID)."""

    platform: str
    post_ref: str
    author_ref: str
    author_handle: str
    public: bool = True  # False: the author asks not to be shown to logged-out readers


@dataclass(frozen=True)
class MessageRow:
    id: int
    session_id: int | None
    channel_id: int
    author_id: int
    author_name: str
    content: str | None
    created_at: datetime
    attribution: Attributed
    thread_id: int | None = None
    author_is_bot: bool = False
    author_is_host: bool = False
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    reply_to: int | None = None
    hidden: bool = False
    reactions: int = 0
    jump_url: str | None = None
    origin: PostOrigin | None = None  # None: the home platform

    @property
    def platform(self) -> str:
        return self.origin.platform if self.origin is not None else HOME_PLATFORM


@dataclass(frozen=True)
class Held:
    """A stored message as a catch-up sees it."""

    channel_id: int  # its thread, or the channel when it is not in one
    edited_at: datetime | None
    deleted: bool


@dataclass(frozen=True)
class Added:
    """A member message newly stored by live capture."""

    opted_out: bool  # its author had opted out, so it was stored without its text
