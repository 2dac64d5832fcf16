"""Render model objects as the JSON objects Discord documents (API v10)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .ids import iso
from .model import THREAD_TYPES, Attachment, Channel, Guild, Member, Message, Overwrite, Role, User

if TYPE_CHECKING:
    from .state import FakeState

JSON = dict[str, Any]


def user_json(user: User) -> JSON:
    out: JSON = {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "public_flags": 0,
        "flags": 0,
    }
    if user.bot:
        out["bot"] = True
    return out


def member_json(
    state: FakeState, member: Member, *, with_user: bool = True, permissions: int | None = None
) -> JSON:
    out: JSON = {
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in member.roles],
        "joined_at": iso(member.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": member.communication_disabled_until,
    }
    if with_user:
        out["user"] = user_json(state.user(member.user_id))
    if permissions is not None:
        out["permissions"] = str(permissions)
    return out


def role_json(role: Role) -> JSON:
    return {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }


def overwrite_json(ow: Overwrite) -> JSON:
    return {"id": str(ow.id), "type": ow.type, "allow": str(ow.allow), "deny": str(ow.deny)}


def channel_json(state: FakeState, channel: Channel) -> JSON:
    out: JSON = {
        "id": str(channel.id),
        "type": int(channel.type),
        "last_message_id": _opt_id(channel.last_message_id),
        "flags": 0,
    }
    if channel.guild_id is None:
        out["recipients"] = [
            user_json(state.user(u)) for u in channel.recipient_ids if u != state.bot.id
        ]
        return out
    out.update(
        guild_id=str(channel.guild_id),
        name=channel.name,
        parent_id=_opt_id(channel.parent_id),
        rate_limit_per_user=channel.rate_limit_per_user,
        nsfw=False,
    )
    if channel.type in THREAD_TYPES:
        out.update(
            owner_id=_opt_id(channel.owner_id),
            message_count=channel.message_count,
            total_message_sent=channel.message_count,
            member_count=len(channel.member_ids),
            thread_metadata={
                "archived": channel.archived,
                "auto_archive_duration": channel.auto_archive_duration,
                "archive_timestamp": iso(channel.created_at),
                "locked": channel.locked,
                "create_timestamp": iso(channel.created_at),
            },
        )
    else:
        out.update(
            position=channel.position,
            topic=channel.topic,
            permission_overwrites=[overwrite_json(o) for o in channel.overwrites],
        )
    return out


def guild_json(state: FakeState, guild: Guild) -> JSON:
    """A full guild object as sent in GUILD_CREATE (also fine for ``GET /guilds/{id}``)."""
    first_text = next((c for c in state.guild_channels(guild.id, threads=False)), None)
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": _opt_id(first_text.id if first_text else None),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "features": ["COMMUNITY"],
        "roles": [role_json(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "soundboard_sounds": [],
        "joined_at": iso(guild.members[state.bot.id].joined_at),
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "voice_states": [],
        "members": [member_json(state, m) for m in guild.members.values()],
        "channels": [channel_json(state, c) for c in state.guild_channels(guild.id, threads=False)],
        "threads": [
            channel_json(state, c)
            for c in state.guild_channels(guild.id, threads=True)
            if not c.archived
        ],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": list(guild.scheduled_events.values()),
        "application_id": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "incidents_data": None,
    }


def emoji_json(key: str) -> JSON:
    """``"name"`` for unicode emoji, ``"name:id"`` for custom emoji."""
    name, _, emoji_id = key.partition(":")
    return {"id": emoji_id or None, "name": name}


def attachment_json(a: Attachment) -> JSON:
    out: JSON = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
    }
    if a.content_type is not None:
        out["content_type"] = a.content_type
    if a.description is not None:
        out["description"] = a.description
    return out


def message_json(
    state: FakeState, message: Message, *, gateway: bool = False, depth: int = 0
) -> JSON:
    """A message object. ``gateway=True`` adds ``guild_id`` and partial ``member`` fields the
    gateway includes in MESSAGE_CREATE/UPDATE."""
    author = state.user(message.author_id)
    out: JSON = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "type": message.type,
        "author": user_json(author),
        "content": message.content,
        "timestamp": iso(message.created_at),
        "edited_timestamp": iso(message.edited_at) if message.edited_at else None,
        "tts": message.tts,
        "mention_everyone": message.mention_everyone,
        "mentions": [_mention_json(state, message, u, gateway) for u in message.mention_ids],
        "mention_roles": [str(r) for r in message.mention_role_ids],
        "attachments": [attachment_json(a) for a in message.attachments],
        "embeds": message.embeds,
        "components": message.components,
        "reactions": [
            {
                "emoji": emoji_json(key),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "me": state.bot.id in users,
                "me_burst": False,
                "burst_colors": [],
            }
            for key, users in message.reactions.items()
            if users
        ],
        "pinned": message.pinned,
        "flags": message.flags,
    }
    if message.guild_id is not None:
        out["guild_id"] = str(message.guild_id)
        if gateway and message.webhook_id is None:
            member = state.guilds[message.guild_id].members.get(message.author_id)
            if member is not None:
                out["member"] = member_json(state, member, with_user=False)
    if message.nonce is not None:
        out["nonce"] = message.nonce
    if message.webhook_id is not None:
        out["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        out["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        out["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        out["message_reference"] = message.message_reference
        if message.type == 19 and depth == 0:
            ref_id = int(message.message_reference["message_id"])
            ref = state.messages.get(ref_id)
            out["referenced_message"] = (
                None if ref is None or ref.deleted else message_json(state, ref, depth=1)
            )
    if message.thread_id is not None and message.thread_id in state.channels:
        out["thread"] = channel_json(state, state.channels[message.thread_id])
    return out


def _mention_json(state: FakeState, message: Message, user_id: int, gateway: bool) -> JSON:
    out = user_json(state.user(user_id))
    if gateway and message.guild_id is not None:
        member = state.guilds[message.guild_id].members.get(user_id)
        if member is not None:
            out["member"] = member_json(state, member, with_user=False)
    return out


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)
