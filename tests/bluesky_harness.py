"""The engine harness (in-memory Discord, manual clock) with Bluesky on the fake Bluesky, through
the real atproto SDK: what the Bluesky tests share."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.bluesky.platform import BlueskyPlatform
from bot.clock import ManualClock
from bot.engine.triggers import ManualTrigger
from bot.memory_transport import MemoryTransport
from tests.fakebluesky import FakeBluesky
from tests.test_engine import START, TOPIC, Harness, compressed_settings

PASSWORD_ENV = "TEST_BLUESKY_APP_PASSWORD"


class BlueskyHarness(Harness):
    """The engine harness (in-memory Discord, manual clock) with Bluesky on the fake."""

    def __init__(self, tmp_path: Path, fake: FakeBluesky, **bluesky: object) -> None:
        section = {
            "handle": fake.bot.handle,
            "service": fake.base_url,
            "app_password_env": PASSWORD_ENV,
            "poll_every": "5s",
            **bluesky,
        }
        super().__init__(tmp_path, compressed_settings(tmp_path, bluesky=section), [TOPIC])
        self.fake = fake
        self.environ = {PASSWORD_ENV: fake.bot.password}
        self.platform: BlueskyPlatform | None = None

    def engine_options(self) -> dict[str, Any]:
        assert self.store is not None
        self.platform = BlueskyPlatform(
            self.settings, self.store, clock=self.clock, environ=self.environ
        )
        return {"platforms": [self.platform]}

    async def checked(self) -> None:
        """The start-up check of the credentials has run."""
        assert self.platform is not None and self.platform._checked is not None
        await self.platform._checked

    async def logged_in_again(self) -> None:
        """What each login of an account set off (its failed posts tried again) is done."""
        assert self.platform is not None
        while self.platform._backs:
            await asyncio.gather(*self.platform._backs)

    def _drop_backs(self) -> None:
        """Tasks a login set off die with the bot (a test that did not wait for them)."""
        if self.platform is not None:
            for task in self.platform._backs:
                task.cancel()

    async def crash(self) -> None:
        self._drop_backs()
        if self.platform is not None:
            await self.platform.close()
        await super().crash()

    async def close(self) -> None:
        self._drop_backs()
        if self.platform is not None:
            await self.platform.close()
        if self.store is not None:
            await self.store.close()

    def bluesky_texts(self) -> list[str]:
        return [p.text for p in self.fake.bot_posts]


@asynccontextmanager
async def bluesky_harness(tmp_path: Path, **bluesky: object) -> AsyncIterator[BlueskyHarness]:
    """The harness and the fake Bluesky on one manual clock; `bluesky`: more of the section."""
    clock = ManualClock(START - timedelta(minutes=5))
    async with FakeBluesky(clock=clock.now) as fake:
        harness = BlueskyHarness(tmp_path, fake, **bluesky)
        harness.clock = clock
        harness.transport = MemoryTransport(clock)
        harness.trigger = ManualTrigger(clock)
        yield harness
        await harness.close()


async def plan(h: BlueskyHarness) -> int:
    engine = await h.boot()
    await h.checked()
    return (await engine.plan_session("leadershipchat", START)).id
