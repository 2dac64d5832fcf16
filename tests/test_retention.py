"""Retention: old message text goes, recent text and every count stay, per chat, idempotently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings, load_settings
from bot.domain.messages import Attributed, MessageRow
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.maintenance.retention import purge_expired
from bot.store import Store

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
CONFIG = """
chats:
  - name: weekly
    guild_id: 1
    channels: {chat: 10}
    privacy: {retention_days: 30}
  - name: monthly
    guild_id: 1
    channels: {chat: 20}
    privacy: {retention_days: 90}
"""


def load(write_config: Callable[..., Path]) -> Settings:
    return load_settings(write_config(CONFIG))


async def session(store: Store, chat: str, days_ago: int) -> int:
    start = NOW - timedelta(days=days_ago)
    topic = SessionTopic("t", (SessionQuestion("q"),))
    row = await store.sessions.create(
        chat, date.fromordinal(start.toordinal()), start, topic, start
    )
    return row.id


async def message(
    store: Store, mid: int, session_id: int | None, days_ago: float, author: int = 7
) -> None:
    at = NOW - timedelta(days=days_ago)
    await store.messages.add(
        MessageRow(
            id=mid,
            session_id=session_id,
            channel_id=10,
            author_id=author,
            author_name="Ann",
            content=f"A1: text {mid}",
            created_at=at,
            attribution=Attributed("answer", (1,), ("A1",)),
        )
    )
    if session_id is not None:
        await store.members.record_message(session_id, author, "Ann", at, answer=True)


async def text(store: Store, mid: int) -> str | None:
    row = await store.messages.get(mid)
    assert row is not None, "purging never deletes rows"
    return row.content


async def test_old_text_is_purged_recent_text_and_counts_kept(
    store: Store, write_config: Callable[..., Path]
) -> None:
    settings = load(write_config)
    weekly_old = await session(store, "weekly", 40)
    weekly_new = await session(store, "weekly", 10)
    monthly_old = await session(store, "monthly", 40)
    await message(store, 1, weekly_old, 40)
    await message(store, 2, weekly_old, 40, author=8)
    await message(store, 3, weekly_new, 10)
    await message(store, 4, monthly_old, 40)  # inside the monthly chat's 90 days
    await store.messages.add_reaction(1, 8, "👍")

    assert await purge_expired(store, settings, NOW) == 2

    assert await text(store, 1) is None and await text(store, 2) is None
    assert await text(store, 3) == "A1: text 3"
    assert await text(store, 4) == "A1: text 4"
    purged = await store.messages.get(1)
    assert purged is not None
    assert purged.attribution.questions == (1,) and purged.reactions == 1
    counts = await store.members.for_session(weekly_old)
    assert [(p.user_id, p.messages, p.answers) for p in counts] == [(7, 1, 1), (8, 1, 1)]
    member = await store.members.get(7)
    assert member is not None and member.sessions_count == 3


async def test_purge_is_idempotent_and_moves_with_now(
    store: Store, write_config: Callable[..., Path]
) -> None:
    settings = load(write_config)
    sid = await session(store, "monthly", 80)
    await message(store, 1, sid, 80)
    assert await purge_expired(store, settings, NOW) == 0
    assert await purge_expired(store, settings, NOW + timedelta(days=9)) == 0
    assert await purge_expired(store, settings, NOW + timedelta(days=11)) == 1
    assert await purge_expired(store, settings, NOW + timedelta(days=11)) == 0


async def test_messages_outside_configured_chats_get_the_shortest_retention(
    store: Store, write_config: Callable[..., Path]
) -> None:
    settings = load(write_config)
    gone_chat = await session(store, "retired-chat", 35)
    await message(store, 1, None, 35)
    await message(store, 2, gone_chat, 35)
    await message(store, 3, None, 20)
    assert await purge_expired(store, settings, NOW) == 2
    assert await text(store, 1) is None and await text(store, 2) is None
    assert await text(store, 3) == "A1: text 3"


def test_purge_command(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    path = write_config(CONFIG + "database: chat.db\n")

    async def prepare() -> None:
        async with Store(tmp_path / "chat.db") as store:
            await message(store, 1, await session(store, "weekly", 4000), 4000)

    async def purged() -> str | None:
        async with Store(tmp_path / "chat.db") as store:
            return await text(store, 1)

    asyncio.run(prepare())
    result = run_cli("--config", path, "purge")
    assert result.code == 0, result.err
    assert "purged the text of 1 message(s)" in result.out
    assert asyncio.run(purged()) is None


def test_purge_command_needs_an_existing_database(
    write_config: Callable[..., Path], run_cli: Callable[..., Any]
) -> None:
    result = run_cli("--config", write_config(CONFIG + "database: none.db\n"), "purge")
    assert result.code == 2 and "no database at" in result.err
