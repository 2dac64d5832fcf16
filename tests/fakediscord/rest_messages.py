"""REST: channel messages — create (JSON or multipart, enforce_nonce), edit, delete, history,
fetch, bulk delete, typing, and attachment downloads."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .context import Ctx
from .errors import DiscordError, field_error, invalid_form_body, missing_permissions, unknown
from .gateway import CONTENT_FIELDS, Intent
from .http_util import api_path, body_of, no_content, ok, snowflake
from .limits import validate_message
from .model import Channel, Message, Perm
from .payloads import message_json
from .records import DeleteRecord, EditRecord, PostRecord

CHANNEL = r"/channels/{channel_id:\d+}"
MESSAGE = CHANNEL + r"/messages/{message_id:\d+}"


class MessageRoutes:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.state = ctx.state
        self.posts_by_message: dict[int, PostRecord] = {}

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        add = router.add_route
        add("POST", prefix + CHANNEL + "/messages", self.create)
        add("GET", prefix + CHANNEL + "/messages", self.history)
        add("POST", prefix + CHANNEL + "/messages/bulk-delete", self.bulk_delete)
        add("GET", prefix + MESSAGE, self.fetch)
        add("PATCH", prefix + MESSAGE, self.edit)
        add("DELETE", prefix + MESSAGE, self.delete)
        add("POST", prefix + CHANNEL + "/typing", self.typing)
        add("GET", r"/attachments/{channel_id:\d+}/{attachment_id:\d+}/{filename}", self.download)

    # --- helpers ----------------------------------------------------------------------------

    def visible(self, message: Message) -> dict[str, Any]:
        """Message JSON as the bot may see it over REST: content fields are empty unless the
        app has the Message Content intent, or the message is the bot's, a DM or mentions it."""
        data = message_json(self.state, message)
        bot = self.state.bot.id
        exempt = message.guild_id is None or message.author_id == bot or bot in message.mention_ids
        if not exempt and not self.ctx.gateway.privileged_intents & Intent.MESSAGE_CONTENT:
            data.update(CONTENT_FIELDS)
        return data

    def check_send(self, channel: Channel, *, files: bool) -> None:
        if channel.forbid_sends:
            raise missing_permissions()
        if channel.guild_id is None:
            return
        bot = self.state.bot.id
        need = Perm.SEND_MESSAGES_IN_THREADS if channel.is_thread else Perm.SEND_MESSAGES
        if files:
            need |= Perm.ATTACH_FILES
        self.state.require(bot, channel, need)
        manages_threads = self.state.permissions(bot, channel) & Perm.MANAGE_THREADS
        if channel.is_thread and channel.locked and not manages_threads:
            raise DiscordError(403, 50083, "Thread is archived")

    def _check_reference(self, channel: Channel, ref: dict[str, Any] | None) -> None:
        if not ref or ref.get("fail_if_not_exists") is False:
            return
        target = self.state.messages.get(int(ref.get("message_id") or 0))
        ref_channel = int(ref.get("channel_id") or channel.id)
        if target is None or target.deleted or target.channel_id != ref_channel:
            raise invalid_form_body(
                {
                    "message_reference": field_error(
                        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                    )
                }
            )

    def _readable(self, request: web.Request) -> tuple[Channel, bool]:
        channel = self.state.channel(snowflake(request, "channel_id"))
        if channel.guild_id is None:
            return channel, True
        self.state.require(self.state.bot.id, channel, Perm.VIEW_CHANNEL)
        perms = self.state.permissions(self.state.bot.id, channel)
        return channel, bool(perms & Perm.READ_MESSAGE_HISTORY)

    # --- handlers ---------------------------------------------------------------------------

    async def create(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        body = body_of(request)
        payload: dict[str, Any] = body.json if isinstance(body.json, dict) else {}
        bot = self.state.bot.id
        self.check_send(channel, files=bool(body.files))
        validate_message(payload, new_files=len(body.files))
        failures = self.ctx.faults.take_failures("POST", api_path(request), body.digest)
        if payload.get("enforce_nonce"):
            earlier = self.state.nonce_hit(bot, payload.get("nonce"))
            if earlier is not None:
                record = self.posts_by_message.get(earlier.id)
                if record is not None:
                    record.duplicates += 1
                    record.attempts += failures
                return ok(message_json(self.state, earlier))
        self._check_reference(channel, payload.get("message_reference"))
        message = self.ctx.ops.create_message(channel, bot, payload, body.files)
        self.state.remember_nonce(bot, message.nonce, message.id)
        dm_recipient = next((u for u in channel.recipient_ids if u != bot), None)
        record = PostRecord(
            message_id=message.id,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            thread_id=channel.id if channel.is_thread else None,
            parent_channel_id=channel.parent_id
            if channel.is_thread and channel.parent_id
            else channel.id,
            dm_recipient_id=dm_recipient,
            content=message.content,
            embeds=message.embeds,
            attachments=self.ctx.ops.to_attachment_records(message.attachments),
            allowed_mentions=payload.get("allowed_mentions"),
            nonce=message.nonce,
            message_reference=payload.get("message_reference"),
            components=message.components,
            flags=message.flags,
            received_at=time.time(),
            attempts=1 + failures,
            payload=payload,
        )
        self.posts_by_message[message.id] = record
        self.ctx.record(record)
        return ok(message_json(self.state, message))

    async def edit(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        message = self.state.message(channel.id, snowflake(request, "message_id"))
        body = body_of(request)
        payload: dict[str, Any] = body.json if isinstance(body.json, dict) else {}
        if message.author_id != self.state.bot.id and set(payload) - {"flags"}:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        if channel.is_thread and channel.archived:  # archived threads are immutable
            raise DiscordError(400, 50083, "Thread is archived")
        validate_message(payload, new_files=len(body.files), require_body=False)
        self.ctx.ops.edit_message(message, payload, body.files)
        self.ctx.record(
            EditRecord(
                message_id=message.id,
                channel_id=channel.id,
                content=payload.get("content") if "content" in payload else None,
                embeds=payload.get("embeds") if "embeds" in payload else None,
                components=payload.get("components") if "components" in payload else None,
                attachments=(
                    self.ctx.ops.to_attachment_records(message.attachments)
                    if "attachments" in payload or body.files
                    else None
                ),
                received_at=time.time(),
                payload=payload,
            )
        )
        return ok(message_json(self.state, message))

    async def delete(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        message = self.state.message(channel.id, snowflake(request, "message_id"))
        self._may_delete(channel, message)
        self.ctx.ops.delete_message(message)
        self._record_delete(channel, message)
        return no_content()

    def _may_delete(self, channel: Channel, message: Message) -> None:
        bot = self.state.bot.id
        if message.author_id != bot and channel.guild_id is not None:
            self.state.require(bot, channel, Perm.MANAGE_MESSAGES)
        elif message.author_id != bot:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")

    def _record_delete(self, channel: Channel, message: Message) -> None:
        self.ctx.record(
            DeleteRecord(
                message_id=message.id,
                channel_id=channel.id,
                author_id=message.author_id,
                content=message.content,
                received_at=time.time(),
            )
        )

    async def bulk_delete(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        ids = [int(i) for i in (body_of(request).json or {}).get("messages", [])]
        if not 2 <= len(ids) <= 100:
            raise invalid_form_body(
                {"messages": field_error("BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100.")}
            )
        self.state.require(self.state.bot.id, channel, Perm.MANAGE_MESSAGES)
        messages = [self.state.message(channel.id, message_id) for message_id in ids]
        for message in messages:
            self._may_delete(channel, message)
        self.ctx.ops.delete_messages(channel, messages)  # one MESSAGE_DELETE_BULK
        for message in messages:
            self._record_delete(channel, message)
        return no_content()

    async def history(self, request: web.Request) -> web.Response:
        channel, can_read = self._readable(request)
        q = request.query
        limit = int(q.get("limit", 50))
        if not 1 <= limit <= 100:
            raise invalid_form_body(
                {"limit": field_error("NUMBER_TYPE_MAX", "int value should be between 1 and 100.")}
            )
        if not can_read:
            return ok([])
        picked = self.state.history(
            channel.id,
            limit=limit,
            before=int(q["before"]) if "before" in q else None,
            after=int(q["after"]) if "after" in q else None,
            around=int(q["around"]) if "around" in q else None,
        )
        return ok([self.visible(m) for m in picked])

    async def fetch(self, request: web.Request) -> web.Response:
        channel = self.state.channel(snowflake(request, "channel_id"))
        if channel.guild_id is not None:  # one message needs Read Message History: 403 without
            self.state.require(
                self.state.bot.id, channel, Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY
            )
        message = self.state.message(channel.id, snowflake(request, "message_id"))
        if message.ephemeral:
            raise unknown("Message")
        return ok(self.visible(message))

    async def typing(self, request: web.Request) -> web.Response:
        self.state.channel(snowflake(request, "channel_id"))
        return no_content()

    async def download(self, request: web.Request) -> web.Response:
        message_atts = (
            a
            for m in self.state.messages.values()
            if m.channel_id == snowflake(request, "channel_id")
            for a in m.attachments
        )
        wanted = snowflake(request, "attachment_id")
        option_att = self.state.option_attachments.get(wanted)
        for att in [option_att] if option_att is not None else message_atts:
            if att.id == wanted:
                ctype = att.content_type or "application/octet-stream"
                return web.Response(body=att.content, headers={"Content-Type": ctype})
        raise web.HTTPNotFound()
