"""The fake server's data model: plain dataclasses, no I/O.

JSON rendering lives in ``payloads.py``; storage and look-ups in ``state.py``.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Perm:
    """Permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    CREATE_EVENTS = 1 << 44
    PIN_MESSAGES = 1 << 51

    ALL = (1 << 52) - 1

    #: What @everyone gets by default in the fake (a typical community server).
    EVERYONE_DEFAULT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | EMBED_LINKS
        | ATTACH_FILES
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | SEND_MESSAGES_IN_THREADS
        | CREATE_PUBLIC_THREADS
        | CHANGE_NICKNAME
        | CREATE_INSTANT_INVITE
    )

    #: What the bot's own role gets by default: enough to run a chat.
    BOT_DEFAULT = (
        EVERYONE_DEFAULT
        | MANAGE_MESSAGES
        | MANAGE_THREADS
        | MANAGE_CHANNELS
        | MANAGE_EVENTS
        | CREATE_EVENTS
        | MODERATE_MEMBERS
        | MENTION_EVERYONE
        | PIN_MESSAGES
    )


class ChannelType(IntEnum):
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    FORUM = 15


THREAD_TYPES = (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False


@dataclass
class Member:
    user_id: int
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: float = 0.0
    communication_disabled_until: str | None = None


@dataclass
class Overwrite:
    """A channel permission overwrite; ``type`` 0 = role, 1 = member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    id: int
    type: ChannelType
    guild_id: int | None
    name: str = ""
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    rate_limit_per_user: int = 0
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    recipient_ids: list[int] = field(default_factory=list)
    # threads only
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    created_at: float = 0.0
    message_count: int = 0
    member_ids: set[int] = field(default_factory=set)
    # fault switch: sends answer 403 Missing Permissions regardless of permissions
    forbid_sends: bool = False

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass
class Attachment:
    id: int
    filename: str
    content: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    type: int = 0
    embeds: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    message_reference: dict[str, Any] | None = None
    allowed_mentions: dict[str, Any] | None = None
    nonce: str | int | None = None
    flags: int = 0
    tts: bool = False
    pinned: bool = False
    edited_at: float | None = None
    deleted: bool = False
    created_at: float = 0.0
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    #: emoji key ("name" or "name:id") -> user ids in reaction order
    reactions: dict[str, list[int]] = field(default_factory=dict)
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    #: id of a thread started from this message (same id as the message, as on Discord)
    thread_id: int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]


def compute_permissions(guild: Guild, member: Member, channel: Channel | None) -> int:
    """Discord's permission algorithm: base role permissions, then channel overwrites.

    ``channel`` may be a thread, whose parent's overwrites apply. Pass ``None`` for
    guild-level permissions.
    """
    if member.user_id == guild.owner_id:
        return Perm.ALL
    base = guild.everyone_role.permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            base |= role.permissions
    if base & Perm.ADMINISTRATOR:
        return Perm.ALL
    if channel is None:
        return base
    overwrites = {(o.type, o.id): o for o in channel.overwrites}
    everyone = overwrites.get((0, guild.id))
    if everyone is not None:
        base = (base & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.roles:
        ow = overwrites.get((0, role_id))
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    base = (base & ~deny) | allow
    own = overwrites.get((1, member.user_id))
    if own is not None:
        base = (base & ~own.deny) | own.allow
    if not base & Perm.VIEW_CHANNEL:
        return 0
    if is_timed_out(member):
        base &= Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY
    if not base & Perm.SEND_MESSAGES:
        base &= ~(
            Perm.SEND_TTS_MESSAGES | Perm.MENTION_EVERYONE | Perm.EMBED_LINKS | Perm.ATTACH_FILES
        )
    return base


def is_timed_out(member: Member, now: float | None = None) -> bool:
    until = member.communication_disabled_until
    if not until:
        return False
    when = dt.datetime.fromisoformat(until.replace("Z", "+00:00")).timestamp()
    return when > (time.time() if now is None else now)
