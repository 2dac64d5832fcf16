"""The AppView's hydrated views (app.bsky.feed.defs, app.bsky.actor.defs) of the fake's posts."""

from __future__ import annotations

from typing import Any

from .state import Account, StoredPost, World

FEED = "app.bsky.feed.defs"


def labels_of(author: Account, post: StoredPost | None, world: World) -> list[dict[str, Any]]:
    """Self-labels as the AppView shows them: label objects whose source is the author. An
    account's (profile) labels go on its profile views, a post's on the post view."""
    if post is None:
        values, uri = author.self_labels, f"at://{author.did}/app.bsky.actor.profile/self"
        when = author.created_at or world.now()
    else:
        values = tuple(v["val"] for v in post.record.get("labels", {}).get("values", ()))
        uri, when = post.uri, post.indexed_at
    return [{"src": author.did, "uri": uri, "val": v, "cts": world.stamp(when)} for v in values]


def profile_basic(account: Account, world: World) -> dict[str, Any]:
    view: dict[str, Any] = {
        "did": account.did,
        "handle": account.handle,
        "labels": labels_of(account, None, world),
    }
    if account.display_name:
        view["displayName"] = account.display_name
    if account.created_at is not None:
        view["createdAt"] = world.stamp(account.created_at)
    return view


def post_view(post: StoredPost, world: World) -> dict[str, Any]:
    replies = sum(1 for p in world.live_posts() if p.parent_uri == post.uri)
    return {
        "uri": post.uri,
        "cid": post.cid,
        "author": profile_basic(post.author, world),
        "record": post.record,
        "replyCount": replies,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "bookmarkCount": 0,
        "indexedAt": world.stamp(post.indexed_at),
        "labels": labels_of(post.author, post, world),
    }


def not_found(uri: str) -> dict[str, Any]:
    return {"$type": f"{FEED}#notFoundPost", "uri": uri, "notFound": True}


def thread_view(post: StoredPost, world: World, depth: int, parent_height: int) -> dict[str, Any]:
    """A threadViewPost: the post, its parents up to `parent_height`, its replies (oldest
    first) down to `depth` levels."""
    view = _with_replies(post, world, depth)
    node = view
    parent_uri, height = post.parent_uri, 0
    while parent_uri is not None and height < parent_height:
        parent = world.post(parent_uri)
        if parent is None:
            node["parent"] = not_found(parent_uri)
            break
        node["parent"] = {"$type": f"{FEED}#threadViewPost", "post": post_view(parent, world)}
        node, parent_uri, height = node["parent"], parent.parent_uri, height + 1
    return view


def _with_replies(post: StoredPost, world: World, depth: int) -> dict[str, Any]:
    view: dict[str, Any] = {"$type": f"{FEED}#threadViewPost", "post": post_view(post, world)}
    if depth > 0:
        children = sorted(
            (p for p in world.live_posts() if p.parent_uri == post.uri), key=lambda p: p.sort_at
        )
        view["replies"] = [_with_replies(child, world, depth - 1) for child in children]
    return view


def feed_view(post: StoredPost, world: World) -> dict[str, Any]:
    """A feedViewPost (getAuthorFeed): the post and, for a reply, its root and parent."""
    view: dict[str, Any] = {"post": post_view(post, world)}
    if post.parent_uri is not None and post.root_uri is not None:
        ends = []
        for uri in (post.root_uri, post.parent_uri):
            found = world.post(uri)
            ends.append(
                {"$type": f"{FEED}#postView", **post_view(found, world)}
                if found is not None
                else not_found(uri)
            )
        view["reply"] = {"root": ends[0], "parent": ends[1]}
    return view
