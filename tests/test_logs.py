"""Log output never carries the bot token or a webhook URL: not in messages, arguments,
tracebacks or stack dumps, not from discord.py's own loggers, in text and in JSON lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import discord
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.logs import RedactSecrets, setup_logging

TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
HOOK_ID = 1234567890123456789
HOOK_TOKEN = "x" * 30 + "-Secret_Hook_Token-" + "y" * 20
HOOKS = [
    f"https://discord.com/api/webhooks/{HOOK_ID}/{HOOK_TOKEN}",
    f"https://discordapp.com/api/webhooks/{HOOK_ID}/{HOOK_TOKEN}",
    f"https://ptb.discord.com/api/v10/webhooks/{HOOK_ID}/{HOOK_TOKEN}?wait=true",
    f"https://canary.discord.com/api/webhooks/{HOOK_ID}/{HOOK_TOKEN}/messages/1",
]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """setup_logging into a buffer; the root logger is put back as it was afterwards."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), {h: list(h.filters) for h in root.handlers})
    out = io.StringIO()
    setup_logging("DEBUG", "text", stream=out, token=TOKEN)
    yield out
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(saved[0])
    for handler in saved[1]:
        root.addHandler(handler)
        handler.filters[:] = saved[2][handler]


def assert_clean(text: str) -> None:
    assert TOKEN not in text
    assert TOKEN.split(".")[2] not in text
    assert HOOK_TOKEN not in text and "Secret_Hook_Token" not in text
    for url in HOOKS:
        assert url not in text


def test_messages_arguments_tracebacks_and_stacks_are_redacted(captured: io.StringIO) -> None:
    log = logging.getLogger("discord.client")
    log.info("logging in with %s", TOKEN)
    log.warning("token in the message itself: " + TOKEN)
    log.info("webhooks: %s", " ".join(HOOKS))
    log.info("mapping %(hook)s", {"hook": HOOKS[0]})
    log.debug("stack", stack_info=True, extra={"x": TOKEN})
    try:
        raise RuntimeError(f"login failed for {TOKEN} via {HOOKS[1]}")
    except RuntimeError:
        log.exception("could not connect")
    logging.getLogger("discord.gateway").error("bad args %s %s", TOKEN)  # mismatched arguments

    out = captured.getvalue()
    assert_clean(out)
    assert out.count("[redacted]") >= 8
    assert "could not connect" in out and "Traceback (most recent call last)" in out
    assert "RuntimeError: login failed for [redacted]" in out
    assert "[INFO    ] discord.client: logging in with [redacted]" in out


def test_json_lines_are_redacted_and_parse(captured: io.StringIO) -> None:
    setup_logging("INFO", "json", stream=captured, token=TOKEN)
    try:
        raise ValueError(HOOKS[2])
    except ValueError:
        logging.getLogger("bot.engine").exception("post failed for %s", TOKEN)
    logging.getLogger("discord.http").debug("dropped: below INFO %s", TOKEN)
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [entry["level"] for entry in lines] == ["ERROR"]
    (entry,) = lines
    assert entry["logger"] == "bot.engine" and entry["message"] == "post failed for [redacted]"
    assert "ValueError: https://discord.com/api/webhooks/[redacted]" in entry["exc"]
    assert_clean(captured.getvalue())


def test_token_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, captured: io.StringIO
) -> None:
    plain = "short.but-still-a-secret-value"  # not token-shaped: only the exact value catches it
    monkeypatch.setenv("DISCORD_TOKEN", plain)
    setup_logging("INFO", "text", stream=captured)
    logging.getLogger("bot").info("token=%s", plain)
    assert plain not in captured.getvalue()
    assert "token=[redacted]" in captured.getvalue()


def test_setup_twice_does_not_double_lines(captured: io.StringIO) -> None:
    setup_logging("INFO", "text", stream=captured, token=TOKEN)
    logging.getLogger("bot").info("once")
    assert captured.getvalue().count("once") == 1


def test_short_secrets_do_not_blank_out_ordinary_words() -> None:
    assert RedactSecrets(["abc"]).redact("abc abc") == "abc abc"


@pytest.fixture
async def webhook_server() -> AsyncIterator[TestServer]:
    async def forbidden(request: web.Request) -> web.Response:
        return web.json_response({"message": "Missing Access", "code": 50001}, status=403)

    app = web.Application()
    app.router.add_route("*", "/api/v10/webhooks/{id}/{token}", forbidden)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def test_discord_py_own_webhook_logging_is_redacted(
    captured: io.StringIO, webhook_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real discord.py code logs the full webhook URL at DEBUG; it must not reach the output."""
    monkeypatch.setattr(
        discord.webhook.async_.Route, "BASE", str(webhook_server.make_url("/api/v10"))
    )
    async with aiohttp.ClientSession() as session:
        hook = discord.Webhook.partial(HOOK_ID, HOOK_TOKEN, session=session)
        with pytest.raises(discord.Forbidden) as failure:
            await hook.send("hello")
        logging.getLogger("bot.recap").error("webhook post failed", exc_info=failure.value)
    out = captured.getvalue()
    assert f"Webhook ID {HOOK_ID} with POST" in out  # discord.py's own line came through
    assert f"/webhooks/{HOOK_ID}/[redacted]" in out
    assert_clean(out)


async def test_debug_logs_hold_no_message_text_and_no_forgotten_member(
    captured: io.StringIO, tmp_path: Path
) -> None:
    from bot.maintenance.forget import forget_member
    from bot.store import Store
    from tests.test_forget import GONE, SECRET, populate

    async with Store(tmp_path / "chat.db") as store:
        await populate(store)
        await forget_member(store, GONE)
    logging.getLogger("discord.gateway").debug(
        "For Shard ID %s: WebSocket Event: %s",
        None,
        {"t": "MESSAGE_CREATE", "d": {"content": SECRET, "author": {"id": str(GONE)}}},
    )
    logging.getLogger("discord.http").debug(
        "%s %s with %s has returned %s",
        "POST",
        "https://discord.com/api/v10/channels/1/messages",
        json.dumps({"content": SECRET}),
        200,
    )
    text = captured.getvalue()
    assert "executing" in text and "WebSocket Event" in text, "DEBUG lines are still written"
    assert "POST https://discord.com/api/v10/channels/1/messages with" in text
    assert SECRET not in text and str(GONE) not in text
