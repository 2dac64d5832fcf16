"""The message intake: every hook sees each new message in gateway order, and one hook's bug
neither stops the others nor reaches discord.py's gateway reader."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from bot.discord.intake import MessageIntake


def test_hooks_see_messages_in_order_and_a_failing_hook_costs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    intake = MessageIntake()
    seen: list[tuple[str, int]] = []

    def broken(message: Any) -> None:
        if message.id == 2:
            raise ValueError("bad message")
        seen.append(("broken", message.id))

    intake.add(broken)
    intake.add(lambda m: seen.append(("capture", m.id)))
    with caplog.at_level(logging.ERROR, logger="bot.discord.intake"):
        for n in (1, 2, 3):
            intake(SimpleNamespace(id=n))  # type: ignore[arg-type]
    assert seen == [("broken", 1), ("capture", 1), ("capture", 2), ("broken", 3), ("capture", 3)]
    assert "failed on message 2" in caplog.text


def test_a_removed_hook_sees_nothing_more() -> None:
    intake = MessageIntake()
    seen: list[int] = []

    def hook(message: Any) -> None:
        seen.append(message.id)

    intake.add(hook)
    intake(SimpleNamespace(id=1))  # type: ignore[arg-type]
    intake.remove(hook)
    intake.remove(hook)  # twice is harmless (cog_unload after a failed load)
    intake(SimpleNamespace(id=2))  # type: ignore[arg-type]
    assert seen == [1]
