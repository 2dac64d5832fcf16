"""Control API, part 3: reading back what the bot did and waiting for it (event-driven).
Mixed into ``FakeDiscord``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .context import Ctx
from .faults import compile_route
from .model import Message
from .payloads import message_json
from .records import (
    ChannelUpdateRecord,
    CommandSyncRecord,
    DeleteRecord,
    EditRecord,
    GatewayRecord,
    InteractionResponseRecord,
    MemberUpdateRecord,
    PinRecord,
    PostRecord,
    ReactionRecord,
    Record,
    RequestRecord,
    ScheduledEventRecord,
    ThreadRecord,
)
from .rest_events import advance_all
from .setup_api import Ref, SetupMixin

R = TypeVar("R", bound=Record)
DEFAULT_TIMEOUT = 5.0


class ReadBackMixin(SetupMixin):
    _ctx: Ctx

    def _of(self, kind: type[R]) -> list[R]:
        return [a for a in self._ctx.actions.items if isinstance(a, kind)]

    @property
    def actions(self) -> list[Record]:
        """Everything the bot did, in arrival order (all record kinds)."""
        return list(self._ctx.actions.items)

    @property
    def posts(self) -> list[PostRecord]:
        return self._of(PostRecord)

    @property
    def edits(self) -> list[EditRecord]:
        return self._of(EditRecord)

    @property
    def deletes(self) -> list[DeleteRecord]:
        return self._of(DeleteRecord)

    @property
    def interaction_responses(self) -> list[InteractionResponseRecord]:
        return self._of(InteractionResponseRecord)

    @property
    def threads_created(self) -> list[ThreadRecord]:
        return self._of(ThreadRecord)

    @property
    def scheduled_event_ops(self) -> list[ScheduledEventRecord]:
        return self._of(ScheduledEventRecord)

    @property
    def reactions(self) -> list[ReactionRecord]:
        return self._of(ReactionRecord)

    @property
    def pins(self) -> list[PinRecord]:
        return self._of(PinRecord)

    @property
    def channel_updates(self) -> list[ChannelUpdateRecord]:
        return self._of(ChannelUpdateRecord)

    @property
    def member_updates(self) -> list[MemberUpdateRecord]:
        return self._of(MemberUpdateRecord)

    @property
    def command_syncs(self) -> list[CommandSyncRecord]:
        return self._of(CommandSyncRecord)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST request received, including ones answered by injected faults."""
        return list(self._ctx.requests.items)

    @property
    def gateway_events(self) -> list[GatewayRecord]:
        return list(self._ctx.gateway_log.items)

    def requests_to(self, method: str, route: str) -> list[RequestRecord]:
        """Requests matching ``method`` and a route pattern (``*``/``{name}`` = one segment)."""
        regex = compile_route(route)
        return [
            r
            for r in self._ctx.requests.items
            if method in ("*", r.method) and regex.fullmatch(r.path)
        ]

    def responses_to(self, interaction_id: int) -> list[InteractionResponseRecord]:
        return [r for r in self.interaction_responses if r.interaction_id == interaction_id]

    def scheduled_events(self, guild: int | None = None) -> list[dict[str, Any]]:
        """Current scheduled events of ``guild`` (default: every guild), as of now (an external
        event starts and ends by itself at its times)."""
        guilds = self._ctx.state.guilds.values()
        for g in guilds:
            advance_all(self._ctx, g)
        return [
            dict(e) for g in guilds if guild in (None, g.id) for e in g.scheduled_events.values()
        ]

    def messages(self, channel: Ref) -> list[Message]:
        """Messages currently in a channel or thread (anyone's), oldest first."""
        return self._ctx.state.live_messages(self.channel_id(channel))

    def message(self, message_id: int) -> Message:
        return self._ctx.state.messages[message_id]

    def message_payload(self, message: Message) -> dict[str, Any]:
        """The Discord JSON of a stored message (as REST would return it)."""
        return message_json(self._ctx.state, message)

    def commands(self, guild: int | None = None) -> list[dict[str, Any]]:
        """Application commands the bot registered: global (``guild=None``) or for ``guild``."""
        return list(self._ctx.state.commands_for(guild))

    def reset_records(self) -> None:
        """Forget recorded actions and requests (state such as messages is kept)."""
        self._ctx.actions.clear()
        self._ctx.requests.clear()

    # --- waiting ------------------------------------------------------------------------------

    async def wait_for_post(
        self,
        predicate: Callable[[PostRecord], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> PostRecord:
        """The first post (index >= ``after`` in ``posts``) matching ``predicate``, waiting for
        it if needed. Use ``after=len(fake.posts)`` to ignore earlier posts."""
        return await self.wait_for_action(predicate, kind=PostRecord, timeout=timeout, after=after)

    async def wait_for_action(
        self,
        predicate: Callable[[R], bool] | None = None,
        *,
        kind: type[R],
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        after: int = 0,
    ) -> R:
        """The first record of type ``kind`` (index >= ``after`` among records of that kind)
        matching ``predicate``."""
        seen = 0

        def match(record: Record) -> bool:
            nonlocal seen
            if not isinstance(record, kind):
                return False
            seen += 1
            return seen > after and (predicate is None or predicate(record))

        found = await self._ctx.actions.wait_for(match, timeout=timeout, what=kind.__name__)
        assert isinstance(found, kind)
        return found

    async def wait_for_interaction_response(
        self,
        interaction_id: int,
        *,
        action: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> InteractionResponseRecord:
        """The first response record for ``interaction_id`` (optionally of one ``action``:
        ``callback``, ``followup``, ``edit_original``...)."""
        return await self.wait_for_action(
            lambda r: r.interaction_id == interaction_id and action in (None, r.action),
            kind=InteractionResponseRecord,
            timeout=timeout,
        )

    async def wait_for_commands(
        self,
        name: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> CommandSyncRecord:
        """A command sync (optionally one that includes command ``name``)."""
        return await self.wait_for_action(
            lambda r: name is None or any(c["name"] == name for c in r.commands),
            kind=CommandSyncRecord,
            timeout=timeout,
        )

    async def wait_for_gateway(
        self,
        event: str,
        *,
        count: int = 1,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> GatewayRecord:
        """The ``count``-th gateway record named ``event`` (``IDENTIFY``, ``READY``, ``RESUME``,
        ``RESUMED``, ``INVALID_SESSION``, ``CLOSE``, ``CONNECT``...) since start."""
        seen = 0

        def match(record: GatewayRecord) -> bool:
            nonlocal seen
            if record.event == event:
                seen += 1
            return seen >= count and record.event == event

        return await self._ctx.gateway_log.wait_for(match, timeout=timeout, what=f"gateway {event}")

    async def wait_for_request(
        self,
        method: str,
        route: str,
        *,
        status: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
        after: int = 0,
    ) -> RequestRecord:
        """A REST request matching ``method`` + route pattern (and ``status``)."""
        regex = compile_route(route)
        return await self._ctx.requests.wait_for(
            lambda r: (
                method in ("*", r.method)
                and regex.fullmatch(r.path) is not None
                and status in (None, r.status)
            ),
            timeout=timeout,
            after=after,
            what=f"request {method} {route}",
        )
