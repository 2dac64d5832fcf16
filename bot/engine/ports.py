"""What the engine needs from the world, as protocols: the repositories it reads and writes (the
store provides them, matched by shape, so the engine never imports the store), where topics come
from, and what publishes a recap. Each service is handed only the ones it uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from bot.config import ChatSettings
from bot.domain.members import MemberRow, Participation, Seen
from bot.domain.messages import Added, Attributed, Held, MessageRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import NewStep, PlatformStep, StepRow
from bot.domain.topics import SessionTopic
from bot.recap.posts import RecapPost
from bot.recap.source import RecapSource
from bot.topics import TopicCatalog

TopicSource = Callable[[], Awaitable[TopicCatalog]]


class RecapPublisher(Protocol):
    async def __call__(
        self, source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
    ) -> Sequence[RecapPost]:
        """Write the recap files to `out_dir` and return the messages to post."""


class SessionRecords(Protocol):
    async def get(self, session_id: int) -> SessionRow | None: ...

    async def for_date(self, chat: str, chat_date: date) -> SessionRow | None: ...

    async def active(self) -> list[SessionRow]:
        """Sessions with work left (not recapped or cancelled), oldest first."""

    async def recent(self, chat: str | None = None, limit: int = 50) -> list[SessionRow]: ...

    async def create(
        self, chat: str, chat_date: date, start_at: datetime, topic: SessionTopic, now: datetime
    ) -> SessionRow: ...

    async def set_status(
        self, session_id: int, status: SessionStatus, *, paused_at: datetime | None = None
    ) -> None: ...

    async def set_topic(self, session_id: int, topic: SessionTopic) -> None: ...

    async def set_event(self, session_id: int, event_id: int | None) -> None: ...

    async def set_recap(
        self, session_id: int, recap_dir: str, posted_at: datetime | None
    ) -> None: ...


class StepLedger(Protocol):
    async def add(self, session_id: int, steps: Iterable[NewStep]) -> None: ...

    async def for_session(self, session_id: int) -> list[StepRow]: ...

    async def get(self, session_id: int, key: str) -> StepRow | None: ...

    async def pending(self) -> list[StepRow]: ...

    async def mark_sent(
        self,
        session_id: int,
        key: str,
        *,
        message_id: int | None,
        channel_id: int | None,
        sent_at: datetime,
        thread_id: int | None = None,
    ) -> None: ...

    async def set_thread(self, session_id: int, key: str, thread_id: int) -> None: ...

    async def mark_skipped(self, session_id: int, key: str, reason: str) -> None: ...

    async def begin_attempt(self, session_id: int, key: str) -> int: ...

    async def fail_attempt(self, session_id: int, key: str, error: str, *, final: bool) -> None: ...

    async def reschedule(self, session_id: int, due: dict[str, datetime]) -> None: ...

    async def record_part(
        self,
        session_id: int,
        key: str,
        parts_sent: int,
        *,
        message_id: int | None,
        thread_id: int | None,
    ) -> None: ...

    async def record_post(
        self, session_id: int, key: str, part: int, *, channel_id: int, message_id: int
    ) -> None: ...

    async def reopen(self, session_id: int, key: str, due_at: datetime) -> None: ...

    async def drop_pending(self, session_id: int, keys: Iterable[str]) -> None: ...


class PlatformStepLedger(Protocol):
    """Each step's record on the platforms the chat also runs on (`mirrors.py`)."""

    async def add(self, session_id: int, platform: str, keys: Iterable[str]) -> None: ...

    async def get(self, session_id: int, key: str, platform: str) -> PlatformStep | None: ...

    async def for_session(self, session_id: int) -> list[PlatformStep]: ...

    async def pending(self) -> list[PlatformStep]: ...

    async def held(self, platform: str) -> list[PlatformStep]: ...

    async def retry(self, session_id: int, key: str, platform: str) -> None: ...

    async def begin_attempt(self, session_id: int, key: str, platform: str) -> int: ...

    async def mark_sent(
        self, session_id: int, key: str, platform: str, *, post_ref: str | None, at: datetime
    ) -> None: ...

    async def mark_skipped(self, session_id: int, key: str, platform: str, reason: str) -> None: ...

    async def fail_attempt(
        self,
        session_id: int,
        key: str,
        platform: str,
        error: str,
        *,
        final: bool,
        retry_when_back: bool = False,
    ) -> None: ...


class MessageRecords(Protocol):
    async def add_member_messages(self, messages: Sequence[MessageRow]) -> dict[int, Added]: ...

    async def questions_of(self, message_ids: Iterable[int]) -> dict[int, tuple[int, ...]]: ...

    async def get(self, message_id: int) -> MessageRow | None: ...

    async def held(self, session_id: int) -> dict[int, Held]: ...

    async def edit(
        self, message_id: int, content: str, edited_at: datetime, attribution: Attributed
    ) -> None: ...

    async def delete(self, message_id: int, deleted_at: datetime) -> None: ...

    async def add_reaction(self, message_id: int, user_id: int, emoji: str) -> None: ...

    async def remove_reaction(self, message_id: int, user_id: int, emoji: str) -> None: ...


class MemberRecords(Protocol):
    async def get(self, user_id: int) -> MemberRow | None: ...

    async def many(self, user_ids: list[int]) -> dict[int, MemberRow]: ...

    async def record_messages(
        self, session_id: int, seen: Sequence[Seen]
    ) -> dict[int, Participation]: ...

    async def claim_newcomers(self, session_id: int, batch: int) -> list[int]: ...

    async def claimed(self, session_id: int, batch: int) -> list[int]: ...

    async def unwelcomed(self, session_id: int) -> int: ...

    async def recount(self, message_ids: Sequence[int]) -> None: ...

    async def rebuild(self, session_id: int) -> None: ...

    async def to_remind(self, chat: str) -> list[MemberRow]:
        """Members who asked for a DM before this chat."""


class HostActionLog(Protocol):
    async def record(
        self, session_id: int, action: str, detail: str, actor: str, at: datetime
    ) -> None: ...


class RedoQueue(Protocol):
    """Published copies queued for redoing (a forget, an opt-out, the retention purge)."""

    async def newest(self) -> int: ...

    async def again_after(self, session_id: int, mark: int) -> int: ...


class ReminderDmLog(Protocol):
    """Per session, the members a "Remind me" DM was claimed for (under way) and sent to."""

    async def claims(self, session_id: int) -> dict[int, bool]:
        """Member -> whether their DM is known to have gone (False: claimed, unconfirmed)."""

    async def claim(self, session_id: int, user_id: int, at: datetime) -> None: ...

    async def sent(self, session_id: int, user_id: int, at: datetime) -> None: ...


class EngineStore(Protocol):
    """The store as the engine's composition root sees it; services get single repositories."""

    @property
    def sessions(self) -> SessionRecords: ...

    @property
    def steps(self) -> StepLedger: ...

    @property
    def platform_steps(self) -> PlatformStepLedger: ...

    @property
    def messages(self) -> MessageRecords: ...

    @property
    def members(self) -> MemberRecords: ...

    @property
    def host_actions(self) -> HostActionLog: ...

    @property
    def recap_source(self) -> RecapSource: ...

    @property
    def redo(self) -> RedoQueue: ...

    @property
    def reminder_dms(self) -> ReminderDmLog: ...
