"""One handler per kind of step: what it posts, where, and what it records besides. Every post
goes through `Sender.deliver` (send once, record); a handler returns False when the step has
nothing to do here (a heads-up without a host channel), and the runner marks it skipped."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepKind, StepRow
from bot.engine import render
from bot.engine.locks import PostsFirst
from bot.engine.newcomers import NewcomerBatches
from bot.engine.notify import best_effort
from bot.engine.ports import MemberRecords, ReminderDmLog, SessionRecords, StepLedger
from bot.engine.sending import Sender
from bot.transport import ChatTransport, Outgoing, Posted, TransportError

log = logging.getLogger(__name__)

DM_LOOKBACK = 10  # the bot's DM to a member is among their last few messages with it

NextTopic = Callable[[ChatSettings, date], Awaitable[tuple[str | None, datetime]]]


@dataclass(frozen=True)
class StepCall:
    """A due step, with the session it belongs to and the session's whole ledger."""

    session: SessionRow
    chat: ChatSettings
    step: StepRow
    ledger: Sequence[StepRow]


class StepHandler(Protocol):
    async def __call__(self, call: StepCall) -> bool:
        """Perform the step; False when there is nothing to do for it."""


class Reminder:
    """The announcement before the chat (the last one pings the notify role and carries the
    "Remind me" button), then DMs to members who asked for them."""

    def __init__(
        self,
        sender: Sender,
        members: MemberRecords,
        dms: ReminderDmLog,
        posts_first: PostsFirst,
        clock: Clock,
    ) -> None:
        self._sender, self._members, self._dms = sender, members, dms
        self._posts_first, self._clock = posts_first, clock

    async def __call__(self, call: StepCall) -> bool:
        chat, session, step = call.chat, call.session, call.step
        reminders = [s for s in call.ledger if s.kind == StepKind.REMINDER.value]
        last = reminders[-1].key == step.key
        text = render.reminder(chat, session.topic, session.start_at, notify=last, before=step.key)
        roles = (chat.notify_role_id,) if last and chat.notify_role_id else ()
        out = Outgoing(chat.announce_channel, text, mention_role_ids=roles, remind_chat=chat.name)

        async def dm_subscribers(posted: Posted) -> None:
            # Before the step counts as sent: a crash mid-way leaves the rest to the retry.
            if last:
                async with self._posts_first.aside():  # DMs are no hurry
                    await self._dm_subscribers(session, chat)

        await self._sender.deliver(step, out, before_record=dm_subscribers)
        return True

    async def _dm_subscribers(self, session: SessionRow, chat: ChatSettings) -> None:
        """Each member claimed before their DM and marked after. A claim a crash left unmarked
        may or may not have gone: the member's DM channel tells (`_dm_landed`), so nobody gets
        it twice and nobody who asked misses it."""
        text = f"{chat.hashtag} starts {render.stamp(session.start_at, 'R')}: **{session.topic.title}** in <#{chat.channels.chat}>"
        transport = self._sender.transport
        claims = await self._dms.claims(session.id)
        for member in await self._members.to_remind(chat.name):
            user_id = member.user_id
            if claims.get(user_id):
                continue
            if user_id in claims and await self._dm_landed(user_id, text):
                await self._dms.sent(session.id, user_id, self._clock.now())
                continue
            await self._dms.claim(session.id, user_id, self._clock.now())
            await best_effort(transport.direct_message(user_id, text), "send a reminder DM")
            await self._dms.sent(session.id, user_id, self._clock.now())

    async def _dm_landed(self, user_id: int, text: str) -> bool:
        """Whether the reminder is among the bot's last messages in the member's DM channel.
        When that cannot be read (Discord down, the channel refused: 403) it counts as not
        sent: to a member who asked to be reminded, a reminder twice is the smaller harm than
        none, and a member whose DMs are closed refuses the new one too."""
        try:
            found = await self._sender.transport.recent_own_dms(user_id, DM_LOOKBACK)
        except TransportError as exc:
            log.warning("could not check the reminder DM to %s, sending it: %s", user_id, exc)
            return False
        return any(p.content == text for p in found)


class Welcome:
    def __init__(self, sender: Sender, sessions: SessionRecords) -> None:
        self._sender, self._sessions = sender, sessions

    async def __call__(self, call: StepCall) -> bool:
        chat, session = call.chat, call.session

        async def running(posted: Posted) -> None:
            # Running before recorded: a crash in between leaves the step to be found again,
            # not a welcomed chat whose session was never marked running (capturing nothing).
            await self._sessions.set_status(session.id, SessionStatus.RUNNING)

        out = Outgoing(chat.channels.chat, render.welcome(chat, session.topic))
        await self._sender.deliver(call.step, out, before_record=running)
        return True


