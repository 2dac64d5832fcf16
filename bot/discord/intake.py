"""Chat messages straight from the gateway to the cogs that need them.

discord.py starts a task per listener per event. For MESSAGE_CREATE that meant three tasks per
chat message (commands.Bot's own `on_message`, capture, moderation), which under a burst was
most of the bot's work (docs/benchmarks.md). `LeadershipBot.dispatch` hands every new message to
the hooks registered here instead: synchronously, in gateway order, and a hook only looks at the
message and queues work for its own worker. A hook that raises is logged; the others still run
and the gateway reader never sees the error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord

log = logging.getLogger(__name__)

MessageHook = Callable[[discord.Message], None]


class MessageIntake:
    def __init__(self) -> None:
        self._hooks: list[MessageHook] = []

    def add(self, hook: MessageHook) -> None:
        """Register in `cog_load`, remove in `cog_unload`."""
        self._hooks.append(hook)

    def remove(self, hook: MessageHook) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def __call__(self, message: discord.Message) -> None:
        for hook in tuple(self._hooks):
            try:
                hook(message)
            except Exception:
                log.exception("message hook %s failed on message %s", hook, message.id)
