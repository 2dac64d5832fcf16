"""Pytest fixtures for the fake Discord server.

Use from a test module with ``pytest_plugins = ["tests.fakediscord.pytest_plugin"]`` (or from
the root ``conftest.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .server import FakeDiscord


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord`` with the default guild; discord.py in this process points at
    it until the test ends."""
    async with FakeDiscord() as fake:
        fake.point_discord_py_here()
        yield fake
