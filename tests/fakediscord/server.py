"""``FakeDiscord``: the aiohttp server (REST under /api/v10, gateway websocket, /_control),
its lifecycle, URLs, and fault injection. World-building, member actions and read-back
methods come from the mixins in ``setup_api``, ``member_actions`` and ``readback``."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any

from aiohttp import web

from .context import Ctx
from .control_http import ControlRoutes
from .faults import FaultInjector, FaultRule
from .gateway import Gateway, Intent
from .http_util import API_PREFIX, api_middleware
from .interactions import InteractionBuilder
from .member_actions import MemberActionsMixin
from .model import Perm
from .ops import Ops
from .ratelimit import Limit, RateLimiter, RateLimits
from .readback import ReadBackMixin
from .records import EventLog, GatewayRecord, Record, RequestRecord
from .rest_channel_extras import ChannelExtraRoutes
from .rest_events import EventRoutes
from .rest_guilds import GuildRoutes
from .rest_interactions import InteractionRoutes
from .rest_messages import MessageRoutes
from .setup_api import GuildHandle
from .spec import Conformance, ConformanceError
from .state import FakeState

DEFAULT_TOKEN = "ZmFrZQ.ZmFrZWRpc2NvcmQ.dG9rZW4tZm9yLXRlc3Rz"


def configure_discord_py(api_base: str, gateway_url: str) -> tuple[str, Any]:
    """Point discord.py (this process) at a fake: sets ``discord.http.Route.BASE`` and
    ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``. Returns the previous values, which
    ``restore_discord_py`` puts back."""
    import discord.gateway
    import discord.http
    import yarl

    previous = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return previous


def restore_discord_py(previous: tuple[str, Any]) -> None:
    import discord.gateway
    import discord.http

    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = previous


class FakeDiscord(MemberActionsMixin, ReadBackMixin):
    """A fake Discord (REST + gateway + control API) on 127.0.0.1.

    ``async with FakeDiscord() as fake:`` starts it on a free port with a default guild
    (``fake.guild``: channel ``general``, members ``alice`` and ``bob``, an owner, and the bot).
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "FakeBot",
        default_guild: bool = True,
        heartbeat_interval_ms: int = 41250,
        gateway_compression: bool = True,
        privileged_intents: int = Intent.PRIVILEGED,
        nonce_window: float = 300.0,
        interaction_response_timeout: float | None = 3.0,
        message_rate_limit: tuple[int, float] | None = None,
        rate_limits: RateLimits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """
        ``privileged_intents``: which privileged intents the app is approved for (IDENTIFY with
        others closes 4014; without Message Content, REST message content is blanked).
        ``interaction_response_timeout``: seconds within which an interaction must be answered
        (Discord: 3); ``None`` disables the check.
        ``rate_limits``: per-route buckets and the global limit (every answer carries the
        ``X-RateLimit-*`` headers; the default limits are generous, ``RateLimits.realistic()``
        has Discord's numbers). ``message_rate_limit``: e.g. ``(5, 5.0)``, a shortcut for
        that many message sends per channel.
        """
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._previous_config: tuple[str, Any] | None = None
        self._handles: list[GuildHandle] = []
        state = FakeState(token=token, bot_name=bot_name, nonce_window=nonce_window)
        limits = rate_limits or RateLimits()
        if message_rate_limit is not None:
            limits.routes["create_message"] = Limit(*message_rate_limit)
        gateway_log: EventLog[GatewayRecord] = EventLog()
        conformance = Conformance()
        gateway = Gateway(
            state,
            gateway_log,
            conformance,
            heartbeat_interval_ms=heartbeat_interval_ms,
            compression=gateway_compression,
            privileged_intents=privileged_intents,
            resume_url=lambda: f"ws://{self.host}:{self.port}/gateway-resume",
        )
        self._ctx = Ctx(
            state=state,
            gateway=gateway,
            ops=Ops(state, gateway, lambda: self.base_url),
            faults=FaultInjector(),
            actions=EventLog[Record](),
            requests=EventLog[RequestRecord](),
            gateway_log=gateway_log,
            base_url=lambda: self.base_url,
            gateway_url=lambda: self.gateway_url,
            conformance=conformance,
            rate_limiter=RateLimiter(limits),
        )
        self._interactions = InteractionBuilder(self._ctx)
        self._interaction_routes = InteractionRoutes(
            self._ctx, self._interactions, interaction_response_timeout
        )
        if default_guild:
            self._create_guild("Fake Guild", ("general",), (), ("alice", "bob"), Perm.BOT_DEFAULT)

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        ctx = self._ctx
        app = web.Application(
            middlewares=[
                api_middleware(
                    token=lambda: ctx.state.token,
                    faults=ctx.faults,
                    requests=ctx.requests,
                    conformance=ctx.conformance,
                    limiter=ctx.rate_limiter,
                )
            ],
            client_max_size=64 * 1024 * 1024,
        )
        self.register_rest(app.router)
        app.router.add_get("/gateway", ctx.gateway.handle)
        app.router.add_get("/gateway-resume", ctx.gateway.handle)
        ControlRoutes(self).register(app.router)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def register_rest(self, router: web.UrlDispatcher) -> None:
        """Every REST route of the fake, under ``/api/v10`` (and the CDN's attachment route);
        the conformance coverage test lists the operations from here."""
        ctx = self._ctx
        GuildRoutes(ctx).register(router, API_PREFIX)
        EventRoutes(ctx).register(router, API_PREFIX)
        MessageRoutes(ctx).register(router, API_PREFIX)
        ChannelExtraRoutes(ctx).register(router, API_PREFIX)
        self._interaction_routes.register(router, API_PREFIX)

    async def stop(self) -> None:
        """Stop serving; raises ``ConformanceError`` if the bot sent, or the fake produced,
        anything Discord's description forbids that no test took (``conformance.take()``)."""
        if self._runner is None:
            return
        self._ctx.gateway.accepting.set()
        await self._ctx.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None
        if self._previous_config is not None:
            restore_discord_py(self._previous_config)
            self._previous_config = None
        self._ctx.conformance.raise_if_any()

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            await self.stop()
            return
        try:  # the test failed already: its error stays first, the violations ride along
            await self.stop()
        except ConformanceError as found:
            exc.add_note(str(found))

    @property
    def conformance(self) -> Conformance:
        """Violations of Discord's description found so far (``take()`` them in tests that
        send wrong payloads on purpose) and what was validated."""
        return self._ctx.conformance

    # --- addresses and configuration ----------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``"""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """``http://127.0.0.1:PORT/api/v10`` — what ``discord.http.Route.BASE`` must be."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """``ws://127.0.0.1:PORT/gateway`` — what ``DiscordWebSocket.DEFAULT_GATEWAY`` must be."""
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def control_url(self) -> str:
        """``http://127.0.0.1:PORT/_control`` — the JSON control API."""
        return self.base_url + "/_control"

    @property
    def token(self) -> str:
        return self._ctx.state.token

    @property
    def application_id(self) -> int:
        return self._ctx.state.application_id

    @property
    def bot_user_id(self) -> int:
        return self._ctx.state.bot.id

    def point_discord_py_here(self) -> None:
        """Configure discord.py in this process to use this fake (``Route.BASE`` and
        ``DiscordWebSocket.DEFAULT_GATEWAY``); ``stop()`` puts the previous values back."""
        previous = configure_discord_py(self.api_base, self.gateway_url)
        if self._previous_config is None:
            self._previous_config = previous

    def env(self, prefix: str = "FAKEDISCORD_") -> dict[str, str]:
        """Connection settings for a bot run as a subprocess."""
        return {
            f"{prefix}API_BASE": self.api_base,
            f"{prefix}GATEWAY_URL": self.gateway_url,
            f"{prefix}CONTROL_URL": self.control_url,
            f"{prefix}TOKEN": self.token,
        }

    # --- fault injection ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        route: str,
        status: int,
        *,
        count: int = 1,
        retry_after: float = 1.0,
        is_global: bool = False,
    ) -> FaultRule:
        """Answer the next ``count`` REST requests matching ``method`` (or ``*``) and ``route``
        (``/channels/{id}/messages``, ``*``/``{name}`` = one segment, ``**`` = any) with
        ``status``: 429 (Discord rate-limit body and headers, ``retry_after`` seconds), 5xx,
        403 (Missing Permissions)... The rule's ``hits`` counts answered requests."""
        return self._ctx.faults.add(
            FaultRule(method.upper(), route, status, count, retry_after, is_global)
        )

    def set_interaction_deadlines(
        self, *, initial: float | None = 3.0, token: float = 15 * 60.0
    ) -> None:
        """Seconds the bot has for an interaction's first response (Discord: 3; None = no
        limit; late answers get 404 Unknown Interaction) and for followups and edits with its
        token (Discord: 15 minutes; then 401 Invalid Webhook Token, code 50027)."""
        self._interaction_routes.response_timeout = initial
        self._interaction_routes.token_lifetime = token

    @property
    def rate_limit_refusals(self) -> dict[str, int]:
        """429s the rate limiter answered so far, by scope (``user`` = a route's bucket,
        ``global``)."""
        return dict(self._ctx.rate_limiter.refusals)

    def delay_responses(self, seconds: float) -> None:
        """Delay every REST response by ``seconds`` (0 to stop)."""
        self._ctx.faults.delay = seconds

    def clear_faults(self) -> None:
        self._ctx.faults.clear()

    async def drop_websocket(self, *, resumable: bool = True) -> None:
        """Close the bot's gateway socket(s). Resumable: close code 4000, session kept, events
        dispatched meanwhile are replayed on RESUME. Not resumable: session invalidated, close
        code 4009; the client's RESUME gets INVALID_SESSION and it must IDENTIFY again."""
        await self._ctx.gateway.drop(resumable=resumable)

    @contextlib.asynccontextmanager
    async def gateway_held(self) -> AsyncIterator[None]:
        """Inside this block, new gateway connections are accepted but get no HELLO, so a client
        that lost its socket stays disconnected: events dispatched meanwhile are missed (and
        replayed on RESUME). Wait for ``wait_for_gateway("CONNECT", count=n)`` to know the client
        is knocking."""
        self._ctx.gateway.accepting.clear()
        try:
            yield
        finally:
            self._ctx.gateway.accepting.set()

    async def invalidate_session(self) -> None:
        """Send INVALID_SESSION (d=false) on live sockets: the client must re-IDENTIFY."""
        await self._ctx.gateway.invalidate_sessions()

    def reset_token(self) -> str:
        """The bot's token is reset in the Developer Portal: from now on the old one gets 401
        over REST and an IDENTIFY with it closes the socket with 4004 (Authentication failed).
        Returns the new token."""
        state = self._ctx.state
        state.token = state.token[:-6] + secrets.token_hex(3)
        return state.token

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client reconnects and RESUMEs."""
        await self._ctx.gateway.request_reconnect()
