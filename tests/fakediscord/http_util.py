"""Request plumbing shared by the REST modules: body parsing (JSON and multipart), the API
middleware (auth, faults, delays, request log, error shapes), small helpers."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from .errors import DiscordError, discord_json, error_json, invalid_form_body, unauthorized
from .faults import FaultInjector, fault_response
from .limits import MAX_ATTACHMENT_BYTES, MAX_REQUEST_BYTES
from .ratelimit import RateLimiter
from .records import EventLog, RequestRecord
from .spec import Conformance
from .spec.rest import SentBody, rest_spec
from .spec.violations import Violation

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_PREFIX = "/api/v10"
# routes authorised by the interaction/webhook token in the URL, not the bot token
NO_AUTH_PREFIXES = ("/interactions/", "/webhooks/")


@dataclass
class UploadedFile:
    field_name: str
    filename: str
    content_type: str | None
    data: bytes


@dataclass
class Body:
    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    digest: str = ""
    #: ``none``, ``json`` or ``multipart``, and a multipart body's part names (conformance)
    kind: str = "none"
    fields: list[str] = field(default_factory=list)

    def file(self, index: int) -> UploadedFile | None:
        name = f"files[{index}]"
        return next((f for f in self.files if f.field_name == name), None)


# typed request-storage keys where aiohttp has them (3.12+), plain strings before
_KEY = getattr(web, "RequestKey", None)
BODY_KEY: Any = _KEY("fakediscord_body", Body) if _KEY else "fakediscord_body"
PATH_KEY: Any = _KEY("fakediscord_api_path", str) if _KEY else "fakediscord_api_path"


def parse_multipart(raw: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """Split a multipart/form-data body into (headers, data) parts, byte-exact."""
    delimiter = b"--" + boundary.encode()
    parts: list[tuple[dict[str, str], bytes]] = []
    for chunk in raw.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        parts.append((headers, data))
    return parts


def _disposition(value: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in value.split(";")[1:]:
        key, _, val = item.strip().partition("=")
        out[key.lower()] = val.strip().strip('"')
    return out


async def read_body(request: web.Request) -> Body:
    raw = await request.read()
    if not raw:
        return Body(digest=hashlib.sha256(b"").hexdigest())
    ctype = request.headers.get("Content-Type", "")
    if ctype.startswith("multipart/"):
        boundary = ctype.split("boundary=", 1)[1].strip().strip('"')
        body = Body(kind="multipart")
        digest = hashlib.sha256()
        for headers, data in parse_multipart(raw, boundary):
            disp = _disposition(headers.get("content-disposition", ""))
            name = disp.get("name", "")
            body.fields.append(name)
            digest.update(name.encode() + b"\0" + data + b"\0")
            if name == "payload_json":
                body.json = json.loads(data)
            elif "filename" in disp:
                body.files.append(
                    UploadedFile(name, disp["filename"], headers.get("content-type"), data)
                )
        body.digest = digest.hexdigest()
        return body
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    return Body(json=parsed, digest=hashlib.sha256(raw).hexdigest(), kind="json")


def body_of(request: web.Request) -> Body:
    body: Body = request[BODY_KEY]
    return body


def json_of(request: web.Request) -> dict[str, Any]:
    data = body_of(request).json
    return data if isinstance(data, dict) else {}


def api_path(request: web.Request) -> str:
    """The request path without the ``/api/v10`` prefix (as fault rules see it)."""
    path: str = request[PATH_KEY]
    return path


def snowflake(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


def ok(data: Any, status: int = 200) -> web.Response:
    return discord_json(data, status=status)


def no_content() -> web.Response:
    return web.Response(status=204)


def too_large(body: Body) -> bool:
    """A file over the upload limit the fake advertises (interactions' attachment_size_limit,
    10 MiB), or a request over 25 MiB in all (message.mdx, Create Message)."""
    sizes = [len(f.data) for f in body.files]
    return any(s > MAX_ATTACHMENT_BYTES for s in sizes) or sum(sizes) > MAX_REQUEST_BYTES


def refusal(found: list[Violation]) -> DiscordError:
    """Discord's answer to a request that breaks its description: 404 for an unknown route,
    else 400 Invalid Form Body with the errors tree at each JSON pointer."""
    if any(v.where == "request" for v in found):
        return DiscordError(404, 0, "404: Not Found")
    errors: dict[str, Any] = {}
    for v in found:
        node = errors
        for part in [p for p in v.pointer.split("/") if p]:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": v.code, "message": v.problem})
    return invalid_form_body(errors)


def api_middleware(
    *,
    token: Callable[[], str],
    faults: FaultInjector,
    requests: EventLog[RequestRecord],
    conformance: Conformance,
    limiter: RateLimiter,
) -> Middleware:
    """Everything under ``/api/``: delays, conformance checks of the request and the response,
    injected faults, bot-token auth, Discord error JSON, and one ``RequestRecord`` per request."""
    spec = rest_spec()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/"):
            return await handler(request)
        path = request.path.removeprefix(API_PREFIX)
        received = time.time()
        try:
            body = await read_body(request)
        except DiscordError as err:
            return error_json(err)
        request[BODY_KEY] = body
        request[PATH_KEY] = path
        sent = SentBody(body.kind, body.json, tuple(body.fields))
        op, op_params, found = spec.check_request(request.method, path, request.query, sent)
        conformance.add(found)
        if op is not None:
            conformance.checked[op.id] += 1
        if faults.delay:
            await asyncio.sleep(faults.delay)
        rule = None if found else faults.match(request.method, path)
        if found:
            response = error_json(refusal(found))
        elif too_large(body):
            response = error_json(DiscordError(413, 40005, "Request entity too large"))
        elif rule is not None:
            faults.note_failure(request.method, path, body.digest)
            response = fault_response(rule)
        else:
            admitted = limiter.admit(op.id, op_params) if op is not None else {}
            if isinstance(admitted, web.Response):  # over a bucket or the global limit
                faults.note_failure(request.method, path, body.digest)
                response = admitted
            else:
                response = await _handle(request, handler, path, token)
                if response.status < 400:
                    response.headers.update(admitted)
        if op is not None and isinstance(response, web.Response):
            conformance.add(spec.check_response(op, response.status, bytes(response.body or b"")))
        record = RequestRecord(
            method=request.method,
            path=path,
            status=response.status,
            received_at=received,
            body=body.json,
            injected=rule is not None,
        )
        requests.add(record)
        return response

    return middleware


async def _handle(
    request: web.Request, handler: Handler, path: str, token: Callable[[], str]
) -> web.StreamResponse:
    try:
        needs_auth = not path.startswith((*NO_AUTH_PREFIXES, "/gateway"))
        if needs_auth and request.headers.get("Authorization") != f"Bot {token()}":
            raise unauthorized()
        return await handler(request)
    except DiscordError as err:
        return error_json(err)
    except web.HTTPException as exc:  # unrouted path or method: Discord's plain 404/405
        return error_json(DiscordError(exc.status, 0, f"{exc.status}: {exc.reason}"))
