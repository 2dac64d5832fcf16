"""Redoing a session's published copies from the database after a forget, an opt-out or the
retention purge, so words the database no longer holds leave the copies too.

Two stages, each marked per `redo_work` row with what it did (a crash resumes the stage):

- **files** (`rewrite_files`; anywhere, the CLI included): the bot's recap folder of the session
  (`sessions.recap_dir`), every folder `leadershipchat recap --out` wrote for it, and every
  archive site `leadershipchat site` wrote that has a page for it (that page, index.html and
  feed.xml). A folder that no longer exists is not created again. The paths come from the
  database, which may be damaged or from elsewhere, so a folder is rewritten only when it is
  this code's: the configured recap folder of the session, or a folder whose marker names the
  session (`files.is_recap_folder_of`, which also knows folders from before markers; a site also needs its own marker). Anything else is reported
  and skipped.
- **posts** (`edit_posts`; only the bot, which can reach Discord): every recorded message of the
  session's recap is edited to the rebuilt recap (text, embeds, the attached transcript and
  chart), parts it no longer has are emptied, and newcomer welcomes lose the names of members
  no longer stored. A post deleted meanwhile is noted; a retryable failure leaves the stage for
  the next run.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import ChatSettings, Settings
from bot.domain.sessions import SessionRow
from bot.domain.steps import StepKind, StepStatus
from bot.engine import render
from bot.recap.build import build_recap
from bot.recap.files import ALL, is_recap_folder_of, parse_formats, write_recap_files
from bot.recap.inputs import load_recap_input
from bot.recap.model import Recap
from bot.recap.posts import RecapPost, discord_posts
from bot.recap.site import is_site, load_site_recaps, write_site
from bot.store import Store
from bot.store.redo import RecapOutput, RedoRow
from bot.transport import ChatTransport, OutgoingFile, TransportError
from bot.unsafe_text import escaped

log = logging.getLogger(__name__)

WITHDRAWN = "*(this part of the recap was withdrawn)*"


@dataclass(frozen=True)
class Redone:
    """What one stage did for one session, as recorded in `redo_work`."""

    session_id: int
    stage: str  # files | posts
    note: str


SessionLock = Callable[[int], AbstractAsyncContextManager[object]]


def _unlocked(session_id: int) -> AbstractAsyncContextManager[object]:
    return nullcontext()


def _by_session(rows: Sequence[RedoRow]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for row in rows:
        grouped.setdefault(row.session_id, []).append(row.id)
    return grouped


async def _recap(store: Store, session: SessionRow, settings: Settings) -> Recap:
    chat = next((c for c in settings.chats if c.name == session.chat), None)
    return build_recap(await load_recap_input(store.recap_source, session.id, chat))


# -- files ------------------------------------------------------------------------------------


def _folders(
    session: SessionRow, outputs: Sequence[RecapOutput], own: Path
) -> dict[Path, frozenset[str]]:
    """The recap folders of a session: the bot's own (where the config puts it, and where the
    database says it went) and those `recap --out` wrote."""
    found: dict[Path, frozenset[str]] = {}
    if own.is_dir():
        found[own] = ALL
    if session.recap_dir:
        found[Path(os.path.abspath(session.recap_dir))] = ALL
    for out in outputs:
        if out.kind == "recap" and out.session_id == session.id:
            found.setdefault(out.path, parse_formats(out.formats) if out.formats else ALL)
    return found


def _not_ours(folder: Path, recap: Recap, own: Path) -> str | None:
    """Why `folder` must not be rewritten for the session, or None when it may: it is the
    configured recap folder of the session (`own`), or this code wrote it for the session."""
    try:
        if not folder.is_dir():
            return "no longer there"
        if folder == own or is_recap_folder_of(folder, recap):
            return None
    except OSError as exc:
        return f"cannot be used ({exc.strerror or exc}): skipped"
    shown = escaped(str(folder))
    log.warning("not rewriting %s: not a recap folder of session %d", shown, recap.session_id)
    return f"skipped: not a recap folder leadershipchat wrote for session {recap.session_id}"


def _site_has(site: Path, folder: Path, recap: Recap) -> bool:
    try:
        return is_site(site) and folder.is_dir() and is_recap_folder_of(folder, recap)
    except OSError:
        return False


async def _rewrite_session(
    store: Store,
    settings: Settings,
    session: SessionRow,
    outputs: Sequence[RecapOutput],
    sites: dict[RecapOutput, set[str]],
) -> list[str]:
    """Rewrite one session's recap folders; note which archive sites list it (done after)."""
    recap = await _recap(store, session, settings)
    own = settings.recap_dir.absolute() / recap.slug
    said = []
    folders = await asyncio.to_thread(_folders, session, outputs, own)
    for folder, formats in folders.items():
        if (why := await asyncio.to_thread(_not_ours, folder, recap, own)) is not None:
            said.append(f"{escaped(str(folder))}: {why}")
            continue
        written = await asyncio.to_thread(write_recap_files, recap, folder, formats)
        said.append(f"{escaped(str(folder))}: {len(written)} file(s) rewritten")
    listing = [o for o in outputs if o.kind == "site" and o.chat in (None, session.chat)]
    for site in listing:
        if await asyncio.to_thread(_site_has, site.path, site.path / recap.slug, recap):
            sites.setdefault(site, set()).add(recap.slug)
            said.append(f"archive site {escaped(str(site.path))}: page, index and feed rewritten")
    return said


