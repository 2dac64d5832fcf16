"""The bot and the gateway's rarer frames, through the fake server (each frame validated against
its schema): Discord asking the bot to reconnect (op 7), moderators creating, editing and
deleting channels and threads while a chat runs, and a bulk delete."""

from __future__ import annotations

from pathlib import Path

from bot.discord.cogs import drain_capture
from tests.test_discord_capture import started_now
from tests.test_discord_harness import bot_running, slash, world


def events(records: list[object], name: str) -> int:
    return sum(1 for r in records if getattr(r, "event", None) == name)


async def test_a_reconnect_request_is_answered_with_a_resume_and_nothing_is_missed(
    tmp_path: Path,
) -> None:
    """Discord sends RECONNECT (op 7) when it moves a session: the bot resumes the same session
    on the resume URL (no second IDENTIFY), and messages on either side are all captured."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        fake = w.fake
        session = await started_now(h)
        before = await fake.post("alice", "chat", "Hi, Alice here, before the move")
        await fake.request_reconnect()
        await fake.wait_for_gateway("RESUMED")
        after = await fake.post("bob", "chat", "Bob here, after the move")
        await slash(fake, "chathost status", user="hana")  # the messages have reached the bot
        await drain_capture(h.bot)
        stored = {m.id for m in await h.store.messages.for_session(session.id)}
        log = fake.gateway_events
    assert {before.id, after.id} <= stored
    assert events(log, "IDENTIFY") == 1 and events(log, "RESUME") == 1
    resumed = [r for r in log if r.event == "CONNECT"][-1]
    assert resumed.detail["path"] == "/gateway-resume"


async def test_channels_and_threads_changing_under_the_bot_leave_the_chat_running(
    tmp_path: Path,
) -> None:
    """A moderator adds, renames and deletes a channel, and archives then deletes a thread with
    an answer in it, during the chat: discord.py's cache follows (CHANNEL_CREATE/UPDATE/DELETE,
    THREAD_CREATE/UPDATE/DELETE) and the bot goes on capturing."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        fake = w.fake
        session = await started_now(h)
        side = await fake.add_channel("side-room", topic="for later")
        await fake.edit_channel(side, name="side-room-renamed", topic="closed soon")
        corner = await fake.start_thread("cara", "chat", "Cara's corner")
        inside = await fake.post("cara", "chat", "Cara here, in my corner", thread=corner)
        await slash(fake, "chathost status", user="hana")
        renamed = h.bot.get_channel(side)
        await fake.edit_channel(corner, archived=True)
        await fake.delete_channel(corner)
        await fake.delete_channel(side)
        after = await fake.post("bob", "chat", "Bob here, the chat goes on")
        await slash(fake, "chathost status", user="hana")
        await drain_capture(h.bot)
        stored = {m.id for m in await h.store.messages.for_session(session.id)}
        gone = (h.bot.get_channel(side), h.bot.get_channel(corner))
    assert getattr(renamed, "name", None) == "side-room-renamed"
    assert gone == (None, None)
    assert {inside.id, after.id} <= stored


async def test_a_bulk_delete_tombstones_every_message_in_it(tmp_path: Path) -> None:
    """A moderator bans a spammer and deletes their recent messages: Discord sends one
    MESSAGE_DELETE_BULK, and every message in it leaves the chat's record (the rows stay as
    tombstones, without text), while the others stay."""
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        fake = w.fake
        session = await started_now(h)
        spam = [await fake.post("dan", "chat", f"Buy now, offer {i}") for i in range(3)]
        kept = await fake.post("alice", "chat", "Hi, Alice here")
        await slash(fake, "chathost status", user="hana")
        await fake.delete_many([m.id for m in spam])
        await slash(fake, "chathost status", user="hana")
        await drain_capture(h.bot)
        stored = {
            m.id: m for m in await h.store.messages.for_session(session.id, include_deleted=True)
        }
        people = {p.user_id for p in await h.store.members.for_session(session.id)}
        bulk = fake.conformance.checked["gateway MESSAGE_DELETE_BULK"]
    assert bulk == 1  # one dispatch for the three, validated
    for message in spam:
        assert stored[message.id].deleted_at is not None and stored[message.id].content is None
    assert stored[kept.id].deleted_at is None and stored[kept.id].content == "Hi, Alice here"
    assert w.guild.member("dan") not in people  # all his messages are gone
