"""The bot's start-up and its transport, through the fake Discord server with real discord.py."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from bot.config import BackupSettings, Settings
from bot.discord.transport import DiscordTransport
from bot.discord.views import REMIND_ID, RemindButton
from bot.maintenance.heartbeat import check_health
from bot.transport import (
    EventEdit,
    EventSpec,
    Outgoing,
    OutgoingFile,
    Presence,
    TransportError,
)
from tests.fakediscord import Perm
from tests.test_discord_harness import (
    TIMEOUT,
    World,
    answer_of,
    bot_running,
    slash,
    world,
)


async def test_start_up_syncs_guild_commands_and_finds_no_problems(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with world(tmp_path) as w:
        settings = w.settings().model_copy(
            update={"backup": BackupSettings(dir=tmp_path / "backups", nightly_at=time(3, 30))}
        )
        old_chat = await register_old_commands(w)
        async with bot_running(w, settings) as h:
            sync = await w.fake.wait_for_commands("chathost", timeout=TIMEOUT)
            assert sync.guild_id == w.guild.id
            commands = {c["name"]: c for c in sync.commands}
            assert set(commands) == {"chat", "chathost", "Hide from recap"}
            hosts, members = commands["chathost"], commands["chat"]
            # Discord hides /chathost from members without Manage Server (it applies
            # default_member_permissions to top-level commands only); /chat is for everyone
            assert int(hosts["default_member_permissions"]) == Perm.MANAGE_GUILD
            assert members["default_member_permissions"] is None
            host_subs = {o["name"] for o in hosts["options"]}
            member_subs = {o["name"] for o in members["options"]}
            assert {"start", "pause", "next", "extend", "end", "topic", "draft"} <= host_subs
            assert member_subs == {"optout", "optin", "remind", "mystats", "forgetme", "help"}
            # the sync replaced the old /chat that carried the host commands, under its id
            assert members["id"] == old_chat["id"]
            assert {c["name"] for c in w.fake.commands(w.guild.id)} == set(commands)
            assert not w.fake.commands(None), "no global sync on start"
            assert await h.bot.check_setup() == []
            assert not [p for p in w.fake.posts if p.channel_id == w.ch("hosts")]
            jobs = h.bot.trigger.job_ids()
            assert {"planner", "upkeep:retention-purge", "upkeep:nightly-backup"} <= jobs
            await asyncio.wait_for(h.bot.caught_up.wait(), TIMEOUT)
            assert check_health(settings.database, datetime.now(UTC)).ok  # beat on connect
    assert "every channel, role and permission is in place" in caplog.text


async def register_old_commands(w: World) -> dict[str, Any]:
    """What an earlier version registered: one /chat group with host and member commands."""
    sub = [{"type": 1, "name": name, "description": name} for name in ("pause", "skip", "optout")]
    old = [{"name": "chat", "description": "The weekly chat", "options": sub}]
    url = f"{w.fake.api_base}/applications/{w.fake.application_id}/guilds/{w.guild.id}/commands"
    async with (
        aiohttp.ClientSession() as http,
        http.put(url, json=old, headers={"Authorization": f"Bot {w.fake.token}"}) as response,
    ):
        assert response.status == 200
        (chat,) = await response.json()
    return dict(chat)


async def test_missing_permissions_and_roles_are_reported_to_hosts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as w:
        await w.fake.set_overwrite(w.ch("chat"), w.guild.bot_role_id, deny=Perm.EMBED_LINKS)
        channels = {
            "chat": w.ch("chat"),
            "host": w.ch("hosts"),
            "mod_log": 987654321,
        }
        settings = w.settings(notify_role_id=123456789, channels=channels)
        async with bot_running(w, settings):
            report = await w.fake.wait_for_post(lambda p: p.channel_id == w.ch("hosts"), TIMEOUT)
    assert "Embed Links in #chat" in report.content
    assert "give the bot's role Embed Links" in report.content
    assert "notify_role_id 123456789 is not a role" in report.content
    assert "channels.mod_log (987654321) does not exist" in report.content
    assert report.allowed_mentions == {"parse": []}
    assert "Embed Links" in caplog.text


async def test_hosts_are_told_when_discord_hides_chathost_from_the_host_role(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        await w.fake.set_command_permissions(None, [])  # no admin allowed the role yet
        async with bot_running(w, w.settings()) as h:
            report = await w.fake.wait_for_post(lambda p: p.channel_id == w.ch("hosts"), TIMEOUT)
            assert "members with the host role @host do not see /chathost" in report.content
            assert "Server Settings > Integrations > FakeBot > /chathost" in report.content
            await w.fake.set_command_permissions("chathost", [("host", True)])
            assert await h.bot.check_setup() == []  # allowed on the command itself: fine


async def test_post_sends_nonce_safe_mentions_embeds_files_and_the_remind_button(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            out = Outgoing(
                w.ch("announce"),
                f"<@&{w.guild.role('notify')}> @everyone chat soon",
                embeds=({"title": "Topic", "description": "Serving first"},),
                files=(OutgoingFile("notes.md", b"# notes"),),
                nonce="abc123",
                mention_role_ids=(w.guild.role("notify"),),
                remind_chat="leadershipchat",
            )
            first = await h.bot.transport.post(out)
            again = await h.bot.transport.post(out)  # a resend after a crash: same message
            assert again.message_id == first.message_id
            record = next(p for p in w.fake.posts if p.message_id == first.message_id)
            assert record.duplicates == 1 and len(w.fake.posts) == 1
            assert record.nonce == "abc123" and record.payload["enforce_nonce"] is True
            assert record.allowed_mentions == {"parse": [], "roles": [w.guild.role("notify")]}
            message = w.fake.message(first.message_id)
            assert message.mention_role_ids == [w.guild.role("notify")]
            assert not message.mention_everyone
            assert record.embeds[0]["title"] == "Topic"
            assert record.attachments[0].filename == "notes.md"
            assert record.attachments[0].content == b"# notes"
            button = record.components[0]["components"][0]
            assert button["custom_id"] == f"{REMIND_ID}:leadershipchat"


async def test_failures_become_transport_errors(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            await w.fake.forbid_sends("lounge")
            with pytest.raises(TransportError) as forbidden:
                await h.bot.transport.post(Outgoing(w.ch("lounge"), "hello"))
            assert forbidden.value.status == 403 and not forbidden.value.retryable
            w.fake.fail_next("POST", "/channels/*/messages", 503)
            with pytest.raises(TransportError) as unavailable:
                await h.bot.transport.post(Outgoing(w.ch("chat"), "hello"))
            assert unavailable.value.status == 503 and unavailable.value.retryable
            with pytest.raises(TransportError) as missing:
                await h.bot.transport.edit(w.ch("chat"), 42, "nope")
            assert missing.value.status == 404 and not missing.value.retryable


async def test_history_threads_events_and_dms(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            t = h.bot.transport
            question = await t.post(Outgoing(w.ch("chat"), "Q1: what? #LeadershipChat"))
            thread = await t.create_thread(w.ch("chat"), question.message_id, "Q1 answers")
            # again after a crash: Discord says it exists; its id is the message's
            assert await t.create_thread(w.ch("chat"), question.message_id, "Q1 answers") == thread
            intro = await w.fake.post("alice", "chat", "hi, alice here")
            reply = await w.fake.post("hana", "chat", "A1: listening", reply_to=question.message_id)
            in_thread = await w.fake.post("bob", "chat", "A1 in the thread", thread=thread)
            chat_history = await t.history(w.ch("chat"), question.message_id)
            assert [m.message_id for m in chat_history] == [intro.id, reply.id]
            assert chat_history[1].reply_to == question.message_id
            assert chat_history[1].author_is_host and not chat_history[0].author_is_host
            thread_history = await t.history(thread, None)
            assert [(m.channel_id, m.thread_id) for m in thread_history] == [(w.ch("chat"), thread)]
            assert thread_history[0].message_id == in_thread.id
            since = datetime.now(UTC) - timedelta(minutes=1)
            own = await t.recent_own_posts(w.ch("chat"), since)
            assert [p.message_id for p in own] == [question.message_id]

            start = datetime.now(UTC) + timedelta(hours=1)
            spec = EventSpec(
                "#LeadershipChat", "Serving", start, start + timedelta(hours=1), w.ch("chat")
            )
            created = await t.create_event(w.guild.id, spec)
            assert (created.status, created.start_at, created.end_at) == (
                "scheduled",
                spec.start_at,
                spec.end_at,
            )
            later = EventEdit(
                name="#LeadershipChat · Trust",
                start_at=start + timedelta(hours=2),
                end_at=start + timedelta(hours=3),
            )
            edited = await t.edit_event(w.guild.id, created.event_id, later)
            assert (edited.name, edited.start_at, edited.end_at) == (
                later.name,
                later.start_at,
                later.end_at,
            )
            assert edited.description == "Serving"  # untouched
            await t.edit_event(w.guild.id, created.event_id, EventEdit(status="active"))
            with pytest.raises(TransportError):  # Discord: the start of a live event is fixed
                await t.edit_event(w.guild.id, created.event_id, EventEdit(start_at=start))
            await t.edit_event(w.guild.id, created.event_id, EventEdit(status="completed"))
            fetched = await t.fetch_event(w.guild.id, created.event_id)
            assert fetched is not None and fetched.status == "completed"
            (event,) = w.fake.scheduled_events(w.guild.id)
            assert event["status"] == 3 and event["entity_metadata"]["location"] == "#chat"
            await w.fake.delete_scheduled_event(created.event_id)  # someone deletes it
            assert await t.fetch_event(w.guild.id, created.event_id) is None

            assert await t.direct_message(w.guild.member("cara"), "see you at 8 @everyone")
            dm = w.fake.posts[-1]
            assert dm.dm_recipient_id == w.guild.member("cara")
            assert dm.allowed_mentions == {"parse": []}


async def test_the_bots_own_dms_to_a_member_are_read_back_newest_first(tmp_path: Path) -> None:
    """How a reminder DM under way when the bot died is found after a restart: the bot's own
    messages in the member's DM channel, newest first, without the member's replies."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        t = h.bot.transport
        cara = w.guild.member("cara")
        assert await t.recent_own_dms(cara, 10) == []
        assert await t.direct_message(cara, "#LeadershipChat starts soon: **Trust**")
        await w.fake.dm_bot("cara", "thanks, see you there")
        assert await t.direct_message(cara, "#LeadershipChat starts soon: **Serving**")
        newest = [
            "#LeadershipChat starts soon: **Serving**",
            "#LeadershipChat starts soon: **Trust**",
        ]
        assert [p.content for p in await t.recent_own_dms(cara, 10)] == newest
        assert [p.content for p in await t.recent_own_dms(cara, 1)] == newest[:1]
    assert w.fake.conformance.checked["list_messages"]