async def rewrite_files(
    store: Store, settings: Settings, now: datetime, lock: SessionLock = _unlocked
) -> list[Redone]:
    """Rewrite every file copy of the sessions queued for it; returns what was done. `lock`:
    the running bot's per-session lock, so a recap being published is not rewritten mid-way."""
    grouped = _by_session(await store.redo.pending_files())
    if not grouped:
        return []
    outputs = await store.redo.outputs()
    notes: dict[int, list[str]] = {}
    sites: dict[RecapOutput, set[str]] = {}
    for session_id in grouped:
        async with lock(session_id):
            session = await store.sessions.get(session_id)
            notes[session_id] = (
                await _rewrite_session(store, settings, session, outputs, sites)
                if session is not None
                else ["session no longer stored"]
            )
    for site, slugs in sites.items():
        listed = [
            (recap, at)
            for recap, at in await load_site_recaps(store.recap_source, settings, site.chat)
            if (site.path / recap.slug).is_dir()
        ]
        title = site.title or "Chat archive"
        await asyncio.to_thread(
            write_site, listed, site.path, title, base_url=site.base_url, only=slugs
        )
    done = []
    for session_id, ids in grouped.items():
        note = "; ".join(notes[session_id]) or "no recap files written yet"
        await store.redo.files_done(ids, note, now)
        done.append(Redone(session_id, "files", note))
    return done


# -- Discord posts ----------------------------------------------------------------------------


def _embed_text(embeds: Sequence[Mapping[str, Any]]) -> list[tuple[object, ...]]:
    """What a reader sees of embeds (Discord adds defaults of its own to what it stores)."""
    return [
        (
            e.get("title"),
            e.get("description"),
            tuple((f.get("name"), f.get("value")) for f in e.get("fields") or ()),
            (e.get("footer") or {}).get("text"),
        )
        for e in embeds
    ]


async def _edit_recap(
    store: Store, transport: ChatTransport, session: SessionRow, settings: Settings
) -> str | None:
    parts = await store.steps.posts(session.id, StepKind.RECAP.value)
    if not parts:
        return None
    recap = await _recap(store, session, settings)
    posts: list[RecapPost] = await asyncio.to_thread(discord_posts, recap)
    edited = unchanged = gone = 0
    for part in parts:
        new = posts[part.part] if part.part < len(posts) else RecapPost(content=WITHDRAWN)
        now = await transport.fetch_post(part.channel_id, part.message_id)
        if now is None:
            gone += 1
            continue
        same = now.content == new.content and _embed_text(now.embeds) == _embed_text(new.embeds)
        if same and not new.files:
            unchanged += 1
            continue
        try:
            await transport.edit(
                part.channel_id,
                part.message_id,
                new.content,
                embeds=new.embeds,
                files=[OutgoingFile(name, data) for name, data in new.files],
            )
        except TransportError as exc:
            if exc.retryable:
                raise
            log.warning("could not edit part %d of a recap: %s", part.part, exc)
            gone += 1
            continue
        edited += 1
    note = f"{edited} recap post(s) edited"
    if unchanged:
        note += f", {unchanged} unchanged"
    if gone:
        note += f", {gone} no longer editable (deleted?)"
    return note


async def _edit_welcomes(
    store: Store, transport: ChatTransport, session: SessionRow, chat: ChatSettings
) -> str | None:
    welcomes = [
        s
        for s in await store.steps.for_session(session.id)
        if s.kind == StepKind.NEWCOMERS.value
        and s.status is StepStatus.SENT
        and s.message_id is not None
        and s.channel_id is not None
    ]
    if not welcomes:
        return None
    keep = await store.members.welcomed_names(session.id)
    edited = 0
    for step in welcomes:
        assert step.channel_id is not None and step.message_id is not None
        posted = await transport.fetch_post(step.channel_id, step.message_id)
        text = render.newcomers_without(chat, posted.content, keep) if posted else None
        if text is not None:
            await transport.edit(step.channel_id, step.message_id, text)
            edited += 1
    return f"{edited} newcomer welcome(s) edited" if edited else None


async def _edit_session(
    store: Store, settings: Settings, transport: ChatTransport, session_id: int
) -> str | None:
    """Edit one session's posts; the note for `redo_work`, or None to try again later."""
    session = await store.sessions.get(session_id)
    chat = next((c for c in settings.chats if session and c.name == session.chat), None)
    if session is None or chat is None:
        return "session or chat no longer configured: posts not edited"
    try:
        said = [
            await _edit_recap(store, transport, session, settings),
            await _edit_welcomes(store, transport, session, chat),
        ]
    except TransportError as exc:
        if exc.retryable:
            log.warning("editing the posts of session %d failed, will retry: %s", session_id, exc)
            return None
        said = [f"could not edit: {exc}"]
    return "; ".join(s for s in said if s) or "no posts to edit"


async def edit_posts(
    store: Store,
    settings: Settings,
    transport: ChatTransport,
    now: datetime,
    lock: SessionLock = _unlocked,
) -> list[Redone]:
    """Edit the bot's Discord posts of the sessions queued for it; returns what was done. A
    retryable failure leaves that session for the next run."""
    done = []
    for session_id, ids in _by_session(await store.redo.pending_posts()).items():
        async with lock(session_id):
            note = await _edit_session(store, settings, transport, session_id)
        if note is not None:
            await store.redo.posts_done(ids, note, now)
            done.append(Redone(session_id, "posts", note))
    return done
