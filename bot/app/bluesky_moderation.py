"""Hosts' moderation of a chat's Bluesky side: anyone can post with the chat's hashtag, so a
host can hide one post from the recap (by its bsky.app link or AT-URI) or ignore an account
(its posts in the running or latest session hidden, none collected until it is taken back).
Each is one transaction with its moderation-log row, and a mod-log line, as "Hide from recap" is
on Discord; a session whose recap is out already has its published copies redone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.app.moderation import ModerationLog, Where, Who, log_line
from bot.atproto_syntax import (
    POST_COLLECTION,
    is_did,
    is_handle,
    normalize_handle,
    parse_at_uri,
)
from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import HELD, SessionRow, SessionStatus
from bot.engine.render import escape_name
from bot.store import Store
from bot.store.posts_elsewhere import Account

PLATFORM = "bluesky"
_APP_LINK = re.compile(
    r"^(?:https?://)?(?:www\.)?bsky\.app/profile/(?P<actor>[^/?#\s]+)"
    r"(?:/post/(?P<rkey>[^/?#\s]+))?/?(?:[?#]\S*)?$"
)
POST_FORMS = "a bsky.app link (https://bsky.app/profile/HANDLE/post/ID) or an AT-URI (at://…)"


@dataclass(frozen=True)
class PostLink:
    """A post as a host names it: its author (DID or handle) and record key."""

    author: str
    rkey: str


def parse_post_link(text: str) -> PostLink | None:
    """A bsky.app post address or a post's AT-URI; None for anything else."""
    text = text.strip().strip("<>")
    match = _APP_LINK.match(text)
    if match is not None and match.group("rkey") is not None:
        uri = parse_at_uri(f"at://{match['actor']}/{POST_COLLECTION}/{match['rkey']}")
    else:
        uri = parse_at_uri(text)
    if uri is None or uri.collection != POST_COLLECTION or uri.rkey is None:
        return None
    return PostLink(uri.authority, uri.rkey)


def parse_account(text: str) -> str | None:
    """A DID, a handle (`@` or not) or a bsky.app profile address, as a DID or normal handle."""
    text = text.strip().strip("<>")
    match = _APP_LINK.match(text)
    if match is not None:
        text = match["actor"]
    if is_did(text):
        return text
    handle = normalize_handle(text)
    return handle if is_handle(handle) else None


def _name(account: Account) -> str:
    return escape_name(f"@{account.handle}" if account.handle != account.ref else account.ref)


