"""Timeline maths: chats stay at 8 pm local across daylight saving, `next_starts` never returns the
past, and the run of show comes out in the order the README's "What the bot does" describes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ChatSettings, Schedule, load_settings
from bot.domain.steps import StepKind
from bot.timeline import chat_dates, local_date, next_starts, plan, question_offsets, start_for_date

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "config.example.yaml"

NY = Schedule()  # the default: Tuesday 20:00 America/New_York, one hour
M = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_chat(**run_of_show: object) -> ChatSettings:
    return ChatSettings.model_validate(
        {
            "name": "leadershipchat",
            "guild_id": 1,
            "channels": {"chat": 2, "host": 3},
            "run_of_show": run_of_show,
        }
    )


# ----------------------------------------------------------------------------- start times and DST


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 27), utc(2026, 10, 28, 0, 0)),  # EDT (UTC-4), the last Tuesday before ...
        (date(2026, 11, 3), utc(2026, 11, 4, 1, 0)),  # ... the first Sunday of November: EST
        (date(2027, 3, 9), utc(2027, 3, 10, 1, 0)),  # EST, the Tuesday before March 14
        (date(2027, 3, 16), utc(2027, 3, 17, 0, 0)),  # EDT again
    ],
)
def test_new_york_chat_stays_at_8pm_across_daylight_saving(day, expected):
    start = start_for_date(NY, day)
    assert start == expected
    assert start.tzinfo is UTC
    local = start.astimezone(ZoneInfo("America/New_York"))
    assert (local.date(), local.time()) == (day, time(20, 0))
    assert local_date(NY, start) == day  # the UTC date is Wednesday; the chat date is Tuesday


def test_next_starts_walks_across_the_november_change():
    starts = next_starts(NY, utc(2026, 10, 21, 12, 0), count=3)
    assert starts == [utc(2026, 10, 28, 0, 0), utc(2026, 11, 4, 1, 0), utc(2026, 11, 11, 1, 0)]


def test_next_starts_walks_across_the_march_change():
    starts = next_starts(NY, utc(2027, 3, 3, 12, 0), count=3)
    assert starts == [utc(2027, 3, 10, 1, 0), utc(2027, 3, 17, 0, 0), utc(2027, 3, 24, 0, 0)]
    assert chat_dates(NY, utc(2027, 3, 3, 12, 0), 3) == [
        date(2027, 3, 9),
        date(2027, 3, 16),
        date(2027, 3, 23),
    ]


def test_next_starts_is_strictly_after():
    start = utc(2026, 11, 4, 1, 0)  # Tuesday 2026-11-03 20:00 EST
    assert next_starts(NY, start) == [start + timedelta(weeks=1)]
    assert next_starts(NY, start - timedelta(microseconds=1)) == [start]
    assert next_starts(NY, start + timedelta(seconds=1)) == [start + timedelta(weeks=1)]


@pytest.mark.parametrize(
    ("after_local", "expected_day"),
    [
        (datetime(2026, 11, 3, 9, 0), date(2026, 11, 3)),  # Tuesday morning: tonight
        (datetime(2026, 11, 3, 20, 30), date(2026, 11, 10)),  # during the chat: next week
        (datetime(2026, 11, 4, 0, 30), date(2026, 11, 10)),  # Wednesday just after midnight
        (datetime(2026, 11, 2, 23, 0), date(2026, 11, 3)),  # Monday night
        (datetime(2026, 11, 1, 1, 30), date(2026, 11, 3)),  # inside the repeated hour of Nov 1
    ],
)
def test_next_start_from_various_local_moments(after_local, expected_day):
    after = after_local.replace(tzinfo=ZoneInfo("America/New_York"))
    [start] = next_starts(NY, after)
    assert local_date(NY, start) == expected_day


def test_next_starts_needs_an_aware_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_starts(NY, datetime(2026, 11, 3, 12, 0))


def test_next_starts_accepts_any_aware_zone():
    after = datetime(2026, 11, 4, 2, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # = Nov 3, 20:00 EST
    assert next_starts(NY, after) == [utc(2026, 11, 11, 1, 0)]


def test_berlin_chat_stays_at_local_time_across_its_own_change():
    berlin = Schedule(timezone="Europe/Berlin")  # DST ends 2026-10-25
    starts = next_starts(berlin, utc(2026, 10, 19), count=2)
    assert starts == [utc(2026, 10, 20, 18, 0), utc(2026, 10, 27, 19, 0)]
    for start in starts:
        assert start.astimezone(berlin.zone).time() == time(20, 0)


def test_kolkata_chat_has_no_daylight_saving():
    kolkata = Schedule.model_validate(
        {"timezone": "Asia/Kolkata", "weekday": "thursday", "time": "19:30"}
    )
    starts = next_starts(kolkata, utc(2026, 1, 1), count=52)
    assert {s.time() for s in starts} == {time(14, 0)}  # always UTC+5:30
    assert {s.astimezone(kolkata.zone).weekday() for s in starts} == {3}


def test_a_year_of_new_york_chats_is_always_tuesday_8pm_local():
    starts = next_starts(NY, utc(2026, 1, 1), count=60)
    zone = ZoneInfo("America/New_York")
    assert {(s.astimezone(zone).weekday(), s.astimezone(zone).time()) for s in starts} == {
        (1, time(20, 0))
    }
    assert {s.time() for s in starts} == {time(0, 0), time(1, 0)}  # EDT and EST in UTC
    assert all(
        b - a in (timedelta(days=7, hours=h) for h in (-1, 0, 1)) for a, b in pairwise(starts)
    )


# ----------------------------------------------------------------------------- the run of show

START = utc(2026, 12, 2, 1, 0)  # Tuesday 2026-12-01 20:00 EST


def offsets(steps):
    return [(s.key, s.due_at - START) for s in steps]


def test_plan_follows_the_run_of_show(settings):
    chat = settings.chats[0]  # host channel configured: heads-ups on
    steps = plan(chat, START, [None] * 6)
    expected = [
        ("reminder-1d", -24 * 60 * M),
        ("reminder-1h", -60 * M),
        ("reminder-10m", -10 * M),
        ("welcome", 0 * M),
    ]
    for n in range(1, 7):
        q = (5 + 9 * (n - 1)) * M
        expected += [(f"heads-up-q{n}", q - M), (f"q{n}", q)]
    expected += [
        ("last-call", 55 * M),
        ("close", 60 * M),
        ("recap", 60 * M + timedelta(hours=12)),
    ]
    assert offsets(steps) == expected
    assert [s.due_at for s in steps] == sorted(s.due_at for s in steps)
    assert all(s.due_at.tzinfo is UTC for s in steps)


def test_plan_step_kinds_and_question_numbers(settings):
    steps = plan(settings.chats[0], START, [None] * 3)
    kinds = [s.kind for s in steps]
    assert kinds.count(StepKind.REMINDER) == 3
    assert kinds.count(StepKind.HEADS_UP) == kinds.count(StepKind.QUESTION) == 3
    assert [s.question for s in steps if s.kind is StepKind.QUESTION] == [1, 2, 3]
    assert [s.question for s in steps if s.kind is StepKind.HEADS_UP] == [1, 2, 3]
    assert all(
        s.question is None for s in steps if s.kind not in (StepKind.QUESTION, StepKind.HEADS_UP)
    )
    assert len({s.key for s in steps}) == len(steps)  # keys are unique: they become nonces


def test_explicit_at_moves_a_question_and_the_ones_after_it(settings):
    chat = settings.chats[0]
    explicit = [None, None, 25 * M, None, None, None]
    assert question_offsets(chat, explicit) == [m * M for m in (5, 14, 25, 34, 43, 52)]
    by_key = dict(offsets(plan(chat, START, explicit)))
    assert by_key["q3"] == 25 * M
    assert by_key["heads-up-q3"] == 24 * M
    assert by_key["q6"] == 52 * M


def test_no_heads_ups_without_a_host_channel_or_when_turned_off():
    chat = make_chat()
    assert not [
        s for s in plan(chat, START, [None] * 2, heads_up=False) if s.kind is StepKind.HEADS_UP
    ]
    off = make_chat(host_heads_up="0s")
    assert not [s for s in plan(off, START, [None] * 2) if s.kind is StepKind.HEADS_UP]


def test_custom_run_of_show():
    chat = make_chat(
        reminders=["2h", "10m", "2h", "0s"],  # repeated and zero reminders are dropped
        welcome="1m",
        first_question="3m",
        spacing="5m",
        last_call="50m",
        close="55m",
        late_window="30m",
        host_heads_up="30s",
    )
    assert offsets(plan(chat, START, [None, None])) == [
        ("reminder-2h", -120 * M),
        ("reminder-10m", -10 * M),
        ("welcome", 1 * M),
        ("heads-up-q1", timedelta(minutes=2, seconds=30)),
        ("q1", 3 * M),
        ("heads-up-q2", timedelta(minutes=7, seconds=30)),
        ("q2", 8 * M),
        ("last-call", 50 * M),
        ("close", 55 * M),
        ("recap", 85 * M),
    ]


def test_last_call_at_the_close_is_left_out():
    chat = make_chat(last_call="1h")
    keys = [s.key for s in plan(chat, START, [None])]
    assert "last-call" not in keys
    assert keys[-2:] == ["close", "recap"]


def test_steps_due_at_the_same_moment_keep_the_run_of_show_order():
    chat = make_chat(host_heads_up="0s")
    steps = plan(chat, START, [None, 55 * M])  # Q2 at the same minute as the last call
    keys = [s.key for s in steps if s.due_at == START + 55 * M]
    assert keys == ["q2", "last-call"]


def test_compressed_chat_in_seconds():
    # The demo and end-to-end tests squeeze a chat into seconds; the maths must not round.
    chat = make_chat(
        reminders=["3s"],
        first_question="2s",
        spacing="2s",
        last_call="9s",
        close="10s",
        late_window="2s",
        host_heads_up="1s",
    )
    assert [d.total_seconds() for _, d in offsets(plan(chat, START, [None] * 3))] == [
        -3,
        0,
        1,
        2,
        3,
        4,
        5,
        6,
        9,
        10,
        12,
    ]


# ----------------------------------------------------------------------------- the CLI

_TIME = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d):(\d\d) ([A-Z]{2,5}|[+-]\d{2,4})"
_ROW = re.compile(rf"^  {_TIME}\s+{_TIME}\s+(\S.*)$")
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _minutes(day: str, hh: str, mm: str) -> int:
    return _DAYS.index(day) * 1440 + int(hh) * 60 + int(mm)


def test_cli_schedule_shows_both_zones(run_cli):
    result = run_cli(
        "--config", EXAMPLE_CONFIG, "schedule", "--weeks", "2", "--tz", "Europe/Berlin"
    )
    assert result.code == 0, result.err
    blocks = [b for b in result.out.split("\n\n") if b.strip()]
    assert len(blocks) == 2
    for block in blocks:
        title, header, *rows = block.strip("\n").splitlines()
        assert title.startswith("leadershipchat #LeadershipChat on Tuesday ")
        assert header.split() == ["America/New_York", "Europe/Berlin", "step"]
        labels = []
        for row in rows:
            match = _ROW.match(row)
            assert match, row
            ny_zone, berlin_zone = match[4], match[8]
            assert ny_zone in ("EST", "EDT")
            assert berlin_zone in ("CET", "CEST")
            gap = (_minutes(*match.group(5, 6, 7)) - _minutes(*match.group(1, 2, 3))) % (7 * 1440)
            assert gap in (5 * 60, 6 * 60)  # Berlin is 5 or 6 hours ahead of New York
            assert header.index("step") == row.index(match[9])  # the label column lines up
            labels.append(match[9])
        assert labels[0] == "reminder (1d before)"
        assert "welcome" in labels
        assert labels[-3:] == ["last call", "close (late answers still count)", "recap published"]
        welcome = rows[labels.index("welcome")]
        assert " Tue 20:00 E" in welcome


def test_cli_schedule_rejects_an_unknown_zone_and_zero_weeks(run_cli):
    result = run_cli("--config", EXAMPLE_CONFIG, "schedule", "--tz", "Europe/Berln")
    assert result.code == 2
    assert "'Europe/Berln' is not a known time zone" in result.err
    result = run_cli("--config", EXAMPLE_CONFIG, "schedule", "--weeks", "0")
    assert result.code == 2
    assert "argument --weeks: 0 weeks: give 1 to 520" in result.err


def test_cli_schedule_lists_questions_of_a_topic(tmp_path, run_cli):
    # A topic for next week's date (computed the same way the command does) shows its questions.
    config = tmp_path / "config.yaml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "prompts").mkdir()
    settings = load_settings(config)
    day = chat_dates(settings.chats[0].schedule, datetime.now(UTC), 2)[1]
    (tmp_path / "prompts" / f"{day}-x.yaml").write_text(
        f"title: Listening\ndate: {day}\nquestions:\n  - Who do you listen to?\n"
        "  - text: Who listens to you?\n    at: 25m\n",
        encoding="utf-8",
    )
    result = run_cli("--config", config, "schedule", "--weeks", "2")
    assert result.code == 0, result.err
    assert f"on Tuesday {day}: Listening" in result.out
    assert re.search(r"Tue 20:05 E[SD]T\s+Q1: Who do you listen to\?", result.out)
    assert re.search(r"Tue 20:25 E[SD]T\s+Q2: Who listens to you\?", result.out)
    # The other week has no topic file: the bot runs an open discussion, and says so.
    other = next(b.strip() for b in result.out.split("\n\n") if "Listening" not in b)
    assert ": Open discussion (no topic file yet)" in other.splitlines()[0]
    assert re.search(r"Tue 20:05 E[SD]T\s+Q1: What is one leadership lesson", other)
