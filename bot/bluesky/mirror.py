"""The Bluesky mirror: the engine's `Mirror` for Bluesky (`MirrorRunner` decides when).

Each mirrored step (the chat's `bluesky.mirror`: welcome, questions, last call, close and the
recap link by default) is posted once as the chat's account, with its hashtag and links made
clickable (`BlueskyClient.post`), and its AT-URI goes into the step's record (`platform_steps`).
After an attempt that may have reached Bluesky (a timeout, a crash, a restart) the account's own
posts since the step was due are read first (`find_own_post`, from its repository: no indexing
delay), so a post made just before is recorded, not made again. A chat whose account cannot
be used (no app password) still has its steps recorded here: each post fails with the reason,
and is made once a restart brings the password (`MirrorRunner.back`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta

from bot.bluesky.client import BlueskyClient
from bot.bluesky.errors import BlueskyLoginError
from bot.bluesky.posts import PLATFORM
from bot.bluesky_wording import KINDS, for_step
from bot.config import ChatSettings
from bot.domain.steps import StepKind
from bot.engine.mirrors import MirrorCall

CLOCK_SLACK = timedelta(minutes=2)  # our clock against the time the post record carries


class BlueskyMirror:
    """Posts the mirrored steps of every chat with a `bluesky:` section, each chat with its own
    account (`clients`, by chat name)."""

    name = PLATFORM

    def __init__(
        self, clients: Mapping[str, BlueskyClient], problems: Mapping[str, str] | None = None
    ) -> None:
        """`problems`: why a chat has no client (by chat name)."""
        self._clients = clients
        self._problems = problems or {}

    def kinds(self, chat: ChatSettings) -> Collection[StepKind]:
        if chat.bluesky is None:
            return ()
        return {KINDS[m] for m in chat.bluesky.mirror}

    async def post(self, call: MirrorCall) -> str | None:
        chat, session, step = call.step.chat, call.step.session, call.step.step
        text = for_step(chat, session, step)
        if text is None:
            return None
        client = self._clients.get(chat.name)
        if client is None:
            raise BlueskyLoginError(self._problems.get(chat.name, "no Bluesky account"))
        if call.attempts:
            since = min(step.due_at, step.sent_at or step.due_at) - CLOCK_SLACK
            own = await client.find_own_post(text, since=since)
            if own is not None:
                return own.uri
        return (await client.post(text)).uri
