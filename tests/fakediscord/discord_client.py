"""Helpers for running a real discord.py client against the fake in tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import discord

C = TypeVar("C", bound=discord.Client)

#: Client kwargs that keep tests fast: discord.py waits ``guild_ready_timeout`` (default 2 s)
#: after the last GUILD_CREATE before firing ``on_ready``.
FAST_CLIENT_OPTIONS: dict[str, Any] = {"guild_ready_timeout": 0.1}


def skip_identify_delay(client: discord.Client) -> None:
    """discord.py sleeps 5 s before every non-initial IDENTIFY (``before_identify_hook``);
    replace the hook on this client so re-identify tests run fast."""

    async def no_delay(shard_id: int | None, *, initial: bool = False) -> None:
        return None

    client.before_identify_hook = no_delay  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def running(client: C, token: str, *, timeout: float = 10.0) -> AsyncIterator[C]:  # noqa: ASYNC109
    """Log ``client`` in, connect it in a background task, wait for ``on_ready``; close on exit.

    Raises whatever ``connect`` raised if it ends before the client is ready.
    """
    task: asyncio.Task[None] | None = None
    ready: asyncio.Task[None] | None = None
    try:
        await client.login(token)
        task = asyncio.create_task(client.connect(reconnect=True))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if task in done:
            task.result()
            raise RuntimeError("client stopped before it was ready")
        if ready not in done:
            raise TimeoutError(f"client not ready within {timeout}s")
        yield client
    finally:
        if ready is not None:
            ready.cancel()
        await client.close()
        if task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 5.0)
