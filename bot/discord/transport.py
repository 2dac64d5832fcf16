"""DiscordTransport: the engine's ChatTransport on discord.py.

Posts go through partial messageables (no cache needed, so steps due at start-up can be sent
before the gateway is ready), always with a nonce when the engine gives one (discord.py then sets
`enforce_nonce`, so a resend after a crash returns the first message) and with allowed_mentions
that ping nobody except the notify role a reminder names. Every discord.py failure leaves as a
TransportError.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import discord

from bot.config import ChatSettings, Settings
from bot.discord.access import is_host
from bot.discord.convert import message_created
from bot.discord.errors import translated
from bot.transport import (
    EVENT_STATUSES,
    EventEdit,
    EventSpec,
    EventState,
    MessageCreated,
    Outgoing,
    OutgoingFile,
    Posted,
    Presence,
    TransportError,
)

log = logging.getLogger(__name__)

EXTERNAL_EVENT, GUILD_ONLY = 3, 2
HISTORY_WITHOUT_ANCHOR = 200  # no known message to start after: look at this many recent ones
ARCHIVED_THREAD = 50083  # "Thread is archived": archived threads are immutable
THREAD_EXISTS = 160004  # "A thread has already been created for this message"


def allowed_mentions(role_ids: Sequence[int] = ()) -> discord.AllowedMentions:
    """Nobody is pinged (no @everyone/@here, users, replies) except the given roles."""
    roles: list[discord.Object] | bool = [discord.Object(r) for r in role_ids] or False
    return discord.AllowedMentions(everyone=False, users=False, roles=roles, replied_user=False)


def _posted(m: discord.Message) -> Posted:
    """One of the bot's posts as read back (its embeds too: a recap part has no text)."""
    return Posted(
        m.id,
        m.channel.id,
        m.created_at,
        m.content,
        m.jump_url,
        embeds=tuple(e.to_dict() for e in m.embeds),
    )


