"""End to end on two platforms: the real `leadershipchat run` process against the fake Discord and
the fake Bluesky at once (one compressed chat). Bluesky is down for a while mid-chat and the bot
is SIGKILLed and restarted; Discord's steps stay on time through the outage, nothing is posted
twice on either side, and every Bluesky answer is in the recap once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.fakebluesky import FakeBluesky
from tests.test_e2e_harness import (
    START_IN,
    STEP_TOLERANCE,
    WAIT,
    assert_each_step_posted_once_in_order,
    bot_posts,
    due,
    ledger,
    scene,
    wait_for_recap,
)
from tests.test_e2e_restart import recapped, transcript

PASSWORD_ENV = "E2E_BLUESKY_APP_PASSWORD"
# A Bluesky post may follow its Discord one by a retry or two (2 s, 10 s, 30 s: the bot's real
# delays) when the restart lands on a loaded machine; Q3 after the restart once took over WAIT.
# Nothing here is timed against this: it only bounds how long a missing post is waited for.
BLUESKY_WAIT = 3 * WAIT


async def test_one_chat_on_discord_and_bluesky_through_an_outage_and_a_kill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with FakeBluesky() as bsky:
        monkeypatch.setenv(PASSWORD_ENV, bsky.bot.password)
        section = {
            "handle": bsky.bot.handle,
            "service": bsky.base_url,
            "app_password_env": PASSWORD_ENV,
            "poll_every": "2s",
        }
        async with scene(tmp_path, duration="17s", bluesky=section) as s:

            async def bluesky_post(prefix: str) -> str:
                def found() -> str | None:
                    return next((p.uri for p in bsky.bot_posts if p.text.startswith(prefix)), None)

                uri = await bsky.wait_for(found, within=BLUESKY_WAIT)
                assert isinstance(uri, str)
                return uri

            await s.bot.start("--start-in", str(START_IN))
            q1 = await bluesky_post("Q1:")
            answers = {
                bsky.post("ana.example.com", "A1 listening first #LeadershipChat").uri,
                bsky.post("ben.example.com", "asking before telling", reply_to=q1).uri,
            }
            await s.cue("chat", "Q1: ")
            # Bluesky down while Q2 is due: Discord posts it on time all the same.
            with bsky.outage(status=503):
                q2 = await s.cue("chat", "Q2: ")
                await asyncio.sleep(1.0)
            # Killed after Q2; an answer on Bluesky while the bot is down.
            assert await s.bot.stop(signal.SIGKILL) == -signal.SIGKILL
            answers.add(
                bsky.post("cara.example.com", "A2 while the bot is away #LeadershipChat").uri
            )
            await s.bot.start()
            await bluesky_post("Q3:")
            answers.add(bsky.post("ana.example.com", "A3 ask more, tell less #LeadershipChat").uri)
            await wait_for_recap(s)
            await recapped(s)
            await bluesky_post("The #LeadershipChat recap")
            assert await s.bot.stop(signal.SIGTERM) == 0

            steps = {r["key"]: r for r in ledger(s.database)}
            assert abs(q2.received_at - due(steps["q2"])) <= STEP_TOLERANCE  # the outage
            assert_each_step_posted_once_in_order(s, on_time=False)
            texts = Counter(p.text for p in bsky.bot_posts)
            assert [t for t, n in texts.items() if n > 1] == [], "a Bluesky post twice"
            firsts = [t.split(":")[0] for t in texts if t.startswith("Q")]
            assert sorted(firsts) == ["Q1", "Q2", "Q3"]
            discord = Counter(p.content for p in bot_posts(s) if p.content)
            assert [t for t, n in discord.items() if n > 1] == [], "a Discord post twice"
            with sqlite3.connect(s.database) as conn:
                stored = dict(
                    conn.execute(
                        "SELECT post_ref, content FROM messages WHERE platform = 'bluesky'"
                        " AND deleted_at IS NULL"
                    )
                )
            assert set(stored) == answers
            text = transcript(s)
            assert [t for t in stored.values() if text.count(t) != 1] == [], "in the recap once"
