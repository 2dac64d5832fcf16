"""Performing one step: render it, post it once (nonce + history check), record the result."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepKind, StepRow, StepStatus
from bot.engine import render
from bot.topics import MESSAGE_LIMIT
from bot.transport import Outgoing, OutgoingFile, Posted, TransportError

if TYPE_CHECKING:
    from bot.engine.engine import ChatEngine

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = timedelta(minutes=1)  # posts never go out before due; allow clock skew


async def send_once(
    engine: ChatEngine, session: SessionRow, step: StepRow, message: Outgoing
) -> Posted:
    """Post `message` for `step` unless an earlier attempt already did (crash between send and record)."""
    from bot.engine.engine import step_nonce

    if len(message.content) > MESSAGE_LIMIT:  # Discord would refuse it: say why, plainly
        raise TransportError(
            f"it is {len(message.content)} characters and Discord takes at most"
            f" {MESSAGE_LIMIT} in a message",
            retryable=False,
        )
    if step.attempts > 0:
        since = step.due_at - HISTORY_LOOKBACK
        for own in await engine.transport.recent_own_posts(message.channel_id, since):
            if own.content == message.content:
                log.info(
                    "step %s of session %s was already posted as %s",
                    step.key,
                    session.id,
                    own.message_id,
                )
                return own
    await engine.store.steps.begin_attempt(session.id, step.key)
    nonce = message.nonce or step_nonce(session.id, step.key, step.due_at)
    return await engine.transport.post(_with_nonce(message, nonce))


def _with_nonce(message: Outgoing, nonce: str) -> Outgoing:
    from dataclasses import replace

    return replace(message, nonce=nonce)


async def _record(
    engine: ChatEngine, session: SessionRow, step: StepRow, posted: Posted | None
) -> None:
    await engine.store.steps.mark_sent(
        session.id,
        step.key,
        message_id=posted.message_id if posted else None,
        channel_id=posted.channel_id if posted else None,
        sent_at=posted.created_at if posted else engine.clock.now(),
    )


async def perform(
    engine: ChatEngine, session: SessionRow, step: StepRow, ledger: Sequence[StepRow]
) -> None:
    chat = engine.chat(session.chat)
    topic = session.topic
    kind = StepKind(step.kind)
    posted: Posted | None = None
    if kind is StepKind.REMINDER:
        reminders = [s for s in ledger if s.kind == StepKind.REMINDER.value]
        last = reminders[-1].key == step.key
        text = engine.render_reminder(session, chat, step, last)
        roles = (chat.notify_role_id,) if last and chat.notify_role_id else ()
        posted = await send_once(
            engine,
            session,
            step,
            Outgoing(chat.announce_channel, text, mention_role_ids=roles, remind_chat=chat.name),
        )
        await _record(engine, session, step, posted)
        if last:
            await _dm_subscribers(engine, session)
        return
    if kind is StepKind.WELCOME:
        posted = await send_once(
            engine, session, step, Outgoing(chat.channels.chat, render.welcome(chat, topic))
        )
        # Running before recorded: a crash in between leaves the step to be found again, not
        # a welcomed chat whose session was never marked running (and captured nothing).
        await engine.store.sessions.set_status(session.id, SessionStatus.RUNNING)
        await _record(engine, session, step, posted)
        return
    if kind is StepKind.HEADS_UP and step.question is not None and chat.channels.host:
        question = next((s for s in ledger if s.key == f"q{step.question}"), None)
        due = question.due_at if question else step.due_at
        text = render.heads_up(chat, topic, step.question, due)
        posted = await send_once(engine, session, step, Outgoing(chat.channels.host, text))
        await _record(engine, session, step, posted)
        return
    if kind is StepKind.QUESTION and step.question is not None:
        text = render.question(chat, topic, step.question)
        posted = await send_once(engine, session, step, Outgoing(chat.channels.chat, text))
        await _record(engine, session, step, posted)
        if chat.answers_in_threads:
            thread = await engine._safely(
                engine.transport.create_thread(
                    chat.channels.chat, posted.message_id, f"Q{step.question} answers"
                ),
                "open the question's thread",
            )
            if isinstance(thread, int):
                await engine.store.steps.set_thread(session.id, step.key, thread)
        return
    if kind is StepKind.LAST_CALL:
        posted = await send_once(
            engine, session, step, Outgoing(chat.channels.chat, render.last_call(chat))
        )
        await _record(engine, session, step, posted)
        return
    if kind is StepKind.CLOSE:
        next_title, next_start = await engine.next_topic(chat, session.chat_date)
        text = render.close(chat, topic, next_title, next_start)
        posted = await send_once(engine, session, step, Outgoing(chat.channels.chat, text))
        await engine.store.sessions.set_status(session.id, SessionStatus.CLOSED)  # as above
        await _record(engine, session, step, posted)
        return
    if kind is StepKind.NO_TOPIC and chat.channels.host:
        text = render.no_topic(chat, session.start_at)
        posted = await send_once(engine, session, step, Outgoing(chat.channels.host, text))
        await _record(engine, session, step, posted)
        return
    if kind is StepKind.NEWCOMERS:
        await _welcome_newcomers(engine, session, step)
        return
    if kind is StepKind.RECAP:
        await _publish_recap(engine, session, step)
        return
    await engine.store.steps.mark_skipped(session.id, step.key, "nothing to do for this step here")


async def _welcome_newcomers(engine: ChatEngine, session: SessionRow, step: StepRow) -> None:
    """One post names the newcomers this batch claimed. They are claimed before the first
    attempt, so a retry after a crash names the same people (the own-post check then finds the
    post), and nobody is named by two batches. Newcomers who came while it was being posted
    get the next batch."""
    chat = engine.chat(session.chat)
    batch = int(step.key.rsplit("-", 1)[-1])
    store = engine.store
    if step.attempts == 0:
        claimed = await store.members.claim_newcomers(session.id, batch)
    else:
        claimed = await store.members.claimed(session.id, batch)
    members = await store.members.many(claimed)
    names = [
        members[uid].display_name
        for uid in claimed
        if uid in members and not members[uid].opted_out
    ]
    if not names:
        await store.steps.mark_skipped(session.id, step.key, "no newcomers to welcome")
    else:
        posted = await send_once(
            engine, session, step, Outgoing(chat.channels.chat, render.newcomers(chat, names))
        )
        await _record(engine, session, step, posted)
    if await store.members.unwelcomed(session.id):
        await engine.capture.queue_newcomer_welcome(session, chat)


async def _dm_subscribers(engine: ChatEngine, session: SessionRow) -> None:
    chat = engine.chat(session.chat)
    text = f"{chat.hashtag} starts {render.stamp(session.start_at, 'R')}: **{session.topic.title}** in <#{chat.channels.chat}>"
    for member in await engine.store.members.to_remind(chat.name):
        await engine._safely(
            engine.transport.direct_message(member.user_id, text), "send a reminder DM"
        )


def _signature(content: str, embeds: Sequence[Mapping[str, Any]]) -> tuple[str, tuple[str, ...]]:
    """What tells one recap part from another in the channel: its text and its embeds' titles
    (the question parts have no text; Discord normalises the rest of an embed)."""
    return content, tuple(str(e.get("title") or "") for e in embeds)


class _OwnHistory:
    """The bot's posts in a channel since the step was due, read once per channel, for finding a
    part that reached Discord before a crash kept it from being recorded."""

    def __init__(self, engine: ChatEngine, since: datetime) -> None:
        self._engine, self._since = engine, since
        self._seen: dict[int, list[Posted]] = {}
        self._taken: set[int] = set()

    async def find(
        self, channel_id: int, content: str, embeds: Sequence[Mapping[str, Any]]
    ) -> Posted | None:
        if channel_id not in self._seen:
            self._seen[channel_id] = list(
                await self._engine.transport.recent_own_posts(channel_id, self._since)
            )
        wanted = _signature(content, embeds)
        for own in self._seen[channel_id]:
            if own.message_id not in self._taken and _signature(own.content, own.embeds) == wanted:
                self._taken.add(own.message_id)
                return own
        return None


async def _publish_recap(engine: ChatEngine, session: SessionRow, step: StepRow) -> None:
    """Post the recap's messages in order. Progress is recorded per part, so a retry or a restart
    continues after the last part that went out instead of posting the first ones again; after
    an earlier attempt, each remaining part is first looked for in the channel (a crash between
    a part's post and its record, longer than Discord's nonce window)."""
    from bot.engine.engine import step_nonce

    chat = engine.chat(session.chat)
    out_dir = engine.settings.recap_dir / f"{chat.name}-{session.chat_date.isoformat()}"
    await engine.capture.catch_up.wait()  # after a restart: what was said meanwhile goes in
    posts = await engine.recap(engine.store.recap_source, session, chat, out_dir)
    history = _OwnHistory(engine, step.due_at - HISTORY_LOOKBACK) if step.attempts > 0 else None
    await engine.store.steps.begin_attempt(session.id, step.key)
    first, thread = step.message_id, step.thread_id
    first_channel = chat.recap_channel
    for part, post in enumerate(posts):
        if part < step.parts_sent:
            continue
        channel = thread if post.in_thread and thread is not None else chat.recap_channel
        found = await history.find(channel, post.content, post.embeds) if history else None
        if found is not None:
            log.info("part %d of the recap of session %s was already posted", part, session.id)
        posted = found or await engine.transport.post(
            Outgoing(
                channel,
                post.content,
                embeds=post.embeds,
                files=tuple(OutgoingFile(name, data) for name, data in post.files),
                nonce=step_nonce(session.id, step.key, step.due_at, part),
            )
        )
        await engine.store.steps.record_post(
            session.id,
            step.key,
            part,
            channel_id=posted.channel_id,
            message_id=posted.message_id,
        )
        if part == 0:
            first, first_channel = posted.message_id, posted.channel_id
        if post.thread_name:
            made = await engine._safely(
                engine.transport.create_thread(
                    chat.recap_channel, posted.message_id, post.thread_name
                ),
                "open the recap thread",
            )
            thread = made if isinstance(made, int) else None
        await engine.store.steps.record_part(
            session.id, step.key, part + 1, message_id=first, thread_id=thread
        )
    await engine.store.steps.mark_sent(
        session.id,
        step.key,
        message_id=first,
        channel_id=first_channel,
        sent_at=engine.clock.now(),
        thread_id=thread,
    )
    await engine.store.sessions.set_recap(session.id, str(out_dir), engine.clock.now())
    await engine.store.sessions.set_status(session.id, SessionStatus.RECAPPED)
    log.info(
        "recap of session %s published (%d messages, files in %s)", session.id, len(posts), out_dir
    )


__all__ = ["StepStatus", "perform", "send_once"]
