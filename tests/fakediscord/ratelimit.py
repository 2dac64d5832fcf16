"""Optional realistic rate limit on the bot's message sends (Discord: about 5 per 5 s per
channel), answered with the same headers Discord sends so discord.py paces itself."""

from __future__ import annotations

import time
from collections import deque

BUCKET = "fakemessagesbucket0001"


class MessageRateLimiter:
    """A sliding window of ``limit`` sends per ``per`` seconds, per channel."""

    def __init__(self, limit: int, per: float) -> None:
        self.limit = limit
        self.per = per
        self._sends: dict[int, deque[float]] = {}

    def _window(self, channel_id: int) -> deque[float]:
        window = self._sends.setdefault(channel_id, deque())
        now = time.monotonic()
        while window and now - window[0] >= self.per:
            window.popleft()
        return window

    def retry_after(self, channel_id: int) -> float:
        """Seconds until a send is allowed (0 if allowed now)."""
        window = self._window(channel_id)
        if len(window) < self.limit:
            return 0.0
        return max(0.001, window[0] + self.per - time.monotonic())

    def take(self, channel_id: int) -> tuple[int, float]:
        """Count a send; returns (remaining, reset_after) for the response headers."""
        window = self._window(channel_id)
        window.append(time.monotonic())
        reset_after = window[0] + self.per - time.monotonic()
        return self.limit - len(window), max(0.0, reset_after)
