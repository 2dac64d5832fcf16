"""The served XRPC methods: sessions (com.atproto.server), repo writes and reads
(com.atproto.repo), and the AppView reads (app.bsky.feed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.atproto_syntax import POST_COLLECTION, parse_datetime

from .state import Account, StoredPost
from .views import feed_view, post_view, thread_view
from .xrpc import Call, Method, XrpcError


def did_doc(account: Account, base_url: str) -> dict[str, Any]:
    """The account's DID document, naming this server as its PDS (the SDK moves there)."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": account.did,
        "alsoKnownAs": [f"at://{account.handle}"],
        "service": [
            {
                "id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": base_url,
            }
        ],
    }


async def create_session(call: Call) -> Any:
    identifier, password = call.body["identifier"], call.body["password"]
    account = call.world.account(identifier.removeprefix("@"))
    if account is None or account.password != password:
        raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
    return {**call.world.new_session(account), "didDoc": did_doc(account, call.base_url)}


async def refresh_session(call: Call) -> Any:
    assert call.bearer is not None
    call.world.tokens[call.bearer].revoked = True  # refresh tokens are single-use (rotation)
    return {**call.world.new_session(call.me), "didDoc": did_doc(call.me, call.base_url)}


def _commit(call: Call) -> dict[str, str]:
    rev = call.world.tids.next(call.world.now())
    return {"cid": f"bafyreicommit{rev}", "rev": rev}


async def create_record(call: Call) -> Any:
    """Only posts can be written; the record was checked against its lexicon before."""
    call.own_repo(call.body["repo"])
    if call.body["collection"] != POST_COLLECTION:
        raise XrpcError(400, "InvalidRequest", f"the fake only stores {POST_COLLECTION} records")
    try:
        post = call.world.store_post(call.me, call.body["record"], call.body.get("rkey"))
    except KeyError:
        raise XrpcError(400, "InvalidRequest", "Record already exists") from None
    return {"uri": post.uri, "cid": post.cid, "commit": _commit(call), "validationStatus": "valid"}


async def delete_record(call: Call) -> Any:
    """Deleting a record that is not there succeeds, as on a real PDS."""
    call.own_repo(call.body["repo"])
    uri = f"at://{call.me.did}/{call.body['collection']}/{call.body['rkey']}"
    found = call.world.post(uri)
    if found is not None:
        found.deleted = True
    return {"commit": _commit(call)}


async def list_records(call: Call) -> Any:
    """The repo's records of a collection by record key, newest first (oldest with reverse);
    the cursor is the last key returned. Straight from the repo: nothing waits for indexing."""
    account = call.world.account(call.one("repo") or "")
    if account is None:
        raise XrpcError(400, "InvalidRequest", f"Could not find repo: {call.one('repo')}")
    reverse, cursor = call.flag("reverse"), call.one("cursor")
    posts = [
        p
        for p in call.world.live_posts()
        if p.author is account and call.one("collection") == POST_COLLECTION
    ]
    posts.sort(key=lambda p: p.rkey, reverse=not reverse)
    if cursor is not None:
        posts = [p for p in posts if (p.rkey > cursor if reverse else p.rkey < cursor)]
    page = posts[: call.integer("limit", 50)]
    out: dict[str, Any] = {
        "records": [{"uri": p.uri, "cid": p.cid, "value": p.record} for p in page]
    }
    if len(posts) > len(page):
        out["cursor"] = page[-1].rkey
    return out


def _search_time(call: Call, name: str) -> datetime | None:
    text = call.one(name)
    if text is None:
        return None
    when = parse_datetime(text)
    if when is None:
        try:
            when = datetime.fromisoformat(text).replace(tzinfo=UTC) if len(text) == 10 else None
        except ValueError:
            when = None
    if when is None:
        raise XrpcError(400, "BadQueryString", f"{name}: {text!r} is neither a datetime nor a date")
    return when


def _matches(post: StoredPost, call: Call, words: list[str], tags: set[str]) -> bool:
    text = post.text.lower()
    if not tags <= post.tags or not all(w in text for w in words):
        return False
    author = call.one("author")
    if author is not None and post.author is not call.world.account(author):
        return False
    lang = call.one("lang")
    return lang is None or lang in post.record.get("langs", ())


