"""Moderation through the fake server: the cog carries out bot.moderation's verdicts (delete,
one warning, time out), logs each action in the store and the mod-log channel, keeps slowmode on
for the chat hour, and lets hosts hide a message from the recap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.atproto_syntax import bsky_app_url
from bot.domain.messages import Attributed, MessageRow, PostOrigin
from bot.recap.build import build_recap
from bot.recap.inputs import load_recap_input
from tests.fakediscord import (
    ChannelUpdateRecord,
    DeleteRecord,
    MemberUpdateRecord,
    Perm,
    ScheduledEventRecord,
)
from tests.test_discord_harness import (
    TIMEOUT,
    Harness,
    World,
    answer_of,
    bot_running,
    slash,
    starts_with,
    world,
)


def status_is(code: int) -> Any:
    return lambda r: r.event.get("status") == code


async def start_chat(h: Harness, w: World) -> None:
    """Plan a chat an hour out and start it now; the event turning active means it is running."""
    await h.engine.plan_session(h.chat.name, datetime.now(UTC) + timedelta(hours=1))
    await slash(w.fake, "chathost start", user="hana")
    await w.fake.wait_for_post(starts_with(w.ch("chat"), "Welcome"), TIMEOUT)
    await w.fake.wait_for_action(status_is(2), kind=ScheduledEventRecord, timeout=TIMEOUT)


async def test_flood_is_deleted_warned_once_then_timed_out_and_slowmode_follows_the_chat(
    tmp_path: Path,
) -> None:
    moderation = {
        "flood": {"messages": 2, "seconds": "1s", "timeout": "60s"},
        "slowmode": "5s",
    }
    async with world(tmp_path) as w:
        settings = w.settings(moderation=moderation)
        dan = w.guild.member("dan")
        async with bot_running(w, settings) as h:
            await start_chat(h, w)
            on = await w.fake.wait_for_action(
                lambda r: r.changes.get("rate_limit_per_user") == 5,
                kind=ChannelUpdateRecord,
                timeout=TIMEOUT,
            )
            assert on.channel_id == w.ch("chat")
            burst = [await w.fake.post("dan", "chat", f"message {i}") for i in range(4)]
            for message in burst[2:]:
                await w.fake.wait_for_action(
                    lambda d, m=message.id: d.message_id == m, kind=DeleteRecord, timeout=TIMEOUT
                )
            warning = await w.fake.wait_for_post(lambda p: p.dm_recipient_id == dan, TIMEOUT)
            assert "faster than the chat allows" in warning.content
            # a second burst once the warning had time to be read (the Q1 heads-up is 2 s later)
            await w.fake.wait_for_post(starts_with(w.ch("hosts"), "Heads-up: Q1"), TIMEOUT)
            for i in range(3):
                await w.fake.post("dan", "chat", f"again {i}")
            timeout = await w.fake.wait_for_action(kind=MemberUpdateRecord, timeout=TIMEOUT)
            assert timeout.user_id == dan and timeout.changes["communication_disabled_until"]
            await slash(w.fake, "chathost end", user="hana")
            off = await w.fake.wait_for_action(
                lambda r: r.changes.get("rate_limit_per_user") == 0,
                kind=ChannelUpdateRecord,
                timeout=TIMEOUT,
            )
            assert off.channel_id == w.ch("chat")
            logged = await h.store.moderation.for_user(dan)
        kept = {m.id for m in w.fake.messages("chat")}
        assert {burst[0].id, burst[1].id} <= kept and not {m.id for m in burst[2:]} & kept
        assert [p for p in w.fake.posts if p.dm_recipient_id == dan] == [warning]
        assert [a.action for a in logged] == ["flood"] * len(logged) and len(logged) >= 3
        assert any("timed out" in a.reason for a in logged)
        mod_log = [p for p in w.fake.posts if p.channel_id == w.ch("modlog")]
        assert len(mod_log) == len(logged) and all(
            p.allowed_mentions == {"parse": []} for p in mod_log
        )


async def test_blocked_words_links_duplicates_and_hide_from_recap(tmp_path: Path) -> None:
    moderation = {
        "blocked_words": ["casino"],
        "new_member_link_hours": 24,
        "duplicate_spam": True,
    }
    async with world(tmp_path) as w:
        settings = w.settings(moderation=moderation)
        async with bot_running(w, settings) as h:
            word = await w.fake.post("alice", "chat", "Best CASINO in town")  # before the chat too
            await w.fake.wait_for_action(
                lambda d: d.message_id == word.id, kind=DeleteRecord, timeout=TIMEOUT
            )
            await start_chat(h, w)
            link = await w.fake.post("bob", "chat", "my blog: https://example.com/me")
            await w.fake.wait_for_action(
                lambda d: d.message_id == link.id, kind=DeleteRecord, timeout=TIMEOUT
            )
            hosts_link = await w.fake.post("hana", "chat", "prep post: https://example.com/prep")
            text = "Follow me for daily leadership tips!"
            first = await w.fake.post("cara", "chat", text)
            again = await w.fake.post("cara", "chat", text)
            await w.fake.wait_for_action(
                lambda d: d.message_id == again.id, kind=DeleteRecord, timeout=TIMEOUT
            )
            await w.fake.wait_for_post(starts_with(w.ch("hosts"), "Heads-up: Q1"), TIMEOUT)
            keep = await w.fake.post("dan", "chat", "A1: something off-topic")
            # every member sees the menu (hana's host role has no Manage Messages, and the
            # fake hides commands like Discord); the bot refuses non-hosts itself
            refused = await w.fake.invoke_message_command("Hide from recap", keep.id, user="bob")
            assert "Only the chat's hosts" in (await answer_of(w.fake, refused.id)).content
            hide = await w.fake.invoke_message_command("Hide from recap", keep.id, user="hana")
            assert (await answer_of(w.fake, hide.id)).content.startswith("Hidden")
            stored = await h.store.messages.get(keep.id)
            actions = {
                name: [a.action for a in await h.store.moderation.for_user(w.guild.member(name))]
                for name in ("alice", "bob", "cara", "dan")
            }
        assert stored is not None and stored.hidden
        assert actions == {
            "alice": ["blocked-word"],
            "bob": ["new-member-link"],
            "cara": ["duplicate"],
            "dan": ["hide-from-recap"],
        }
        live = {m.id for m in w.fake.messages("chat")}
        assert {hosts_link.id, first.id, keep.id} <= live
        assert not {word.id, link.id, again.id} & live
        mod_log = [p.content for p in w.fake.posts if p.channel_id == w.ch("modlog")]
        assert len(mod_log) == 4 and "**blocked-word**" in mod_log[0]


async def test_a_refused_timeout_is_logged_and_flood_control_goes_on(tmp_path: Path) -> None:
    """Without Moderate Members, Discord refuses the timeout (403 50013): the mod log says so
    for that burst, and the member's later bursts are still deleted and logged."""
    moderation = {"flood": {"messages": 2, "seconds": "1s", "timeout": "60s"}}
    server = Perm.BOT_DEFAULT & ~Perm.MODERATE_MEMBERS
    async with world(tmp_path, bot_permissions=server) as w:
        dan, modlog, hosts = w.guild.member("dan"), w.ch("modlog"), w.ch("hosts")
        async with bot_running(w, w.settings(moderation=moderation)) as h:
            await start_chat(h, w)
            flooded = []
            # three bursts of four, each once the previous one is dealt with and a heads-up
            # (2 s apart) has gone out: the excess of each is flood
            for burst, cue in enumerate(("Heads-up: Q1", "Heads-up: Q2", None)):
                sent = [await w.fake.post("dan", "chat", f"burst {burst}.{i}") for i in range(4)]
                flooded += sent[2:]
                for message in sent[2:]:
                    await w.fake.wait_for_post(
                        lambda p, m=message: p.channel_id == modlog and m.content in p.content,
                        TIMEOUT,
                    )
                if cue is not None:
                    await w.fake.wait_for_post(starts_with(hosts, cue), TIMEOUT)
            logged = await h.store.moderation.for_user(dan)
        kept = {m.id for m in w.fake.messages("chat")}
    mod_log = [p.content for p in w.fake.posts if p.channel_id == modlog]
    assert len(mod_log) == len(logged) == 6  # every flood message, each burst
    assert not {m.id for m in flooded} & kept  # all deleted
    refused = [line for line in mod_log if "could not time out (403)" in line]
    assert len(refused) == 1 and "after a warning" in refused[0]
    assert refused[0].endswith("> burst 1.2")  # the second burst's first excess message
    assert sum("warned by DM" in line for line in mod_log) == 1
    assert not [u for u in w.fake.member_updates if u.user_id == dan]


