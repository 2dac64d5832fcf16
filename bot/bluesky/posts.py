"""Bluesky posts as plain dataclasses: what capture, the ledger and the recap need, with no
SDK types (bot.bluesky.mapping makes them from the SDK's models)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.atproto_syntax import bsky_app_url

PLATFORM = "bluesky"
NO_UNAUTHENTICATED = "!no-unauthenticated"


@dataclass(frozen=True)
class PostRef:
    """A strong reference: the post's AT-URI and the CID of its record."""

    uri: str
    cid: str


@dataclass(frozen=True)
class ReplyTo:
    """Where a reply goes: the thread's first post (root) and the post answered (parent)."""

    root: PostRef
    parent: PostRef


@dataclass(frozen=True)
class _Addressed:
    """A post's AT-URI and the CID of its record, with the references made from them."""

    uri: str
    cid: str

    @property
    def ref(self) -> PostRef:
        return PostRef(self.uri, self.cid)

    @property
    def url(self) -> str:
        """The post on bsky.app (by DID: it keeps working when the handle changes)."""
        return bsky_app_url(self.uri)


@dataclass(frozen=True)
class BlueskyPost(_Addressed):
    """A post as the AppView shows it to the logged-in bot."""

    author_did: str
    author_handle: str
    created_at: datetime  # the author's clock (createdAt), in UTC
    text: str
    indexed_at: datetime | None = None  # when Bluesky saw it
    reply_parent: PostRef | None = None
    reply_root: PostRef | None = None
    labels: tuple[str, ...] = ()  # the post's labels (self-labels included), e.g. "porn"
    author_labels: tuple[str, ...] = ()  # the account's, e.g. "!no-unauthenticated"
    tags: tuple[str, ...] = ()  # hashtags (facets and the record's tags), as written
    platform: str = PLATFORM

    @property
    def public(self) -> bool:
        """False when the author asked not to be shown to logged-out viewers
        (`!no-unauthenticated`): such text stays out of public files."""
        return (
            NO_UNAUTHENTICATED not in self.author_labels and NO_UNAUTHENTICATED not in self.labels
        )

    def reply_to(self) -> ReplyTo:
        """A reply to this post: same thread root (or this post if it starts the thread)."""
        return ReplyTo(root=self.reply_root or self.ref, parent=self.ref)


@dataclass(frozen=True)
class SearchPage:
    """One page of a search, newest first; `cursor` asks for the next (None: no more)."""

    posts: tuple[BlueskyPost, ...]
    cursor: str | None = None


@dataclass(frozen=True)
class Thread:
    """A post and every reply below it that the AppView returned (flattened, oldest first)."""

    post: BlueskyPost
    replies: tuple[BlueskyPost, ...] = ()


@dataclass(frozen=True)
class OwnPost(_Addressed):
    """One of the account's own post records, read from its repository (no indexing delay)."""

    text: str
    created_at: datetime
    reply_parent: str | None = None  # AT-URI of the post it answers
