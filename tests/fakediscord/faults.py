"""Fault injection for REST: canned 429/5xx/403 answers and response delays."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

from .errors import DiscordError, discord_json, error_json


@dataclass
class FaultRule:
    """Answer the next ``remaining`` requests matching ``method`` + ``pattern`` with ``status``."""

    method: str
    pattern: str
    status: int
    remaining: int
    retry_after: float
    is_global: bool = False
    #: how many requests this rule answered so far
    hits: int = 0

    def __post_init__(self) -> None:
        self._regex = compile_route(self.pattern)

    def matches(self, method: str, path: str) -> bool:
        if self.remaining <= 0:
            return False
        if self.method not in ("*", method.upper()):
            return False
        return self._regex.fullmatch(path) is not None


def compile_route(pattern: str) -> re.Pattern[str]:
    """``/channels/{channel_id}/messages`` or ``/channels/*/messages``: ``*``/``{name}`` match one
    path segment, ``**`` any number of segments; other segments match literally. The ``/api/v10``
    prefix is optional."""
    pattern = re.sub(r"^/api/v\d+", "", pattern)
    parts: list[str] = []
    for seg in pattern.strip("/").split("/"):
        if seg == "**":
            parts.append(r"(?:/[^?]*)?")
        elif seg == "*" or (seg.startswith("{") and seg.endswith("}")):
            parts.append(r"/[^/]+")
        else:
            parts.append("/" + re.escape(seg))
    return re.compile("".join(parts) or "/")


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.delay: float = 0.0
        self._failed: dict[tuple[str, str, str], int] = {}

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self.delay = 0.0

    def match(self, method: str, path: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path):
                rule.remaining -= 1
                rule.hits += 1
                return rule
        return None

    def note_failure(self, method: str, path: str, digest: str) -> None:
        key = (method, path, digest)
        self._failed[key] = self._failed.get(key, 0) + 1

    def take_failures(self, method: str, path: str, digest: str) -> int:
        """Failed attempts of an identical request, consumed by the request that succeeds."""
        return self._failed.pop((method, path, digest), 0)


def fault_response(rule: FaultRule) -> web.Response:
    """Discord's answer for an injected fault, with the headers discord.py relies on."""
    if rule.status == 429:
        body = {
            "message": "You are being rate limited.",
            "retry_after": rule.retry_after,
            "global": rule.is_global,
            "code": 0,
        }
        headers = {
            "Retry-After": str(max(1, math.ceil(rule.retry_after))),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
            "X-RateLimit-Bucket": "fakebucket" + format(abs(hash(rule.pattern)) % 10**8, "08d"),
            "X-RateLimit-Scope": "shared" if not rule.is_global else "global",
            # discord.py treats a 429 without Via as a Cloudflare ban
            "Via": "1.1 google",
        }
        if rule.is_global:
            headers["X-RateLimit-Global"] = "true"
        return discord_json(body, status=429, headers=headers)
    return error_json(_error_for(rule.status))


def _error_for(status: int) -> DiscordError:
    canned = {
        400: (50035, "Invalid Form Body"),
        401: (0, "401: Unauthorized"),
        403: (50013, "Missing Permissions"),
        404: (0, "404: Not Found"),
        500: (0, "500: Internal Server Error"),
        502: (0, "502: Bad Gateway"),
        503: (0, "503: Service Unavailable"),
        504: (0, "504: Gateway Timeout"),
    }
    code, message = canned.get(status, (0, f"{status}: Error"))
    return DiscordError(status, code, message)


def describe(rules: Iterable[FaultRule]) -> list[dict[str, object]]:
    return [
        {"method": r.method, "route": r.pattern, "status": r.status, "remaining": r.remaining}
        for r in rules
    ]
