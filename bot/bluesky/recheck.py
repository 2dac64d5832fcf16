"""A member's Bluesky posts stay in the published copies only while they are public: after the
recap, the stored posts of a chat's recent sessions are looked up again.

Before a recap the collector checks the posts once (`BlueskyCollector.settle`). A member who
deletes a post, or turns on *logged-out visibility: off* (`!no-unauthenticated`), after that
would otherwise stay in the recap files and the public site for good. So a timer of the trigger
(`bluesky-recheck`) runs a minute after start-up (for days the bot was down) and then once a
day: for each chat with a `bluesky:` section, the sessions recapped in the last
`bluesky.recheck_days` (30 by default), newest first, are read back with `getPosts` (25 posts a
request; the author's labels come with each post). A post missing twice in a row (a second
`getPosts` of the missing ones, so one odd answer never erases anything) is tombstoned as a
delete is; each post's public flag is set from its author's labels now, and its author's
handle as it is now (a handle can change, and an old one pass to someone else: `forget` by the
new handle then finds them, and the recap does not name a stranger). A session where
anything changed gets its published copies queued for redoing (`redo_work`, reason `bluesky`,
in the same transaction as the change), which the running bot's republisher picks up within a
minute (files, archive sites, the recap's Discord posts).

Cost: one request per 25 stored posts, plus one per 25 missing ones; at most `MAX_POSTS` posts
(200 requests) per chat and run, newest sessions first (posts past that bound are not looked
at, and a warning says how many).
A weekly chat with 200 Bluesky answers costs about 40 requests a day. Bluesky down or rate
limited: the run stops for that chat, is logged, and the next run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.bluesky.client import BlueskyClient
from bot.bluesky.errors import BlueskyError
from bot.bluesky.posts import PLATFORM
from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.engine.triggers import Trigger
from bot.store import Store

log = logging.getLogger(__name__)

JOB = "bluesky-recheck"
RECHECK_EVERY = timedelta(days=1)
AFTER_START = timedelta(minutes=1)  # the start-up run: not in the middle of starting
MAX_POSTS = 5_000  # per chat and run: 200 getPosts requests
REDO_REASON = "bluesky"


@dataclass(frozen=True)
class Looked:
    """Stored posts as Bluesky has them now, by message id."""

    gone: tuple[int, ...] = ()
    hidden: tuple[int, ...] = ()  # their author has !no-unauthenticated now
    shown: tuple[int, ...] = ()
    handles: Mapping[str, str] = field(default_factory=dict)  # author DID -> handle now


async def look_again(client: BlueskyClient, live: Mapping[str, int]) -> Looked:
    """Look up the posts `live` names (AT-URI -> message id). A post missing from the answer
    is asked for once more before it counts as gone."""
    found = {p.uri: p for p in await client.posts(sorted(live))}
    missing = sorted(ref for ref in live if ref not in found)
    if missing:
        found.update((p.uri, p) for p in await client.posts(missing))
    return Looked(
        gone=tuple(mid for ref, mid in live.items() if ref not in found),
        hidden=tuple(live[u] for u, p in found.items() if u in live and not p.public),
        shown=tuple(live[u] for u, p in found.items() if u in live and p.public),
        handles={p.author_did: p.author_handle for u, p in found.items() if u in live},
    )


class BlueskyRecheck:
    """The daily look at recapped sessions' Bluesky posts (see the module's docstring)."""

    def __init__(
        self,
        *,
        chats: Sequence[ChatSettings],
        clients: Mapping[str, BlueskyClient],
        store: Store,
        trigger: Trigger,
        clock: Clock,
    ) -> None:
        self._chats = [c for c in chats if c.bluesky is not None and c.name in clients]
        self._clients, self._store = clients, store
        self._trigger, self._clock = trigger, clock

    def start(self) -> None:
        if self._chats:
            first = self._clock.now() + AFTER_START
            self._trigger.every(JOB, RECHECK_EVERY, self._run_quietly, first=first)

    def stop(self) -> None:
        self._trigger.cancel(JOB)

    async def _run_quietly(self) -> None:
        await self.run()

    async def run(self) -> list[int]:
        """One run over every chat; the sessions queued for redoing. Never raises."""
        queued: list[int] = []
        for chat in self._chats:
            try:
                queued += await self.recheck_chat(chat)
            except BlueskyError as exc:
                log.warning(
                    "Bluesky recheck for %s stopped (the next run tries again): %s", chat.name, exc
                )
            except Exception:
                log.exception("Bluesky recheck for %s raised", chat.name)
        return queued

    async def recheck_chat(self, chat: ChatSettings) -> list[int]:
        """The chat's recapped sessions of the last `recheck_days`, newest first."""
        assert chat.bluesky is not None
        if chat.bluesky.recheck_days == 0:
            return []
        since = self._clock.now() - timedelta(days=chat.bluesky.recheck_days)
        sessions = await self._store.sessions.started_since(chat.name, since)
        budget, queued = MAX_POSTS, []
        for session in sessions:
            if session.status is not SessionStatus.RECAPPED:
                continue  # before its recap the collector checks them (settle)
            stored = await self._store.posts_elsewhere.elsewhere(session.id, PLATFORM)
            live = {ref: mid for ref, (mid, deleted) in sorted(stored.items()) if not deleted}
            if len(live) > budget:
                skipped = len(live) - budget
                log.warning("Bluesky recheck for %s: %d post(s) over the bound", chat.name, skipped)
                live = dict(list(live.items())[:budget])
            budget -= len(live)
            if not live:
                continue
            if await self._apply(session, await look_again(self._clients[chat.name], live)):
                queued.append(session.id)
            if budget == 0:
                break
        return queued

    async def _apply(self, session: SessionRow, looked: Looked) -> bool:
        """Store what changed and queue the session's copies, all or nothing; whether anything
        changed."""
        async with self._store.transaction() as tx:
            now = self._clock.now()
            for mid in looked.gone:
                await tx.messages.delete(mid, now)
            await tx.members.recount(looked.gone)
            changed = len(looked.gone)
            changed += await tx.posts_elsewhere.set_public(looked.hidden, False)
            changed += await tx.posts_elsewhere.set_public(looked.shown, True)
            changed += await tx.posts_elsewhere.set_handles(PLATFORM, looked.handles)
            if changed:
                await tx.privacy.queue_redo([session.id], REDO_REASON)
        if changed:
            log.info(
                "Bluesky recheck: session %d changed (%d post(s) gone); its copies are redone",
                session.id,
                len(looked.gone),
            )
        return bool(changed)
