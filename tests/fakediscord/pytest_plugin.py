"""Pytest fixtures for the fake Discord server.

Use from a test module with ``pytest_plugins = ["tests.fakediscord.pytest_plugin"]`` (or from
the root ``conftest.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeDiscord, restore_discord_py


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord`` with the default guild; discord.py in this process points at
    it for the duration of the test."""
    async with FakeDiscord(heartbeat_interval_ms=41250) as fake:
        previous = fake.point_discord_py_here()
        try:
            yield fake
        finally:
            restore_discord_py(previous)