async def store_bluesky_post(h: Harness, session_id: int, handle: str, text: str) -> str:
    """A post with the hashtag as the Bluesky collector stores it; its bsky.app link by handle,
    as a host copies it from the app."""
    did = f"did:plc:{handle.split('.')[0]:a<24}"
    uri = f"at://{did}/app.bsky.feed.post/3k{handle.split('.')[0]}"
    ids = await h.store.platform_ids.ids("bluesky", [uri, did])
    await h.store.messages.add(
        MessageRow(
            id=ids[uri],
            session_id=session_id,
            channel_id=0,
            author_id=ids[did],
            author_name=handle,
            content=text,
            created_at=datetime.now(UTC),
            attribution=Attributed("answer", (1,), ("A1",)),
            jump_url=bsky_app_url(uri),
            origin=PostOrigin("bluesky", uri, did, handle),
        )
    )
    return f"https://bsky.app/profile/{handle}/post/3k{handle.split('.')[0]}"


async def test_a_host_hides_a_bluesky_post_from_the_recap_by_its_link(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        await start_chat(h, w)
        session = await h.engine.current_session(h.chat.name)
        assert session is not None
        spam = await store_bluesky_post(h, session.id, "spam.example.com", "A1 buy followers")
        await store_bluesky_post(h, session.id, "ana.example.com", "A1 listen first")
        hide = {"link": spam}
        hidden = await slash(w.fake, "chathost hide-post", hide, user="hana")
        assert hidden.ephemeral and hidden.content.startswith("Hidden: this post by")
        again = await slash(w.fake, "chathost hide-post", hide, user="hana")
        assert again.content == "That Bluesky post is already hidden from the recap."
        wrong = await slash(w.fake, "chathost hide-post", {"link": "A1 spam"}, user="hana")
        assert wrong.content.startswith("That is not a Bluesky post")
        recap = build_recap(await load_recap_input(h.store.recap_source, session.id))
        ignored = {"handle_or_did": "@ana.example.com"}
        ignoring = await slash(w.fake, "chathost ignore-account", ignored, user="hana")
        after = build_recap(await load_recap_input(h.store.recap_source, session.id))
    texts = [t.message.text for q in recap.questions for t in q.threads]
    assert texts == ["A1 listen first"]  # the spam is out, the rest stays
    assert ignoring.content.startswith("Ignored") and "1 post(s)" in ignoring.content
    assert [t for q in after.questions for t in q.threads] == []
    mod_log = [p.content for p in w.fake.posts if p.channel_id == w.ch("modlog")]
    assert [line.split(":")[0] for line in mod_log] == [
        "**hide-from-recap**",
        "**ignore-account**",
    ]
    assert "spam.example.com" in mod_log[0] and "by hana" in mod_log[0]
