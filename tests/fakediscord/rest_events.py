"""REST: guild scheduled events (create, modify, list, get, delete)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aiohttp import web

from .context import Ctx
from .errors import field_error, invalid_form_body, missing_permissions, unknown
from .gateway import Intent
from .http_util import json_of, no_content, ok, snowflake
from .model import Guild, Perm, compute_permissions
from .payloads import user_json
from .records import ScheduledEventRecord

EXTERNAL = 3
# allowed status transitions: scheduled -> active|canceled, active -> completed
TRANSITIONS = {1: {2, 4}, 2: {3}}
EDITABLE = (
    "name",
    "description",
    "scheduled_start_time",
    "scheduled_end_time",
    "privacy_level",
    "entity_type",
    "entity_metadata",
    "channel_id",
    "status",
    "image",
)


def _parse(ts: str) -> float:
    return dt.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


class EventRoutes:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.state = ctx.state

    def register(self, router: web.UrlDispatcher, prefix: str) -> None:
        base = prefix + r"/guilds/{guild_id:\d+}/scheduled-events"
        one = base + r"/{event_id:\d+}"
        router.add_route("GET", base, self.list_events)
        router.add_route("POST", base, self.create_event)
        router.add_route("GET", one, self.get_event)
        router.add_route("PATCH", one, self.modify_event)
        router.add_route("DELETE", one, self.delete_event)

    def _guild(self, request: web.Request, *, write: bool) -> Guild:
        guild = self.state.guild(snowflake(request, "guild_id"))
        me = guild.members.get(self.state.bot.id)
        if me is None:
            raise unknown("Guild")
        if write and not compute_permissions(guild, me, None) & (
            Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS
        ):
            raise missing_permissions()
        return guild

    def _event(self, guild: Guild, request: web.Request) -> dict[str, Any]:
        event = guild.scheduled_events.get(snowflake(request, "event_id"))
        if event is None:
            raise unknown("Guild Scheduled Event")
        return event

    @staticmethod
    def _validate(event: dict[str, Any], *, creating: bool) -> None:
        errors: dict[str, Any] = {}
        if not event.get("name"):
            errors["name"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
        start = event.get("scheduled_start_time")
        if not start:
            errors["scheduled_start_time"] = field_error(
                "BASE_TYPE_REQUIRED", "This field is required"
            )
        elif creating and _parse(start) < time.time():
            errors["scheduled_start_time"] = field_error(
                "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
                "Cannot schedule event in the past.",
            )
        if event.get("entity_type") == EXTERNAL:
            if not (event.get("entity_metadata") or {}).get("location"):
                errors["entity_metadata"] = {
                    "location": field_error("BASE_TYPE_REQUIRED", "This field is required")
                }
            if not event.get("scheduled_end_time"):
                errors["scheduled_end_time"] = field_error(
                    "BASE_TYPE_REQUIRED", "This field is required"
                )
        end = event.get("scheduled_end_time")
        if start and end and _parse(end) <= _parse(start):
            errors["scheduled_end_time"] = field_error(
                "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End time must be after start time."
            )
        if errors:
            raise invalid_form_body(errors)

    async def list_events(self, request: web.Request) -> web.Response:
        return ok(list(self._guild(request, write=False).scheduled_events.values()))

    async def get_event(self, request: web.Request) -> web.Response:
        guild = self._guild(request, write=False)
        return ok(self._event(guild, request))

    async def create_event(self, request: web.Request) -> web.Response:
        guild = self._guild(request, write=True)
        body = json_of(request)
        bot = self.state.bot
        event: dict[str, Any] = {
            "id": str(self.state.new_id()),
            "guild_id": str(guild.id),
            "channel_id": body.get("channel_id"),
            "creator_id": str(bot.id),
            "creator": user_json(bot),
            "name": body.get("name"),
            "description": body.get("description"),
            "scheduled_start_time": body.get("scheduled_start_time"),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level", 2),
            "status": 1,
            "entity_type": body.get("entity_type", EXTERNAL),
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata"),
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
        }
        self._validate(event, creating=True)
        guild.scheduled_events[int(event["id"])] = event
        self._after(guild, "create", event, body)
        return ok(event)

    async def modify_event(self, request: web.Request) -> web.Response:
        guild = self._guild(request, write=True)
        event = self._event(guild, request)
        changes = json_of(request)
        status = changes.get("status")
        allowed = TRANSITIONS.get(event["status"], set())
        if status is not None and status != event["status"] and status not in allowed:
            raise invalid_form_body(
                {"status": field_error("INVALID_STATUS", "Cannot transition to that status.")}
            )
        updated = {**event, **{k: v for k, v in changes.items() if k in EDITABLE}}
        self._validate(updated, creating=False)
        event.update(updated)
        self._after(guild, "modify", event, changes)
        return ok(event)

    async def delete_event(self, request: web.Request) -> web.Response:
        guild = self._guild(request, write=True)
        event = self._event(guild, request)
        del guild.scheduled_events[int(event["id"])]
        self._after(guild, "delete", event, {})
        return no_content()

    def _after(self, guild: Guild, op: str, event: dict[str, Any], changes: dict[str, Any]) -> None:
        self.ctx.record(
            ScheduledEventRecord(
                op=op,
                event_id=int(event["id"]),
                guild_id=guild.id,
                event=dict(event),
                changes=changes,
                received_at=time.time(),
            )
        )
        name = {"create": "CREATE", "modify": "UPDATE", "delete": "DELETE"}[op]
        self.ctx.gateway.dispatch(
            f"GUILD_SCHEDULED_EVENT_{name}", dict(event), intent=Intent.GUILD_SCHEDULED_EVENTS
        )
