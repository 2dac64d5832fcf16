"""YAML loading that remembers where every value came from.

Config and topic files are written by hand; an error is only useful when it names the file and
line. We compose the node tree once, build plain Python values from it, and keep a lookup from a
value's path (``("chats", 0, "schedule", "timezone")``) to its 1-based line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's base-60 numbers, so `time: 20:00` stays the string "20:00"."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:int",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)


class YamlSyntaxError(Exception):
    """The file is not valid YAML; `str()` is a `file:line: problem` message."""


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


def _construct(node: yaml.Node, loader: _Loader) -> Any:
    """Build one value; a scalar that looks like a date but is not one (`2026-13-01`) makes
    PyYAML raise a bare ValueError, which we turn into an error that carries its line."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a valid date or value ({exc})", node.start_mark
        ) from None


def _walk(node: yaml.Node, loader: _Loader, loc: PathKey, lines: dict[PathKey, int]) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, loader)
            child = (*loc, key if isinstance(key, str | int) else str(key))
            result[key] = _walk(value_node, loader, child, lines)
            lines[child] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, loader, (*loc, i), lines) for i, item in enumerate(node.value)]
    return _construct(node, loader)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    """Parse one YAML document; raise YamlSyntaxError naming file and line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(path, None, {(): 1})
        lines: dict[PathKey, int] = {}
        data = _walk(node, loader, (), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"{path.name}:{line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"{path.name}: {exc}") from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, lines)


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a YAML file; unreadable or non-UTF-8 files raise YamlSyntaxError too."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(
            f"{path.name}:{line}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}: {exc.reason});"
            " save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise YamlSyntaxError(f"{path}: cannot read ({exc.strerror})") from None
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
