"""Capture on Bluesky by polling the fake through the real SDK: hashtag posts and replies to the
bot's questions, attributed by the engine's rules, stored with where they came from; deleted
posts removed before the recap; nothing lost while the bot was down; the no-unauthenticated
self-label kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.bluesky.posts import PLATFORM
from bot.domain.messages import MessageRow
from bot.domain.sessions import SessionStatus
from bot.maintenance.forget import forget_account
from bot.recap.build import build_recap
from bot.recap.inputs import load_recap_input
from tests.bluesky_harness import BlueskyHarness, bluesky_harness, plan
from tests.test_engine import ALICE, CHAT, START


@pytest_asyncio.fixture
async def h(tmp_path: Path) -> AsyncIterator[BlueskyHarness]:
    async with bluesky_harness(tmp_path) as harness:
        yield harness


def question_post(h: BlueskyHarness, n: int) -> str:
    [post] = [p for p in h.fake.bot_posts if p.text.startswith(f"Q{n}:")]
    return post.uri


async def stored(h: BlueskyHarness, session_id: int) -> list[MessageRow]:
    assert h.store is not None
    return [m for m in await h.store.messages.for_session(session_id) if m.platform == PLATFORM]


async def test_hashtag_posts_and_replies_to_questions_are_stored_and_attributed(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))  # Q1 out on both platforms
    ana = h.fake.post("ana.example.com", "A1 listening first #LeadershipChat")
    ben = h.fake.post("ben.example.com", "asking before telling", reply_to=question_post(h, 1))
    h.fake.post("cara.example.com", "an unrelated post about lunch")
    await h.run_until(START + timedelta(seconds=16))
    rows = {m.origin.post_ref: m for m in await stored(h, session_id) if m.origin}
    assert set(rows) == {ana.uri, ben.uri}  # not the bot's own posts, not cara's
    a = rows[ana.uri]
    assert (a.attribution.kind, a.attribution.questions) == ("answer", (1,))
    assert a.origin is not None and a.origin.author_handle == "ana.example.com"
    assert a.origin.author_ref == h.fake.world.account("ana.example.com").did  # type: ignore[union-attr]
    assert a.jump_url == f"https://bsky.app/profile/{a.origin.author_ref}/post/{ana.rkey}"
    assert a.content == "A1 listening first #LeadershipChat" and a.author_name == "ana.example.com"
    b = rows[ben.uri]
    assert (b.attribution.kind, b.attribution.questions) == ("answer", (1,))  # by its reply
    assert a.id < 0 and b.id < 0 and a.author_id < 0 and a.author_id != b.author_id
    await h.run_until(START + timedelta(seconds=40))  # more polls find the same posts again
    assert len(await stored(h, session_id)) == 2


async def test_a_post_deleted_before_the_recap_is_left_out_of_it(h: BlueskyHarness) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=16))
    kept = h.fake.post("ana.example.com", "A2 people I trusted #LeadershipChat")
    gone = h.fake.post("ben.example.com", "A2 oops wrong chat #LeadershipChat")
    await h.run_until(START + timedelta(seconds=21))
    assert len(await stored(h, session_id)) == 2
    h.fake.delete(gone.uri)
    await h.run_until(START + timedelta(minutes=3))
    assert h.recap.calls == [session_id]
    assert [m.origin.post_ref for m in await stored(h, session_id) if m.origin] == [kept.uri]
    assert h.transport.posts_in(40)[0].content.endswith("1 answers")


async def test_what_was_posted_while_the_bot_was_down_is_caught_up_once(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=7))
    before = h.fake.post("ana.example.com", "A1 before the crash #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    await h.crash()
    h.clock.set(START + timedelta(seconds=13))
    during = h.fake.post("ben.example.com", "while you were away", reply_to=question_post(h, 1))
    h.clock.set(START + timedelta(seconds=30))
    await h.boot()
    await h.run_until(START + timedelta(minutes=3))
    rows = await stored(h, session_id)
    assert sorted(m.origin.post_ref for m in rows if m.origin) == sorted([before.uri, during.uri])
    assert all(m.attribution.questions == (1,) for m in rows)
    assert h.store is not None
    session = await h.store.sessions.get(session_id)
    assert session is not None and session.status is SessionStatus.RECAPPED


async def test_an_account_that_hides_from_logged_out_readers_is_stored_as_not_public(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    h.fake.add_account("private.example.com", no_unauthenticated=True)
    await h.run_until(START + timedelta(seconds=6))
    h.fake.post("private.example.com", "A1 quietly #LeadershipChat")
    h.fake.post("open.example.com", "A1 loudly #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    public = {m.author_name: m.origin.public for m in await stored(h, session_id) if m.origin}
    assert public == {"private.example.com": False, "open.example.com": True}


async def test_a_member_linked_in_the_config_is_one_participant_in_the_recap(
    tmp_path: Path,
) -> None:
    async with bluesky_harness(tmp_path, links={"@Ana.Example.com": ALICE}) as h:
        session_id = await plan(h)
        await h.run_until(START + timedelta(seconds=6))
        await h.transport.member_post(ALICE, "Alice", "A1 on Discord", channel_id=CHAT)
        h.fake.post("ana.example.com", "A1 and on Bluesky #LeadershipChat")
        h.fake.post("zed.example.com", "A1 only on Bluesky #LeadershipChat")
        await h.run_until(START + timedelta(seconds=11))
        assert h.store is not None
        recap = build_recap(await load_recap_input(h.store.recap_source, session_id))
        people = {p.name: p.platforms for p in recap.participants}
        assert people == {"Alice": ("discord", "bluesky"), "zed.example.com": ("bluesky",)}
        assert recap.stats.participants == 2 and recap.stats.answers == 3


async def test_forget_by_handle_erases_the_account_and_its_posts_are_not_collected_again(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    h.fake.post("ana.example.com", "A1 something personal #LeadershipChat")
    h.fake.post("ben.example.com", "A1 staying #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    assert h.store is not None
    report = await forget_account(h.store, PLATFORM, "ana.example.com")
    assert (
        report.deleted.get("messages") == 1
        and "Bluesky account ana.example.com" in (report.lines()[0])
    )
    rows = await h.store.messages.for_session(session_id, include_deleted=True)
    text = repr([m for m in rows if m.author_name != "ben.example.com"])
    assert "ana.example.com" not in text and "did:" not in text and "personal" not in text
    await h.run_until(START + timedelta(seconds=21))  # polls see her post again: not stored
    assert [m.author_name for m in await stored(h, session_id)] == ["ben.example.com"]
    again = h.fake.post("ana.example.com", "A2 back again #LeadershipChat")
    await h.run_until(START + timedelta(seconds=26))
    rows = {m.origin.post_ref: m for m in await stored(h, session_id) if m.origin}
    assert again.uri in rows and len(rows) == 2  # someone new to the bot, from now on


async def test_bluesky_down_at_the_recap_neither_holds_it_nor_drops_stored_posts(
    h: BlueskyHarness,
) -> None:
    """The delete check cannot tell a deleted post from an unreachable Bluesky: when Bluesky
    is down, what is stored stays, and the recap goes out."""
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    h.fake.post("ana.example.com", "A1 stored before the outage #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    with h.fake.outage(status=503):
        await h.run_until(START + timedelta(minutes=3))
    assert h.recap.calls == [session_id]
    assert h.transport.posts_in(40)[0].content.endswith("1 answers")
    assert [m.author_name for m in await stored(h, session_id)] == ["ana.example.com"]


async def test_a_handle_changed_before_the_recap_is_the_name_in_it(h: BlueskyHarness) -> None:
    """The old handle may pass to a stranger: the recap names the account as it is then."""
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    h.fake.post("ana.example.com", "A1 before renaming #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    account = h.fake.world.account("ana.example.com")
    assert account is not None
    account.handle = "ana-new.example.com"
    await h.run_until(START + timedelta(minutes=3))
    assert h.store is not None
    recap = build_recap(await load_recap_input(h.store.recap_source, session_id))
    assert [p.name for p in recap.participants] == ["ana-new.example.com"]
