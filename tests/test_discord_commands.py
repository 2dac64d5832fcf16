"""/chat commands and the "Hide from recap" menu through the fake server: permission checks,
host controls, topic files, drafts, members' own commands, and the error handler."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import WEEKDAYS
from bot.discord.replies import GENERIC
from bot.domain.messages import Attributed, MessageRow
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepStatus
from tests.fakediscord import InteractionResponseRecord, ScheduledEventRecord
from tests.test_discord_harness import (
    TIMEOUT,
    Harness,
    World,
    answer_of,
    bot_running,
    chat_day,
    slash,
    starts_with,
    world,
    write_topic,
)

REFUSAL = "Only #LeadershipChat hosts can do that"
PREP_POST = b"""# Serving first

Leaders who serve first build trust. Join us Tuesday for the chat.

What does it mean to serve the people you lead? How do you notice what your team needs?
When did a leader put you first, and what changed for you?
"""

HOST_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("chathost preview", {}),
    ("chathost status", {}),
    ("chathost edit-question", {"number": 2, "text": "Who served you best?"}),
    ("chathost skip", {"number": 3}),
    ("chathost extend", {"minutes": 5}),
    ("chathost pause", {}),
    ("chathost resume", {}),
    ("chathost start", {}),
    ("chathost next", {}),
    ("chathost end", {}),
    ("chathost recap", {}),
    ("chathost cancel", {}),
    ("chathost topic show", {"name": "nothing.yaml"}),
    ("chathost topic import", {"file": ("t.yaml", b"title: x\n")}),
    ("chathost draft", {"file": ("post.md", PREP_POST)}),
    ("chathost topic new", {}),
    ("chathost hide-post", {"link": "https://bsky.app/profile/ana.example.com/post/3kabc"}),
    ("chathost ignore-account", {"handle_or_did": "did:plc:abcdefghijklmnopqrstuvwx"}),
    ("chathost unignore-account", {"handle_or_did": "did:plc:abcdefghijklmnopqrstuvwx"}),
]


async def plan_soon(h: Harness, *, in_: timedelta = timedelta(hours=1)) -> SessionRow:
    return await h.engine.plan_session(h.chat.name, datetime.now(UTC) + in_)


async def event_of(h: Harness, session_id: int) -> dict[str, Any]:
    """The session's scheduled event as the server shows it now."""
    session = await h.store.sessions.get(session_id)
    assert session is not None and session.event_id is not None
    (event,) = [e for e in h.fake.scheduled_events() if int(e["id"]) == session.event_id]
    return event


def event_times(event: dict[str, Any]) -> tuple[datetime, datetime]:
    return (
        datetime.fromisoformat(event["scheduled_start_time"]),
        datetime.fromisoformat(event["scheduled_end_time"]),
    )


def close_to(a: datetime, b: datetime) -> bool:
    """Equal but for rounding (the event is not edited for less than a second)."""
    return abs(a - b) < timedelta(seconds=1)


async def ledger_times(h: Harness, session_id: int) -> tuple[datetime, datetime]:
    """When the session starts and closes by its ledger (sent, else due)."""
    steps = {s.key: s for s in await h.store.steps.for_session(session_id)}
    welcome, close = steps["welcome"], steps["close"]
    return welcome.sent_at or welcome.due_at, close.sent_at or close.due_at


async def modal_or_answer(w: World, interaction_id: int) -> InteractionResponseRecord:
    return await w.fake.wait_for_action(
        lambda r: r.interaction_id == interaction_id and (bool(r.content) or r.callback_type == 9),
        kind=InteractionResponseRecord,
        timeout=TIMEOUT,
    )


