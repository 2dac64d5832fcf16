"""Discord's rate limits (rate-limits.mdx): per-route buckets keyed by the route and its
top-level resource (channel, guild, webhook), each answered with the real ``X-RateLimit-*``
headers, and the global limit on all of a bot's requests (interaction callbacks excluded).
A request over a limit gets Discord's 429; discord.py reads the headers and paces itself."""

from __future__ import annotations

import hashlib
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from .faults import rate_limit_headers, rate_limited

MAJOR = ("channel_id", "guild_id", "webhook_id", "interaction_id")
#: routes that do not count toward the global limit (rate-limits.mdx, Global Rate Limit)
NOT_GLOBAL = ("create_interaction_response",)


@dataclass(frozen=True)
class Limit:
    count: int
    per: float  # seconds


@dataclass
class RateLimits:
    """``routes`` maps an operation id (``create_message``) to its limit; others get
    ``default``. The defaults are generous, so only the headers show unless a test asks for
    Discord's real numbers (``RateLimits.realistic()``)."""

    default: Limit = field(default_factory=lambda: Limit(50, 1.0))
    global_limit: Limit = field(default_factory=lambda: Limit(50, 1.0))
    routes: dict[str, Limit] = field(default_factory=dict)

    @classmethod
    def realistic(cls, *, global_count: int = 50) -> RateLimits:
        """About what Discord answers: 5 messages per 5 s per channel, reactions 1 per 0.25 s."""
        return cls(
            global_limit=Limit(global_count, 1.0),
            routes={
                "create_message": Limit(5, 5.0),
                "delete_message": Limit(5, 1.0),
                "add_my_message_reaction": Limit(1, 0.25),
                "create_dm": Limit(5, 5.0),
            },
        )


class _Window:
    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        self.hits: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self.hits and now - self.hits[0] >= self.limit.per:
            self.hits.popleft()

    def wait(self, now: float) -> float:
        self._trim(now)
        if len(self.hits) < self.limit.count:
            return 0.0
        return max(0.001, self.hits[0] + self.limit.per - now)

    def take(self, now: float) -> tuple[int, float]:
        self.hits.append(now)
        reset_after = self.hits[0] + self.limit.per - now
        return self.limit.count - len(self.hits), max(0.0, reset_after)


class RateLimiter:
    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = _Window(limits.global_limit)
        self._buckets: dict[tuple[str, str], _Window] = {}
        #: 429s answered, by scope ("user" for a route, "global")
        self.refusals: dict[str, int] = {"user": 0, "global": 0}

    def _bucket(self, op_id: str, params: dict[str, str]) -> tuple[str, _Window]:
        major = "/".join(params.get(k, "") for k in MAJOR)
        window = self._buckets.get((op_id, major))
        if window is None:
            window = _Window(self.limits.routes.get(op_id, self.limits.default))
            self._buckets[(op_id, major)] = window
        return hashlib.sha1(op_id.encode()).hexdigest()[:16], window

    def admit(self, op_id: str, params: dict[str, str]) -> web.Response | dict[str, str]:
        """A 429 to answer with, or the headers for the response once the request counts."""
        now = time.monotonic()
        bucket, window = self._bucket(op_id, params)
        counts_globally = op_id not in NOT_GLOBAL
        if counts_globally:
            wait = self._global.wait(now)
            if wait:
                self.refusals["global"] += 1
                limit = self.limits.global_limit.count
                return rate_limited(wait, bucket=bucket, limit=limit, is_global=True)
        wait = window.wait(now)
        if wait:
            self.refusals["user"] += 1
            return rate_limited(wait, bucket=bucket, limit=window.limit.count)
        if counts_globally:
            self._global.take(now)
        remaining, reset_after = window.take(now)
        return rate_limit_headers(window.limit.count, remaining, reset_after, bucket)
