"""config.yaml -> Settings: the example loads, and every mistake a host can make is reported as
`config.yaml:LINE: field.path: what is wrong`, by the library and by the CLI, without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.durations import format_duration, parse_duration

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "config.example.yaml"

# The smallest valid config, five lines: text appended to it starts on line 6.
MINIMAL_CONFIG = """\
chats:
  - name: leadershipchat
    guild_id: 111
    channels:
      chat: 222
"""

# ----------------------------------------------------------------------------- the example


def test_example_config_loads_with_the_documented_defaults(settings):
    chat = settings.chats[0]
    assert chat.name == "leadershipchat"
    assert chat.hashtag == "#LeadershipChat"
    assert chat.schedule.weekday == 1  # tuesday
    assert chat.schedule.time == time(20, 0)
    assert chat.schedule.timezone == "America/New_York"
    assert chat.run_of_show.reminders == (
        timedelta(hours=24),
        timedelta(hours=1),
        timedelta(minutes=10),
    )
    assert chat.run_of_show.first_question == timedelta(minutes=5)
    assert chat.close_offset == timedelta(hours=1)
    assert chat.announce_channel == 333333333333333333
    assert settings.source == EXAMPLE_CONFIG


def test_relative_paths_are_relative_to_the_config_file(settings):
    assert settings.prompts_dir == REPO_ROOT / "prompts"
    assert settings.database == REPO_ROOT / "data" / "leadershipchat.db"
    assert settings.backup.dir == REPO_ROOT / "data" / "backups"


def test_minimal_config_fills_in_defaults(write_config):
    settings = load_settings(write_config(MINIMAL_CONFIG))
    chat = settings.chat(None)
    assert chat.schedule.timezone == "America/New_York"
    assert chat.recap_channel == chat.channels.chat == 222
    assert settings.chat("leadershipchat") is chat
    with pytest.raises(KeyError, match="no chat named 'other'"):
        settings.chat("other")


def test_unquoted_time_and_weekday_names_are_understood(write_config):
    text = MINIMAL_CONFIG + "    schedule:\n      weekday: Thu\n      time: 19:30\n"
    chat = load_settings(write_config(text)).chats[0]
    assert chat.schedule.weekday == 3
    assert chat.schedule.time == time(19, 30)


# ----------------------------------------------------------------------------- bad configs

BAD_CONFIGS = [
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: America/New_Yrok\n",
        7,
        "chats[0].schedule.timezone",
        "'America/New_Yrok' is not a known time zone",
        id="misspelled-timezone",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    colour: blue\n",
        6,
        "chats[0].colour",
        "is not a known setting",
        id="unknown-key",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      weekday: tuesdy\n",
        7,
        "chats[0].schedule.weekday",
        "'tuesdy' is not a weekday",
        id="misspelled-weekday",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      weekday: 9\n",
        7,
        "chats[0].schedule.weekday",
        "9 is a number, not a weekday: write the day's name, like tuesday",
        id="weekday-number-out-of-range",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      weekday: 2\n",
        7,
        "chats[0].schedule.weekday",
        "2 is a number, not a weekday: write the day's name, like tuesday (2 is wednesday"
        " counting from 0 = Monday, tuesday in ISO 8601)",
        id="weekday-number-is-ambiguous",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: 5\n",
        7,
        "chats[0].schedule.timezone",
        "5 is a number, not a time zone: write an IANA name like America/New_York",
        id="timezone-number",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: [America/New_York]\n",
        7,
        "chats[0].schedule.timezone",
        "['America/New_York'] is not a time zone: write an IANA name like America/New_York",
        id="timezone-list",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: localtime\n",
        7,
        "chats[0].schedule.timezone",
        "'localtime' is the machine's own setting, not a place",
        id="timezone-localtime",
    ),
    pytest.param(
        "chats:\n  - name: leadershipchat\n    channels:\n      chat: 222\n",
        2,
        "chats[0].guild_id",
        "is required but missing",
        id="missing-guild-id",
    ),
    pytest.param(
        MINIMAL_CONFIG.replace("guild_id: 111", "guild_id: my-server"),
        3,
        "chats[0].guild_id",
        "valid integer",
        id="guild-id-not-a-number",
    ),
    pytest.param(
        "chats:\n  - name: leadershipchat\n    guild_id: 111\n    channels:\n      announce: 333\n",
        4,
        "chats[0].channels.chat",
        "is required but missing",
        id="missing-chat-channel",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      duration: 10 minutes\n",
        7,
        "chats[0].schedule.duration",
        "'10 minutes' is not a duration; write it like 30s, 10m, 1h or 1h30m",
        id="duration-in-words",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      spacing: -5\n",
        7,
        "chats[0].run_of_show.spacing",
        "-5 is negative",
        id="negative-duration",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      spacing: 0s\n",
        7,
        "chats[0].run_of_show.spacing",
        "must be more than 0s",
        id="zero-spacing",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      duration: 0s\n",
        7,
        "chats[0].schedule.duration",
        "must be more than 0s and at most 24h",
        id="zero-chat-duration",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      reminders: [24h, soon]\n",
        7,
        "chats[0].run_of_show.reminders[1]",
        "'soon' is not a duration",
        id="bad-reminder-in-list",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    hashtag: LeadershipChat\n",
        6,
        "chats[0].hashtag",
        "'LeadershipChat' is not a hashtag",
        id="hashtag-without-hash",
    ),
    pytest.param(
        MINIMAL_CONFIG
        + "  - name: leadershipchat\n    guild_id: 111\n    channels:\n      chat: 999\n",
        6,
        "chats[1].name",
        "'leadershipchat' is already used by another chat",
        id="duplicate-chat-names",
    ),
    pytest.param(
        MINIMAL_CONFIG.replace("name: leadershipchat", "name: Leadership Chat"),
        2,
        "chats[0].name",
        "should match pattern",
        id="chat-name-with-spaces",
    ),
    pytest.param(
        "database: chat.db\nchats: []\n",
        2,
        "chats",
        "needs at least 1 entry, found 0",
        id="empty-chats-list",
    ),
    pytest.param(
        "database: chat.db\n",
        1,
        "chats",
        "is required but missing",
        id="no-chats-at-all",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      time: '25:00'\n",
        7,
        "chats[0].schedule.time",
        "'25:00' is not a time of day",
        id="time-25-00",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    privacy:\n      retention_days: 0\n",
        7,
        "chats[0].privacy.retention_days",
        "greater than or equal to 1",
        id="retention-zero-days",
    ),
    pytest.param(
        "discord:\n  api_base: localhost:8080/api/v10\n" + MINIMAL_CONFIG,
        2,
        "discord.api_base",
        "is not a URL",
        id="api-base-not-a-url",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      first_question: 2h\n",
        7,
        "chats[0].run_of_show.first_question",
        "2h must be at or after welcome (0s) and before the close (1h)",
        id="first-question-after-close",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      last_call: 2m\n",
        7,
        "chats[0].run_of_show.last_call",
        "2m must be at or after first_question (5m)",
        id="last-call-before-first-question",
    ),
    # Hostile or careless values (issue 13): each a clear problem, never a traceback.
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      duration: 99999999999d\n",
        7,
        "chats[0].schedule.duration",
        "'99999999999d' is too long; durations go up to 366d",
        id="duration-overflow",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      spacing: .inf\n",
        7,
        "chats[0].run_of_show.spacing",
        "inf is not a duration",
        id="duration-infinite",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      welcome: .nan\n",
        7,
        "chats[0].run_of_show.welcome",
        "nan is not a duration",
        id="duration-nan",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      late_window: 4d\n",
        7,
        "chats[0].run_of_show.late_window",
        "4d is too long: the recap waits for the late window, so it goes up to 3d",
        id="late-window-too-long",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    run_of_show:\n      reminders: [1h, 7d]\n",
        7,
        "chats[0].run_of_show.reminders[1]",
        "7d is too early: a chat is planned 2d ahead",
        id="reminder-before-planning",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: EST\n",
        7,
        "chats[0].schedule.timezone",
        "'EST' is a fixed offset from UTC with no daylight saving",
        id="fixed-offset-EST",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: Etc/GMT+5\n",
        7,
        "chats[0].schedule.timezone",
        "'Etc/GMT+5' is a fixed offset from UTC",
        id="fixed-offset-Etc-GMT",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: America\n",
        7,
        "chats[0].schedule.timezone",
        "'America' is not a known time zone",
        id="timezone-that-is-a-folder",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: right/UTC\n",
        7,
        "chats[0].schedule.timezone",
        "'right/UTC' is not a known time zone",
        id="timezone-with-leap-seconds",
    ),
    pytest.param(
        MINIMAL_CONFIG.replace("guild_id: 111", "guild_id: 111111111111111111111111"),
        3,
        "chats[0].guild_id",
        "less than 9223372036854775808",
        id="guild-id-too-long",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    moderation:\n      slowmode: 7h\n",
        7,
        "chats[0].moderation.slowmode",
        "7h is too long: Discord's longest slowmode is 6h",
        id="slowmode-over-discord-limit",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    moderation:\n      flood:\n        timeout: 30d\n",
        8,
        "chats[0].moderation.flood.timeout",
        "30d is too long: Discord times out for at most 28d",
        id="timeout-over-discord-limit",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    privacy:\n      retention_days: 99999999999\n",
        7,
        "chats[0].privacy.retention_days",
        "less than or equal to 36600",
        id="retention-overflow",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    hashtag: '#" + "x" * 200 + "'\n",
        6,
        "chats[0].hashtag",
        "at most 100 characters",
        id="hashtag-too-long",
    ),
    pytest.param(
        MINIMAL_CONFIG + '    hashtag: "#Chat\\e[2J"\n',
        6,
        "chats[0].hashtag",
        "control character U+001B (ESC) is not allowed",
        id="escape-sequence-in-hashtag",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      time: 2000\n",
        7,
        "chats[0].schedule.time",
        '2000 is not a time of day (write it like "20:00")',
        id="time-as-a-number",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      time: '20:00+05:00'\n",
        7,
        "chats[0].schedule.time",
        "'20:00+05:00' has a UTC offset; write the local time and set the timezone",
        id="time-with-an-offset",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      weekday: true\n",
        7,
        "chats[0].schedule.weekday",
        "True is not a weekday",
        id="weekday-boolean",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    hashtag: '#<@&1>'\n",
        6,
        "chats[0].hashtag",
        "'#<@&1>' is not a hashtag",
        id="hashtag-with-a-mention",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    moderation:\n      flood:\n        seconds: 2d\n",
        8,
        "chats[0].moderation.flood.seconds",
        "2d is too long: flood control watches bursts of at most 1h",
        id="flood-window-too-long",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    schedule:\n      timezone: Factory\n",
        7,
        "chats[0].schedule.timezone",
        "'Factory' is a fixed offset from UTC",
        id="factory-zone",
    ),
    pytest.param(
        MINIMAL_CONFIG + "    channels:\n      chat: 333\n",
        6,
        "chats[0].channels",
        "appears twice in the same mapping (first on line 4)",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD_CONFIGS)
def test_bad_config_names_file_line_and_field(write_config, text, line, field, message):
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    prefix = f"config.yaml:{line}: {field}: "
    assert problems[0].startswith(prefix), problems[0]
    assert message in problems[0]


def test_yaml_syntax_error_names_file_and_line(write_config):
    path = write_config("database: chat.db\nchats:\n  - name: [leadershipchat\n    guild_id: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [problem] = caught.value.problems
    assert problem.startswith("config.yaml:4: ")


def test_top_level_list_is_rejected_on_line_1(write_config):
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config("- name: leadershipchat\n- guild_id: 1\n"))
    assert caught.value.problems == [
        "config.yaml:1: the file must be a mapping of settings (see config.example.yaml)"
    ]


def test_empty_file_is_rejected(write_config):
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(""))
    assert caught.value.problems[0].startswith("config.yaml:1: the file must be a mapping")


def test_non_utf8_file_names_the_line_of_the_bad_byte(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes((MINIMAL_CONFIG + "# café au lait\n").encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [problem] = caught.value.problems
    assert problem.startswith("config.yaml:6: not UTF-8 text")


def test_impossible_date_value_is_a_problem_not_a_crash(write_config):
    # PyYAML reads 2026-13-01 as a timestamp and raises a bare ValueError without help.
    path = write_config(MINIMAL_CONFIG + "    colour: 2026-13-01\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [problem] = caught.value.problems
    assert problem.startswith("config.yaml:6: '2026-13-01'")


def test_every_problem_is_reported_at_once_in_line_order(write_config):
    text = (
        "discord:\n"
        "  api_base: nowhere\n"
        + MINIMAL_CONFIG
        + "    hashtag: chat\n"
        + "    schedule:\n"
        + "      timezone: Mars/Olympus\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(text))
    assert [p.split(": ")[0:2] for p in caught.value.problems] == [
        ["config.yaml:2", "discord.api_base"],
        ["config.yaml:8", "chats[0].hashtag"],
        ["config.yaml:10", "chats[0].schedule.timezone"],
    ]


@pytest.mark.parametrize("written", ["off", "false", "Off"])
def test_command_sync_off_is_accepted_as_the_example_says(write_config, written):
    # YAML 1.1 reads a bare `off` as false; the example's comment tells hosts to write it so.
    path = write_config("discord:\n  command_sync: " + written + "\n" + MINIMAL_CONFIG)
    assert load_settings(path).discord.command_sync == "off"


def test_yes_no_on_off_still_work_as_booleans(write_config):
    text = MINIMAL_CONFIG + "    answers_in_threads: yes\n    welcome_newcomers: off\n"
    chat = load_settings(write_config(text)).chats[0]
    assert chat.answers_in_threads is True and chat.welcome_newcomers is False


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/Phoenix", "Europe/Berlin"])
def test_zones_without_daylight_saving_are_fine_when_they_name_a_place(write_config, zone):
    text = MINIMAL_CONFIG + f"    schedule:\n      timezone: {zone}\n"
    assert load_settings(write_config(text)).chats[0].schedule.timezone == zone


def test_settings_survive_a_round_trip_through_json(write_config):
    """Tests and tools rebuild settings from `model_dump`: unset optional times stay None."""
    from bot.config import Settings

    settings = load_settings(write_config(MINIMAL_CONFIG))
    again = Settings.model_validate(settings.model_dump(mode="json"))
    assert again.backup.nightly_at is None and again.chats == settings.chats


def test_the_longest_bounds_are_accepted(write_config):
    text = MINIMAL_CONFIG + (
        "    run_of_show:\n      reminders: [48h]\n      late_window: 3d\n"
        "    moderation:\n      slowmode: 6h\n      flood:\n        timeout: 28d\n"
    )
    chat = load_settings(write_config(text)).chats[0]
    assert chat.run_of_show.late_window == timedelta(days=3)
    assert chat.moderation.flood.timeout == timedelta(days=28)


def test_control_characters_in_the_file_exit_2_with_the_line(write_config, run_cli):
    path = write_config(MINIMAL_CONFIG.replace("chat: 222", "chat: 222\x00"))
    result = run_cli("--config", path, "schedule")
    assert result.code == 2
    assert "config.yaml:5: control character U+0000 (NUL) is not allowed" in result.err
    assert "Traceback" not in result.err


def test_yaml_nested_50000_deep_exits_2(write_config, run_cli):
    path = write_config(MINIMAL_CONFIG + "    colour: " + "[" * 50_000 + "]" * 50_000 + "\n")
    result = run_cli("--config", path, "schedule")
    assert result.code == 2
    assert "config.yaml:6: lists and mappings nested more than 50 levels deep" in result.err


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.yaml")


# ----------------------------------------------------------------------------- the CLI


def test_cli_prints_problems_and_exits_2_without_traceback(write_config, run_cli):
    path = write_config(MINIMAL_CONFIG + "    schedule:\n      timezone: America/New_Yrok\n")
    result = run_cli("--config", path, "schedule")
    assert result.code == 2
    assert result.out == ""
    assert "config.yaml:7: chats[0].schedule.timezone: 'America/New_Yrok'" in result.err
    assert "Traceback" not in result.err


def test_cli_lists_several_problems_one_per_line(write_config, run_cli):
    path = write_config(MINIMAL_CONFIG + "    hashtag: chat\n    colour: blue\n")
    result = run_cli("--config", path, "prompts", "list")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("config.yaml:6: chats[0].hashtag:")
    assert lines[1].startswith("config.yaml:7: chats[0].colour:")


def test_cli_explicit_config_that_does_not_exist_exits_2(tmp_path, run_cli):
    result = run_cli("--config", tmp_path / "config.yaml", "schedule")
    assert result.code == 2
    assert "not found" in result.err
    assert "config.example.yaml" in result.err  # says how to fix it


def test_python_dash_m_bot_with_bad_config_exits_2_without_traceback(write_config, tmp_path):
    path = write_config(MINIMAL_CONFIG + "    schedule:\n      weekday: tuesdy\n", "bad.yaml")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "schedule"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert "bad.yaml:7: chats[0].schedule.weekday: 'tuesdy' is not a weekday" in proc.stderr
    assert "Traceback" not in proc.stderr


# ----------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("10m", timedelta(minutes=10)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("24h", timedelta(hours=24)),
        ("2d", timedelta(days=2)),
        ("1H 5M", timedelta(hours=1, minutes=5)),
        ("0s", timedelta(0)),
        (90, timedelta(seconds=90)),
        (0, timedelta(0)),
        (1.5, timedelta(seconds=1.5)),
    ],
)
def test_parse_duration_accepts_what_hosts_write(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["10 minutes", "", "m", "-5m", "1h-30m", "soon", True, -1, None])
def test_parse_duration_rejects_anything_else_with_a_hint(bad):
    with pytest.raises(ValueError, match="30s, 10m, 1h"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(hours=24), "1d"),
        (timedelta(days=1, seconds=5), "1d5s"),
    ],
)
def test_format_duration_is_short(value, text):
    assert format_duration(value) == text


@given(st.integers(min_value=0, max_value=30 * 86400))
def test_format_duration_round_trips(seconds):
    value = timedelta(seconds=seconds)
    assert parse_duration(format_duration(value)) == value


def test_durations_in_the_config_accept_every_form(write_config):
    text = MINIMAL_CONFIG + (
        "    run_of_show:\n"
        "      reminders: [1d, 90m, 600]\n"
        "      spacing: 7m30s\n"
        "      late_window: 24h\n"
    )
    ros = load_settings(write_config(text)).chats[0].run_of_show
    assert ros.reminders == (timedelta(days=1), timedelta(minutes=90), timedelta(minutes=10))
    assert ros.spacing == timedelta(minutes=7, seconds=30)
    assert ros.late_window == timedelta(hours=24)


# ----------------------------------------------------------------------------- properties

FIELDS = [
    ("database",),
    ("discord", "command_sync"),
    ("discord", "api_base"),
    ("backup", "keep"),
    ("backup", "nightly_at"),
    ("chats",),
    ("chats", 0),
    ("chats", 0, "name"),
    ("chats", 0, "hashtag"),
    ("chats", 0, "guild_id"),
    ("chats", 0, "channels", "chat"),
    ("chats", 0, "schedule"),
    ("chats", 0, "schedule", "weekday"),
    ("chats", 0, "schedule", "time"),
    ("chats", 0, "schedule", "timezone"),
    ("chats", 0, "schedule", "duration"),
    ("chats", 0, "run_of_show", "reminders"),
    ("chats", 0, "run_of_show", "first_question"),
    ("chats", 0, "run_of_show", "close"),
    ("chats", 0, "run_of_show", "late_window"),
    ("chats", 0, "moderation", "flood", "timeout"),
    ("chats", 0, "moderation", "blocked_words"),
    ("chats", 0, "privacy", "retention_days"),
]
WORDS = ["off", "20:00", "25:00", "1h", "99999999999d", ".inf", "Etc/GMT+5", "America", "-5m"]
WORDS += ["tuesday", "#x", "2026-13-01", "1e999", "0x10", "guild", "\x1b[2J", "*a", "&a"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(WORDS),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _minimal() -> dict:
    return {"chats": [{"name": "leadershipchat", "guild_id": 111, "channels": {"chat": 222}}]}


def _put(data: dict, path: tuple, value: object) -> None:
    """Set data[path] = value, unless an earlier change replaced a parent by something else."""
    node: object = data
    for part in path[:-1]:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            node = node.setdefault(part, {})
        else:
            return
    last = path[-1]
    fits_dict = isinstance(node, dict) and isinstance(last, str)
    if fits_dict or (isinstance(node, list) and isinstance(last, int) and last < len(node)):
        node[last] = value


def _load(text: str):
    from bot.config import settings_from_document
    from bot.yaml_source import YamlSyntaxError, parse_yaml

    try:
        return settings_from_document(parse_yaml(text, Path("config.yaml")))
    except YamlSyntaxError as exc:
        raise ConfigError([str(exc)]) from None


@settings(max_examples=120, deadline=timedelta(seconds=5), derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(FIELDS), values), min_size=1, max_size=4))
def test_any_value_in_any_field_loads_or_names_file_line_and_field(changes):
    import yaml

    data = _minimal()
    for path, value in changes:
        _put(data, path, value)
    try:
        settings = _load(yaml.safe_dump(data, allow_unicode=True))
    except ConfigError as exc:
        assert exc.problems and all(p.startswith("config.yaml:") for p in exc.problems)
        assert all(len(p) < 2000 for p in exc.problems)
    else:
        chat = settings.chats[0]
        assert chat.run_of_show.late_window <= timedelta(days=3)
        assert 0 < chat.guild_id < 2**63


@settings(max_examples=120, deadline=timedelta(seconds=5), derandomize=True)
@given(
    st.integers(0, len(MINIMAL_CONFIG)),
    st.text(
        alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,? \n\t\x00\x07\x1bab1")), max_size=20
    ),
)
def test_any_text_spliced_into_the_config_loads_or_is_a_config_error(at, piece):
    text = MINIMAL_CONFIG[:at] + piece + MINIMAL_CONFIG[at:]
    try:
        _load(text)
    except ConfigError as exc:
        assert all(p.startswith("config.yaml") for p in exc.problems)


durations_written = st.one_of(
    st.text(alphabet=st.sampled_from(list("0123456789.dhmsDHMS -+e")), max_size=25),
    st.text(max_size=10),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.builds(lambda n, u: f"{n}{u}", st.integers(0, 10**30), st.sampled_from("dhms")),
)


@settings(max_examples=300, deadline=timedelta(seconds=2), derandomize=True)
@given(durations_written)
def test_parse_duration_gives_a_bounded_duration_or_the_documented_error(value):
    try:
        parsed = parse_duration(value)
    except ValueError as exc:
        assert "not a duration" in str(exc) or "too long" in str(exc) or "negative" in str(exc)
        assert len(str(exc)) < 200
    else:
        assert timedelta(0) <= parsed <= timedelta(days=366)
