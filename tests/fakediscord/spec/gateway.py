"""Gateway conformance: every payload the fake sends (dispatches and opcodes) and every frame
the bot sends, against ``gateway_schemas.py``, and the opcode flow of each connection as
``gateway.mdx`` describes it (Connection lifecycle, Identifying, Resuming, Heartbeats)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from .gateway_schemas import CLIENT_OPS, CLOSE_CODES, DEFS, DISPATCHES, SERVER_OPS, Schema
from .violations import Conformance, Violation, schema_violations

DIALECT = "https://json-schema.org/draft/2020-12/schema"
OP_NAMES = {
    0: "DISPATCH",
    1: "HEARTBEAT",
    2: "IDENTIFY",
    3: "PRESENCE_UPDATE",
    6: "RESUME",
    7: "RECONNECT",
    8: "REQUEST_GUILD_MEMBERS",
    9: "INVALID_SESSION",
    10: "HELLO",
    11: "HEARTBEAT_ACK",
}
FLOW = "opcode flow"


URI = "urn:fakediscord:gateway"


class GatewaySchemas:
    """One registry per process; each payload's validator is compiled on first use."""

    def __init__(self) -> None:
        defs: dict[str, Schema] = dict(DEFS)
        defs.update({f"event.{name}": s for name, s in DISPATCHES.items()})
        defs.update({f"server.{op}": s for op, s in SERVER_OPS.items()})
        defs.update({f"client.{op}": s for op, s in CLIENT_OPS.items()})
        self._registry = jsonschema_rs.Registry(
            [(URI, {"$schema": DIALECT, "$defs": defs})], draft=jsonschema_rs.Draft202012
        )
        self._defined = set(defs)
        self._compiled: dict[str, jsonschema_rs.Validator] = {}

    def _validator(self, key: str) -> jsonschema_rs.Validator | None:
        if key not in self._defined:
            return None
        compiled = self._compiled.get(key)
        if compiled is None:
            ref = {"$schema": DIALECT, "$ref": f"{URI}#/$defs/{key}"}
            compiled = jsonschema_rs.validator_for(
                ref, registry=self._registry, validate_formats=True
            )
            self._compiled[key] = compiled
        return compiled

    def dispatch(self, event: str, data: Any) -> list[Violation]:
        validator = self._validator(f"event.{event}")
        if validator is None:
            return [Violation(event, "dispatch", "", "no schema for this event (undocumented?)")]
        return schema_violations(validator, data, event, "dispatch")

    def frame(self, side: str, frame: Any) -> list[Violation]:
        """An opcode frame: the envelope (gateway-events.mdx, Payload Structure), then ``d``."""
        if not isinstance(frame, dict) or not isinstance(frame.get("op"), int):
            return [Violation(f"{side} frame", "envelope", "/op", "no integer op")]
        op = frame["op"]
        name = OP_NAMES.get(op, f"op {op}")
        validator = self._validator(f"{side}.{op}")
        if validator is None:
            return [Violation(name, f"{side} frame", "/op", f"{side} may not send op {op}")]
        found = []
        if side == "server" and (frame.get("s", 0) is not None or frame.get("t", 0) is not None):
            found.append(Violation(name, "envelope", "", "s and t must be null when op is not 0"))
        # an absent d reads as null (gateway.mdx's Heartbeat ACK example is {"op": 11})
        found += [
            Violation(v.operation, v.where, "/d" + v.pointer, v.problem, v.code)
            for v in schema_violations(validator, frame.get("d"), name, f"{side} frame")
        ]
        return found


@functools.cache
def gateway_schemas() -> GatewaySchemas:
    return GatewaySchemas()


@dataclass
class Flow:
    """One websocket's opcode flow, checked as frames go by (gateway.mdx)."""

    conformance: Conformance
    #: the connection came in on the resume_gateway_url
    resume_url: bool = False
    hello_sent: bool = False
    identified: bool = False
    resumed: bool = False
    ready_sent: bool = False
    invalidated: bool = False  # INVALID_SESSION d=false sent
    heartbeats: int = 0
    acks: int = 0
    schemas: GatewaySchemas = field(default_factory=gateway_schemas)

    def _flow(self, op: str, problem: str) -> None:
        self.conformance.add([Violation(op, FLOW, "", problem)])

    # --- the fake's side ------------------------------------------------------------------

    def server_sends(self, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        self.conformance.add(self.schemas.frame("server", frame))
        self.conformance.checked[f"gateway {OP_NAMES.get(op, op)}"] += 1
        if op == 10:
            self.hello_sent = True
        elif op != 7 and not self.hello_sent:  # RECONNECT may come even before HELLO
            self._flow(OP_NAMES.get(op, str(op)), "sent before HELLO")
        if op == 11:
            self.acks += 1
            if self.acks > self.heartbeats:
                self._flow("HEARTBEAT_ACK", "an ACK without a heartbeat to answer")
        if op == 9 and frame.get("d") is False:
            self.invalidated = True

    def server_dispatches(self, event: str) -> None:
        if not (self.identified or self.resumed):
            self._flow(event, "dispatched before IDENTIFY or RESUME")
        if self.identified and not self.ready_sent and event != "READY":
            self._flow(event, "dispatched before READY")
        if event == "READY":
            self.ready_sent = True

    def server_closes(self, code: int) -> None:
        if code not in CLOSE_CODES:
            self._flow("close", f"close code {code} is not a documented gateway close code")

    # --- the bot's side -------------------------------------------------------------------

    def client_sends(self, frame: Any) -> None:
        self.conformance.add(self.schemas.frame("client", frame))
        op = frame.get("op") if isinstance(frame, dict) else None
        name = OP_NAMES.get(op, str(op)) if isinstance(op, int) else "frame"
        self.conformance.checked[f"gateway {name}"] += 1
        if not self.hello_sent:
            self._flow(name, "sent before HELLO")
        if op == 1:
            self.heartbeats += 1
        elif op == 2:
            if self.identified or self.resumed:
                self._flow(name, "a second IDENTIFY or RESUME on one connection (4005)")
            self.identified = True
        elif op == 6:
            if self.identified or self.resumed:
                self._flow(name, "a second IDENTIFY or RESUME on one connection (4005)")
            if self.invalidated:
                self._flow(name, "RESUME after INVALID_SESSION d=false (must IDENTIFY anew)")
            if not self.resume_url:
                self._flow(name, "RESUME not sent to the resume_gateway_url from READY")
            self.resumed = True
        elif op is not None and not (self.identified or self.resumed):
            self._flow(name, "sent before IDENTIFY (4003 Not authenticated)")


def dispatch_violations(
    conformance: Conformance, event: str, data: dict[str, Any]
) -> list[Violation]:
    """Check one dispatch's ``d`` (also counted for the coverage report)."""
    conformance.checked[f"gateway {event}"] += 1
    return gateway_schemas().dispatch(event, data)
