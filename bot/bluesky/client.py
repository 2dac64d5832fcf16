"""The Bluesky client: the atproto SDK's `AsyncClient` behind plain async methods and dataclasses.

One `BlueskyClient` per account. It logs in with the app password (`login`, the start-up check),
renews an expired session by itself (refresh token, else a new login), and turns every failure
into a `BlueskyError`: 429, 5xx and network failures are retryable (a 429 carries `retry_after`
from Bluesky's RateLimit-Reset), a refused request is not. It never retries on its own: the
caller's retry policy decides.

Cost of capture by polling (`bot.bluesky.collector`, every `bluesky.poll_every`), in XRPC requests:
`search_tag` is one `searchPosts` per 100 matching posts since the last poll (one request when
nothing is new); `thread` is one `getPostThread` per bot post whose replies are collected;
`posts` checks up to 25 stored posts per `getPosts` (deleted ones are missing). A chat polled
every 10 s with replies to 8 bot posts costs about (1 + 8) x 6 = 54 requests a minute, well
under the AppView's 3,000 per 5 minutes. Writes (`post`, `delete`) are one request each, within
the PDS's 1,666 record writes an hour.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from atproto_client import AsyncClient, models
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    ModelError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import AsyncRequest

from bot.atproto_syntax import POST_COLLECTION, format_datetime, parse_at_uri, parse_datetime
from bot.bluesky.account import APP_PASSWORDS_HELP, BlueskyAccount
from bot.bluesky.errors import BlueskyError, BlueskyLoginError
from bot.bluesky.mapping import own_post_from_record, post_from_view, thread_from_view
from bot.bluesky.posts import BlueskyPost, OwnPost, ReplyTo, SearchPage, Thread
from bot.bluesky_text import POST_GRAPHEMES, facets, grapheme_count, post_fits
from bot.clock import Clock, SystemClock

T = TypeVar("T")
_EXPIRED = {"ExpiredToken", "InvalidToken", "AuthenticationRequired"}
GET_POSTS_BATCH = 25  # getPosts takes at most 25 AT-URIs
LOGIN_BACKOFF = timedelta(minutes=30)  # after a refused login, none is tried for this long


def _error_name(exc: RequestErrorBase) -> tuple[int | None, str | None, str]:
    response = exc.response
    if response is None:
        return None, None, type(exc).__name__
    content = response.content
    name = getattr(content, "error", None)
    message = getattr(content, "message", None) or name or str(response.status_code)
    return response.status_code, name, str(message)


class BlueskyClient:
    """An account's connection to Bluesky. `async with BlueskyClient(account) as bsky:` logs
    in (a BlueskyLoginError says why not) and closes the connection pool at the end."""

    def __init__(
        self, account: BlueskyAccount, *, clock: Clock | None = None, timeout: float = 15.0
    ) -> None:
        self.account = account
        self._clock = clock or SystemClock()
        self._sdk = AsyncClient(account.service, request=AsyncRequest(timeout=timeout))
        self.did: str | None = None
        self.handle: str | None = None
        self._refused: tuple[BlueskyLoginError, datetime] | None = None  # the last refusal
        # Told after each login (the start-up check, or by itself after an outage or expiry):
        # posts that failed while the account could not post are tried again then.
        self.on_login: Callable[[], None] | None = None

    async def __aenter__(self) -> BlueskyClient:
        await self.login()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._sdk.request.close()

    # session -----------------------------------------------------------------------------------

    async def login(self) -> None:
        """createSession with the app password: the start-up check of the credentials. After a
        refusal no login is tried for `LOGIN_BACKOFF` (the refusal is raised again): the app
        password comes from the environment and does not change while the bot runs, and every
        poll trying it again would use up Bluesky's login allowance (30 per 5 minutes, 300 a
        day), which would then refuse the right password after the fix and a restart."""
        if self._refused is not None:
            refusal, at = self._refused
            if self._clock.now() < at + LOGIN_BACKOFF:
                raise BlueskyLoginError(str(refusal), status=refusal.status, error=refusal.error)
            self._refused = None
        try:
            await self._sdk.login(
                self.account.handle, self.account.password, fetch_bsky_profile=False
            )
        except (UnauthorizedError, BadRequestError) as exc:
            status, name, message = _error_name(exc)
            refusal = BlueskyLoginError(
                f"Bluesky refused the login of {self.account.handle} at {self.account.service}:"
                f" {message}. Check the app password in {self.account.password_env}"
                f" ({APP_PASSWORDS_HELP}).",
                status=status,
                error=name,
            )
            self._refused = (refusal, self._clock.now())
            raise refusal from None
        except RequestErrorBase as exc:
            raise self._failure(exc, "log in") from None
        session = self._sdk._session
        self.did, self.handle = session.did, session.handle
        if self.on_login is not None:
            self.on_login()

    async def _renew(self) -> None:
        """An expired or revoked session: refresh it, or log in again when that fails too."""
        try:
            await self._sdk._refresh_and_set_session()
        except RequestErrorBase:
            await self.login()

    async def _call(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """Run one XRPC call; renew the session once if it expired; map every failure."""
        if self.did is None:
            await self.login()
        for attempt in (1, 2):
            try:
                return await request()
            except (UnauthorizedError, BadRequestError) as exc:
                status, name, _ = _error_name(exc)
                if attempt == 1 and (status == 401 or name in _EXPIRED):
                    await self._renew()
                    continue
                raise self._failure(exc, what) from None
            except RequestErrorBase as exc:
                raise self._failure(exc, what) from None
            except ModelError as exc:  # an answer the SDK could not read: not worth a retry
                raise BlueskyError(
                    f"Bluesky's answer to {what} was not understood: {exc}", retryable=False
                ) from None
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _failure(self, exc: RequestErrorBase, what: str) -> BlueskyError:
        status, name, message = _error_name(exc)
        text = f"Bluesky could not {what}: {status or 'no answer'} {message}".rstrip()
        if isinstance(exc, RateLimitExceededError):
            return BlueskyError(
                text, status=429, error=name, retry_after=self._retry_after(exc), retryable=True
            )
        if isinstance(exc, NetworkError | InvokeTimeoutError) or (status or 0) >= 500:
            return BlueskyError(text, status=status, error=name, retryable=True)
        if isinstance(exc, UnauthorizedError):
            return BlueskyLoginError(text, status=status, error=name)
        return BlueskyError(text, status=status, error=name, retryable=False)

    def _retry_after(self, exc: RateLimitExceededError) -> float | None:
        if exc.retry_after is not None:
            return float(exc.retry_after)
        reset = exc.reset_at
        if reset is None:
            return None
        return max(0.0, (reset - self._clock.now()).total_seconds())

    @property
    def _repo(self) -> str:
        assert self.did is not None, "logged in"
        return self.did

    # writing -----------------------------------------------------------------------------------

    async def post(
        self, text: str, *, reply_to: ReplyTo | None = None, langs: Sequence[str] = ("en",)
    ) -> OwnPost:
        """Post `text` (hashtags and links made clickable) now, as a reply when `reply_to` is
        given. Text over Bluesky's limit is refused before any request (not retryable)."""
        if not post_fits(text):
            raise BlueskyError(
                f"the post is {grapheme_count(text)} graphemes; Bluesky takes {POST_GRAPHEMES}"
                " (and 3,000 bytes)",
                retryable=False,
            )
        stamp = format_datetime(self._clock.now())
        created = parse_datetime(stamp)  # as stored: to the millisecond
        assert created is not None
        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=stamp,
            langs=list(langs) or None,
            facets=[_facet(f) for f in facets(text)] or None,
            reply=_reply_ref(reply_to) if reply_to is not None else None,
        )

        async def send() -> Any:
            data = models.ComAtprotoRepoCreateRecord.Data(
                repo=self._repo, collection=POST_COLLECTION, record=record
            )
            return await self._sdk.com.atproto.repo.create_record(data)

        made = await self._call("post", send)
        parent = reply_to.parent.uri if reply_to is not None else None
        return OwnPost(made.uri, made.cid, text, created, parent)

    async def delete(self, uri: str) -> None:
        """Delete one of the account's posts (deleting one already gone succeeds)."""
        parsed = parse_at_uri(uri)
        if parsed is None or parsed.collection != POST_COLLECTION or parsed.rkey is None:
            raise BlueskyError(f"{uri!r} is not the AT-URI of a post", retryable=False)
        rkey = parsed.rkey

        async def send() -> Any:
            data = models.ComAtprotoRepoDeleteRecord.Data(
                repo=self._repo, collection=POST_COLLECTION, rkey=rkey
            )
            return await self._sdk.com.atproto.repo.delete_record(data)

        await self._call("delete a post", send)

    # reading -----------------------------------------------------------------------------------

    async def search_tag(
        self,
        tag: str,
        *,
        since: datetime,
        until: datetime | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> SearchPage:
        """One page (newest first) of the posts with hashtag `tag` (without `#`) from `since`
        (inclusive) to `until` (exclusive). Bluesky filters on a post's sortAt, the earlier of
        its createdAt and the time it was indexed, so a poller asks again from a little before
        its last poll and drops the posts it already has."""
        params = models.AppBskyFeedSearchPosts.Params(
            q=f"#{tag}",
            tag=[tag],
            sort="latest",
            since=format_datetime(since),
            until=format_datetime(until) if until is not None else None,
            cursor=cursor,
            limit=limit,
        )

        async def send() -> Any:
            return await self._sdk.app.bsky.feed.search_posts(params)

        page = await self._call("search posts", send)
        found = (post_from_view(v) for v in page.posts)
        return SearchPage(tuple(p for p in found if p is not None), page.cursor or None)

    async def search_tag_all(
        self, tag: str, *, since: datetime, until: datetime | None = None, max_pages: int = 20
    ) -> list[BlueskyPost]:
        """Every page of `search_tag` (at most `max_pages` requests), newest first, each post
        once."""
        seen: dict[str, BlueskyPost] = {}
        cursor: str | None = None
        for _ in range(max_pages):
            page = await self.search_tag(tag, since=since, until=until, cursor=cursor)
            for post in page.posts:
                seen.setdefault(post.uri, post)
            cursor = page.cursor
            if cursor is None or not page.posts:
                break
        return list(seen.values())

    async def thread(self, uri: str, *, depth: int = 10) -> Thread | None:
        """The post and its replies down to `depth` levels; None when it no longer exists."""
        params = models.AppBskyFeedGetPostThread.Params(uri=uri, depth=depth, parent_height=0)

        async def send() -> Any:
            return await self._sdk.app.bsky.feed.get_post_thread(params)

        try:
            answer = await self._call("read a thread", send)
        except BlueskyError as exc:
            if exc.error == "NotFound":
                return None
            raise
        return thread_from_view(answer.thread)

    async def posts(self, uris: Sequence[str]) -> list[BlueskyPost]:
        """The posts of `uris` that still exist (deleted ones are missing), 25 per request."""
        found: list[BlueskyPost] = []
        for start in range(0, len(uris), GET_POSTS_BATCH):
            batch = list(uris[start : start + GET_POSTS_BATCH])

            async def send(batch: list[str] = batch) -> Any:
                params = models.AppBskyFeedGetPosts.Params(uris=batch)
                return await self._sdk.app.bsky.feed.get_posts(params)

            answer = await self._call("read posts", send)
            found.extend(p for p in map(post_from_view, answer.posts) if p is not None)
        return found

    async def own_posts(self, *, since: datetime, max_pages: int = 10) -> list[OwnPost]:
        """The account's posts created since `since`, newest first, read from its repository
        (listRecords): a post made a moment before a crash is there, with no AppView delay."""
        if self.did is None:  # the repository is named by the account's DID
            await self.login()
        out: list[OwnPost] = []
        cursor: str | None = None
        for _ in range(max_pages):
            params = models.ComAtprotoRepoListRecords.Params(
                repo=self._repo, collection=POST_COLLECTION, limit=100, cursor=cursor
            )

            async def send(params: Any = params) -> Any:
                return await self._sdk.com.atproto.repo.list_records(params)

            page = await self._call("read the account's posts", send)
            posts = [p for p in map(own_post_from_record, page.records) if p is not None]
            out.extend(p for p in posts if p.created_at >= since)
            cursor = page.cursor
            if cursor is None or not posts or min(p.created_at for p in posts) < since:
                break
        return out

    async def find_own_post(self, text: str, *, since: datetime) -> OwnPost | None:
        """The account's post of exactly `text` since `since`: before posting a step again
        after an attempt that may have gone through (the restart never double-posts)."""
        return next((p for p in await self.own_posts(since=since) if p.text == text), None)


def _facet(found: Any) -> Any:
    feature = (
        models.AppBskyRichtextFacet.Tag(tag=found.tag)
        if found.tag is not None
        else models.AppBskyRichtextFacet.Link(uri=found.uri)
    )
    return models.AppBskyRichtextFacet.Main(
        features=[feature],
        index=models.AppBskyRichtextFacet.ByteSlice(
            byte_start=found.byte_start, byte_end=found.byte_end
        ),
    )


def _reply_ref(reply_to: ReplyTo) -> Any:
    def strong(ref: Any) -> Any:
        return models.ComAtprotoRepoStrongRef.Main(uri=ref.uri, cid=ref.cid)

    return models.AppBskyFeedPost.ReplyRef(
        root=strong(reply_to.root), parent=strong(reply_to.parent)
    )
