"""discord.py failures -> the engine's TransportError, so the core never sees discord types.

Forbidden/NotFound and other 4xx cannot be fixed by retrying (a missing permission, a deleted
channel); 5xx, rate limits that outlast discord.py's own retries and connection errors can.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import discord

from bot.transport import TransportError


def to_transport_error(what: str, exc: BaseException) -> TransportError | None:
    """The TransportError for `exc`, or None when it is not a transport failure."""
    if isinstance(exc, TransportError):
        return exc
    if isinstance(exc, discord.RateLimited):
        return TransportError(f"{what}: rate limited for {exc.retry_after:.0f}s", status=429)
    if isinstance(exc, discord.HTTPException):
        status = exc.status
        detail = exc.text or getattr(exc.response, "reason", "") or "error"
        retryable = status >= 500 or status == 429
        return TransportError(f"{what}: {status} {detail}", retryable=retryable, status=status)
    if isinstance(exc, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return TransportError(f"{what}: connection problem ({exc or type(exc).__name__})")
    if isinstance(exc, discord.ClientException):
        return TransportError(f"{what}: {exc}")
    return None


@contextmanager
def translated(what: str) -> Iterator[None]:
    """Wrap a discord.py call: its failures leave as TransportError naming `what`."""
    try:
        yield
    except Exception as exc:
        mapped = to_transport_error(what, exc)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc
