"""Pure timeline maths: when chats start and the run of show for one session.

Times are computed from the schedule's zone *name* with zoneinfo, so a chat stays at 8 pm local
across daylight-saving changes; everything returned is an aware UTC datetime. Nothing here reads
a clock: the caller passes `after`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.config import ChatSettings, Schedule
from bot.domain.steps import StepKind
from bot.durations import format_duration

# When two steps fall due at the same instant, this is their order.
_KIND_ORDER = {kind: i for i, kind in enumerate(StepKind)}


@dataclass(frozen=True)
class Step:
    """One thing the bot does at one time; `key` is stable per session (nonces, job ids)."""

    key: str
    kind: StepKind
    due_at: datetime
    question: int | None = None


def start_for_date(schedule: Schedule, day: date) -> datetime:
    """UTC start of the chat held on `day` (a date in the chat's own zone)."""
    local = datetime.combine(day, schedule.time, tzinfo=schedule.zone)
    return local.astimezone(UTC)


def local_date(schedule: Schedule, start: datetime) -> date:
    """The chat date (in the chat's zone) of a UTC start time."""
    return start.astimezone(schedule.zone).date()


def next_starts(schedule: Schedule, after: datetime, count: int = 1) -> list[datetime]:
    """The next `count` chat starts strictly after `after` (aware), in UTC."""
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    day = after.astimezone(schedule.zone).date()
    day -= timedelta(days=(day.weekday() - schedule.weekday) % 7)
    starts: list[datetime] = []
    while len(starts) < count:
        start = start_for_date(schedule, day)
        if start > after:
            starts.append(start)
        day += timedelta(days=7)
    return starts


def chat_dates(schedule: Schedule, after: datetime, count: int) -> list[date]:
    """Local dates of the next `count` chats."""
    return [local_date(schedule, s) for s in next_starts(schedule, after, count)]


def question_offsets(chat: ChatSettings, explicit: Sequence[timedelta | None]) -> list[timedelta]:
    """Offset from the start of each question: its own `at`, else the previous one plus spacing."""
    ros = chat.run_of_show
    offsets: list[timedelta] = []
    for i, at in enumerate(explicit):
        if at is not None:
            offsets.append(at)
        elif i == 0:
            offsets.append(ros.first_question)
        else:
            offsets.append(offsets[-1] + ros.spacing)
    return offsets


def plan(
    chat: ChatSettings,
    start: datetime,
    explicit: Sequence[timedelta | None],
    *,
    heads_up: bool = True,
) -> list[Step]:
    """The full run of show for one session, ordered by due time.

    `explicit` has one entry per question (its `at` offset or None). Heads-ups go to hosts only
    when asked for and configured.
    """
    ros = chat.run_of_show
    steps = [
        Step(f"reminder-{format_duration(before)}", StepKind.REMINDER, start - before)
        for before in sorted(set(ros.reminders), reverse=True)
        if before > timedelta(0)
    ]
    steps.append(Step("welcome", StepKind.WELCOME, start + ros.welcome))
    for n, offset in enumerate(question_offsets(chat, explicit), start=1):
        due = start + offset
        if heads_up and ros.host_heads_up > timedelta(0):
            steps.append(Step(f"heads-up-q{n}", StepKind.HEADS_UP, due - ros.host_heads_up, n))
        steps.append(Step(f"q{n}", StepKind.QUESTION, due, n))
    close = start + chat.close_offset
    if ros.last_call < chat.close_offset:
        steps.append(Step("last-call", StepKind.LAST_CALL, start + ros.last_call))
    steps.append(Step("close", StepKind.CLOSE, close))
    steps.append(Step("recap", StepKind.RECAP, close + ros.late_window))
    if chat.moderation.slowmode > timedelta(0):  # on with the welcome, off with the close
        steps.append(Step("slowmode-on", StepKind.SLOWMODE_ON, start + ros.welcome))
        steps.append(Step("slowmode-off", StepKind.SLOWMODE_OFF, close))
    return sorted(steps, key=lambda s: (s.due_at, _KIND_ORDER[s.kind], s.question or 0))
