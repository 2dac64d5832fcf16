"""Moderation as the platforms ask for it: a rule's verdict carried out through the platform's
transport (delete, warn once, time out), the moderation log, and "Hide from recap". Every action
is one row in the store and one line in the chat's mod-log channel; hiding a message and logging
it are one transaction."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import ChatSettings
from bot.domain.sessions import SessionStatus
from bot.engine.render import escape_name
from bot.moderation import Verdict
from bot.store import Store
from bot.topics import MESSAGE_LIMIT
from bot.transport import ChatTransport, ModerationTransport, Outgoing, TransportError

log = logging.getLogger(__name__)

WARNINGS = {
    "flood": "you're posting faster than the chat allows, so some messages were removed. "
    "Take a breath: one message at a time keeps the chat readable.",
    "duplicate": "the same message again was removed; once is enough.",
    "blocked-word": "your message was removed because it contains a word this server blocks.",
    "new-member-link": "links from new members are held back for a while; "
    "your message with a link was removed. Please post it without the link.",
}
NOTICE_SECONDS = 60.0  # a warning in the channel (DMs closed) goes away after this


@dataclass(frozen=True)
class Who:
    """The member an action concerns."""

    user_id: int
    display_name: str
    ref: str | None = None  # how the log names them when not by id (a Bluesky DID)


@dataclass(frozen=True)
class Where:
    """The message an action concerns, as the log line shows it."""

    message_id: int
    jump_url: str | None = None
    content: str = ""


def defused(text: str, limit: int = 200) -> str:
    """Member text quoted in the log: shortened, no mention or code formatting left working."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return short.replace("@", "@\u200b").replace("`", "'")


def log_line(who: Who, where: Where | None, action: str, reason: str) -> str:
    at = f" in {where.jump_url}" if where is not None and where.jump_url else ""
    ident = defused(who.ref, 120) if who.ref is not None else who.user_id
    line = f"**{action}**: {defused(who.display_name, 80)} (`{ident}`){at}: {reason}"
    if where is not None and where.content:
        line += f"\n> {defused(where.content)}"
    return line[:MESSAGE_LIMIT]


class Hidden(enum.Enum):
    """What hiding a message did (false only when it is not part of a recorded chat)."""

    NOT_RECORDED = "not recorded"
    HIDDEN = "hidden"
    HIDDEN_AND_REDONE = "hidden; its session's published copies are queued for redoing"

    def __bool__(self) -> bool:
        return self is not Hidden.NOT_RECORDED


class ModerationLog:
    def __init__(self, store: Store, transport: ChatTransport, clock: Clock) -> None:
        self._store, self._transport, self._clock = store, transport, clock

    async def record(
        self,
        chat: ChatSettings,
        session_id: int | None,
        who: Who,
        where: Where | None,
        action: str,
        reason: str,
    ) -> None:
        """One row in the store's moderation log and one line in the mod-log channel."""
        await self._store.moderation.record(
            user_id=who.user_id,
            action=action,
            reason=reason,
            at=self._clock.now(),
            session_id=session_id,
            message_id=where.message_id if where is not None else None,
        )
        await self.tell(chat, log_line(who, where, action, reason))

    async def hide(
        self,
        chat: ChatSettings,
        session_id: int | None,
        who: Who,
        where: Where,
        by: str,
        *,
        redo: int | None = None,
    ) -> Hidden:
        """Keep a stored message out of every recap and export, and log it; NOT_RECORDED
        (nothing changed) when the message is not part of a recorded chat. When its session's
        recap is out already (or `redo` names a session), that session's published copies
        (files, site, recap posts) are queued for redoing without it, in the same transaction:
        the caller starts the republisher."""
        reason = f"hidden from the recap by {by}"
        async with self._store.transaction() as tx:
            if not await tx.messages.set_hidden(where.message_id, True):
                return Hidden.NOT_RECORDED
            if redo is None:
                row = await tx.messages.get(where.message_id)
                session = await tx.sessions.get(row.session_id) if row and row.session_id else None
                if session is not None and session.status is SessionStatus.RECAPPED:
                    redo = session.id
            if redo is not None:
                await tx.privacy.queue_redo([redo], "hide")
            await tx.moderation.record(
                user_id=who.user_id,
                action="hide-from-recap",
                reason=reason,
                at=self._clock.now(),
                session_id=session_id,
                message_id=where.message_id,
            )
        await self.tell(chat, log_line(who, where, "hide-from-recap", reason))
        return Hidden.HIDDEN if redo is None else Hidden.HIDDEN_AND_REDONE

    async def tell(self, chat: ChatSettings, line: str) -> None:
        """A line in the chat's mod-log channel, when it has one; a failure is only logged."""
        if chat.channels.mod_log is None:
            return
        try:
            await self._transport.post(Outgoing(chat.channels.mod_log, line))
        except TransportError as exc:
            log.warning("could not write to the mod log: %s", exc)


@dataclass(frozen=True)
class Flagged:
    """A member message a rule flagged, where the platform has it."""

    guild_id: int
    channel_id: int  # where it was posted (a thread, for a message in one)
    channel_url: str
    message: Where


class Enforcement:
    """Carries out a rule's verdict (`bot.moderation`) on a member message through the platform:
    delete it, warn once (a DM, else a short notice in the channel), time out; then log it."""

    def __init__(self, transport: ModerationTransport, mod_log: ModerationLog) -> None:
        self._transport, self._mod_log = transport, mod_log

    async def act(
        self,
        chat: ChatSettings,
        session_id: int | None,
        who: Who,
        flagged: Flagged,
        verdict: Verdict,
    ) -> None:
        why = f"{chat.hashtag}: {verdict.reason}"
        done = ["deleted"]
        try:
            await self._transport.delete_message(
                flagged.channel_id, flagged.message.message_id, why
            )
        except TransportError as exc:
            done = [f"could not delete ({exc.status})"]
        if verdict.warn:
            done.append(await self._warn(who, flagged, verdict))
        if verdict.timeout is not None:
            try:
                await self._transport.timeout_member(
                    flagged.guild_id, who.user_id, verdict.timeout, why
                )
                done.append(f"timed out for {verdict.timeout}")
            except TransportError as exc:
                done.append(f"could not time out ({exc.status})")
        reason = f"{verdict.reason}; {', '.join(done)}"
        await self._mod_log.record(
            chat, session_id, who, flagged.message, verdict.rule.value, reason
        )

    async def _warn(self, who: Who, flagged: Flagged, verdict: Verdict) -> str:
        text = WARNINGS.get(verdict.rule.value, verdict.reason)
        try:
            if await self._transport.direct_message(
                who.user_id, f"About {flagged.channel_url}: {text}"
            ):
                return "warned by DM"
        except TransportError:
            pass
        notice = Outgoing(
            flagged.channel_id,
            f"{escape_name(who.display_name)}, {text}",
            delete_after=NOTICE_SECONDS,
        )
        try:
            await self._transport.post(notice)
            return "warned in the channel"
        except TransportError:
            return "could not warn"
