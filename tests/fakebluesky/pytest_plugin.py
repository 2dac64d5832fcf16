"""Pytest fixture for the fake Bluesky: ``pytest_plugins = ["tests.fakebluesky.pytest_plugin"]``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeBluesky


@pytest_asyncio.fixture
async def fake_bluesky() -> AsyncIterator[FakeBluesky]:
    """A started FakeBluesky with the bot's account; lexicon violations fail the test."""
    async with FakeBluesky() as fake:
        yield fake
