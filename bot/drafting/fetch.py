"""Fetch a prep post by URL for drafting (the only I/O in bot.drafting; aiohttp, imported late).

A host's URL is outside input that makes the bot open a connection, so only public addresses
are fetched: the host name is resolved and every address it gives must be public (not
loopback, private, link-local such as the cloud metadata service, shared, reserved or
multicast). The connection then goes to exactly the checked addresses (the check sits in the
resolver aiohttp connects through), and redirects are followed one at a time, each checked
again. Only http(s); size, time and the number of redirects are limited.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from bot.drafting._model import MAX_SOURCE_BYTES, DraftError, SourceKind
from bot.drafting._source import decode_source, detect_kind, too_big

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver, ResolveResult

TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
USER_AGENT = "leadershipchat-drafter/0.1 (+https://github.com/leadershipchat)"
_REDIRECTS = (301, 302, 303, 307, 308)
_TEXT_TYPES = ("text/", "application/xhtml+xml", "application/xml", "application/rss+xml")

AddressCheck = Callable[[IPv4Address | IPv6Address], bool]


def _embedded(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address carried inside an IPv6 one (mapped, NAT64, 6to4), if any."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if int(ip) >> 32 == 0x0064FF9B << 64:  # 64:ff9b::/96
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip: IPv4Address | IPv6Address) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local
    (169.254.169.254, the cloud metadata service), shared (100.64/10), reserved, multicast and
    unspecified addresses, also when they hide inside an IPv6 address."""
    if isinstance(ip, IPv6Address):
        if ip.teredo:
            return False
        inner = _embedded(ip)
        if inner is not None:
            return is_public_address(inner)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


class RefusedAddress(OSError):
    """A host name or address that is not allowed (not public)."""


def _refusal(url: str, what: str) -> DraftError:
    return DraftError(
        f"{url}: {what} is not a public internet address, so the bot will not fetch it; "
        "attach the post as a file instead"
    )


def _resolver(allow: AddressCheck) -> AbstractResolver:
    from aiohttp.resolver import ThreadedResolver

    class CheckedResolver(ThreadedResolver):
        """The system resolver (getaddrinfo in a thread), refusing names with any address that is not allowed."""

        async def resolve(
            self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
        ) -> list[ResolveResult]:
            found = await super().resolve(host, port, family)
            for info in found:
                address = ip_address(info["host"].split("%")[0])
                if not allow(address):
                    raise RefusedAddress(f"{host} ({address})")
            return found

    return CheckedResolver()


def _checked_url(url: str, allow: AddressCheck) -> str:
    """The URL if its scheme and host may be fetched (IP literals checked here: aiohttp does not
    resolve them), else a DraftError saying why."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise DraftError(f"{url}: not a valid address") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DraftError(f"{url}: only http:// and https:// addresses can be fetched")
    if not host:
        raise DraftError(f"{url}: no host name in the address")
    if parts.username is not None or parts.password is not None:
        raise DraftError(f"{url}: addresses with a user name or password are not fetched")
    try:
        literal = ip_address(host.split("%")[0])
    except ValueError:
        return url
    if not allow(literal):
        raise _refusal(url, str(literal))
    return url


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: its text, the address it came from after redirects, and its kind."""

    text: str
    url: str
    kind: SourceKind


async def _read(response: Any, url: str) -> bytes:
    length = response.content_length
    if length is not None and length > MAX_SOURCE_BYTES:
        raise too_big(url)
    data: bytes = await response.content.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise too_big(url)
    return data


def _decode(data: bytes, charset: str | None, url: str) -> str:
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise DraftError(f"{url}: cannot decode the page as {charset}") from None
    return decode_source(data, url)


async def _fetch(url: str, allow: AddressCheck, time_limit: float) -> FetchedPage:
    import aiohttp

    connector = aiohttp.TCPConnector(resolver=_resolver(allow), use_dns_cache=False)
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=time_limit),
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/*;q=0.9"},
        trust_env=False,  # no proxy from the environment: the checked address is the one used
    ) as session:
        current = _checked_url(url, allow)
        for _ in range(MAX_REDIRECTS + 1):
            async with session.get(current, allow_redirects=False) as response:
                if response.status in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise DraftError(f"{current}: a redirect without a Location")
                    current = _checked_url(urljoin(current, location), allow)
                    continue
                if response.status != 200:
                    raise DraftError(
                        f"{current}: the server answered {response.status} {response.reason}"
                    )
                ctype = (response.content_type or "").lower()
                if ctype and not ctype.startswith(_TEXT_TYPES):
                    raise DraftError(f"{current}: this address gives {ctype}, not a web page")
                text = _decode(await _read(response, current), response.charset, current)
                path = urlsplit(current).path
                kind = "html" if "html" in ctype else detect_kind(text, path)
                return FetchedPage(text, current, kind)
        raise DraftError(f"{url}: more than {MAX_REDIRECTS} redirects")


async def fetch_source(
    url: str, *, allow: AddressCheck = is_public_address, time_limit: float = TIMEOUT_SECONDS
) -> FetchedPage:
    """GET an http(s) URL of a public address; every failure is a DraftError saying why.

    `allow` decides which addresses may be fetched (tests pass one that admits loopback)."""
    import aiohttp

    try:
        async with asyncio.timeout(time_limit):
            return await _fetch(url, allow, time_limit)
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, RefusedAddress):
            raise _refusal(url, str(exc.os_error)) from None
        raise DraftError(f"{url}: could not connect ({exc.os_error.strerror or exc})") from None
    except aiohttp.ClientError as exc:
        raise DraftError(f"{url}: could not fetch it ({exc or type(exc).__name__})") from None
    except TimeoutError:
        raise DraftError(f"{url}: no answer within {time_limit:g} seconds") from None


def fetch_source_sync(url: str) -> FetchedPage:
    """fetch_source for synchronous callers such as the CLI."""
    return asyncio.run(fetch_source(url))
