"""Capture through the fake server: a short chat with intros, labelled answers, replies, thread
answers, an edit, a delete and reactions, checked against what the engine stored.

Members act on the bot's cues like people do, a moment after a post rather than the instant it
appears: they answer a question once the hosts' heads-up for the next one has gone out, and post
late once the server's event is marked completed. Nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.discord.cogs import drain_capture
from bot.domain.sessions import SessionRow, SessionStatus
from bot.store import Store
from tests.fakediscord import ScheduledEventRecord, ThreadRecord
from tests.test_discord_harness import (
    TIMEOUT,
    Harness,
    bot_running,
    chat_day,
    slash,
    starts_with,
    world,
    write_topic,
)

RUN_OF_SHOW: dict[str, Any] = {
    "reminders": [],
    "welcome": "0s",
    "first_question": "2s",
    "spacing": "2s",
    "last_call": "7s",
    "close": "8s",
    "late_window": "2s",
    "host_heads_up": "1s",
    "newcomer_grouping": "1s",
}
START_IN = timedelta(seconds=2)


def ended(record: ScheduledEventRecord) -> bool:
    """The scheduled event is marked completed once the close is recorded."""
    return record.event.get("status") == 3


async def test_a_chat_is_captured_with_threads_edits_deletes_reactions_and_late_answers(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        settings = w.settings(run_of_show=RUN_OF_SHOW, answers_in_threads=True)
        chat = settings.chats[0]
        write_topic(settings.prompts_dir, chat_day(chat, datetime.now(UTC) + START_IN))
        fake, chat_id, hosts = w.fake, w.ch("chat"), w.ch("hosts")
        role, bob_id = w.guild.role("notify"), w.guild.member("bob")
        async with bot_running(w, settings, rehearsal=START_IN) as h:
            await fake.wait_for_post(starts_with(chat_id, "Welcome"), TIMEOUT)
            await fake.wait_for_post(starts_with(hosts, "Heads-up: Q1"), TIMEOUT)
            intro = await fake.post("alice", "chat", "Hi! Alice, joining from Lisbon")
            q1 = await fake.wait_for_post(starts_with(chat_id, "Q1: "), TIMEOUT)
            thread = await fake.wait_for_action(
                lambda t: t.message_id == q1.message_id, kind=ThreadRecord, timeout=TIMEOUT
            )
            await fake.wait_for_post(starts_with(hosts, "Heads-up: Q2"), TIMEOUT)
            typo = await fake.post("bob", "chat", "A1 listening fisrt")
            by_reply = await fake.post("cara", "chat", "Removing obstacles", reply_to=q1.message_id)
            in_thread = await fake.post(
                "alice", "chat", "Serving is asking", thread=thread.thread_id
            )
            pinged = await fake.post(
                "dan", "chat", f"A1: @everyone @here <@&{role}> <@{bob_id}> listen to people"
            )
            oops = await fake.post("dan", "chat", "A1: wrong window")
            talk = await fake.post("bob", "chat", "so true", reply_to=by_reply.id)
            by_host = await fake.post("hana", "chat", "Great answers, everyone!")
            await fake.edit(typo.id, "A1: listening first")
            await fake.delete(oops.id)
            await fake.react("alice", typo.id, "👍")
            await fake.react("cara", typo.id, "🔥")
            await fake.unreact("cara", typo.id, "🔥")
            await fake.wait_for_post(starts_with(hosts, "Heads-up: Q3"), TIMEOUT)
            second = await fake.post("cara", "chat", "A2: my first manager")
            await fake.wait_for_post(starts_with(chat_id, "That's a wrap"), TIMEOUT)
            await fake.wait_for_action(ended, kind=ScheduledEventRecord, timeout=TIMEOUT)
            late = await fake.post("bob", "chat", "A3: late, but: ask more")
            recap = await fake.wait_for_post(lambda p: p.channel_id == w.ch("recaps"), TIMEOUT * 2)

            assert h.bot.is_ready()
        # closing waits for the recap in flight, so the store is final now
        async with Store(settings.database) as store:
            (session,) = await store.sessions.recent(chat.name, 1)
            assert session.status is SessionStatus.RECAPPED
            stored = {
                m.id: m for m in await store.messages.for_session(session.id, include_deleted=True)
            }

    def kind(message_id: int) -> tuple[str, tuple[int, ...]]:
        a = stored[message_id].attribution
        return a.kind, a.questions

    assert kind(intro.id) == ("intro", ())
    assert kind(typo.id) == ("answer", (1,))
    assert stored[typo.id].content == "A1: listening first" and stored[typo.id].edited_at
    assert kind(by_reply.id)[1] == (1,)
    assert kind(in_thread.id)[1] == (1,)
    assert stored[in_thread.id].thread_id == thread.thread_id
    assert stored[in_thread.id].channel_id == chat_id
    assert kind(pinged.id) == ("answer", (1,))
    assert stored[oops.id].deleted_at is not None and stored[oops.id].content is None
    assert kind(talk.id) == ("discussion", (1,))
    assert stored[by_host.id].author_is_host and not stored[typo.id].author_is_host
    assert stored[typo.id].reactions == 1
    assert kind(second.id) == ("answer", (2,))
    assert stored[late.id].attribution.late
    assert stored[intro.id].jump_url and str(intro.id) in stored[intro.id].jump_url
    # the recap quotes the pings without pinging anyone
    everything = [p for p in fake.posts if p.received_at >= recap.received_at]
    assert all(p.allowed_mentions == {"parse": []} for p in everything)
    for post in everything:
        message = fake.message(post.message_id)
        assert not message.mention_everyone and not message.mention_ids
        assert not message.mention_role_ids


async def test_reconnects_catch_up_on_missed_messages_without_counting_twice(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            fake = w.fake
            session = await started_now(h)
            alice, bob = w.guild.member("alice"), w.guild.member("bob")
            # resumable: the missed events are replayed, and the backfill after RESUMED overlaps them
            async with fake.gateway_held():
                await fake.drop_websocket(resumable=True)
                await fake.wait_for_gateway("CONNECT", count=2, timeout=TIMEOUT)
                replayed = await fake.post("alice", "chat", "Hi, Alice, while you reconnect")
            await fake.wait_for_gateway("RESUMED", timeout=TIMEOUT)
            # not resumable: a fresh IDENTIFY, READY again, and only the backfill finds it
            async with fake.gateway_held():
                await fake.drop_websocket(resumable=False)
                await fake.wait_for_gateway("CONNECT", count=3, timeout=TIMEOUT)
                missed = await fake.post("bob", "chat", "Bob here, posted while you were gone")
            await fake.wait_for_gateway("READY", count=2, timeout=TIMEOUT)
            await slash(fake, "chathost status", user="hana")
        async with Store(settings.database) as store:
            stored = {m.id: m for m in await store.messages.for_session(session.id)}
            counts = {p.user_id: p.messages for p in await store.members.for_session(session.id)}
    assert {replayed.id, missed.id} <= set(stored)
    assert stored[missed.id].attribution.kind == "intro"
    assert counts == {alice: 1, bob: 1}


def status_is(code: int) -> Any:
    return lambda r: r.event.get("status") == code


async def started_now(h: Harness) -> SessionRow:
    """A session planned for later, started now by a host (`/chathost start`)."""
    session = await h.engine.plan_session(h.chat.name, datetime.now(UTC) + timedelta(hours=1))
    await slash(h.fake, "chathost start", user="hana")
    await h.fake.wait_for_action(status_is(2), kind=ScheduledEventRecord, timeout=TIMEOUT)
    return session


async def test_a_fresh_session_catches_up_on_edits_deletes_and_threads_from_while_away(
    tmp_path: Path,
) -> None:
    """Discord cannot resume: what members edited, deleted and started meanwhile (a thread of
    their own) is read back from history and the active threads list."""
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            fake = w.fake
            session = await started_now(h)
            hello = await fake.post("alice", "chat", "Hi, Alice here")
            regret = await fake.post("bob", "chat", "Bob here, something I regret")
            corner = await fake.start_thread("cara", "chat", "Cara's corner")
            early = await fake.post("cara", "chat", "Cara here, in my own thread", thread=corner)
            await slash(fake, "chathost status", user="hana")  # the messages have reached the bot
            await drain_capture(h.bot)
            async with fake.gateway_held():
                await fake.drop_websocket(resumable=False)
                await fake.wait_for_gateway("CONNECT", count=2, timeout=TIMEOUT)
                await fake.edit(hello.id, "Hi, Alice here, from Lisbon")
                await fake.delete(regret.id)
                later = await fake.post(
                    "dan", "chat", "Dan here, replying in Cara's", thread=corner
                )
                another = await fake.start_thread("dan", "chat", "Dan's den")
                offline = await fake.post("dan", "chat", "Dan here, my den", thread=another)
            await fake.wait_for_gateway("READY", count=2, timeout=TIMEOUT)
            await asyncio.wait_for(h.engine.catch_up.done.wait(), TIMEOUT)
            stored = {
                m.id: m
                for m in await h.store.messages.for_session(session.id, include_deleted=True)
            }
            people = {p.user_id for p in await h.store.members.for_session(session.id)}
    assert stored[hello.id].content == "Hi, Alice here, from Lisbon" and stored[hello.id].edited_at
    assert stored[regret.id].deleted_at is not None and stored[regret.id].content is None
    assert stored[early.id].thread_id == corner
    assert stored[later.id].thread_id == corner
    assert stored[offline.id].thread_id == another
    assert w.guild.member("bob") not in people  # his only message is gone
    assert {w.guild.member(n) for n in ("alice", "cara", "dan")} <= people


async def test_a_full_capture_queue_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker stalls (a slow database). Past the bound, new messages, edits and deletions
    stay in Discord instead of memory, and are read back once the worker has caught up."""
    caplog.set_level(logging.INFO, "bot.discord.cogs.capture")
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            fake = w.fake
            session = await started_now(h)
            cog: Any = h.bot.get_cog("CaptureCog")  # a loaded extension: its own module
            assert cog is not None
            monkeypatch.setattr(cog, "queue_limit", 3)
            gate, caught_up, deepest = asyncio.Event(), asyncio.Event(), [0]
            seen = {"message": asyncio.Event(), "edit": asyncio.Event(), "delete": asyncio.Event()}
            real_handle, real_catch_up = h.engine.capture.handle_many, cog._catch_up

            async def stalled(events: Any) -> Any:
                await gate.wait()
                return await real_handle(events)

            async def catch_up() -> None:
                await real_catch_up()
                caught_up.set()

            monkeypatch.setattr(h.engine.capture, "handle_many", stalled)
            monkeypatch.setattr(cog, "_catch_up", catch_up)
            posts = [("alice", f"A1: message {i}") for i in range(6)]
            posts += [("bob", f"A1: another {i}") for i in range(6)]

            def counted(message: Any) -> None:  # an intake hook after capture's own
                deepest[0] = max(deepest[0], cog._queue.qsize())
                if message.content == posts[-1][1]:
                    seen["message"].set()

            async def edited(_: Any) -> None:  # listeners run after the cog's (added later)
                seen["edit"].set()

            async def deleted(_: Any) -> None:
                seen["delete"].set()

            h.bot.intake.add(counted)
            h.bot.add_listener(edited, "on_raw_message_edit")
            h.bot.add_listener(deleted, "on_raw_message_delete")
            sent = [await fake.post(who, "chat", text) for who, text in posts]
            await asyncio.wait_for(seen["message"].wait(), TIMEOUT)
            await fake.edit(sent[0].id, "A1: message 0, said better")
            await fake.delete(sent[1].id)
            await asyncio.wait_for(seen["edit"].wait(), TIMEOUT)
            await asyncio.wait_for(seen["delete"].wait(), TIMEOUT)
            gate.set()
            await asyncio.wait_for(caught_up.wait(), TIMEOUT)
            await slash(fake, "chathost status", user="hana")
            await asyncio.wait_for(cog.drain(), TIMEOUT)
            stored = {
                m.id: m
                for m in await h.store.messages.for_session(session.id, include_deleted=True)
            }
            counts = {p.user_id: p.messages for p in await h.store.members.for_session(session.id)}
    assert deepest[0] <= 3, "the queue stayed within its bound"
    assert {m.id for m in sent} <= set(stored)
    assert stored[sent[0].id].content == "A1: message 0, said better"
    assert stored[sent[1].id].deleted_at is not None
    assert counts == {w.guild.member("alice"): 5, w.guild.member("bob"): 6}
    assert "are read back from channel history" in caplog.text
    assert "capture caught up" in caplog.text
