"""Planning, pure: a topic snapshot (or an open discussion) and the ledger rows of a session."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import PLAN_AHEAD as _PLAN_AHEAD
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow
from bot.domain.steps import NewStep, StepKind
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.engine import render
from bot.timeline import Step, plan
from bot.topics import Topic

PLAN_AHEAD = _PLAN_AHEAD  # sessions are created (and a missing topic flagged) this early


def snapshot(topic: Topic | None) -> SessionTopic:
    """What the session runs on: the topic file's content, or an open discussion."""
    if topic is None:
        return SessionTopic(
            title="Open discussion",
            questions=tuple(SessionQuestion(q) for q in render.OPEN_DISCUSSION),
            open_discussion=True,
        )
    return SessionTopic(
        title=topic.title,
        questions=tuple(
            SessionQuestion(q.text, q.at.total_seconds() if q.at is not None else None)
            for q in topic.questions
        ),
        hosts=topic.hosts,
        prep_post=topic.prep_post,
        welcome=topic.welcome,
        closing=topic.closing,
    )


def steps_for(chat: ChatSettings, start: datetime, topic: SessionTopic) -> list[Step]:
    explicit = [
        timedelta(seconds=q.at_seconds) if q.at_seconds is not None else None
        for q in topic.questions
    ]
    return plan(chat, start, explicit, heads_up=chat.channels.host is not None)


def ledger_rows(steps: list[Step]) -> list[NewStep]:
    return [NewStep(s.key, s.kind.value, s.due_at, s.question) for s in steps]


def no_topic_step(chat: ChatSettings, now: datetime) -> NewStep | None:
    """The hosts' heads-up when a session is planned without a topic file."""
    if chat.channels.host is None:
        return None
    return NewStep("no-topic", StepKind.NO_TOPIC.value, now)


def refreshable(session: SessionRow, sent_keys: set[str]) -> bool:
    """A session's topic can still change until the welcome has gone out."""
    return session.status.value == "planned" and "welcome" not in sent_keys
