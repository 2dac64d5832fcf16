"""REST: gateway discovery, users, application, guilds, channels, members, roles, DMs."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .context import Ctx
from .errors import DiscordError, field_error, invalid_form_body, missing_permissions, unknown
from .gateway import Intent
from .http_util import json_of, ok, snowflake
from .model import Overwrite, Perm, compute_permissions
from .payloads import channel_json, guild_json, member_json, role_json, user_json
from .records import ChannelUpdateRecord, MemberUpdateRecord

ID = r"{%s:\d+}"
# GUILD_CREATE's extra fields (gateway-events.mdx, Guild Create Extra Fields)
GATEWAY_ONLY = (
    "joined_at",
    "large",
    "unavailable",
    "member_count",
    "voice_states",
    "members",
    "channels",
    "threads",
    "presences",
    "stage_instances",
    "guild_scheduled_events",
    "soundboard_sounds",
)
# fields GET /guilds/{id} always carries (the spec requires them; the docs mark them optional)
REST_GUILD_EXTRAS = {
    "home_header": None,
    "region": "deprecated",
    "widget_enabled": False,
    "widget_channel_id": None,
    "max_presences": None,
    "max_stage_video_channel_users": 50,
    "nsfw": False,
}


class GuildRoutes:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.state = ctx.state

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        g, c, u = ID % "guild_id", ID % "channel_id", ID % "user_id"
        add = router.add_route
        add("GET", f"{prefix}/gateway", self.get_gateway)
        add("GET", f"{prefix}/gateway/bot", self.get_gateway_bot)
        add("GET", f"{prefix}/users/@me", self.get_me)
        add("PATCH", f"{prefix}/users/@me", self.get_me)
        add("GET", f"{prefix}/users/@me/guilds", self.my_guilds)
        add("POST", f"{prefix}/users/@me/channels", self.create_dm)
        add("GET", f"{prefix}/users/{u}", self.get_user)
        add("GET", f"{prefix}/applications/@me", self.get_application)
        add("GET", f"{prefix}/oauth2/applications/@me", self.get_application)
        add("GET", f"{prefix}/guilds/{g}", self.get_guild)
        add("GET", f"{prefix}/guilds/{g}/channels", self.guild_channels)
        add("GET", f"{prefix}/guilds/{g}/threads/active", self.active_threads)
        add("GET", f"{prefix}/guilds/{g}/roles", self.guild_roles)
        add("GET", f"{prefix}/guilds/{g}/roles/{ID % 'role_id'}", self.guild_role)
        add("GET", f"{prefix}/guilds/{g}/members", self.guild_members)
        add("GET", f"{prefix}/guilds/{g}/members/{u}", self.guild_member)
        add("PATCH", f"{prefix}/guilds/{g}/members/{u}", self.edit_member)
        add("GET", f"{prefix}/channels/{c}", self.get_channel)
        add("PATCH", f"{prefix}/channels/{c}", self.edit_channel)

    # --- gateway, users, application ------------------------------------------------------

    async def get_gateway(self, request: web.Request) -> web.Response:
        return ok({"url": self.ctx.gateway_url()})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return ok(
            {
                "url": self.ctx.gateway_url(),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_me(self, request: web.Request) -> web.Response:
        me = user_json(self.state.bot)
        me.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        return ok(me)

    async def get_user(self, request: web.Request) -> web.Response:
        return ok(user_json(self.state.user(snowflake(request, "user_id"))))

    async def get_application(self, request: web.Request) -> web.Response:
        bot = self.state.bot
        owner = next((u for u in self.state.users.values() if not u.bot), bot)
        return ok(
            {
                "id": str(self.state.application_id),
                "name": bot.username,
                "icon": None,
                "description": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user_json(owner),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.ctx.gateway.app_flags(),
                "flags_new": str(self.ctx.gateway.app_flags()),
                "bot": user_json(bot),
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "redirect_uris": [],
                "tags": [],
                "approximate_guild_count": len(self.state.guilds),
                "approximate_user_install_count": 0,
                "approximate_user_authorization_count": 0,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
            }
        )

    async def my_guilds(self, request: web.Request) -> web.Response:
        bot = self.state.bot.id
        return ok(
            [
                {"id": str(g.id), "name": g.name, "icon": None, "owner": False, "features": []}
                for g in self.state.guilds.values()
                if bot in g.members
            ]
        )

    async def create_dm(self, request: web.Request) -> web.Response:
        recipient = int(json_of(request).get("recipient_id", 0))
        return ok(channel_json(self.state, self.state.dm_channel(recipient)))

    # --- guild reads ------------------------------------------------------------------------

    def _bot_guild(self, request: web.Request) -> Any:
        guild = self.state.guild(snowflake(request, "guild_id"))
        if self.state.bot.id not in guild.members:
            raise unknown("Guild")
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        data = guild_json(self.state, self._bot_guild(request))
        for key in GATEWAY_ONLY:
            data.pop(key, None)
        data.update(REST_GUILD_EXTRAS)
        return ok(data)

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self._bot_guild(request)
        chans = self.state.guild_channels(guild.id, threads=False)
        return ok([channel_json(self.state, c) for c in chans])

    async def active_threads(self, request: web.Request) -> web.Response:
        guild = self._bot_guild(request)
        threads = [c for c in self.state.guild_channels(guild.id, threads=True) if not c.archived]
        return ok(
            {
                "threads": [channel_json(self.state, t) for t in threads],
                "members": [],
                "has_more": False,
            }
        )

    async def guild_roles(self, request: web.Request) -> web.Response:
        return ok([role_json(r) for r in self._bot_guild(request).roles.values()])

    async def guild_role(self, request: web.Request) -> web.Response:
        role = self._bot_guild(request).roles.get(snowflake(request, "role_id"))
        if role is None:
            raise unknown("Role")
        return ok(role_json(role))

    async def guild_members(self, request: web.Request) -> web.Response:
        guild = self._bot_guild(request)
        limit = min(int(request.query.get("limit", 1)), 1000)
        after = int(request.query.get("after", 0))
        members = sorted(guild.members.values(), key=lambda m: m.user_id)
        picked = [m for m in members if m.user_id > after][:limit]
        return ok([member_json(self.state, m) for m in picked])

    async def guild_member(self, request: web.Request) -> web.Response:
        guild = self._bot_guild(request)
        return ok(
            member_json(self.state, self.state.member(guild.id, snowflake(request, "user_id")))
        )

    # --- writes -----------------------------------------------------------------------------

    async def edit_member(self, request: web.Request) -> web.Response:
        guild = self._bot_guild(request)
        member = self.state.member(guild.id, snowflake(request, "user_id"))
        changes = json_of(request)
        bot_perms = compute_permissions(guild, guild.members[self.state.bot.id], None)
        if "communication_disabled_until" in changes:
            target_perms = compute_permissions(guild, member, None)
            if not bot_perms & Perm.MODERATE_MEMBERS or target_perms & Perm.ADMINISTRATOR:
                raise missing_permissions()
            member.communication_disabled_until = changes["communication_disabled_until"]
        if "roles" in changes:
            if not bot_perms & Perm.MANAGE_ROLES:
                raise missing_permissions()
            member.roles = [int(r) for r in changes["roles"]]
        if "nick" in changes:
            member.nick = changes["nick"]
        self.ctx.record(
            MemberUpdateRecord(
                guild_id=guild.id, user_id=member.user_id, changes=changes, received_at=time.time()
            )
        )
        data = {**member_json(self.state, member), "guild_id": str(guild.id)}
        self.ctx.gateway.dispatch("GUILD_MEMBER_UPDATE", data, intent=Intent.GUILD_MEMBERS)
        return ok(member_json(self.state, member))

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        if channel.guild_id is not None:
            self.state.require(self.state.bot.id, channel, Perm.VIEW_CHANNEL)
        return ok(channel_json(self.state, channel))

    async def edit_channel(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        changes = json_of(request)
        bot = self.state.bot.id
        if channel.is_thread and channel.owner_id != bot:
            self.state.require(bot, channel, Perm.MANAGE_THREADS)
        elif not channel.is_thread:
            self.state.require(bot, channel, Perm.MANAGE_CHANNELS)
        slowmode = changes.get("rate_limit_per_user")
        if slowmode is not None and not 0 <= int(slowmode) <= 21600:
            raise invalid_form_body(
                {
                    "rate_limit_per_user": field_error(
                        "NUMBER_TYPE_MAX", "int value should be less than or equal to 21600."
                    )
                }
            )
        self._apply_channel_changes(channel, changes)
        self.ctx.record(
            ChannelUpdateRecord(channel_id=channel.id, changes=changes, received_at=time.time())
        )
        self.ctx.ops.channel_updated(channel)
        return ok(channel_json(self.state, channel))

    @staticmethod
    def _apply_channel_changes(channel: Any, changes: dict[str, Any]) -> None:
        simple = ("name", "topic", "position", "parent_id", "archived", "locked")
        for key in simple:
            if key in changes:
                setattr(channel, key, changes[key])
        if changes.get("rate_limit_per_user") is not None:
            channel.rate_limit_per_user = int(changes["rate_limit_per_user"])
        if "auto_archive_duration" in changes:
            channel.auto_archive_duration = int(changes["auto_archive_duration"])
        if changes.get("permission_overwrites") is not None:
            channel.overwrites = [
                Overwrite(int(o["id"]), int(o["type"]), int(o["allow"]), int(o["deny"]))
                for o in changes["permission_overwrites"]
            ]
        if not channel.name:
            raise DiscordError(400, 50035, "Invalid Form Body")
