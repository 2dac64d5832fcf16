"""Plain HTTP XRPC calls (no SDK), for tests that speak to the fake the way any client could."""

from __future__ import annotations

from typing import Any

import aiohttp

from .server import FakeBluesky


class RawXrpc:
    """`async with RawXrpc(fake) as xrpc:`; `await xrpc.login()` keeps the bot's tokens, then
    `get`/`post` return (status, JSON body, headers)."""

    def __init__(self, fake: FakeBluesky) -> None:
        self.fake = fake
        self.session: dict[str, Any] = {}
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> RawXrpc:
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._http is not None
        await self._http.close()

    async def login(self, handle: str | None = None, password: str | None = None) -> dict[str, Any]:
        body = {
            "identifier": handle or self.fake.bot.handle,
            "password": password or self.fake.bot.password,
        }
        status, answer, _ = await self.post("com.atproto.server.createSession", body, token=None)
        assert status == 200, answer
        self.session = answer
        return answer

    def _headers(self, token: str | None) -> dict[str, str]:
        if token == "":
            token = self.session.get("accessJwt")
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def get(
        self, nsid: str, *, token: str | None = "", **query: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """GET /xrpc/NSID; a list value repeats the parameter; `token=""` (default) is the
        access token of `login`, None sends none."""
        assert self._http is not None
        params = [
            (k, str(v)) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])
        ]
        url = f"{self.fake.base_url}/xrpc/{nsid}"
        async with self._http.get(url, params=params, headers=self._headers(token)) as answer:
            return answer.status, await answer.json(), dict(answer.headers)

    async def post(
        self, nsid: str, body: Any = None, *, token: str | None = ""
    ) -> tuple[int, Any, dict[str, str]]:
        assert self._http is not None
        url = f"{self.fake.base_url}/xrpc/{nsid}"
        async with self._http.post(url, json=body, headers=self._headers(token)) as answer:
            return answer.status, await answer.json(), dict(answer.headers)
