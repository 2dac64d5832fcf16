"""Failures on demand (canned 5xx/429 answers, outages) and Bluesky-style rate limits."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .xrpc import XrpcError

_ERROR_NAMES = {
    429: "RateLimitExceeded",
    500: "InternalServerError",
    502: "UpstreamFailure",
    503: "NotEnoughResources",
    504: "UpstreamTimeout",
}


@dataclass
class FaultRule:
    """Answer `status` to calls of methods matching `method` (an NSID or a pattern like
    `app.bsky.feed.*`), `count` times (None: until removed). `hits` counts the answers given."""

    method: str
    status: int
    count: int | None = 1
    error: str | None = None
    message: str = "injected by the fake"
    retry_after: float = 1.0
    hits: int = 0

    def matches(self, nsid: str) -> bool:
        return (self.count is None or self.hits < self.count) and fnmatch.fnmatchcase(
            nsid, self.method
        )

    def fire(self, now: datetime) -> XrpcError:
        self.hits += 1
        name = self.error or _ERROR_NAMES.get(self.status, "InternalServerError")
        headers = {}
        if self.status == 429:
            reset = now + timedelta(seconds=self.retry_after)
            headers = {
                "RateLimit-Limit": "1",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(math.ceil(reset.timestamp())),
                "RateLimit-Policy": "1;w=1",
            }
        return XrpcError(self.status, name, self.message, headers)


@dataclass
class RateLimit:
    """At most `limit` calls per `window` per account (per address before login) for methods
    matching `method`: every answer carries RateLimit-* headers, and a call over the limit gets
    429 RateLimitExceeded until the window resets (fixed windows, as Bluesky's PDS)."""

    method: str
    limit: int
    window: timedelta
    used: dict[str, tuple[datetime, int]] = field(
        default_factory=dict
    )  # who -> window start, calls
    refusals: int = 0

    def charge(self, nsid: str, who: str, now: datetime) -> dict[str, str] | None:
        """Count a call; the headers to add, or None when this limit does not apply. Raises the
        429 when the call is over the limit."""
        if not fnmatch.fnmatchcase(nsid, self.method):
            return None
        start, calls = self.used.get(who, (now, 0))
        if now >= start + self.window:
            start, calls = now, 0
        calls += 1
        self.used[who] = (start, calls)
        reset = start + self.window
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - calls)),
            "RateLimit-Reset": str(math.ceil(reset.timestamp())),
            "RateLimit-Policy": f"{self.limit};w={int(self.window.total_seconds())}",
        }
        if calls > self.limit:
            self.refusals += 1
            raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        return headers
