"""Pure: the text of every post the bot makes during a session (no discord, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.config import ChatSettings
from bot.domain.topics import SessionTopic
from bot.topics import MESSAGE_LIMIT, question_post


def stamp(at: datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own time zone."""
    return f"<t:{int(at.timestamp())}:{style}>"


def escape_name(name: str) -> str:
    """A display name safe to put in a post: no markdown, no pings."""
    out = name.replace("\\", "\\\\")
    for ch in "*_~`|>":
        out = out.replace(ch, "\\" + ch)
    return out.replace("@", "@\u200b")


def reminder(
    chat: ChatSettings, topic: SessionTopic, start: datetime, *, notify: bool, before: str
) -> str:
    lines = []
    if notify and chat.notify_role_id:
        lines.append(f"<@&{chat.notify_role_id}>")
    lines.append(f"**{chat.hashtag} starts {stamp(start, 'R')}** ({stamp(start, 'F')})")
    lines.append(f"Topic: **{topic.title}**")
    if topic.hosts:
        lines.append("Hosted by " + ", ".join(escape_name(h) for h in topic.hosts))
    if topic.prep_post:
        lines.append(f"Prep post: <{topic.prep_post}>")
    lines.append(f"Questions are posted in <#{chat.channels.chat}>; answer with A1:, A2: ...")
    del before
    return "\n".join(lines)


def welcome(chat: ChatSettings, topic: SessionTopic) -> str:
    if topic.welcome:
        return topic.welcome
    return (
        f"Welcome to {chat.hashtag}! Tonight's topic: **{topic.title}**.\n"
        f"How it works: questions come as **Q1:**, **Q2:** ... Answer with **A1:**, **A2:** "
        f"(or reply to the question) so your answer lands under the right question in the recap. "
        f"Reply to each other freely.\n"
        f"Please introduce yourself: who you are, where you're joining from!"
    )


def question(chat: ChatSettings, topic: SessionTopic, n: int) -> str:
    return question_post(n, topic.questions[n - 1].text, chat.hashtag)


def heads_up(chat: ChatSettings, topic: SessionTopic, n: int, due: datetime) -> str:
    """The question quoted for the hosts (shortened when the quote would not fit)."""
    head = f"Heads-up: Q{n} goes out {stamp(due, 'R')}:\n> "
    tail = f"\nUse `/chathost skip` or `/chathost edit-question {n}` to change it."
    text = topic.questions[n - 1].text.replace("\n", "\n> ")
    room = MESSAGE_LIMIT - len(head) - len(tail)
    return head + (text if len(text) <= room else text[: room - 1] + "…") + tail


def last_call(chat: ChatSettings) -> str:
    return (
        f"Last call! A few minutes left in {chat.hashtag}: share your final thoughts and takeaways."
    )


def close(
    chat: ChatSettings, topic: SessionTopic, next_title: str | None, next_start: datetime | None
) -> str:
    if topic.closing:
        text = topic.closing
    else:
        text = f"That's a wrap for {chat.hashtag}: thank you all for a great conversation on **{topic.title}**!"
        if topic.hosts:
            text += " Thanks to our hosts " + ", ".join(escape_name(h) for h in topic.hosts) + "."
    text += "\nLate answers still count for a while: they'll be marked *late* in the recap."
    if next_start is not None:
        title = f"**{next_title}**" if next_title else "topic to be announced"
        text += f"\nNext week {stamp(next_start, 'F')}: {title}."
    return text


def _welcome(chat: ChatSettings, who: Sequence[str]) -> str:
    if not who:
        return f"A warm welcome to everyone joining {chat.hashtag} for the first time!"
    listed = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
    return f"A warm welcome to {listed}, joining {chat.hashtag} for the first time!"


def newcomers(chat: ChatSettings, names: Sequence[str], limit: int = MESSAGE_LIMIT) -> str:
    """Everyone by name when they fit in one message; else as many as fit and "N more" (a
    launch night can bring a hundred first-timers within a few seconds)."""
    shown = [f"**{escape_name(n)}**" for n in names]
    for count in range(len(shown), 0, -1):
        more = len(shown) - count
        text = _welcome(chat, shown[:count] + ([f"{more} more"] if more else []))
        if len(text) <= limit:
            return text
    return f"A warm welcome to {len(shown)} members joining {chat.hashtag} for the first time!"


_BOLD_NAME = re.compile(r"\*\*((?:\\.|[^*\\])+)\*\*")
_MORE = re.compile(r"(?:, | and )(\d+) more, joining ")


def newcomers_without(chat: ChatSettings, text: str, keep: Iterable[str]) -> str | None:
    """A posted newcomer welcome with every name that is not in `keep` taken out (a member who
    was forgotten); None when it names nobody else, so it needs no edit."""
    kept = {escape_name(n) for n in keep}
    shown = _BOLD_NAME.findall(text)
    if all(name in kept for name in shown):
        return None
    more = _MORE.search(text)
    who = [f"**{name}**" for name in shown if name in kept]
    if not who and more:
        return f"A warm welcome to {more[1]} members joining {chat.hashtag} for the first time!"
    return _welcome(chat, who + ([f"{more[1]} more"] if more else []))


def no_topic(chat: ChatSettings, start: datetime) -> str:
    return (
        f"No topic file for the {chat.hashtag} chat on {stamp(start, 'F')} yet. "
        f"Add one with `/chathost topic new` or a YAML file in the prompts folder; "
        f"otherwise it runs as an open discussion."
    )


def cancelled(chat: ChatSettings, start: datetime) -> str:
    return f"This week's {chat.hashtag} ({stamp(start, 'F')}) is cancelled. See you next week!"


OPEN_DISCUSSION = (
    "What is one leadership lesson your week taught you?",
    "What challenge are you working through right now, and who could help?",
    "What is one small thing you will try differently this week?",
)
