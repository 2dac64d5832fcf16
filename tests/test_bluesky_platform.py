"""The same chat on Bluesky, through the real atproto SDK against the fake Bluesky: the mirrored
steps posted once each (facets, AT-URIs recorded, no second post after a crash), the start-up
check of the app password, and neither platform holding up the other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.domain.steps import StepStatus
from tests.bluesky_harness import PASSWORD_ENV, BlueskyHarness, bluesky_harness, plan
from tests.test_engine import HOST, START


@pytest_asyncio.fixture
async def h(tmp_path: Path) -> AsyncIterator[BlueskyHarness]:
    async with bluesky_harness(tmp_path) as harness:
        yield harness


async def test_mirrored_steps_go_to_bluesky_once_each_with_facets_and_their_at_uris(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(minutes=3))
    texts = h.bluesky_texts()
    assert [t.split(" ")[0] for t in texts] == [
        "Welcome",
        "Q1:",
        "Q2:",
        "Q3:",
        "Last",
        "That's",
        "The",
    ]
    assert texts[1] == "Q1: What does serving mean? #LeadershipChat"
    assert "https://discord.com/channels/10/40/" in texts[-1]  # the recap's Discord message
    for post in h.fake.bot_posts:
        tags = [f["features"][0].get("tag") for f in post.record.get("facets", ()) if f["features"]]
        assert "LeadershipChat" in tags, post.text
    assert h.store is not None
    records = {r.key: r for r in await h.store.platform_steps.for_session(session_id)}
    assert {k for k, r in records.items() if r.status is StepStatus.SENT} == {
        "welcome",
        "q1",
        "q2",
        "q3",
        "last-call",
        "close",
        "recap",
    }
    assert sorted(r.post_ref or "" for r in records.values()) == sorted(
        p.uri for p in h.fake.bot_posts
    )


async def test_a_post_made_just_before_a_crash_is_found_not_posted_again(
    h: BlueskyHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The post reached Bluesky but the bot died before recording it: after the restart the
    account's own posts are read first, and the record takes that post."""
    session_id = await plan(h)
    assert h.store is not None
    real = type(h.store.platform_steps).mark_sent

    async def dies(self: object, session_id: int, key: str, *args: Any, **kw: Any) -> None:
        if key == "q1":
            raise ConnectionError("the process died here")
        await real(self, session_id, key, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(type(h.store.platform_steps), "mark_sent", dies)
    await h.run_until(START + timedelta(seconds=5))
    assert [t for t in h.bluesky_texts() if t.startswith("Q1")] != []
    await h.crash()
    monkeypatch.undo()
    await h.boot()
    await h.run_until(START + timedelta(minutes=3))
    assert [t.split(":")[0] for t in h.bluesky_texts() if t.startswith("Q")] == ["Q1", "Q2", "Q3"]
    assert h.store is not None
    record = await h.store.platform_steps.get(session_id, "q1", "bluesky")
    assert record is not None and record.status is StepStatus.SENT
    [q1] = [p for p in h.fake.bot_posts if p.text.startswith("Q1")]
    assert record.post_ref == q1.uri


async def test_an_app_password_bluesky_refuses_is_told_to_hosts_and_discord_runs_on(
    h: BlueskyHarness,
) -> None:
    h.environ[PASSWORD_ENV] = "wrong-wrong-wrong-wrong"
    await plan(h)
    notes = [p.content for p in h.transport.posts_in(HOST) if "Bluesky" in p.content]
    assert len(notes) == 1 and "Bluesky is not working for #LeadershipChat" in notes[0]
    assert PASSWORD_ENV in notes[0] and "wrong" not in notes[0]
    await h.run_until(START + timedelta(minutes=3))
    assert h.bluesky_texts() == []
    chat_posts = [p.content.split(":")[0] for p in h.transport.posts_in(20)]
    assert chat_posts[1:4] == ["Q1", "Q2", "Q3"]


async def test_a_refused_app_password_is_not_tried_every_poll_and_works_once_fixed(
    h: BlueskyHarness,
) -> None:
    """Each try counts against Bluesky's login allowance (30 per 5 minutes, 300 a day): a
    password tried at every poll of a chat would leave the right one refused after the fix."""
    h.environ[PASSWORD_ENV] = "wrong-wrong-wrong-wrong"
    await plan(h)
    await h.run_until(START + timedelta(minutes=3))
    logins = [c for c in h.fake.calls if c.nsid == "com.atproto.server.createSession"]
    assert len(logins) == 1  # the start-up check; the polls and posts do not try again
    await h.crash()
    told = len(h.transport.posts_in(HOST))
    h.environ[PASSWORD_ENV] = h.fake.bot.password  # the host fixes it and restarts
    await h.boot()
    await h.checked()
    assert h.transport.posts_in(HOST)[told:] == []  # logged in: nothing to tell
    assert h.platform is not None and h.platform.clients["leadershipchat"].did is not None


async def test_bluesky_down_at_start_up_is_not_told_as_a_password_to_fix(
    h: BlueskyHarness,
) -> None:
    with h.fake.outage(status=503):
        await plan(h)
    [note] = [p.content for p in h.transport.posts_in(HOST) if "Bluesky" in p.content]
    assert "restart" not in note and "nothing to fix unless it lasts" in note
    await h.run_until(START + timedelta(minutes=3))  # up again: it logs in by itself
    questions = [t.split(":")[0] for t in h.bluesky_texts() if t.startswith("Q")]
    assert questions == ["Q1", "Q2", "Q3"]


async def test_a_missing_app_password_is_told_to_hosts(h: BlueskyHarness) -> None:
    h.environ.clear()
    await plan(h)
    [note] = [p.content for p in h.transport.posts_in(HOST) if "Bluesky" in p.content]
    assert f"set the environment variable {PASSWORD_ENV}" in note


async def test_a_bluesky_outage_leaves_discord_on_time_and_bluesky_catches_up(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=4))
    with h.fake.outage(status=503):
        await h.run_until(START + timedelta(seconds=9))  # Q1's first three tries fail there
        assert [t for t in h.bluesky_texts() if t.startswith("Q")] == []
    await h.run_until(START + timedelta(seconds=26))
    assert h.store is not None
    home = {s.key: s for s in await h.store.steps.for_session(session_id)}
    for key in ("welcome", "q1", "q2", "q3"):
        assert home[key].status is StepStatus.SENT
        assert home[key].sent_at == home[key].due_at, key  # on time, to the (manual) second
    await h.run_until(START + timedelta(minutes=3))
    questions = [t.split(":")[0] for t in h.bluesky_texts() if t.startswith("Q")]
    assert sorted(questions) == ["Q1", "Q2", "Q3"]


