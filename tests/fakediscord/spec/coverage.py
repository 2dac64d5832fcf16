"""What the coverage list in docs/discord-conformance.md must match, derived from the code so
the list cannot go stale: the REST operations the fake serves (its routes, matched to the
spec), the gateway events it can send (its source), the operations the bot's tests were seen
calling (recorded as each fake stops), and the list as the document gives it."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from .rest import rest_spec

FAKE_DIR = Path(__file__).resolve().parent.parent
DOC = FAKE_DIR.parent.parent / "docs" / "discord-conformance.md"
#: the calls that put a dispatch on the gateway; the event is their first argument
DISPATCHERS = {"dispatch", "dispatch_message", "next_frame"}
#: the fake's own tests: they call operations the bot never does, on purpose
FAKE_TESTS = ("test_fakediscord.py", "test_fakediscord_conformance.py")
BOT_REST, FAKE_REST, GATEWAY = "### REST: the bot", "### REST: the fake only", "### Gateway"
TEST_REF = re.compile(r"`(test_\w+\.py)::(\w+)")


def fake_rest_operations() -> tuple[dict[str, str], list[str]]:
    """The spec operations the fake serves (id -> ``METHOD /template``), and the routes that
    are no operation of the REST API (the CDN's attachment downloads)."""
    from ..http_util import API_PREFIX
    from ..server import FakeDiscord

    router = web.UrlDispatcher()
    FakeDiscord(default_guild=False).register_rest(router)
    served: dict[str, str] = {}
    other: list[str] = []
    for route in router.routes():
        template = route.resource.canonical if route.resource is not None else ""
        op, _ = rest_spec().match(route.method, template.removeprefix(API_PREFIX))
        if op is None or not template.startswith(API_PREFIX):
            other.append(f"{route.method} {template}")
        else:
            served[op.id] = f"{op.method} {op.template}"
    return served, other


def fake_gateway_events() -> set[str]:
    """Every event the fake's source can dispatch. Each call of a dispatcher names its event
    literally, or passes on the ``event`` parameter of a dispatcher (``Gateway.dispatch``);
    anything else raises, so an event cannot hide from this list."""
    events: set[str] = set()
    for path in sorted(FAKE_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            passes_on = func.name in DISPATCHERS and "event" in {a.arg for a in func.args.args}
            for call in ast.walk(func):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in DISPATCHERS
                    and call.args
                ):
                    continue
                event = call.args[0]
                if isinstance(event, ast.Constant) and isinstance(event.value, str):
                    events.add(event.value)
                elif not (passes_on and isinstance(event, ast.Name) and event.id == "event"):
                    raise ValueError(
                        f"{path.name}:{call.lineno}: name the dispatched event literally"
                    )
    return events


@dataclass(frozen=True)
class Documented:
    """The coverage list of docs/discord-conformance.md: first-column names of each table,
    with the test references of their rows."""

    bot_rest: dict[str, list[tuple[str, str]]]
    fake_rest: set[str]
    gateway: dict[str, list[tuple[str, str]]]
    all_refs: list[tuple[str, str]]
    text: str


def _table(text: str, heading: str) -> dict[str, list[tuple[str, str]]]:
    start = text.index(heading)
    end = text.find("\n#", start + len(heading))
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in text[start : end if end != -1 else None].splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            for name in re.findall(r"`([^`]+)`", first):
                rows[name] = TEST_REF.findall(line)
    return rows


def documented(path: Path = DOC) -> Documented:
    text = path.read_text(encoding="utf-8")
    return Documented(
        bot_rest=_table(text, BOT_REST),
        fake_rest=set(_table(text, FAKE_REST)),
        gateway=_table(text, GATEWAY),
        all_refs=TEST_REF.findall(text),
        text=text,
    )


def missing_tests(refs: list[tuple[str, str]]) -> list[str]:
    """The ``file.py::test`` references that name no test function in tests/."""
    tests_dir = FAKE_DIR.parent
    defined: dict[str, set[str]] = {}
    missing = []
    for file, name in refs:
        if file not in defined:
            source = tests_dir / file
            tree = ast.parse(source.read_text(encoding="utf-8")) if source.exists() else None
            defined[file] = {
                n.name
                for n in (ast.walk(tree) if tree is not None else ())
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            }
        if name not in defined[file]:
            missing.append(f"{file}::{name}")
    return missing


#: what was validated while each test module ran (REST operation ids, ``gateway EVENT``),
#: filled as each fake stops; checked against the document at the end of the session
#: (tests/conftest.py)
VALIDATED: defaultdict[str, set[str]] = defaultdict(set)


def record_use(test_id: str, checked: set[str]) -> None:
    module = test_id.split("::", 1)[0].rsplit("/", 1)[-1]
    if module:
        VALIDATED[module] |= checked


def undocumented_uses() -> list[str]:
    """Operations a bot test called that the document's bot table does not list."""
    if not VALIDATED:
        return []
    listed = set(documented().bot_rest)
    found = defaultdict(list)
    for module, names in sorted(VALIDATED.items()):
        if module in FAKE_TESTS:
            continue  # the fake's own tests call anything, on purpose
        for op in sorted(n for n in names - listed if not n.startswith("gateway ")):
            found[op].append(module)
    return [f"{op} (called in {', '.join(modules)})" for op, modules in sorted(found.items())]


def test_ref(nodeid: str) -> tuple[str, str]:
    """``tests/test_x.py::test_y[param]`` -> ``("test_x.py", "test_y")``, as the list names it."""
    path, _, name = nodeid.partition("::")
    return path.rsplit("/", 1)[-1], name.split("[", 1)[0].split("::")[-1]


def never_validated(passed: Collection[tuple[str, str]]) -> list[str]:
    """After the whole suite: what the document lists as validated but no test validated (a
    call the bot no longer makes, an event no test makes the fake send). Only rows whose named
    tests all ran and passed (`passed`, as `test_ref` gives them) are held to it: a test that
    was skipped (no Chromium, no hadolint) or left out of the run cannot validate anything."""
    by_bot = {n for m, names in VALIDATED.items() if m not in FAKE_TESTS for n in names}
    anywhere = {n for names in VALIDATED.values() for n in names}
    doc = documented()

    def held(refs: list[tuple[str, str]]) -> bool:
        return all(ref in passed for ref in refs)

    missing = [
        f"{op} (no bot test calls it)"
        for op, refs in sorted(doc.bot_rest.items())
        if op not in by_bot and held(refs)
    ]
    missing += [
        f"{event} (no test makes the fake send it)"
        for event, refs in sorted(doc.gateway.items())
        if f"gateway {event}" not in anywhere and held(refs)
    ]
    return missing
