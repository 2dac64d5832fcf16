"""Text for `/chat preview` and `/chat status`: the run of show with Discord timestamps (every
reader sees their own time zone) and where a session stands. No discord import."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.config import ChatSettings
from bot.engine import ChatEngine, planner
from bot.engine.render import stamp
from bot.store.sessions import SessionStatus, SessionTopic
from bot.timeline import StepKind, local_date, next_starts

LIMIT = 1990


@dataclass(frozen=True)
class Line:
    key: str
    kind: str
    due_at: datetime
    question: int | None
    status: str | None = None


def _label(line: Line, topic: SessionTopic, chat: ChatSettings) -> str:
    kind = line.kind
    if kind == StepKind.QUESTION and line.question is not None:
        return f"**Q{line.question}:** {topic.questions[line.question - 1].text}"
    if kind == StepKind.HEADS_UP:
        return f"heads-up to hosts about Q{line.question}"
    labels = {
        StepKind.REMINDER: f"reminder in <#{chat.announce_channel}>",
        StepKind.WELCOME: f"welcome in <#{chat.channels.chat}>",
        StepKind.LAST_CALL: "last call",
        StepKind.CLOSE: "close (late answers still count)",
        StepKind.RECAP: f"recap in <#{chat.recap_channel}>",
        StepKind.NO_TOPIC: "note to hosts: no topic file",
        StepKind.NEWCOMERS: "welcome for newcomers",
    }
    try:
        return labels.get(StepKind(kind), line.key)
    except ValueError:
        return line.key


def _render(title: str, lines: list[Line], topic: SessionTopic, chat: ChatSettings) -> str:
    out = [title]
    for line in lines:
        done = "" if line.status in (None, "pending") else f" *({line.status})*"
        out.append(
            f"{stamp(line.due_at, 't')} ({stamp(line.due_at, 'R')}) {_label(line, topic, chat)}{done}"
        )
    text = "\n".join(out)
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


async def preview(engine: ChatEngine, chat: ChatSettings) -> str:
    """The coming (or running) session's steps; planned from the schedule if not planned yet."""
    session = await engine.current_session(chat.name)
    if session is not None and session.status in (
        SessionStatus.PLANNED,
        SessionStatus.RUNNING,
        SessionStatus.PAUSED,
    ):
        ledger = await engine.store.steps.for_session(session.id)
        lines = [Line(s.key, s.kind, s.due_at, s.question, s.status.value) for s in ledger]
        topic, start = session.topic, session.start_at
        note = "" if session.status is SessionStatus.PLANNED else f" ({session.status.value})"
    else:
        start = next_starts(chat.schedule, engine.clock.now(), 1)[0]
        catalog = await engine.topics()
        topic = planner.snapshot(
            catalog.for_date(chat.name, local_date(chat.schedule, start), engine.settings)
        )
        steps = planner.steps_for(chat, start, topic)
        lines = [Line(s.key, s.kind.value, s.due_at, s.question) for s in steps]
        note = " (not planned yet)"
    head = f"**{chat.hashtag} {stamp(start, 'F')}: {topic.title}**{note}"
    if topic.open_discussion:
        head += "\nNo topic file for this date: it runs as an open discussion (`/chat topic new`)."
    return _render(head, lines, topic, chat)


async def status(engine: ChatEngine, chat: ChatSettings) -> str:
    session = await engine.current_session(chat.name)
    if session is None:
        start = next_starts(chat.schedule, engine.clock.now(), 1)[0]
        return f"No session planned yet for {chat.hashtag}. The next one is {stamp(start, 'F')}."
    ledger = await engine.store.steps.for_session(session.id)
    counts = Counter(s.status.value for s in ledger)
    messages = await engine.store.messages.for_session(session.id)
    people = await engine.store.members.for_session(session.id)
    answers = sum(1 for m in messages if m.attribution.kind == "answer")
    pending = [s for s in ledger if s.status.value == "pending"]
    lines = [
        f"**{chat.hashtag} {stamp(session.start_at, 'F')}: {session.topic.title}**",
        f"Status: **{session.status.value}**",
        "Steps: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
        f"Captured: {len(messages)} message(s), {answers} answer(s), {len(people)} member(s)",
    ]
    if pending:
        nxt = pending[0]
        lines.append(f"Next: `{nxt.key}` {stamp(nxt.due_at, 'R')}")
    failed = [s for s in ledger if s.status.value == "failed"]
    for s in failed:
        lines.append(f"Failed: `{s.key}`: {s.last_error}")
    return "\n".join(lines)[:LIMIT]