@pytest.mark.parametrize("password", ["wrong-wrong-wrong-wrong", None])
async def test_posts_failed_for_want_of_the_app_password_go_late_once_fixed_and_restarted(
    h: BlueskyHarness, password: str | None
) -> None:
    """The app password is wrong (or missing) at start-up; the host fixes it and restarts the
    bot mid-chat: Bluesky members still get the welcome, Q1 and Q2, late, in order, once."""
    if password is None:
        h.environ.clear()
    else:
        h.environ[PASSWORD_ENV] = password
    await plan(h)
    await h.run_until(START + timedelta(seconds=20))  # welcome, Q1, Q2 out on Discord only
    assert h.bluesky_texts() == []
    await h.crash()
    told = len(h.transport.posts_in(HOST))
    h.environ[PASSWORD_ENV] = h.fake.bot.password
    h.clock.set(START + timedelta(seconds=22))
    await h.boot()
    await h.checked()
    await h.logged_in_again()
    await h.run_until(START + timedelta(minutes=3))
    firsts = [t.split(":")[0].split()[0] for t in h.bluesky_texts()]
    assert firsts[:4] == ["Welcome", "Q1", "Q2", "Q3"], h.bluesky_texts()
    assert len(h.bluesky_texts()) == len(set(h.bluesky_texts()))  # none twice
    assert [p.content for p in h.transport.posts_in(HOST)[told:] if "Bluesky" in p.content] == [
        "Bluesky is back for #LeadershipChat: posted welcome, Q1, Q2 late."
    ]
