"""What attribution needs to know about a session (its actual timeline: when the welcome, each
question and the close went out), rebuilt from the ledger whenever a step is sent or moved, and
the stored form of a captured message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.answers import Attribution, ChatClock
from bot.config import ChatSettings
from bot.domain.messages import Attributed, MessageRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import PlatformStep, StepKind, StepRow, StepStatus
from bot.transport import MessageCreated


@dataclass(frozen=True)
class SessionView:
    """What attribution needs to know about a session, rebuilt whenever a step is sent."""

    session: SessionRow
    clock: ChatClock
    question_posts: dict[int, int]  # message id of a question post -> question number
    threads: dict[int, int]  # thread id -> question number
    welcome_message: int | None
    # the bot's question posts on the other platforms (Bluesky: AT-URI) -> question number
    question_refs: dict[str, int] = field(default_factory=dict)


def _first_posts(
    ledger: Sequence[StepRow], mirrored: Sequence[PlatformStep]
) -> dict[str, datetime]:
    """When each step first went out on any platform: the home post, or a mirror's when that
    came first (the home platform failing does not hold back a chat on the other)."""
    first = {s.key: s.sent_at for s in ledger if s.status is StepStatus.SENT and s.sent_at}
    for r in mirrored:
        if r.status is StepStatus.SENT and r.sent_at is not None:
            at = first.get(r.key)
            first[r.key] = r.sent_at if at is None else min(at, r.sent_at)
    return first


def build_view(
    session: SessionRow,
    chat: ChatSettings,
    ledger: list[StepRow],
    mirrored: Sequence[PlatformStep] = (),
) -> SessionView | None:
    """`mirrored`: the session's records on the other platforms the chat runs on."""
    by_key = {s.key: s for s in ledger}
    welcome, close, recap = by_key.get("welcome"), by_key.get("close"), by_key.get("recap")
    if welcome is None or close is None:
        return None
    sent = _first_posts(ledger, mirrored)
    if session.status is SessionStatus.PAUSED and "welcome" not in sent:
        return None  # paused before it started: the chat has not begun, nothing is captured
    welcome_at = sent.get("welcome") or welcome.due_at
    close_at = sent.get("close") or close.due_at
    late_until = max(close_at + chat.run_of_show.late_window, recap.due_at if recap else close_at)
    if session.status is SessionStatus.PAUSED and "close" not in sent:
        # Paused mid-chat: the close will move by the length of the pause, so nothing said
        # meanwhile is late yet (resume shifts the steps and the view is rebuilt).
        close_at = late_until = datetime.max.replace(tzinfo=UTC)
    questions = [s for s in ledger if s.kind == StepKind.QUESTION.value and s.question is not None]
    posted = {s.question: sent[s.key] for s in questions if s.key in sent}
    clock = ChatClock(
        welcome_at=min(welcome_at, close_at),
        question_posted_at={q: at for q, at in posted.items() if q is not None},
        question_count=len(session.topic.questions),
        close_at=close_at,
        late_until=max(late_until, close_at),
    )
    return SessionView(
        session=session,
        clock=clock,
        question_posts={s.message_id: s.question for s in questions if s.message_id and s.question},
        threads={s.thread_id: s.question for s in questions if s.thread_id and s.question},
        welcome_message=welcome.message_id,
        question_refs={
            r.post_ref: by_key[r.key].question or 0
            for r in mirrored
            if r.post_ref and r.key in by_key and by_key[r.key].kind == StepKind.QUESTION.value
        },
    )


def stored_attribution(a: Attribution) -> Attributed:
    return Attributed(a.kind.value, a.questions, a.labels, a.unmatched_labels, a.late)


def message_row(msg: MessageCreated, session_id: int, attribution: Attributed) -> MessageRow:
    return MessageRow(
        id=msg.message_id,
        session_id=session_id,
        channel_id=msg.channel_id,
        thread_id=msg.thread_id,
        author_id=msg.author_id,
        author_name=msg.author_name,
        author_is_host=msg.author_is_host,
        content=msg.content,
        created_at=msg.created_at,
        attribution=attribution,
        reply_to=msg.reply_to,
        jump_url=msg.jump_url,
        edited_at=msg.edited_at,
        origin=msg.origin,
    )
