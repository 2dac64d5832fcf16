"""The platforms a chat also runs on, beside its home platform (issue 16: Bluesky beside
Discord): a list of mirrors the engine is given.

The home platform's post of a step is the step's own ledger row (`steps`). Each mirror says
which step kinds it takes for a chat; when the session is planned every such step gets a record
on that platform (`platform_steps`, pending) and a trigger job of its own
(`session-ID:KEY@PLATFORM`), due with the step. The job posts the mirror's version once the home
post is recorded (the home post moves the timeline; a mirror follows it: a home post recorded
sets off the mirror jobs waiting for it), skips it when the step was skipped at home (stale,
skipped by a host, cancelled), and records what was posted. Failures are retried with back-off
and told to the hosts when final (once per session and platform; the rest is in the log). A
restart rebuilds the mirror jobs from the pending records, like the steps'.

Neither platform holds the other up. The home chat never waits for a mirror: a mirror posts
outside the session's lock, so a platform that is slow or down delays nothing at home. And a
mirror does not wait for ever for a home platform that is failing: once the home post has
failed and `home_grace` has passed since the step was due (or it failed for good), the mirror
posts on its own, and the chat's timeline takes the first post on any platform
(`session_view.build_view`).

A post that failed for a reason that passes (the platform down past the retries, its login
refused or missing: `TransportError.passes`) is held (`retry_when_back`) and tried again once
the platform works again: when its account logs in (the start-up check after a restart, or a
login by itself after an outage; the platform calls `back`), or before the session's next post
there. Each session's held posts go in order, before that next post, under the same staleness
rules as at home (`staleness.py`: a question while the chat hour lasts, a reminder not after
the start), with the own-posts check first as for any retry; hosts hear once what came of them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import NewStep, PlatformStep, StepKind, StepStatus
from bot.engine.locks import SessionLocks
from bot.engine.notify import HostNotes
from bot.engine.ports import PlatformStepLedger, SessionRecords, StepLedger
from bot.engine.staleness import stale_reason
from bot.engine.step_kinds import StepCall
from bot.transport import TransportError

log = logging.getLogger(__name__)

FOLLOW = timedelta(seconds=5)  # look again this long after finding the home post not yet out


@dataclass(frozen=True)
class MirrorCall:
    """A step posted at home, to be posted on a mirror; `attempts` > 0 when an earlier attempt
    may have reached the platform (look for the bot's own post there first)."""

    step: StepCall
    attempts: int


class Mirror(Protocol):
    """Another platform the chat runs on (implemented in its edge package, e.g. `bot/bluesky/`)."""

    name: str

    def kinds(self, chat: ChatSettings) -> Collection[StepKind]:
        """The step kinds this platform posts for the chat (none: the chat is not on it)."""

    async def post(self, call: MirrorCall) -> str | None:
        """Post this platform's version of the step, once; return its id there (None when
        there was nothing to post). A TransportError is retried unless `retryable` is False."""


class OtherSource(Protocol):
    """Another platform's collector of member messages (it feeds `Capture.handle_many`)."""

    async def start(self) -> None:
        """Begin collecting (the engine is starting); quick, never raises."""

    async def stop(self) -> None:
        """Collect no more (the engine is stopping)."""

    async def settle(self, session: SessionRow, chat: ChatSettings) -> None:
        """Everything the platform holds for the session is stored (a last poll, posts deleted
        since taken out), before its recap is built. Never raises; bounds its own wait."""


ScheduleMirror = Callable[[int, str, str, datetime], None]


class MirrorRunner:
    def __init__(
        self,
        *,
        mirrors: Sequence[Mirror],
        chats: Mapping[str, ChatSettings],
        sessions: SessionRecords,
        steps: StepLedger,
        records: PlatformStepLedger,
        locks: SessionLocks,
        notes: HostNotes,
        clock: Clock,
        schedule: ScheduleMirror,
        retry_delays: Sequence[float],
        timeline_changed: Callable[[int], None] = lambda session_id: None,
    ) -> None:
        self._mirrors = {m.name: m for m in mirrors}
        self._chats = chats
        self._sessions, self._steps, self._records = sessions, steps, records
        self._locks, self._notes, self._clock = locks, notes, clock
        self._schedule = schedule
        self._delays = tuple(retry_delays)
        # A mirror stops waiting for a failing home post after its first two retries.
        self.home_grace = timedelta(seconds=sum(self._delays[:2]))
        self._timeline_changed = timeline_changed
        self._raised: dict[tuple[int, str, str], int] = {}
        self._waiting: dict[int, set[tuple[str, str]]] = {}  # session -> (key, platform)
        self._posting: set[tuple[int, str, str]] = set()
        self._told: set[tuple[int, str]] = set()  # (session, platform) hosts heard of
        self._in_order: dict[tuple[int, str], asyncio.Lock] = {}  # held posts going again
        self._left_out: dict[tuple[int, str], list[tuple[str, str]]] = {}  # too late, untold

    @property
    def names(self) -> list[str]:
        return list(self._mirrors)

    async def plan(self, session_id: int, chat: ChatSettings, steps: Sequence[NewStep]) -> None:
        """A record on each mirror for the steps of kinds it takes (planning, re-planning)."""
        for name, mirror in self._mirrors.items():
            kinds = {StepKind(k).value for k in mirror.kinds(chat)}
            keys = [s.key for s in steps if s.kind in kinds]
            if keys:
                await self._records.add(session_id, name, keys)

    def home_changed(self, session_id: int) -> None:
        """A home step of the session was posted (or tried): the mirror jobs waiting for it
        look again now, instead of at their next FOLLOW."""
        now = self._now()
        for key, platform in self._waiting.pop(session_id, set()):
            self._schedule(session_id, key, platform, now)

    async def run(self, session_id: int, key: str, platform: str) -> None:
        """The mirror job: never raises. The session's posts held back on this platform (failed
        while it was down) are tried first, in order."""
        try:
            held = [r for r in await self._records.held(platform) if r.session_id == session_id]
        except Exception:
            log.exception("could not read the held posts of session %s on %s", session_id, platform)
            held = []
        if not held:
            await self._run_job(session_id, key, platform)
            return
        try:
            await self._catch_up(session_id, platform, then=key)
        except Exception:  # the database, most likely: this job looks again after a pause
            log.exception("held posts of session %s on %s raised", session_id, platform)
            self._schedule(session_id, key, platform, self._later(self._delays[0]))

    async def back(self, platform: str, chat: str | None = None) -> None:
        """The platform works again (its account logged in): the posts that failed there for
        a reason that passes are tried again, each session's in order; never raises."""
        try:
            held = await self._records.held(platform)
            for session_id in dict.fromkeys(r.session_id for r in held):
                session = await self._sessions.get(session_id)
                if session is not None and chat in (None, session.chat):
                    await self._catch_up(session_id, platform)
        except Exception:
            log.exception("could not try the held posts on %s again", platform)

    async def _catch_up(self, session_id: int, platform: str, *, then: str | None = None) -> None:
        """Try the session's held posts on `platform` again in the order of their steps (those
        due after `then` only once `then` is out), then post `then`; tell hosts what came of
        them. A post that does not go through ends the round: the platform is not back yet."""
        lock = self._in_order.setdefault((session_id, platform), asyncio.Lock())
        async with lock:
            ledger = await self._steps.for_session(session_id)
            due = {s.key: s.due_at for s in ledger}
            held = sorted(
                (
                    r
                    for r in await self._records.held(platform)
                    if r.session_id == session_id and r.key in due and r.key != then
                ),
                key=lambda r: due[r.key],
            )
            until = due.get(then) if then is not None else None
            first = [r for r in held if until is None or due[r.key] <= until]
            posted, left_out, through = await self._retry(first)
            if then is not None:
                await self._run_job(session_id, then, platform)
                record = await self._records.get(session_id, then, platform)
                later = [r for r in held if r not in first]
                if through and later and record is not None and record.status is StepStatus.SENT:
                    more, more_left_out, _ = await self._retry(later)
                    posted, left_out = [*posted, *more], [*left_out, *more_left_out]
            await self._tell_back(session_id, platform, posted, left_out)

    async def _retry(
        self, held: Sequence[PlatformStep]
    ) -> tuple[list[str], list[tuple[str, str]], bool]:
        """Post the held records again in order: the keys posted, those left out (with why),
        and whether every one was settled (False: one failed again, the rest were not tried)."""
        posted: list[str] = []
        left_out: list[tuple[str, str]] = []
        for record in held:
            session_id, key, platform = record.session_id, record.key, record.platform
            await self._records.retry(session_id, key, platform)
            await self._run_job(session_id, key, platform)
            after = await self._records.get(session_id, key, platform)
            if after is not None and after.status is StepStatus.SENT:
                posted.append(key)
            elif after is not None and after.status is StepStatus.SKIPPED:
                left_out.append((key, after.last_error or "skipped"))
            else:
                return posted, left_out, False
        return posted, left_out, True

    async def _tell_back(
        self, session_id: int, platform: str, posted: list[str], left_out: list[tuple[str, str]]
    ) -> None:
        """One note for the hosts, once a held post went through: what the platform being back
        did with the held posts (those left out while it was still down included)."""
        skipped = self._left_out.setdefault((session_id, platform), [])
        skipped.extend(left_out)
        session = await self._sessions.get(session_id)
        if session is None or not posted:
            return
        left_out = self._left_out.pop((session_id, platform))
        chat = self._chats[session.chat]
        self._told.discard((session_id, platform))  # a new failure is news again
        parts = [f"posted {_names(posted)} late"]
        for why in dict.fromkeys(w for _, w in left_out):
            parts.append(f"left out {_names([k for k, w in left_out if w == why])} ({why})")
        await self._notes.tell(
            chat, f"{platform.capitalize()} is back for {chat.hashtag}: {'; '.join(parts)}."
        )

    async def _run_job(self, session_id: int, key: str, platform: str) -> None:
        """One run of a mirror record; a run that could not even record is tried again."""
        try:
            await self._run(session_id, key, platform)
        except Exception:
            runs = self._raised[(session_id, key, platform)] = (
                self._raised.get((session_id, key, platform), 0) + 1
            )
            delay = self._delays[min(runs, len(self._delays)) - 1]
            log.exception("%s of step %s of session %s raised", platform, key, session_id)
            self._schedule(session_id, key, platform, self._later(delay))
        else:
            self._raised.pop((session_id, key, platform), None)

    async def _run(self, session_id: int, key: str, platform: str) -> None:
        job = (session_id, key, platform)
        if job in self._posting:
            return  # the run in flight records the outcome (or schedules the next try)
        async with self._locks.lock(session_id):
            call = await self._due(session_id, key, platform)
            if call is None:
                return
            await self._records.begin_attempt(session_id, key, platform)
        # Outside the session's lock: the home platform's steps never wait for this one.
        self._posting.add(job)
        try:
            await self._post(call, platform)
        finally:
            self._posting.discard(job)

    async def _due(self, session_id: int, key: str, platform: str) -> MirrorCall | None:
        """The call to post now, or None (skipped, waiting for the home post, not pending)."""
        session, ledger, record = await asyncio.gather(
            self._sessions.get(session_id),
            self._steps.for_session(session_id),
            self._records.get(session_id, key, platform),
        )
        step = next((s for s in ledger if s.key == key), None)
        mirror = self._mirrors.get(platform)
        if record is None or record.status is not StepStatus.PENDING:
            return None
        if session is None or step is None or mirror is None:
            await self._records.mark_skipped(session_id, key, platform, "no such step here")
            return None
        if session.status is SessionStatus.CANCELLED or step.status is StepStatus.SKIPPED:
            why = f"skipped on the home platform ({step.last_error or step.status.value})"
            await self._records.mark_skipped(session_id, key, platform, why)
            return None
        if session.status is SessionStatus.PAUSED:
            return None  # resume schedules every pending record again
        now = self._now()
        home_failing = step.attempts > 0 and now >= step.due_at + self.home_grace
        if step.status is StepStatus.PENDING and not home_failing:  # the home post comes first
            self._waiting.setdefault(session_id, set()).add((key, platform))
            self._schedule(session_id, key, platform, max(step.due_at, self._later(FOLLOW)))
            return None
        if step.status is not StepStatus.SENT:
            log.warning(
                "posting %s of session %s on %s without the home post (%s)",
                key,
                session_id,
                platform,
                step.last_error or step.status.value,
            )
        reason = stale_reason(step, ledger, now)  # late (a retry, a restart): still useful?
        if reason is not None:
            log.info("skipping %s of session %s on %s: %s", key, session_id, platform, reason)
            await self._records.mark_skipped(session_id, key, platform, reason)
            return None
        return MirrorCall(
            StepCall(session, self._chats[session.chat], step, ledger), record.attempts
        )

    async def _post(self, call: MirrorCall, platform: str) -> None:
        chat, session_id, key = call.step.chat, call.step.session.id, call.step.step.key
        try:
            ref = await self._mirrors[platform].post(call)
        except TransportError as exc:
            await self._failed(chat, session_id, key, platform, call.attempts + 1, exc)
            return
        await self._chat_moved_on(call)
        await self._records.mark_sent(session_id, key, platform, post_ref=ref, at=self._now())
        self._timeline_changed(session_id)
        log.info("step %s of session %s posted on %s", key, session_id, platform)

    async def _chat_moved_on(self, call: MirrorCall) -> None:
        """A mirror that went first (the home platform failing) moves the session on as the
        home post would have: the chat has begun once a welcome or question is out anywhere,
        and is closed once a close is."""
        kind, session_id = call.step.step.kind, call.step.session.id
        before: tuple[SessionStatus, ...] = (SessionStatus.PLANNED,)
        if kind == StepKind.CLOSE.value:
            wanted, before = SessionStatus.CLOSED, (*before, SessionStatus.RUNNING)
        elif kind in (StepKind.WELCOME.value, StepKind.QUESTION.value, StepKind.LAST_CALL.value):
            wanted = SessionStatus.RUNNING
        else:
            return
        async with self._locks.lock(session_id):
            session = await self._sessions.get(session_id)
            if session is not None and session.status in before:
                await self._sessions.set_status(session_id, wanted)
                log.warning("session %s is %s by its %s post", session_id, wanted.value, kind)

    async def _failed(
        self,
        chat: ChatSettings,
        session_id: int,
        key: str,
        platform: str,
        attempts: int,
        exc: TransportError,
    ) -> None:
        final = not exc.retryable or attempts > len(self._delays)
        passes = exc.passes
        await self._records.fail_attempt(
            session_id, key, platform, str(exc), final=final, retry_when_back=passes
        )
        if final:
            log.error(
                "step %s of session %s failed for good on %s: %s", key, session_id, platform, exc
            )
            if (session_id, platform) not in self._told:
                self._told.add((session_id, platform))
                then = (
                    f"; I post what failed there once {platform} works again, while still in time"
                    if passes
                    else ""
                )
                await self._notes.tell(
                    chat,
                    f"I could not post `{key}` on {platform} for {chat.hashtag}: {exc}"
                    f" (the chat goes on{then}; if more {platform} posts fail this session, the"
                    " log has them)",
                )
            return
        delay = max(self._delays[attempts - 1], getattr(exc, "retry_after", None) or 0.0)
        self._schedule(session_id, key, platform, self._later(delay))

    def _now(self) -> datetime:
        return self._clock.now()

    def _later(self, delay: float | timedelta) -> datetime:
        seconds = delay.total_seconds() if isinstance(delay, timedelta) else delay
        return self._clock.now() + timedelta(seconds=seconds)


def _names(keys: Sequence[str]) -> str:
    """Step keys as hosts know them: Q1, Q2, close."""
    return ", ".join(k.upper() if k[:1] == "q" and k[1:].isdigit() else k for k in keys)
