"""Hosts' moderation of the chat's Bluesky side, through the application service: one post
hidden from the recap by its link, an account ignored (its posts hidden, no more collected) and
taken back; clear answers for what is not a post of this chat; a recap already out is redone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.app.bluesky_moderation import BlueskyModeration, parse_account, parse_post_link
from bot.app.moderation import ModerationLog
from bot.bluesky.posts import PLATFORM
from bot.config import ChatSettings
from bot.maintenance.forget import forget_account
from bot.recap.build import build_recap
from bot.recap.inputs import load_recap_input
from bot.store import Store
from tests.bluesky_harness import BlueskyHarness, bluesky_harness, plan
from tests.test_engine import START

MOD_LOG = 80


@pytest_asyncio.fixture
async def h(tmp_path: Path) -> AsyncIterator[BlueskyHarness]:
    async with bluesky_harness(tmp_path) as harness:
        yield harness


def chat_with_mod_log(h: BlueskyHarness) -> ChatSettings:
    chat = h.settings.chats[0]
    return chat.model_copy(
        update={"channels": chat.channels.model_copy(update={"mod_log": MOD_LOG})}
    )


def service(h: BlueskyHarness) -> tuple[BlueskyModeration, list[str]]:
    assert h.store is not None
    redone: list[str] = []
    mod_log = ModerationLog(h.store, h.transport, h.clock)
    return BlueskyModeration(h.store, mod_log, h.clock, lambda: redone.append("redo")), redone


async def recap_texts(store: Store, session_id: int) -> list[str]:
    recap = build_recap(await load_recap_input(store.recap_source, session_id))
    threads = [t for q in recap.questions for t in q.threads]
    return sorted(m.text for t in threads for m in (t.message, *t.replies))


def test_links_and_accounts_are_read_in_the_forms_hosts_paste() -> None:
    did = "did:plc:abcdefghijklmnopqrstuvwx"
    for text in (
        "https://bsky.app/profile/ana.example.com/post/3kabc123",
        "<https://bsky.app/profile/ana.example.com/post/3kabc123?ref=x>",
        "at://ana.example.com/app.bsky.feed.post/3kabc123",
    ):
        link = parse_post_link(text)
        assert link is not None and (link.author, link.rkey) == ("ana.example.com", "3kabc123")
    for bad in ("https://bsky.app/profile/ana.example.com", "https://example.com/post/1", "A1"):
        assert parse_post_link(bad) is None
    assert parse_account("@Ana.Example.com") == "ana.example.com"
    assert parse_account(f"https://bsky.app/profile/{did}") == did
    assert parse_account("not a handle") is None


async def test_a_hidden_post_leaves_the_recap_and_is_logged_once(h: BlueskyHarness) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    spam = h.fake.post("spam.example.com", "A1 BUY FOLLOWERS @here #LeadershipChat")
    h.fake.post("ana.example.com", "A1 listening first #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    assert h.store is not None
    assert len(await recap_texts(h.store, session_id)) == 2
    mod, redone = service(h)
    chat = chat_with_mod_log(h)
    link = f"https://bsky.app/profile/spam.example.com/post/{spam.rkey}"

    answer = await mod.hide_post(chat, link, "Hana")  # by a handle, though stored by DID
    assert answer.startswith("Hidden") and "spam.example.com" in answer
    assert await recap_texts(h.store, session_id) == ["A1 listening first #LeadershipChat"]
    [line] = h.transport.posts_in(MOD_LOG)
    assert line.content.startswith("**hide-from-recap**: @\u200bspam.example.com (`did:")
    assert "hidden from the recap by Hana" in line.content and "@here" not in line.content
    [found] = [m for m in await h.store.messages.for_session(session_id) if m.hidden]
    [action] = await h.store.moderation.for_user(found.author_id)
    assert (action.action, action.message_id) == ("hide-from-recap", found.id)

    assert "already hidden" in await mod.hide_post(chat, spam.uri, "Hana")  # by AT-URI
    assert "not a Bluesky post" in await mod.hide_post(chat, "https://example.com/x", "Hana")
    unknown = link.replace(spam.rkey, "3zzzzzzzzzzzz")
    assert "not part of a #LeadershipChat chat" in await mod.hide_post(chat, unknown, "Hana")
    other = chat.model_copy(update={"name": "otherchat", "hashtag": "#OtherChat"})
    assert "not part of a #OtherChat chat" in await mod.hide_post(other, link, "Hana")
    assert len(h.transport.posts_in(MOD_LOG)) == 1 and redone == []  # no recap out yet


async def test_hiding_a_post_after_the_recap_redoes_the_published_copies(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    troll = h.fake.post("troll.example.com", "A1 you are all wrong #LeadershipChat")
    await h.run_until(START + timedelta(minutes=3))  # closed and recapped
    assert h.recap.calls == [session_id] and h.store is not None
    assert not await h.store.redo.any_pending()
    mod, redone = service(h)
    answer = await mod.hide_post(chat_with_mod_log(h), troll.uri, "Hana")
    assert "being redone" in answer and redone == ["redo"]
    [work] = await h.store.redo.pending_files()
    assert (work.session_id, work.reason) == (session_id, "hide")
    assert await recap_texts(h.store, session_id) == []


async def test_an_ignored_account_is_hidden_and_not_collected_until_taken_back(
    h: BlueskyHarness,
) -> None:
    session_id = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    h.fake.post("troll.example.com", "A1 first #LeadershipChat")
    h.fake.post("ana.example.com", "A1 listening first #LeadershipChat")
    await h.run_until(START + timedelta(seconds=11))
    mod, _ = service(h)
    chat = chat_with_mod_log(h)
    assert h.store is not None

    answer = await mod.ignore_account(chat, "@Troll.example.com", "Hana")
    assert answer.startswith("Ignored") and "1 post(s)" in answer
    assert "already ignored" in await mod.ignore_account(chat, "troll.example.com", "Hana")
    assert "no post from" in await mod.ignore_account(chat, "nobody.example.com", "Hana")
    await h.run_until(START + timedelta(seconds=16))  # Q2 is out
    h.fake.post("troll.example.com", "A2 second #LeadershipChat")
    await h.run_until(START + timedelta(seconds=26))  # polls see both its posts
    stored = [m.content for m in await h.store.messages.for_session(session_id)]
    assert "A2 second #LeadershipChat" not in stored
    assert await recap_texts(h.store, session_id) == ["A1 listening first #LeadershipChat"]
    [line] = h.transport.posts_in(MOD_LOG)
    assert line.content.startswith("**ignore-account**: @\u200btroll.example.com (`did:")

    answer = await mod.unignore_account(chat, "troll.example.com", "Hana")
    assert "collected again" in answer and "back in the recap" in answer
    assert "not ignored" in await mod.unignore_account(chat, "troll.example.com", "Hana")
    await h.run_until(START + timedelta(seconds=31))
    texts = await recap_texts(h.store, session_id)
    assert "A1 first #LeadershipChat" in texts and "A2 second #LeadershipChat" in texts
    actions = [
        a.action
        for a in await h.store.moderation.for_user(
            (await h.store.posts_elsewhere.account(PLATFORM, "troll.example.com")).member_id  # type: ignore[union-attr]
        )
    ]
    assert actions == ["ignore-account", "unignore-account"]


async def test_forgetting_an_ignored_account_leaves_no_trace_of_it(h: BlueskyHarness) -> None:
    """An account never collected is named by its DID; `forget` erases the ignore row too."""
    await plan(h)
    mod, _ = service(h)
    chat = chat_with_mod_log(h)
    did = "did:plc:abcdefghijklmnopqrstuvwx"
    assert h.store is not None
    assert (await mod.ignore_account(chat, did, "Hana")).startswith("Ignored")
    assert await h.store.ignored.refs(chat.name, PLATFORM) == {did}
    report = await forget_account(h.store, PLATFORM, did)
    assert report.deleted.get("ignored_accounts") == 1
    assert await h.store.ignored.refs(chat.name, PLATFORM) == set()
