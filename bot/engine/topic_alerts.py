"""Topic files the planner had to skip, told to the hosts once each.

A broken file never stops planning: `load_catalog` leaves it out and lists its problems. Hosts
may not read logs, so the first time a problem shows up it goes to the chat's host channel
(a file whose chat is unknown concerns every chat). A problem that goes away and comes back is
told again.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import ChatSettings
from bot.topics import MESSAGE_LIMIT, Problem, TopicCatalog

_HEAD = (
    "These topic files have problems, so I leave them out until they are fixed"
    " (`leadershipchat prompts validate` or `/chathost topic show` lists them):"
)


class TopicAlerts:
    def __init__(self) -> None:
        self._known: set[Problem] = set()

    def news(
        self, catalog: TopicCatalog, chats: Sequence[ChatSettings]
    ) -> list[tuple[ChatSettings, str]]:
        """One message per chat with problems not told before (and remember them)."""
        current = set(catalog.errors)
        new = [p for p in catalog.errors if p not in self._known]
        self._known = current
        out = []
        for chat in chats:
            mine = [p for p in new if p.chat in (None, chat.name)]
            if mine:
                out.append((chat, message(mine)))
        return out


def message(problems: Sequence[Problem]) -> str:
    """The problems as one Discord message (file name and line, never the server's path)."""
    text = _HEAD
    for shown, p in enumerate(problems):
        line = f"\n• `{p.path.name}` line {p.line}: {p.message}"
        more = f"\n… and {len(problems) - shown} more"
        if len(text) + len(line) + len(more) > MESSAGE_LIMIT:
            return text + more
        text += line
    return text
