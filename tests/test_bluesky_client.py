"""bot/bluesky/client.py against the fake Bluesky: login, posting with facets and replies,
deleting, search by tag with paging, threads, own posts, session renewal and error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from bot.bluesky.account import BlueskyAccount, account_from_env
from bot.bluesky.client import BlueskyClient
from bot.bluesky.errors import BlueskyError, BlueskyLoginError
from tests.fakebluesky import FakeBluesky

pytest_plugins = ["tests.fakebluesky.pytest_plugin"]

TAG = "LeadershipChat"


def account(fake: FakeBluesky, password: str | None = None) -> BlueskyAccount:
    return BlueskyAccount(
        fake.bot.handle, fake.base_url, password or fake.bot.password, "LC_BSKY_PASSWORD"
    )


@pytest_asyncio.fixture
async def bsky(fake_bluesky: FakeBluesky) -> AsyncIterator[BlueskyClient]:
    async with BlueskyClient(account(fake_bluesky)) as client:
        yield client


def now() -> datetime:
    return datetime.now(UTC)


async def test_login_checks_the_app_password_and_names_the_variable(
    fake_bluesky: FakeBluesky,
) -> None:
    async with BlueskyClient(account(fake_bluesky)) as client:
        assert (client.did, client.handle) == (fake_bluesky.bot.did, fake_bluesky.bot.handle)
    client = BlueskyClient(account(fake_bluesky, password="wxyz-wxyz-wxyz-wxyz"))
    with pytest.raises(BlueskyLoginError) as refused:
        await client.login()
    await client.close()
    message = str(refused.value)
    assert "Bluesky refused the login of leadershipchat.bsky.social" in message
    assert "Invalid identifier or password" in message and "LC_BSKY_PASSWORD" in message
    assert "wxyz" not in message and not refused.value.retryable


def test_a_missing_app_password_says_which_variable_to_set() -> None:
    with pytest.raises(BlueskyLoginError, match="set the environment variable LC_PW"):
        account_from_env("a.bsky.social", "https://bsky.social", "LC_PW", {"LC_PW": "  "})
    found = account_from_env(
        "a.bsky.social", "https://bsky.social", "LC_PW", {"LC_PW": "s3cr-et00-pass-word"}
    )
    assert found.password == "s3cr-et00-pass-word" and "s3cr" not in repr(found)


async def test_a_post_carries_facets_in_utf8_bytes_and_its_time(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    text = "👋 Q1: Wer führt? Recap: https://example.org/r/1. #LeadershipChat"
    before = now().replace(microsecond=0)
    sent = await bsky.post(text)
    [stored] = fake_bluesky.bot_posts
    assert stored.uri == sent.uri and stored.text == text
    assert sent.url == f"https://bsky.app/profile/{fake_bluesky.bot.did}/post/{stored.rkey}"
    raw = text.encode()
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in stored.record["facets"]
    }
    assert spans == {
        "https://example.org/r/1": {
            "$type": "app.bsky.richtext.facet#link",
            "uri": "https://example.org/r/1",
        },
        "#LeadershipChat": {"$type": "app.bsky.richtext.facet#tag", "tag": TAG},
    }
    assert before <= stored.created_at <= now() and sent.created_at == stored.created_at


async def test_a_reply_keeps_the_thread_root(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    question = await bsky.post("Q1: what builds trust? #LeadershipChat")
    answer = fake_bluesky.post("alice.bsky.social", "A1: listening", reply_to=question.uri)
    [found] = (await bsky.thread(question.uri)).replies  # type: ignore[union-attr]
    assert found.uri == answer.uri
    thanks = await bsky.post("Thanks Alice!", reply_to=found.reply_to())
    stored = fake_bluesky.world.post(thanks.uri)
    assert stored is not None
    assert stored.root_uri == question.uri and stored.parent_uri == answer.uri
    assert thanks.reply_parent == answer.uri


async def test_too_long_a_post_is_refused_before_any_request(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    calls = len(fake_bluesky.calls)
    with pytest.raises(BlueskyError, match="301 graphemes") as refused:
        await bsky.post("x" * 301)
    assert not refused.value.retryable and len(fake_bluesky.calls) == calls
    await bsky.post("🎉" * 300)  # 300 graphemes of 4 bytes: 1,200 bytes, fits
    assert len(fake_bluesky.bot_posts) == 1


async def test_delete_removes_the_post_and_is_idempotent(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    sent = await bsky.post("a mistake")
    await bsky.delete(sent.uri)
    assert fake_bluesky.bot_posts == []
    await bsky.delete(sent.uri)  # gone already: still fine (a retry after a lost answer)
    with pytest.raises(BlueskyError, match="not the AT-URI of a post"):
        await bsky.delete("at://did:plc:abc/app.bsky.actor.profile/self")


async def test_search_by_tag_pages_through_every_post_in_the_window(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    start = now() - timedelta(minutes=10)
    fake_bluesky.post(
        "early.bsky.social",
        "A1: too early #LeadershipChat",
        created_at=start - timedelta(seconds=1),
    )
    for i in range(230):
        fake_bluesky.post(f"m{i % 7}.bsky.social", f"A{i % 6 + 1}: answer {i} #leadershipchat")
    fake_bluesky.post("other.bsky.social", "no hashtag here")
    fake_bluesky.post("other.bsky.social", "#LeadershipChatter is another tag")
    calls = len(fake_bluesky.calls_to("app.bsky.feed.searchPosts"))
    found = await bsky.search_tag_all(TAG, since=start)
    assert len(found) == 230 and len({p.uri for p in found}) == 230
    assert len(fake_bluesky.calls_to("app.bsky.feed.searchPosts")) - calls == 3
    assert [p.created_at for p in found] == sorted((p.created_at for p in found), reverse=True)
    assert all(TAG.lower() in (t.lower() for t in p.tags) for p in found)
    page = await bsky.search_tag(TAG, since=start, until=start + timedelta(seconds=1), limit=5)
    assert page.posts == () and page.cursor is None


async def test_posts_map_author_labels_and_links(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    fake_bluesky.add_account("quiet.bsky.social", no_unauthenticated=True)
    fake_bluesky.post("quiet.bsky.social", "A1: only for logged-in readers #LeadershipChat")
    labelled = fake_bluesky.post(
        "loud.bsky.social", "A2: spicy #LeadershipChat", labels=("graphic-media",)
    )
    found = {
        p.author_handle: p
        for p in await bsky.search_tag_all(TAG, since=now() - timedelta(minutes=1))
    }
    quiet, loud = found["quiet.bsky.social"], found["loud.bsky.social"]
    assert not quiet.public and quiet.author_labels == ("!no-unauthenticated",)
    assert loud.public and loud.labels == ("graphic-media",)
    assert loud.uri == labelled.uri and loud.author_did == labelled.author.did
    assert loud.url.startswith(f"https://bsky.app/profile/{labelled.author.did}/post/")
    assert loud.platform == "bluesky" and loud.reply_parent is None


async def test_a_thread_lists_every_reply_and_a_deleted_one_is_none(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    question = await bsky.post("Q2: what drains trust? #LeadershipChat")
    a = fake_bluesky.post("alice.bsky.social", "A2: broken promises", reply_to=question.uri)
    b = fake_bluesky.post("bob.bsky.social", "agreed", reply_to=a.uri)
    gone = fake_bluesky.post("cara.bsky.social", "oops", reply_to=question.uri)
    fake_bluesky.delete(gone.uri)
    thread = await bsky.thread(question.uri)
    assert thread is not None and thread.post.uri == question.uri
    assert [(p.uri, p.reply_root and p.reply_root.uri) for p in thread.replies] == [
        (a.uri, question.uri),
        (b.uri, question.uri),
    ]
    await bsky.delete(question.uri)
    assert await bsky.thread(question.uri) is None


async def test_posts_by_uri_leave_out_deleted_ones_25_per_request(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    made = [fake_bluesky.post("alice.bsky.social", f"A1: {i}") for i in range(30)]
    fake_bluesky.delete(made[3].uri)
    calls = len(fake_bluesky.calls_to("app.bsky.feed.getPosts"))
    found = await bsky.posts([p.uri for p in made])
    assert [p.uri for p in found] == [p.uri for i, p in enumerate(made) if i != 3]
    assert len(fake_bluesky.calls_to("app.bsky.feed.getPosts")) - calls == 2


async def test_find_own_post_sees_a_post_made_just_before_a_crash(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    old = await bsky.post("Last call! #LeadershipChat")
    since = now()
    assert await bsky.find_own_post("Last call! #LeadershipChat", since=since) is None
    again = await bsky.post("Last call! #LeadershipChat")
    for i in range(120):  # more than one page of the repo's records
        await bsky.post(f"filler {i}")
    found = await bsky.find_own_post("Last call! #LeadershipChat", since=since)
    assert found is not None and found.uri == again.uri != old.uri
    assert len(await bsky.own_posts(since=since)) == 121


async def test_an_expired_session_is_refreshed_then_logged_in_again(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    fake_bluesky.expire_access_tokens()
    await bsky.post("after expiry")
    assert [c.error for c in fake_bluesky.calls_to("com.atproto.repo.createRecord")] == [
        "ExpiredToken",
        None,
    ]
    assert len(fake_bluesky.calls_to("com.atproto.server.refreshSession")) == 1
    fake_bluesky.expire_access_tokens()
    fake_bluesky.expire_refresh_tokens()
    await bsky.post("after both expired")
    assert len(fake_bluesky.calls_to("com.atproto.server.createSession")) == 2
    assert len(fake_bluesky.bot_posts) == 2


async def test_a_revoked_app_password_is_a_login_error(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    fake_bluesky.change_password(fake_bluesky.bot.handle, "new1-new2-new3-new4")
    fake_bluesky.expire_access_tokens()
    fake_bluesky.expire_refresh_tokens()
    with pytest.raises(BlueskyLoginError, match="LC_BSKY_PASSWORD"):
        await bsky.post("never sent")
    assert fake_bluesky.bot_posts == []


async def test_rate_limits_and_server_errors_are_retryable(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    fake_bluesky.fail_next("com.atproto.repo.createRecord", 429, retry_after=30)
    with pytest.raises(BlueskyError) as limited:
        await bsky.post("busy")
    assert limited.value.retryable and limited.value.status == 429
    assert limited.value.retry_after is not None and 28 <= limited.value.retry_after <= 31
    with fake_bluesky.outage(503):
        with pytest.raises(BlueskyError) as down:
            await bsky.search_tag(TAG, since=now())
        assert down.value.retryable and down.value.status == 503
    fake_bluesky.fail_next("app.bsky.feed.getPostThread", 502)
    with pytest.raises(BlueskyError) as bad_gateway:
        await bsky.thread("at://did:plc:abc/app.bsky.feed.post/3k44deefqdk2g")
    assert bad_gateway.value.retryable
    await bsky.post("after the outage")
    assert len(fake_bluesky.bot_posts) == 1


async def test_a_refused_request_is_not_retryable(
    fake_bluesky: FakeBluesky, bsky: BlueskyClient
) -> None:
    with pytest.raises(BlueskyError) as refused:
        await bsky.search_tag(TAG, since=now(), cursor="not-a-cursor")
    assert not refused.value.retryable and refused.value.status == 400


async def test_an_unreachable_service_is_retryable(fake_bluesky: FakeBluesky) -> None:
    client = BlueskyClient(account(fake_bluesky), timeout=2)
    await client.login()
    await fake_bluesky.stop()
    with pytest.raises(BlueskyError) as unreachable:
        await client.post("into the void")
    await client.close()
    assert unreachable.value.retryable and unreachable.value.status is None


async def test_reading_own_posts_logs_in_first(fake_bluesky: FakeBluesky) -> None:
    """After a restart the first call may be the check for a post an earlier attempt made."""
    client = BlueskyClient(account(fake_bluesky))
    try:
        assert (
            await client.find_own_post("nothing yet", since=datetime(2020, 1, 1, tzinfo=UTC))
            is None
        )
        assert client.did == fake_bluesky.bot.did
    finally:
        await client.close()
