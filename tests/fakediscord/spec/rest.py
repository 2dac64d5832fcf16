"""REST conformance: match each request to an operation of Discord's OpenAPI description and
validate its path and query parameters and its body (JSON, or ``payload_json`` in multipart),
then the fake's response against the operation's response schema.

The spec (with the docs' corrections from ``discrepancies.py``) is loaded once per process into
a jsonschema-rs registry (Draft 2020-12, the dialect of OpenAPI 3.1); each operation's schemas
are compiled on first use (a few ms) and cached, after which a validation costs microseconds.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema_rs

from .discrepancies import patch_spec, request_components
from .violations import Violation, schema_violations

SPEC_FILE = Path(__file__).with_name("openapi.json")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
METHODS = ("get", "put", "post", "patch", "delete")
FILE_FIELD = re.compile(r"^files\[(\d+)\]$")
REQUESTS, RESPONSES = "urn:discord-openapi:requests", "urn:discord-openapi:responses"


@dataclass
class Operation:
    id: str
    method: str
    template: str
    regex: re.Pattern[str]
    #: literal path segments: the most specific template wins (``/messages/pins`` over
    #: ``/messages/{message_id}``)
    literals: int
    params: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    body_types: tuple[str, ...] = ()
    body_required: bool = False
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentBody:
    """What the request carried: ``kind`` is ``none``, ``json`` or ``multipart``; ``fields``
    the names of a multipart body's parts."""

    kind: str
    json: Any = None
    fields: tuple[str, ...] = ()


def _key(*parts: str) -> str:
    return ".".join(parts).replace("/", "_")


def _ptr(key: str) -> str:
    return "#/$defs/" + key.replace("~", "~0").replace("/", "~1")


