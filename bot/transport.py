"""The engine's view of a chat platform: what it can send, and the events it receives.

Discord implements this in `bot.discord.transport`; `bot.memory_transport` implements it in memory for
tests and the demo. Only plain dataclasses cross this line, so the engine never imports discord.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from bot.domain.messages import PostOrigin


class TransportError(Exception):
    """Sending failed. `retryable` is False for problems a retry cannot fix (missing permissions).
    `passes`: the failure ends once the platform works again (an outage; a login refused until
    hosts fix it and restart), so a mirror's post is tried again then (`bot.engine.mirrors`);
    by default the retryable ones."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        status: int | None = None,
        passes: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.passes = retryable if passes is None else passes


@dataclass(frozen=True)
class OutgoingFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """One message to post. Nothing in it may ping anyone except `mention_role_ids`."""

    channel_id: int
    content: str = ""
    embeds: tuple[Mapping[str, Any], ...] = ()
    files: tuple[OutgoingFile, ...] = ()
    nonce: str | None = None
    mention_role_ids: tuple[int, ...] = ()
    remind_chat: str | None = None  # attach the persistent "Remind me" toggle for this chat
    delete_after: float | None = None  # seconds, for a notice that should not stay (a warning)


@dataclass(frozen=True)
class Posted:
    message_id: int
    channel_id: int
    created_at: datetime
    content: str = ""
    jump_url: str | None = None
    embeds: tuple[Mapping[str, Any], ...] = ()  # as read back (recent_own_posts, fetch_post)


@dataclass(frozen=True)
class EventSpec:
    """A scheduled event in the server's Events list (with its "Interested" button)."""

    name: str
    description: str
    start_at: datetime
    end_at: datetime
    channel_id: int


EVENT_STATUSES = ("scheduled", "active", "completed", "cancelled")
FINISHED_EVENT = frozenset({"completed", "cancelled"})  # Discord allows no change after these


@dataclass(frozen=True)
class EventState:
    """A scheduled event as the server shows it now (it may have been edited by someone)."""

    event_id: int
    name: str
    description: str
    start_at: datetime
    end_at: datetime | None
    status: str  # one of EVENT_STATUSES


@dataclass(frozen=True)
class EventEdit:
    """What to change on a scheduled event; None leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    status: str | None = None


@dataclass(frozen=True)
class MessageCreated:
    message_id: int
    channel_id: int  # the chat channel (for a thread message: the thread's parent)
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    thread_id: int | None = None
    author_is_bot: bool = False
    author_is_host: bool = False
    reply_to: int | None = None
    jump_url: str | None = None
    edited_at: datetime | None = None  # as read from history: the last edit, if any
    # A message from another platform than the home one (Bluesky) names its chat itself, and
    # the post it replies to by that platform's reference (the bot's question posts there are
    # known by it); `channel_id` is then 0.
    origin: PostOrigin | None = None
    chat: str | None = None
    reply_ref: str | None = None


@dataclass(frozen=True)
class MessageEdited:
    message_id: int
    content: str
    edited_at: datetime


@dataclass(frozen=True)
class MessageDeleted:
    message_id: int
    deleted_at: datetime


@dataclass(frozen=True)
class ReactionChanged:
    message_id: int
    user_id: int
    emoji: str
    added: bool


IncomingEvent = MessageCreated | MessageEdited | MessageDeleted | ReactionChanged


class Presence(Enum):
    """Whether a message can still be read: `GONE` only when the platform says it no longer
    exists; `UNKNOWN` when the bot may not read it (no access), which proves nothing."""

    READABLE = "readable"
    GONE = "gone"
    UNKNOWN = "unknown"


class ChatTransport(Protocol):
    """What the engine needs from a platform. Every method may raise TransportError."""

    async def post(self, message: Outgoing) -> Posted: ...

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        content: str,
        *,
        embeds: Sequence[Mapping[str, Any]] | None = None,
        files: Sequence[OutgoingFile] | None = None,
    ) -> None:
        """Edit one of the bot's posts. `embeds`/`files` None: left as they are; given: they
        replace the post's embeds / attachments (an empty list removes them)."""

    async def fetch_post(self, channel_id: int, message_id: int) -> Posted | None:
        """One of the bot's posts as it is now; None when it no longer exists."""

    async def create_thread(self, channel_id: int, message_id: int, name: str) -> int: ...

    async def history(self, channel_id: int, after_id: int | None) -> Sequence[MessageCreated]:
        """Member messages in a channel or thread after `after_id` (all, oldest first), as they
        are now (edited text, deleted ones gone)."""

    async def message_presence(self, channel_id: int, message_id: int) -> Presence:
        """Whether a member's message (in a channel or thread) still exists, when a history
        read came back empty: empty also means no access, and only this tells the two apart."""

    async def threads_since(self, channel_id: int, after_id: int | None) -> Sequence[int]:
        """The public threads of a channel with messages after `after_id` (a message id): the
        active ones and those archived since. Members start threads of their own."""

    async def recent_own_posts(self, channel_id: int, after: datetime) -> Sequence[Posted]:
        """The bot's own posts since `after`, to avoid a second copy after an outage."""

    async def create_event(self, guild_id: int, spec: EventSpec) -> EventState:
        """A new scheduled event; its start must be in the future."""

    async def fetch_event(self, guild_id: int, event_id: int) -> EventState | None:
        """The event as it is now, or None when it no longer exists (someone deleted it)."""

    async def edit_event(self, guild_id: int, event_id: int, edit: EventEdit) -> EventState:
        """Change an event by the platform's rules: the start only while it is scheduled and
        only to a future time; scheduled -> active -> completed, scheduled -> cancelled."""

    async def direct_message(self, user_id: int, content: str) -> bool:
        """False when the member does not take DMs from the server's members."""

    async def recent_own_dms(self, user_id: int, limit: int) -> Sequence[Posted]:
        """The bot's own messages among the last `limit` of its DM channel with the member,
        newest first: whether a DM under way when the bot stopped went after all."""

    async def set_slowmode(self, channel_id: int, seconds: int, reason: str) -> None:
        """Seconds a member must wait between posts in the channel (0: none)."""


class ModerationTransport(Protocol):
    """What moderation needs from a platform (`bot.app.moderation`), beside posting and DMs.
    Every method may raise TransportError."""

    async def post(self, message: Outgoing) -> Posted: ...

    async def direct_message(self, user_id: int, content: str) -> bool: ...

    async def delete_message(self, channel_id: int, message_id: int, reason: str) -> None:
        """Remove a member's message (one already gone is no error)."""

    async def timeout_member(
        self, guild_id: int, user_id: int, duration: timedelta, reason: str
    ) -> None:
        """Keep a member from posting for `duration`."""
