"""How Python values are written to SQLite columns: UTC ISO text for times, joined text for lists,
JSON for the topic snapshot."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime

from bot.domain.topics import SessionQuestion, SessionTopic


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