class BlueskyModeration:
    def __init__(
        self,
        store: Store,
        mod_log: ModerationLog,
        clock: Clock,
        redo_copies: Callable[[], object] = lambda: None,
    ) -> None:
        self._store, self._mod_log, self._clock = store, mod_log, clock
        self._redo_copies = redo_copies  # the bot's republisher, run in the background

    async def hide_post(self, chat: ChatSettings, link: str, by: str) -> str:
        """Hide one stored Bluesky post of this chat from its recap; the host's answer."""
        post = parse_post_link(link)
        if post is None:
            return f"That is not a Bluesky post: give {POST_FORMS}."
        found = await self._store.posts_elsewhere.find(
            PLATFORM, post.author, POST_COLLECTION, post.rkey
        )
        row = await self._store.messages.get(found) if found is not None else None
        session = await self._session_of(row.session_id if row is not None else None)
        if row is None or session is None or session.chat != chat.name:
            return (
                f"That Bluesky post is not part of a {escape_name(chat.hashtag)} chat I "
                "recorded (I collect posts with the hashtag and replies to the chat's "
                "questions, during the chat)."
            )
        if row.hidden:
            return "That Bluesky post is already hidden from the recap."
        if row.deleted_at is not None:
            return "That Bluesky post was deleted, so it is not in the recap."
        handle = row.origin.author_handle if row.origin is not None else row.author_name
        who = Who(row.author_id, f"@{handle}", row.origin.author_ref if row.origin else None)
        recapped = session.status is SessionStatus.RECAPPED
        await self._mod_log.hide(
            chat,
            session.id,
            who,
            Where(row.id, row.jump_url, row.content or ""),
            by,
            redo=session.id if recapped else None,
        )
        if recapped:
            self._redo_copies()
        return (
            f"Hidden: this post by {escape_name(who.display_name)} will not appear in the recap."
            + (" The published recap is being redone without it." if recapped else "")
        )

    async def ignore_account(self, chat: ChatSettings, text: str, by: str) -> str:
        """Ignore a Bluesky account for this chat: its posts in the running or latest session
        hidden, no more collected; the host's answer."""
        account = await self._account(text)
        if isinstance(account, str):
            return account
        name = _name(account)
        if account.ref in await self._store.ignored.refs(chat.name, PLATFORM):
            return f"{name} is already ignored for {escape_name(chat.hashtag)}."
        latest = await self._latest(chat)
        sessions = [latest.id] if latest is not None else []
        async with self._store.transaction() as tx:
            hidden = await tx.posts_elsewhere.hide_by_author(PLATFORM, account.ref, sessions)
            await tx.ignored.add(
                chat.name, PLATFORM, account.ref, account.handle, hidden, self._clock.now(), by
            )
            reason = f"ignored for {chat.hashtag} by {by}; {len(hidden)} post(s) hidden"
            await self._record(tx, account, "ignore-account", reason, latest)
            redo = hidden and latest is not None and latest.status is SessionStatus.RECAPPED
            if redo:
                await tx.privacy.queue_redo(sessions, "hide")
        await self._tell(chat, account, "ignore-account", reason)
        if redo:
            self._redo_copies()
        done = f"Ignored: posts by {name} are no longer collected for {escape_name(chat.hashtag)}"
        if hidden:
            done += f", and its {len(hidden)} post(s) in the latest chat are hidden from the recap"
            done += " (the published recap is being redone)" if redo else ""
        return done + ". `/chathost unignore-account` takes it back."

    async def unignore_account(self, chat: ChatSettings, text: str, by: str) -> str:
        """Take an ignored account back: collected again, the posts its ignoring hid shown."""
        account = await self._account(text)
        if isinstance(account, str):
            return account
        name = _name(account)
        async with self._store.transaction() as tx:
            hidden = await tx.ignored.remove(chat.name, PLATFORM, account.ref)
            if hidden is None:
                return f"{name} is not ignored for {escape_name(chat.hashtag)}."
            shown_in = await tx.posts_elsewhere.show(hidden)
            recapped = [
                s.id
                for s in [await tx.sessions.get(i) for i in shown_in]
                if s is not None and s.status is SessionStatus.RECAPPED
            ]
            redo = await tx.privacy.queue_redo(recapped, "hide")
            reason = f"collected again for {chat.hashtag} (taken back by {by})"
            await self._record(tx, account, "unignore-account", reason, None)
        await self._tell(chat, account, "unignore-account", reason)
        if redo:
            self._redo_copies()
        shown = "; the posts hidden when it was ignored are back in the recap" if hidden else ""
        return f"{name} is collected again for {escape_name(chat.hashtag)}{shown}."

    async def _account(self, text: str) -> Account | str:
        """The account a host named, or the answer saying why it is not one."""
        wanted = parse_account(text)
        if wanted is None:
            return "That is not a Bluesky account: give a handle (name.bsky.social) or a DID."
        found = await self._store.posts_elsewhere.account(PLATFORM, wanted)
        if found is not None:
            return found
        if not is_did(wanted):
            return (
                f"I have no post from @{escape_name(wanted)} stored, so I can't tell which "
                "account that is: give its DID (did:plc:…) instead."
            )
        ids = await self._store.platform_ids.ids(PLATFORM, [wanted])
        return Account(wanted, wanted, ids[wanted])

    async def _session_of(self, session_id: int | None) -> SessionRow | None:
        return await self._store.sessions.get(session_id) if session_id is not None else None

    async def _latest(self, chat: ChatSettings) -> SessionRow | None:
        """The session running, else the last one held (a session started early by a host
        can start before its planned time, so the status says it, not the time)."""
        recent = await self._store.sessions.recent(chat.name, 10)
        return next((s for s in recent if s.status in HELD), None)

    async def _record(
        self, tx: Store, account: Account, action: str, reason: str, session: SessionRow | None
    ) -> None:
        await tx.moderation.record(
            user_id=account.member_id,
            action=action,
            reason=reason,
            at=self._clock.now(),
            session_id=session.id if session is not None else None,
        )

    async def _tell(self, chat: ChatSettings, account: Account, action: str, reason: str) -> None:
        who = Who(account.member_id, f"@{account.handle}", account.ref)
        await self._mod_log.tell(chat, log_line(who, None, action, reason))
