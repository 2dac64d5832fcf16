"""The run of show as text: `leadershipchat schedule` prints it as a table in the chat's time
zone (and any other), `/chathost preview` posts it as one Discord message whose timestamps every
reader sees in their own zone. Pure, with one label table, so the two always describe a step
the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from bot.config import ChatSettings
from bot.domain.steps import StepKind
from bot.engine.render import stamp
from bot.timeline import Step

if TYPE_CHECKING:
    from bot.domain.topics import SessionTopic

DISCORD_LIMIT = 2000  # characters in one Discord message
# Tried in turn until a preview fits: (show "in 2 hours" beside each time, longest question text)
_FITS = ((True, None), (True, 300), (True, 150), (True, 80), (False, 80), (False, 40))

# What each step is, and the channel it goes to when the reader should be told ("announce",
# "chat", "recap": keys of the `channels` given to `as_discord`).
_LABELS: dict[StepKind, tuple[str, str | None]] = {
    StepKind.REMINDER: ("reminder", "announce"),
    StepKind.WELCOME: ("welcome", "chat"),
    StepKind.HEADS_UP: ("host heads-up", None),
    StepKind.QUESTION: ("question", None),
    StepKind.LAST_CALL: ("last call", None),
    StepKind.CLOSE: ("close (late answers still count)", None),
    StepKind.RECAP: ("recap published", "recap"),
    StepKind.NO_TOPIC: ("note to hosts: no topic file", None),
    StepKind.NEWCOMERS: ("welcome for newcomers", None),
    StepKind.SLOWMODE_ON: ("slowmode on", "chat"),
    StepKind.SLOWMODE_OFF: ("slowmode off", "chat"),
}


@dataclass(frozen=True)
class ShowStep:
    """One line of the run of show; `status` is the ledger's (None: planned from the schedule)."""

    key: str
    kind: str
    due_at: datetime
    question: int | None = None
    status: str | None = None


@dataclass(frozen=True)
class Show:
    """One session's run of show, read from its ledger or planned from the schedule."""

    chat: str
    hashtag: str
    title: str
    start: datetime
    steps: tuple[ShowStep, ...]
    questions: tuple[str, ...]  # question texts; Q1 first
    open_discussion: bool = False  # no topic file: the bot's open-discussion questions
    state: str | None = None  # shown after the title: "not planned yet", "running", ...

    @classmethod
    def of(
        cls,
        chat: ChatSettings,
        topic: SessionTopic,
        start: datetime,
        steps: Iterable[ShowStep],
        state: str | None = None,
    ) -> Show:
        return cls(
            chat=chat.name,
            hashtag=chat.hashtag,
            title=topic.title,
            start=start,
            steps=tuple(steps),
            questions=tuple(q.text for q in topic.questions),
            open_discussion=topic.open_discussion,
            state=state,
        )


def planned(steps: Iterable[Step]) -> tuple[ShowStep, ...]:
    """Steps planned from the schedule (nothing has happened to them yet)."""
    return tuple(ShowStep(s.key, s.kind.value, s.due_at, s.question) for s in steps)


def label(
    step: ShowStep,
    questions: Sequence[str],
    *,
    channels: Mapping[str, str] | None = None,
    bold: bool = False,
) -> str:
    """What a step does, e.g. `Q2: Who listens to you?`, `reminder (1h before) in #announce`."""
    try:
        kind = StepKind(step.kind)
    except ValueError:
        return step.key  # a step kind this version does not know
    n = step.question
    if kind is StepKind.QUESTION and n is not None:
        name = f"**Q{n}:**" if bold else f"Q{n}:"
        return f"{name} {questions[n - 1]}" if 1 <= n <= len(questions) else name.rstrip(":*")
    text, where = _LABELS[kind]
    if kind is StepKind.REMINDER:
        text += f" ({step.key.removeprefix('reminder-')} before)"
    elif n is not None:
        text += f" for Q{n}"
    if where and channels and where in channels:
        text += f" in {channels[where]}"
    return text


def _done(step: ShowStep, mark: str) -> str:
    return "" if step.status in (None, "pending") else f" {mark % step.status}"


def as_text(show: Show, zones: Sequence[tuple[str, tzinfo]]) -> str:
    """For a terminal: a title line, then one row per step with its time in each zone (the
    chat's own first), the columns lined up under the zone names."""
    day = show.start.astimezone(zones[0][1])
    title = show.title + (" (no topic file yet)" if show.open_discussion else "")
    out = [f"{show.chat} {show.hashtag} on {day:%A %Y-%m-%d}: {title}"]
    columns = [
        (name, [f"{s.due_at.astimezone(zone):%a %H:%M %Z}" for s in show.steps])
        for name, zone in zones
    ]
    widths = [max([len(name), *map(len, times)]) for name, times in columns]
    out.append(
        "  " + "  ".join(n.ljust(w) for (n, _), w in zip(columns, widths, strict=True)) + "  step"
    )
    for i, step in enumerate(show.steps):
        times = "  ".join(t[i].ljust(w) for (_, t), w in zip(columns, widths, strict=True))
        out.append(f"  {times}  {label(step, show.questions)}{_done(step, '(%s)')}")
    return "\n".join(out)


def as_discord(show: Show, channels: Mapping[str, int]) -> str:
    """One Discord message (at most 2,000 characters): the title in bold with the start as a
    Discord timestamp, then each step's time (`<t:…:t>`, and how long from now) and what it is.
    When that is too long, question texts are shortened and then the "from now" times dropped
    before any step is left out; steps that still do not fit are counted on the last line
    rather than cut mid-line."""
    refs = {place: f"<#{channel}>" for place, channel in channels.items()}
    head = f"**{show.hashtag} {stamp(show.start, 'F')}: {_clip(show.title, 200)}**"
    if show.state:
        head += f" ({show.state})"
    if show.open_discussion:
        head += (
            "\nNo topic file for this date: it runs as an open discussion (`/chathost topic new`)."
        )
    for relative, cap in _FITS:
        questions = [_clip(q, cap) for q in show.questions]
        lines = [
            stamp(s.due_at, "t")
            + (f" ({stamp(s.due_at, 'R')})" if relative else "")
            + f" {label(s, questions, channels=refs, bold=True)}{_done(s, '*(%s)*')}"
            for s in show.steps
        ]
        text = "\n".join([head, *lines])
        if len(text) <= DISCORD_LIMIT:
            return text
    return _first_lines(head, lines)


def _clip(text: str, cap: int | None) -> str:
    return text if cap is None or len(text) <= cap else text[: cap - 1].rstrip() + "…"


def _first_lines(head: str, lines: Sequence[str]) -> str:
    """As many whole lines as fit, and how many more there are."""

    def more(n: int) -> str:
        return f"\n… and {n} more step{'s' if n > 1 else ''}" if n else ""

    text = head
    for i, line in enumerate(lines):
        if len(text) + 1 + len(line) + len(more(len(lines) - i - 1)) > DISCORD_LIMIT:
            return text + more(len(lines) - i)
        text += "\n" + line
    return text
