"""FakeBluesky: XRPC over HTTP on 127.0.0.1, every request and answer checked against the
vendored lexicons, members who post and delete through a Python API, faults and rate limits on
demand. See README.md."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.atproto_syntax import POST_COLLECTION
from bot.bluesky_text import facets as detect_facets

from .conformance import Conformance
from .faults import FaultRule, RateLimit
from .handlers import METHODS
from .lexicon import Lexicons
from .state import NO_UNAUTHENTICATED, Account, StoredPost, World
from .xrpc import Call, Method, XrpcCall, XrpcError

BOT_HANDLE = "leadershipchat.bsky.social"
BOT_PASSWORD = "abcd-efgh-ijkl-mnop"  # the shape of a Bluesky app password
_LEXICONS: Lexicons | None = None


def _lexicons() -> Lexicons:
    global _LEXICONS  # the documents are read once per process: they never change
    if _LEXICONS is None:
        _LEXICONS = Lexicons()
    return _LEXICONS


def facet_records(text: str) -> list[dict[str, Any]]:
    """app.bsky.richtext.facet records for the hashtags and links of `text`."""
    out = []
    for facet in detect_facets(text):
        feature = (
            {"$type": "app.bsky.richtext.facet#tag", "tag": facet.tag}
            if facet.tag is not None
            else {"$type": "app.bsky.richtext.facet#link", "uri": facet.uri}
        )
        out.append(
            {
                "index": {"byteStart": facet.byte_start, "byteEnd": facet.byte_end},
                "features": [feature],
            }
        )
    return out


class FakeBluesky:
    """A fake PDS + AppView. `async with FakeBluesky() as fake:`; point the client at
    `fake.base_url` and log in as `fake.bot` (`BOT_HANDLE` / `BOT_PASSWORD`)."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        bot_handle: str = BOT_HANDLE,
        bot_password: str = BOT_PASSWORD,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.world = World(now=clock or (lambda: datetime.now(UTC)))
        self.lexicons = _lexicons()
        self.conformance = Conformance()
        self.bot = self.world.add_account(bot_handle, bot_password, display_name="LeadershipChat")
        self.calls: list[XrpcCall] = []
        self.faults: list[FaultRule] = []
        self.rate_limits: list[RateLimit] = []
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._waiters: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []

    # lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/xrpc/{nsid}", self._xrpc)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self._port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Shut down; raise `LexiconViolationError` if any traffic broke the lexicons (a test
        that provokes violations on purpose takes them first with `conformance.take()`)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.conformance.raise_if_any()

    async def __aenter__(self) -> FakeBluesky:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is not None:  # the test already failed: do not hide its error
            self.conformance.take()
        await self.stop()

    @property
    def base_url(self) -> str:
        """The service URL a client is given (`/xrpc/NSID` is under it)."""
        return f"http://{self._host}:{self._port}"

    # the XRPC endpoint -------------------------------------------------------------------------

    async def _xrpc(self, request: web.Request) -> web.Response:
        nsid = request.match_info["nsid"]
        query = {k: request.query.getall(k) for k in dict.fromkeys(request.query.keys())}
        raw = await request.read()
        headers: dict[str, str] = {}
        account: Account | None = None
        body: Any = None
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        try:
            if isinstance(body, str):
                raise XrpcError(400, "InvalidRequest", "the body is not JSON")
            method = METHODS.get(nsid)
            lexicon = self.lexicons.method(nsid)
            if method is None or lexicon is None:
                raise XrpcError(501, "MethodNotImplemented", f"Method Not Implemented: {nsid}")
            expected = "GET" if lexicon["type"] == "query" else "POST"
            if request.method != expected:
                raise XrpcError(
                    400,
                    "InvalidRequest",
                    f"Incorrect HTTP method ({request.method}): {nsid} takes {expected}",
                )
            problems = self._check_request(nsid, lexicon["type"], query, body)
            for rule in self.faults:
                if rule.matches(nsid):
                    raise rule.fire(self.world.now())
            account, bearer = self._authenticate(method, request)
            who = account.did if account else str((body or {}).get("identifier", request.remote))
            for limit in self.rate_limits:
                headers.update(limit.charge(nsid, who, self.world.now()) or {})
            if problems:
                first = problems[0]
                raise XrpcError(400, "InvalidRequest", f"{first.path or 'body'}: {first.problem}")
            call = Call(nsid, query, body, self.world, self.base_url, account, bearer)
            result, status = await method.handler(call), 200
        except XrpcError as err:
            result, status = err.body(), err.status
            headers.update(err.headers)
        self._check_response(nsid, status, result)
        self.calls.append(
            XrpcCall(
                nsid,
                request.method,
                query,
                body,
                status,
                result,
                account.did if account else None,
                self.world.now(),
                headers,
            )
        )
        self._wake()
        return web.json_response(result, status=status, headers=headers)

    def _check_request(
        self, nsid: str, kind: str, query: dict[str, list[str]], body: Any
    ) -> list[Any]:
        problems = self.lexicons.check_params(nsid, query)
        if kind == "procedure":
            problems += self.lexicons.check_input(nsid, body)
            record = body.get("record") if isinstance(body, dict) else None
            collection = body.get("collection") if isinstance(body, dict) else None
            # a record with its collection's $type is checked as the input's `unknown` field;
            # one without (or with another) is checked here, which reports the $type
            if (
                isinstance(record, dict)
                and isinstance(collection, str)
                and record.get("$type") != collection
                and self.lexicons.record(collection)
            ):
                problems += self.lexicons.check_record(collection, record, method=nsid)
        self.conformance.add(problems)
        return problems

    def _check_response(self, nsid: str, status: int, result: Any) -> None:
        if self.lexicons.method(nsid) is None:
            return
        found = (
            self.lexicons.check_output(nsid, result)
            if status == 200
            else self.lexicons.check_error(nsid, result)
        )
        self.conformance.add(found)

    def _authenticate(
        self, method: Method, request: web.Request
    ) -> tuple[Account | None, str | None]:
        if method.auth == "none":
            return None, None
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        bearer = header.removeprefix("Bearer ")
        info = self.world.token(bearer)
        wanted = "com.atproto.refresh" if method.auth == "refresh" else "com.atproto.access"
        if info is None or info.revoked:
            raise XrpcError(400, "InvalidToken", "Token could not be verified")
        if info.scope != wanted:
            raise XrpcError(400, "InvalidToken", "Bad token scope")
        if info.expires_at <= self.world.now():
            raise XrpcError(400, "ExpiredToken", "Token has expired")
        return self.world.accounts[info.did], bearer

    # members and the world ---------------------------------------------------------------------

    def add_account(
        self,
        handle: str,
        password: str | None = None,
        *,
        display_name: str | None = None,
        no_unauthenticated: bool = False,
    ) -> Account:
        """A member's account; `no_unauthenticated` sets the `!no-unauthenticated` self-label on
        its profile (the member asks not to be shown to logged-out viewers)."""
        labels = (NO_UNAUTHENTICATED,) if no_unauthenticated else ()
        return self.world.add_account(
            handle, password, display_name=display_name, self_labels=labels
        )

    def post(
        self,
        author: str,
        text: str,
        *,
        reply_to: str | None = None,
        facets: list[dict[str, Any]] | None = None,
        labels: tuple[str, ...] = (),
        langs: tuple[str, ...] = ("en",),
        created_at: datetime | None = None,
    ) -> StoredPost:
        """`author` (a handle; the account is made on first use) posts `text`. Facets default to
        the hashtags and links found in it, as Bluesky's app does; `reply_to` is the AT-URI of
        the post answered; `labels` are the post's self-labels. The record must satisfy the
        lexicon (a ValueError says what is wrong)."""
        account = self.world.account(author) or self.add_account(author)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": self.world.stamp(created_at),
            "langs": list(langs),
        }
        found = facet_records(text) if facets is None else facets
        if found:
            record["facets"] = found
        if reply_to is not None:
            parent = self.world.post(reply_to)
            if parent is None:
                raise ValueError(f"no post {reply_to} to reply to")
            root = parent.record.get("reply", {}).get("root") or {
                "uri": parent.uri,
                "cid": parent.cid,
            }
            record["reply"] = {"root": root, "parent": {"uri": parent.uri, "cid": parent.cid}}
        if labels:
            record["labels"] = {
                "$type": "com.atproto.label.defs#selfLabels",
                "values": [{"val": v} for v in labels],
            }
        problems = self.lexicons.check_record(POST_COLLECTION, record, method="(member post)")
        if problems:
            raise ValueError("; ".join(map(str, problems)))
        stored = self.world.store_post(account, record)
        self._wake()
        return stored

    def delete(self, uri: str) -> None:
        """The author deletes a post (it disappears from every view)."""
        post = self.world.post(uri)
        if post is None:
            raise ValueError(f"no post {uri}")
        post.deleted = True
        self._wake()

    def set_no_unauthenticated(self, handle: str, on: bool = True) -> None:
        """The member turns logged-out visibility off (`on`) or back on: the
        `!no-unauthenticated` self-label on their profile, shown with each of their posts."""
        account = self.world.account(handle) or self.add_account(handle)
        labels = tuple(v for v in account.self_labels if v != NO_UNAUTHENTICATED)
        account.self_labels = (*labels, NO_UNAUTHENTICATED) if on else labels

    def expire_access_tokens(self) -> int:
        """Every access token expires now (the next call answers 400 ExpiredToken)."""
        return self.world.expire("com.atproto.access")

    def expire_refresh_tokens(self) -> int:
        return self.world.expire("com.atproto.refresh")

    def change_password(self, handle: str, password: str) -> None:
        """The owner revokes the app password (a new login with the old one is refused)."""
        account = self.world.account(handle)
        assert account is not None
        account.password = password

    # faults -----------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        count: int | None = 1,
        retry_after: float = 1.0,
        error: str | None = None,
    ) -> FaultRule:
        """Answer the next `count` calls of `method` (NSID or pattern) with `status`; a 429
        carries RateLimit-* headers resetting `retry_after` seconds from now."""
        rule = FaultRule(method, status, count, error, retry_after=retry_after)
        self.faults.append(rule)
        return rule

    @contextlib.contextmanager
    def outage(self, status: int = 503, method: str = "*") -> Iterator[FaultRule]:
        """Every call fails with `status` inside the block."""
        rule = self.fail_next(method, status, count=None)
        try:
            yield rule
        finally:
            self.faults.remove(rule)

    def rate_limit(self, method: str, limit: int, window: timedelta) -> RateLimit:
        limiter = RateLimit(method, limit, window)
        self.rate_limits.append(limiter)
        return limiter

    def clear_faults(self) -> None:
        self.faults.clear()
        self.rate_limits.clear()

    # read back ---------------------------------------------------------------------------------

    def calls_to(self, nsid: str) -> list[XrpcCall]:
        return [c for c in self.calls if c.nsid == nsid]

    def posts_by(self, handle: str) -> list[StoredPost]:
        """The account's posts that still exist, oldest first."""
        account = self.world.account(handle)
        return [p for p in self.world.live_posts() if p.author is account]

    @property
    def bot_posts(self) -> list[StoredPost]:
        return self.posts_by(self.bot.handle)

    async def wait_for(self, predicate: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait (without polling) until `predicate()` returns something truthy; return it."""
        value = predicate()
        if value:
            return value
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, within)
        except TimeoutError:
            last = [f"{c.nsid} {c.status}" for c in self.calls[-5:]]
            raise TimeoutError(f"condition not met in {within}s; last calls: {last}") from None
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    async def wait_for_call(
        self, nsid: str, *, status: int | None = None, after: int = 0, within: float = 5.0
    ) -> XrpcCall:
        def found() -> XrpcCall | None:
            return next(
                (c for c in self.calls[after:] if c.nsid == nsid and status in (None, c.status)),
                None,
            )

        result: XrpcCall = await self.wait_for(found, within)
        return result

    def _wake(self) -> None:
        for predicate, future in list(self._waiters):
            if not future.done():
                value = predicate()
                if value:
                    future.set_result(value)
