"""The SDK's models -> bot.bluesky.posts dataclasses (only this module and client.py see them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from atproto_client import models

from bot.atproto_syntax import parse_datetime
from bot.bluesky.posts import BlueskyPost, OwnPost, PostRef, Thread

_Post = models.AppBskyFeedPost.Record
_ThreadView = models.AppBskyFeedDefs.ThreadViewPost


def _when(text: str | None, fallback: datetime | None = None) -> datetime | None:
    parsed = parse_datetime(text) if text else None
    return parsed or fallback


def _label_values(labels: Iterable[Any] | None) -> tuple[str, ...]:
    """Label values in force: a negation (`neg`) withdraws an earlier label of that value."""
    values: dict[str, None] = {}
    for label in labels or ():
        if getattr(label, "neg", False):
            values.pop(label.val, None)
        else:
            values[label.val] = None
    return tuple(values)


def _ref(strong: Any) -> PostRef | None:
    return PostRef(strong.uri, strong.cid) if strong is not None else None


def _tags(record: Any) -> tuple[str, ...]:
    found = dict.fromkeys(record.tags or ())
    for facet in record.facets or ():
        for feature in facet.features:
            tag = getattr(feature, "tag", None)
            if isinstance(tag, str):
                found[tag] = None
    return tuple(found)


def post_from_view(view: Any) -> BlueskyPost | None:
    """A postView as a BlueskyPost; None when its record is not a post the SDK could read
    (or has no time at all)."""
    record = view.record
    if not isinstance(record, _Post):
        return None
    indexed = _when(view.indexed_at)
    created = _when(record.created_at, indexed)
    if created is None:
        return None
    self_labels = [v for v in (record.labels.values if record.labels else ())]
    reply = record.reply
    return BlueskyPost(
        uri=view.uri,
        cid=view.cid,
        author_did=view.author.did,
        author_handle=view.author.handle,
        created_at=created,
        text=record.text,
        indexed_at=indexed,
        reply_parent=_ref(reply.parent) if reply else None,
        reply_root=_ref(reply.root) if reply else None,
        labels=tuple(dict.fromkeys([*_label_values(view.labels), *(v.val for v in self_labels)])),
        author_labels=_label_values(view.author.labels),
        tags=_tags(record),
    )


def thread_from_view(view: Any) -> Thread | None:
    """A threadViewPost as a Thread (replies flattened, oldest first); None for a post that
    is not found or blocked."""
    if not isinstance(view, _ThreadView):
        return None
    post = post_from_view(view.post)
    if post is None:
        return None
    replies: list[BlueskyPost] = []
    stack = list(view.replies or ())
    while stack:
        node = stack.pop()
        if isinstance(node, _ThreadView):
            found = post_from_view(node.post)
            if found is not None:
                replies.append(found)
            stack.extend(node.replies or ())
    replies.sort(key=lambda p: (p.created_at, p.uri))
    return Thread(post, tuple(replies))


def own_post_from_record(item: Any) -> OwnPost | None:
    """A listRecords entry of the account's own posts as an OwnPost."""
    record = item.value
    if not isinstance(record, _Post):
        return None
    created = _when(record.created_at)
    if created is None:
        return None
    parent = record.reply.parent.uri if record.reply else None
    return OwnPost(item.uri, item.cid, record.text, created, parent)
