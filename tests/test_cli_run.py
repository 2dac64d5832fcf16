"""`leadershipchat run` refuses what cannot work with a message: a token with a line break in it
(never echoed), Discord out of reach, an unusable database."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.discord.runner import StartupError, run_bot
from tests.conftest import CliResult
from tests.test_discord_harness import TIMEOUT, chat_config, config_data, world, write_config

SECRET = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
CONFIG = """
database: chat.db
chats:
  - name: c
    guild_id: 1
    channels: {chat: 2}
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "token", [SECRET[:30] + "\n" + SECRET[30:], SECRET + "\nrest", f"{SECRET[:20]} {SECRET[20:]}"]
)
def test_a_token_with_a_line_break_or_space_is_refused_without_showing_it(
    token: str,
    monkeypatch: pytest.MonkeyPatch,
    write_config: Callable[..., Path],
    run_cli: Callable[..., CliResult],
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", token)
    result = run_cli("--config", write_config(CONFIG), "run")
    assert result.code == 2
    assert "DISCORD_TOKEN holds a line break" in result.err
    for part in token.split():
        assert part[:12] not in result.err + result.out


def test_rest_out_of_reach_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
    write_config: Callable[..., Path],
    run_cli: Callable[..., CliResult],
) -> None:
    port = closed_port()
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    path = write_config(
        CONFIG
        + f"discord: {{api_base: 'http://127.0.0.1:{port}/api/v10', "
        + f"gateway_url: 'ws://127.0.0.1:{port}/gateway'}}\n"
    )
    result = run_cli("--config", path, "run")
    assert result.code == 1
    assert "\nerror: cannot reach Discord" in result.err, result.err
    assert f"127.0.0.1:{port}" in result.err and "Traceback" not in result.err


async def test_gateway_out_of_reach_stops_with_a_clear_error(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        data = config_data(w.fake, tmp_path, [chat_config(w.guild, datetime.now(UTC))])
        data["discord"]["gateway_url"] = f"ws://127.0.0.1:{closed_port()}/gateway"
        settings = load_settings(write_config(tmp_path / "config.yaml", data))
        with pytest.raises(StartupError, match="cannot reach Discord") as caught:
            await run_bot(settings, w.fake.token)
    assert "Connect call failed" in str(caught.value)
    assert caught.value.exit_status == 1  # trying again later may work: a service restarts it


async def test_a_token_reset_while_running_stops_the_bot_with_a_clear_error(
    tmp_path: Path,
) -> None:
    """The token is reset in the Developer Portal while the bot runs: the next IDENTIFY is
    closed with 4004. The bot stops once, saying what to fix, instead of retrying forever."""
    async with world(tmp_path) as w:
        data = config_data(w.fake, tmp_path, [chat_config(w.guild, datetime.now(UTC))])
        settings = load_settings(write_config(tmp_path / "config.yaml", data))
        running = asyncio.create_task(run_bot(settings, w.fake.token))
        await w.fake.wait_for_gateway("READY", timeout=TIMEOUT)
        w.fake.reset_token()
        await w.fake.drop_websocket(resumable=False)
        with pytest.raises(StartupError) as caught:
            await asyncio.wait_for(running, TIMEOUT)
        identified = [r.detail["ok"] for r in w.fake.gateway_events if r.event == "IDENTIFY"]
    assert "Discord refused the token" in str(caught.value) and caught.value.exit_status == 2
    assert "DISCORD_TOKEN" in str(caught.value) and "4004" in str(caught.value)
    assert identified == [True, False]  # one refused IDENTIFY, no loop


async def test_intents_not_enabled_for_the_app_stop_the_bot_with_a_clear_error(
    tmp_path: Path,
) -> None:
    """IDENTIFY asks for Message Content and Server Members, which the app is not approved for:
    the gateway closes with 4014 and the bot says where to turn them on."""
    async with world(tmp_path, privileged_intents=0) as w:
        data = config_data(w.fake, tmp_path, [chat_config(w.guild, datetime.now(UTC))])
        settings = load_settings(write_config(tmp_path / "config.yaml", data))
        with pytest.raises(StartupError) as caught:
            await asyncio.wait_for(run_bot(settings, w.fake.token), TIMEOUT)
        identified = [r.detail["ok"] for r in w.fake.gateway_events if r.event == "IDENTIFY"]
    assert "Privileged Gateway Intents" in str(caught.value) and caught.value.exit_status == 2
    assert identified == [False]


def test_a_problem_only_the_operator_can_fix_exits_2_and_one_that_may_pass_exits_1(
    monkeypatch: pytest.MonkeyPatch,
    write_config: Callable[..., Path],
    run_cli: Callable[..., CliResult],
) -> None:
    """Exit status 2 tells a service manager not to restart (docs/hosting.md)."""
    import bot.discord.runner

    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    path = write_config(CONFIG)
    for fixable, status in ((True, 2), (False, 1)):

        async def refused(*_: object, fixable: bool = fixable, **__: object) -> int:
            raise StartupError("Discord refused the token", operator_must_fix=fixable)

        monkeypatch.setattr(bot.discord.runner, "run_bot", refused)
        result = run_cli("--config", path, "run")
        assert result.code == status
        assert "error: Discord refused the token" in result.err
