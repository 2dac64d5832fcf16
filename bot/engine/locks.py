"""What the engine's services coordinate on: one lock per session (a step, a host control and a
redo of published copies never interleave on one session), the timeline gate (capture waits
while the welcome, a question or the close is being posted, so an instant "A2: ..." counts
against Q2), and `PostsFirst`, which puts a due post ahead of capture work."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator


class SessionLocks:
    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._moving: dict[int, asyncio.Event] = {}  # session id -> set when recorded

    def lock(self, session_id: int) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    @contextlib.contextmanager
    def moving_timeline(self, session_id: int) -> Iterator[None]:
        """Around posting and recording a step that moves the session's timeline."""
        self._moving[session_id] = asyncio.Event()
        try:
            yield
        finally:
            self._moving.pop(session_id).set()

    async def timeline_settled(self, session_id: int) -> None:
        """Wait while a post that moves the session's timeline is being sent and recorded.
        Other steps (reminders and their DMs, recaps) do not hold up capture."""
        moving = self._moving.get(session_id)
        if moving is not None:
            await moving.wait()


class PostsFirst:
    """A step that falls due is never queued behind a run of captured messages: from the moment
    its job fires until it is recorded, capture holds back its next run (it waits between runs
    of a few hundred messages, so a post waits for one run at most). Slow work inside a step
    that is no hurry (a recap's build and parts, reminder DMs) steps `aside`."""

    def __init__(self) -> None:
        self._posting = 0
        self._clear = asyncio.Event()
        self._clear.set()

    def _enter(self) -> None:
        self._posting += 1
        self._clear.clear()

    def _leave(self) -> None:
        self._posting -= 1
        if self._posting == 0:
            self._clear.set()

    @contextlib.asynccontextmanager
    async def posting(self) -> AsyncIterator[None]:
        self._enter()
        try:
            yield
        finally:
            self._leave()

    @contextlib.asynccontextmanager
    async def aside(self) -> AsyncIterator[None]:
        """Within `posting`: let capture run meanwhile."""
        self._leave()
        try:
            yield
        finally:
            self._enter()

    async def wait_for_posts(self) -> None:
        """Capture, between runs: wait while a post is due or being sent. It yields once first,
        so a step whose job has just fired gets to start."""
        await asyncio.sleep(0)
        await self._clear.wait()
