"""How Python values are written to SQLite columns: UTC ISO text for times, joined text for lists,
JSON for the topic snapshot."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from bot.damaged_row import DamagedRow
from bot.domain.topics import SessionQuestion, SessionTopic

T = TypeVar("T")


def _by_id(r: Any) -> object:
    return r["id"]


def reads_row(
    table: str, key: Callable[[Any], object] = _by_id
) -> Callable[[Callable[[Any], T]], Callable[[Any], T]]:
    """Decorate a row mapper: a value it cannot convert is a DamagedRow naming table and row."""

    def wrap(mapper: Callable[[Any], T]) -> Callable[[Any], T]:
        @functools.wraps(mapper)
        def read(r: Any) -> T:
            try:
                return mapper(r)
            except json.JSONDecodeError as exc:
                raise DamagedRow(table, _key(r, key), f"not valid JSON: {exc}") from None
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise DamagedRow(table, _key(r, key), _short(str(exc))) from None

        return read

    return wrap


def _key(r: Any, key: Callable[[Any], object]) -> object:
    try:
        return key(r)
    except (IndexError, KeyError):
        return "?"


def damaged(table: str, row_id: object, exc: Exception) -> DamagedRow:
    """The DamagedRow for an error met while converting one row by hand (a fast reader)."""
    return DamagedRow(table, row_id, _short(str(exc)))


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:199] + "…"


def count(value: object) -> int:
    """A stored count (SQLite keeps whatever it is given in a column declared INTEGER)."""
    if type(value) is not int:
        raise TypeError(f"{value!r} is not a whole number")
    return value


def to_db(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime: every stored time is aware UTC")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def required_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def date_from_db(value: str) -> date:
    return date.fromisoformat(value)


def join_ints(values: tuple[int, ...]) -> str:
    return ",".join(str(v) for v in values)


def split_ints(value: str) -> tuple[int, ...]:
    return tuple(int(v) for v in value.split(",") if v)


def join_texts(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def split_texts(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("\n") if v)


def topic_to_json(topic: SessionTopic) -> str:
    return json.dumps(asdict(topic), ensure_ascii=False)


def topic_from_json(text: str) -> SessionTopic:
    data = json.loads(text)
    data["questions"] = tuple(SessionQuestion(**q) for q in data.get("questions", ()))
    data["hosts"] = tuple(data.get("hosts", ()))
    return SessionTopic(**data)