async def test_every_host_command_is_refused_for_a_member_and_accepted_for_a_host(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        await plan_soon(h)
        with pytest.raises(PermissionError):  # Discord hides /chathost from members
            await w.fake.invoke_slash_command("chathost status", user="alice", channel="chat")
        # an admin opens it to everyone: the bot's own check still refuses members
        await w.fake.set_command_permissions("chathost", [(w.guild.id, True)])
        for name, options in HOST_COMMANDS:
            refused = await slash(w.fake, name, options, user="alice")
            assert refused.ephemeral and refused.content.startswith(REFUSAL), name
        for name, options in HOST_COMMANDS:
            i = await w.fake.invoke_slash_command(name, options, user="hana", channel="chat")
            accepted = await modal_or_answer(w, i.id)
            assert accepted.ephemeral or accepted.callback_type == 9, name
            assert not (accepted.content or "").startswith(REFUSAL), name
            assert (accepted.content or "") != GENERIC, name
        question = await w.fake.post("alice", "chat", "A1: serve first")
        member = await w.fake.invoke_message_command("Hide from recap", question.id, user="bob")
        assert "Only the chat's hosts" in (await answer_of(w.fake, member.id)).content
        host = await w.fake.invoke_message_command("Hide from recap", question.id, user="hana")
        assert (await answer_of(w.fake, host.id)).ephemeral
    sync = next(s for s in w.fake.command_syncs if s.guild_id == w.guild.id)
    menu = next(c for c in sync.commands if c["name"] == "Hide from recap")
    # no default permissions: Discord would hide it from hosts without Manage Messages
    assert menu["default_member_permissions"] is None


async def test_host_controls_drive_the_session(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        settings = w.settings()
        start = datetime.now(UTC) + timedelta(hours=1)
        write_topic(settings.prompts_dir, chat_day(settings.chats[0], start))
        async with bot_running(w, settings) as h:
            session = await h.engine.plan_session(h.chat.name, start)
            event = await event_of(h, session.id)
            assert event["status"] == 1 and event_times(event) == (
                start,
                start + h.chat.close_offset,
            )
            event_id = int(event["id"])
            edited = await slash(
                w.fake,
                "chathost edit-question",
                {"number": 2, "text": "Who served you best?"},
                user="hana",
            )
            assert edited.content == "Q2 will be: Who served you best?"
            assert (
                await slash(w.fake, "chathost skip", {"number": 3}, user="hana")
            ).content == "Q3 will not be posted."
            preview = await slash(w.fake, "chathost preview", user="hana")
            assert (
                "**Q2:** Who served you best?" in preview.content and "(skipped)" in preview.content
            )
            assert "<t:" in preview.content and ":R>" in preview.content
            started = await slash(w.fake, "chathost start", user="hana")
            assert started.content.startswith("Starting now")
            # the event no longer says "in an hour": it starts (just ahead: Discord wants a
            # future start) and ends with the chat as started now
            begins, ends = event_times(await event_of(h, session.id))
            assert begins - datetime.now(UTC) < timedelta(seconds=5)
            assert close_to(ends, (await ledger_times(h, session.id))[1])
            await w.fake.wait_for_post(starts_with(w.ch("chat"), "Welcome"), TIMEOUT)
            await w.fake.wait_for_action(
                lambda r: r.event_id == event_id and r.event["status"] == 2,
                kind=ScheduledEventRecord,
                timeout=TIMEOUT,
            )
            paused = await slash(w.fake, "chathost pause", user="hana")
            assert paused.content.startswith("Paused")
            assert "Paused by the hosts" in (await event_of(h, session.id))["description"]
            again = await slash(w.fake, "chathost pause", user="hana")
            assert again.content == "the chat is already paused"  # a ControlError, told kindly
            assert (await slash(w.fake, "chathost resume", user="hana")).content.startswith(
                "Resumed"
            )
            event = await event_of(h, session.id)
            assert "Paused" not in event["description"]
            assert close_to(event_times(event)[1], (await ledger_times(h, session.id))[1])
            nxt = await slash(w.fake, "chathost next", user="hana")
            assert nxt.content.startswith("Posting Q1 now")
            await w.fake.wait_for_post(starts_with(w.ch("chat"), "Q1: "), TIMEOUT)
            extended = await slash(w.fake, "chathost extend", {"minutes": 5}, user="hana")
            assert extended.content.startswith("Extended by 5 minutes")
            event = await event_of(h, session.id)
            assert event["status"] == 2
            assert close_to(event_times(event)[1], (await ledger_times(h, session.id))[1])
            assert event_times(event)[1] - datetime.now(UTC) > timedelta(minutes=5)
            status = await slash(w.fake, "chathost status", user="hana")
            assert "Status: **running**" in status.content and "Serving first" in status.content
            assert (await slash(w.fake, "chathost end", user="hana")).content.startswith(
                "Closing now"
            )
            await w.fake.wait_for_post(starts_with(w.ch("chat"), "That's a wrap"), TIMEOUT)
            await w.fake.wait_for_action(
                lambda r: r.event_id == event_id and r.event["status"] == 3,
                kind=ScheduledEventRecord,
                timeout=TIMEOUT,
            )
            ledger = {s.key: s for s in await h.store.steps.for_session(session.id)}
            assert ledger["q3"].status is StepStatus.SKIPPED
            assert (
                ledger["q1"].status is StepStatus.SENT and ledger["q2"].status is StepStatus.SKIPPED
            )
            actions = [a for a in await h.store.host_actions.for_session(session.id)]
            assert [a.action for a in actions] == [
                "edit-question",
                "skip",
                "start",
                "pause",
                "resume",
                "next",
                "extend",
                "end",
            ]
            assert all("hana" in a.actor for a in actions)


async def test_cancel_tells_members_and_an_unexpected_error_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        session = await plan_soon(h)
        cancelled = await slash(w.fake, "chathost cancel", user="hana")
        assert "cancelled" in cancelled.content
        notice = await w.fake.wait_for_post(lambda p: p.channel_id == w.ch("announce"), TIMEOUT)
        assert "is cancelled" in notice.content and notice.nonce
        row = await h.store.sessions.get(session.id)
        assert row is not None and row.status is SessionStatus.CANCELLED

        async def broken() -> list[SessionRow]:
            raise RuntimeError("database on fire")

        monkeypatch.setattr(h.store.sessions, "active", broken)
        failed = await slash(w.fake, "chathost pause", user="hana")
        assert failed.content == GENERIC and failed.ephemeral
    assert "database on fire" in caplog.text


async def test_topic_new_writes_the_file_and_the_planned_chat_uses_it(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        session = await plan_soon(h)
        assert session.topic.open_discussion
        opened = await w.fake.invoke_slash_command(
            "chathost topic new", {}, user="hana", channel="hosts"
        )
        modal = await modal_or_answer(w, opened.id)
        assert modal.callback_type == 9 and modal.payload["custom_id"] == "leadershipchat:topic-new"
        submitted = await w.fake.submit_modal(
            "leadershipchat:topic-new",
            {
                "topic-date": session.chat_date.isoformat(),
                "topic-title": "Leading when tired",
                "topic-prep": "https://example.org/tired",
                "topic-hosts": "Hana H, Jo",
                "topic-questions": "Q1: How do you notice you are tired?\n\n2. Who covers for you?\n- What helps?",
            },
        )
        answer = await answer_of(w.fake, submitted.id)
        assert answer.content.startswith("Saved `") and "now uses it" in answer.content
        refreshed = await h.store.sessions.get(session.id)
        assert refreshed is not None and refreshed.topic.title == "Leading when tired"
        assert [q.text for q in refreshed.topic.questions] == [
            "How do you notice you are tired?",
            "Who covers for you?",
            "What helps?",
        ]
        (path,) = h.settings.prompts_dir.glob("*.yaml")
        data = yaml.safe_load(path.read_text())
        assert (
            data["hosts"] == ["Hana H", "Jo"] and data["prep_post"] == "https://example.org/tired"
        )


async def test_a_broken_topic_file_or_upload_never_stops_the_bot(tmp_path: Path) -> None:
    """Issue 13: a date with a time used to stop planning with a TypeError, and an upload of it
    was written to disk; an alias bomb of a few hundred bytes took gigabytes."""
    async with world(tmp_path) as w:
        settings = w.settings()
        settings.prompts_dir.mkdir(parents=True)
        broken = "title: x\ndate: 2027-02-16 20:00:00\nquestions: [Why]\n"
        (settings.prompts_dir / "broken.yaml").write_text(broken, encoding="utf-8")
        async with bot_running(w, settings) as h:
            alert = await w.fake.wait_for_post(lambda p: p.channel_id == w.ch("hosts"), TIMEOUT)
            assert "`broken.yaml` line 2: date: 2027-02-16 20:00:00 has a time" in alert.content
            session = await plan_soon(h)
            assert session.topic.open_discussion  # planned all the same
            refused = await slash(
                w.fake, "chathost topic import", {"file": ("t.yaml", broken.encode())}, user="hana"
            )
            assert "not saved" in refused.content and "line 2: date: 2027-02-16 20:00:00" in (
                refused.content
            )
            bomb = "title: x\ndate: 2027-02-16\na0: &a0 [a, a, a, a, a, a, a, a, a]\n"
            bomb += "".join(
                f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
            )
            refused = await slash(
                w.fake, "chathost topic import", {"file": ("b.yaml", bomb.encode())}, user="hana"
            )
            assert "aliases (*name) repeat more than" in refused.content
            assert [p.name for p in settings.prompts_dir.iterdir()] == ["broken.yaml"]


async def test_topic_import_validates_and_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        session = await plan_soon(h)
        day = session.chat_date.isoformat()
        bad = f"title: Broken\ndate: {day}\nquestions: []\n".encode()
        refused = await slash(
            w.fake, "chathost topic import", {"file": ("bad.yaml", bad)}, user="hana"
        )
        assert "not saved" in refused.content and "line 3" in refused.content
        good = f"title: Trust\ndate: {day}\nquestions:\n  - Who do you trust?\n".encode()
        saved = await slash(
            w.fake, "chathost topic import", {"file": ("t.yaml", good)}, user="hana"
        )
        assert saved.content.startswith("Saved") and "now uses it" in saved.content
        again = await slash(
            w.fake, "chathost topic import", {"file": ("t.yaml", good)}, user="hana"
        )
        assert "already has a topic" in again.content
        other = good.replace(b"Trust", b"Trust, again")
        replaced = await slash(
            w.fake,
            "chathost topic import",
            {"file": ("t.yaml", other), "replace": True},
            user="hana",
        )
        assert replaced.content.startswith("Replaced")
        assert len(list(h.settings.prompts_dir.glob("*.yaml"))) == 1
        row = await h.store.sessions.get(session.id)
        assert row is not None and row.topic.title == "Trust, again"

        typing = await w.fake.invoke_autocomplete(
            "chathost topic show", {"name": "tru"}, "name", user="hana", channel="chat"
        )
        choices = await w.fake.wait_for_action(
            lambda r: r.interaction_id == typing.id, kind=InteractionResponseRecord, timeout=TIMEOUT
        )
        (choice,) = choices.payload["choices"]
        shown = await slash(w.fake, "chathost topic show", {"name": choice["value"]}, user="hana")
        assert "**Trust, again**" in shown.content and "Q1: Who do you trust?" in shown.content


async def test_draft_answers_with_a_yaml_file(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()):
        answer = await slash(
            w.fake, "chathost draft", {"file": ("serving.md", PREP_POST)}, user="hana"
        )
        assert answer.ephemeral and answer.content.startswith("Draft for")
        (attachment,) = answer.attachments or []
        assert attachment.filename.endswith("-serving-first.yaml")
        draft = yaml.safe_load(attachment.content)
        assert draft["title"] == "Serving first"
        assert "What does it mean to serve the people you lead?" in draft["questions"]
        neither = await slash(w.fake, "chathost draft", {}, user="hana")
        assert neither.content.startswith("Attach the prep post")


async def test_draft_for_a_day_that_is_not_the_chats_weekday_warns(tmp_path: Path) -> None:
    """`day:` on another weekday than the chat's is drafted, with the warning `prompts validate`
    gives (it was drafted without a word, and the topic then never used)."""
    async with world(tmp_path) as w:
        settings = w.settings()
        chat = settings.chats[0]
        day = date(2027, 3, 1)  # a Monday: the day after the chat's weekday
        day += timedelta(days=(chat.schedule.weekday + 1 - day.weekday()) % 7)
        async with bot_running(w, settings):
            answer = await slash(
                w.fake,
                "chathost draft",
                {"file": ("serving.md", PREP_POST), "day": day.isoformat()},
                user="hana",
            )
    (attachment,) = answer.attachments or []
    assert yaml.safe_load(attachment.content)["date"] == day
    meets = WEEKDAYS[chat.schedule.weekday].title()
    said = f"{day} is a {WEEKDAYS[day.weekday()].title()} and {chat.name} meets on {meets}s"
    assert said in answer.content


async def test_draft_from_a_url_refuses_addresses_that_are_not_public(tmp_path: Path) -> None:
    """`/chathost draft url:` must not make the bot fetch loopback, private or metadata addresses
    (issue 13): the host gets the reason; nothing is fetched (port 9 on loopback would refuse)."""
    async with world(tmp_path) as w, bot_running(w, w.settings()):
        for url in ("http://127.0.0.1:9/post", "http://[::ffff:169.254.169.254]/latest"):
            answer = await slash(w.fake, "chathost draft", {"url": url}, user="hana")
            assert answer.ephemeral and "is not a public internet address" in answer.content
            assert not answer.attachments


async def test_member_commands(tmp_path: Path) -> None:
    async with world(tmp_path) as w, bot_running(w, w.settings()) as h:
        alice = w.guild.member("alice")
        session = await plan_soon(h)
        await h.store.members.record_message(
            session.id, alice, "alice", datetime.now(UTC), answer=True
        )
        await h.store.messages.add(
            MessageRow(
                id=1,
                session_id=session.id,
                channel_id=w.ch("chat"),
                author_id=alice,
                author_name="alice",
                content="A1: my words",
                created_at=datetime.now(UTC),
                attribution=Attributed("answer", (1,)),
            )
        )
        stats = await slash(w.fake, "chat mystats", user="alice")
        assert "Chats joined: 1" in stats.content and "answers: 1" in stats.content
        out = await slash(w.fake, "chat optout", user="alice")
        assert "removed the text of 1 stored message" in out.content
        stored = await h.store.messages.get(1)
        assert stored is not None and stored.content is None
        assert "appear in recaps again" in (await slash(w.fake, "chat optin", user="alice")).content
        on = await slash(w.fake, "chat remind", {"state": "on"}, user="alice")
        assert on.content.startswith("Reminders on for #LeadershipChat")
        assert await h.store.members.reminded_chats(alice) == {h.chat.name}
        stats = await slash(w.fake, "chat mystats", user="alice")
        assert "DM reminders: on for #LeadershipChat" in stats.content
        helped = await slash(w.fake, "chat help", user="bob")
        assert "A1:" in helped.content and "<t:" in helped.content

        asked = await slash(w.fake, "chat forgetme", user="alice")
        buttons = asked.components[0]["components"] if asked.components else []
        confirm = next(b["custom_id"] for b in buttons if b["label"] == "Erase everything")
        assert asked.message_id is not None
        stranger = await w.fake.click_button(asked.message_id, confirm, user="bob")
        assert "not for you" in (await answer_of(w.fake, stranger.id)).content
        yes = await w.fake.click_button(asked.message_id, confirm, user="alice")
        done = await answer_of(w.fake, yes.id)
        # acknowledged at once (the erasure may outlast Discord's 3 s), the question then edited
        assert w.fake.responses_to(yes.id)[0].callback_type == 6
        assert done.action == "edit_original"
        assert done.content.startswith(f"Erased everything stored about member {alice}")
        assert await h.store.members.get(alice) is None
        tombstone = await h.store.messages.get(1)  # kept anonymous so backfill cannot restore it
        assert tombstone is None or (tombstone.author_id == 0 and tombstone.content is None)


async def test_commands_act_on_the_chat_of_the_channel_they_are_used_in(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lounge = w.ch("lounge")
        base = w.settings().model_dump(mode="json")
        second = dict(base["chats"][0], name="evening", hashtag="#EveningChat")
        second["channels"] = {"chat": lounge}
        base["chats"].append(second)
        from bot.config import Settings

        settings = Settings.model_validate(base)
        async with bot_running(w, settings):
            here = await slash(w.fake, "chathost status", user="hana", channel="lounge")
            assert "#EveningChat" in here.content
            default = await slash(w.fake, "chathost status", user="hana", channel="hosts")
            assert "#LeadershipChat" in default.content