async def test_a_message_is_told_readable_gone_or_unknown(tmp_path: Path) -> None:
    """What a catch-up asks when a history read comes back empty."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        t = h.bot.transport
        kept = await w.fake.post("alice", "chat", "A1: still here")
        deleted = await w.fake.post("bob", "chat", "A1: soon gone")
        await w.fake.delete(deleted.id)
        assert await t.message_presence(w.ch("chat"), kept.id) is Presence.READABLE
        assert await t.message_presence(w.ch("chat"), deleted.id) is Presence.GONE
        role = w.guild.bot_role_id
        await w.fake.set_overwrite(w.ch("chat"), role, deny=Perm.READ_MESSAGE_HISTORY)
        assert await t.message_presence(w.ch("chat"), kept.id) is Presence.UNKNOWN
        assert await t.message_presence(w.ch("chat"), deleted.id) is Presence.UNKNOWN


async def test_a_post_in_a_thread_archived_for_inactivity_is_still_edited(tmp_path: Path) -> None:
    """A forget days after the recap: its thread has auto-archived, and Discord refuses edits
    in an archived thread (50083). The bot unarchives it for the edit and archives it again."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        t = h.bot.transport
        top = await t.post(Outgoing(w.ch("recaps"), "Recap: Serving leadership"))
        thread = await t.create_thread(w.ch("recaps"), top.message_id, "Recap: the answers")
        part = await t.post(Outgoing(thread, "Q1: Zephyrine said zebra"))
        assert await w.fake.pass_idle_time(3600) == []  # a day before a thread auto-archives
        assert await w.fake.pass_idle_time(24 * 3600) == [thread]
        await t.edit(thread, part.message_id, "Q1: *(withdrawn)*")
        now = await t.fetch_post(thread, part.message_id)
        assert now is not None and now.content == "Q1: *(withdrawn)*"
        assert w.fake._channel(thread).archived  # left as it was found

        # a member posting there unarchives it, as Discord does on a send
        await w.fake.post("alice", thread, "a late answer")
        assert not w.fake._channel(thread).archived


