"""What the bot did, as seen by the server, plus an event-driven log to wait on.

Every record has ``kind`` (a short string) and ``received_at`` (server ``time.time()``).
``to_json()`` gives a JSON-safe dict (attachment bytes as base64) for the HTTP control API.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar


class Record:
    kind: ClassVar[str] = "record"
    received_at: float

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            out[f.name] = _jsonable(getattr(self, f.name))
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Record):
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class AttachmentRecord:
    filename: str
    content: bytes
    content_type: str | None = None
    description: str | None = None


@dataclass(kw_only=True)
class PostRecord(Record):
    """A message the bot created with ``POST /channels/{id}/messages`` (guild channel or DM)."""

    kind: ClassVar[str] = "post"
    message_id: int
    channel_id: int
    guild_id: int | None
    #: the thread posted into (== channel_id) or None
    thread_id: int | None
    #: the text channel: the thread's parent, or channel_id itself
    parent_channel_id: int
    #: for DMs: the user the DM went to
    dm_recipient_id: int | None
    content: str
    embeds: list[dict[str, Any]]
    attachments: list[AttachmentRecord]
    allowed_mentions: dict[str, Any] | None
    nonce: str | int | None
    message_reference: dict[str, Any] | None
    components: list[dict[str, Any]]
    flags: int
    received_at: float
    #: HTTP requests it took: 1 + failed attempts (injected 429/500) with the same body
    attempts: int = 1
    #: later requests answered with this message because of enforce_nonce
    duplicates: int = 0
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def reply_to(self) -> int | None:
        ref = self.message_reference
        return int(ref["message_id"]) if ref and ref.get("message_id") else None


@dataclass(kw_only=True)
class EditRecord(Record):
    kind: ClassVar[str] = "edit"
    message_id: int
    channel_id: int
    content: str | None
    embeds: list[dict[str, Any]] | None
    components: list[dict[str, Any]] | None
    attachments: list[AttachmentRecord] | None
    received_at: float
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class DeleteRecord(Record):
    kind: ClassVar[str] = "delete"
    message_id: int
    channel_id: int
    author_id: int
    content: str
    received_at: float


@dataclass(kw_only=True)
class InteractionResponseRecord(Record):
    """A callback, followup, or edit/delete of an interaction's messages.

    ``action`` is one of ``callback``, ``followup``, ``edit_original``, ``edit_followup``,
    ``delete_original``, ``delete_followup``. ``callback_type`` is the callback's type
    (4 message, 5 deferred, 6 deferred update, 7 update message, 8 autocomplete, 9 modal).
    """

    kind: ClassVar[str] = "interaction_response"
    interaction_id: int
    action: str
    callback_type: int | None
    content: str | None
    embeds: list[dict[str, Any]] | None
    components: list[dict[str, Any]] | None
    attachments: list[AttachmentRecord] | None
    flags: int
    ephemeral: bool
    message_id: int | None
    channel_id: int
    received_at: float
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class ThreadRecord(Record):
    kind: ClassVar[str] = "thread"
    thread_id: int
    parent_id: int
    name: str
    type: int
    #: the message the thread was started from, or None
    message_id: int | None
    received_at: float


@dataclass(kw_only=True)
class ScheduledEventRecord(Record):
    """``op`` is ``create``, ``modify`` or ``delete``; ``event`` is the event after the op."""

    kind: ClassVar[str] = "scheduled_event"
    op: str
    event_id: int
    guild_id: int
    event: dict[str, Any]
    changes: dict[str, Any]
    received_at: float


@dataclass(kw_only=True)
class ReactionRecord(Record):
    kind: ClassVar[str] = "reaction"
    op: str
    channel_id: int
    message_id: int
    emoji: str
    received_at: float


@dataclass(kw_only=True)
class PinRecord(Record):
    kind: ClassVar[str] = "pin"
    op: str
    channel_id: int
    message_id: int
    received_at: float


@dataclass(kw_only=True)
class ChannelUpdateRecord(Record):
    kind: ClassVar[str] = "channel_update"
    channel_id: int
    changes: dict[str, Any]
    received_at: float


@dataclass(kw_only=True)
class MemberUpdateRecord(Record):
    """``PATCH /guilds/{gid}/members/{uid}``, e.g. a timeout (``communication_disabled_until``)."""

    kind: ClassVar[str] = "member_update"
    guild_id: int
    user_id: int
    changes: dict[str, Any]
    received_at: float


@dataclass(kw_only=True)
class CommandSyncRecord(Record):
    kind: ClassVar[str] = "command_sync"
    guild_id: int | None
    commands: list[dict[str, Any]]
    received_at: float


@dataclass(kw_only=True)
class RequestRecord(Record):
    """One REST request as received (including ones answered by an injected fault)."""

    kind: ClassVar[str] = "request"
    method: str
    path: str
    status: int
    received_at: float
    body: Any = None
    injected: bool = False


@dataclass(kw_only=True)
class GatewayRecord(Record):
    """A gateway happening: ``IDENTIFY``, ``RESUME``, ``READY``, ``RESUMED``,
    ``INVALID_SESSION``, ``HEARTBEAT``, ``CLOSE``, ``REQUEST_GUILD_MEMBERS``."""

    kind: ClassVar[str] = "gateway"
    event: str
    session_id: str | None
    received_at: float
    detail: dict[str, Any] = field(default_factory=dict)


R = TypeVar("R", bound=Record)


class EventLog(Generic[R]):
    """An append-only list of records with ``wait_for`` (futures, no polling)."""

    def __init__(self) -> None:
        self.items: list[R] = []
        self._waiters: list[tuple[Callable[[R], bool], asyncio.Future[R]]] = []

    def add(self, record: R) -> R:
        self.items.append(record)
        for waiter in list(self._waiters):
            predicate, future = waiter
            if future.done():
                continue
            try:
                matched = predicate(record)
            except Exception as exc:
                future.set_exception(exc)
                continue
            if matched:
                future.set_result(record)
        return record

    def clear(self) -> None:
        self.items.clear()

    async def wait_for(
        self,
        predicate: Callable[[R], bool],
        *,
        timeout: float,  # noqa: ASYNC109
        after: int = 0,
        what: str = "record",
    ) -> R:
        """First record at index >= ``after`` matching ``predicate``, waiting up to ``timeout``."""
        for record in self.items[after:]:
            if predicate(record):
                return record
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            recent = ", ".join(_summary(r) for r in self.items[-6:]) or "nothing"
            raise TimeoutError(
                f"no matching {what} within {timeout}s; last seen: {recent}"
            ) from None
        finally:
            self._waiters.remove(waiter)


def _summary(record: Record) -> str:
    text = getattr(record, "content", None) or getattr(record, "event", None) or ""
    return f"{record.kind}({str(text)[:40]!r})"
