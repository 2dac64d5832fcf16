"""Reading a DiscordChatExporter JSON export into checked, typed messages.

Exports come from another tool and may have been edited by hand, so every field is checked for
its type and range: anything else is an `ExportError` naming the file, the message and the
field (`chat.json: messages[12] (id 123): author: expected an object, got text`). Sizes are
bounded (file, text, lists, nesting), so no export can take unbounded time or memory.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.bounded_read import read_at_most

MAX_FILE_BYTES = 32 * 1024 * 1024  # an evening's export is a few MB; a whole channel's is not read
# JSON values in one export, counted before parsing: Python holds each parsed value in ~60-100
# bytes, so 100 MB of `{},{},...` (33 million objects) took 2.7 GB. With this bound and the size
# limit, reading an export peaks below ~300 MB whatever its shape (README, "Bounded"); a real
# message is ~40-60 values.
MAX_JSON_VALUES = 3_000_000
MAX_TEXT = 20_000  # characters in a message (Discord allows 4,000) or a name
MAX_LIST = 1_000  # reactions or mentions on one message (Discord allows 20 reactions)
# Discord began in 2015; the upper bound leaves room for windows and time zones before year 9999.
EARLIEST, LATEST = datetime(2015, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1  # Discord ids are 64-bit snowflakes (SQLite's INTEGER holds them)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
KINDS = {"Default", "Reply"}  # joins, pins, thread-created notices... are not chat messages


class ExportError(ValueError):
    """The file is not a usable DiscordChatExporter JSON export (message says why)."""


@dataclass(frozen=True)
class ExportMessage:
    id: int
    channel_id: int
    thread: bool
    at: datetime
    stamp: str  # the raw timestamp (its UTC offset is the exporter's zone)
    edited_at: datetime | None
    author_id: int
    author: str
    handles: tuple[str, ...]  # lower-cased id, name, nickname: how --host/--exclude match
    bot: bool
    text: str
    reactions: int
    reply_to: int | None
    mentions: tuple[tuple[int, tuple[str, ...]], ...]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_export(path: Path) -> dict[str, Any]:
    """The export's JSON, or ExportError (unreadable, too big, not JSON, nested too deep)."""
    try:
        data = read_at_most(path, MAX_FILE_BYTES + 1)  # a FIFO or /dev/zero never ends
    except OSError as exc:
        raise ExportError(f"{path}: cannot read a JSON export ({exc.strerror or exc})") from None
    evening = "export only the chat's evening (DiscordChatExporter's --after and --before)"
    if len(data) > MAX_FILE_BYTES:
        raise ExportError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB; {evening}")
    # Every value but the first follows a `,`, a `:` or a `[`: their count bounds the values
    # (and so the memory) before any is built. Commas inside texts only make it cautious.
    if (values := data.count(b",") + data.count(b":") + data.count(b"[") + 1) > MAX_JSON_VALUES:
        raise ExportError(
            f"{path}: holds up to {values:,} JSON values, more than the {MAX_JSON_VALUES:,} a"
            f" recap reads (about 50,000 messages); {evening}"
        )
    try:
        text = data.decode("utf-8-sig")
        del data  # the text replaces it: one copy of the file in memory while parsing
        doc = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise ExportError(f"{path}: cannot read a JSON export (not UTF-8: {exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise ExportError(
            f"{path}:{exc.lineno}:{exc.colno}: cannot read a JSON export ({exc.msg})"
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise ExportError(f"{path}: cannot read a JSON export ({exc})") from None
    except RecursionError:
        raise ExportError(f"{path}: not a DiscordChatExporter export (nested too deeply)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("messages"), list):
        raise ExportError(f"{path}: not a DiscordChatExporter JSON export (no messages list)")
    return doc


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "null" if value is None else "true/false"
    return {str: "text", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


class _Field:
    """Typed access to one JSON object; errors name `where` and the field."""

    def __init__(self, obj: Any, where: str, name: str = "") -> None:
        if not isinstance(obj, dict):
            raise ExportError(f"{where}: {name or 'entry'}: expected an object, got {_kind(obj)}")
        self.obj, self.where, self.prefix = obj, where, f"{name}." if name else ""

    def fail(self, key: str, what: str) -> ExportError:
        return ExportError(f"{self.where}: {self.prefix}{key}: {what}")

    def obj_or_none(self, key: str) -> _Field | None:
        value = self.obj.get(key)
        return None if value is None else _Field(value, self.where, self.prefix + key)

    def id(self, key: str, *, required: bool = True) -> int | None:
        value = self.obj.get(key)
        if value is None and not required:
            return None
        if value is None:
            raise self.fail(key, "missing (expected an id: digits)")
        if isinstance(value, str) and value.isascii() and value.strip().isdigit():
            number = int(value) if len(value) <= 20 else MAX_ID + 1
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            raise self.fail(key, f"expected an id (digits), got {_kind(value)} {_show(value)}")
        if not 0 <= number <= MAX_ID:
            raise self.fail(key, f"{_show(value)} is not a Discord id")
        return number

    def text(self, key: str, default: str = "") -> str:
        value = self.obj.get(key)
        if value is None:
            return default
        if not isinstance(value, str):  # DiscordChatExporter writes every text as a string
            raise self.fail(key, f"expected text, got {_kind(value)}")
        text = value
        if len(text) > MAX_TEXT:
            raise self.fail(key, f"{len(text):,} characters, more than any Discord message")
        return _LONE_SURROGATE.sub("\ufffd", text)  # JSON may say "\ud800"; UTF-8 cannot

    def flag(self, key: str) -> bool:
        value = self.obj.get(key, False)
        if not isinstance(value, bool) and value is not None:
            raise self.fail(key, f"expected true or false, got {_kind(value)}")
        return bool(value)

    def time(self, key: str, *, required: bool = True) -> tuple[datetime, str] | None:
        value = self.obj.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"expected a timestamp, got {_kind(value)}")
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"bad timestamp {_show(value)}") from None
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        if not EARLIEST <= at < LATEST:  # aware comparisons: no overflow at year 1 or 9999
            raise self.fail(key, f"{_show(value)} is not a time a Discord message can have")
        return at.astimezone(UTC), value

    def items(self, key: str) -> list[_Field]:
        value = self.obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list, got {_kind(value)}")
        if len(value) > MAX_LIST:
            raise self.fail(key, f"{len(value):,} entries, more than a message can have")
        return [_Field(v, self.where, f"{self.prefix}{key}[{i}]") for i, v in enumerate(value)]

    def count(self, key: str) -> int:
        value = self.obj.get(key, 0)
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
            raise self.fail(key, f"expected a count (0 or more), got {_show(value)}")
        return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(raw: Any, where: str, channel_id: int, thread: bool) -> ExportMessage | None:
    f = _Field(raw, where)
    kind = f.obj.get("type", "Default")
    if not isinstance(kind, str):
        raise f.fail("type", f"expected text like 'Default', got {_kind(kind)}")
    if kind not in KINDS:
        return None
    author = f.obj_or_none("author")
    if author is None:
        raise f.fail("author", "missing")
    name = author.text("nickname") or author.text("name") or "member"
    handles = (str(author.id("id")), author.text("name"), name)
    reference = f.obj_or_none("reference")
    mentions = tuple(
        (int(u.id("id") or 0), (u.text("name"), u.text("nickname"))) for u in f.items("mentions")
    )
    at, stamp = f.time("timestamp") or (EARLIEST, "")
    edited = f.time("timestampEdited", required=False)
    return ExportMessage(
        id=int(f.id("id") or 0),
        channel_id=channel_id,
        thread=thread,
        at=at,
        stamp=stamp,
        edited_at=edited[0] if edited else None,
        author_id=int(author.id("id") or 0),
        author=name,
        handles=tuple(h.lower().lstrip("@") for h in handles if h),
        bot=author.flag("isBot"),
        text=f.text("content"),
        reactions=sum(r.count("count") for r in f.items("reactions")),
        reply_to=reference.id("messageId", required=False) if reference else None,
        mentions=mentions,
    )


def read_messages(export: Mapping[str, Any], source: str) -> list[ExportMessage]:
    """The chat messages of one export (other kinds are left out), every field checked."""
    if not isinstance(export, Mapping):
        raise ExportError(f"{source}: expected an export object, got {_kind(export)}")
    top = _Field(dict(export), source)
    channel = top.obj_or_none("channel")
    if channel is None:
        raise top.fail("channel", "missing (the export says which channel it is from)")
    channel_id = int(channel.id("id") or 0)
    thread = "thread" in channel.text("type").lower()
    raws = export.get("messages")
    if not isinstance(raws, Sequence) or isinstance(raws, str):
        raise top.fail("messages", f"expected a list, got {_kind(raws)}")
    out = []
    for i, raw in enumerate(raws):
        mid = raw.get("id") if isinstance(raw, dict) else None
        where = f"{source}: messages[{i}]" + (f" (id {str(mid)[:30]})" if mid is not None else "")
        message = _message(raw, where, channel_id, thread)
        if message is not None:
            out.append(message)
    return out


def guild_id(export: Mapping[str, Any], source: str) -> int:
    """The server's id (0 when the export has none: no jump links then)."""
    guild = _Field(dict(export), source).obj_or_none("guild")
    return (guild.id("id", required=False) or 0) if guild else 0


def channel_name(export: Mapping[str, Any]) -> str:
    channel = export.get("channel")
    name = channel.get("name") if isinstance(channel, dict) else None
    return name[:100] if isinstance(name, str) else ""
