"""REST: application commands (bulk overwrite, list, upsert), interaction callbacks and
followups / original-response edits through ``/webhooks/{app_id}/{token}``."""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web

from .context import Ctx
from .errors import DiscordError, field_error, invalid_form_body, unknown
from .http_util import body_of, no_content, ok, snowflake
from .interactions import InteractionBuilder
from .limits import validate_message
from .model import Message
from .payloads import message_json, user_json
from .records import AttachmentRecord, CommandSyncRecord, InteractionResponseRecord
from .state import Interaction

APP = r"/applications/{application_id:\d+}"
WEBHOOK = r"/webhooks/{application_id:\d+}/{token}"
NAME_RE = re.compile(r"^[-_\w]{1,32}$")
EPHEMERAL, LOADING = 64, 128
ALREADY_ACKED = DiscordError(400, 40060, "Interaction has already been acknowledged.")
TOKEN_LIFETIME = 15 * 60.0  # receiving-and-responding.mdx: tokens are valid for 15 minutes


class InteractionRoutes:
    def __init__(
        self,
        ctx: Ctx,
        builder: InteractionBuilder,
        response_timeout: float | None,
        token_lifetime: float = TOKEN_LIFETIME,
    ) -> None:
        self.ctx = ctx
        self.state = ctx.state
        self.builder = builder
        #: seconds for the initial response (Discord: 3), None = no deadline
        self.response_timeout = response_timeout
        #: seconds the interaction token works for followups and edits (Discord: 15 minutes)
        self.token_lifetime = token_lifetime

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        add = router.add_route
        for base in (APP, APP + r"/guilds/{guild_id:\d+}"):
            add("PUT", prefix + base + "/commands", self.bulk_overwrite)
            add("GET", prefix + base + "/commands", self.list_commands)
            add("POST", prefix + base + "/commands", self.upsert_command)
        permissions = prefix + APP + r"/guilds/{guild_id:\d+}/commands"
        add("GET", permissions + "/permissions", self.list_command_permissions)
        add("GET", permissions + r"/{command_id:\d+}/permissions", self.get_command_permissions)
        add("POST", prefix + r"/interactions/{interaction_id:\d+}/{token}/callback", self.callback)
        add("POST", prefix + WEBHOOK, self.followup)
        add("GET", prefix + WEBHOOK + "/messages/{message}", self.get_webhook_message)
        # the answer being edited (a component's message after a deferred update), an operation
        # of its own in the spec: registered before the general route, which would take it too
        add("PATCH", prefix + WEBHOOK + "/messages/@original", self.edit_webhook_message)
        add("PATCH", prefix + WEBHOOK + "/messages/{message}", self.edit_webhook_message)
        add("DELETE", prefix + WEBHOOK + "/messages/{message}", self.delete_webhook_message)

    # --- commands ---------------------------------------------------------------------------

    def _scope(self, request: web.Request) -> int | None:
        if snowflake(request, "application_id") != self.state.application_id:
            raise DiscordError(
                403, 20012, "You are not authorized to perform this action on this application"
            )
        guild_id = request.match_info.get("guild_id")
        if guild_id is not None:
            self.state.guild(int(guild_id))
            return int(guild_id)
        return None

    def _stored(
        self,
        cmd: dict[str, Any],
        guild_id: int | None,
        old: list[dict[str, Any]],
        index: int | None = None,
    ) -> dict[str, Any]:
        kind = cmd.get("type", 1)
        name = cmd.get("name", "")
        errors: dict[str, Any] = {}
        bad_chat_name = kind == 1 and (not NAME_RE.match(name) or name != name.lower())
        if bad_chat_name or not 1 <= len(name) <= 32:
            errors["name"] = field_error(
                "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
            )
        if kind == 1 and not 1 <= len(cmd.get("description") or "") <= 100:
            errors["description"] = field_error(
                "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        if len(cmd.get("options") or []) > 25:
            errors["options"] = field_error(
                "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        if errors:
            raise invalid_form_body({str(index): errors} if index is not None else errors)
        previous = next((c for c in old if c["name"] == name and c.get("type", 1) == kind), None)
        given = {k: v for k, v in cmd.items() if v is not None}  # null means "the default"
        perms = given.get("default_member_permissions")
        if perms is not None:
            given["default_member_permissions"] = str(perms)
        stored = {
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            "description": "",
            "options": [],
            **given,
            "id": previous["id"] if previous else str(self.state.new_id()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.new_id()),
            "type": kind,
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    async def bulk_overwrite(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        body = body_of(request).json or []
        old = self.state.commands_for(guild_id)
        stored = [self._stored(c, guild_id, old, i) for i, c in enumerate(body)]
        if guild_id is None:
            self.state.global_commands = stored
        else:
            self.state.guild_commands[guild_id] = stored
        self.ctx.record(
            CommandSyncRecord(guild_id=guild_id, commands=stored, received_at=time.time())
        )
        return ok(stored)

    async def list_commands(self, request: web.Request) -> web.Response:
        return ok(self.state.commands_for(self._scope(request)))

    async def upsert_command(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        cmd = body_of(request).json or {}
        pool = self.state.commands_for(guild_id)
        stored = self._stored(cmd, guild_id, pool)
        kept = [c for c in pool if c["id"] != stored["id"]] + [stored]
        if guild_id is None:
            self.state.global_commands = kept
        else:
            self.state.guild_commands[guild_id] = kept
        self.ctx.record(
            CommandSyncRecord(guild_id=guild_id, commands=[stored], received_at=time.time())
        )
        return ok(stored, status=201)

    def _permissions_json(self, guild_id: int, target: int) -> dict[str, Any]:
        found = self.state.command_permissions.get(guild_id, {})
        return {
            "id": str(target),
            "application_id": str(self.state.application_id),
            "guild_id": str(guild_id),
            "permissions": found[target],
        }

    async def list_command_permissions(self, request: web.Request) -> web.Response:
        """The overwrites admins set in this guild (an entry per command that has any)."""
        guild_id = self._scope(request)
        assert guild_id is not None
        targets = self.state.command_permissions.get(guild_id, {})
        return ok([self._permissions_json(guild_id, t) for t in targets])

    async def get_command_permissions(self, request: web.Request) -> web.Response:
        guild_id = self._scope(request)
        assert guild_id is not None
        target = snowflake(request, "command_id")
        if target not in self.state.command_permissions.get(guild_id, {}):
            raise DiscordError(404, 10066, "Unknown application command permissions")
        return ok(self._permissions_json(guild_id, target))

    # --- callbacks --------------------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        interaction = self.state.interactions.get(snowflake(request, "interaction_id"))
        if interaction is None or interaction.token != request.match_info["token"]:
            raise unknown("Interaction")
        if (
            self.response_timeout is not None
            and time.time() - interaction.created_at > self.response_timeout
        ):
            raise unknown("Interaction")  # Discord's 3-second window has passed
        if interaction.responded:
            raise ALREADY_ACKED
        body = body_of(request)
        payload = body.json if isinstance(body.json, dict) else {}
        kind = int(payload.get("type", 0))
        data: dict[str, Any] = payload.get("data") or {}
        flags = int(data.get("flags") or 0)
        channel = self.state.channel(interaction.channel_id)
        message: Message | None = None
        if kind == 4:
            validate_message(data, new_files=len(body.files))
            message = self._create(interaction, data, body.files, flags)
        elif kind == 5:
            message = self._create(interaction, {}, [], (flags & EPHEMERAL) | LOADING)
        elif kind in (6, 7):
            if interaction.message_id is None:
                raise DiscordError(400, 40004, "Interaction type does not support this response")
            interaction.original_message_id = interaction.message_id
            message = self.state.any_message(interaction.message_id)
            if kind == 7:
                validate_message(data, new_files=len(body.files), require_body=False)
                self.ctx.ops.edit_message(message, data, body.files)
        elif kind == 9:
            if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                raise invalid_form_body(
                    {"data": field_error("BASE_TYPE_REQUIRED", "This field is required")}
                )
            self.builder.modals[str(data["custom_id"])] = (data, interaction.id)
        elif kind != 8:
            raise DiscordError(400, 50035, "Invalid Form Body")
        interaction.response_type = kind
        interaction.ephemeral = bool((message.flags if message else flags) & EPHEMERAL)
        self._record(interaction, "callback", kind, data, message, channel.id)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        meta: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
        answer: dict[str, Any] = {"interaction": meta}
        if message is not None and kind in (4, 5, 7):
            meta.update(
                response_message_id=str(message.id),
                response_message_loading=kind == 5,
                response_message_ephemeral=message.ephemeral,
            )
        if message is not None and kind in (4, 7):  # docs: a resource message only for these
            answer["resource"] = {"type": kind, "message": message_json(self.state, message)}
        return ok(answer)

    def _create(
        self, interaction: Interaction, data: dict[str, Any], files: list[Any], flags: int
    ) -> Message:
        channel = self.state.channel(interaction.channel_id)
        data = {**data, "flags": flags}
        data.pop("message_reference", None)
        cmd_type = (interaction.payload.get("data") or {}).get("type", 1)
        message = self.ctx.ops.create_message(
            channel,
            self.state.bot.id,
            data,
            files,
            type=(20 if cmd_type == 1 else 23) if interaction.type == 2 else 0,
            webhook_id=self.state.application_id,
            application_id=self.state.application_id,
            interaction_metadata=self._metadata(interaction),
        )
        if interaction.original_message_id is None:
            interaction.original_message_id = message.id
        return message

    def _metadata(self, interaction: Interaction, *, nested: bool = False) -> dict[str, Any]:
        """message.mdx, Message Interaction Metadata Object (by interaction type)."""
        meta: dict[str, Any] = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": user_json(self.state.user(interaction.user_id)),
            "authorizing_integration_owners": interaction.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if interaction.type == 2:
            target = (interaction.payload.get("data") or {}).get("target_id")
            if target is not None:
                command_type = (interaction.payload.get("data") or {}).get("type")
                meta["target_user" if command_type == 2 else "target_message_id"] = (
                    user_json(self.state.user(int(target))) if command_type == 2 else target
                )
        if interaction.type == 3 and interaction.message_id is not None:
            meta["interacted_message_id"] = str(interaction.message_id)
        if interaction.type == 5 and interaction.origin_id is not None and not nested:
            origin = self.state.interactions[interaction.origin_id]
            meta["triggering_interaction_metadata"] = self._metadata(origin, nested=True)
        return meta

    def _record(
        self,
        interaction: Interaction,
        action: str,
        kind: int | None,
        data: dict[str, Any],
        message: Message | None,
        channel_id: int,
    ) -> None:
        atts: list[AttachmentRecord] | None = None
        if message is not None and ("attachments" in data or message.attachments):
            atts = self.ctx.ops.to_attachment_records(message.attachments)
        flags = int(data.get("flags") or (message.flags if message else 0))
        self.ctx.record(
            InteractionResponseRecord(
                interaction_id=interaction.id,
                action=action,
                callback_type=kind,
                content=data.get("content"),
                embeds=data.get("embeds"),
                components=data.get("components"),
                attachments=atts,
                flags=flags,
                ephemeral=bool(flags & EPHEMERAL) or bool(message and message.ephemeral),
                message_id=message.id if message else None,
                channel_id=channel_id,
                received_at=time.time(),
                payload=data,
            )
        )

    # --- followups and webhook messages -----------------------------------------------------

    def _interaction(self, request: web.Request) -> Interaction:
        if snowflake(request, "application_id") != self.state.application_id:
            raise unknown("Webhook")
        interaction = self.state.interaction_by_token(request.match_info["token"])
        if time.time() - interaction.created_at > self.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return interaction

    def _webhook_message(self, interaction: Interaction, ref: str) -> Message:
        if ref == "@original":
            if interaction.original_message_id is None:
                raise unknown("Message")
            return self.state.any_message(interaction.original_message_id)
        message_id = int(ref)
        if (
            message_id != interaction.original_message_id
            and message_id not in interaction.followup_ids
        ):
            raise unknown("Message")
        return self.state.any_message(message_id)

    async def followup(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        if not interaction.responded:
            raise unknown("Webhook")
        body = body_of(request)
        data = body.json if isinstance(body.json, dict) else {}
        validate_message(data, new_files=len(body.files))
        original = self.state.messages.get(interaction.original_message_id or 0)
        if interaction.response_type == 5 and original is not None and original.flags & LOADING:
            # the first followup after a deferral replaces the "thinking..." message
            original.flags &= ~LOADING
            self.ctx.ops.edit_message(original, data, body.files)
            message = original
        else:
            message = self._create(interaction, data, body.files, int(data.get("flags") or 0))
            interaction.followup_ids.append(message.id)
        self._record(interaction, "followup", None, data, message, interaction.channel_id)
        if request.query.get("wait") in ("1", "true", "True"):
            return ok(message_json(self.state, message))
        return no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        message = self._webhook_message(interaction, request.match_info["message"])
        return ok(message_json(self.state, message))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        ref = request.match_info.get("message", "@original")
        message = self._webhook_message(interaction, ref)
        body = body_of(request)
        data = body.json if isinstance(body.json, dict) else {}
        validate_message(data, new_files=len(body.files), require_body=False)
        message.flags &= ~LOADING
        self.ctx.ops.edit_message(message, data, body.files)
        action = "edit_original" if ref == "@original" else "edit_followup"
        self._record(interaction, action, None, data, message, interaction.channel_id)
        return ok(message_json(self.state, message))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._interaction(request)
        ref = request.match_info["message"]
        message = self._webhook_message(interaction, ref)
        self.ctx.ops.delete_message(message)
        action = "delete_original" if ref == "@original" else "delete_followup"
        self._record(interaction, action, None, {}, message, interaction.channel_id)
        return no_content()
