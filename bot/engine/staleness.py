"""Pure: after downtime, is a step that fell due still worth sending?

Questions during the chat hour, the close and the recap are still useful late; a reminder for a
chat that has started (or one overtaken by a later reminder) and a heads-up for a question that is
already due are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.steps import StepKind, StepRow, StepStatus


def stale_reason(step: StepRow, ledger: Sequence[StepRow], now: datetime) -> str | None:
    """Why `step` (due at or before `now`) should be skipped, or None to send it."""
    by_key = {s.key: s for s in ledger}
    welcome = by_key.get("welcome")
    close = by_key.get("close")
    kind = StepKind(step.kind)
    if kind is StepKind.REMINDER:
        if welcome is not None and (welcome.status is StepStatus.SENT or now >= welcome.due_at):
            return "the chat has already started"
        later = [
            s for s in ledger if s.kind == step.kind and s.due_at > step.due_at and s.due_at <= now
        ]
        if later:
            return f"a later reminder ({later[-1].key}) is also due"
        return None
    if kind is StepKind.HEADS_UP:
        question = by_key.get(f"q{step.question}")
        if question is None or question.status is not StepStatus.PENDING or now >= question.due_at:
            return "its question is already due"
        return None
    if kind in (
        StepKind.WELCOME,
        StepKind.QUESTION,
        StepKind.LAST_CALL,
        StepKind.NEWCOMERS,
        StepKind.SLOWMODE_ON,
    ):
        if close is not None and (close.status is not StepStatus.PENDING or now >= close.due_at):
            return "the chat hour is over"
        return None
    if kind is StepKind.NO_TOPIC and welcome is not None and now >= welcome.due_at:
        return "the chat has already started"
    return None
