"""Tests for the fake Discord server, driven by the real discord.py client."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import (
    FAST_CLIENT_OPTIONS,
    FakeDiscord,
    Perm,
    PostRecord,
    running,
    skip_identify_delay,
)

pytest_plugins = ["tests.fakediscord.pytest_plugin"]

TIMEOUT = 5.0


def intents() -> discord.Intents:
    i = discord.Intents.default()
    i.message_content = True
    i.members = True
    return i


def client() -> discord.Client:
    return discord.Client(intents=intents(), **FAST_CLIENT_OPTIONS)


class Events:
    """Collects one discord.py event type; ``wait(pred)`` waits for a matching one."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._cond = asyncio.Condition()

    async def add(self, item: Any) -> None:
        async with self._cond:
            self.items.append(item)
            self._cond.notify_all()

    async def wait(self, pred: Callable[[Any], bool] = lambda _: True) -> Any:
        async def find() -> Any:
            async with self._cond:
                await self._cond.wait_for(lambda: any(pred(i) for i in self.items))
                return next(i for i in self.items if pred(i))

        return await asyncio.wait_for(find(), TIMEOUT)


def listen(c: discord.Client, event: str) -> Events:
    events = Events()

    async def handler(*args: Any) -> None:
        await events.add(args[0] if len(args) == 1 else args)

    handler.__name__ = f"on_{event}"
    c.event(handler)
    return events


# --- connecting -----------------------------------------------------------------------------


async def test_connect_sees_guild_quickly() -> None:
    started = time.monotonic()
    async with FakeDiscord() as fake:
        fake.point_discord_py_here()
        hosts = await fake.add_channel("hosts")
        await fake.set_overwrite(hosts, fake.guild.id, deny=Perm.VIEW_CHANNEL)
        await fake.set_overwrite(hosts, fake.bot_user_id, allow=Perm.VIEW_CHANNEL)
        readonly = await fake.add_channel("announcements")
        await fake.set_overwrite(readonly, fake.guild.bot_role_id, deny=Perm.SEND_MESSAGES)
        async with running(client(), fake.token) as c:
            assert time.monotonic() - started < 2.0
            guild = c.get_guild(fake.guild.id)
            assert guild is not None and guild.name == "Fake Guild"
            assert {ch.name for ch in guild.text_channels} == {"general", "hosts", "announcements"}
            alice = guild.get_member(fake.guild.member("alice"))
            assert alice is not None and alice.name == "alice"
            me = guild.me
            general = guild.get_channel(fake.guild.channel("general"))
            assert isinstance(general, discord.TextChannel)
            assert general.permissions_for(me).send_messages
            hosts_ch = guild.get_channel(hosts)
            assert isinstance(hosts_ch, discord.TextChannel)
            assert hosts_ch.permissions_for(me).view_channel
            assert not hosts_ch.permissions_for(alice).view_channel
            ro = guild.get_channel(readonly)
            assert isinstance(ro, discord.TextChannel)
            assert not ro.permissions_for(me).send_messages
            with pytest.raises(discord.Forbidden) as err:
                await ro.send("nope")
            assert err.value.code == 50013
        identify = next(e for e in fake.gateway_events if e.event == "IDENTIFY")
        assert identify.detail["ok"] and identify.detail["intents"] & (1 << 15)


async def test_gateway_heartbeats_are_acked() -> None:
    async with FakeDiscord(heartbeat_interval_ms=50) as fake:
        fake.point_discord_py_here()
        async with running(client(), fake.token) as c:
            await fake.wait_for_gateway("HEARTBEAT", count=3)
            assert c.latency < 1.0
        connect = fake.gateway_events[0]
        # zstd when the zstandard package is installed (the atproto SDK brings it), else zlib
        assert (
            connect.detail["query"]["compress"]
            == discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
        )


async def test_wrong_token_fails_login(fake_discord: FakeDiscord) -> None:
    with pytest.raises(discord.LoginFailure):
        async with running(client(), "not-the-token"):
            pass


# --- messages ---------------------------------------------------------------------------------


