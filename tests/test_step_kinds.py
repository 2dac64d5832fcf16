"""Steps without a post: the chat channel's slowmode is a pair of ledger timers (on with the
welcome, off with the close) that move with the chat and survive a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.domain.steps import StepStatus
from tests.test_engine import CHAT, START, TOPIC, Harness, compressed_settings


@pytest_asyncio.fixture
async def slow_chat(tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine harness with a 5 s slowmode configured; its store closed after the test."""
    settings = compressed_settings(tmp_path, moderation={"slowmode": "5s"})
    h = Harness(tmp_path, settings, [TOPIC])
    yield h
    if h.store is not None:
        await h.store.close()


async def test_slowmode_is_on_for_the_chat_hour_and_off_after_the_close(slow_chat: Harness) -> None:
    h = slow_chat
    engine = await h.boot()
    session = await engine.plan_session("leadershipchat", START)
    await h.run_until(START - timedelta(seconds=1))
    assert h.transport.slowmode == {}
    await h.run_until(START)
    assert h.transport.slowmode == {CHAT: 5}
    await h.run_until(START + timedelta(seconds=59))
    assert h.transport.slowmode == {CHAT: 5}
    await h.run_until(START + timedelta(seconds=60))
    assert h.transport.slowmode == {CHAT: 0}
    assert h.store is not None
    steps = {s.key: s for s in await h.store.steps.for_session(session.id)}
    assert steps["slowmode-on"].status is StepStatus.SENT
    assert steps["slowmode-off"].sent_at == START + timedelta(seconds=60)
    assert not any("slowmode" in p.content for p in h.transport.posts)  # nothing is posted


async def test_slowmode_follows_an_extension_an_early_end_and_a_restart(
    slow_chat: Harness,
) -> None:
    h = slow_chat
    engine = await h.boot()
    await engine.plan_session("leadershipchat", START)
    await h.run_until(START + timedelta(seconds=20))
    await engine.controls.extend("leadershipchat", 10, "Hana")
    await h.crash()
    h.transport.slowmode.clear()  # what a restart cannot tell: the channel keeps its slowmode
    h.clock.set(START + timedelta(seconds=61))
    engine = await h.boot()
    await h.run_until(START + timedelta(minutes=5))
    assert h.transport.slowmode == {}  # not turned off at the old close: the chat was extended
    await engine.controls.end_now("leadershipchat", "Hana")
    await h.run_until(START + timedelta(minutes=5, seconds=1))
    assert h.transport.slowmode == {CHAT: 0}
