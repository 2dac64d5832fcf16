"""Fault injection for REST: canned 429/5xx/403 answers and response delays."""

from __future__ import annotations

import hashlib
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


def rate_limit_headers(
    limit: int, remaining: int, reset_after: float, bucket: str
) -> dict[str, str]:
    """``X-RateLimit-*`` headers as Discord sends them (plus ``Via``, which discord.py checks).
    Times are rounded *up* to the millisecond so a client never wakes before the window ends."""
    reset_after = math.ceil(reset_after * 1000) / 1000
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "Via": "1.1 google",
    }


def rate_limited(
    retry_after: float, *, bucket: str, limit: int = 5, is_global: bool = False
) -> web.Response:
    """Discord's 429: JSON body with ``retry_after``/``global`` and the rate-limit headers."""
    retry_after = math.ceil(retry_after * 1000) / 1000
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
        "code": 0,
    }
    headers = rate_limit_headers(limit, 0, retry_after, bucket)
    headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    headers["X-RateLimit-Scope"] = "global" if is_global else "user"
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return discord_json(body, status=429, headers=headers)


def fault_response(rule: FaultRule) -> web.Response:
    """Discord's answer for an injected fault."""
    if rule.status == 429:
        bucket = "fault" + hashlib.sha1(rule.pattern.encode()).hexdigest()[:16]
        return rate_limited(rule.retry_after, bucket=bucket, is_global=rule.is_global)
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
