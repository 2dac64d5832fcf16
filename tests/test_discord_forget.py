"""Forgetting through the fake Discord server: after a published recap (files, an archive site,
the recap posts, a newcomer welcome), a member's `/chat forgetme` while the bot runs, and another
member's `leadershipchat forget` while it is stopped, leave neither in any file under the recap
and site folders nor in any post of the bot the server holds (text, embeds, attachments).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.cli.main import main as cli_main
from bot.config import Settings
from bot.store import Store
from tests.fakediscord import EditRecord, FakeDiscord
from tests.test_discord_harness import (
    TIMEOUT,
    answer_of,
    bot_running,
    chat_config,
    chat_day,
    config_data,
    slash,
    starts_with,
    world,
    write_config,
    write_topic,
)

RUN_OF_SHOW: dict[str, Any] = {
    "reminders": [],
    "welcome": "0s",
    "first_question": "1s",
    "spacing": "2s",
    "last_call": "3s",
    "close": "4s",
    "late_window": "1s",
    "host_heads_up": "1s",
    "newcomer_grouping": "1s",
}
START_IN = timedelta(seconds=2)


def traces(fake: FakeDiscord, folders: list[Path], needles: list[str]) -> list[str]:
    """Each needle still found in a file under `folders` or in one of the bot's posts as the
    server holds it now (its text, embeds and attached files)."""
    found = []
    wanted = [n.encode() for n in needles]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {n.decode()}" for n in wanted if n in data]
    for post in fake.posts:
        message = fake.message(post.message_id)
        if message.deleted:
            continue
        blobs = [message.content.encode(), json.dumps(message.embeds).encode()]
        blobs += [a.content for a in message.attachments]
        found += [f"post {message.id}: {n.decode()}" for n in wanted if any(n in b for b in blobs)]
    return found


async def test_forgotten_members_leave_no_trace_in_files_or_bot_posts(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        fake = w.fake
        zed = await fake.add_member("Zephyrine")
        cara = w.guild.member("cara")
        data = config_data(
            fake, tmp_path, [chat_config(w.guild, datetime.now(UTC), run_of_show=RUN_OF_SHOW)]
        )
        config = write_config(tmp_path / "config.yaml", data)
        settings = Settings.model_validate(data)
        chat = settings.chats[0]
        write_topic(
            settings.prompts_dir,
            chat_day(chat, datetime.now(UTC) + START_IN),
            questions=("What does serving first mean to you?",),
        )
        site = tmp_path / "site"
        folders = [settings.recap_dir, site]
        zed_traces = ["Zephyrine", str(zed), "zebra-secret"]
        cara_traces = ["cara", str(cara), "quokka-secret"]

        async with bot_running(w, settings, rehearsal=START_IN) as h:
            await fake.wait_for_post(starts_with(w.ch("chat"), "Q1: "), TIMEOUT)
            said = await fake.post("Zephyrine", "chat", "A1: my zebra-secret answer")
            await fake.post("bob", "chat", f"A1: agree with <@{zed}>", reply_to=said.id)
            await fake.post("cara", "chat", "A1: my quokka-secret answer")
            await fake.react("cara", said.id, "👍")
            await fake.wait_for_post(lambda p: p.channel_id == w.ch("recaps"), TIMEOUT * 2)
            (session,) = await h.store.sessions.recent(chat.name, 1)
            async with h.engine.lock(session.id):  # the recap step has finished
                pass
            code = await asyncio.to_thread(cli_main, ["--config", str(config), "site", str(site)])
            assert code == 0
            assert len(traces(fake, folders, zed_traces)) >= 8  # the search sees them before
            assert len(traces(fake, folders, cara_traces)) >= 8

            asked = await slash(fake, "chat forgetme", user="Zephyrine")
            buttons = asked.components[0]["components"] if asked.components else []
            confirm = next(b["custom_id"] for b in buttons if b["label"] == "Erase everything")
            assert asked.message_id is not None
            yes = await fake.click_button(asked.message_id, confirm, user="Zephyrine")
            assert (await answer_of(fake, yes.id)).content.startswith("Erased everything")
            await h.bot.republisher.run()  # after the one the command started

            assert traces(fake, folders, zed_traces) == []
            assert "agree with @former-member" in recap_text(settings)

        # The bot is stopped: the command line erases, rewrites the files, leaves the posts.
        code = await asyncio.to_thread(
            cli_main, ["--config", str(config), "forget", str(cara), "--yes"]
        )
        assert code == 0
        left = traces(fake, folders, cara_traces)
        assert left and all(trace.startswith("post ") for trace in left)

        edits = len(fake.edits)
        async with bot_running(w, settings) as h:
            # at start-up, without being asked: the posts the command line left
            await fake.wait_for_action(kind=EditRecord, after=edits, timeout=TIMEOUT)
            await h.bot.republisher.run()
            assert traces(fake, folders, cara_traces + zed_traces) == []
            assert "agree with @former-member" in recap_text(settings)
        async with Store(settings.database) as store:
            done = await store.redo.recent()
        assert {r.reason for r in done} == {"forget"}
        assert all(r.files_at and r.posts_at for r in done)
        assert any("recap post(s) edited" in (r.posts_note or "") for r in done)


def recap_text(settings: Settings) -> str:
    return "".join(p.read_text() for p in settings.recap_dir.rglob("recap.md"))


async def test_forgetme_answers_in_time_when_the_erasure_takes_long(tmp_path: Path) -> None:
    """Discord drops an interaction not answered within 3 s (here 0.5 s): the confirmation is
    acknowledged at once, and the report replaces the question when the erasure is done."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        erase = h.store.privacy.erase_member
        erasing = asyncio.Event()

        async def slow_erasure(user_id: int) -> Any:
            erasing.set()
            await asyncio.sleep(1.0)  # the database busy with a backup, say
            return await erase(user_id)

        h.store.privacy.erase_member = slow_erasure  # type: ignore[method-assign]
        w.fake.set_interaction_deadlines(initial=0.5)
        asked = await slash(w.fake, "chat forgetme", user="alice")
        buttons = asked.components[0]["components"] if asked.components else []
        confirm = next(b["custom_id"] for b in buttons if b["label"] == "Erase everything")
        assert asked.message_id is not None
        yes = await w.fake.click_button(asked.message_id, confirm, user="alice")
        done = await answer_of(w.fake, yes.id)
        assert erasing.is_set()
        assert done.content.startswith(("Erased everything", "Nothing was stored"))
        assert w.fake.responses_to(yes.id)[0].callback_type == 6  # a deferred update


async def test_start_up_finishes_an_erasure_a_kill_interrupted(tmp_path: Path) -> None:
    """The bot was killed mid-erasure: the request was recorded, the erasure rolled back. The
    restarted bot finishes it before it listens to anything (a catch-up could otherwise store
    the member's words again), without waiting for its minute check."""
    async with world(tmp_path) as w:
        settings = w.settings()
        cara = w.guild.member("cara")
        async with Store(settings.database) as store:
            await store.members.set_remind(cara, "cara", settings.chats[0].name, True)
            await store.privacy.request_erasure(cara, datetime.now(UTC))
        async with bot_running(w, settings) as h:
            assert await h.store.privacy.pending_erasures() == []
            assert await h.store.members.get(cara) is None
            assert await h.store.members.reminded_chats(cara) == set()
