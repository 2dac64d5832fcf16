"""The fake Bluesky behaves like Bluesky where the bot depends on it: sessions and their
errors, search windows and paging, threads and feeds, rate limits and outages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from tests.fakebluesky import FakeBluesky
from tests.fakebluesky.raw import RawXrpc

pytest_plugins = ["tests.fakebluesky.pytest_plugin"]

SEARCH = "app.bsky.feed.searchPosts"


async def test_sessions_need_a_valid_unexpired_token_and_refresh_rotates(
    fake_bluesky: FakeBluesky,
) -> None:
    async with RawXrpc(fake_bluesky) as xrpc:
        status, answer, _ = await xrpc.post(
            "com.atproto.server.createSession",
            {"identifier": fake_bluesky.bot.handle, "password": "wrong"},
            token=None,
        )
        assert (status, answer["error"]) == (401, "AuthenticationRequired")
        session = await xrpc.login()
        assert session["didDoc"]["service"][0]["serviceEndpoint"] == fake_bluesky.base_url
        assert (await xrpc.get(SEARCH, q="x"))[0] == 200
        status, answer, _ = await xrpc.get(SEARCH, token=None, q="x")
        assert (status, answer["error"]) == (401, "AuthenticationRequired")
        status, answer, _ = await xrpc.get(SEARCH, token=session["refreshJwt"], q="x")
        assert (status, answer["error"]) == (400, "InvalidToken")
        status, answer, _ = await xrpc.get(SEARCH, token=session["accessJwt"][:-2] + "xx", q="x")
        assert (status, answer["error"]) == (400, "InvalidToken")
        fake_bluesky.expire_access_tokens()
        status, answer, _ = await xrpc.get(SEARCH, q="x")
        assert (status, answer["error"]) == (400, "ExpiredToken")
        refresh = "com.atproto.server.refreshSession"
        status, renewed, _ = await xrpc.post(refresh, token=session["refreshJwt"])
        assert status == 200 and renewed["accessJwt"] != session["accessJwt"]
        status, answer, _ = await xrpc.post(refresh, token=session["refreshJwt"])  # used once
        assert (status, answer["error"]) == (400, "InvalidToken")
        status, _, _ = await xrpc.get(SEARCH, token=renewed["accessJwt"], q="x")
        assert status == 200


async def test_xrpc_method_rules(fake_bluesky: FakeBluesky) -> None:
    async with RawXrpc(fake_bluesky) as xrpc:
        await xrpc.login()
        status, answer, _ = await xrpc.post(SEARCH, {"q": "x"})
        assert (status, answer["error"]) == (400, "InvalidRequest")
        status, answer, _ = await xrpc.get("app.bsky.feed.getTimeline")
        assert (status, answer["error"]) == (501, "MethodNotImplemented")


async def test_search_window_tags_and_offset_paging() -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    async with FakeBluesky(clock=clock.now) as fake, RawXrpc(fake) as xrpc:
        await xrpc.login()
        start = clock.now()
        fake.post("a.bsky.social", "A1: first #LeadershipChat")
        clock.set(start + timedelta(seconds=10))
        late = fake.post("b.bsky.social", "A2: #leadershipchat late one")
        # written on a slow phone: created before it reached Bluesky, so it sorts earlier
        backdated = fake.post(
            "c.bsky.social",
            "A1: typed offline #LeadershipChat",
            created_at=start - timedelta(hours=1),
        )
        fake.post("d.bsky.social", "A1 without the tag")
        since = (start - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")

        async def uris(**query: object) -> list[str]:
            status, answer, _ = await xrpc.get(SEARCH, **query)
            assert status == 200, answer
            return [p["uri"] for p in answer["posts"]]

        assert await uris(q="#LeadershipChat", since=since) == [
            late.uri,
            fake.posts_by("a.bsky.social")[0].uri,
        ]
        assert await uris(q="offline", tag=["LEADERSHIPCHAT"], until=start.isoformat()) == [
            backdated.uri
        ]
        assert await uris(q="late #LeadershipChat") == [late.uri]
        assert await uris(
            q="#LeadershipChat", since=start.date().isoformat(), limit=1, cursor=1
        ) == [fake.posts_by("a.bsky.social")[0].uri]
        status, answer, _ = await xrpc.get(SEARCH, q="#x", since="yesterday")
        assert (status, answer["error"]) == (400, "BadQueryString")


async def test_author_feed_filters_and_time_cursor(fake_bluesky: FakeBluesky) -> None:
    async with RawXrpc(fake_bluesky) as xrpc:
        await xrpc.login()
        top = fake_bluesky.post("host.bsky.social", "Q1 #LeadershipChat")
        other = fake_bluesky.post("alice.bsky.social", "A1")
        own_reply = fake_bluesky.post("host.bsky.social", "thread", reply_to=top.uri)
        their_reply = fake_bluesky.post("host.bsky.social", "thanks", reply_to=other.uri)
        feed = "app.bsky.feed.getAuthorFeed"

        async def uris(**query: object) -> list[str]:
            status, answer, _ = await xrpc.get(feed, actor="host.bsky.social", **query)
            assert status == 200, answer
            return [item["post"]["uri"] for item in answer["feed"]]

        assert await uris() == [their_reply.uri, own_reply.uri, top.uri]
        assert await uris(filter="posts_no_replies") == [top.uri]
        assert await uris(filter="posts_and_author_threads") == [own_reply.uri, top.uri]
        status, page, _ = await xrpc.get(feed, actor="host.bsky.social", limit=2)
        assert page["feed"][0]["reply"]["parent"]["uri"] == other.uri
        fake_bluesky.post("host.bsky.social", "newer, does not shift the pages")
        assert await uris(cursor=page["cursor"]) == [top.uri]
        status, answer, _ = await xrpc.get(feed, actor="nobody.bsky.social")
        assert (status, answer["error"]) == (400, "InvalidRequest")


async def test_list_records_pages_by_record_key(fake_bluesky: FakeBluesky) -> None:
    made = [fake_bluesky.post(fake_bluesky.bot.handle, f"post {i}") for i in range(5)]
    async with RawXrpc(fake_bluesky) as xrpc:
        await xrpc.login()
        query = {"repo": fake_bluesky.bot.did, "collection": "app.bsky.feed.post", "limit": 3}
        _, first, _ = await xrpc.get("com.atproto.repo.listRecords", **query)
        _, second, _ = await xrpc.get(
            "com.atproto.repo.listRecords", **query, cursor=first["cursor"]
        )
        assert [r["uri"] for r in first["records"] + second["records"]] == [
            p.uri for p in reversed(made)
        ]
        assert "cursor" not in second
        _, oldest, _ = await xrpc.get("com.atproto.repo.listRecords", **query, reverse="true")
        assert [r["value"]["text"] for r in oldest["records"]] == ["post 0", "post 1", "post 2"]


async def test_rate_limit_headers_429_and_the_window_reset() -> None:
    clock = ManualClock(datetime.now(UTC))
    async with FakeBluesky(clock=clock.now) as fake, RawXrpc(fake) as xrpc:
        await xrpc.login()
        limit = fake.rate_limit("app.bsky.feed.*", 2, timedelta(minutes=5))
        _, _, headers = await xrpc.get(SEARCH, q="x")
        assert headers["RateLimit-Limit"] == "2" and headers["RateLimit-Remaining"] == "1"
        assert headers["RateLimit-Policy"] == "2;w=300"
        await xrpc.get(SEARCH, q="x")
        status, answer, headers = await xrpc.get(SEARCH, q="x")
        assert (status, answer["error"]) == (429, "RateLimitExceeded")
        reset = int(headers["RateLimit-Reset"])
        assert reset - clock.now().timestamp() == pytest.approx(300, abs=1)
        assert limit.refusals == 1
        clock.set(clock.now() + timedelta(minutes=5))
        assert (await xrpc.get(SEARCH, q="x"))[0] == 200


async def test_faults_on_demand(fake_bluesky: FakeBluesky) -> None:
    async with RawXrpc(fake_bluesky) as xrpc:
        await xrpc.login()
        rule = fake_bluesky.fail_next(SEARCH, 500, count=2)
        assert [(await xrpc.get(SEARCH, q="x"))[0] for _ in range(3)] == [500, 500, 200]
        assert rule.hits == 2
        with fake_bluesky.outage():
            status, answer, _ = await xrpc.get(
                "app.bsky.feed.getPosts", uris=["at://did:plc:abc/app.bsky.feed.post/3k44deefqdk2g"]
            )
            assert (status, answer["error"]) == (503, "NotEnoughResources")
        assert (await xrpc.get(SEARCH, q="x"))[0] == 200
        fake_bluesky.fail_next("com.atproto.*", 429, retry_after=7)
        status, _, headers = await xrpc.post(
            "com.atproto.repo.deleteRecord",
            {
                "repo": fake_bluesky.bot.did,
                "collection": "app.bsky.feed.post",
                "rkey": "3k44deefqdk2g",
            },
        )
        assert status == 429 and headers["RateLimit-Remaining"] == "0"
        assert [c.status for c in fake_bluesky.calls_to("com.atproto.repo.deleteRecord")] == [429]
