"""The Bluesky mirror: the engine's `Mirror` for Bluesky (`MirrorRunner` decides when).

Each mirrored step (the chat's `bluesky.mirror`: welcome, questions, last call, close and the
recap link by default) is posted once as the chat's account, with its hashtag and links made
clickable (`BlueskyClient.post`), and its AT-URI goes into the step's record (`platform_steps`).
After an attempt that may have reached Bluesky (a timeout, a crash, a restart) the account's own
posts since the step was due are read first (`find_own_post`, from its repository: no indexing
delay), so a post made just before is recorded, not made again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta

from bot.bluesky.client import BlueskyClient
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

    def __init__(self, clients: Mapping[str, BlueskyClient]) -> None:
        self._clients = clients

    def kinds(self, chat: ChatSettings) -> Collection[StepKind]:
        if chat.bluesky is None or chat.name not in self._clients:
            return ()
        return {KINDS[m] for m in chat.bluesky.mirror}

    async def post(self, call: MirrorCall) -> str | None:
        chat, session, step = call.step.chat, call.step.session, call.step.step
        client = self._clients.get(chat.name)
        text = for_step(chat, session, step)
        if client is None or text is None:
            return None
        if call.attempts:
            since = min(step.due_at, step.sent_at or step.due_at) - CLOCK_SLACK
            own = await client.find_own_post(text, since=since)
            if own is not None:
                return own.uri
        return (await client.post(text)).uri
