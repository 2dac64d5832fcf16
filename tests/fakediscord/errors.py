"""Discord's JSON error shapes, raised anywhere and turned into responses by the server."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


class DiscordError(Exception):
    """An API error: HTTP ``status`` with body ``{"message", "code"[, "errors"]}``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            out["errors"] = self.errors
        return out


def unknown(kind: str) -> DiscordError:
    """404 for an unknown object, with Discord's error code for that kind."""
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "User": 10013,
        "Emoji": 10014,
        "Webhook": 10015,
        "Application": 10002,
        "Interaction": 10062,
        "Guild Scheduled Event": 10070,
    }
    return DiscordError(404, codes.get(kind, 0), f"Unknown {kind}")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def invalid_form_body(errors: dict[str, Any]) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def field_error(code: str, message: str) -> dict[str, Any]:
    """The leaf of an ``errors`` tree: ``{"_errors": [{"code", "message"}]}``."""
    return {"_errors": [{"code": code, "message": message}]}


def discord_json(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response with exactly ``Content-Type: application/json`` (no charset): discord.py
    only parses bodies whose content type is exactly that."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def error_json(err: DiscordError) -> web.Response:
    return discord_json(err.body(), status=err.status)
