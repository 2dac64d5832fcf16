"""End to end: the real `leadershipchat run` process against the fake Discord server (see
tests/test_e2e_harness.py): a full compressed chat on time, injected 429/500/403, and start-up
without a token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.maintenance.heartbeat import check_health
from tests.test_e2e_harness import (
    REPO,
    START_IN,
    assert_attribution,
    assert_each_step_posted_once_in_order,
    assert_mention_safe,
    bot_posts,
    ledger,
    play_chat,
    recap_text,
    scene,
    stored_messages,
    wait_for_recap,
)


async def test_a_full_compressed_chat(tmp_path: Path) -> None:
    async with scene(tmp_path, answers_in_threads=True) as s:
        await s.bot.start("--start-in", str(START_IN))
        ids = await play_chat(s)
        await wait_for_recap(s)
        code = await s.bot.stop(signal.SIGTERM)
        assert code == 0, "SIGTERM must stop the bot cleanly"
        steps = assert_each_step_posted_once_in_order(s, on_time=True)
        assert {r["key"] for r in steps if r["status"] == "sent"} >= {
            "reminder-6s",
            "reminder-3s",
            "welcome",
            "q1",
            "q2",
            "q3",
            "last-call",
            "close",
            "recap",
        }
        assert all(r["status"] in ("sent", "skipped") for r in steps)
        assert_attribution(s)
        assert_mention_safe(s)
        stored = stored_messages(s.database)
        assert stored[ids["typo"]]["reactions"] == 1 and stored[ids["typo"]]["edited_at"]
        recap = recap_text(s)
        assert "@everyone @here @role @bob listen to people" in recap  # quoted, in a file
        reminders = [p for p in bot_posts(s) if p.channel_id == s.ch("announce")]
        assert [
            bool(p.allowed_mentions and p.allowed_mentions.get("roles")) for p in reminders
        ] == [
            False,
            True,
        ]
        assert "stopped cleanly" in s.bot.text()
        health = check_health(s.database, datetime.now(UTC))
        assert not health.ok and "no heartbeat" in health.reason  # cleared on the way out


async def test_rate_limits_and_server_errors_then_a_forbidden_channel(tmp_path: Path) -> None:
    async with scene(tmp_path) as s:
        chat_route = f"/channels/{s.ch('chat')}/messages"
        s.fake.fail_next("POST", chat_route, 429, count=2, retry_after=0.3)
        await s.bot.start("--start-in", str(START_IN))
        welcome = await s.cue("chat", "Welcome")
        assert welcome.attempts == 3  # two 429s, then through
        await s.cue("chat", "Q1: ")
        s.fake.fail_next("POST", chat_route, 500, count=1)
        q2 = await s.cue("chat", "Q2: ")
        assert q2.attempts == 2
        await s.fake.forbid_sends("chat")
        told = await s.cue("hosts", "I could not post `q3`")
        assert "403" in told.content
        await s.fake.forbid_sends("chat", False)
        await s.cue("chat", "That's a wrap")
        await wait_for_recap(s)
        assert s.bot.alive, "a refused channel must not take the bot down"
        assert await s.bot.stop(signal.SIGTERM) == 0
        steps = {r["key"]: r for r in ledger(s.database)}
        assert steps["q3"]["status"] == "failed" and steps["close"]["status"] == "sent"
        assert steps["recap"]["status"] == "sent"
        # discord.py retried the 429s and the 500 inside one attempt of the step
        assert steps["welcome"]["attempts"] == 1 and steps["q2"]["attempts"] == 1


@pytest.mark.parametrize("env_token", ["", "   "])
def test_run_without_a_token_exits_2(tmp_path: Path, env_token: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("chats:\n  - name: x\n    guild_id: 1\n    channels: {chat: 2}\n")
    env = {**os.environ, "DISCORD_TOKEN": env_token, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "DISCORD_TOKEN is not set" in done.stderr and "Traceback" not in done.stderr
