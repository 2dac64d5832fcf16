"""Fetching a prep post by URL (bot/drafting/fetch.py) against a local server on 127.0.0.1:
public addresses only (checked on every redirect), http(s) only, size, time and type limits.

The address check is injectable: the tests that fetch let loopback through, the tests of the
refusal use the real check, so the server is there and would answer if asked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest
from aiohttp import web

from bot.drafting import DraftError
from bot.drafting._model import MAX_SOURCE_BYTES
from bot.drafting.fetch import fetch_source, is_public_address

POST = "<html><head><title>Café talk</title></head><body><p>Café talk: what do you owe?</p>"


def loopback_only(ip: IPv4Address | IPv6Address) -> bool:
    return ip == ip_address("127.0.0.1")


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """A local web server; its routes stand in for a blog and for hostile pages."""
    never = asyncio.Event()

    async def post(request: web.Request) -> web.Response:
        return web.Response(
            body=POST.encode("latin-1"), content_type="text/html", charset="latin-1"
        )

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query.get("to", "/redirect"))  # no target: round and round

    async def big(request: web.Request) -> web.Response:
        return web.Response(text="<p>x</p>" * (MAX_SOURCE_BYTES // 8 + 1), content_type="text/html")

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n", content_type="image/png")

    async def hang(request: web.Request) -> web.Response:
        await never.wait()  # never answers: only the client's time limit ends the request
        raise AssertionError("unreachable")

    app = web.Application()
    for path, handler in [
        ("/post", post),
        ("/redirect", redirect),
        ("/big", big),
        ("/image", image),
        ("/hang", hang),
    ]:
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield "http://127.0.0.1:{}".format(*runner.addresses[0][1:2])
    finally:
        never.set()
        await runner.cleanup()


async def test_fetches_a_page_with_its_charset_and_kind(server: str) -> None:
    page = await fetch_source(f"{server}/post", allow=loopback_only)
    assert "Café talk: what do you owe?" in page.text
    assert page.kind == "html" and page.url == f"{server}/post"
    with pytest.raises(DraftError, match="answered 404"):
        await fetch_source(f"{server}/missing", allow=loopback_only)


async def test_refuses_loopback_by_address_and_by_name(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    for url in (f"{server}/post", f"http://localhost:{port}/post"):
        with pytest.raises(DraftError, match="is not a public internet address"):
            await fetch_source(url)


async def test_every_redirect_is_checked(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    followed = await fetch_source(f"{server}/redirect?to=/post", allow=loopback_only)
    assert followed.url == f"{server}/post"
    for target in (
        f"http://127.0.0.2:{port}/post",
        f"http://[::1]:{port}/post",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/admin",
    ):
        with pytest.raises(DraftError, match="is not a public internet address"):
            await fetch_source(f"{server}/redirect?to={target}", allow=loopback_only)
    with pytest.raises(DraftError, match="only http"):
        await fetch_source(f"{server}/redirect?to=file:///etc/passwd", allow=loopback_only)
    with pytest.raises(DraftError, match="more than 5 redirects"):
        await fetch_source(f"{server}/redirect", allow=loopback_only)


async def test_size_time_and_type_limits(server: str) -> None:
    with pytest.raises(DraftError, match="larger than 5 MB"):
        await fetch_source(f"{server}/big", allow=loopback_only)
    with pytest.raises(DraftError, match="gives image/png, not a web page"):
        await fetch_source(f"{server}/image", allow=loopback_only)
    with pytest.raises(DraftError, match=r"no answer within 0\.3 seconds"):
        await fetch_source(f"{server}/hang", allow=loopback_only, time_limit=0.3)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/post",
        "file:///etc/passwd",
        "http://user:secret@example.com/post",
        "http:///no-host",
        "http://example.com:99999/",
    ],
)
async def test_only_plain_http_addresses(url: str) -> None:
    with pytest.raises(DraftError):
        await fetch_source(url)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # shared (carrier-grade NAT)
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("fd00:ec2::254", False),  # AWS metadata over IPv6
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(ip_address(address)) is public
