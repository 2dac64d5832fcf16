"""load_recap_input: the recap of a session read back from the real database is the same recap
the pure builder makes from the rows the bot stored."""

from __future__ import annotations

import json

import pytest

from bot.recap.build import build_recap
from bot.recap.export import render_json
from bot.recap.inputs import load_recap_input
from bot.store import Store
from tests.fixtures.recap import scenario as sc


async def test_recap_from_the_database_matches_the_scenario(store: Store) -> None:
    await sc.fill_store(store)
    from_db = json.loads(
        render_json(
            build_recap(await load_recap_input(store.recap_source, sc.SESSION, sc.chat_settings()))
        )
    )
    expected = json.loads(render_json(build_recap(sc.stored_input())))
    assert from_db == expected


async def test_unknown_session(store: Store) -> None:
    with pytest.raises(LookupError, match="no session with id 99"):
        await load_recap_input(store.recap_source, 99)


async def test_without_chat_settings_times_are_utc_and_links_come_from_messages(
    store: Store,
) -> None:
    await sc.fill_store(store)
    recap = build_recap(await load_recap_input(store.recap_source, sc.SESSION))
    assert recap.timezone == "UTC" and recap.hashtag is None
    assert recap.questions[0].jump_url == sc.jump_url(sc.question_post_id(1))
