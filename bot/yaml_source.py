"""YAML loading that remembers where every value came from.

Config and topic files are written by hand (and topic files are uploaded from Discord); an error is
only useful when it names the file and line. We compose the node tree once, build plain Python
values from it, and keep a lookup from a value's path (``("chats", 0, "schedule", "timezone")``)
to its 1-based line.

The input may be hostile, so everything is bounded: file size, number of values, nesting depth
and how far aliases (`*name`) expand (each alias is built again at its own path, so a few lines of
nested aliases would otherwise grow to billions of values). Duplicate keys and control characters
are refused instead of passing silently.
"""

from __future__ import annotations

import re
import stat
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000  # a config or topic file is a few kB
MAX_VALUES = 10_000  # values (scalars, lists, mappings) written in the file
MAX_DEPTH = 50  # lists and mappings inside each other; real files go 5 deep
ALIAS_BUDGET = 5_000  # values built again because an alias (`*name`) repeats them
_MERGE = "tag:yaml.org,2002:merge"
_BOOL = "tag:yaml.org,2002:bool"
# C0/C1 control characters other than tab and line breaks: invisible in editors and in Discord.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL"}


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars (no base-60 `20:00`, and only true/false are booleans:
    `command_sync: off` is the word "off", a host called `No` stays "No") and bounded size."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.values = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        self.values += 1
        if self.values > MAX_VALUES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"more than {MAX_VALUES} values; this is not a config or topic file",
                mark,
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"lists and mappings nested more than {MAX_DEPTH} levels deep", mark
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:int", _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlSyntaxError(Exception):
    """The file is not valid YAML (or too big, deep or repetitive to read); `str()` is a
    `file:line: problem` message, `line` and `problem` its parts."""

    def __init__(self, name: str, line: int | None, problem: str) -> None:
        super().__init__(f"{name}:{line}: {problem}" if line else f"{name}: {problem}")
        self.line = line or 1
        self.problem = problem


class _Refused(Exception):
    """A problem found while reading: where (None: unknown), and what."""

    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


@dataclass
class YamlDocument:
    """Plain data plus the line of each value and key."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """Line of the deepest known prefix of `loc` (a missing key points at its parent)."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def control_character(text: str) -> str | None:
    """`U+001B (ESC)` for the first control character in `text`, or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return (
        f"U+{code:04X} ({_CONTROL_NAMES.get(code) or unicodedata.name(found.group(), 'control')})"
    )


def _not_a_value(text: str, exc: Exception) -> str:
    """`'2026-13-01' is not a valid date or value (...)`, the value cut short: a 5,000-digit
    number is not repeated back, nor Python's advice on raising its digit limit."""
    shown = repr(text) if len(text) <= 60 else f"{text[:40]!r}… ({len(text):,} characters)"
    why = str(exc)
    if "integer string conversion" in why:
        why = f"a number of {len(text):,} digits; at most {sys.get_int_max_str_digits():,}"
    return f"{shown} is not a valid date or value ({why})"


