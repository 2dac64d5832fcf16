"""Members' own changes: opting out is one transaction (flag, redo queue, text) or nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app.members import MemberSettings
from bot.domain.messages import Attributed, MessageRow
from bot.store import Store
from bot.store.privacy import Privacy

AT = datetime(2026, 12, 2, 1, 5, tzinfo=UTC)


async def _with_a_message(store: Store) -> None:
    await store.messages.add(
        MessageRow(1, None, 20, 7, "Al", "A1: mine", AT, Attributed("answer", (1,), ("A1",)))
    )
    await store.members.ensure(7, "Al")


async def test_opting_out_drops_the_text_and_asks_for_the_copies_to_be_redone(
    tmp_path: Path,
) -> None:
    redone: list[bool] = []
    async with Store(tmp_path / "m.db") as store:
        await _with_a_message(store)
        members = MemberSettings(store, lambda: redone.append(True))
        assert await members.opt_out(7, "Al") == 1
        al = await store.members.get(7)
        assert al is not None and al.opted_out
        stored = await store.messages.get(1)
        assert stored is not None and stored.content is None
        assert redone == [True]
        await members.opt_in(7, "Al")
        al = await store.members.get(7)
        assert al is not None and not al.opted_out


async def test_an_opt_out_that_fails_half_way_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, `/chat optout` set the flag and then cleared the text in separate statements: a
    failure in between left a member marked out whose words were still quoted."""

    async def disk_full(self: Privacy, user_id: int) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    async with Store(tmp_path / "m.db") as store:
        await _with_a_message(store)
        monkeypatch.setattr(Privacy, "opt_out", disk_full)
        members = MemberSettings(store, lambda: None)
        with pytest.raises(sqlite3.OperationalError):
            await members.opt_out(7, "Al")
        al = await store.members.get(7)
        assert al is not None and not al.opted_out
        stored = await store.messages.get(1)
        assert stored is not None and stored.content == "A1: mine"
