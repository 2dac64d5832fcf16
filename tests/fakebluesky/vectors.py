"""The protocol's interop test vectors (vendor/interop-test-files/syntax), read as written."""

from __future__ import annotations

from pathlib import Path

SYNTAX = Path(__file__).parent / "vendor" / "interop-test-files" / "syntax"


def vectors(name: str, *, valid: bool) -> list[str]:
    """The examples of `NAME_syntax_valid.txt` (or `_invalid`): one per line, comments (`#`) and
    blank lines left out, surrounding spaces kept (some invalid examples are exactly that)."""
    path = SYNTAX / f"{name}_syntax_{'valid' if valid else 'invalid'}.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip() and not line.startswith("#")]


def parse_invalid(name: str) -> list[str]:
    """`NAME_parse_invalid.txt`: valid syntax, invalid meaning (a month 13)."""
    lines = (SYNTAX / f"{name}_parse_invalid.txt").read_text(encoding="utf-8").split("\n")
    return [line for line in lines if line.strip() and not line.startswith("#")]
