"""The services every REST/control module needs, bundled so modules stay decoupled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .faults import FaultInjector
from .gateway import Gateway
from .ops import Ops
from .ratelimit import RateLimiter
from .records import EventLog, GatewayRecord, Record, RequestRecord
from .spec import Conformance
from .state import FakeState


@dataclass
class Ctx:
    state: FakeState
    gateway: Gateway
    ops: Ops
    faults: FaultInjector
    #: everything the bot did, in order (posts, edits, deletes, interaction responses, ...)
    actions: EventLog[Record]
    requests: EventLog[RequestRecord]
    gateway_log: EventLog[GatewayRecord]
    base_url: Callable[[], str]
    gateway_url: Callable[[], str]
    #: what the conformance checks found (REST and gateway)
    conformance: Conformance
    #: per-route buckets and the global limit, with Discord's headers
    rate_limiter: RateLimiter

    def record(self, record: Record) -> None:
        self.actions.add(record)