class HeadsUp:
    """The coming question, shown to the hosts first."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    async def __call__(self, call: StepCall) -> bool:
        chat, step = call.chat, call.step
        if step.question is None or not chat.channels.host:
            return False
        question = next((s for s in call.ledger if s.key == f"q{step.question}"), None)
        due = question.due_at if question else step.due_at
        text = render.heads_up(chat, call.session.topic, step.question, due)
        await self._sender.deliver(step, Outgoing(chat.channels.host, text))
        return True


class Question:
    """A question in the chat channel, and its answers thread when the chat wants one."""

    def __init__(self, sender: Sender, steps: StepLedger) -> None:
        self._sender, self._steps = sender, steps

    async def __call__(self, call: StepCall) -> bool:
        chat, step = call.chat, call.step
        if step.question is None:
            return False
        text = render.question(chat, call.session.topic, step.question)
        number = step.question

        async def with_thread(posted: Posted) -> None:
            # Before the step counts as sent: a crash between the post and its thread leaves the
            # step to run again, which finds the post and opens (or finds) the thread.
            if not chat.answers_in_threads:
                return
            thread = await best_effort(
                self._sender.transport.create_thread(
                    chat.channels.chat, posted.message_id, f"Q{number} answers"
                ),
                "open the question's thread",
            )
            if isinstance(thread, int):
                await self._steps.set_thread(step.session_id, step.key, thread)

        out = Outgoing(chat.channels.chat, text)
        await self._sender.deliver(step, out, before_record=with_thread)
        return True


class LastCall:
    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    async def __call__(self, call: StepCall) -> bool:
        out = Outgoing(call.chat.channels.chat, render.last_call(call.chat))
        await self._sender.deliver(call.step, out)
        return True


class Close:
    """The wrap-up, naming next week's topic; the session is closed before the step counts."""

    def __init__(self, sender: Sender, sessions: SessionRecords, next_topic: NextTopic) -> None:
        self._sender, self._sessions, self._next_topic = sender, sessions, next_topic

    async def __call__(self, call: StepCall) -> bool:
        chat, session = call.chat, call.session
        next_title, next_start = await self._next_topic(chat, session.chat_date)
        text = render.close(chat, session.topic, next_title, next_start)

        async def closed(posted: Posted) -> None:  # as for the welcome
            await self._sessions.set_status(session.id, SessionStatus.CLOSED)

        await self._sender.deliver(
            call.step, Outgoing(chat.channels.chat, text), before_record=closed
        )
        return True


class NoTopic:
    """The hosts' heads-up that a session was planned without a topic file."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender

    async def __call__(self, call: StepCall) -> bool:
        chat = call.chat
        if not chat.channels.host:
            return False
        text = render.no_topic(chat, call.session.start_at)
        await self._sender.deliver(call.step, Outgoing(chat.channels.host, text))
        return True


class Newcomers:
    """One post names the newcomers this batch claimed. They are claimed before the first
    attempt, so a retry after a crash names the same people (the own-post check then finds the
    post), and nobody is named by two batches. Newcomers who came while it was being posted
    get the next batch."""

    def __init__(
        self,
        sender: Sender,
        members: MemberRecords,
        steps: StepLedger,
        batches: NewcomerBatches,
    ) -> None:
        self._sender, self._members, self._steps = sender, members, steps
        self._batches = batches

    async def __call__(self, call: StepCall) -> bool:
        session, chat, step = call.session, call.chat, call.step
        batch = int(step.key.rsplit("-", 1)[-1])
        if step.attempts == 0:
            claimed = await self._members.claim_newcomers(session.id, batch)
        else:
            claimed = await self._members.claimed(session.id, batch)
        members = await self._members.many(claimed)
        names = [
            members[uid].display_name
            for uid in claimed
            if uid in members and not members[uid].opted_out
        ]
        if not names:
            await self._steps.mark_skipped(session.id, step.key, "no newcomers to welcome")
        else:
            out = Outgoing(chat.channels.chat, render.newcomers(chat, names))
            await self._sender.deliver(step, out)
        if await self._members.unwelcomed(session.id):
            await self._batches.queue(session, chat)
        return True


class Slowmode:
    """The chat channel's slowmode for the chat hour: on with the welcome, off with the close
    (`moderation.slowmode`). A timer in the ledger like any step, so a restart, a pause, an
    extension or an early end moves it with the chat; nothing is posted."""

    def __init__(self, transport: ChatTransport, steps: StepLedger, clock: Clock) -> None:
        self._transport, self._steps, self._clock = transport, steps, clock

    async def __call__(self, call: StepCall) -> bool:
        chat, step = call.chat, call.step
        on = StepKind(step.kind) is StepKind.SLOWMODE_ON
        seconds = int(chat.moderation.slowmode.total_seconds()) if on else 0
        channel = chat.channels.chat
        await self._transport.set_slowmode(channel, seconds, f"{chat.hashtag} chat hour")
        await self._steps.mark_sent(
            step.session_id,
            step.key,
            message_id=None,
            channel_id=channel,
            sent_at=self._clock.now(),
        )
        log.info("slowmode in %s set to %ss", channel, seconds)
        return True


Handlers = Mapping[StepKind, StepHandler]