class RestSpec:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.operations: list[Operation] = []
        asked: dict[str, Any] = {}  # parameters and request bodies
        answered: dict[str, Any] = {}  # responses
        for template, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                op = item.get(method)
                if op is not None:
                    built = self._operation(template, method, op, shared, asked, answered)
                    self.operations.append(built)
        self.operations.sort(key=lambda o: -o.literals)
        # requests may carry integer snowflakes, responses may not (discrepancies.NOTES)
        requests = {"components": request_components(spec["components"]), "$defs": asked}
        responses = {"components": spec["components"], "$defs": answered}
        self._registry = jsonschema_rs.Registry(
            [
                (REQUESTS, {"$schema": DIALECT, **requests}),
                (RESPONSES, {"$schema": DIALECT, **responses}),
            ],
            draft=jsonschema_rs.Draft202012,
        )
        self._defined = {REQUESTS: set(asked), RESPONSES: set(answered)}
        self._compiled: dict[tuple[str, str], jsonschema_rs.Validator] = {}
        self._param_types = {k: self._types(v) for k, v in asked.items()}

    # --- building --------------------------------------------------------------------------

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _types(self, schema: Any) -> set[str]:
        if not isinstance(schema, dict):
            return set()
        schema = self._resolve(schema)
        kind = schema.get("type", [])
        return {kind} if isinstance(kind, str) else set(kind)

    def _operation(
        self,
        template: str,
        method: str,
        op: dict[str, Any],
        shared: list[dict[str, Any]],
        asked: dict[str, Any],
        answered: dict[str, Any],
    ) -> Operation:
        op_id = op["operationId"]
        segments = template.strip("/").split("/")
        pattern = "".join(
            f"/(?P<{s[1:-1]}>[^/]+)" if s.startswith("{") else "/" + re.escape(s) for s in segments
        )
        out = Operation(
            id=op_id,
            method=method.upper(),
            template=template,
            regex=re.compile(pattern),
            literals=sum(1 for s in segments if not s.startswith("{")),
        )
        for param in [*shared, *op.get("parameters", [])]:
            param = self._resolve(param)
            out.params[(param["in"], param["name"])] = param
            asked[_key(op_id, param["in"], param["name"])] = param.get("schema", {})
        body = op.get("requestBody")
        if body is not None:
            body = self._resolve(body)
            out.body_required = bool(body.get("required"))
            content = body.get("content", {})
            out.body_types = tuple(content)
            for ctype, media in content.items():
                asked[_key(op_id, "request", ctype)] = media.get("schema", {})
        statuses = []
        for status, response in op.get("responses", {}).items():
            statuses.append(status)
            media = self._resolve(response).get("content", {}).get("application/json")
            if media is not None:
                answered[_key(op_id, "response", status)] = media.get("schema", {})
        out.statuses = tuple(statuses)
        return out

    def _validator(self, key: str, doc: str = REQUESTS) -> jsonschema_rs.Validator | None:
        if key not in self._defined[doc]:
            return None
        compiled = self._compiled.get((doc, key))
        if compiled is None:
            ref = {"$schema": DIALECT, "$ref": doc + _ptr(key)}
            compiled = jsonschema_rs.validator_for(
                ref, registry=self._registry, validate_formats=True
            )
            self._compiled[(doc, key)] = compiled
        return compiled

    # --- checking --------------------------------------------------------------------------

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        method = method.upper()
        for op in self.operations:
            if op.method == method:
                found = op.regex.fullmatch(path)
                if found is not None:
                    return op, found.groupdict()
        return None, {}

    def check_request(
        self, method: str, path: str, query: Mapping[str, str], body: SentBody
    ) -> tuple[Operation | None, dict[str, str], list[Violation]]:
        """The operation, its path parameters, and what is wrong with the request."""
        op, path_params = self.match(method, path)
        if op is None:
            problem = f"{method.upper()} {path} is not an operation of Discord's REST API"
            return None, {}, [Violation(f"{method.upper()} {path}", "request", "", problem)]
        found: list[Violation] = []
        for name, value in path_params.items():
            found += self._param(op, "path", name, value)
        for name in query:
            found += self._param(op, "query", name, query[name])
        for (where, name), param in op.params.items():
            if where == "query" and param.get("required") and name not in query:
                found.append(Violation(op.id, "query", f"/{name}", "required parameter missing"))
        found += self._body(op, body)
        return op, path_params, found

    def _param(self, op: Operation, where: str, name: str, raw: str) -> list[Violation]:
        key = _key(op.id, where, name)
        if (where, name) not in op.params:
            return [Violation(op.id, where, f"/{name}", f"{where} parameter {name!r} is unknown")]
        validator = self._validator(key)
        if validator is None:
            return []
        value = self._coerce(key, raw)
        return schema_violations(validator, value, op.id, f"{where} parameter", f"/{name}")

    def _coerce(self, key: str, raw: str) -> Any:
        """Query and path values are text; the spec types them."""
        types = self._param_types.get(key, set())
        if "integer" in types and re.fullmatch(r"-?\d+", raw):
            return int(raw)
        if "number" in types and re.fullmatch(r"-?\d+(\.\d+)?", raw):
            return float(raw)
        if "boolean" in types and raw.lower() in ("true", "false", "1", "0"):
            return raw.lower() in ("true", "1")  # reference docs: Boolean Query Strings
        return raw

    def _body(self, op: Operation, body: SentBody) -> list[Violation]:
        if body.kind == "none":
            if op.body_required:
                return [Violation(op.id, "request body", "", "a body is required")]
            return []
        if not op.body_types:
            return [Violation(op.id, "request body", "", "this operation takes no body")]
        found: list[Violation] = []
        if body.kind == "multipart":
            if "multipart/form-data" not in op.body_types:
                return [Violation(op.id, "request body", "", "multipart bodies are not accepted")]
            for name in body.fields:
                numbered = FILE_FIELD.match(name)
                if name != "payload_json" and (numbered is None or int(numbered[1]) > 9):
                    found.append(
                        Violation(op.id, "multipart", "", f"unexpected form field {name!r}")
                    )
            if body.json is None:
                return found
        ctype = "application/json" if "application/json" in op.body_types else op.body_types[0]
        validator = self._validator(_key(op.id, "request", ctype))
        where = "payload_json" if body.kind == "multipart" else "request body"
        if validator is not None:
            found += schema_violations(validator, body.json, op.id, where)
        return found

    def check_response(self, op: Operation, status: int, body: bytes) -> list[Violation]:
        code = str(status)
        if status >= 500:
            return []  # not described by the spec (see discrepancies.py: server errors)
        declared = next((s for s in (code, code[0] + "XX", "default") if s in op.statuses), None)
        if declared is None:
            problem = f"status {status} is not a documented answer ({', '.join(op.statuses)})"
            return [Violation(op.id, f"response {status}", "", problem)]
        validator = self._validator(_key(op.id, "response", declared), RESPONSES)
        if validator is None:
            if body:
                return [Violation(op.id, f"response {status}", "", "a body where none is due")]
            return []
        try:
            data = json.loads(body)
        except ValueError:
            return [Violation(op.id, f"response {status}", "", "the body is not JSON")]
        return schema_violations(validator, data, op.id, f"response {status}")


@functools.cache
def rest_spec() -> RestSpec:
    """The compiled spec, once per process."""
    spec = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    patch_spec(spec)
    return RestSpec(spec)
