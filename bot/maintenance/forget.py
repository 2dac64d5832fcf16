"""Erasure of one member on request (`leadershipchat forget`, `/chat forgetme`), and finishing
what forgetting, opting out and the retention purge leave to do (`finish_pending`).

Everything the database holds about the member goes in one transaction: their messages, their
reactions, their stats, their settings (opt-out, reminders) and moderation entries, and their id
and mentions are scrubbed from any text. The request is recorded first, so a kill mid-way is
finished at the next start. The same transaction queues the sessions they were in, whose
published copies are then rebuilt from the database (`bot.maintenance.republish`): recap files
and archive pages at once, the bot's Discord posts by the running bot (a CLI run leaves those to
it: it does them at start-up and checks every minute).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import Clock
from bot.config import Settings
from bot.maintenance.redo_lock import redo_lock
from bot.maintenance.republish import Redone, SessionLock, edit_posts, rewrite_files
from bot.store import Store
from bot.transport import ChatTransport

log = logging.getLogger(__name__)

NOT_REMOVED = (
    "Not removed by the bot: backups made before now (until they are rotated out), copies "
    "people made themselves (screenshots, downloaded transcripts, archive sites or feeds "
    "already uploaded elsewhere or read by feed readers), the member's own messages on Discord "
    "(they can delete them), other members' words that name them in plain text, and lines "
    "about them in the moderation-log channel. Their settings went too, opt-out included: new "
    "messages they post in a chat are recorded again unless they run /chat optout again."
)
POSTS_LATER = (
    "The bot's Discord posts (recaps, newcomer welcomes) are edited by the bot: at once when "
    "it is running (within a minute), else when it next starts."
)

ELSEWHERE = (
    "Their posts on Bluesky stay on Bluesky (only they can delete them); the bot does not"
    " collect those posts again, and a new post from them is someone new to it."
)
HANDLE_CHANGED = (
    "A Bluesky handle can change: the bot knows an account by the handle it last saw (looked"
    " at again daily for bluesky.recheck_days after a chat), so try the account's other handle,"
    " or its DID (did:plc:..., which never changes)."
)


@dataclass(frozen=True)
class ForgetReport:
    """What was erased, table by table; `total` is 0 when nothing was known about the member."""

    user_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    redone: tuple[Redone, ...] = ()
    account: str | None = None  # a Bluesky handle or DID, when that is how they were named

    @property
    def who(self) -> str:
        return f"Bluesky account {self.account}" if self.account else f"member {self.user_id}"

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.scrubbed.values())

    def lines(self) -> list[str]:
        """The report in words, for the CLI and for the member's ephemeral reply."""
        if not self.total:
            found = [f"Nothing was stored about {self.who}: nothing to erase."]
            if self.account and not self.account.startswith("did:"):
                found.append(HANDLE_CHANGED)
            return found
        out = [f"Erased everything stored about {self.who}:"]
        out += [f"  {table}: {n} row(s) deleted" for table, n in sorted(self.deleted.items())]
        out += [
            f"  {column}: mentions removed from {n} row(s)"
            for column, n in sorted(self.scrubbed.items())
        ]
        if self.redone:
            out.append("Published copies redone from the database:")
            out += [f"  session {r.session_id} ({r.stage}): {r.note}" for r in self.redone]
        out += [POSTS_LATER, NOT_REMOVED]
        if self.account:
            out.append(ELSEWHERE)
        return out


async def _erase(store: Store, user_id: int) -> ForgetReport:
    erased = await store.privacy.erase_member(user_id)
    try:
        await store.upkeep.checkpoint()
    except Exception as exc:  # a busy reader only delays the fold; the data is already gone
        log.debug("checkpoint after erasure deferred: %s", exc)
    # The id is deliberately not logged: the log would otherwise remember whom we forgot.
    log.info("forgot a member on request: %d rows deleted", sum(erased.deleted.values()))
    return ForgetReport(user_id, dict(erased.deleted), dict(erased.scrubbed))


