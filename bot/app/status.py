"""What hosts ask about a chat: the run of show (`/chathost preview`) and where the current session
is (`/chathost status`), read from the session's ledger (or, before it is planned, from the
schedule) and rendered by `bot.run_of_show`. No platform import."""

from __future__ import annotations

from collections import Counter

from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionStatus
from bot.domain.steps import StepStatus
from bot.engine import ChatEngine, planning
from bot.engine.render import stamp
from bot.run_of_show import DISCORD_LIMIT, Show, ShowStep, as_discord, planned
from bot.store import Store
from bot.timeline import local_date, next_starts


class ChatStatus:
    def __init__(self, settings: Settings, store: Store, engine: ChatEngine) -> None:
        self._settings, self._store, self._engine = settings, store, engine

    async def preview(self, chat: ChatSettings) -> str:
        """The coming (or running) session's steps; planned from the schedule if not yet."""
        session = await self._engine.current_session(chat.name)
        if session is not None and session.status in (
            SessionStatus.PLANNED,
            SessionStatus.RUNNING,
            SessionStatus.PAUSED,
        ):
            ledger = await self._store.steps.for_session(session.id)
            steps = tuple(
                ShowStep(s.key, s.kind, s.due_at, s.question, s.status.value) for s in ledger
            )
            topic, start = session.topic, session.start_at
            state = None if session.status is SessionStatus.PLANNED else session.status.value
        else:
            start = next_starts(chat.schedule, self._engine.clock.now(), 1)[0]
            catalog = await self._engine.topics()
            topic = planning.snapshot(
                catalog.for_date(chat.name, local_date(chat.schedule, start), self._settings)
            )
            steps = planned(planning.steps_for(chat, start, topic))
            state = "not planned yet"
        channels = {
            "announce": chat.announce_channel,
            "chat": chat.channels.chat,
            "recap": chat.recap_channel,
        }
        return as_discord(Show.of(chat, topic, start, steps, state), channels)

    async def status(self, chat: ChatSettings) -> str:
        session = await self._engine.current_session(chat.name)
        if session is None:
            start = next_starts(chat.schedule, self._engine.clock.now(), 1)[0]
            return (
                f"No session planned yet for {chat.hashtag}. The next one is {stamp(start, 'F')}."
            )
        store = self._store
        ledger = await store.steps.for_session(session.id)
        counts = Counter(s.status.value for s in ledger)
        messages = await store.messages.for_session(session.id)
        people = await store.members.for_session(session.id)
        answers = sum(1 for m in messages if m.attribution.kind == "answer")
        pending = [s for s in ledger if s.status is StepStatus.PENDING]
        lines = [
            f"**{chat.hashtag} {stamp(session.start_at, 'F')}: {session.topic.title}**",
            f"Status: **{session.status.value}**",
            "Steps: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())),
            f"Captured: {len(messages)} message(s), {answers} answer(s), {len(people)} member(s)",
        ]
        if pending:
            nxt = pending[0]
            lines.append(f"Next: `{nxt.key}` {stamp(nxt.due_at, 'R')}")
        for s in ledger:
            if s.status is StepStatus.FAILED:
                lines.append(f"Failed: `{s.key}`: {s.last_error}")
        return "\n".join(lines)[:DISCORD_LIMIT]
