"""The bot against what Discord refuses (the fake enforces it the same way): permissions taken
away by channel overwrites, the interaction deadlines, upload sizes, rate limits, scheduled
events in the past, and a thread that already exists. Each time the bot copes: it reports or
logs, and the chat goes on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.discord.sync import sync_commands
from bot.transport import Outgoing, OutgoingFile, TransportError
from tests.fakediscord import ChannelType, DeleteRecord, FakeDiscord, Perm
from tests.fakediscord.ratelimit import RateLimits
from tests.test_discord_harness import (
    TIMEOUT,
    bot_running,
    slash,
    starts_with,
    world,
)

MiB = 1024 * 1024


async def test_permissions_taken_away_by_overwrites_are_reported_and_the_chat_goes_on(
    tmp_path: Path,
) -> None:
    """No Manage Events on the server, no Manage Messages in the chat channel, no Send Messages
    in the announcements: each refusal is a 403 50013, and each is reported where a host sees
    it while the chat itself runs."""
    server = Perm.BOT_DEFAULT & ~(Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS)
    moderation = {"flood": {"messages": 2, "seconds": "1s"}}
    async with world(tmp_path, bot_permissions=server) as w:
        bot_role = w.guild.bot_role_id
        await w.fake.set_overwrite(w.ch("chat"), bot_role, deny=Perm.MANAGE_MESSAGES)
        await w.fake.set_overwrite(w.ch("announce"), bot_role, deny=Perm.SEND_MESSAGES)
        async with bot_running(w, w.settings(moderation=moderation)) as h:
            # reminders are due 4 s and 2 s before the start: in the announcements
            await h.engine.plan_session(h.chat.name, datetime.now(UTC) + timedelta(seconds=5))
            told = await w.fake.wait_for_post(
                starts_with(w.ch("hosts"), "I could not post"), TIMEOUT
            )
            await w.fake.wait_for_post(starts_with(w.ch("chat"), "Welcome"), TIMEOUT)
            for i in range(3):
                await w.fake.post("dan", "chat", f"flood {i}")
            first = await w.fake.wait_for_post(starts_with(w.ch("modlog"), "**flood**"), TIMEOUT)
        refused = [r for r in w.fake.requests if r.status == 403]
    assert "could not delete (403)" in first.content
    assert not [a for a in w.fake.actions if isinstance(a, DeleteRecord)]
    assert {(r.method, r.path.split("/")[1]) for r in refused} >= {
        ("POST", "guilds"),  # the scheduled event
        ("DELETE", "channels"),  # the flood messages
        ("POST", "channels"),  # the reminder in the announcements
    }
    assert "reminder" in told.content and "403" in told.content


async def test_a_late_answer_and_an_expired_token_are_logged_and_the_next_command_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()):
        w.fake.set_interaction_deadlines(initial=0.0)  # every first answer comes too late
        await w.fake.invoke_slash_command("chat help", user="alice", channel="chat")
        await wait_for_status(w.fake, "/interactions/**", 404, count=2)  # the answer, the apology
        w.fake.set_interaction_deadlines(token=0.0)  # followups come after the token expired
        status = await w.fake.invoke_slash_command("chathost status", user="hana", channel="chat")
        await wait_for_status(w.fake, "/webhooks/**", 401, count=2)
        w.fake.set_interaction_deadlines()
        assert "How #LeadershipChat works" in (await slash(w.fake, "chat help", user="bob")).content
    assert [r.callback_type for r in w.fake.responses_to(status.id)] == [5]  # deferred in time
    assert "could not tell the member about an error" in caplog.text


async def wait_for_status(fake: FakeDiscord, route: str, status: int, *, count: int) -> None:
    after = 0
    for _ in range(count):
        found = await fake.wait_for_request("*", route, status=status, after=after)
        after = fake.requests.index(found) + 1


async def test_a_file_over_the_upload_limit_is_refused_without_retrying(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        lounge = w.ch("lounge")
        big = OutgoingFile("transcript.html", b"x" * (10 * MiB + 1))
        with pytest.raises(TransportError) as refused:
            await h.bot.transport.post(Outgoing(lounge, "recap", files=(big,)))
        fits = OutgoingFile("transcript.html", b"x" * (10 * MiB))
        await h.bot.transport.post(Outgoing(lounge, "recap", files=(fits,)))
    assert refused.value.status == 413 and not refused.value.retryable
    assert [len(p.attachments[0].content) for p in w.fake.posts if p.channel_id == lounge] == [
        10 * MiB
    ]


async def test_rate_limits_pace_a_burst_without_losing_or_doubling_a_post(tmp_path: Path) -> None:
    """Discord's numbers (5 posts per 5 s per channel) and a tight global limit: discord.py
    reads the X-RateLimit-* headers and the 429s, waits, and every post lands once."""
    limits = RateLimits.realistic(global_count=4)
    async with world(tmp_path, rate_limits=limits) as w, bot_running(w, w.settings()) as h:
        headers = await raw_headers(w.fake.api_base + "/users/@me", w.fake.token)
        lounge = w.ch("lounge")
        sent = await asyncio.gather(
            *(h.bot.transport.post(Outgoing(lounge, f"post {i}", nonce=f"n{i}")) for i in range(8))
        )
        refusals = w.fake.rate_limit_refusals
    posts = [p for p in w.fake.posts if p.channel_id == lounge]
    assert sorted(p.content for p in posts) == sorted(f"post {i}" for i in range(8))
    assert len({s.message_id for s in sent}) == 8 and all(p.duplicates == 0 for p in posts)
    assert refusals["user"] + refusals["global"] >= 1  # the limits were really in force
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Bucket"} <= set(headers)


async def raw_headers(url: str, token: str) -> dict[str, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, headers={"Authorization": f"Bot {token}"}) as response,
    ):
        return dict(response.headers)


async def test_an_event_is_never_asked_to_start_in_the_past_and_the_chat_is_planned(
    tmp_path: Path,
) -> None:
    """Discord refuses a start in the past: a chat already over gets no event, one that started
    a moment ago gets one that starts just ahead of now (the welcome makes it live)."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        now = datetime.now(UTC)
        over = await h.engine.plan_session(h.chat.name, now - timedelta(days=1))
        running = await h.engine.plan_session(h.chat.name, now - timedelta(seconds=2))
        stored = {s.id: await h.store.sessions.get(s.id) for s in (over, running)}
    created = [r for r in w.fake.requests if r.path.endswith("/scheduled-events")]
    assert [r.status for r in created] == [200]  # nothing Discord would refuse
    (event,) = w.fake.scheduled_events(w.guild.id)
    assert datetime.fromisoformat(event["scheduled_start_time"]) > now
    assert stored[over.id] is not None and stored[over.id].event_id is None
    assert stored[running.id] is not None and stored[running.id].event_id == int(event["id"])


