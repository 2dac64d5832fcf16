"""Lexicon violations collected while the fake runs; the test that caused them fails."""

from __future__ import annotations

from collections.abc import Iterable

from .lexicon import Violation


class LexiconViolationError(AssertionError):
    """Traffic of the fake broke the official lexicons; the message lists each violation."""

    def __init__(self, violations: list[Violation]) -> None:
        lines = "\n".join(f"  {v}" for v in violations)
        super().__init__(f"{len(violations)} lexicon violation(s):\n{lines}")
        self.violations = violations


class Conformance:
    """Every violation seen (requests the fake refused and answers it gave), in order."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def add(self, found: Iterable[Violation]) -> None:
        self.violations.extend(found)

    def take(self) -> list[Violation]:
        """The violations so far, cleared: a test that sends a bad request on purpose asserts
        on these so that `stop()` does not fail it."""
        taken, self.violations = self.violations, []
        return taken

    def raise_if_any(self) -> None:
        if self.violations:
            raise LexiconViolationError(self.take())
