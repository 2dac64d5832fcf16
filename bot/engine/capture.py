"""Capture: every member message in a chat channel (or a question thread) during a session and its
late window is stored as it arrives and attributed with the shared rules in `bot.answers`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.answers import Attribution, ChatClock, Incoming, Kind, ReplyTarget, attribute
from bot.config import ChatSettings
from bot.domain.members import Seen
from bot.domain.messages import Attributed, MessageRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import NewStep, StepKind, StepRow, StepStatus
from bot.transport import (
    IncomingEvent,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
)

if TYPE_CHECKING:
    from bot.engine.engine import ChatEngine

log = logging.getLogger(__name__)

_CAPTURING = (SessionStatus.RUNNING, SessionStatus.PAUSED, SessionStatus.CLOSED)


@dataclass(frozen=True)
class SessionView:
    """What attribution needs to know about a session, rebuilt whenever a step is sent."""

    session: SessionRow
    clock: ChatClock
    question_posts: dict[int, int]  # message id of a question post -> question number
    threads: dict[int, int]  # thread id -> question number
    welcome_message: int | None


def build_view(
    session: SessionRow, chat: ChatSettings, ledger: list[StepRow]
) -> SessionView | None:
    by_key = {s.key: s for s in ledger}
    welcome, close, recap = by_key.get("welcome"), by_key.get("close"), by_key.get("recap")
    if welcome is None or close is None:
        return None
    if session.status is SessionStatus.PAUSED and welcome.status is not StepStatus.SENT:
        return None  # paused before it started: the chat has not begun, nothing is captured
    welcome_at = welcome.sent_at or welcome.due_at
    close_at = close.sent_at or close.due_at
    late_until = max(close_at + chat.run_of_show.late_window, recap.due_at if recap else close_at)
    if session.status is SessionStatus.PAUSED and close.status is not StepStatus.SENT:
        # Paused mid-chat: the close will move by the length of the pause, so nothing said
        # meanwhile is late yet (resume shifts the steps and the view is rebuilt).
        close_at = late_until = datetime.max.replace(tzinfo=UTC)
    questions = [s for s in ledger if s.kind == StepKind.QUESTION.value and s.question is not None]
    posted = {s.question: s.sent_at for s in questions if s.status is StepStatus.SENT and s.sent_at}
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
    )


def stored_attribution(a: Attribution) -> Attributed:
    return Attributed(a.kind.value, a.questions, a.labels, a.unmatched_labels, a.late)


def _message_row(msg: MessageCreated, session_id: int, attribution: Attributed) -> MessageRow:
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
    )


class Capture:
    def __init__(self, engine: ChatEngine) -> None:
        self.engine = engine
        self._views: dict[int, SessionView] = {}
        # chat name -> the session capturing its messages (None: none), valid until the next
        # forget_clock: every session status change happens in a step or a host control, and
        # both call it. Saves a sessions query on every message.
        self._capturing: dict[str, int | None] = {}
        # session id -> due time of its pending newcomers step, so a burst of newcomer messages
        # does not read the ledger once per message
        self._newcomers_due: dict[int, datetime] = {}
        self._chat_by_channel = {c.channels.chat: c for c in engine.settings.chats}
        # Live events and the catch-up both write; one at a time, so an edit read from history
        # is compared with what is stored now and counts are never recounted mid-run.
        self._writing = asyncio.Lock()
        from bot.engine.catch_up import CatchUp

        self.catch_up = CatchUp(self)

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        async with self._writing:
            yield

    def forget_clock(self, session_id: int) -> None:
        """A step was sent or moved, or a session changed status: the timeline changed."""
        self._views.pop(session_id, None)
        self._newcomers_due.pop(session_id, None)
        self._capturing.clear()

    async def view_for(self, chat: ChatSettings) -> SessionView | None:
        if chat.name in self._capturing:
            known = self._capturing[chat.name]
            if known is None:
                return None
            if (cached := self._views.get(known)) is not None:
                return cached
        sessions = [
            s
            for s in await self.engine.store.sessions.active()
            if s.chat == chat.name and s.status in _CAPTURING
        ]
        if not sessions:
            self._capturing[chat.name] = None
            return None
        session = sessions[-1]
        view = self._views.get(session.id)
        if view is None or view.session.status != session.status:
            view = build_view(session, chat, await self.engine.store.steps.for_session(session.id))
            if view is None:
                self._capturing[chat.name] = None  # until the timeline changes
                return None
            self._views[session.id] = view
        self._capturing[chat.name] = session.id
        return view

    async def handle(self, event: IncomingEvent) -> None:
        """Entry point for the transport; a malformed event is logged, never raised."""
        async with self._writing:
            await self._handle(event)

    async def _handle(self, event: IncomingEvent) -> None:
        try:
            if isinstance(event, MessageCreated):
                await self.on_message(event)
            elif isinstance(event, MessageEdited):
                await self.on_edit(event)
            elif isinstance(event, MessageDeleted):
                await self.on_delete(event)
            elif isinstance(event, ReactionChanged):
                if event.added:
                    await self.engine.store.messages.add_reaction(
                        event.message_id, event.user_id, event.emoji
                    )
                else:
                    await self.engine.store.messages.remove_reaction(
                        event.message_id, event.user_id, event.emoji
                    )
        except Exception:
            log.exception("could not handle %s", type(event).__name__)

    async def handle_many(self, events: Sequence[IncomingEvent]) -> None:
        """Events in arrival order; runs of new messages are stored together (a few statements
        per run instead of per message). A run that fails is retried message by message, so one
        bad message never costs the others."""
        async with self._writing:
            await self._handle_many(events)

    async def _handle_many(self, events: Sequence[IncomingEvent]) -> None:
        run: list[MessageCreated] = []
        for event in [*events, None]:
            if isinstance(event, MessageCreated):
                run.append(event)
                continue
            if run:
                try:
                    await self.on_messages(run)
                except Exception:
                    log.exception("could not store %d messages together; one by one", len(run))
                    for msg in run:
                        await self._handle(msg)
                run = []
            if event is not None:
                await self._handle(event)

    @staticmethod
    def _attribute(
        view: SessionView,
        msg: MessageCreated,
        text: str,
        opted_out: bool,
        parents: Mapping[int, tuple[int, ...]],
    ) -> Attribution:
        """`parents`: the questions of stored messages this one may reply to."""
        reply: ReplyTarget | None = None
        if msg.reply_to is not None:
            if msg.reply_to in view.question_posts:
                reply = ReplyTarget(view.question_posts[msg.reply_to], is_question_post=True)
            elif (q := parents.get(msg.reply_to)) is not None:
                reply = ReplyTarget(q[0] if q else None)
        thread_question = view.threads.get(msg.thread_id) if msg.thread_id else None
        return attribute(
            Incoming(
                text=text,
                created_at=msg.created_at,
                author_is_bot=msg.author_is_bot,
                author_is_host=msg.author_is_host,
                author_opted_out=opted_out,
                reply_to=reply,
                thread_question=thread_question,
            ),
            view.clock,
        )

    async def on_message(self, msg: MessageCreated) -> bool:
        """Store a member message if it belongs to a running session; True when stored."""
        return await self.on_messages([msg]) == 1

    async def on_messages(self, msgs: Sequence[MessageCreated]) -> int:
        """Store the member messages that belong to a running session, in posting order; returns
        how many were newly stored.

        The hot path: with the session view cached a run of messages costs two round trips to
        the database thread (the messages; the members and their participation counts) plus one
        to look up the messages replied to, each statement committed on its own (WAL,
        synchronous=NORMAL). Whether an author opted out only changes what is stored, so it is
        decided in the insert itself."""
        wanted: list[tuple[MessageCreated, ChatSettings, SessionView]] = []
        for msg in msgs:
            chat = None if msg.author_is_bot else self._chat_by_channel.get(msg.channel_id)
            view = await self.view_for(chat) if chat is not None else None
            if chat is not None and view is not None:
                wanted.append((msg, chat, view))
        if not wanted:
            return 0
        replied = {m.reply_to for m, _, v in wanted if m.reply_to not in v.question_posts}
        replied -= {m.message_id for m, _, _ in wanted} | {None}
        store = self.engine.store
        parents = dict(await store.messages.questions_of(r for r in replied if r is not None))
        rows: list[tuple[MessageRow, ChatSettings, SessionView, bool]] = []
        for msg, chat, view in wanted:
            if msg.message_id in parents:
                continue  # the same event twice in one run
            # opting out sets Attribution.excluded, which is not stored; the kind is the same
            result = self._attribute(view, msg, msg.content, False, parents)
            if result.kind is Kind.OUTSIDE:
                continue
            parents[msg.message_id] = result.questions  # a reply later in this run
            row = _message_row(msg, view.session.id, stored_attribution(result))
            rows.append((row, chat, view, result.kind is Kind.ANSWER))
        added = await store.messages.add_member_messages([r for r, _, _, _ in rows])
        by_session: dict[int, list[tuple[MessageRow, ChatSettings, SessionView, bool]]] = {}
        for entry in rows:
            if entry[0].id in added:
                by_session.setdefault(entry[2].session.id, []).append(entry)
        for session_id, stored in by_session.items():
            seen = [
                Seen(r.author_id, r.author_name, r.created_at, answer) for r, *_, answer in stored
            ]
            parts = await store.members.record_messages(session_id, seen)
            _, chat, view, _ = stored[0]
            if chat.welcome_newcomers and any(
                parts[r.author_id].newcomer
                and not parts[r.author_id].welcomed
                and not added[r.id].opted_out
                and not r.author_is_host
                for r, *_ in stored
            ):
                await self.queue_newcomer_welcome(view.session, chat)
        return len(added)

    async def on_delete(self, event: MessageDeleted) -> None:
        """Tombstone; the author's participation no longer counts the message."""
        await self.engine.store.messages.delete(event.message_id, event.deleted_at)
        await self.engine.store.members.recount([event.message_id])

    async def on_edit(self, edit: MessageEdited) -> None:
        """Store the new text and attribute it again (an answer can become one, or stop being
        one); an edit older than the stored text (read from history) changes nothing."""
        store = self.engine.store
        stored = await store.messages.get(edit.message_id)
        if stored is None or stored.deleted_at is not None or stored.session_id is None:
            return
        if stored.edited_at is not None and stored.edited_at >= edit.edited_at:
            return
        chat = self._chat_by_channel.get(stored.channel_id)
        session = await store.sessions.get(stored.session_id)
        if chat is None or session is None:
            return
        view = build_view(session, chat, await store.steps.for_session(session.id))
        if view is None:
            return
        member = await store.members.get(stored.author_id)
        opted_out = bool(member and member.opted_out)
        as_created = MessageCreated(
            message_id=stored.id,
            channel_id=stored.channel_id,
            author_id=stored.author_id,
            author_name=stored.author_name,
            content=edit.content,
            created_at=stored.created_at,
            thread_id=stored.thread_id,
            author_is_host=stored.author_is_host,
            reply_to=stored.reply_to,
        )
        parents = await store.messages.questions_of([stored.reply_to] if stored.reply_to else [])
        result = self._attribute(view, as_created, edit.content, opted_out, parents)
        await store.messages.edit(
            edit.message_id,
            "" if opted_out else edit.content,
            edit.edited_at,
            stored_attribution(result),
        )
        await store.members.recount([edit.message_id])

    async def queue_newcomer_welcome(self, session: SessionRow, chat: ChatSettings) -> None:
        """Newcomers arriving close together are welcomed in one message (a ledger step)."""
        now = self.engine.clock.now()
        due = self._newcomers_due.get(session.id)
        if due is not None and now < due:
            return  # still pending: it cannot run before it is due, and moving it forgets this
        ledger = await self.engine.store.steps.for_session(session.id)
        batches = [s for s in ledger if s.kind == StepKind.NEWCOMERS.value]
        pending = [s for s in batches if s.status is StepStatus.PENDING]
        if pending:
            self._newcomers_due[session.id] = pending[0].due_at
            return
        key = f"newcomers-{len(batches) + 1}"
        due = now + chat.run_of_show.newcomer_grouping
        await self.engine.store.steps.add(session.id, [NewStep(key, StepKind.NEWCOMERS.value, due)])
        self.engine.schedule_step(session.id, key, due)
        self._newcomers_due[session.id] = due

    async def backfill(self, *, full: bool = True) -> int:
        """After (re)connecting: catch up on what happened while the bot was not listening
        (`bot.engine.catch_up`; `full=False` after a resumed gateway session, which Discord
        replays). Returns messages stored."""
        return await self.catch_up.run(full=full)