async def test_remind_button_toggles_and_keeps_working_after_a_restart(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        chat = settings.chats[0].name
        alice = w.guild.member("alice")
        button = f"{REMIND_ID}:{chat}"
        async with bot_running(w, settings) as h:
            posted = await h.bot.transport.post(
                Outgoing(w.ch("announce"), "soon", remind_chat=chat)
            )
            click = await w.fake.click_button(posted.message_id, button, user="alice")
            answer = await answer_of(w.fake, click.id)
            assert answer.ephemeral and "Reminders on for #LeadershipChat" in answer.content
            assert await h.store.members.reminded_chats(alice) == {chat}
            # a reminder posted by an earlier version: its button names no chat
            old = await h.bot.get_partial_messageable(w.ch("announce")).send(
                "soon", view=legacy_view()
            )
        async with bot_running(w, settings) as h:  # a new process: the button is still known
            click = await w.fake.click_button(posted.message_id, button, user="alice")
            answer = await answer_of(w.fake, click.id)
            assert answer.ephemeral and "Reminders off" in answer.content
            assert await h.store.members.reminded_chats(alice) == set()
            # the old button acts on the chat announcing in its channel
            click = await w.fake.click_button(old.id, REMIND_ID, user="alice")
            answer = await answer_of(w.fake, click.id)
            assert "Reminders on for #LeadershipChat" in answer.content
            assert await h.store.members.reminded_chats(alice) == {chat}


def legacy_view() -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemindButton(None))
    return view


