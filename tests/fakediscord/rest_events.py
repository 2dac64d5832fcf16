"""REST: guild scheduled events (create, modify, list, get, delete).

Discord's rules for changes: a finished (completed or canceled) event cannot change (180000);
the start time moves only while the event is scheduled, and only to the future; statuses go
scheduled -> active -> completed and scheduled -> canceled. An external event also starts and
ends by itself at its scheduled times (`advance`, applied whenever the event is looked at, and
recorded with ``op="auto"``)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aiohttp import web

from .context import Ctx
from .errors import DiscordError, field_error, invalid_form_body, missing_permissions, unknown
from .gateway import Intent
from .http_util import json_of, no_content, ok, snowflake
from .model import Guild, Perm, compute_permissions
from .payloads import user_json
from .records import ScheduledEventRecord

EXTERNAL = 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
# allowed status transitions: scheduled -> active|canceled, active -> completed
TRANSITIONS = {SCHEDULED: {ACTIVE, CANCELED}, ACTIVE: {COMPLETED}}
FINISHED = DiscordError(400, 180000, "Cannot update a finished event")
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


def publish(
    ctx: Ctx,
    guild: Guild,
    op: str,
    event: dict[str, Any],
    changes: dict[str, Any],
    *,
    record: bool = True,
) -> None:
    """Record the change (create, modify, delete, auto) and tell the gateway. A change a
    person makes in Discord's app is not recorded: the records are the bot's doing (and
    Discord's own, op "auto")."""
    if record:
        ctx.record(
            ScheduledEventRecord(
                op=op,
                event_id=int(event["id"]),
                guild_id=guild.id,
                event=dict(event),
                changes=changes,
                received_at=time.time(),
            )
        )
    intent = Intent.GUILD_SCHEDULED_EVENTS
    if op == "delete":
        ctx.gateway.dispatch("GUILD_SCHEDULED_EVENT_DELETE", dict(event), intent=intent)
    elif op == "create":
        ctx.gateway.dispatch("GUILD_SCHEDULED_EVENT_CREATE", dict(event), intent=intent)
    else:
        ctx.gateway.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", dict(event), intent=intent)


def advance(ctx: Ctx, guild: Guild, event: dict[str, Any]) -> None:
    """An external event starts at its scheduled start and ends at its scheduled end by itself
    (Discord's documented behaviour), whether or not anyone changes its status."""
    if event.get("entity_type") != EXTERNAL:
        return
    now, before = time.time(), event["status"]
    if event["status"] == SCHEDULED and _parse(event["scheduled_start_time"]) <= now:
        event["status"] = ACTIVE
    end = event.get("scheduled_end_time")
    if event["status"] == ACTIVE and end and _parse(end) <= now:
        event["status"] = COMPLETED
    if event["status"] != before:
        publish(ctx, guild, "auto", event, {"status": event["status"]})


def advance_all(ctx: Ctx, guild: Guild) -> None:
    for event in list(guild.scheduled_events.values()):
        advance(ctx, guild, event)


def find_event(ctx: Ctx, event_id: int) -> tuple[Guild, dict[str, Any]]:
    for guild in ctx.state.guilds.values():
        event = guild.scheduled_events.get(event_id)
        if event is not None:
            advance(ctx, guild, event)
            return guild, event
    raise unknown("Guild Scheduled Event")


def check_change(event: dict[str, Any], changes: dict[str, Any]) -> None:
    """Discord's rules for changing an existing event (see the module doc)."""
    if event["status"] in (COMPLETED, CANCELED):
        raise FINISHED
    status = changes.get("status")
    allowed = TRANSITIONS.get(event["status"], set())
    if status is not None and status != event["status"] and status not in allowed:
        raise invalid_form_body(
            {"status": field_error("INVALID_STATUS", "Cannot transition to that status.")}
        )
    start = changes.get("scheduled_start_time")
    if start is not None and _parse(start) != _parse(event["scheduled_start_time"]):
        if event["status"] != SCHEDULED:
            raise invalid_form_body(
                {
                    "scheduled_start_time": field_error(
                        "GUILD_SCHEDULED_EVENT_CANNOT_UPDATE_START_TIME",
                        "Cannot update the start time of an event that has started.",
                    )
                }
            )
        if _parse(start) < time.time():
            raise invalid_form_body(
                {
                    "scheduled_start_time": field_error(
                        "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
                        "Cannot schedule event in the past.",
                    )
                }
            )


def validate(event: dict[str, Any], *, creating: bool) -> None:
    """The fields every event needs (external: location and end), start before end."""
    errors: dict[str, Any] = {}
    if not event.get("name"):
        errors["name"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
    start = event.get("scheduled_start_time")
    if not start:
        errors["scheduled_start_time"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
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
        advance(self.ctx, guild, event)
        return event

    async def list_events(self, request: web.Request) -> web.Response:
        guild = self._guild(request, write=False)
        advance_all(self.ctx, guild)
        return ok(list(guild.scheduled_events.values()))

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
        validate(event, creating=True)
        guild.scheduled_events[int(event["id"])] = event
        self._after(guild, "create", event, body)
        return ok(event)

    async def modify_event(self, request: web.Request) -> web.Response:
        guild = self._guild(request, write=True)
        event = self._event(guild, request)
        changes = json_of(request)
        check_change(event, changes)
        updated = {**event, **{k: v for k, v in changes.items() if k in EDITABLE}}
        validate(updated, creating=False)
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
        publish(self.ctx, guild, op, event, changes)
