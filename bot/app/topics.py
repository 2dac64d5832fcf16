"""A topic file written from a platform (`/chathost topic new|import`) takes effect: the planned
session of its date runs on it, unless that chat has already started."""

from __future__ import annotations

from bot.domain.sessions import SessionStatus
from bot.engine import ChatEngine
from bot.store import Store
from bot.topic_writer import SavedTopic


class TopicUpdates:
    def __init__(self, store: Store, engine: ChatEngine) -> None:
        self._store, self._engine = store, engine

    async def apply(self, saved: SavedTopic) -> str:
        """Make the planned session of that date run on the new file; say what happened."""
        verb = "Replaced" if saved.replaced else "Saved"
        topic = saved.topic
        text = (
            f"{verb} `{saved.path.name}`: **{topic.title}** for {saved.chat.name} on"
            f" {topic.date} ({len(topic.questions)} questions)."
        )
        session = await self._store.sessions.for_date(saved.chat.name, topic.date)
        if session is None:
            await self._engine.plan_all()
            text += " It will be used when that chat is planned."
        elif await self._engine.refresh_topic(session.id):
            text += " The planned chat now uses it."
        elif session.status is not SessionStatus.PLANNED:
            text += (
                " That chat has already started, so it keeps its questions"
                " (`/chathost edit-question` changes ones not posted yet)."
            )
        if saved.warnings:
            text += "\nWarnings:\n" + "\n".join(saved.warnings[:10])
        return text