async def test_missing_message_content_intent_is_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            # as if the intent were off: Discord then blanks member messages
            h.bot._connection._intents.message_content = False
            await w.fake.invalidate_session()
            await w.fake.wait_for_gateway("IDENTIFY", count=2, timeout=TIMEOUT)
            await w.fake.wait_for_gateway("READY", count=2, timeout=TIMEOUT)
            for text in ("one", "two"):
                await w.fake.post("alice", "chat", text)
            await slash(w.fake, "chat help", user="bob")  # handled after the two messages
    warnings = [r for r in caplog.records if "Message Content intent" in r.getMessage()]
    assert len(warnings) == 1


async def test_own_post_is_found_in_a_busy_channel_after_an_outage(tmp_path: Path) -> None:
    """After a crash between sending and recording a step, the bot looks for its own post. In a
    busy chat 150 member messages may follow it; it must still be found (or it is posted twice)."""
    async with world(tmp_path) as w:
        settings = w.settings()
        async with bot_running(w, settings) as h:
            t = h.bot.transport
            since = datetime.now(UTC) - timedelta(minutes=1)
            for i in range(120):
                await w.fake.post("alice", "chat", f"A1: warming up {i}")
            question = await t.post(Outgoing(w.ch("chat"), "Q2: and now? #LeadershipChat"))
            for i in range(30):
                await w.fake.post("bob", "chat", f"A2: quick answer {i}")
            own = await t.recent_own_posts(w.ch("chat"), since)
            assert question.message_id in [p.message_id for p in own]