async def test_a_thread_that_already_exists_on_the_message_is_reused(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        recaps = w.ch("recaps")
        posted = await h.bot.transport.post(Outgoing(recaps, "Recap of tonight"))
        members_thread = await w.fake.start_thread(
            "alice", "recaps", "Answers", message_id=posted.message_id
        )
        thread = await h.bot.transport.create_thread(recaps, posted.message_id, "Recap")
        await h.bot.transport.post(Outgoing(thread, "Q1 answers"))
    assert thread == members_thread
    assert [r.status for r in w.fake.requests if r.path.endswith("/threads")] == [400]
    assert [p.content for p in w.fake.posts if p.channel_id == thread] == ["Q1 answers"]


async def test_the_bots_rarer_calls_pass_validation_too(tmp_path: Path) -> None:
    """A DM to someone not cached (and reading it back), the history of a channel not cached, and a global command
    sync: operations the chat tests seldom reach, each checked against the spec."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        stranger = w.fake._ctx.state.add_user("stranger")  # in no shared server: not cached
        assert await h.bot.transport.direct_message(stranger.id, "Reminder: chat soon")
        dms = await h.bot.transport.recent_own_dms(stranger.id, 5)
        assert [dm.content for dm in dms] == ["Reminder: chat soon"]
        hidden = w.fake._ctx.state.add_channel(w.guild.id, "hidden", ChannelType.TEXT)
        await w.fake.post("alice", hidden.id, "A1: from a channel the bot never saw")
        assert [m.content for m in await h.bot.transport.history(hidden.id, None)] == [
            "A1: from a channel the bot never saw"
        ]
        discord_settings = h.settings.discord.model_copy(update={"command_sync": "global"})
        await sync_commands(h.bot.tree, h.settings.model_copy(update={"discord": discord_settings}))
    ops = [op for op, n in w.fake.conformance.checked.items() if n]
    assert {
        "get_user",
        "create_dm",
        "get_channel",
        "list_messages",
        "bulk_set_application_commands",
    } <= set(ops)
