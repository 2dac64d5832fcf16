"""What a conformance check found, and the log that makes the test that caused it fail."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import jsonschema_rs


@dataclass(frozen=True)
class Violation:
    """One way a payload breaks Discord's description: ``operation`` is the REST operation id
    (``create_message``) or the gateway payload (``MESSAGE_CREATE``), ``where`` what was checked
    (``request body``, ``response 200``, ``dispatch``, ``opcode flow``...), ``pointer`` the JSON
    pointer inside it, ``problem`` what is wrong."""

    operation: str
    where: str
    pointer: str
    problem: str
    #: the code Discord puts in an ``errors`` tree for this kind of problem
    code: str = "INVALID_FORM_BODY"

    def __str__(self) -> str:
        return f"{self.operation} {self.where} at {self.pointer or '/'}: {self.problem}"


class ConformanceError(AssertionError):
    """Raised when a fake stops with violations nobody took: the test that caused them fails."""


@dataclass
class Conformance:
    """Violations found so far, and what was validated (for the coverage report)."""

    violations: list[Violation] = field(default_factory=list)
    #: REST operation ids and gateway payload names validated, with how many times
    checked: Counter[str] = field(default_factory=Counter)

    def add(self, found: list[Violation]) -> None:
        self.violations.extend(found)

    def take(self) -> list[Violation]:
        """Return and forget the violations so far (tests that send wrong payloads on purpose)."""
        found, self.violations = self.violations, []
        return found

    def report(self) -> None:
        """With ``FAKEDISCORD_CONFORMANCE_REPORT=file`` set, append what this fake checked and
        found, under the running test's name (the coverage list in docs/discord-conformance.md
        is made from it)."""
        target = os.environ.get("FAKEDISCORD_CONFORMANCE_REPORT")
        if not target:
            return
        line = {
            "test": os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0],
            "checked": dict(self.checked),
            "violations": [asdict(v) for v in self.violations],
        }
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    def raise_if_any(self) -> None:
        from .coverage import record_use

        record_use(os.environ.get("PYTEST_CURRENT_TEST", ""), set(self.checked))
        self.report()
        if self.violations:
            found = self.take()
            lines = "\n".join(f"  - {v}" for v in found[:20])
            more = f"\n  ... and {len(found) - 20} more" if len(found) > 20 else ""
            raise ConformanceError(f"{len(found)} Discord conformance violation(s):\n{lines}{more}")


def pointer(path: Any) -> str:
    """A JSON pointer (RFC 6901) from a list of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


Error = jsonschema_rs.ValidationError
DISCRIMINATING = ("const", "constant", "enum", "type")


def _leaves(error: Error) -> list[Error]:
    context = getattr(error.kind, "context", None)
    if not context:
        return [error]
    return [leaf for branch in context for sub in branch for leaf in _leaves(sub)]


def _aimed(error: Error, branch: list[Error]) -> bool:
    """Whether the payload was meant for this oneOf/anyOf branch: no error says that the value
    itself, or its discriminating field (``type``...), is of another kind."""
    depth = len(error.instance_path)
    return not any(
        e.kind.name.lower() in DISCRIMINATING and len(e.instance_path) <= depth + 1 for e in branch
    )


def best(error: Error) -> Error:
    """For a oneOf/anyOf failure, the error inside the branch the payload was meant for (its
    ``type`` matched), not "valid under none of the schemas"; else the deepest one."""
    context = getattr(error.kind, "context", None)
    if not context:
        return error
    aimed = [branch for branch in context if branch and _aimed(error, branch)]
    if len(aimed) == 1:
        return best(aimed[0][0])
    return max(_leaves(error), key=lambda e: (len(e.instance_path), e.kind.name.lower() != "type"))


def shorten(message: str, limit: int = 60) -> str:
    """jsonschema-rs messages start with the offending value: keep a long one readable."""
    for verb in (" is ", " does ", " has "):
        value, sep, rest = message.partition(verb)
        if sep and len(value) > limit:
            return f"{value[: limit - 20]}…{value[-10:]}{sep}{rest}"
    return message


def schema_violations(
    validator: jsonschema_rs.Validator,
    instance: Any,
    operation: str,
    where: str,
    prefix: str = "",
) -> list[Violation]:
    """Every error of ``instance`` against ``validator``; ``prefix`` is the pointer of
    ``instance`` itself (a parameter's name)."""
    if validator.is_valid(instance):
        return []
    out = []
    for error in validator.iter_errors(instance):
        chosen = best(error)
        path = list(chosen.instance_path)
        if chosen.kind.name.lower() == "required":  # point at the missing field, as Discord does
            path.append(chosen.kind.as_dict().get("property"))
        found = prefix + pointer(path)
        code, text = discord_wording(chosen)
        out.append(Violation(operation, where, found, text or shorten(chosen.message), code))
    return out


def discord_wording(error: Error) -> tuple[str, str | None]:
    """The code and message Discord uses in an ``errors`` tree for the common problems."""
    kind = error.kind.name.lower()
    detail = error.kind.as_dict() if hasattr(error.kind, "as_dict") else {}
    limit = detail.get("limit")
    if kind == "required":
        return "BASE_TYPE_REQUIRED", "This field is required"
    if kind in ("maxlength", "maxitems"):
        return "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
    if kind in ("minlength", "minitems"):
        return "BASE_TYPE_MIN_LENGTH", f"Must be {limit} or more in length."
    if kind == "maximum":
        return "NUMBER_TYPE_MAX", f"Value should be less than or equal to {limit}."
    if kind == "minimum":
        return "NUMBER_TYPE_MIN", f"Value should be greater than or equal to {limit}."
    return "INVALID_FORM_BODY", None