async def test_own_recap_parts_read_back_with_their_embeds_and_edit_in_place(
    tmp_path: Path,
) -> None:
    """A recap part has no text of its own: read back, its embeds tell it apart; an edit can
    replace its text, embeds and attachments."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        t = h.bot.transport
        since = datetime.now(UTC) - timedelta(minutes=1)
        part = await t.post(
            Outgoing(
                w.ch("recaps"),
                embeds=({"title": "Q1: serving?", "description": "Ana said hi"},),
                files=(OutgoingFile("t.md", b"Ana said hi"),),
            )
        )
        (own,) = await t.recent_own_posts(w.ch("recaps"), since)
        assert own.content == "" and own.embeds[0]["title"] == "Q1: serving?"
        await t.edit(
            w.ch("recaps"),
            part.message_id,
            "",
            embeds=[{"title": "Q1: serving?", "description": "someone said hi"}],
            files=[OutgoingFile("t.md", b"someone said hi")],
        )
        now = await t.fetch_post(w.ch("recaps"), part.message_id)
        assert now is not None and now.embeds[0]["description"] == "someone said hi"
        message = w.fake.message(part.message_id)
        assert [(a.filename, a.content) for a in message.attachments] == [
            ("t.md", b"someone said hi")
        ]
        assert await t.fetch_post(w.ch("recaps"), 42) is None


async def test_question_threads_open_and_threads_are_listed_before_the_gateway_is_ready(
    tmp_path: Path,
) -> None:
    """A restarted bot posts the questions that fell due while it was down before READY, when
    discord.py has no server in its cache yet: the thread must still open at once."""
    async with world(tmp_path) as w:
        transport = DiscordTransport(w.settings())
        client = discord.Client(intents=discord.Intents.none())
        transport.bind(client, discord.ui.View)
        await client.login(w.fake.token)  # REST only: no gateway, no cache
        try:
            question = await transport.post(Outgoing(w.ch("chat"), "Q1: what? #LeadershipChat"))
            thread = await transport.create_thread(w.ch("chat"), question.message_id, "Q1")
            (made,) = w.fake.threads_created
            assert made.thread_id == thread and made.message_id == question.message_id
            theirs = await w.fake.start_thread("cara", "chat", "Cara's corner")
            await w.fake.post("cara", "chat", "my own thread", thread=theirs)
            listed = await transport.threads_since(w.ch("chat"), question.message_id - 1)
            assert set(listed) == {thread, theirs}
            assert await transport.threads_since(w.ch("chat"), theirs + 10**12) == []
        finally:
            await client.close()


async def test_a_restart_puts_the_scheduled_event_right(tmp_path: Path) -> None:
    """Changes the event missed (Discord refused one, someone edited or deleted it while the
    bot was down) are put right from the ledger at start-up."""
    async with world(tmp_path) as w:
        settings = w.settings()
        start = datetime.now(UTC) + timedelta(hours=1)
        events = "/guilds/*/scheduled-events/*"

        def event() -> dict[str, Any]:
            (found,) = w.fake.scheduled_events(w.guild.id)
            return found

        async with bot_running(w, settings) as h:
            session = await h.engine.plan_session(h.chat.name, start)
            first = int(event()["id"])
            w.fake.fail_next("PATCH", events, 403)  # the change does not reach the event
            extended = await slash(w.fake, "chathost extend", {"minutes": 30}, user="hana")
            assert extended.content.startswith("Extended by 30 minutes")
            end = start + h.chat.close_offset + timedelta(minutes=30)
            assert event()["scheduled_end_time"] != end.isoformat()
        # while the bot is down, a host moves the event in Discord's app
        later = {
            "name": "Moved",
            "scheduled_start_time": (start + timedelta(hours=2)).isoformat(),
            "scheduled_end_time": (start + timedelta(hours=3)).isoformat(),
        }
        await w.fake.edit_scheduled_event(first, **later)
        async with bot_running(w, settings) as h:
            assert h.bot.reconciling is not None  # beside the start-up, not holding it up
            await asyncio.wait_for(h.bot.reconciling, TIMEOUT)
        fixed = event()
        assert int(fixed["id"]) == first and fixed["name"] == "#LeadershipChat · Open discussion"
        assert datetime.fromisoformat(fixed["scheduled_start_time"]) == start
        assert datetime.fromisoformat(fixed["scheduled_end_time"]) == end
        await w.fake.delete_scheduled_event(first)  # and someone deletes it
        async with bot_running(w, settings) as h:
            assert h.bot.reconciling is not None
            await asyncio.wait_for(h.bot.reconciling, TIMEOUT)
            again = event()
            assert int(again["id"]) != first and again["status"] == 1
            stored = await h.store.sessions.get(session.id)
            assert stored is not None and stored.event_id == int(again["id"])
            assert datetime.fromisoformat(again["scheduled_end_time"]) == end
            await slash(w.fake, "chathost cancel", user="hana")
            assert event()["status"] == 4  # cancelled with the chat


async def test_with_two_chats_remind_me_reminds_of_the_chat_whose_button_was_pressed(
    tmp_path: Path,
) -> None:
    """Two chats announce in one channel; Alice, who never posted anywhere, presses the evening
    chat's button; Bob asked for the other chat's reminders only."""
    async with world(tmp_path) as w:
        base = w.settings().model_dump(mode="json")
        evening = dict(base["chats"][0], name="evening", hashtag="#EveningChat")
        evening["channels"] = {"chat": w.ch("lounge"), "announce": w.ch("announce")}
        base["chats"].append(evening)
        settings = Settings.model_validate(base)
        alice, bob = w.guild.member("alice"), w.guild.member("bob")
        async with bot_running(w, settings) as h:
            await slash(w.fake, "chat remind", {"state": "on"}, user="bob", channel="chat")
            start = datetime.now(UTC) + timedelta(seconds=4.5)
            session = await h.engine.plan_session("evening", start)
            reminder = await w.fake.wait_for_post(
                lambda p: p.channel_id == w.ch("announce") and bool(p.components), TIMEOUT
            )
            button = reminder.components[0]["components"][0]["custom_id"]
            assert button == f"{REMIND_ID}:evening"
            click = await w.fake.click_button(reminder.message_id, button, user="alice")
            assert "Reminders on for #EveningChat" in (await answer_of(w.fake, click.id)).content
            await w.fake.wait_for_post(lambda p: p.dm_recipient_id is not None, TIMEOUT)
            async with h.engine.lock(session.id):  # the reminder step, DMs and all, is done
                dms = [p for p in w.fake.posts if p.dm_recipient_id is not None]
            assert [p.dm_recipient_id for p in dms] == [alice]  # Bob gets none
            assert "#EveningChat" in dms[0].content and f"<#{w.ch('lounge')}>" in dms[0].content
            assert await h.store.members.reminded_chats(bob) == {"leadershipchat"}
