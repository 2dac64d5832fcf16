"""Pure: the bot's posts on Bluesky, one per mirrored step, each within 300 graphemes.

Outside `bot.bluesky` (which alone loads the atproto SDK) so the demo shows the same words.

Bluesky shows plain text (no markdown, no Discord timestamps), so these are the Discord texts'
words without their formatting; the chat's hashtag is in every post (it is how the chat is
found there and how answers are collected). A text that would not fit is shortened, the
hashtag kept: a question a topic file made too long loses its end (`topics` warns about it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

import regex

from bot.bluesky_text import POST_GRAPHEMES, grapheme_count, post_fits
from bot.config import ChatSettings
from bot.config_bluesky import MirrorStep
from bot.domain.sessions import SessionRow
from bot.domain.steps import StepKind, StepRow
from bot.domain.topics import SessionTopic
from bot.topics import question_post

_MARKDOWN = re.compile(r"(\*\*|__|\*|_|~~|`)")
_STAMP = re.compile(r"<t:(\d+)(?::[a-zA-Z])?>")
_GRAPHEME = regex.compile(r"\X")
ELLIPSIS = "…"

KINDS: Mapping[MirrorStep, StepKind] = {
    "reminders": StepKind.REMINDER,
    "welcome": StepKind.WELCOME,
    "questions": StepKind.QUESTION,
    "last_call": StepKind.LAST_CALL,
    "close": StepKind.CLOSE,
    "recap": StepKind.RECAP,
}
"""The step kind of each `bluesky.mirror` entry."""


def plain(text: str) -> str:
    """Discord markdown out, Discord timestamps as UTC times."""

    def utc(found: re.Match[str]) -> str:
        return datetime.fromtimestamp(int(found.group(1)), UTC).strftime("%H:%M UTC, %d %B")

    return _MARKDOWN.sub("", _STAMP.sub(utc, text))


def fit(text: str, keep: str = "") -> str:
    """`text` then `keep` in one post: `text` shortened (with an ellipsis) when needed."""
    whole = f"{text} {keep}".strip()
    if post_fits(whole):
        return whole
    clusters = _GRAPHEME.findall(text)
    room = POST_GRAPHEMES - grapheme_count(keep) - 2  # the ellipsis and the space
    while room > 0:
        out = f"{''.join(clusters[:room]).rstrip()}{ELLIPSIS} {keep}".strip()
        if post_fits(out):
            return out
        room -= 1
    return keep


def _with_tag(text: str, chat: ChatSettings) -> str:
    """The text with the chat's hashtag at its end when it does not hold it already."""
    if chat.hashtag.lower() in text.lower():
        return fit(text)
    return fit(text, chat.hashtag)


def welcome(chat: ChatSettings, topic: SessionTopic) -> str:
    return _with_tag(
        f"Welcome to {chat.hashtag}! Tonight's topic: {topic.title}. Questions come as Q1, Q2..."
        f" Answer with A1, A2... and {chat.hashtag} (or reply to a question). Introduce"
        " yourself: who you are and where you're joining from!",
        chat,
    )


def question(chat: ChatSettings, topic: SessionTopic, n: int) -> str:
    text = question_post(n, topic.questions[n - 1].text, "").strip()
    return fit(plain(text), chat.hashtag)


def last_call(chat: ChatSettings) -> str:
    return _with_tag(
        f"Last call! A few minutes left in {chat.hashtag}: share your final thoughts and"
        " takeaways.",
        chat,
    )


def close(chat: ChatSettings, topic: SessionTopic) -> str:
    text = (
        plain(topic.closing)
        if topic.closing
        else (
            f"That's a wrap for {chat.hashtag}: thank you all for a great conversation on"
            f" {topic.title}!"
        )
    )
    return _with_tag(f"{text} Late answers still count for a while.", chat)


def reminder(chat: ChatSettings, topic: SessionTopic, start: datetime) -> str:
    at = start.strftime("%H:%M UTC, %A %d %B")
    return _with_tag(f"{chat.hashtag} starts at {at}: {topic.title}. Join us!", chat)


def recap_link(chat: ChatSettings, session: SessionRow, home: StepRow) -> str | None:
    """The recap's address for Bluesky readers: `bluesky.recap_url` with `{chat}` and `{date}`
    filled in, else the recap's Discord message; None when there is neither."""
    section = chat.bluesky
    if section is not None and section.recap_url:
        date = session.chat_date.isoformat()
        return section.recap_url.format(chat=chat.name, date=date, folder=f"{chat.name}-{date}")
    if home.message_id is None:
        return None
    return f"https://discord.com/channels/{chat.guild_id}/{chat.channels.recap}/{home.message_id}"


def recap(chat: ChatSettings, topic: SessionTopic, link: str) -> str:
    return fit(f"The {chat.hashtag} recap of {topic.title}, with every answer:", link)


def for_step(chat: ChatSettings, session: SessionRow, step: StepRow) -> str | None:
    """The Bluesky text of a mirrored step; None when there is nothing to post."""
    kind, topic = StepKind(step.kind), session.topic
    if kind is StepKind.WELCOME:
        return welcome(chat, topic)
    if kind is StepKind.QUESTION and step.question is not None:
        return question(chat, topic, step.question)
    if kind is StepKind.LAST_CALL:
        return last_call(chat)
    if kind is StepKind.CLOSE:
        return close(chat, topic)
    if kind is StepKind.REMINDER:
        return reminder(chat, topic, session.start_at)
    if kind is StepKind.RECAP:
        link = recap_link(chat, session, step)
        return recap(chat, topic, link) if link else None
    return None
