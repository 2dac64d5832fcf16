"""Fetch a prep post by URL for drafting (the only I/O in bot.drafting; aiohttp, imported late)."""

from __future__ import annotations

import asyncio

from bot.drafting._core import decode_source
from bot.drafting._model import DraftError

MAX_BYTES = 5_000_000  # a blog post page is far smaller; more means a wrong URL or a download
TIMEOUT_SECONDS = 20.0
USER_AGENT = "leadershipchat-drafter/0.1 (+https://github.com/leadershipchat)"


async def fetch_source(url: str) -> str:
    """GET an http(s) URL and return its text; every failure is a DraftError saying why."""
    import aiohttp

    if not url.startswith(("http://", "https://")):
        raise DraftError(f"{url}: only http:// and https:// addresses can be fetched")
    try:
        async with (
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
                headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/*;q=0.9"},
            ) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                raise DraftError(f"{url}: the server answered {response.status} {response.reason}")
            data = await response.content.read(MAX_BYTES + 1)
            charset = response.charset
    except aiohttp.ClientError as exc:
        raise DraftError(f"{url}: could not fetch it ({exc or type(exc).__name__})") from None
    except TimeoutError:
        raise DraftError(f"{url}: no answer within {TIMEOUT_SECONDS:g} seconds") from None
    if len(data) > MAX_BYTES:
        raise DraftError(f"{url}: more than {MAX_BYTES // 1_000_000} MB; is it really a post?")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise DraftError(f"{url}: cannot decode the page as {charset}") from None
    return decode_source(data, url)


def fetch_source_sync(url: str) -> str:
    """fetch_source for synchronous callers such as the CLI."""
    return asyncio.run(fetch_source(url))
