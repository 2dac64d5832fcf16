"""After the recap, a member's Bluesky posts stay in the published copies only while they are
public: the daily recheck (and its start-up run) against the fake Bluesky through the real SDK,
then the redo of the published copies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.bluesky.posts import PLATFORM, BlueskyPost
from bot.bluesky.recheck import AFTER_START, BlueskyRecheck, look_again
from bot.config import ChatSettings
from bot.engine.recap_publisher import publish_recap
from bot.maintenance.forget import finish_pending, forget_account
from bot.recap.site import load_site_recaps, write_site
from tests.bluesky_harness import BlueskyHarness, bluesky_harness, plan
from tests.test_engine import START

KEPT, REGRET, QUIET = "kept-words", "regret-words", "quiet-words"


@dataclass
class Chatted:
    h: BlueskyHarness
    session_id: int
    site: Path
    regret_uri: str

    @property
    def recheck(self) -> BlueskyRecheck:
        assert self.h.platform is not None and self.h.platform.recheck is not None
        return self.h.platform.recheck

    @property
    def chat(self) -> ChatSettings:
        return self.h.settings.chats[0]

    def words_in(self, folder: Path) -> set[str]:
        found = set()
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_text(errors="replace")
                found |= {w for w in (KEPT, REGRET, QUIET) if w in data}
        return found

    async def redo(self) -> None:
        assert self.h.store is not None
        await finish_pending(self.h.store, self.h.settings, self.h.clock.now())

    async def live_refs(self) -> set[str]:
        assert self.h.store is not None
        stored = await self.h.store.posts_elsewhere.elsewhere(self.session_id, PLATFORM)
        return {ref for ref, (_, deleted) in stored.items() if not deleted}


@pytest_asyncio.fixture
async def chatted(tmp_path: Path) -> AsyncIterator[Chatted]:
    """Three Bluesky answers, the recap published and an archive site written."""
    async with bluesky_harness(tmp_path) as h:
        h.recap = publish_recap  # type: ignore[assignment]
        session_id = await plan(h)
        await h.run_until(START + timedelta(seconds=6))
        h.fake.post("ana.example.com", f"A1 {KEPT} #LeadershipChat")
        regret = h.fake.post("ben.example.com", f"A1 {REGRET} #LeadershipChat")
        h.fake.post("cara.example.com", f"A1 {QUIET} #LeadershipChat")
        await h.run_until(START + timedelta(minutes=3))
        assert h.store is not None
        site = tmp_path / "site"
        write_site(await load_site_recaps(h.store.recap_source, h.settings), site, "Archive")
        await h.store.redo.record_output("site", site.resolve(), START, title="Archive")
        yield Chatted(h, session_id, site, regret.uri)


async def test_a_post_deleted_and_an_account_hidden_after_the_recap_leave_the_site(
    chatted: Chatted,
) -> None:
    c, h = chatted, chatted.h
    assert c.words_in(c.site) == {KEPT, REGRET, QUIET}
    h.fake.delete(c.regret_uri)
    h.fake.set_no_unauthenticated("cara.example.com")
    h.clock.set(h.clock.now() + timedelta(days=1))
    assert await c.recheck.run() == [c.session_id]
    await c.redo()
    assert c.words_in(c.site) == {KEPT}  # the public site: neither the deleted nor the hidden
    assert c.words_in(h.settings.recap_dir) == {KEPT, QUIET}  # the hosts' files keep Cara's
    assert await c.recheck.run() == []  # nothing new: nothing queued again


async def test_a_member_who_shows_their_posts_again_is_back_on_the_site(chatted: Chatted) -> None:
    c, h = chatted, chatted.h
    h.fake.set_no_unauthenticated("cara.example.com")
    assert await c.recheck.run() == [c.session_id]
    await c.redo()
    assert QUIET not in c.words_in(c.site)
    h.fake.set_no_unauthenticated("cara.example.com", on=False)
    assert await c.recheck.run() == [c.session_id]
    await c.redo()
    assert QUIET in c.words_in(c.site)


async def test_the_start_up_run_catches_a_delete_made_while_the_bot_was_down(
    chatted: Chatted,
) -> None:
    c, h = chatted, chatted.h
    await h.crash()
    h.clock.set(h.clock.now() + timedelta(days=2))
    h.fake.delete(c.regret_uri)
    await h.boot()
    assert c.regret_uri in await c.live_refs()
    await h.run_until(h.clock.now() + AFTER_START)
    assert c.regret_uri not in await c.live_refs()
    assert h.store is not None and await h.store.redo.any_pending()


async def test_a_bluesky_outage_changes_nothing_and_the_next_run_does_it(
    chatted: Chatted,
) -> None:
    c, h = chatted, chatted.h
    h.fake.delete(c.regret_uri)
    with h.fake.outage(503):
        assert await c.recheck.run() == []
    assert c.regret_uri in await c.live_refs()
    assert await c.recheck.run() == [c.session_id]
    assert c.regret_uri not in await c.live_refs()


async def test_sessions_older_than_recheck_days_are_not_looked_at(chatted: Chatted) -> None:
    c, h = chatted, chatted.h
    h.fake.delete(c.regret_uri)
    assert c.chat.bluesky is not None
    h.clock.set(h.clock.now() + timedelta(days=c.chat.bluesky.recheck_days + 1))
    before = len(h.fake.calls)
    assert await c.recheck.run() == []
    assert not [x for x in h.fake.calls[before:] if x.nsid == "app.bsky.feed.getPosts"]
    assert c.regret_uri in await c.live_refs()


async def test_a_run_costs_one_getposts_for_up_to_25_stored_posts(chatted: Chatted) -> None:
    c, h = chatted, chatted.h
    before = len(h.fake.calls)
    await c.recheck.run()
    asked = [x for x in h.fake.calls[before:] if x.nsid == "app.bsky.feed.getPosts"]
    assert len(asked) == 1 and len(asked[0].query["uris"]) == 3


async def test_a_handle_changed_after_the_chat_is_followed_and_forget_finds_it(
    chatted: Chatted,
) -> None:
    """The old handle may pass to a stranger: the copies name the account as it is now, and
    `forget` by the new handle (what the member knows) finds the posts."""
    c, h = chatted, chatted.h
    account = h.fake.world.account("ana.example.com")
    assert account is not None
    account.handle = "ana-new.example.com"
    assert await c.recheck.run() == [c.session_id]
    await c.redo()
    site = "".join(p.read_text() for p in c.site.rglob("*.html"))
    assert "ana-new.example.com" in site and "ana.example.com" not in site
    assert h.store is not None
    report = await forget_account(h.store, PLATFORM, "ana-new.example.com")
    assert report.deleted.get("messages") == 1


class OddAppView:
    """A client whose first answer leaves a post out that is still there (an AppView having
    a moment), then answers right."""

    def __init__(self, posts: list[BlueskyPost]) -> None:
        self.all, self.asked = posts, 0

    async def posts(self, uris: Sequence[str]) -> list[BlueskyPost]:
        self.asked += 1
        found = [p for p in self.all if p.uri in uris]
        return found[1:] if self.asked == 1 else found


async def test_a_post_left_out_of_one_answer_is_asked_again_before_it_counts_as_gone() -> None:
    when = START
    posts = [
        BlueskyPost(f"at://did:plc:a/app.bsky.feed.post/{n}", "cid", "did:plc:a", "a.b.c", when, "")
        for n in ("3k1", "3k2")
    ]
    client = OddAppView(posts)
    looked = await look_again(client, {p.uri: -n for n, p in enumerate(posts, 1)})  # type: ignore[arg-type]
    assert looked.gone == () and sorted(looked.shown) == [-2, -1] and client.asked == 2
