"""`leadershipchat purge` and `forget` print what they redid, folder paths included: the paths
come from the database, which may be restored from elsewhere or damaged, so they are shown
escaped (never a terminal escape sequence run on the host's terminal)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store
from tests.test_retention import CONFIG, message, session

HOSTILE = "recaps\x1b]0;owned\x07\x1b[2J"  # sets the terminal's title, then clears the screen


@pytest.mark.parametrize("command", [["purge"], ["forget", "7", "--yes"]])
def test_folder_paths_from_the_database_are_printed_escaped(
    tmp_path: Path,
    write_config: Callable[..., Path],
    run_cli: Callable[..., Any],
    command: list[str],
) -> None:
    config = write_config(CONFIG + "database: chat.db\n")
    folder = tmp_path / HOSTILE
    folder.mkdir()

    async def prepare() -> None:
        async with Store(tmp_path / "chat.db") as store:
            sid = await session(store, "weekly", 4000)
            await message(store, 1, sid, 4000, author=7)
            await store.conn.execute("UPDATE sessions SET recap_dir = ?", (str(folder),))
            await store.conn.commit()

    asyncio.run(prepare())
    result = run_cli("--config", config, *command)
    assert result.code == 0, result.err
    assert "\x1b" not in result.out + result.err and "\x07" not in result.out + result.err
    assert "recaps\\x1b]0;owned\\x07\\x1b[2J: skipped: not a recap folder" in result.out
