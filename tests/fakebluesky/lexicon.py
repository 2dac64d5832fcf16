"""A Lexicon validator: XRPC parameters, bodies and records checked against the vendored lexicon
JSON (vendor/lexicons), written from the Lexicon spec (atproto.com/specs/lexicon).

No maintained Python package validates data against lexicon documents (the atproto SDK's models
are generated from them, but they coerce and skip checks such as grapheme limits), so this reads
the documents themselves. Every problem is a `Violation` naming the method, the part (parameters,
input, output, error, record) and the field's path, e.g.
`app.bsky.feed.searchPosts output: posts[0].author.handle: 'Bob' is not a valid handle`.

Objects are checked strictly: a field the schema does not have is reported (the spec lets
readers ignore unknown fields, but everything checked here is written by this project or by the
SDK at the same lexicon version, so an unknown field is a typo or a version skew worth seeing).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.atproto_syntax import (
    is_at_identifier,
    is_at_uri,
    is_datetime,
    is_did,
    is_handle,
    is_nsid,
    is_record_key,
)
from bot.bluesky_text import grapheme_count

LEXICONS = Path(__file__).parent / "vendor" / "lexicons"

_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_CID = re.compile(r"^[A-Za-z0-9+]{8,}$")
# BCP 47 (RFC 5646) language tags: language, script, region, variants, extensions, private use.
_LANGUAGE = re.compile(
    r"^(?:(?:[a-zA-Z]{2,3}(?:-[a-zA-Z]{3}){0,3}|[a-zA-Z]{4,8}|i)"
    r"(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*"
    r"(?:-[0-9a-wy-zA-WY-Z](?:-[a-zA-Z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[a-zA-Z0-9]{1,8})+)?"
    r"|[xX](?:-[a-zA-Z0-9]{1,8})+|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|en-GB-oed)$"
)
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(//)?[^\s/][^\s]*$")
_ERROR_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

FORMATS: dict[str, Callable[[str], bool]] = {
    "at-identifier": is_at_identifier,
    "at-uri": is_at_uri,
    "cid": lambda v: _CID.match(v) is not None,
    "datetime": is_datetime,
    "did": is_did,
    "handle": is_handle,
    "language": lambda v: _LANGUAGE.match(v) is not None,
    "nsid": is_nsid,
    "record-key": is_record_key,
    "tid": lambda v: _TID.match(v) is not None,
    "uri": lambda v: len(v) <= 8192 and _URI.match(v) is not None,
}
# Error names any XRPC method may answer with (the XRPC spec's generic errors).
GENERIC_ERRORS = frozenset(
    {
        "InvalidRequest",
        "ExpiredToken",
        "InvalidToken",
        "AuthenticationRequired",
        "Forbidden",
        "NotFound",
        "RateLimitExceeded",
        "InternalServerError",
        "MethodNotImplemented",
        "PayloadTooLarge",
        "UpstreamFailure",
        "NotEnoughResources",
        "UpstreamTimeout",
    }
)


@dataclass(frozen=True)
class Violation:
    method: str  # the XRPC method (NSID) whose traffic broke the schema
    part: str  # parameters | input | output | error | record NSID
    path: str  # the field, like posts[0].author.handle ("" for the whole body)
    problem: str

    def __str__(self) -> str:
        return f"{self.method} {self.part}: {self.path or '(body)'}: {self.problem}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


class _Check:
    """One validation run: the violations found while walking one value."""

    def __init__(self, lexicons: Lexicons, method: str, part: str) -> None:
        self.lexicons, self.method, self.part = lexicons, method, part
        self.found: list[Violation] = []

    def fail(self, path: str, problem: str) -> None:
        self.found.append(Violation(self.method, self.part, path, problem))

    def value(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        kind = schema.get("type")
        handler = getattr(self, f"_{str(kind).replace('-', '_')}", None)
        if handler is None:
            self.fail(path, f"the schema has a type this validator does not know: {kind!r}")
            return
        handler(value, schema, base, path)

    def _object(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object, not {_shown(value)}")
            return
        props: Mapping[str, Any] = schema.get("properties", {})
        nullable = set(schema.get("nullable", ()))
        for name in schema.get("required", ()):
            if name not in value:
                self.fail(_join(path, name), "is required but missing")
        for name, item in value.items():
            where = _join(path, name)
            if name not in props:
                if not name.startswith("$"):
                    self.fail(where, "is not a field of this object in the lexicon")
                continue
            if item is None:
                if name not in nullable:
                    self.fail(where, "is null, which the lexicon does not allow here")
                continue
            self.value(item, props[name], base, where)

    def _params(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        self._object(value, schema, base, path)

    def _record(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        self._object(value, schema["record"], base, path)

    def _ref(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        target = self.lexicons.resolve(schema["ref"], base)
        if target is None:
            self.fail(path, f"refers to {schema['ref']!r}, which is not in the vendored lexicons")
            return
        self.value(value, target[1], target[0], path)

    def _union(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object, not {_shown(value)}")
            return
        kind = value.get("$type")
        if not isinstance(kind, str):
            self.fail(path, "needs a $type naming one of the union's types")
            return
        refs = {self.lexicons.full_ref(r, base): r for r in schema.get("refs", ())}
        ref = refs.get(self.lexicons.full_ref(kind, base))
        if ref is None:
            if schema.get("closed"):
                self.fail(path, f"$type {kind!r} is not one of {sorted(refs.values())}")
            return
        self._ref(value, {"ref": ref}, base, path)

    def _unknown(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object (type unknown), not {_shown(value)}")
            return
        kind = value.get("$type")
        record = self.lexicons.record(kind) if isinstance(kind, str) else None
        if record is not None:  # a record we know, such as a post inside a postView
            self.value(value, record, str(kind), path)

    def _string(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, str):
            self.fail(path, f"must be a string, not {_shown(value)}")
            return
        if "const" in schema and value != schema["const"]:
            self.fail(path, f"must be {schema['const']!r}, not {_shown(value)}")
        if "enum" in schema and value not in schema["enum"]:
            self.fail(path, f"{_shown(value)} is not one of {schema['enum']}")
        size = len(value.encode())
        if "maxLength" in schema and size > schema["maxLength"]:
            self.fail(path, f"is {size} UTF-8 bytes; at most {schema['maxLength']}")
        if "minLength" in schema and size < schema["minLength"]:
            self.fail(path, f"is {size} UTF-8 bytes; at least {schema['minLength']}")
        if "maxGraphemes" in schema or "minGraphemes" in schema:
            count = grapheme_count(value)
            if count > schema.get("maxGraphemes", count):
                self.fail(path, f"is {count} graphemes; at most {schema['maxGraphemes']}")
            if count < schema.get("minGraphemes", 0):
                self.fail(path, f"is {count} graphemes; at least {schema['minGraphemes']}")
        fmt = schema.get("format")
        if fmt is not None:
            check = FORMATS.get(fmt)
            if check is None:
                self.fail(path, f"has format {fmt!r}, which this validator does not know")
            elif not check(value):
                self.fail(path, f"{_shown(value)} is not a valid {fmt}")

    def _integer(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(path, f"must be an integer, not {_shown(value)}")
            return
        if "const" in schema and value != schema["const"]:
            self.fail(path, f"must be {schema['const']}, not {value}")
        if "enum" in schema and value not in schema["enum"]:
            self.fail(path, f"{value} is not one of {schema['enum']}")
        if "minimum" in schema and value < schema["minimum"]:
            self.fail(path, f"{value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            self.fail(path, f"{value} is above the maximum {schema['maximum']}")

    def _boolean(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, bool):
            self.fail(path, f"must be a boolean, not {_shown(value)}")
        elif "const" in schema and value != schema["const"]:
            self.fail(path, f"must be {schema['const']}")

    def _array(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not isinstance(value, list):
            self.fail(path, f"must be an array, not {_shown(value)}")
            return
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.fail(path, f"has {len(value)} items; at most {schema['maxLength']}")
        if "minLength" in schema and len(value) < schema["minLength"]:
            self.fail(path, f"has {len(value)} items; at least {schema['minLength']}")
        for i, item in enumerate(value):
            self.value(item, schema["items"], base, f"{path}[{i}]")

    def _cid_link(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not (
            isinstance(value, dict) and set(value) == {"$link"} and FORMATS["cid"](value["$link"])
        ):
            self.fail(path, f'must be a CID link {{"$link": CID}}, not {_shown(value)}')

    def _bytes(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        raw = value.get("$bytes") if isinstance(value, dict) and set(value) == {"$bytes"} else None
        try:
            data = base64.b64decode(raw + "=" * (-len(raw) % 4)) if isinstance(raw, str) else None
        except (binascii.Error, ValueError):
            data = None
        if data is None:
            self.fail(path, f'must be bytes {{"$bytes": base64}}, not {_shown(value)}')
            return
        if len(data) > schema.get("maxLength", len(data)):
            self.fail(path, f"is {len(data)} bytes; at most {schema['maxLength']}")

    def _blob(self, value: Any, schema: Mapping[str, Any], base: str, path: str) -> None:
        if not (
            isinstance(value, dict)
            and value.get("$type") == "blob"
            and isinstance(value.get("mimeType"), str)
            and isinstance(value.get("size"), int)
        ):
            self.fail(path, f"must be a blob (type, ref, mimeType, size), not {_shown(value)}")
            return
        self._cid_link(value.get("ref"), {}, base, _join(path, "ref"))
        if value["size"] > schema.get("maxSize", value["size"]):
            self.fail(path, f"is {value['size']} bytes; at most {schema['maxSize']}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class Lexicons:
    """The lexicon documents of a folder, by NSID, with checks for XRPC traffic and records."""

    def __init__(self, folder: Path = LEXICONS) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.rglob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            self.docs[doc["id"]] = doc

    @staticmethod
    def full_ref(ref: str, base: str) -> str:
        """`#name` (in `base`), `nsid` or `nsid#name` -> `nsid#name`."""
        if ref.startswith("#"):
            return base + ref
        return ref if "#" in ref else ref + "#main"

    def resolve(self, ref: str, base: str) -> tuple[str, Mapping[str, Any]] | None:
        nsid, name = self.full_ref(ref, base).split("#", 1)
        definition = self.docs.get(nsid, {}).get("defs", {}).get(name)
        return (nsid, definition) if definition is not None else None

    def method(self, nsid: str) -> Mapping[str, Any] | None:
        main = self.docs.get(nsid, {}).get("defs", {}).get("main")
        return main if main is not None and main["type"] in ("query", "procedure") else None

    def record(self, nsid: str) -> Mapping[str, Any] | None:
        main = self.docs.get(nsid.split("#")[0], {}).get("defs", {}).get("main")
        return main if main is not None and main["type"] == "record" else None

    def _method(self, nsid: str) -> Mapping[str, Any]:
        main = self.method(nsid)
        if main is None:
            raise KeyError(f"{nsid} is not a vendored XRPC method")
        return main

    def check_params(self, nsid: str, query: Mapping[str, list[str]]) -> list[Violation]:
        """The query string (each name with all its values) against the method's parameters;
        strings are converted the way XRPC servers read them (integers, booleans, arrays as
        repeated names)."""
        check = _Check(self, nsid, "parameters")
        schema = self._method(nsid).get("parameters", {"type": "params", "properties": {}})
        props: Mapping[str, Any] = schema.get("properties", {})
        decoded: dict[str, Any] = {}
        for name, values in query.items():
            prop = props.get(name)
            if prop is None:
                decoded[name] = values[0]  # reported as unknown by the object check
                continue
            if prop["type"] == "array":
                decoded[name] = [_decode(v, prop["items"]) for v in values]
            elif len(values) > 1:
                check.fail(name, f"is given {len(values)} times; it takes one value")
            else:
                decoded[name] = _decode(values[0], prop)
        check.value(decoded, schema, nsid, "")
        return check.found

    def _body(self, nsid: str, part: str, body: Any) -> list[Violation]:
        check = _Check(self, nsid, part)
        declared = self._method(nsid).get(part)
        if declared is None or "schema" not in declared:
            if body not in (None, b"", {}):
                check.fail("", f"the method has no {part}, yet a body was sent")
            return check.found
        check.value(body, declared["schema"], nsid, "")
        return check.found

    def check_input(self, nsid: str, body: Any) -> list[Violation]:
        return self._body(nsid, "input", body)

    def check_output(self, nsid: str, body: Any) -> list[Violation]:
        return self._body(nsid, "output", body)

    def check_error(self, nsid: str, body: Any) -> list[Violation]:
        """An error answer: `{"error": Name, "message"?: text}`, with a name the method declares
        or one of XRPC's generic ones."""
        check = _Check(self, nsid, "error")
        if not isinstance(body, dict) or not isinstance(body.get("error"), str):
            check.fail("", f'must be {{"error": Name, "message": text}}, not {_shown(body)}')
            return check.found
        for name in set(body) - {"error", "message"}:
            check.fail(name, "is not a field of an XRPC error")
        if "message" in body and not isinstance(body["message"], str):
            check.fail("message", "must be a string")
        declared = (
            {e["name"] for e in self.method(nsid).get("errors", ())} if self.method(nsid) else set()
        )
        name = body["error"]
        if not _ERROR_NAME.match(name) or name not in declared | GENERIC_ERRORS:
            check.fail("error", f"{name!r} is neither an error of {nsid} nor a generic XRPC error")
        return check.found

    def check_record(self, collection: str, value: Any, *, method: str) -> list[Violation]:
        check = _Check(self, method, f"record {collection}")
        record = self.record(collection)
        if record is None:
            check.fail("", f"{collection!r} is not a vendored record type")
            return check.found
        if isinstance(value, dict) and value.get("$type") not in (None, collection):
            check.fail("$type", f"is {value.get('$type')!r}; the collection is {collection!r}")
        check.value(value, record, collection, "")
        return check.found


def _decode(text: str, schema: Mapping[str, Any]) -> Any:
    """A query-string value as the type its parameter declares (left as text when it is not
    one, so the type check reports it)."""
    if schema["type"] == "integer" and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if schema["type"] == "boolean" and text in ("true", "false"):
        return text == "true"
    return text
