"""The run of show as hosts read it: `leadershipchat schedule` in a terminal and `/chathost preview`
in Discord, from one renderer (bot.run_of_show)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import ChatSettings, Settings
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.engine import planning
from bot.run_of_show import (
    DISCORD_LIMIT,
    Show,
    ShowStep,
    as_discord,
    as_text,
    label,
    planned,
)

START = datetime(2025, 3, 5, 1, 0, tzinfo=UTC)  # Tuesday 4 March 2025, 8 pm EST
NEW_YORK = ZoneInfo("America/New_York")
TOPIC = SessionTopic(
    title="Listening",
    questions=(SessionQuestion("Who do you listen to?"), SessionQuestion("Who listens to you?")),
)


def show_for(chat: ChatSettings, topic: SessionTopic = TOPIC, state: str | None = None) -> Show:
    return Show.of(chat, topic, START, planned(planning.steps_for(chat, START, topic)), state)


def channels(chat: ChatSettings) -> dict[str, int]:
    return {"announce": chat.announce_channel, "chat": chat.channels.chat, "recap": 444}


def test_terminal_table_lists_every_step_in_the_chats_zone(settings: Settings) -> None:
    chat = settings.chats[0]
    text = as_text(show_for(chat), [("America/New_York", NEW_YORK)])
    title, header, *rows = text.splitlines()
    assert title == "leadershipchat #LeadershipChat on Tuesday 2025-03-04: Listening"
    assert header.split() == ["America/New_York", "step"]
    assert rows == [
        "  Mon 20:00 EST     reminder (1d before)",
        "  Tue 19:00 EST     reminder (1h before)",
        "  Tue 19:50 EST     reminder (10m before)",
        "  Tue 20:00 EST     welcome",
        "  Tue 20:04 EST     host heads-up for Q1",
        "  Tue 20:05 EST     Q1: Who do you listen to?",
        "  Tue 20:13 EST     host heads-up for Q2",
        "  Tue 20:14 EST     Q2: Who listens to you?",
        "  Tue 20:55 EST     last call",
        "  Tue 21:00 EST     close (late answers still count)",
        "  Wed 09:00 EST     recap published",
    ]


def test_terminal_columns_line_up_under_a_long_zone_name(settings: Settings) -> None:
    buenos_aires = "America/Argentina/Buenos_Aires"
    zones = [("America/New_York", NEW_YORK), (buenos_aires, ZoneInfo(buenos_aires))]
    header, *rows = as_text(show_for(settings.chats[0]), zones).splitlines()[1:]
    assert rows[0].startswith("  Mon 20:00 EST")
    for column in (header.index(buenos_aires), header.index("step")):
        assert all(row[column - 2 : column] == "  " and row[column] != " " for row in rows)
    assert rows[0][header.index(buenos_aires) :].startswith("Mon 22:00 -03")
    assert rows[0][header.index("step") :] == "reminder (1d before)"


def test_no_topic_file_shows_the_open_discussion_the_bot_will_run(settings: Settings) -> None:
    chat = settings.chats[0]
    show = show_for(chat, planning.snapshot(None))
    text = as_text(show, [("America/New_York", NEW_YORK)])
    assert text.splitlines()[0].endswith(": Open discussion (no topic file yet)")
    assert "Q1: What is one leadership lesson your week taught you?" in text
    assert "No topic file for this date: it runs as an open discussion" in as_discord(show, {})


def test_discord_preview_has_timestamps_channels_and_what_happened(settings: Settings) -> None:
    chat = settings.chats[0]
    done = {"welcome": "sent", "q1": "skipped"}
    steps = [
        ShowStep(s.key, s.kind, s.due_at, s.question, done.get(s.key, "pending"))
        for s in show_for(chat).steps
    ]
    text = as_discord(Show.of(chat, TOPIC, START, steps, "running"), channels(chat))
    head, *lines = text.splitlines()
    assert head == f"**#LeadershipChat <t:{int(START.timestamp())}:F>: Listening** (running)"
    day_before = int((START - timedelta(days=1)).timestamp())
    assert lines[0] == (
        f"<t:{day_before}:t> (<t:{day_before}:R>) reminder (1d before) in <#333333333333333333>"
    )
    assert any(line.endswith(" welcome in <#222222222222222222> *(sent)*") for line in lines)
    assert any(line.endswith(" **Q1:** Who do you listen to? *(skipped)*") for line in lines)
    assert any(line.endswith(" **Q2:** Who listens to you?") for line in lines)
    assert lines[-1].endswith(" recap published in <#444>")


def test_both_outputs_name_each_step_the_same_way(settings: Settings) -> None:
    chat = settings.chats[0]
    show = show_for(chat)
    rows = as_text(show, [("America/New_York", NEW_YORK)]).splitlines()[2:]
    lines = as_discord(show, {}).splitlines()[1:]
    assert len(rows) == len(lines) == len(show.steps)
    for row, line in zip(rows, lines, strict=True):
        terminal = row[len("  Tue 20:00 EST     ") :]
        assert line.split(":R>) ", 1)[1].replace("**", "") == terminal


def test_long_questions_are_shortened_so_every_step_fits_one_message(settings: Settings) -> None:
    chat = settings.chats[0]
    texts = [f"Question {n}: " + "why does this matter so much " * 60 for n in range(1, 13)]
    topic = SessionTopic("Long", tuple(SessionQuestion(t) for t in texts))
    show = show_for(chat, topic)
    text = as_discord(show, channels(chat))
    assert len(text) <= DISCORD_LIMIT
    assert len(text.splitlines()) == 1 + len(show.steps)  # nothing left out
    for n in range(1, 13):
        assert re.search(rf"\*\*Q{n}:\*\* Question {n}: why does this .*…$", text, re.M)
    assert texts[11] in as_text(show, [("America/New_York", NEW_YORK)])  # the terminal: in full


def test_steps_that_cannot_fit_are_counted_not_cut(settings: Settings) -> None:
    chat = settings.chats[0]
    many = [
        ShowStep(f"newcomers-{n}", "newcomers", START + timedelta(minutes=n), None, "sent")
        for n in range(1, 60)
    ]
    text = as_discord(Show.of(chat, TOPIC, START, many), channels(chat))
    assert len(text) <= DISCORD_LIMIT
    *shown, last = text.splitlines()[1:]
    assert all(line.endswith("welcome for newcomers *(sent)*") for line in shown)
    more = re.fullmatch(r"… and (\d+) more steps", last)
    assert more and len(shown) + int(more[1]) == len(many)


def test_a_step_kind_this_version_does_not_know_shows_its_key() -> None:
    step = ShowStep("poll-1", "poll", START)
    assert label(step, ()) == "poll-1"
