"""The recap step: build the recap (after the catch-up, so what was said while the bot was away
is in it), write its files, post it part by part.

Progress is recorded per part, so a retry or a restart continues after the last part that went
out instead of posting the first ones again; each part's message is recorded (`step_posts`)
before the part is counted. After an earlier attempt each remaining part is first looked for
among the bot's own posts (`Sender.history`). The whole step is no hurry: capture runs beside it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.engine.locks import PostsFirst
from bot.engine.notify import best_effort
from bot.engine.ports import RecapPublisher, RedoQueue, SessionRecords, StepLedger
from bot.engine.sending import Sender
from bot.engine.step_kinds import StepCall
from bot.recap.source import RecapSource
from bot.transport import Outgoing, OutgoingFile

log = logging.getLogger(__name__)


class RecapStep:
    def __init__(
        self,
        *,
        sender: Sender,
        steps: StepLedger,
        sessions: SessionRecords,
        redo: RedoQueue,
        publish: RecapPublisher,
        source: RecapSource,
        caught_up: Callable[[SessionRow, ChatSettings], Awaitable[None]],
        posts_first: PostsFirst,
        clock: Clock,
        recap_dir: Path,
    ) -> None:
        self._sender, self._steps, self._sessions = sender, steps, sessions
        self._redo = redo
        self._publish, self._source, self._caught_up = publish, source, caught_up
        self._posts_first, self._clock = posts_first, clock
        self._recap_dir = recap_dir

    async def __call__(self, call: StepCall) -> bool:
        async with self._posts_first.aside():
            await self._run(call)
        return True

    async def _run(self, call: StepCall) -> None:
        session, chat, step = call.session, call.chat, call.step
        out_dir = self._recap_dir / f"{chat.name}-{session.chat_date.isoformat()}"
        # after a restart: what was said meanwhile goes in (and what other platforms hold)
        await self._caught_up(session, chat)
        # Known before any file is written, so a forget meanwhile finds the folder to redo; and
        # what was queued for redoing so far, so a forget in another process (the command line)
        # while this recap is built from the rows before it is redone once more after.
        await self._sessions.set_recap(session.id, str(out_dir), None)
        queued = await self._redo.newest()
        posts = await self._publish(self._source, session, chat, out_dir)
        history = self._sender.history(step)
        await self._steps.begin_attempt(session.id, step.key)
        first, thread = step.message_id, step.thread_id
        first_channel = chat.recap_channel
        transport = self._sender.transport
        for part, post in enumerate(posts):
            if part < step.parts_sent:
                continue
            channel = thread if post.in_thread and thread is not None else chat.recap_channel
            files = tuple(OutgoingFile(name, data) for name, data in post.files)
            message = Outgoing(channel, post.content, embeds=post.embeds, files=files)
            posted = await self._sender.send(step, message, part=part, history=history)
            await self._steps.record_post(
                session.id,
                step.key,
                part,
                channel_id=posted.channel_id,
                message_id=posted.message_id,
            )
            if part == 0:
                first, first_channel = posted.message_id, posted.channel_id
            if post.thread_name:
                made = await best_effort(
                    transport.create_thread(
                        chat.recap_channel, posted.message_id, post.thread_name
                    ),
                    "open the recap thread",
                )
                thread = made if isinstance(made, int) else None
            await self._steps.record_part(
                session.id, step.key, part + 1, message_id=first, thread_id=thread
            )
        now = self._clock.now()
        await self._steps.mark_sent(
            session.id,
            step.key,
            message_id=first,
            channel_id=first_channel,
            sent_at=now,
            thread_id=thread,
        )
        await self._sessions.set_recap(session.id, str(out_dir), now)
        await self._sessions.set_status(session.id, SessionStatus.RECAPPED)
        if again := await self._redo.again_after(session.id, queued):
            log.info(
                "session %s: %d forget(s) came while its recap was published; redone again",
                session.id,
                again,
            )
        log.info(
            "recap of session %s published (%d messages, files in %s)",
            session.id,
            len(posts),
            out_dir,
        )
