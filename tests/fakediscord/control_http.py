"""The control API over HTTP (JSON under ``/_control``), so another process can drive the fake.

Users, channels and roles may be given by id (number or numeric string) or by name. Errors in
the request (unknown names, unregistered commands...) answer 400 ``{"error": "..."}``.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import DiscordError
from .records import Record
from .state import Interaction

if TYPE_CHECKING:
    from .server import FakeDiscord

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
P = "/_control"


def ref(value: Any) -> Any:
    """JSON ids arrive as strings: numeric strings become ints, names stay names."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def opt_ref(value: Any) -> Any:
    return None if value is None else ref(value)


def interaction_json(interaction: Interaction) -> dict[str, Any]:
    return {"id": str(interaction.id), "token": interaction.token, "type": interaction.type}


def matches(record: Record, criteria: dict[str, Any]) -> bool:
    """``{"channel_id": 1, "content_contains": "Q1"}``: equality, or ``_contains`` substring."""
    for key, expected in criteria.items():
        if key.endswith("_contains"):
            if str(expected) not in str(getattr(record, key.removesuffix("_contains"), "")):
                return False
        elif str(getattr(record, key, None)) != str(expected):
            return False
    return True


class ControlRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: web.UrlDispatcher) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/config", self.config),
            ("POST", "/guilds", self.create_guild),
            ("POST", "/channels", self.add_channel),
            ("POST", "/roles", self.add_role),
            ("POST", "/members", self.add_member),
            ("POST", "/overwrites", self.set_overwrite),
            ("POST", "/forbid-sends", self.forbid_sends),
            ("POST", "/messages", self.post),
            ("POST", "/dms", self.dm_bot),
            ("PATCH", r"/messages/{message_id:\d+}", self.edit),
            ("DELETE", r"/messages/{message_id:\d+}", self.delete),
            ("POST", "/reactions", self.react),
            ("DELETE", "/reactions", self.unreact),
            ("POST", "/threads", self.start_thread),
            ("POST", "/interactions/{kind}", self.interact),
            ("GET", "/actions", self.actions),
            ("GET", "/requests", self.requests),
            ("GET", "/gateway-events", self.gateway_events),
            ("GET", r"/channels/{channel_id:\d+}/messages", self.channel_messages),
            ("GET", "/scheduled-events", self.scheduled_events),
            ("GET", "/commands", self.commands),
            ("POST", "/wait", self.wait),
            ("POST", "/faults", self.fail_next),
            ("DELETE", "/faults", self.clear_faults),
            ("POST", "/delay", self.delay),
            ("POST", "/drop-websocket", self.drop_websocket),
            ("POST", "/invalidate-session", self.invalidate_session),
            ("POST", "/reset-records", self.reset_records),
        ]
        for method, path, handler in routes:
            router.add_route(method, P + path, self._wrap(handler))

    @staticmethod
    def _wrap(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except (ValueError, LookupError, KeyError, TypeError) as exc:
                return web.json_response({"error": str(exc)}, status=400)
            except DiscordError as err:
                return web.json_response({"error": err.message, **err.body()}, status=err.status)
            except TimeoutError as exc:
                return web.json_response({"error": str(exc)}, status=408)

        return wrapped

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        data = await request.json()
        return data if isinstance(data, dict) else {}

    # --- world ------------------------------------------------------------------------------

    async def config(self, request: web.Request) -> web.Response:
        f = self.fake
        return web.json_response(
            {
                "api_base": f.api_base,
                "gateway_url": f.gateway_url,
                "control_url": f.control_url,
                "token": f.token,
                "application_id": str(f.application_id),
                "bot_user_id": str(f.bot_user_id),
                "guilds": [_handle_json(h) for h in f.guilds],
            }
        )

    async def create_guild(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        kwargs = {k: b[k] for k in ("channels", "roles", "members", "bot_permissions") if k in b}
        handle = await self.fake.create_guild(b.get("name", "Fake Guild"), **kwargs)
        return web.json_response(_handle_json(handle))

    async def add_channel(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        channel_id = await self.fake.add_channel(
            b["name"],
            guild=opt_ref(b.get("guild")),
            topic=b.get("topic"),
            category=opt_ref(b.get("category")),
        )
        return web.json_response({"id": str(channel_id)})

    async def add_role(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        role_id = await self.fake.add_role(
            b["name"], int(b.get("permissions", 0)), guild=opt_ref(b.get("guild"))
        )
        return web.json_response({"id": str(role_id)})

    async def add_member(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        user_id = await self.fake.add_member(
            b["name"], roles=[ref(r) for r in b.get("roles", [])], guild=opt_ref(b.get("guild"))
        )
        return web.json_response({"id": str(user_id)})

    async def set_overwrite(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        await self.fake.set_overwrite(
            ref(b["channel"]),
            ref(b["target"]),
            allow=int(b.get("allow", 0)),
            deny=int(b.get("deny", 0)),
        )
        return web.json_response({})

    async def forbid_sends(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        await self.fake.forbid_sends(ref(b["channel"]), bool(b.get("forbidden", True)))
        return web.json_response({})

    # --- member actions ---------------------------------------------------------------------

    async def post(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        files = [(f["filename"], base64.b64decode(f["content_b64"])) for f in b.get("files", [])]
        message = await self.fake.post(
            ref(b["author"]),
            ref(b["channel"]),
            b.get("content", ""),
            reply_to=int(b["reply_to"]) if b.get("reply_to") else None,
            thread=opt_ref(b.get("thread")),
            embeds=b.get("embeds", []),
            files=files,
        )
        return web.json_response(self.fake.message_payload(message))

    async def dm_bot(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        message = await self.fake.dm_bot(ref(b["author"]), b["content"])
        return web.json_response(self.fake.message_payload(message))

    async def edit(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        message = await self.fake.edit(int(request.match_info["message_id"]), b["content"])
        return web.json_response(self.fake.message_payload(message))

    async def delete(self, request: web.Request) -> web.Response:
        await self.fake.delete(int(request.match_info["message_id"]))
        return web.json_response({})

    async def react(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        await self.fake.react(ref(b["user"]), int(b["message_id"]), b["emoji"])
        return web.json_response({})

    async def unreact(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        await self.fake.unreact(ref(b["user"]), int(b["message_id"]), b["emoji"])
        return web.json_response({})

    async def start_thread(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        message_id = int(b["message_id"]) if b.get("message_id") else None
        thread_id = await self.fake.start_thread(
            ref(b["author"]), ref(b["channel"]), b["name"], message_id=message_id
        )
        return web.json_response({"id": str(thread_id)})

    async def interact(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        kind = request.match_info["kind"]
        user = opt_ref(b.get("user"))
        f = self.fake
        if kind == "slash":
            i = await f.invoke_slash_command(
                b["name"], b.get("options"), user=user, channel=opt_ref(b.get("channel"))
            )
        elif kind == "message-command":
            i = await f.invoke_message_command(b["name"], int(b["message_id"]), user=user)
        elif kind == "user-command":
            i = await f.invoke_user_command(
                b["name"], ref(b["target"]), user=user, channel=opt_ref(b.get("channel"))
            )
        elif kind == "button":
            i = await f.click_button(int(b["message_id"]), b["custom_id"], user=user)
        elif kind == "select":
            i = await f.select_menu(int(b["message_id"]), b["custom_id"], b["values"], user=user)
        elif kind == "modal":
            i = await f.submit_modal(b["custom_id"], b.get("values", {}), user=user)
        else:
            raise ValueError(f"unknown interaction kind {kind!r}")
        return web.json_response(interaction_json(i))

    # --- read back --------------------------------------------------------------------------

    async def actions(self, request: web.Request) -> web.Response:
        kind = request.query.get("kind")
        items = [a for a in self.fake.actions if kind in (None, a.kind)]
        after = int(request.query.get("after", 0))
        return web.json_response([a.to_json() for a in items[after:]])

    async def requests(self, request: web.Request) -> web.Response:
        return web.json_response([r.to_json() for r in self.fake.requests])

    async def gateway_events(self, request: web.Request) -> web.Response:
        return web.json_response([r.to_json() for r in self.fake.gateway_events])

    async def channel_messages(self, request: web.Request) -> web.Response:
        msgs = self.fake.messages(int(request.match_info["channel_id"]))
        return web.json_response([self.fake.message_payload(m) for m in msgs])

    async def scheduled_events(self, request: web.Request) -> web.Response:
        return web.json_response(self.fake.scheduled_events())

    async def commands(self, request: web.Request) -> web.Response:
        guild = request.query.get("guild")
        return web.json_response(self.fake.commands(int(guild) if guild else None))

    async def wait(self, request: web.Request) -> web.Response:
        """``{"kind": "post", "match": {...}, "after": 0, "timeout": 5}`` -> the record, or 408."""
        b = await self._body(request)
        kind, criteria = b.get("kind", "post"), b.get("match", {})
        seen = 0
        after = int(b.get("after", 0))

        def predicate(record: Record) -> bool:
            nonlocal seen
            if record.kind != kind:
                return False
            seen += 1
            return seen > after and matches(record, criteria)

        found = await self.fake._ctx.actions.wait_for(
            predicate, timeout=float(b.get("timeout", 5.0)), what=kind
        )
        return web.json_response(found.to_json())

    # --- faults -----------------------------------------------------------------------------

    async def fail_next(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        self.fake.fail_next(
            b.get("method", "*"),
            b["route"],
            int(b["status"]),
            count=int(b.get("count", 1)),
            retry_after=float(b.get("retry_after", 1.0)),
            is_global=bool(b.get("global", False)),
        )
        return web.json_response({})

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.fake.clear_faults()
        return web.json_response({})

    async def delay(self, request: web.Request) -> web.Response:
        self.fake.delay_responses(float((await self._body(request)).get("seconds", 0)))
        return web.json_response({})

    async def drop_websocket(self, request: web.Request) -> web.Response:
        b = await self._body(request)
        await self.fake.drop_websocket(resumable=bool(b.get("resumable", True)))
        return web.json_response({})

    async def invalidate_session(self, request: web.Request) -> web.Response:
        await self.fake.invalidate_session()
        return web.json_response({})

    async def reset_records(self, request: web.Request) -> web.Response:
        self.fake.reset_records()
        return web.json_response({})


def _handle_json(handle: Any) -> dict[str, Any]:
    return {
        "id": str(handle.id),
        "name": handle.name,
        "channels": {k: str(v) for k, v in handle.channels.items()},
        "roles": {k: str(v) for k, v in handle.roles.items()},
        "members": {k: str(v) for k, v in handle.members.items()},
        "bot_role_id": str(handle.bot_role_id),
    }