class DiscordTransport:
    """Bound to the client after construction (`bind`), because the client needs the engine
    and the engine needs the transport."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: discord.Client | None = None
        self._remind_view: Callable[[str], discord.ui.View] | None = None
        self._guild_of: dict[int, int] = {}
        self._chat_of: dict[int, ChatSettings] = {}
        for chat in settings.chats:
            ch = chat.channels
            for cid in (ch.chat, ch.announce, ch.recap, ch.host, ch.mod_log):
                if cid:
                    self._guild_of[cid] = chat.guild_id
            self._chat_of[ch.chat] = chat
        self._parent_of: dict[int, int] = {}

    def bind(self, client: discord.Client, remind_view: Callable[[str], discord.ui.View]) -> None:
        self._client = client
        self._remind_view = remind_view

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise TransportError("the Discord client is not set up yet")
        return self._client

    def _channel(self, channel_id: int) -> discord.PartialMessageable:
        guild_id = self._guild_of.get(self._parent_of.get(channel_id, channel_id))
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    def _own_id(self) -> int | None:
        user = self.client.user
        return user.id if user is not None else None

    # -- posting ------------------------------------------------------------------------------

    async def post(self, message: Outgoing) -> Posted:
        kwargs: dict[str, Any] = {
            "allowed_mentions": allowed_mentions(message.mention_role_ids),
        }
        if message.content:
            kwargs["content"] = message.content
        if message.embeds:
            kwargs["embeds"] = [discord.Embed.from_dict(dict(e)) for e in message.embeds]
        if message.files:
            kwargs["files"] = [
                discord.File(io.BytesIO(f.data), filename=f.name) for f in message.files
            ]
        if message.nonce:
            kwargs["nonce"] = message.nonce
        if message.remind_chat and self._remind_view is not None:
            kwargs["view"] = self._remind_view(message.remind_chat)
        if message.delete_after is not None:
            kwargs["delete_after"] = message.delete_after
        with translated(f"post in channel {message.channel_id}"):
            sent = await self._channel(message.channel_id).send(**kwargs)
        return Posted(
            message_id=sent.id,
            channel_id=sent.channel.id,
            created_at=sent.created_at,
            content=sent.content,
            jump_url=sent.jump_url,
        )

    async def edit(
        self,
        channel_id: int,
        message_id: int,
        content: str,
        *,
        embeds: Sequence[Mapping[str, Any]] | None = None,
        files: Sequence[OutgoingFile] | None = None,
    ) -> None:
        """A post in an archived thread (a recap thread days later) is edited by unarchiving the
        thread for the edit and archiving it again: Discord refuses edits in archived threads."""

        def changes() -> dict[str, Any]:  # files are read once: built anew for each attempt
            kwargs: dict[str, Any] = {"content": content, "allowed_mentions": allowed_mentions()}
            if embeds is not None:
                kwargs["embeds"] = [discord.Embed.from_dict(dict(e)) for e in embeds]
            if files is not None:  # the new files replace every attachment the post had
                kwargs["attachments"] = [
                    discord.File(io.BytesIO(f.data), filename=f.name) for f in files
                ]
            return kwargs

        message = self._channel(channel_id).get_partial_message(message_id)
        with translated(f"edit message {message_id}"):
            try:
                await message.edit(**changes())
            except discord.HTTPException as exc:
                if exc.code != ARCHIVED_THREAD:
                    raise
                await self._set_archived(channel_id, archived=False)
                try:
                    await message.edit(**changes())
                finally:
                    await self._set_archived(channel_id, archived=True)

    async def _set_archived(self, thread_id: int, *, archived: bool) -> None:
        why = "edit a post of the bot" if not archived else "archived again after the edit"
        await self.client.http.edit_channel(thread_id, archived=archived, reason=why)

    async def fetch_post(self, channel_id: int, message_id: int) -> Posted | None:
        try:
            with translated(f"read message {message_id}"):
                m = await self._channel(channel_id).fetch_message(message_id)
        except TransportError as exc:
            if exc.status == 404:
                return None
            raise
        return _posted(m)

    async def message_presence(self, channel_id: int, message_id: int) -> Presence:
        """404 (Unknown Message, or the thread itself gone): gone; 403: no access, unknown."""
        try:
            with translated(f"read message {message_id}"):
                await self._channel(channel_id).fetch_message(message_id)
        except TransportError as exc:
            if exc.status == 404:
                return Presence.GONE
            if exc.status == 403:
                return Presence.UNKNOWN
            raise
        return Presence.READABLE

    async def create_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """A thread under a message. If it exists already (made before a crash), its id: a
        thread started from a message has the message's id. Straight through the HTTP API:
        discord.py's message.create_thread needs the server in its cache, which it is not
        before READY, when a restarted bot posts the questions that fell due meanwhile."""
        try:
            with translated(f"open a thread in channel {channel_id}"):
                thread = await self.client.http.start_thread_with_message(
                    channel_id, message_id, name=name[:100] or "thread", auto_archive_duration=1440
                )
            thread_id = int(thread["id"])
        except TransportError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, discord.HTTPException) and cause.code == THREAD_EXISTS):
                raise
            thread_id = message_id
        self._parent_of[thread_id] = channel_id
        return thread_id

    async def _user(self, user_id: int) -> discord.User:
        """From the cache, else over REST (before the gateway is ready there is no cache)."""
        return self.client.get_user(user_id) or await self.client.fetch_user(user_id)

    async def direct_message(self, user_id: int, content: str) -> bool:
        """False when the member does not accept DMs from the server's members."""
        try:
            with translated(f"DM member {user_id}"):
                user = await self._user(user_id)
                await user.send(content, allowed_mentions=allowed_mentions())
        except TransportError as exc:
            if exc.status == 403:
                return False
            raise
        return True

    async def recent_own_dms(self, user_id: int, limit: int) -> Sequence[Posted]:
        own = self._own_id()
        with translated(f"read the DMs with member {user_id}"):
            user = await self._user(user_id)
            channel = user.dm_channel or await user.create_dm()
            found = [m async for m in channel.history(limit=limit)]
        return [_posted(m) for m in found if m.author.id == own]

    # -- moderation ---------------------------------------------------------------------------

    async def set_slowmode(self, channel_id: int, seconds: int, reason: str) -> None:
        with translated(f"set the slowmode of channel {channel_id}"):
            await self.client.http.edit_channel(
                channel_id, reason=reason, rate_limit_per_user=seconds
            )

    async def delete_message(self, channel_id: int, message_id: int, reason: str) -> None:
        try:
            with translated(f"delete message {message_id}"):
                await self.client.http.delete_message(channel_id, message_id, reason=reason)
        except TransportError as exc:
            if exc.status != 404:  # already gone
                raise

    async def timeout_member(
        self, guild_id: int, user_id: int, duration: timedelta, reason: str
    ) -> None:
        until = discord.utils.utcnow() + duration
        with translated(f"time out member {user_id}"):
            await self.client.http.edit_member(
                guild_id, user_id, reason=reason, communication_disabled_until=until.isoformat()
            )

    # -- reading history ----------------------------------------------------------------------

    async def _parent(self, channel_id: int) -> int:
        """The text channel a thread lives in (the channel itself when it is not a thread)."""
        if channel_id in self._chat_of:
            return channel_id
        known = self._parent_of.get(channel_id)
        if known is not None:
            return known
        channel = self.client.get_channel(channel_id)
        if channel is None:
            with translated(f"look up channel {channel_id}"):
                channel = await self.client.fetch_channel(channel_id)
        parent = channel.parent_id if isinstance(channel, discord.Thread) else channel.id
        if parent is not None:
            self._parent_of[channel_id] = parent
        return parent or channel_id

    def _author_is_host(self, message: discord.Message, chat: ChatSettings | None) -> bool:
        if chat is None:
            return False
        author: discord.abc.User = message.author
        if not isinstance(author, discord.Member):
            guild = self.client.get_guild(chat.guild_id)
            member = guild.get_member(author.id) if guild is not None else None
            if member is None:
                return False
            author = member
        return is_host(author, chat)

    async def history(self, channel_id: int, after_id: int | None) -> Sequence[MessageCreated]:
        """Member messages after `after_id`, oldest first, as the live capture would see them."""
        parent = await self._parent(channel_id)
        chat = self._chat_of.get(parent)
        own = self._own_id()
        channel = self._channel(channel_id)
        out: list[MessageCreated] = []
        with translated(f"read the history of channel {channel_id}"):
            if after_id is None:
                found = [m async for m in channel.history(limit=HISTORY_WITHOUT_ANCHOR)]
                found.reverse()
            else:
                found = [
                    m
                    async for m in channel.history(
                        limit=None, after=discord.Object(after_id), oldest_first=True
                    )
                ]
        for m in found:
            if m.author.id == own:
                continue
            out.append(
                message_created(m, chat_channel_id=parent, is_host=self._author_is_host(m, chat))
            )
        return out

    async def threads_since(self, channel_id: int, after_id: int | None) -> Sequence[int]:
        """Public threads of a channel with messages after `after_id`: the active ones (one
        request for the whole server) and those archived since, newest first, read only until
        they were archived before `after_id`."""
        guild_id = self._guild_of.get(channel_id)
        http = self.client.http
        found: list[Any] = []
        if guild_id is not None:
            with translated(f"list the active threads of server {guild_id}"):
                active = await http.get_active_threads(guild_id)
            found += active.get("threads", [])
        since = discord.utils.snowflake_time(after_id) if after_id else None
        before: str | None = None
        while True:
            with translated(f"list the archived threads of channel {channel_id}"):
                page = await http.get_public_archived_threads(channel_id, before=before, limit=50)
            archived = page.get("threads", [])
            found += archived
            stamps = [t.get("thread_metadata", {}).get("archive_timestamp") for t in archived]
            oldest = min((datetime.fromisoformat(t) for t in stamps if t), default=None)
            if not page.get("has_more") or oldest is None or (since and oldest < since):
                break
            before = oldest.isoformat()
        out = []
        for t in found:
            newest = max(int(t["id"]), int(t.get("last_message_id") or 0))
            if int(t.get("parent_id") or 0) == channel_id and (
                after_id is None or newest > after_id
            ):
                self._parent_of[int(t["id"])] = channel_id
                out.append(int(t["id"]))
        return sorted(set(out))

    async def recent_own_posts(self, channel_id: int, after: datetime) -> Sequence[Posted]:
        own = self._own_id()
        with translated(f"read the history of channel {channel_id}"):
            found = [
                m
                # Every message since `after` (bounded by how long we were down): a fixed limit
                # would read only the oldest ones and miss our post in a busy channel.
                async for m in self._channel(channel_id).history(
                    limit=None, after=after, oldest_first=True
                )
            ]
        return [_posted(m) for m in found if m.author.id == own]

    # -- scheduled events ---------------------------------------------------------------------

    def _event_payload(self, guild_id: int, spec: EventSpec) -> dict[str, Any]:
        channel = self.client.get_channel(spec.channel_id)
        name = getattr(channel, "name", None)
        location = (
            f"#{name}" if name else f"https://discord.com/channels/{guild_id}/{spec.channel_id}"
        )
        return {
            "name": spec.name[:100],
            "description": spec.description[:1000],
            "scheduled_start_time": spec.start_at.isoformat(),
            "scheduled_end_time": spec.end_at.isoformat(),
            "privacy_level": GUILD_ONLY,
            "entity_type": EXTERNAL_EVENT,  # a text channel is an "external" location
            "entity_metadata": {"location": location[:100]},
        }

    async def create_event(self, guild_id: int, spec: EventSpec) -> EventState:
        with translated(f"create a scheduled event in server {guild_id}"):
            data = await self.client.http.create_guild_scheduled_event(
                guild_id, **self._event_payload(guild_id, spec)
            )
        return event_state(data)

    async def fetch_event(self, guild_id: int, event_id: int) -> EventState | None:
        try:
            with translated(f"read scheduled event {event_id}"):
                data = await self.client.http.get_scheduled_event(guild_id, event_id, False)
        except TransportError as exc:
            if exc.status == 404:  # deleted by someone
                return None
            raise
        return event_state(data)

    async def edit_event(self, guild_id: int, event_id: int, edit: EventEdit) -> EventState:
        payload: dict[str, Any] = {}
        if edit.name is not None:
            payload["name"] = edit.name[:100]
        if edit.description is not None:
            payload["description"] = edit.description[:1000]
        if edit.start_at is not None:
            payload["scheduled_start_time"] = edit.start_at.isoformat()
        if edit.end_at is not None:
            payload["scheduled_end_time"] = edit.end_at.isoformat()
        if edit.status is not None:
            payload["status"] = EVENT_STATUSES.index(edit.status) + 1
        with translated(f"update scheduled event {event_id}"):
            data = await self.client.http.edit_scheduled_event(guild_id, event_id, **payload)
        return event_state(data)


def event_state(data: Any) -> EventState:
    """Discord's scheduled event payload -> the engine's EventState."""
    end = data.get("scheduled_end_time")
    return EventState(
        event_id=int(data["id"]),
        name=data.get("name") or "",
        description=data.get("description") or "",
        start_at=datetime.fromisoformat(data["scheduled_start_time"]),
        end_at=datetime.fromisoformat(end) if end else None,
        status=EVENT_STATUSES[int(data["status"]) - 1],
    )
