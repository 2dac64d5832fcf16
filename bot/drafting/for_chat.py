"""One chat's settings -> the drafting options: its upcoming dates, hashtag and how many
questions fit its hour. `prompts draft` and `/chathost draft` both draft through here, so a post
gives the same draft from the command line and from Discord."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.drafting._core import draft_topic
from bot.drafting._model import MAX_QUESTIONS, Draft, SourceKind

if TYPE_CHECKING:
    from bot.config import ChatSettings

UPCOMING_CHATS = 60  # dates a post may name: a bit more than a year of weekly chats


def question_room(chat: ChatSettings) -> int:
    """How many evenly spaced questions fit before the chat closes (run of show defaults: 7)."""
    from bot.timeline import question_offsets

    offsets = question_offsets(chat, [None] * MAX_QUESTIONS)
    return max(1, sum(1 for offset in offsets if offset < chat.close_offset))


def draft_for_chat(
    text: str,
    kind: SourceKind | None,
    chat: ChatSettings,
    *,
    now: datetime,
    taken: Collection[date],
    prep_url: str | None = None,
    date_override: date | None = None,
    chat_name: str | None = None,
    source_url: str | None = None,
) -> Draft:
    """Draft a topic for `chat` from a prep post (pure; CPU-bound, so async callers run it in a
    thread)."""
    from bot.timeline import chat_dates

    return draft_topic(
        text,
        kind,
        chat_dates=chat_dates(chat.schedule, now, UPCOMING_CHATS),
        taken_dates=taken,
        hashtag=chat.hashtag,
        prep_url=prep_url,
        date_override=date_override,
        chat_name=chat_name,
        max_questions=question_room(chat),
        source_url=source_url,
    )