async def test_member_message_reaches_bot_with_reply_reference(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    messages = listen(c, "message")
    async with running(c, fake.token):
        first = await fake.post("alice", "general", "Q1: what is leadership?")
        await fake.post("bob", "general", "A1: serving others", reply_to=first.id)
        msg = await messages.wait(lambda m: m.content.startswith("A1"))
        assert isinstance(msg.author, discord.Member)
        assert msg.author.id == fake.guild.member("bob")
        assert msg.channel.id == fake.guild.channel("general")
        assert msg.reference is not None and msg.reference.message_id == first.id
        assert msg.type == discord.MessageType.reply
        resolved = msg.reference.resolved
        assert isinstance(resolved, discord.Message) and resolved.content.startswith("Q1")


async def test_bot_reply_is_recorded_and_echoed(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    messages = listen(c, "message")
    async with running(c, fake.token):
        await fake.post("alice", "general", "hello")
        incoming = await messages.wait(lambda m: m.content == "hello")
        sent = await incoming.reply(
            f"hi <@{fake.guild.member('bob')}>",
            nonce="q1-welcome",
            allowed_mentions=discord.AllowedMentions.none(),
            mention_author=True,
        )
        record = await fake.wait_for_post(lambda p: p.message_id == sent.id)
        assert record.content.startswith("hi <@")
        assert record.nonce == "q1-welcome"
        assert record.allowed_mentions == {"parse": [], "replied_user": True}
        assert record.reply_to == incoming.id
        assert record.channel_id == fake.guild.channel("general")
        assert record.attempts == 1
        assert record.received_at <= time.time()
        echoed = await messages.wait(lambda m: m.id == sent.id)
        assert echoed.author == c.user
        # allowed_mentions: bob not pinged, replied-to alice is
        assert [u.id for u in echoed.mentions] == [fake.guild.member("alice")]


async def test_enforce_nonce_returns_first_message(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("Q2: how do you delegate?", nonce="session1-q2")
        second = await channel.send("Q2: how do you delegate?", nonce="session1-q2")
        third = await channel.send("Q2: different nonce", nonce="session1-q3")
        assert second.id == first.id != third.id
        assert len(fake.posts) == 2
        assert fake.posts[0].duplicates == 1
        assert [m.content for m in fake.messages("general")].count("Q2: how do you delegate?") == 1


async def test_attachments_are_stored_and_downloadable(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        files = [
            discord.File(io.BytesIO(b"# Recap\n"), "recap.md"),
            discord.File(io.BytesIO(bytes(range(256))), "chart.png"),
        ]
        sent = await channel.send("recap", files=files)
        record = fake.posts[-1]
        assert [(a.filename, a.content) for a in record.attachments] == [
            ("recap.md", b"# Recap\n"),
            ("chart.png", bytes(range(256))),
        ]
        assert await sent.attachments[1].read() == bytes(range(256))


async def test_edits_deletes_and_reactions(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    edits = listen(c, "raw_message_edit")
    deletes = listen(c, "raw_message_delete")
    reactions = listen(c, "raw_reaction_add")
    async with running(c, fake.token):
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Q3: draft")
        await sent.edit(content="Q3: final")
        await sent.add_reaction("👍")
        member_msg = await fake.post("alice", "general", "spam")
        fetched = await channel.fetch_message(member_msg.id)
        await fetched.delete()
        assert [e.content for e in fake.edits] == ["Q3: final"]
        assert fake.deletes[0].message_id == member_msg.id
        assert fake.deletes[0].author_id == fake.guild.member("alice")
        assert [(r.op, r.emoji) for r in fake.reactions] == [("add", "👍")]
        assert [a.kind for a in fake.actions] == ["post", "edit", "reaction", "delete"]
        # member-side events reach the bot
        answer = await fake.post("bob", "general", "A3: first try")
        await fake.edit(answer.id, "A3: second try")
        edit = await edits.wait(lambda e: e.message_id == answer.id)
        assert edit.data["content"] == "A3: second try"
        await fake.react("bob", sent.id, "🔥")
        reaction = await reactions.wait(lambda r: str(r.emoji) == "🔥")
        assert reaction.user_id == fake.guild.member("bob")
        await fake.delete(answer.id)
        await deletes.wait(lambda d: d.message_id == answer.id)
        assert fake.message(sent.id).reactions == {
            "👍": [fake.bot_user_id],
            "🔥": [reaction.user_id],
        }


async def test_history_paging_with_after(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    posted = [await fake.post("alice", "general", f"m{i}") for i in range(150)]
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        after = [m.content async for m in channel.history(limit=None, after=posted[9])]
        assert after == [f"m{i}" for i in range(10, 150)]
        newest = [m.content async for m in channel.history(limit=3)]
        assert newest == ["m149", "m148", "m147"]
        before = [m.content async for m in channel.history(limit=2, before=posted[5])]
        assert before == ["m4", "m3"]
        around = [m.content async for m in channel.history(limit=5, around=posted[50])]
        assert sorted(around) == ["m48", "m49", "m50", "m51", "m52"]
    pages = fake.requests_to("GET", "/channels/*/messages")
    assert len(pages) >= 3


async def test_over_limit_messages_get_400(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.HTTPException) as err:
            await channel.send("x" * 2001)
        assert err.value.status == 400 and err.value.code == 50035
        assert "2000 or fewer" in err.value.text

        too_long = discord.Embed(description="d" * 4097)
        many_fields = discord.Embed(title="t")
        for i in range(26):
            many_fields.add_field(name=f"f{i}", value="v")
        long_field = discord.Embed(title="t").add_field(name="n", value="v" * 1025)
        big = [discord.Embed(description="d" * 4000), discord.Embed(description="e" * 2001)]
        for embeds in ([too_long], [many_fields], [long_field], big):
            with pytest.raises(discord.HTTPException) as err:
                await channel.send(embeds=embeds)
            assert err.value.status == 400 and err.value.code == 50035
        # discord.py refuses > 10 embeds locally, so send the raw request
        route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
        eleven = [{"title": str(i)} for i in range(11)]
        with pytest.raises(discord.HTTPException) as err:
            await c.http.request(route, json={"embeds": eleven})
        assert err.value.status == 400 and "10 or fewer" in err.value.text
        await channel.send("y" * 2000, embeds=[discord.Embed(description="d" * 4096)])
        assert len(fake.posts) == 1
    # each refused request is also a conformance violation, which would fail the test if left
    pointers = [v.pointer for v in fake.conformance.take()]
    assert pointers == [
        "/content",
        "/embeds/0/description",
        "/embeds/0/fields",
        "/embeds/0/fields/0/value",
        "/embeds",
    ]  # the 6000-character total is not in the schema: limits.py refuses it


# --- faults -----------------------------------------------------------------------------------


async def test_429_is_honoured_and_retried(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        rule = fake.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.3)
        started = time.monotonic()
        sent = await channel.send("Q4: rate limited")
        assert time.monotonic() - started >= 0.3
        assert rule.hits == 1
        record = fake.posts[-1]
        assert record.message_id == sent.id and record.attempts == 2
        statuses = [r.status for r in fake.requests_to("POST", "/channels/*/messages")]
        assert statuses == [429, 200]


async def test_500_is_retried(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", "/channels/*/messages", 500)
        await channel.send("Q5: flaky")
        assert fake.posts[-1].attempts == 2


async def test_403_surfaces_as_forbidden(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        await fake.forbid_sends("general")
        with pytest.raises(discord.Forbidden) as err:
            await channel.send("blocked")
        assert err.value.code == 50013 and err.value.text == "Missing Permissions"
        await fake.forbid_sends("general", False)
        fake.fail_next("*", "/channels/**", 403)
        with pytest.raises(discord.Forbidden):
            await channel.send("blocked again")
        await channel.send("allowed")
        assert [p.content for p in fake.posts] == ["allowed"]


async def test_resume_replays_missed_events(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    messages = listen(c, "message")
    resumed = listen(c, "resumed")
    async with running(c, fake.token):
        async with fake.gateway_held():
            await fake.drop_websocket(resumable=True)
            await fake.wait_for_gateway("CONNECT", count=2)  # the client is knocking
            missed = await fake.post("alice", "general", "A1: posted while you were away")
        record = await fake.wait_for_gateway("RESUMED")
        assert record.detail["replayed"] == 1
        await resumed.wait()
        msg = await messages.wait(lambda m: m.id == missed.id)
        assert msg.content.startswith("A1")
        assert [e.event for e in fake.gateway_events].count("IDENTIFY") == 1
        resume = next(e for e in fake.gateway_events if e.event == "RESUME")
        identify = next(e for e in fake.gateway_events if e.event == "IDENTIFY")
        assert resume.session_id == identify.session_id
        # the client resumed on resume_gateway_url
        connects = [e for e in fake.gateway_events if e.event == "CONNECT"]
        assert connects[1].detail["path"] == "/gateway-resume"


async def test_non_resumable_drop_reidentifies(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    skip_identify_delay(c)
    ready = listen(c, "ready")
    messages = listen(c, "message")
    async with running(c, fake.token):
        async with fake.gateway_held():
            await fake.drop_websocket(resumable=False)
            await fake.wait_for_gateway("CONNECT", count=2)
            lost = await fake.post("alice", "general", "lost while invalidated")
        await fake.wait_for_gateway("INVALID_SESSION")
        second = await fake.wait_for_gateway("IDENTIFY", count=2)
        assert second.detail["ok"]
        await fake.wait_for_gateway("READY", count=2)
        await ready.wait(lambda _: len(ready.items) >= 2)
        after = await fake.post("bob", "general", "after re-identify")
        await messages.wait(lambda m: m.id == after.id)
        assert all(m.id != lost.id for m in messages.items)
        assert "RESUMED" not in [e.event for e in fake.gateway_events]


async def test_delay_responses(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        fake.delay_responses(0.2)
        started = time.monotonic()
        await channel.send("slow")
        assert time.monotonic() - started >= 0.2
        fake.delay_responses(0)


# --- application commands and components ----------------------------------------------------


def chat_bot(fake: FakeDiscord) -> commands.Bot:
    bot = commands.Bot(command_prefix="!", intents=intents(), **FAST_CLIENT_OPTIONS)
    guild = discord.Object(id=fake.guild.id)

    @bot.tree.command(name="topic", description="Set the topic", guild=guild)
    @app_commands.describe(text="the topic", count="how many questions")
    async def topic(interaction: discord.Interaction, text: str, count: int = 5) -> None:
        await interaction.response.send_message(f"topic={text} count={count}", ephemeral=True)

    group = app_commands.Group(name="chat", description="Chat controls", guild_ids=[fake.guild.id])

    @group.command(name="skip", description="Skip a question")
    async def skip(interaction: discord.Interaction, host: discord.Member) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"skipped by {host.name}")

    @group.command(name="feedback", description="Open a feedback form")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback())

    bot.tree.add_command(group)

    @bot.tree.context_menu(name="Mark as answer", guild=guild)
    async def mark(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"marked {message.content}", ephemeral=True)

    return bot


class Feedback(discord.ui.Modal, title="Feedback"):
    rating: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Rating", custom_id="rating"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks for {self.rating.value}", ephemeral=True)


async def test_slash_command_round_trip(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = chat_bot(fake)
    async with running(bot, fake.token):
        await bot.tree.sync(guild=discord.Object(id=fake.guild.id))
        sync = await fake.wait_for_commands("topic")
        assert sync.guild_id == fake.guild.id
        assert {c["name"] for c in fake.commands(fake.guild.id)} == {
            "topic",
            "chat",
            "Mark as answer",
        }
        interaction = await fake.invoke_slash_command("topic", {"text": "Trust", "count": 3})
        response = await fake.wait_for_interaction_response(interaction.id)
        assert response.callback_type == 4
        assert response.content == "topic=Trust count=3"
        assert response.ephemeral
        with pytest.raises(ValueError, match="unknown options"):
            await fake.invoke_slash_command("topic", {"txt": "typo"})
        with pytest.raises(ValueError, match="no chat-input command"):
            await fake.invoke_slash_command("nope")


async def test_subcommand_defer_and_followup(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = chat_bot(fake)
    async with running(bot, fake.token):
        await bot.tree.sync(guild=discord.Object(id=fake.guild.id))
        host = fake.guild.member("bob")
        interaction = await fake.invoke_slash_command("chat skip", {"host": host}, user="alice")
        deferred = await fake.wait_for_interaction_response(interaction.id)
        assert deferred.callback_type == 5 and deferred.ephemeral
        followup = await fake.wait_for_interaction_response(interaction.id, action="followup")
        assert followup.content == "skipped by bob"
        original = fake.message(followup.message_id or 0)
        assert original.content == "skipped by bob" and original.ephemeral


async def test_modal_and_context_menu(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = chat_bot(fake)
    async with running(bot, fake.token):
        await bot.tree.sync(guild=discord.Object(id=fake.guild.id))
        opened = await fake.invoke_slash_command("chat feedback")
        modal = await fake.wait_for_interaction_response(opened.id)
        assert modal.callback_type == 9 and modal.payload["custom_id"]
        submitted = await fake.submit_modal(modal.payload["custom_id"], {"rating": "5/5"})
        thanks = await fake.wait_for_interaction_response(submitted.id)
        assert thanks.content == "thanks for 5/5"

        answer = await fake.post("alice", "general", "great answer")
        marked = await fake.invoke_message_command("Mark as answer", answer.id, user="bob")
        response = await fake.wait_for_interaction_response(marked.id)
        assert response.content == "marked great answer"


async def test_button_click(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    clicked_by: list[int] = []

    class Controls(discord.ui.View):
        @discord.ui.button(label="Skip", custom_id="chat:skip")
        async def skip(
            self, interaction: discord.Interaction, button: discord.ui.Button[Any]
        ) -> None:
            clicked_by.append(interaction.user.id)
            await interaction.response.edit_message(content="Skipped", view=None)

    async with running(client(), fake.token) as c:
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Next question in 60 s", view=Controls(timeout=None))
        record = fake.posts[-1]
        assert record.components[0]["components"][0]["custom_id"] == "chat:skip"
        interaction = await fake.click_button(sent.id, "chat:skip", user="bob")
        response = await fake.wait_for_interaction_response(interaction.id)
        assert response.callback_type == 7
        assert clicked_by == [fake.guild.member("bob")]
        assert fake.message(sent.id).content == "Skipped"
        assert fake.message(sent.id).components == []
        with pytest.raises(ValueError, match="no component"):
            await fake.click_button(sent.id, "chat:nope")


# --- guild features ---------------------------------------------------------------------------


async def test_threads_dms_events_moderation(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    messages = listen(c, "message")
    events = listen(c, "scheduled_event_create")
    channel_updates = listen(c, "guild_channel_update")
    async with running(c, fake.token):
        guild = c.get_guild(fake.guild.id)
        assert guild is not None
        channel = guild.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        question = await channel.send("Q1: thread me")
        thread = await question.create_thread(name="Q1 answers")
        assert thread.id == question.id
        await thread.send("Answers go here")
        assert fake.threads_created[0].message_id == question.id
        assert fake.posts[-1].thread_id == thread.id
        assert fake.posts[-1].parent_channel_id == channel.id
        answer = await fake.post("alice", "general", "A1 in thread", thread=thread.id)
        msg = await messages.wait(lambda m: m.id == answer.id)
        assert isinstance(msg.channel, discord.Thread) and msg.channel.parent_id == channel.id

        alice = guild.get_member(fake.guild.member("alice"))
        assert alice is not None
        await alice.send("your answers were recorded")
        assert fake.posts[-1].dm_recipient_id == alice.id and fake.posts[-1].guild_id is None
        dm = await fake.dm_bot("alice", "opt me out")
        msg = await messages.wait(lambda m: m.id == dm.id)
        assert isinstance(msg.channel, discord.DMChannel)

        start = discord.utils.utcnow() + dt.timedelta(days=1)
        event = await external_event(
            guild, "#LeadershipChat: Trust", start, start + dt.timedelta(hours=1)
        )
        await events.wait(lambda e: e.id == event.id)
        await event.edit(description="Topic: trust")
        listed = await guild.fetch_scheduled_events()
        assert [e.name for e in listed] == ["#LeadershipChat: Trust"]
        assert [op.op for op in fake.scheduled_event_ops] == ["create", "modify"]
        assert fake.scheduled_events()[0]["description"] == "Topic: trust"

        await channel.edit(slowmode_delay=30)
        assert fake.channel_updates[-1].changes == {"rate_limit_per_user": 30}
        await channel_updates.wait(lambda pair: pair[1].slowmode_delay == 30)
        assert channel.slowmode_delay == 30
        await alice.timeout(dt.timedelta(minutes=5), reason="spam")
        update = fake.member_updates[-1]
        assert update.user_id == alice.id and update.changes["communication_disabled_until"]


async def test_message_content_needs_intent(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    no_content = discord.Intents.default()
    c = discord.Client(intents=no_content, **FAST_CLIENT_OPTIONS)
    messages = listen(c, "message")
    async with running(c, fake.token):
        plain = await fake.post("alice", "general", "A1: hidden")
        mention = await fake.post("alice", "general", f"<@{fake.bot_user_id}> visible")
        assert (await messages.wait(lambda m: m.id == plain.id)).content == ""
        assert (await messages.wait(lambda m: m.id == mention.id)).content.endswith("visible")


async def test_privileged_intent_not_enabled_is_refused() -> None:
    async with FakeDiscord(privileged_intents=0) as fake:
        fake.point_discord_py_here()
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with running(client(), fake.token):
                pass


# --- control API over HTTP --------------------------------------------------------------------


async def test_control_http_api(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    c = client()
    messages = listen(c, "message")
    async with running(c, fake.token), aiohttp.ClientSession(fake.control_url + "/") as http:
        async with http.get("config") as r:
            config = await r.json()
        assert config["api_base"] == fake.api_base and config["guilds"][0]["channels"]["general"]
        async with http.post(
            "messages", json={"author": "alice", "channel": "general", "content": "via http"}
        ) as r:
            posted = await r.json()
        await messages.wait(lambda m: m.id == int(posted["id"]))
        channel = c.get_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        await channel.send("bot says hi", file=discord.File(io.BytesIO(b"abc"), "a.txt"))
        wait = {"kind": "post", "match": {"content_contains": "hi"}, "timeout": 2}
        async with http.post("wait", json=wait) as r:
            record = await r.json()
        assert record["content"] == "bot says hi"
        assert record["attachments"][0]["filename"] == "a.txt"
        assert record["attachments"][0]["content"] == "YWJj"  # base64 of b"abc"
        async with http.post(
            "faults", json={"method": "POST", "route": "/channels/*/messages", "status": 403}
        ) as r:
            assert r.status == 200
        with pytest.raises(discord.Forbidden):
            await channel.send("blocked")
        async with http.post("messages", json={"author": "nobody", "channel": "general"}) as r:
            assert r.status == 400
        async with http.get("actions", params={"kind": "post"}) as r:
            assert [p["content"] for p in await r.json()] == ["bot says hi"]


async def test_wait_for_post_times_out_with_context(fake_discord: FakeDiscord) -> None:
    with pytest.raises(TimeoutError, match="no matching PostRecord"):
        await fake_discord.wait_for_post(lambda p: False, timeout=0.05)


def test_records_are_json_safe() -> None:
    record = PostRecord(
        message_id=1,
        channel_id=2,
        guild_id=3,
        thread_id=None,
        parent_channel_id=2,
        dm_recipient_id=None,
        content="x",
        embeds=[],
        attachments=[],
        allowed_mentions=None,
        nonce="n",
        message_reference=None,
        components=[],
        flags=0,
        received_at=1.0,
    )
    assert record.to_json()["kind"] == "post"


async def test_more_rest_routes(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        guild = c.get_guild(fake.guild.id)
        assert guild is not None
        fetched_guild = await c.fetch_guild(guild.id)
        assert fetched_guild.name == guild.name
        channel = await c.fetch_channel(fake.guild.channel("general"))
        assert isinstance(channel, discord.TextChannel)
        alice = await guild.fetch_member(fake.guild.member("alice"))
        assert alice.name == "alice"
        assert (await c.fetch_user(alice.id)).name == "alice"
        assert "@everyone" in [r.name for r in await guild.fetch_roles()]
        assert {ch.name for ch in await guild.fetch_channels()} == {"general"}

        async with channel.typing():
            sent = await channel.send("pin me")
        await sent.pin()
        assert [m.id async for m in channel.pins()] == [sent.id]
        await sent.unpin()
        assert [m.id async for m in channel.pins()] == []
        assert [p.op for p in fake.pins] == ["pin", "unpin"]

        await fake.react("alice", sent.id, "✅")
        message = await channel.fetch_message(sent.id)
        users = [u.id async for u in message.reactions[0].users()]
        assert users == [alice.id]
        await message.remove_reaction("✅", alice)
        assert fake.message(sent.id).reactions == {}

        thread = await channel.create_thread(
            name="Hosts only", type=discord.ChannelType.public_thread
        )
        assert fake.threads_created[-1].message_id is None and thread.parent_id == channel.id

        older = [await fake.post("bob", "general", f"spam {i}") for i in range(3)]
        await channel.delete_messages([discord.Object(id=m.id) for m in older])
        assert {d.message_id for d in fake.deletes} == {m.id for m in older}


async def external_event(
    guild: discord.Guild, name: str, start: dt.datetime, end: dt.datetime
) -> discord.ScheduledEvent:
    """An event "in #general" (Discord's external kind, as the bot makes them)."""
    return await guild.create_scheduled_event(
        name=name,
        start_time=start,
        end_time=end,
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location="#general",
    )


async def test_scheduled_event_lifecycle_and_validation(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running(client(), fake.token) as c:
        guild = c.get_guild(fake.guild.id)
        assert guild is not None
        start = discord.utils.utcnow() + dt.timedelta(hours=2)
        with pytest.raises(discord.HTTPException) as err:
            await c.http.create_guild_scheduled_event(
                guild.id,
                name="x",
                entity_type=3,
                privacy_level=2,
                scheduled_start_time=start.isoformat(),
            )
        assert err.value.status == 400 and "entity_metadata" in str(err.value)
        (missing,) = fake.conformance.take()  # an external event without its location
        assert (missing.operation, missing.pointer) == (
            "create_guild_scheduled_event",
            "/entity_metadata",
        )
        event = await external_event(guild, "Chat", start, start + dt.timedelta(hours=1))
        fetched = await guild.fetch_scheduled_event(event.id)
        assert fetched.location == "#general"
        with pytest.raises(discord.HTTPException):
            await c.http.edit_scheduled_event(
                guild.id, event.id, status=3
            )  # scheduled -> completed
        with pytest.raises(discord.HTTPException) as err:  # a start must be in the future
            await c.http.edit_scheduled_event(
                guild.id, event.id, scheduled_start_time=discord.utils.utcnow().isoformat()
            )
        assert err.value.status == 400 and "in the past" in str(err.value)
        event = await event.start()
        with pytest.raises(discord.HTTPException) as err:  # a live event keeps its start
            await c.http.edit_scheduled_event(
                guild.id, event.id, scheduled_start_time=(start + dt.timedelta(hours=1)).isoformat()
            )
        assert err.value.status == 400
        later = (start + dt.timedelta(hours=3)).isoformat()
        await c.http.edit_scheduled_event(guild.id, event.id, scheduled_end_time=later)
        await event.end()
        assert [e.event["status"] for e in fake.scheduled_event_ops] == [1, 2, 2, 3]
        with pytest.raises(discord.HTTPException) as err:  # finished: nothing changes any more
            await c.http.edit_scheduled_event(guild.id, event.id, name="Again")
        assert err.value.code == 180000
        await event.delete()
        assert fake.scheduled_events() == []
        # an external event starts and ends by itself at its times
        soon = discord.utils.utcnow() + dt.timedelta(seconds=0.3)
        auto = await external_event(guild, "Soon", soon, soon + dt.timedelta(seconds=0.3))
        await asyncio.sleep(0.7)  # wall-clock time must pass: the fake follows Discord's clock
        assert (await guild.fetch_scheduled_event(auto.id)).status is discord.EventStatus.ended
        assert fake.scheduled_event_ops[-1].op == "auto"


async def test_global_commands_and_edit_original(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = commands.Bot(command_prefix="!", intents=intents(), **FAST_CLIENT_OPTIONS)

    @bot.tree.command(name="recap", description="Post the recap")
    async def recap(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="Recap posted")

    async with running(bot, fake.token):
        await bot.tree.sync()
        assert [c["name"] for c in fake.commands()] == ["recap"]
        assert fake.commands(fake.guild.id) == []
        interaction = await fake.invoke_slash_command("recap")
        edit = await fake.wait_for_interaction_response(interaction.id, action="edit_original")
        assert edit.content == "Recap posted"
        original = fake.message(edit.message_id or 0)
        assert original.content == "Recap posted" and not original.ephemeral
        assert original.flags & 128 == 0  # no longer "thinking"


async def test_late_interaction_answer_is_unknown_interaction() -> None:
    # a zero window makes every answer late, like a bot that took more than Discord's 3 s
    async with FakeDiscord(interaction_response_timeout=0.0) as fake:
        fake.point_discord_py_here()
        bot = commands.Bot(command_prefix="!", intents=intents(), **FAST_CLIENT_OPTIONS)
        errors = Events()

        @bot.tree.command(name="slow", description="Answers too late")
        async def slow(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                await errors.add(exc.code)

        async with running(bot, fake.token):
            await bot.tree.sync()
            await fake.invoke_slash_command("slow")
            assert await errors.wait() == 10062
        assert fake.interaction_responses == []


async def test_optional_message_rate_limit_paces_discord_py() -> None:
    async with FakeDiscord(message_rate_limit=(2, 0.3)) as fake:
        fake.point_discord_py_here()
        async with running(client(), fake.token) as c:
            channel = c.get_channel(fake.guild.channel("general"))
            assert isinstance(channel, discord.TextChannel)
            started = time.monotonic()
            for i in range(5):
                await channel.send(f"burst {i}")
            assert time.monotonic() - started >= 0.3  # two windows waited out
            assert [p.content for p in fake.posts] == [f"burst {i}" for i in range(5)]
            statuses = [r.status for r in fake.requests_to("POST", "/channels/*/messages")]
            assert statuses == [200] * 5  # paced by the headers, never a 429


SUBPROCESS_BOT = """
import os, discord, discord.gateway, discord.http, yarl
discord.http.Route.BASE = os.environ["FAKEDISCORD_API_BASE"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKEDISCORD_GATEWAY_URL"])
intents = discord.Intents.default()
intents.message_content = True
client = discord.Client(intents=intents, guild_ready_timeout=0.1)

@client.event
async def on_message(message):
    if message.content == "ping":
        await message.channel.send("pong")

client.run(os.environ["FAKEDISCORD_TOKEN"], log_handler=None)
"""


async def test_bot_in_a_subprocess(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SUBPROCESS_BOT,
        env={**os.environ, **fake.env()},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await fake.wait_for_gateway("READY", timeout=15.0)
        await fake.post("alice", "general", "ping")
        pong = await fake.wait_for_post(lambda p: p.content == "pong")
        assert pong.channel_id == fake.guild.channel("general")
        proc.send_signal(signal.SIGKILL)  # a crash: the socket just drops
        closed = await fake.wait_for_gateway("CLOSE")
        assert closed.detail["by"] == "client"
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