async def search_posts(call: Call) -> Any:
    """`q` words must all be in the text, `#tag` words and every `tag` must be hashtags of the
    post; since (inclusive) and until (exclusive) apply to sortAt; newest first; the cursor is
    an offset, as in Bluesky's search service."""
    for name in ("mentions", "domain", "url"):
        if call.one(name) is not None:
            raise XrpcError(400, "InvalidRequest", f"the fake does not search by {name}")
    words = [w.lower() for w in (call.one("q") or "").split()]
    tags = {w[1:] for w in words if w.startswith(("#", "＃")) and len(w) > 1}
    tags |= {t.lower() for t in call.query.get("tag", ())}
    words = [w for w in words if not w.startswith(("#", "＃"))]
    since, until = _search_time(call, "since"), _search_time(call, "until")
    hits = [
        p
        for p in call.world.live_posts()
        if _matches(p, call, words, tags)
        and (since is None or p.sort_at >= since)
        and (until is None or p.sort_at < until)
    ]
    hits.sort(key=lambda p: (p.sort_at, p.rkey), reverse=True)
    cursor = call.one("cursor") or "0"
    if not cursor.isdigit():
        raise XrpcError(400, "InvalidRequest", f"bad cursor {cursor!r}")
    start, limit = int(cursor), call.integer("limit", 25)
    page = hits[start : start + limit]
    out: dict[str, Any] = {
        "posts": [post_view(p, call.world) for p in page],
        "hitsTotal": len(hits),
    }
    if start + limit < len(hits):
        out["cursor"] = str(start + limit)
    return out


async def get_post_thread(call: Call) -> Any:
    uri = call.one("uri") or ""
    post = call.world.post(uri)
    if post is None:
        raise XrpcError(400, "NotFound", f"Post not found: {uri}")
    depth, height = call.integer("depth", 6), call.integer("parentHeight", 80)
    return {"thread": thread_view(post, call.world, depth, height)}


async def get_author_feed(call: Call) -> Any:
    """The actor's posts (and replies, by filter), newest first; the cursor is the last post's
    sortAt and key, so new posts arriving meanwhile do not shift the pages."""
    actor = call.one("actor") or ""
    account = call.world.account(actor)
    if account is None:
        raise XrpcError(400, "InvalidRequest", "Profile not found")
    mode = call.one("filter", "posts_with_replies")
    posts = [p for p in call.world.live_posts() if p.author is account]
    if mode == "posts_no_replies":
        posts = [p for p in posts if p.parent_uri is None]
    elif mode == "posts_and_author_threads":
        own = f"at://{account.did}/"
        posts = [p for p in posts if p.root_uri is None or p.root_uri.startswith(own)]
    elif mode in ("posts_with_media", "posts_with_video"):
        posts = []  # the fake stores no media
    posts.sort(key=lambda p: (p.sort_at, p.rkey), reverse=True)
    cursor = call.one("cursor")
    if cursor is not None:
        stamp, _, rkey = cursor.partition("::")
        when = parse_datetime(stamp)
        if when is None:
            raise XrpcError(400, "InvalidRequest", f"bad cursor {cursor!r}")
        posts = [p for p in posts if (p.sort_at, p.rkey) < (when, rkey)]
    page = posts[: call.integer("limit", 50)]
    out: dict[str, Any] = {"feed": [feed_view(p, call.world) for p in page]}
    if len(posts) > len(page):
        last = page[-1]
        out["cursor"] = f"{call.world.stamp(last.sort_at)}::{last.rkey}"
    return out


async def get_posts(call: Call) -> Any:
    """Views of the posts that still exist, in the order asked (deleted ones are left out)."""
    found = [call.world.post(uri) for uri in call.query.get("uris", ())]
    return {"posts": [post_view(p, call.world) for p in found if p is not None]}


METHODS: dict[str, Method] = {
    "com.atproto.server.createSession": Method(create_session, auth="none"),
    "com.atproto.server.refreshSession": Method(refresh_session, auth="refresh"),
    "com.atproto.repo.createRecord": Method(create_record),
    "com.atproto.repo.deleteRecord": Method(delete_record),
    "com.atproto.repo.listRecords": Method(list_records),
    "app.bsky.feed.searchPosts": Method(search_posts),
    "app.bsky.feed.getPostThread": Method(get_post_thread),
    "app.bsky.feed.getAuthorFeed": Method(get_author_feed),
    "app.bsky.feed.getPosts": Method(get_posts),
}
