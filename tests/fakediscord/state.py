"""In-memory storage of everything the fake knows: users, guilds, channels, messages, commands.

Pure bookkeeping: no networking and no gateway dispatch (``ops.py`` does that).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import DiscordError, missing_access, unknown
from .ids import SnowflakeGenerator
from .model import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Perm,
    Role,
    User,
    compute_permissions,
)


@dataclass
class Interaction:
    """An interaction the fake sent, and what the bot did with it."""

    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    created_at: float
    #: the INTERACTION_CREATE ``d`` payload
    payload: dict[str, Any] = field(default_factory=dict)
    response_type: int | None = None
    original_message_id: int | None = None
    ephemeral: bool = False
    #: for component interactions: the message the component is on
    message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    #: for modal submits: the interaction that opened the modal
    origin_id: int | None = None

    @property
    def responded(self) -> bool:
        return self.response_type is not None


class FakeState:
    """All server-side state. Ids come from one time-based snowflake generator."""

    def __init__(self, *, token: str, bot_name: str, nonce_window: float) -> None:
        self.ids = SnowflakeGenerator()
        self.token = token
        self.nonce_window = nonce_window
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.dm_channels: dict[int, int] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        #: per guild: command id (or the application id: every command) -> permission overwrites
        #: a server admin set under Server Settings > Integrations
        self.command_permissions: dict[int, dict[int, list[dict[str, Any]]]] = {}
        self.interactions: dict[int, Interaction] = {}
        #: files members attached to slash command options (not in any message), by id
        self.option_attachments: dict[int, Attachment] = {}
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.bot = self.add_user(bot_name, bot=True)
        self.application_id = self.bot.id

    def new_id(self) -> int:
        return self.ids.next()

    # --- users, guilds, roles, members, channels -------------------------------------------

    def add_user(self, username: str, *, bot: bool = False) -> User:
        user = User(id=self.new_id(), username=username, bot=bot)
        self.users[user.id] = user
        return user

    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise unknown("User") from None

    def create_guild(self, name: str, owner_id: int) -> Guild:
        guild = Guild(id=self.new_id(), name=name, owner_id=owner_id)
        guild.roles[guild.id] = Role(
            id=guild.id, guild_id=guild.id, name="@everyone", permissions=Perm.EVERYONE_DEFAULT
        )
        self.guilds[guild.id] = guild
        return guild

    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise unknown("Guild") from None

    def add_role(self, guild_id: int, name: str, permissions: int, **extra: Any) -> Role:
        guild = self.guild(guild_id)
        role = Role(
            id=self.new_id(),
            guild_id=guild_id,
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            **extra,
        )
        guild.roles[role.id] = role
        return role

    def add_member(self, guild_id: int, user_id: int, roles: list[int] | None = None) -> Member:
        guild = self.guild(guild_id)
        member = Member(
            user_id=user_id, guild_id=guild_id, roles=list(roles or []), joined_at=time.time()
        )
        guild.members[user_id] = member
        return member

    def member(self, guild_id: int, user_id: int) -> Member:
        try:
            return self.guild(guild_id).members[user_id]
        except KeyError:
            raise unknown("Member") from None

    def add_channel(
        self, guild_id: int | None, name: str, type: ChannelType, **extra: Any
    ) -> Channel:
        channel = Channel(id=extra.pop("id", None) or self.new_id(), type=type, guild_id=guild_id)
        channel.name = name
        channel.created_at = time.time()
        for key, value in extra.items():
            setattr(channel, key, value)
        if guild_id is not None:
            guild = self.guild(guild_id)
            if not channel.is_thread:
                channel.position = sum(
                    1 for c in guild.channel_ids if not self.channels[c].is_thread
                )
            guild.channel_ids.append(channel.id)
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        return channel

    def remove_channel(self, channel: Channel) -> None:
        """Gone with its messages (as on Discord: no MESSAGE_DELETE for them); a thread's
        starter message stays in the parent, without its thread."""
        self.channels.pop(channel.id, None)
        for message_id in self.channel_messages.get(channel.id, []):
            self.messages[message_id].deleted = True
        starter = self.messages.get(channel.id)
        if starter is not None and starter.thread_id == channel.id:
            starter.thread_id = None
        if channel.guild_id is not None:
            ids = self.guild(channel.guild_id).channel_ids
            if channel.id in ids:
                ids.remove(channel.id)

    def channel(self, channel_id: int) -> Channel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise unknown("Channel") from None

    def guild_channels(self, guild_id: int, *, threads: bool) -> list[Channel]:
        chans = [self.channels[c] for c in self.guild(guild_id).channel_ids]
        return [c for c in chans if c.is_thread == threads]

    def dm_channel(self, user_id: int) -> Channel:
        """The bot's DM channel with ``user_id``, created on first use."""
        self.user(user_id)
        existing = self.dm_channels.get(user_id)
        if existing is not None:
            return self.channels[existing]
        channel = self.add_channel(None, "", ChannelType.DM, recipient_ids=[user_id, self.bot.id])
        self.dm_channels[user_id] = channel.id
        return channel

    # --- permissions ------------------------------------------------------------------------

    def permissions(self, user_id: int, channel: Channel) -> int:
        """Effective permissions of ``user_id`` in ``channel`` (threads use their parent)."""
        if channel.guild_id is None:
            if user_id in channel.recipient_ids:
                return Perm.EVERYONE_DEFAULT & ~Perm.CREATE_PUBLIC_THREADS
            return 0
        guild = self.guild(channel.guild_id)
        member = guild.members.get(user_id)
        if member is None:
            return 0
        target = channel
        if channel.is_thread and channel.parent_id is not None:
            target = self.channel(channel.parent_id)
        return compute_permissions(guild, member, target)

    def require(self, user_id: int, channel: Channel, needed: int) -> None:
        """Raise Discord's 403 unless ``user_id`` has every bit of ``needed`` in ``channel``."""
        perms = self.permissions(user_id, channel)
        if not perms & Perm.VIEW_CHANNEL:
            raise missing_access()
        if perms & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")

    # --- messages ---------------------------------------------------------------------------

    def store_message(self, message: Message) -> Message:
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message.id)
        channel = self.channels.get(message.channel_id)
        if channel is not None:
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1
        return message

    def message(self, channel_id: int, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id:
            raise unknown("Message")
        return message

    def any_message(self, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.deleted:
            raise unknown("Message")
        return message

    def live_messages(self, channel_id: int) -> list[Message]:
        """Messages still present in a channel, oldest first."""
        ids = self.channel_messages.get(channel_id, [])
        return [self.messages[i] for i in ids if not self.messages[i].deleted]

    def history(
        self,
        channel_id: int,
        *,
        limit: int = 50,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[Message]:
        """Discord's ``GET /channels/{id}/messages`` semantics; result is newest first."""
        msgs = [m for m in self.live_messages(channel_id) if not m.ephemeral]
        if around is not None:
            older = [m for m in msgs if m.id < around][-(limit // 2) :] if limit > 1 else []
            rest = [m for m in msgs if m.id >= around][: limit - len(older)]
            picked = older + rest
        elif after is not None:
            picked = [m for m in msgs if m.id > after][:limit]
        else:
            if before is not None:
                msgs = [m for m in msgs if m.id < before]
            picked = msgs[-limit:] if limit else []
        return list(reversed(picked))

    # --- nonces (enforce_nonce) --------------------------------------------------------------

    def nonce_hit(self, author_id: int, nonce: str | int | None) -> Message | None:
        """The message an earlier request with this nonce created, if still within the window."""
        if nonce is None:
            return None
        entry = self._nonces.get((author_id, str(nonce)))
        if entry is None:
            return None
        message_id, at = entry
        if time.time() - at > self.nonce_window:
            return None
        return self.messages.get(message_id)

    def remember_nonce(self, author_id: int, nonce: str | int | None, message_id: int) -> None:
        if nonce is not None:
            self._nonces[(author_id, str(nonce))] = (message_id, time.time())

    # --- application commands and interactions ----------------------------------------------

    def commands_for(self, guild_id: int | None) -> list[dict[str, Any]]:
        if guild_id is None:
            return self.global_commands
        return self.guild_commands.get(guild_id, [])

    def find_command(self, name: str, type: int, guild_id: int | None) -> dict[str, Any] | None:
        """A registered command by name and type: guild commands first, then global ones."""
        pools = [self.commands_for(guild_id)] if guild_id is not None else []
        pools.append(self.global_commands)
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == type:
                    return cmd
        return None

    def new_interaction(self, **kwargs: Any) -> Interaction:
        interaction = Interaction(
            id=self.new_id(),
            token="aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48),
            created_at=time.time(),
            **kwargs,
        )
        self.interactions[interaction.id] = interaction
        return interaction

    def interaction_by_token(self, token: str) -> Interaction:
        for interaction in self.interactions.values():
            if interaction.token == token:
                return interaction
        raise unknown("Webhook")
