"""What the fake Bluesky holds: accounts, their posts (records in repos), and session tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.atproto_syntax import POST_COLLECTION, format_datetime, parse_datetime

from .ids import TidClock, cid_of, did_for, make_jwt, read_jwt

ACCESS_LIFETIME = timedelta(hours=2)  # bsky.social's access tokens
REFRESH_LIFETIME = timedelta(days=90)
NO_UNAUTHENTICATED = "!no-unauthenticated"


@dataclass
class Account:
    did: str
    handle: str
    password: str
    display_name: str | None = None
    self_labels: tuple[str, ...] = ()  # on the profile record, e.g. !no-unauthenticated
    created_at: datetime | None = None


@dataclass
class StoredPost:
    """A post record in its author's repo, with what the AppView adds (indexedAt)."""

    uri: str
    cid: str
    author: Account
    record: dict[str, Any]
    indexed_at: datetime
    deleted: bool = False

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[1]

    @property
    def text(self) -> str:
        return str(self.record["text"])

    @property
    def created_at(self) -> datetime:
        parsed = parse_datetime(self.record["createdAt"])
        assert parsed is not None, "records are validated when stored"
        return parsed

    @property
    def sort_at(self) -> datetime:
        """What search orders and filters by: the earlier of createdAt and indexedAt (a post
        back-dated by its client sorts at its createdAt)."""
        return min(self.created_at, self.indexed_at)

    @property
    def parent_uri(self) -> str | None:
        reply = self.record.get("reply")
        return reply["parent"]["uri"] if reply else None

    @property
    def root_uri(self) -> str | None:
        reply = self.record.get("reply")
        return reply["root"]["uri"] if reply else None

    @property
    def tags(self) -> set[str]:
        """Hashtags from the facets and the record's `tags`, lower case (search matches them
        regardless of case)."""
        found = {t.lower() for t in self.record.get("tags", ())}
        for facet in self.record.get("facets", ()):
            for feature in facet["features"]:
                if feature.get("$type") == "app.bsky.richtext.facet#tag":
                    found.add(feature["tag"].lower())
        return found


@dataclass
class TokenInfo:
    did: str
    scope: str  # com.atproto.access | com.atproto.refresh
    expires_at: datetime
    revoked: bool = False


@dataclass
class World:
    """Accounts, posts in creation order, and tokens. `now` is the fake's clock."""

    now: Callable[[], datetime]
    accounts: dict[str, Account] = field(default_factory=dict)  # by DID
    posts: dict[str, StoredPost] = field(default_factory=dict)  # by AT-URI, in order
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    tids: TidClock = field(default_factory=TidClock)

    def add_account(
        self,
        handle: str,
        password: str | None = None,
        *,
        display_name: str | None = None,
        self_labels: tuple[str, ...] = (),
    ) -> Account:
        if any(a.handle == handle for a in self.accounts.values()):
            raise ValueError(f"{handle} already has an account")
        account = Account(
            did=did_for(handle),
            handle=handle,
            password=password or secrets.token_urlsafe(12),
            display_name=display_name,
            self_labels=self_labels,
            created_at=self.now(),
        )
        self.accounts[account.did] = account
        return account

    def account(self, ref: str) -> Account | None:
        """By DID or handle (handles are case-insensitive)."""
        if ref.startswith("did:"):
            return self.accounts.get(ref)
        return next((a for a in self.accounts.values() if a.handle == ref.lower()), None)

    def store_post(
        self, author: Account, record: dict[str, Any], rkey: str | None = None
    ) -> StoredPost:
        rkey = rkey or self.tids.next(self.now())
        uri = f"at://{author.did}/{POST_COLLECTION}/{rkey}"
        if uri in self.posts and not self.posts[uri].deleted:
            raise KeyError(uri)
        post = StoredPost(uri, cid_of(record), author, record, indexed_at=self.now())
        self.posts[uri] = post
        return post

    def live_posts(self) -> Iterator[StoredPost]:
        return (p for p in self.posts.values() if not p.deleted)

    def post(self, uri: str) -> StoredPost | None:
        found = self.posts.get(uri)
        return found if found is not None and not found.deleted else None

    def new_session(self, account: Account) -> dict[str, Any]:
        """createSession / refreshSession's answer: a fresh access and refresh token pair."""
        now = self.now()
        pair = {}
        for scope, lifetime, name in (
            ("com.atproto.access", ACCESS_LIFETIME, "accessJwt"),
            ("com.atproto.refresh", REFRESH_LIFETIME, "refreshJwt"),
        ):
            expires = now + lifetime
            token = make_jwt(
                {
                    "scope": scope,
                    "sub": account.did,
                    "aud": "did:web:fake.bsky.test",
                    "iat": int(now.timestamp()),
                    "exp": int(expires.timestamp()),
                    "jti": secrets.token_hex(8),
                }
            )
            self.tokens[token] = TokenInfo(account.did, scope, expires)
            pair[name] = token
        return {**pair, "handle": account.handle, "did": account.did, "active": True}

    def token(self, token: str) -> TokenInfo | None:
        info = self.tokens.get(token)
        return info if info is not None and read_jwt(token) is not None else None

    def expire(self, scope: str) -> int:
        """Make every token of `scope` expired now; how many there were."""
        count = 0
        for info in self.tokens.values():
            if info.scope == scope and not info.revoked:
                info.expires_at = self.now() - timedelta(seconds=1)
                count += 1
        return count

    def stamp(self, when: datetime | None = None) -> str:
        return format_datetime(when or self.now())
