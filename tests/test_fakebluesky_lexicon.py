"""The fake Bluesky's lexicon checks: the vendored documents are complete, the validator reads
them right, and a wrong request or answer fails the test that caused it, naming method and field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fakebluesky import FakeBluesky, Lexicons, LexiconViolationError
from tests.fakebluesky.handlers import METHODS
from tests.fakebluesky.raw import RawXrpc
from tests.fakebluesky.xrpc import Call, Method

pytest_plugins = ["tests.fakebluesky.pytest_plugin"]

LEX = Lexicons()


def _refs(node: Any, base: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "ref":
            found.append(LEX.full_ref(node["ref"], base))
        if node.get("type") == "union":
            found += [LEX.full_ref(r, base) for r in node["refs"]]
        for value in node.values():
            found += _refs(value, base)
    elif isinstance(node, list):
        for value in node:
            found += _refs(value, base)
    return found


def test_every_reference_from_the_served_methods_is_vendored() -> None:
    todo = [f"{nsid}#main" for nsid in [*METHODS, "app.bsky.feed.post"]]
    seen: set[str] = set()
    missing = []
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        nsid = ref.split("#")[0]
        target = LEX.resolve(ref, nsid)
        if target is None:
            missing.append(ref)
            continue
        todo += _refs(target[1], nsid)
    assert missing == []
    assert len(seen) > 60  # postView alone reaches embeds, labels, threadgates...


def test_records_are_checked_with_graphemes_bytes_formats_and_unions() -> None:
    def problems(record: dict[str, Any]) -> list[str]:
        found = LEX.check_record("app.bsky.feed.post", record, method="test")
        return [f"{v.path}: {v.problem}" for v in found]

    ok = {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-11-24T01:00:00.000Z"}
    assert problems(ok) == []
    assert problems({**ok, "text": "👍🏽" * 300}) == []  # 300 graphemes, 2,400 bytes
    assert problems({**ok, "text": "a" * 3001}) == [
        "text: is 3001 UTF-8 bytes; at most 3000",
        "text: is 3001 graphemes; at most 300",
    ]
    assert problems({"$type": "app.bsky.feed.post", "text": "hi"}) == [
        "createdAt: is required but missing"
    ]
    facet = {"index": {"byteStart": 0, "byteEnd": 2}, "features": [{"tag": "x"}]}
    assert problems({**ok, "facets": [facet]}) == [
        "facets[0].features[0]: needs a $type naming one of the union's types"
    ]
    unknown_feature = {"$type": "app.bsky.richtext.facet#sparkle"}  # open union: allowed
    assert problems({**ok, "facets": [{**facet, "features": [unknown_feature]}]}) == []
    reply = {"root": {"uri": "at://did:plc:abc/app.bsky.feed.post/x", "cid": "short"}}
    assert problems({**ok, "reply": reply, "lang": "en"}) == [
        "reply.parent: is required but missing",
        "reply.root.cid: 'short' is not a valid cid",
        "lang: is not a field of this object in the lexicon",
    ]
    assert problems({**ok, "$type": "app.bsky.feed.like"}) == [
        "$type: is 'app.bsky.feed.like'; the collection is 'app.bsky.feed.post'"
    ]


def test_query_parameters_are_read_as_xrpc_servers_read_them() -> None:
    def problems(query: dict[str, list[str]]) -> list[str]:
        return [str(v) for v in LEX.check_params("app.bsky.feed.searchPosts", query)]

    assert problems({"q": ["#x"], "limit": ["100"], "tag": ["a", "b"]}) == []
    assert problems({"limit": ["ten"], "since": ["x", "y"], "tags": ["a"]}) == [
        "app.bsky.feed.searchPosts parameters: since: is given 2 times; it takes one value",
        "app.bsky.feed.searchPosts parameters: q: is required but missing",
        "app.bsky.feed.searchPosts parameters: limit: must be an integer, not 'ten'",
        "app.bsky.feed.searchPosts parameters: tags: is not a field of this object in the lexicon",
    ]


def test_error_answers_must_use_declared_or_generic_names() -> None:
    nsid = "app.bsky.feed.getPostThread"
    assert LEX.check_error(nsid, {"error": "NotFound", "message": "gone"}) == []
    assert LEX.check_error(nsid, {"error": "ExpiredToken"}) == []
    assert [v.problem for v in LEX.check_error(nsid, {"error": "Oops", "code": 1})] == [
        "is not a field of an XRPC error",
        "'Oops' is neither an error of app.bsky.feed.getPostThread nor a generic XRPC error",
    ]


async def test_a_wrong_request_is_refused_and_fails_the_test(fake_bluesky: FakeBluesky) -> None:
    record = {"$type": "app.bsky.feed.post", "text": "x" * 301, "createdAt": "now"}
    body = {"repo": fake_bluesky.bot.did, "collection": "app.bsky.feed.post", "record": record}
    async with RawXrpc(fake_bluesky) as xrpc:
        await xrpc.login()
        status, answer, _ = await xrpc.post("com.atproto.repo.createRecord", body)
    assert status == 400 and answer["error"] == "InvalidRequest"
    assert answer["message"] == "record.text: is 301 graphemes; at most 300"
    assert fake_bluesky.bot_posts == []
    assert [str(v) for v in fake_bluesky.conformance.violations] == [
        "com.atproto.repo.createRecord input: record.text: is 301 graphemes; at most 300",
        "com.atproto.repo.createRecord input: record.createdAt: 'now' is not a valid datetime",
    ]
    with pytest.raises(LexiconViolationError, match=r"2 lexicon violation\(s\):\n  com\.atproto"):
        fake_bluesky.conformance.raise_if_any()


async def test_a_wrong_answer_of_the_fake_is_caught(
    fake_bluesky: FakeBluesky, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def bad_search(call: Call) -> Any:
        return {
            "posts": [{"uri": "at://x", "author": {"did": "did:plc:abc", "handle": "Not A Handle"}}]
        }

    monkeypatch.setitem(METHODS, "app.bsky.feed.searchPosts", Method(bad_search))
    async with RawXrpc(fake_bluesky) as xrpc:
        await xrpc.login()
        status, _, _ = await xrpc.get("app.bsky.feed.searchPosts", q="#x")
    assert status == 200  # answered as written; the check reports it
    assert [str(v) for v in fake_bluesky.conformance.take()] == [
        "app.bsky.feed.searchPosts output: posts[0].cid: is required but missing",
        "app.bsky.feed.searchPosts output: posts[0].record: is required but missing",
        "app.bsky.feed.searchPosts output: posts[0].indexedAt: is required but missing",
        "app.bsky.feed.searchPosts output: posts[0].uri: 'at://x' is not a valid at-uri",
        "app.bsky.feed.searchPosts output: posts[0].author.handle: 'Not A Handle' is not a valid handle",
    ]


async def test_stop_fails_with_the_violations_left() -> None:
    fake = FakeBluesky()
    await fake.start()
    async with RawXrpc(fake) as xrpc:
        await xrpc.login()
        status, answer, _ = await xrpc.get("app.bsky.feed.searchPosts", q="#x", limit=500)
    assert status == 400 and answer["message"] == "limit: 500 is above the maximum 100"
    with pytest.raises(LexiconViolationError) as failed:
        await fake.stop()
    assert "app.bsky.feed.searchPosts parameters: limit: 500 is above the maximum 100" in str(
        failed.value
    )


async def test_members_cannot_post_records_the_lexicon_refuses(fake_bluesky: FakeBluesky) -> None:
    with pytest.raises(ValueError, match="text: is 301 graphemes"):
        fake_bluesky.post("alice.bsky.social", "y" * 301)
    with pytest.raises(ValueError, match=r"labels.values: has 11 items; at most 10"):
        fake_bluesky.post("alice.bsky.social", "hi", labels=tuple(f"l{i}" for i in range(11)))
    assert json.dumps(fake_bluesky.post("alice.bsky.social", "ok").record)
