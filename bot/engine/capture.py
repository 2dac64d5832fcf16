"""Capture: every member message in a chat channel (or a question thread) during a session and its
late window is stored as it arrives and attributed with the shared rules in `bot.answers`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence

from bot.answers import Attribution, Incoming, Kind, ReplyTarget, attribute
from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.members import Seen
from bot.domain.messages import Added, MessageRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.engine.locks import PostsFirst
from bot.engine.newcomers import NewcomerBatches
from bot.engine.ports import (
    MemberRecords,
    MessageRecords,
    PlatformStepLedger,
    SessionRecords,
    StepLedger,
)
from bot.engine.session_view import SessionView, build_view, message_row, stored_attribution
from bot.transport import (
    IncomingEvent,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    ReactionChanged,
)

log = logging.getLogger(__name__)

_CAPTURING = (SessionStatus.RUNNING, SessionStatus.PAUSED, SessionStatus.CLOSED)
# Messages attributed and inserted together before capture looks whether a post fell due
# (`PostsFirst`); a run's members and participation are still counted together, at its end.
RUN_LIMIT = 500


class Capture:
    def __init__(
        self,
        *,
        chats: Sequence[ChatSettings],
        sessions: SessionRecords,
        steps: StepLedger,
        messages: MessageRecords,
        members: MemberRecords,
        newcomers: NewcomerBatches,
        posts_first: PostsFirst,
        clock: Clock,
        records: PlatformStepLedger | None = None,
    ) -> None:
        """`records`: the steps' records on the other platforms the chat runs on (their
        question posts and post times are part of the chat's timeline)."""
        self._sessions, self._steps = sessions, steps
        self._records = records
        self._messages, self._members = messages, members
        self._newcomers = newcomers
        self._posts_first = posts_first
        self.clock = clock
        self._views: dict[int, SessionView] = {}
        # chat name -> the session capturing its messages (None: none), valid until the next
        # forget_clock: every session status change happens in a step or a host control, and
        # both call it. Saves a sessions query on every message.
        self._capturing: dict[str, int | None] = {}
        self._chat_by_channel = {c.channels.chat: c for c in chats}
        self._chat_by_name = {c.name: c for c in chats}
        # Live events and the catch-up both write; one at a time, so an edit read from history
        # is compared with what is stored now and counts are never recounted mid-run.
        self._writing = asyncio.Lock()
        # Told of an event that could not be stored (the database locked past its timeout): the
        # catch-up reads it back from history later instead of it being lost.
        self.failed: Callable[[IncomingEvent], None] = lambda event: None

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        async with self._writing:
            yield

    def forget_clock(self, session_id: int) -> None:
        """A step was sent or moved, or a session changed status: the timeline changed."""
        self._views.pop(session_id, None)
        self._newcomers.forget(session_id)
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
            for s in await self._sessions.active()
            if s.chat == chat.name and s.status in _CAPTURING
        ]
        if not sessions:
            self._capturing[chat.name] = None
            return None
        session = sessions[-1]
        view = self._views.get(session.id)
        if view is None or view.session.status != session.status:
            view = await self._build_view(session, chat)
            if view is None:
                self._capturing[chat.name] = None  # until the timeline changes
                return None
            self._views[session.id] = view
        self._capturing[chat.name] = session.id
        return view

    async def _build_view(self, session: SessionRow, chat: ChatSettings) -> SessionView | None:
        ledger = await self._steps.for_session(session.id)
        mirrored = await self._records.for_session(session.id) if self._records else []
        return build_view(session, chat, ledger, mirrored)

    def chat_of(self, msg: MessageCreated) -> ChatSettings | None:
        """The chat a member message belongs to: named by a message from another platform,
        else found from its channel."""
        if msg.author_is_bot:
            return None
        if msg.chat is not None:
            return self._chat_by_name.get(msg.chat)
        return self._chat_by_channel.get(msg.channel_id)

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
                    await self._messages.add_reaction(event.message_id, event.user_id, event.emoji)
                else:
                    await self._messages.remove_reaction(
                        event.message_id, event.user_id, event.emoji
                    )
        except Exception:
            log.exception("could not handle %s; read back later", type(event).__name__)
            self.failed(event)

    async def handle_many(self, events: Sequence[IncomingEvent]) -> None:
        """Events in arrival order; runs of new messages are stored together (a few statements
        per run instead of per message). A run that fails is retried message by message, so one
        bad message never costs the others. Before each run, and every RUN_LIMIT messages within
        one, a post that fell due goes first (`PostsFirst`)."""
        async with self._writing:
            await self._handle_many(events)

    async def _handle_many(self, events: Sequence[IncomingEvent]) -> None:
        run: list[MessageCreated] = []
        for event in [*events, None]:
            if isinstance(event, MessageCreated):
                run.append(event)
                continue
            if run:
                await self._posts_first.wait_for_posts()
                try:
                    await self.on_messages(run)
                except Exception:
                    log.exception("could not store %d messages together; one by one", len(run))
                    for msg in run:
                        await self._handle(msg)
                run = []
            if event is not None:
                await self._posts_first.wait_for_posts()
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
        if msg.reply_ref is not None and msg.reply_ref in view.question_refs:
            reply = ReplyTarget(view.question_refs[msg.reply_ref], is_question_post=True)
        elif msg.reply_to is not None:
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

        The hot path: with the session view cached, each RUN_LIMIT messages cost one round trip
        to the database thread (the messages) plus one to look up the messages replied to, and
        the whole run one more (the members and their participation counts), each statement
        committed on its own (WAL, synchronous=NORMAL). Between two such parts a post that fell
        due goes first (`PostsFirst`). Whether an author opted out only changes what is stored,
        so it is decided in the insert itself."""
        wanted: list[tuple[MessageCreated, ChatSettings, SessionView]] = []
        for msg in msgs:
            chat = self.chat_of(msg)
            view = await self.view_for(chat) if chat is not None else None
            if chat is not None and view is not None:
                wanted.append((msg, chat, view))
        if not wanted:
            return 0
        in_run = {m.message_id for m, _, _ in wanted}
        parents: dict[int, tuple[int, ...]] = {}
        rows: list[tuple[MessageRow, ChatSettings, SessionView, bool]] = []
        added: dict[int, Added] = {}
        for start in range(0, len(wanted), RUN_LIMIT):
            if start:  # a post that fell due meanwhile goes first
                await self._posts_first.wait_for_posts()
            chunk = wanted[start : start + RUN_LIMIT]
            replied = {m.reply_to for m, _, v in chunk if m.reply_to not in v.question_posts}
            replied -= in_run | parents.keys() | {None}
            parents |= await self._messages.questions_of(r for r in replied if r is not None)
            stored: list[tuple[MessageRow, ChatSettings, SessionView, bool]] = []
            for msg, chat, view in chunk:
                if msg.message_id in parents:
                    continue  # the same event twice in one run
                # opting out sets Attribution.excluded, which is not stored; the kind is the same
                result = self._attribute(view, msg, msg.content, False, parents)
                if result.kind is Kind.OUTSIDE:
                    continue
                parents[msg.message_id] = result.questions  # a reply later in this run
                row = message_row(msg, view.session.id, stored_attribution(result))
                stored.append((row, chat, view, result.kind is Kind.ANSWER))
            added |= await self._messages.add_member_messages([r for r, _, _, _ in stored])
            rows += stored
        by_session: dict[int, list[tuple[MessageRow, ChatSettings, SessionView, bool]]] = {}
        for entry in rows:
            if entry[0].id in added:
                by_session.setdefault(entry[2].session.id, []).append(entry)
        for session_id, stored in by_session.items():
            seen = [
                Seen(r.author_id, r.author_name, r.created_at, answer) for r, *_, answer in stored
            ]
            parts = await self._members.record_messages(session_id, seen)
            _, chat, view, _ = stored[0]
            if chat.welcome_newcomers and any(
                parts[r.author_id].newcomer
                and not parts[r.author_id].welcomed
                and not added[r.id].opted_out
                and not r.author_is_host
                and r.origin is None  # the welcome is posted on the home platform
                for r, *_ in stored
            ):
                await self._newcomers.queue(view.session, chat)
        return len(added)

    async def on_delete(self, event: MessageDeleted) -> None:
        """Tombstone; the author's participation no longer counts the message."""
        await self._messages.delete(event.message_id, event.deleted_at)
        await self._members.recount([event.message_id])

    async def on_edit(self, edit: MessageEdited) -> None:
        """Store the new text and attribute it again (an answer can become one, or stop being
        one); an edit older than the stored text (read from history) changes nothing."""
        stored = await self._messages.get(edit.message_id)
        if stored is None or stored.deleted_at is not None or stored.session_id is None:
            return
        if stored.edited_at is not None and stored.edited_at >= edit.edited_at:
            return
        session = await self._sessions.get(stored.session_id)
        chat = self._chat_by_name.get(session.chat) if session is not None else None
        if chat is None or session is None:
            return
        view = await self._build_view(session, chat)
        if view is None:
            return
        member = await self._members.get(stored.author_id)
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
        parents = await self._messages.questions_of([stored.reply_to] if stored.reply_to else [])
        result = self._attribute(view, as_created, edit.content, opted_out, parents)
        await self._messages.edit(
            edit.message_id,
            "" if opted_out else edit.content,
            edit.edited_at,
            stored_attribution(result),
        )
        await self._members.recount([edit.message_id])

    async def queue_newcomer_welcome(self, session: SessionRow, chat: ChatSettings) -> None:
        """Newcomers arriving close together are welcomed in one message (a ledger step)."""
        await self._newcomers.queue(session, chat)
