"""An in-memory ChatTransport: the engine's platform in tests and in `leadershipchat demo`.

It keeps every channel's messages, honours nonces like Discord (a repeated nonce returns the first
message), and lets a caller play members (`member_post`, `member_edit` ...) whose events go to the
registered handler, just as the Discord adapter forwards gateway events.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.topics import MESSAGE_LIMIT
from bot.transport import (
    FINISHED_EVENT,
    EventEdit,
    EventSpec,
    EventState,
    IncomingEvent,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    Outgoing,
    OutgoingFile,
    Posted,
    Presence,
    ReactionChanged,
    TransportError,
)

Handler = Callable[[IncomingEvent], Awaitable[None]]
EVENT_MOVES = {"scheduled": ("active", "cancelled"), "active": ("completed",)}


@dataclass
class BotPost:
    """What the bot posted, as a test would assert on it."""

    message_id: int
    channel_id: int
    content: str
    created_at: datetime
    outgoing: Outgoing
    edits: list[str] = field(default_factory=list)


@dataclass
class Failure:
    remaining: int
    retryable: bool
    message: str
    channel_id: int | None


class MemoryTransport:
    def __init__(self, clock: Clock, *, bot_user_id: int = 1, guild_id: int = 0) -> None:
        self.clock = clock
        self.bot_user_id = bot_user_id
        self.guild_id = guild_id  # in members' jump links, as Discord writes them
        self.posts: list[BotPost] = []
        self.member_messages: dict[int, list[MessageCreated]] = {}
        self.threads: dict[int, tuple[int, int]] = {}  # thread id -> (parent channel, message id)
        self.events: dict[int, EventState] = {}
        self.event_edits: list[tuple[int, EventEdit]] = []
        self.dms: list[tuple[int, str]] = []
        self.dm_channels: dict[int, list[Posted]] = {}  # member -> the bot's DMs, oldest first
        self.slowmode: dict[int, int] = {}  # channel -> seconds
        self.deleted: list[int] = []  # member messages the bot removed
        self.timeouts: list[tuple[int, timedelta]] = []
        self.handler: Handler | None = None
        self.post_attempts = 0
        self._ids = itertools.count(1000)
        self._nonces: dict[str, BotPost] = {}
        self._failures: list[Failure] = []

    # -- test controls ----------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        retryable: bool = True,
        message: str = "503 Service Unavailable",
        channel_id: int | None = None,
    ) -> None:
        """The next `count` posts (to `channel_id`, or any) raise TransportError."""
        self._failures.append(Failure(count, retryable, message, channel_id))

    def forget_nonces(self) -> None:
        """Discord remembers nonces for a few minutes only; simulate a longer outage."""
        self._nonces.clear()

    def new_id(self) -> int:
        return next(self._ids)

    async def _emit(self, event: IncomingEvent) -> None:
        if self.handler is not None:
            await self.handler(event)

    async def member_post(
        self,
        author_id: int,
        author_name: str,
        content: str,
        *,
        channel_id: int,
        thread_id: int | None = None,
        reply_to: int | None = None,
        is_host: bool = False,
        deliver: bool = True,
    ) -> MessageCreated:
        """A member posts; `deliver=False` simulates the bot being offline (only history has it)."""
        message_id = self.new_id()
        msg = MessageCreated(
            message_id=message_id,
            channel_id=channel_id,
            author_id=author_id,
            author_name=author_name,
            content=content,
            created_at=self.clock.now(),
            thread_id=thread_id,
            author_is_host=is_host,
            reply_to=reply_to,
            jump_url=f"https://discord.com/channels/{self.guild_id}/{thread_id or channel_id}/"
            f"{message_id}",
        )
        self.member_messages.setdefault(thread_id or channel_id, []).append(msg)
        if deliver:
            await self._emit(msg)
        return msg

    async def member_edit(
        self, message: MessageCreated, content: str, *, deliver: bool = True
    ) -> None:
        now = self.clock.now()
        box = self.member_messages.get(message.thread_id or message.channel_id, [])
        box[:] = [
            replace(m, content=content, edited_at=now) if m.message_id == message.message_id else m
            for m in box
        ]
        if deliver:
            await self._emit(MessageEdited(message.message_id, content, now))

    async def member_delete(self, message: MessageCreated, *, deliver: bool = True) -> None:
        box = self.member_messages.get(message.thread_id or message.channel_id, [])
        box[:] = [m for m in box if m.message_id != message.message_id]
        if deliver:
            await self._emit(MessageDeleted(message.message_id, self.clock.now()))

    def member_thread(self, channel_id: int) -> int:
        """A member starts a thread in `channel_id` (no event: the bot learns of it by posts)."""
        thread_id = self.new_id()
        self.threads[thread_id] = (channel_id, 0)
        return thread_id

    async def member_react(
        self, message_id: int, user_id: int, emoji: str = "👍", added: bool = True
    ) -> None:
        await self._emit(ReactionChanged(message_id, user_id, emoji, added))

    def posts_in(self, channel_id: int) -> list[BotPost]:
        return [p for p in self.posts if p.channel_id == channel_id]

    # -- ChatTransport ------------------------------------------------------------------------

    async def post(self, message: Outgoing) -> Posted:
        self.post_attempts += 1
        for failure in self._failures:
            if failure.remaining > 0 and failure.channel_id in (None, message.channel_id):
                failure.remaining -= 1
                raise TransportError(failure.message, retryable=failure.retryable)
        if len(message.content) > MESSAGE_LIMIT:  # as Discord answers
            raise TransportError(
                "400 Invalid Form Body: content: Must be 2000 or fewer in length.",
                retryable=False,
                status=400,
            )
        if message.nonce and message.nonce in self._nonces:
            first = self._nonces[message.nonce]
            return Posted(first.message_id, first.channel_id, first.created_at, first.content)
        post = BotPost(
            self.new_id(), message.channel_id, message.content, self.clock.now(), message
        )
        self.posts.append(post)
        if message.nonce:
            self._nonces[message.nonce] = post
        return Posted(post.message_id, post.channel_id, post.created_at, post.content)

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        content: str,
        *,
        embeds: Sequence[Mapping[str, Any]] | None = None,
        files: Sequence[OutgoingFile] | None = None,
    ) -> None:
        for post in self.posts:
            if post.message_id == message_id:
                post.edits.append(content)
                post.content = content
                changes: dict[str, Any] = {"content": content}
                if embeds is not None:
                    changes["embeds"] = tuple(embeds)
                if files is not None:
                    changes["files"] = tuple(files)
                post.outgoing = replace(post.outgoing, **changes)
                return
        raise TransportError(f"unknown message {message_id}", retryable=False)

    async def fetch_post(self, channel_id: int, message_id: int) -> Posted | None:
        for p in self.posts:
            if p.message_id == message_id and p.channel_id == channel_id:
                return Posted(
                    p.message_id, p.channel_id, p.created_at, p.content, embeds=p.outgoing.embeds
                )
        return None

    async def create_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """One thread per message, as on Discord: asked again (after a crash), the same one."""
        made = [t for t, started in self.threads.items() if started == (channel_id, message_id)]
        if made:
            return made[0]
        thread_id = self.new_id()
        self.threads[thread_id] = (channel_id, message_id)
        return thread_id

    async def history(self, channel_id: int, after_id: int | None) -> Sequence[MessageCreated]:
        return [
            m
            for m in self.member_messages.get(channel_id, [])
            if after_id is None or m.message_id > after_id
        ]

    async def message_presence(self, channel_id: int, message_id: int) -> Presence:
        held = self.member_messages.get(channel_id, [])
        return Presence.READABLE if any(m.message_id == message_id for m in held) else Presence.GONE

    async def threads_since(self, channel_id: int, after_id: int | None) -> Sequence[int]:
        return [
            thread_id
            for thread_id, (parent, _) in self.threads.items()
            if parent == channel_id
            and (
                after_id is None
                or max(
                    [thread_id, *(m.message_id for m in self.member_messages.get(thread_id, []))]
                )
                > after_id
            )
        ]

    async def recent_own_posts(self, channel_id: int, after: datetime) -> Sequence[Posted]:
        return [
            Posted(p.message_id, p.channel_id, p.created_at, p.content, embeds=p.outgoing.embeds)
            for p in self.posts
            if p.channel_id == channel_id and p.created_at >= after
        ]

    async def create_event(self, guild_id: int, spec: EventSpec) -> EventState:
        if spec.start_at <= self.clock.now():
            raise TransportError("400 Cannot schedule event in the past.", retryable=False)
        event = EventState(
            self.new_id(), spec.name, spec.description, spec.start_at, spec.end_at, "scheduled"
        )
        self.events[event.event_id] = event
        return event

    async def fetch_event(self, guild_id: int, event_id: int) -> EventState | None:
        return self.events.get(event_id)

    async def edit_event(self, guild_id: int, event_id: int, edit: EventEdit) -> EventState:
        """Discord's rules: no change to a finished event, only the documented status moves,
        a new start only while scheduled and only in the future, the end after the start."""
        event = self.events.get(event_id)
        if event is None:
            raise TransportError("404 Unknown Guild Scheduled Event", retryable=False, status=404)
        if event.status in FINISHED_EVENT:
            raise TransportError("400 Cannot update a finished event", retryable=False)
        status = edit.status or event.status
        if status != event.status and status not in EVENT_MOVES.get(event.status, ()):
            raise TransportError(f"400 cannot go from {event.status} to {status}", retryable=False)
        if edit.start_at is not None and (
            event.status != "scheduled" or edit.start_at <= self.clock.now()
        ):
            raise TransportError("400 the start can only move to the future", retryable=False)
        changed = replace(
            event,
            name=edit.name if edit.name is not None else event.name,
            description=edit.description if edit.description is not None else event.description,
            start_at=edit.start_at or event.start_at,
            end_at=edit.end_at or event.end_at,
            status=status,
        )
        if changed.end_at is not None and changed.end_at <= changed.start_at:
            raise TransportError("400 End time must be after start time.", retryable=False)
        self.events[event_id] = changed
        self.event_edits.append((event_id, edit))
        return changed

    async def direct_message(self, user_id: int, content: str) -> bool:
        self.dms.append((user_id, content))
        dm = Posted(self.new_id(), user_id, self.clock.now(), content)
        self.dm_channels.setdefault(user_id, []).append(dm)
        return True

    async def recent_own_dms(self, user_id: int, limit: int) -> Sequence[Posted]:
        return self.dm_channels.get(user_id, [])[::-1][:limit]

    async def set_slowmode(self, channel_id: int, seconds: int, reason: str) -> None:
        self.slowmode[channel_id] = seconds

    async def delete_message(self, channel_id: int, message_id: int, reason: str) -> None:
        """As Discord does: the message goes and a delete event follows."""
        self.deleted.append(message_id)
        await self._emit(MessageDeleted(message_id, self.clock.now()))

    async def timeout_member(
        self, guild_id: int, user_id: int, duration: timedelta, reason: str
    ) -> None:
        self.timeouts.append((user_id, duration))