async def forget_member(store: Store, user_id: int, *, now: datetime | None = None) -> ForgetReport:
    """Erase one member from the database (all or nothing; a kill mid-way is finished by
    `finish_pending`), then fold the WAL so the old pages do not linger. Their sessions are
    queued for `finish_pending` to redo the published copies."""
    await store.privacy.request_erasure(user_id, now or datetime.now(UTC))
    return await _erase(store, user_id)


async def finish_erasures(store: Store) -> int:
    """Erasures asked for whose transaction never committed (a kill, a failure), done now;
    returns how many. The bot runs this at start-up before it listens to anything, so neither
    live capture nor a catch-up stores the member's words again first."""
    pending = await store.privacy.pending_erasures()
    for user_id in pending:
        await _erase(store, user_id)
    return len(pending)


async def forget_account(
    store: Store, platform: str, account: str, *, now: datetime | None = None
) -> ForgetReport:
    """Erase a member of another platform, named by handle or DID (`account_key` form): every
    id they posted as. Their posts stay as anonymous tombstones under the same ids (so polling
    does not collect them again); their account's id goes (a new post is someone new)."""
    deleted: dict[str, int] = {}
    scrubbed: dict[str, int] = {}
    user_id = 0
    known = await store.posts_elsewhere.account(platform, account)
    names = [account, *([known.ref, known.handle] if known is not None else [])]
    if ignored := await store.ignored.drop_account(platform, names):
        deleted["ignored_accounts"] = ignored
    for user_id in await store.posts_elsewhere.authors_elsewhere(platform, account):
        report = await forget_member(store, user_id, now=now)
        await store.platform_ids.drop(user_id)
        for table, n in report.deleted.items():
            deleted[table] = deleted.get(table, 0) + n
        for column, n in report.scrubbed.items():
            scrubbed[column] = scrubbed.get(column, 0) + n
    return ForgetReport(user_id, deleted, scrubbed, account=account)


async def finish_pending(
    store: Store,
    settings: Settings,
    now: datetime,
    transport: ChatTransport | None = None,
    lock: SessionLock | None = None,
) -> list[Redone]:
    """Erasures asked for that never committed, then the copies queued for redoing: the files,
    and with a transport the Discord posts (`lock`: the running bot's per-session lock).
    Idempotent; cheap when there is nothing to do. Another process's redo (the bot's, or a
    command line's) is waited for, so the copies are never written from two states at once."""
    await finish_erasures(store)
    locked = {"lock": lock} if lock is not None else {}
    async with redo_lock(settings.database):
        done = await rewrite_files(store, settings, now, **locked)
        if transport is not None:
            done += await edit_posts(store, settings, transport, now, **locked)
    for redone in done:
        log.info("redone session %d %s: %s", redone.session_id, redone.stage, redone.note)
    return done


def with_redone(report: ForgetReport, redone: Sequence[Redone]) -> ForgetReport:
    return ForgetReport(
        report.user_id, report.deleted, report.scrubbed, tuple(redone), report.account
    )


class Republisher:
    """The running bot's one runner of `finish_pending` (at start-up, every minute, after a
    member's command), so two runs never edit the same posts at once."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        transport: ChatTransport,
        clock: Clock,
        session_lock: SessionLock,
    ) -> None:
        self.store, self.settings, self.transport, self.clock = store, settings, transport, clock
        self.session_lock = session_lock  # the engine's: a recap being posted is not redone mid-way
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[list[Redone]]] = set()

    async def run(self) -> list[Redone]:
        async with self._lock:
            return await finish_pending(
                self.store, self.settings, self.clock.now(), self.transport, self.session_lock
            )

    async def run_if_pending(self) -> list[Redone]:
        """The minute check: one cheap query when nothing is queued."""
        if await self.store.redo.any_pending() or await self.store.privacy.pending_erasures():
            return await self.run()
        return []

    def soon(self) -> asyncio.Task[list[Redone]]:
        """Run in the background (a member's command answers first)."""
        task = asyncio.create_task(self.run(), name="republish")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[list[Redone]]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "redoing published copies failed; retried within a minute",
                exc_info=task.exception(),
            )