class _Builder:
    """Plain values from the node graph, with the line of every path, within the alias budget."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.lines: dict[PathKey, int] = {}
        self.seen: set[int] = set()  # nodes built once: building one again is an alias expansion
        self.open: set[int] = set()  # nodes being built (an alias to one of them is a loop)
        self.expanded = 0

    def scalar(self, node: yaml.Node, loc: PathKey) -> Any:
        """One scalar; a value that looks like a date but is not one (`2026-13-01`) makes
        PyYAML raise a bare ValueError, which we turn into an error that carries its line."""
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, _not_a_value(node.value, exc), node.start_mark
            ) from None
        if isinstance(value, str) and (bad := control_character(value)):
            where = f"{format_loc(loc)}: " if loc else ""
            raise _Refused(_line(node), f"{where}control character {bad} is not allowed")
        return value

    def build(self, node: yaml.Node, loc: PathKey, expanding: bool = False) -> Any:
        ident = id(node)
        if ident in self.open:
            raise _Refused(_line(node), f"{format_loc(loc)}: an alias refers to its own value")
        if ident in self.seen or expanding:
            expanding = True
            self.spend(node)
        self.seen.add(ident)
        self.lines[loc] = _line(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, loc)
        self.open.add(ident)
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*loc, i), expanding) for i, item in enumerate(node.value)]
            return self.mapping(node, loc, expanding)
        finally:
            self.open.discard(ident)

    def spend(self, node: yaml.Node) -> None:
        """Count one value built again through an alias; refuse past the budget."""
        self.expanded += 1
        if self.expanded > ALIAS_BUDGET:
            raise _Refused(
                _line(node),
                f"aliases (*name) repeat more than {ALIAS_BUDGET} values; write the values out",
            )

    def mapping(self, node: yaml.Node, loc: PathKey, expanding: bool) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_pairs(value_node, loc))
                continue
            key = self.key(key_node, loc)
            if key in result:
                raise _Refused(
                    _line(key_node),
                    f"{format_loc((*loc, self.part(key)))}: appears twice in the same mapping"
                    f" (first on line {self.lines[(*loc, self.part(key))]})",
                )
            self.put(result, key, key_node, value_node, loc, expanding)
        for key_node, value_node in merged:  # `<<: *defaults`: keys written here win
            key = self.key(key_node, loc)
            if key not in result:
                self.put(result, key, key_node, value_node, loc, True)
        return result

    def put(
        self,
        result: dict[Any, Any],
        key: Any,
        key_node: yaml.Node,
        value_node: yaml.Node,
        loc: PathKey,
        expanding: bool,
    ) -> None:
        child = (*loc, self.part(key))
        result[key] = self.build(value_node, child, expanding)
        self.lines[child] = _line(key_node)

    def merge_pairs(self, node: yaml.Node, loc: PathKey) -> list[tuple[yaml.Node, yaml.Node]]:
        """The key/value pairs `<<:` brings in (a mapping or a list of them; earlier ones win)."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise _Refused(_line(node), f"{format_loc(loc)}: `<<` merges only mappings")
            if id(source) in self.open:
                raise _Refused(_line(node), f"{format_loc(loc)}: `<<` merges its own mapping")
            self.open.add(id(source))
            try:
                for key_node, value_node in source.value:
                    if key_node.tag == _MERGE:
                        pairs.extend(self.merge_pairs(value_node, loc))
                    else:
                        self.spend(key_node)
                        pairs.append((key_node, value_node))
            finally:
                self.open.discard(id(source))
        return pairs

    def key(self, node: yaml.Node, loc: PathKey) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            where = f"{format_loc(loc)}: " if loc else ""
            raise _Refused(_line(node), f"{where}a key must be a plain word or number")
        return self.scalar(node, loc)

    @staticmethod
    def part(key: Any) -> str | int:
        return key if isinstance(key, str | int) and not isinstance(key, bool) else str(key)


def _reader_problem(exc: yaml.reader.ReaderError, text: str) -> _Refused:
    line = text.count("\n", 0, max(exc.position, 0)) + 1
    code = exc.character if isinstance(exc.character, int) else 0
    what = control_character(chr(code)) or f"U+{code:04X}"
    return _Refused(line, f"control character {what} is not allowed; delete it (editors hide it)")


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse one YAML document; raise YamlSyntaxError naming file and line."""
    try:
        return _parse(text, path)
    except _Refused as exc:
        raise YamlSyntaxError(path.name, exc.line, exc.problem) from None


def _parse(text: str, path: Path) -> YamlDocument:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # checked for the whole text up front
        raise _reader_problem(exc, text) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, None, {(): 1})
        builder = _Builder(loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "'\\t'" in problem:
            problem += " (use spaces, not tabs)"
        raise _Refused(line, problem) from None
    except yaml.YAMLError as exc:
        raise _Refused(None, str(exc)) from None
    except RecursionError:  # a backstop: MAX_DEPTH keeps every recursion shallow
        raise _Refused(None, "nested too deeply to read") from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, builder.lines)


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a YAML file; unreadable, huge or non-UTF-8 files raise YamlSyntaxError too
    (and so does a FIFO or device: reading one would wait or grow forever)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise YamlSyntaxError(str(path), None, "is not a regular file")
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise YamlSyntaxError(
                path.name, None, f"is too large (at most {MAX_FILE_BYTES:,} bytes)"
            )
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(
            path.name,
            line,
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}: {exc.reason});"
            " save the file as UTF-8",
        ) from None
    except OSError as exc:
        raise YamlSyntaxError(str(path), None, f"cannot read ({exc.strerror})") from None
    return parse_yaml(text, path)


def format_loc(loc: Sequence[str | int]) -> str:
    """`("chats", 0, "schedule")` -> `chats[0].schedule`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"
