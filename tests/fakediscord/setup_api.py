"""Control API, part 1: building the world (guilds, channels, roles, members, permissions) and
resolving names to ids. Mixed into ``FakeDiscord``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .context import Ctx
from .gateway import Intent
from .model import Channel, ChannelType, Overwrite, Perm
from .payloads import channel_json, guild_json, member_json, role_json

#: a user/channel/role given by id or by name (names are looked up in the fake's guilds)
Ref = int | str


@dataclass
class GuildHandle:
    """Ids of a guild made by ``create_guild``, by name."""

    id: int
    name: str
    channels: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    bot_role_id: int = 0
    owner_id: int = 0

    def channel(self, name: str) -> int:
        return self.channels[name]

    def member(self, name: str) -> int:
        return self.members[name]

    def role(self, name: str) -> int:
        return self.roles[name]


class SetupMixin:
    _ctx: Ctx
    _handles: list[GuildHandle]

    # --- name resolution ---------------------------------------------------------------------

    @property
    def guild(self) -> GuildHandle:
        """The first (default) guild."""
        if not self._handles:
            raise LookupError("no guild yet: call create_guild()")
        return self._handles[0]

    @property
    def guilds(self) -> list[GuildHandle]:
        return list(self._handles)

    def user_id(self, user: Ref) -> int:
        """Id of a user given by id or name (member names from ``create_guild``)."""
        if isinstance(user, int):
            return user
        for handle in self._handles:
            if user in handle.members:
                return handle.members[user]
        for u in self._ctx.state.users.values():
            if u.username == user:
                return u.id
        raise LookupError(f"unknown user {user!r}")

    def channel_id(self, channel: Ref) -> int:
        """Id of a channel/thread given by id or name (first match, text channels first)."""
        if isinstance(channel, int):
            return channel
        for handle in self._handles:
            if channel in handle.channels:
                return handle.channels[channel]
        for ch in sorted(self._ctx.state.channels.values(), key=lambda c: c.is_thread):
            if ch.name == channel:
                return ch.id
        raise LookupError(f"unknown channel {channel!r}")

    def role_id(self, role: Ref) -> int:
        if isinstance(role, int):
            return role
        for handle in self._handles:
            if role in handle.roles:
                return handle.roles[role]
        raise LookupError(f"unknown role {role!r}")

    def _guild_of(self, guild: int | None) -> GuildHandle:
        if guild is None:
            return self.guild
        return next(h for h in self._handles if h.id == guild)

    # --- building -----------------------------------------------------------------------------

    def _create_guild(
        self,
        name: str,
        channels: Sequence[str],
        roles: Mapping[str, int] | Sequence[str],
        members: Mapping[str, Sequence[str]] | Sequence[str],
        bot_permissions: int,
    ) -> GuildHandle:
        state = self._ctx.state
        owner = state.add_user(f"{name.lower().replace(' ', '_')}_owner")
        guild = state.create_guild(name, owner.id)
        handle = GuildHandle(id=guild.id, name=name, owner_id=owner.id)
        self._handles.append(handle)
        state.add_member(guild.id, owner.id)
        handle.members["owner"] = owner.id
        bot_role = state.add_role(guild.id, state.bot.username, bot_permissions, managed=True)
        handle.bot_role_id = bot_role.id
        state.add_member(guild.id, state.bot.id, [bot_role.id])
        role_perms = roles if isinstance(roles, Mapping) else dict.fromkeys(roles, 0)
        for role_name, perms in role_perms.items():
            handle.roles[role_name] = state.add_role(guild.id, role_name, perms).id
        member_roles = members if isinstance(members, Mapping) else dict.fromkeys(members, ())
        for member_name, role_names in member_roles.items():
            user = state.add_user(member_name)
            state.add_member(guild.id, user.id, [handle.roles[r] for r in role_names])
            handle.members[member_name] = user.id
        for channel_name in channels:
            handle.channels[channel_name] = state.add_channel(
                guild.id, channel_name, ChannelType.TEXT
            ).id
        return handle

    async def create_guild(
        self,
        name: str = "Fake Guild",
        *,
        channels: Sequence[str] = ("general",),
        roles: Mapping[str, int] | Sequence[str] = (),
        members: Mapping[str, Sequence[str]] | Sequence[str] = ("alice", "bob"),
        bot_permissions: int = Perm.BOT_DEFAULT,
    ) -> GuildHandle:
        """A guild with text ``channels``, ``roles`` (name -> permission bits, or names),
        ``members`` (names, or name -> role names), an owner user, and the bot as a member with
        its own role carrying ``bot_permissions``. Connected clients get GUILD_CREATE."""
        handle = self._create_guild(name, channels, roles, members, bot_permissions)
        state = self._ctx.state
        self._ctx.gateway.dispatch(
            "GUILD_CREATE", guild_json(state, state.guilds[handle.id]), intent=Intent.GUILDS
        )
        return handle

    async def add_channel(
        self,
        name: str,
        *,
        guild: int | None = None,
        topic: str | None = None,
        category: Ref | None = None,
        type: ChannelType = ChannelType.TEXT,
        overwrites: Sequence[Overwrite] = (),
    ) -> int:
        handle = self._guild_of(guild)
        channel = self._ctx.state.add_channel(
            handle.id,
            name,
            type,
            topic=topic,
            parent_id=self.channel_id(category) if category is not None else None,
            overwrites=list(overwrites),
        )
        handle.channels[name] = channel.id
        self._ctx.gateway.dispatch(
            "CHANNEL_CREATE", channel_json(self._ctx.state, channel), intent=Intent.GUILDS
        )
        return channel.id

    async def add_role(self, name: str, permissions: int = 0, *, guild: int | None = None) -> int:
        handle = self._guild_of(guild)
        role = self._ctx.state.add_role(handle.id, name, permissions)
        handle.roles[name] = role.id
        self._ctx.gateway.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(handle.id), "role": role_json(role)},
            intent=Intent.GUILDS,
        )
        return role.id

    async def add_member(
        self, name: str, *, roles: Sequence[Ref] = (), guild: int | None = None, bot: bool = False
    ) -> int:
        handle = self._guild_of(guild)
        state = self._ctx.state
        user = state.add_user(name, bot=bot)
        member = state.add_member(handle.id, user.id, [self.role_id(r) for r in roles])
        handle.members[name] = user.id
        data = {**member_json(state, member), "guild_id": str(handle.id)}
        self._ctx.gateway.dispatch("GUILD_MEMBER_ADD", data, intent=Intent.GUILD_MEMBERS)
        return user.id

    async def set_member_roles(
        self, user: Ref, roles: Sequence[Ref], *, guild: int | None = None
    ) -> None:
        handle = self._guild_of(guild)
        state = self._ctx.state
        member = state.member(handle.id, self.user_id(user))
        member.roles = [self.role_id(r) for r in roles]
        data = {**member_json(state, member), "guild_id": str(handle.id)}
        self._ctx.gateway.dispatch("GUILD_MEMBER_UPDATE", data, intent=Intent.GUILD_MEMBERS)

    async def set_overwrite(
        self,
        channel: Ref,
        target: Ref,
        *,
        allow: int = 0,
        deny: int = 0,
        is_member: bool | None = None,
    ) -> None:
        """Set a permission overwrite on ``channel`` for a role or member (``target``; the guild
        id means @everyone) and dispatch CHANNEL_UPDATE, so ``permissions_for`` reflects it."""
        ch = self._ctx.state.channel(self.channel_id(channel))
        guild = self._ctx.state.guild(ch.guild_id or 0)
        target_id = self._target_id(target)
        member = is_member if is_member is not None else target_id not in guild.roles
        ch.overwrites = [o for o in ch.overwrites if o.id != target_id]
        ch.overwrites.append(Overwrite(target_id, 1 if member else 0, allow, deny))
        self._ctx.ops.channel_updated(ch)

    async def edit_channel(self, channel: Ref, **changes: Any) -> None:
        """A moderator edits a channel or thread (``name``, ``topic``, ``archived``,
        ``locked``...): CHANNEL_UPDATE, or THREAD_UPDATE for a thread."""
        ch = self._channel(channel)
        for key, value in changes.items():
            if not hasattr(ch, key):
                raise ValueError(f"a channel has no {key!r}")
            setattr(ch, key, value)
        self._ctx.ops.channel_updated(ch)

    async def delete_channel(self, channel: Ref) -> None:
        """A moderator deletes a channel (with its threads) or a thread: CHANNEL_DELETE or
        THREAD_DELETE."""
        ch = self._channel(channel)
        self._ctx.ops.delete_channel(ch)
        for handle in self._handles:
            handle.channels = {n: i for n, i in handle.channels.items() if i != ch.id}

    async def set_command_permissions(
        self,
        command: str | None,
        roles: Sequence[tuple[Ref, bool]],
        *,
        guild: int | None = None,
    ) -> None:
        """A server admin allows (True) or denies roles for a command under Server Settings >
        Integrations (``command=None``: for all the app's commands). The bot can read these,
        and invoking a command honours them before its ``default_member_permissions``."""
        handle = self._guild_of(guild)
        state = self._ctx.state
        target = state.application_id
        if command is not None:
            found = state.find_command(command, 1, handle.id)
            if found is None:
                raise ValueError(f"no command {command!r} is registered")
            target = int(found["id"])
        state.command_permissions.setdefault(handle.id, {})[target] = [
            {"id": str(self.role_id(role)), "type": 1, "permission": allow} for role, allow in roles
        ]

    def _target_id(self, target: Ref) -> int:
        if isinstance(target, int):
            return target
        try:
            return self.role_id(target)
        except LookupError:
            return self.user_id(target)

    async def forbid_sends(self, channel: Ref, forbidden: bool = True) -> None:
        """Make sends to ``channel`` answer 403 Missing Permissions (code 50013) regardless of
        permissions. For a realistic denial that discord.py can see, use ``set_overwrite``."""
        self._channel(channel).forbid_sends = forbidden

    def _channel(self, channel: Ref) -> Channel:
        return self._ctx.state.channel(self.channel_id(channel))
