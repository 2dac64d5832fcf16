"""`leadershipchat run`: open the store, build transport, engine and bot, run until SIGTERM.

The order matters on the way down: the bot closes first (scheduler stopped, heartbeat cleared,
gateway closed), then the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import discord
import yarl

from bot.clock import SystemClock
from bot.config import DiscordSettings, Settings
from bot.discord.client import LeadershipBot, Rehearsal
from bot.discord.transport import DiscordTransport
from bot.engine import ChatEngine, Platform, RecapPublisher, TopicSource
from bot.engine.recap_publisher import publish_recap
from bot.engine.step_runner import RETRY_DELAYS
from bot.engine.triggers import SchedulerTrigger
from bot.maintenance.shutdown import stop_on_signals
from bot.store import Store
from bot.topics import TopicCatalog, load_catalog

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED = 0, 1


class StartupError(Exception):
    """The bot could not start, or cannot go on, for a reason the operator must see.

    ``exit_status`` 2: only the operator can fix it (the token, the intents), so a service
    manager should not restart the bot (docs/hosting.md: ``RestartPreventExitStatus=2``);
    1: trying again later may work (Discord out of reach)."""

    def __init__(self, message: str, *, operator_must_fix: bool = False) -> None:
        super().__init__(message)
        self.exit_status = 2 if operator_must_fix else 1


TOKEN_REFUSED = (
    "Discord refused the token: check DISCORD_TOKEN (Developer Portal > Bot > Reset Token)"
)
#: gateway close codes after which reconnecting cannot help (gateway.mdx, Gateway Close Event
#: Codes; 4014 reaches us as discord.PrivilegedIntentsRequired)
FATAL_CLOSE = {
    4004: "Authentication failed",
    4010: "Invalid shard",
    4011: "Sharding required",
    4012: "Invalid API version",
    4013: "Invalid intent(s)",
}


def closed_for_good(code: int | None) -> str:
    """Why the gateway closed for good, in words (the token was reset while the bot ran...)."""
    what = FATAL_CLOSE.get(code or 0, "no reason given")
    if code == 4004:
        return f"{TOKEN_REFUSED} (the gateway closed with {code} {what})"
    return f"Discord closed the gateway with {code} ({what}) and the bot cannot reconnect"


def point_at(discord_settings: DiscordSettings) -> None:
    """Use a REST proxy / test server when configured (at run time, never at import)."""
    if discord_settings.api_base:
        discord.http.Route.BASE = discord_settings.api_base.rstrip("/")
    if discord_settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(discord_settings.gateway_url)


_NETWORK = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound)


def unreachable(exc: BaseException, where: DiscordSettings, never_connected: bool) -> str | None:
    """Why Discord could not be reached at start-up, in words; None for any other error.

    discord.py retries a failed gateway connection only once it has had one: the first failure
    surfaces as an AttributeError on its missing websocket (Rapptz/discord.py#10520), with the
    network error as its context."""
    if isinstance(exc, AttributeError) and never_connected:
        exc = exc.__context__ or exc
    if isinstance(exc, discord.HTTPException):
        return f"Discord answered {exc.status} at start-up ({exc.text or 'no details'}); try again later"
    if not isinstance(exc, _NETWORK):
        return None
    rest = where.api_base or discord.http.Route.BASE
    gateway = where.gateway_url or "wss://gateway.discord.gg"
    reason = str(exc) or type(exc).__name__
    return (
        f"cannot reach Discord (REST {rest}, gateway {gateway}): {reason}. "
        "Check the network, a proxy or firewall, and `discord:` in the config"
    )


def recap_publisher() -> RecapPublisher:
    return publish_recap


def topic_source(settings: Settings) -> TopicSource:
    """Topic files are re-read whenever the engine plans, so new files need no restart."""

    async def topics() -> TopicCatalog:
        folder = settings.prompts_dir
        if not folder.is_dir():
            return TopicCatalog([], [])
        return await asyncio.to_thread(load_catalog, [folder], settings)

    return topics


PlatformsFor = Callable[[Store], Sequence[Platform]]


def assemble_bot(
    settings: Settings,
    store: Store,
    *,
    rehearsal: Rehearsal | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    platforms: Sequence[Platform] = (),
    **bot_options: Any,
) -> LeadershipBot:
    """Transport, scheduler trigger, engine and bot over an open store: what `run` starts (the
    tests start the same, with shorter delays). `platforms`: the others the chats run on
    (Bluesky), built by the command line, which may import them."""
    clock = SystemClock()
    trigger = SchedulerTrigger()
    transport = DiscordTransport(settings)
    engine = ChatEngine(
        settings,
        store,
        transport,
        trigger=trigger,
        clock=clock,
        topics=topic_source(settings),
        recap=recap_publisher(),
        retry_delays=retry_delays,
        platforms=platforms,
    )
    return LeadershipBot(
        settings,
        store,
        engine,
        transport=transport,
        trigger=trigger,
        clock=clock,
        rehearsal=rehearsal,
        **bot_options,
    )


async def run_bot(
    settings: Settings,
    token: str,
    *,
    rehearsal: Rehearsal | None = None,
    platforms: PlatformsFor | None = None,
) -> int:
    """Run until SIGTERM/SIGINT or a fatal start-up problem; returns the exit code."""
    point_at(settings.discord)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per job otherwise
    async with Store(settings.database) as store:
        others = platforms(store) if platforms is not None else ()
        bot = assemble_bot(settings, store, rehearsal=rehearsal, platforms=others)
        loop = asyncio.get_running_loop()
        remove = stop_on_signals(loop, lambda: loop.create_task(bot.close()))
        try:
            async with bot:
                await bot.start(token)
        except discord.LoginFailure:
            raise StartupError(TOKEN_REFUSED, operator_must_fix=True) from None
        except discord.ConnectionClosed as exc:  # a close code discord.py does not retry
            raise StartupError(closed_for_good(exc.code), operator_must_fix=True) from None
        except discord.PrivilegedIntentsRequired:
            raise StartupError(
                "the Message Content and Server Members intents are not enabled: turn them on in "
                "the Developer Portal (your application > Bot > Privileged Gateway Intents)",
                operator_must_fix=True,
            ) from None
        except Exception as exc:
            if (problem := unreachable(exc, settings.discord, bot.ws is None)) is None:
                raise
            raise StartupError(problem) from None
        finally:
            remove()
            for other in others:
                await other.close()
    log.info("stopped cleanly")
    return EXIT_OK
