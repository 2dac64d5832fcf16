"""REST: reactions, pins and threads."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .context import Ctx
from .errors import DiscordError, missing_permissions
from .gateway import Intent
from .http_util import json_of, no_content, ok, snowflake
from .ids import iso
from .model import Channel, ChannelType, Message, Perm
from .payloads import channel_json, message_json, user_json
from .records import PinRecord, ReactionRecord, ThreadRecord

CHANNEL = r"/channels/{channel_id:\d+}"
MESSAGE = CHANNEL + r"/messages/{message_id:\d+}"
REACTIONS = MESSAGE + "/reactions"


class ChannelExtraRoutes:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.state = ctx.state
        self.pinned_at: dict[int, float] = {}

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        add = router.add_route
        add("PUT", prefix + REACTIONS + "/{emoji}/@me", self.add_own_reaction)
        add("DELETE", prefix + REACTIONS + "/{emoji}/@me", self.remove_own_reaction)
        add("DELETE", prefix + REACTIONS + r"/{emoji}/{user_id:\d+}", self.remove_user_reaction)
        add("GET", prefix + REACTIONS + "/{emoji}", self.reaction_users)
        add("DELETE", prefix + REACTIONS + "/{emoji}", self.clear_emoji)
        add("DELETE", prefix + REACTIONS, self.clear_all)
        for pins in (CHANNEL + "/messages/pins", CHANNEL + "/pins"):
            add("PUT", prefix + pins + r"/{message_id:\d+}", self.pin)
            add("DELETE", prefix + pins + r"/{message_id:\d+}", self.unpin)
        add("GET", prefix + CHANNEL + "/messages/pins", self.list_pins)
        add("GET", prefix + CHANNEL + "/pins", self.list_pins_legacy)
        add("POST", prefix + MESSAGE + "/threads", self.thread_from_message)
        add("POST", prefix + CHANNEL + "/threads", self.thread_without_message)
        add("PUT", prefix + CHANNEL + "/thread-members/{user}", self.join_thread)
        add("DELETE", prefix + CHANNEL + "/thread-members/{user}", self.leave_thread)
        add("GET", prefix + CHANNEL + "/thread-members", self.thread_members)
        add("GET", prefix + CHANNEL + "/threads/archived/public", self.archived_threads)

    def _message(self, request: web.Request) -> tuple[Channel, Message]:
        channel = self.state.channel(snowflake(request, "channel_id"))
        return channel, self.state.message(channel.id, snowflake(request, "message_id"))

    def _require(self, channel: Channel, perms: int) -> None:
        if channel.guild_id is not None:
            self.state.require(self.state.bot.id, channel, perms)

    # --- reactions --------------------------------------------------------------------------

    async def add_own_reaction(self, request: web.Request) -> web.Response:
        channel, message = self._message(request)
        emoji = request.match_info["emoji"]
        need = Perm.READ_MESSAGE_HISTORY
        if not message.reactions.get(emoji):
            need |= Perm.ADD_REACTIONS
        self._require(channel, need)
        if self.ctx.ops.add_reaction(message, self.state.bot.id, emoji):
            self._record_reaction("add", message, emoji)
        return no_content()

    async def remove_own_reaction(self, request: web.Request) -> web.Response:
        _, message = self._message(request)
        emoji = request.match_info["emoji"]
        if self.ctx.ops.remove_reaction(message, self.state.bot.id, emoji):
            self._record_reaction("remove", message, emoji)
        return no_content()

    async def remove_user_reaction(self, request: web.Request) -> web.Response:
        channel, message = self._message(request)
        self._require(channel, Perm.MANAGE_MESSAGES)
        emoji = request.match_info["emoji"]
        if self.ctx.ops.remove_reaction(message, snowflake(request, "user_id"), emoji):
            self._record_reaction("remove_user", message, emoji)
        return no_content()

    async def reaction_users(self, request: web.Request) -> web.Response:
        _, message = self._message(request)
        limit = int(request.query.get("limit", 25))
        after = int(request.query.get("after", 0))
        users = sorted(message.reactions.get(request.match_info["emoji"], []))
        picked = [u for u in users if u > after][:limit]
        return ok([user_json(self.state.user(u)) for u in picked])

    async def clear_emoji(self, request: web.Request) -> web.Response:
        channel, message = self._message(request)
        self._require(channel, Perm.MANAGE_MESSAGES)
        emoji = request.match_info["emoji"]
        for user_id in list(message.reactions.get(emoji, [])):
            self.ctx.ops.remove_reaction(message, user_id, emoji)
        self._record_reaction("clear", message, emoji)
        return no_content()

    async def clear_all(self, request: web.Request) -> web.Response:
        channel, message = self._message(request)
        self._require(channel, Perm.MANAGE_MESSAGES)
        for emoji, users in list(message.reactions.items()):
            for user_id in list(users):
                self.ctx.ops.remove_reaction(message, user_id, emoji)
        self._record_reaction("clear", message, "*")
        return no_content()

    def _record_reaction(self, op: str, message: Message, emoji: str) -> None:
        self.ctx.record(
            ReactionRecord(
                op=op,
                channel_id=message.channel_id,
                message_id=message.id,
                emoji=emoji,
                received_at=time.time(),
            )
        )

    # --- pins -------------------------------------------------------------------------------

    async def pin(self, request: web.Request) -> web.Response:
        return self._set_pinned(request, True)

    async def unpin(self, request: web.Request) -> web.Response:
        return self._set_pinned(request, False)

    def _set_pinned(self, request: web.Request, pinned: bool) -> web.Response:
        channel, message = self._message(request)
        if channel.guild_id is not None:
            perms = self.state.permissions(self.state.bot.id, channel)
            if not perms & (Perm.MANAGE_MESSAGES | Perm.PIN_MESSAGES):
                raise missing_permissions()
        message.pinned = pinned
        if pinned:
            self.pinned_at[message.id] = time.time()
        else:
            self.pinned_at.pop(message.id, None)
        self.ctx.record(
            PinRecord(
                op="pin" if pinned else "unpin",
                channel_id=channel.id,
                message_id=message.id,
                received_at=time.time(),
            )
        )
        data: dict[str, Any] = {
            "channel_id": str(channel.id),
            "last_pin_timestamp": iso(time.time()),
        }
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        self.ctx.gateway.dispatch("CHANNEL_PINS_UPDATE", data, intent=Intent.GUILDS)
        return no_content()

    def _pinned(self, channel: Channel) -> list[Message]:
        msgs = [m for m in self.state.live_messages(channel.id) if m.pinned]
        return sorted(msgs, key=lambda m: self.pinned_at.get(m.id, 0.0), reverse=True)

    async def list_pins(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        items = [
            {
                "pinned_at": iso(self.pinned_at.get(m.id, m.created_at)),
                "message": message_json(self.state, m),
            }
            for m in self._pinned(channel)
        ]
        return ok({"items": items, "has_more": False})

    async def list_pins_legacy(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        return ok([message_json(self.state, m) for m in self._pinned(channel)])

    # --- threads ----------------------------------------------------------------------------

    async def thread_from_message(self, request: web.Request) -> web.Response:
        channel, message = self._message(request)
        if channel.is_thread or channel.guild_id is None:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self._require(channel, Perm.CREATE_PUBLIC_THREADS)
        if message.thread_id is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        body = json_of(request)
        thread = self.ctx.ops.create_thread(
            channel,
            str(body.get("name") or "thread"),
            self.state.bot.id,
            message=message,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        self._record_thread(thread, message.id)
        return ok(channel_json(self.state, thread), status=201)

    async def thread_without_message(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        body = json_of(request)
        kind = ChannelType(int(body.get("type") or ChannelType.PRIVATE_THREAD))
        need = (
            Perm.CREATE_PRIVATE_THREADS
            if kind == ChannelType.PRIVATE_THREAD
            else Perm.CREATE_PUBLIC_THREADS
        )
        self._require(channel, need)
        thread = self.ctx.ops.create_thread(
            channel,
            str(body.get("name") or "thread"),
            self.state.bot.id,
            type=kind,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        self._record_thread(thread, None)
        return ok(channel_json(self.state, thread), status=201)

    def _record_thread(self, thread: Channel, message_id: int | None) -> None:
        self.ctx.record(
            ThreadRecord(
                thread_id=thread.id,
                parent_id=thread.parent_id or 0,
                name=thread.name,
                type=int(thread.type),
                message_id=message_id,
                received_at=time.time(),
            )
        )

    def _thread_user(self, request: web.Request) -> tuple[Channel, int]:
        thread = self.state.channel(snowflake(request, "channel_id"))
        user = request.match_info["user"]
        return thread, self.state.bot.id if user == "@me" else int(user)

    async def join_thread(self, request: web.Request) -> web.Response:
        thread, user_id = self._thread_user(request)
        thread.member_ids.add(user_id)
        return no_content()

    async def leave_thread(self, request: web.Request) -> web.Response:
        thread, user_id = self._thread_user(request)
        thread.member_ids.discard(user_id)
        return no_content()

    async def thread_members(self, request: web.Request) -> web.Response:
        thread = self.state.channel(snowflake(request, "channel_id"))
        return ok(
            [
                {
                    "id": str(thread.id),
                    "user_id": str(u),
                    "join_timestamp": iso(thread.created_at),
                    "flags": 0,
                }
                for u in sorted(thread.member_ids)
            ]
        )

    async def archived_threads(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        threads = [
            t
            for t in self.state.guild_channels(channel.guild_id or 0, threads=True)
            if t.parent_id == channel.id and t.archived
        ]
        return ok(
            {
                "threads": [channel_json(self.state, t) for t in threads],
                "members": [],
                "has_more": False,
            }
        )
