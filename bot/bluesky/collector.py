"""Capture on Bluesky by polling: the chat's hashtag posts and the replies to the bot's questions.

For each chat with a `bluesky:` section, a trigger timer (`bluesky-poll-CHAT`, every
`bluesky.poll_every`, 10 s by default) asks, while a session is being captured (from its welcome
to the end of its late window):

- `searchPosts` with the chat's tag, `since` the last poll (less `OVERLAP`: Bluesky files a
  post under the earlier of its createdAt and the time it was indexed) and `until` the end of
  the late window, page by page (100 posts a page): one request when nothing is new;
- `getPostThread` of each of the bot's question posts there (their AT-URIs are in the steps'
  records), for replies without the hashtag: one request per question posted so far.

So a six-question chat polled every 10 s costs at most 7 requests per poll, 42 a minute, far
below the AppView's limit of 3,000 per 5 minutes. What is found goes to `Capture.handle_many` as
messages from another platform (`MessageCreated.origin`): the engine attributes them with the
same rules and code as Discord's (labels, replies to a question, time; the time is when Bluesky
indexed the post, not the author's clock), and stores them with the author's DID and handle,
the AT-URI and the bsky.app link. Ids come from `platform_ids` (negative: never a snowflake).

Nothing is lost while the bot is down: the first poll after a start asks from the session's
welcome on. A poll that fails (Bluesky down, rate limited) is logged and the next one asks again
from the last good poll. Before the recap (`settle`) a last poll runs, then the stored posts are
looked up (`getPosts`, 25 a request): a deleted one is removed (as a Discord delete is), and
each author's `!no-unauthenticated` self-label is read again (their text stays out of public
files while it is set).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.bluesky.client import BlueskyClient
from bot.bluesky.errors import BlueskyError
from bot.bluesky.posts import PLATFORM, BlueskyPost
from bot.bluesky.recheck import look_again
from bot.bluesky_text import bluesky_tag
from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.messages import PostOrigin
from bot.domain.sessions import SessionRow
from bot.engine.capture import Capture
from bot.engine.session_view import SessionView
from bot.engine.triggers import Trigger
from bot.store import Store
from bot.transport import IncomingEvent, MessageCreated, MessageDeleted

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=2)  # each search reaches back this far before the last poll
EARLY = timedelta(minutes=5)  # posts this long before the welcome are looked at (and attributed)
SETTLE_WITHIN = 20.0  # seconds the recap waits at most for the last poll and the delete check


def poll_job(chat: str) -> str:
    return f"bluesky-poll-{chat}"


class BlueskyCollector:
    """The engine's `OtherSource` for Bluesky: polls, feeds capture, settles before a recap."""

    def __init__(
        self,
        *,
        chats: Sequence[ChatSettings],
        clients: Mapping[str, BlueskyClient],
        capture: Capture,
        store: Store,
        trigger: Trigger,
        clock: Clock,
    ) -> None:
        self._chats = [c for c in chats if c.bluesky is not None and c.name in clients]
        self._clients = clients
        self._capture, self._store = capture, store
        self._trigger, self._clock = trigger, clock
        self._polled: dict[int, datetime] = {}  # session -> `until` of its last good search
        self._locks = {c.name: asyncio.Lock() for c in self._chats}
        self.failures = 0  # polls that failed (logged), for status and tests

    async def start(self) -> None:
        now = self._clock.now()
        for chat in self._chats:
            assert chat.bluesky is not None

            async def poll(chat: ChatSettings = chat) -> None:
                await self.poll(chat)

            self._trigger.every(poll_job(chat.name), chat.bluesky.poll_every, poll, first=now)

    async def stop(self) -> None:
        for chat in self._chats:
            self._trigger.cancel(poll_job(chat.name))

    async def poll(self, chat: ChatSettings) -> int:
        """One poll of the chat's running session; how many posts were new. Never raises."""
        async with self._locks[chat.name]:
            try:
                return await self._poll(chat)
            except BlueskyError as exc:
                self.failures += 1
                log.warning(
                    "Bluesky poll for %s failed (next poll tries again): %s", chat.name, exc
                )
            except Exception:
                self.failures += 1
                log.exception("Bluesky poll for %s raised", chat.name)
            return 0

    async def settle(self, session: SessionRow, chat: ChatSettings) -> None:
        """Before the recap: a last poll, deleted posts removed, public flags read again."""
        if chat not in self._chats:
            return
        try:
            await asyncio.wait_for(self._settle(session, chat), SETTLE_WITHIN)
        except TimeoutError:
            log.warning(
                "Bluesky did not settle for %s in %ss; recap goes on", chat.name, SETTLE_WITHIN
            )
        except Exception:
            log.exception("Bluesky could not settle for %s; recap goes on", chat.name)

    async def _settle(self, session: SessionRow, chat: ChatSettings) -> None:
        await self.poll(chat)
        async with self._locks[chat.name]:
            await self._recheck(session, chat)

    # -- polling -----------------------------------------------------------------------------

    async def _poll(self, chat: ChatSettings) -> int:
        view = await self._capture.view_for(chat)
        if view is None:
            return 0
        session, now = view.session, self._clock.now()
        start, end = view.clock.welcome_at - EARLY, view.clock.late_until
        if now < start:
            return 0
        since = max(start, self._polled.get(session.id, start) - OVERLAP)
        until = min(end, now + OVERLAP)
        found = await self._fetch(chat, view, since, until)
        self._polled[session.id] = min(until, now)
        return await self._store_new(chat, view, found, start, end)

    async def _fetch(
        self, chat: ChatSettings, view: SessionView, since: datetime, until: datetime
    ) -> list[BlueskyPost]:
        assert chat.bluesky is not None
        client = self._clients[chat.name]
        found: dict[str, BlueskyPost] = {}
        tag = bluesky_tag(chat.hashtag)
        if "hashtag" in chat.bluesky.collect and tag is not None and since < until:
            for post in await client.search_tag_all(tag, since=since, until=until):
                found.setdefault(post.uri, post)
        if "replies" in chat.bluesky.collect:
            for uri in sorted(r for r in view.question_refs if r.startswith("at://")):
                thread = await client.thread(uri)
                for post in thread.replies if thread is not None else ():
                    found.setdefault(post.uri, post)
        return [p for p in found.values() if p.author_did != client.did]

    async def _store_new(
        self,
        chat: ChatSettings,
        view: SessionView,
        posts: Sequence[BlueskyPost],
        start: datetime,
        end: datetime,
    ) -> int:
        stored = await self._store.posts_elsewhere.elsewhere(view.session.id, PLATFORM)
        ignored = await self._store.ignored.refs(chat.name, PLATFORM)  # by a host
        new = sorted(
            (
                p
                for p in posts
                if p.uri not in stored
                and p.author_did not in ignored
                and start <= posted_at(p) <= end
            ),
            key=lambda p: (posted_at(p), p.uri),
        )
        if not new:
            return 0
        refs = [p.uri for p in new] + [p.author_did for p in new]
        refs += [p.reply_parent.uri for p in new if p.reply_parent is not None]
        ids = await self._store.platform_ids.ids(PLATFORM, refs)
        events: list[IncomingEvent] = [message(chat, p, ids) for p in new]
        await self._capture.handle_many(events)
        log.info("Bluesky: %d new post(s) for %s", len(events), chat.name)
        return len(events)

    async def _recheck(self, session: SessionRow, chat: ChatSettings) -> None:
        """The stored posts as Bluesky has them now: deleted ones removed, labels read again."""
        stored = await self._store.posts_elsewhere.elsewhere(session.id, PLATFORM)
        live = {ref: mid for ref, (mid, deleted) in stored.items() if not deleted}
        if not live:
            return
        looked = await look_again(self._clients[chat.name], live)
        now = self._clock.now()
        gone: list[IncomingEvent] = [MessageDeleted(mid, now) for mid in looked.gone]
        if gone:
            await self._capture.handle_many(gone)
            log.info("Bluesky: %d post(s) deleted since for %s", len(gone), chat.name)
        await self._store.posts_elsewhere.set_public(looked.hidden, False)
        await self._store.posts_elsewhere.set_public(looked.shown, True)
        await self._store.posts_elsewhere.set_handles(PLATFORM, looked.handles)


def posted_at(post: BlueskyPost) -> datetime:
    """When the post was made, as far as the chat goes: when Bluesky saw it (an author's clock
    can be wrong or backdated), else its createdAt."""
    if post.indexed_at is None:
        return post.created_at
    return min(post.indexed_at, max(post.created_at, post.indexed_at - OVERLAP))


def message(chat: ChatSettings, post: BlueskyPost, ids: Mapping[str, int]) -> MessageCreated:
    parent = post.reply_parent.uri if post.reply_parent is not None else None
    return MessageCreated(
        message_id=ids[post.uri],
        channel_id=0,
        author_id=ids[post.author_did],
        author_name=post.author_handle,
        content=post.text,
        created_at=posted_at(post),
        reply_to=ids.get(parent) if parent is not None else None,
        jump_url=post.url,
        origin=PostOrigin(PLATFORM, post.uri, post.author_did, post.author_handle, post.public),
        chat=chat.name,
        reply_ref=parent,
    )
