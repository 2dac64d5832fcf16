"""Topic files (prompts/*.yaml): the shipped examples are clean, every mistake is reported with its
file and line, long questions only warn, and `prompts validate` / `prompts list` say so."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.timeline import chat_dates
from bot.topics import (
    POST_LIMIT,
    Severity,
    TopicFileError,
    load_catalog,
    load_topic_file,
    question_post,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "config.example.yaml"

TWO_CHATS = """\
prompts_dir: prompts
chats:
  - name: leadershipchat
    guild_id: 111
    channels:
      chat: 222
  - name: eveningchat
    hashtag: "#EveningChat"
    guild_id: 111
    channels:
      chat: 333
    schedule:
      weekday: thursday
      timezone: Europe/Berlin
"""

# Six lines; cases below edit it, so the line numbers in them refer to this layout.
GOOD = """\
title: Trust at work
date: 2026-12-01
hosts: [Ada Quill]
questions:
  - How do you earn trust?
  - How do you lose it?
"""


@pytest.fixture
def env(tmp_path):
    """A config with two chats and an empty prompts/ folder next to it."""
    config = tmp_path / "config.yaml"
    config.write_text(TWO_CHATS, encoding="utf-8")
    (tmp_path / "prompts").mkdir()
    return config


def write_topic(config: Path, name: str, text: str) -> Path:
    path = config.parent / "prompts" / name
    path.write_text(text, encoding="utf-8")
    return path


def catalog_for(config: Path):
    settings = load_settings(config)
    return load_catalog([settings.prompts_dir], settings)


# ----------------------------------------------------------------------------- shipped examples


def test_shipped_prompts_validate_clean(settings):
    catalog = load_catalog([settings.prompts_dir], settings)
    assert catalog.problems == []
    assert len(catalog.topics) == 4


def test_shipped_prompts_are_four_consecutive_tuesdays_with_six_questions(settings):
    topics = load_catalog([settings.prompts_dir], settings).topics
    first = date(2026, 12, 1)
    assert [t.date for t in topics] == [first + timedelta(weeks=i) for i in range(4)]
    chat = settings.chats[0]
    for topic in topics:
        assert topic.date.weekday() == chat.schedule.weekday
        assert topic.path is not None
        assert topic.path.name.startswith(topic.date.isoformat() + "-")
        assert len(topic.questions) == 6
        assert topic.title and topic.hosts
        assert topic.prep_post is not None
        assert topic.prep_post.startswith("https://example.com/")
        for n, q in enumerate(topic.questions, start=1):
            assert len(question_post(n, q.text, chat.hashtag)) <= POST_LIMIT
    assert any(t.welcome and t.closing for t in topics)
    assert any(q.at == timedelta(minutes=25) for t in topics for q in t.questions)


def test_cli_validate_shipped_prompts_exits_0(run_cli):
    result = run_cli("--config", EXAMPLE_CONFIG, "prompts", "validate")
    assert result.code == 0
    assert "4 file(s) checked: 0 error(s), 0 warning(s)" in result.out


# ----------------------------------------------------------------------------- one file


def test_a_good_topic_file_loads(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        GOOD.replace("hosts: [Ada Quill]", "hosts: Ada Quill")
        + "  - text: What would you repair first?\n    at: 40m\n",
        encoding="utf-8",
    )
    topic = load_topic_file(path)
    assert topic.title == "Trust at work"
    assert topic.date == date(2026, 12, 1)
    assert topic.hosts == ("Ada Quill",)  # a single name is accepted as a list of one
    assert [q.text for q in topic.questions][-1] == "What would you repair first?"
    assert [q.at for q in topic.questions] == [None, None, timedelta(minutes=40)]


BAD_TOPICS = [
    pytest.param(
        GOOD.replace("title: Trust at work\n", ""), 1, "title: is required", id="no-title"
    ),
    pytest.param(
        GOOD.replace("title: Trust at work", 'title: "  "'),
        1,
        "title: is required",
        id="blank-title",
    ),
    pytest.param(
        GOOD.replace("2026-12-01", "next tuesday"),
        2,
        "date: 'next tuesday' is not a date",
        id="date-words",
    ),
    pytest.param(
        GOOD.replace("2026-12-01", "2026-13-01"),
        2,
        "'2026-13-01' is not a valid date",
        id="month-13",
    ),
    pytest.param(
        GOOD.replace("date: 2026-12-01\n", ""), 1, "date: None is not a date", id="no-date"
    ),
    pytest.param(
        GOOD.split("questions:")[0] + "questions: []\n",
        4,
        "questions: needs a list of 1 to 12 questions",
        id="zero-questions",
    ),
    pytest.param(
        GOOD.split("questions:")[0] + "questions:\n" + "".join(f"  - Q {i}?\n" for i in range(13)),
        4,
        "questions: 13 questions; at most 12",
        id="thirteen-questions",
    ),
    pytest.param(
        GOOD.replace("How do you lose it?", "''"),
        6,
        "questions[1]: question text is empty",
        id="empty-question",
    ),
    pytest.param(
        GOOD.replace("  - How do you lose it?", "  - text: ''\n    at: 20m"),
        6,
        "questions[1]: question text is empty",
        id="empty-question-mapping",
    ),
    pytest.param(
        GOOD.replace("hosts:", "speaker: Bob\nhosts:"),
        3,
        "speaker: is not a topic field",
        id="unknown-field",
    ),
    pytest.param(
        GOOD.replace("  - How do you lose it?", "  - text: How do you lose it?\n    when: 20m"),
        6,
        "questions[1]: unknown field(s) when",
        id="unknown-question-field",
    ),
    pytest.param(
        GOOD.replace("  - How do you lose it?", "  - text: How do you lose it?\n    at: soon"),
        7,
        "questions[1].at: 'soon' is not a duration",
        id="bad-at",
    ),
    pytest.param(
        GOOD.replace("  - How do you lose it?", "  - text: How do you lose it?\n    at: 70m"),
        6,
        "questions[1]: at 1h10m is outside the chat (0s to 1h)",
        id="offset-after-close",
    ),
    pytest.param(
        GOOD.replace("  - How do you lose it?", "  - text: How do you lose it?\n    at: 3m"),
        6,
        "questions[1]: comes at or before question 1",
        id="offsets-out-of-order",
    ),
    pytest.param(
        GOOD.replace("hosts:", "chat: nosuchchat\nhosts:"),
        3,
        "chat: no chat named 'nosuchchat' in the config",
        id="unknown-chat",
    ),
    pytest.param(
        GOOD.replace("hosts: [Ada Quill]", "hosts: [Ada Quill"), 4, "", id="yaml-syntax-error"
    ),
    pytest.param("- just\n- a list\n", 1, "a topic file is a mapping", id="top-level-list"),
    # Careless or hostile input (issue 13).
    pytest.param(
        GOOD.replace("2026-12-01", "2026-12-01 20:00:00"),
        2,
        "date: 2026-12-01 20:00:00 has a time; write only the day, like 2026-12-01",
        id="date-with-a-time",
    ),
    pytest.param(
        GOOD.replace("How do you lose it?", "W" * 1990),
        6,
        "questions[1]: posted as Q2 it is 2010 characters; Discord takes at most 2000",
        id="question-over-discord-limit",
    ),
    pytest.param(
        GOOD.replace("hosts:", "prep_post: see the blog\nhosts:"),
        3,
        "prep_post: 'see the blog' is not a web address",
        id="prep-post-not-a-url",
    ),
    pytest.param(
        GOOD.replace("hosts:", "prep_post: javascript:alert(1)\nhosts:"),
        3,
        "prep_post: 'javascript:alert(1)' is not a web address",
        id="prep-post-script",
    ),
    pytest.param(
        GOOD.replace("title: Trust at work", "title: " + "T" * 201),
        1,
        "title: 201 characters; at most 200",
        id="title-too-long",
    ),
    pytest.param(
        GOOD.replace("hosts: [Ada Quill]", "hosts: [" + ", ".join(f"H{i}" for i in range(9)) + "]"),
        3,
        "hosts: 9 names; at most 8",
        id="too-many-hosts",
    ),
    pytest.param(
        GOOD.replace("hosts:", "welcome: " + "w" * 1501 + "\nhosts:"),
        3,
        "welcome: 1501 characters; at most 1500",
        id="welcome-too-long",
    ),
    pytest.param(
        GOOD.replace("  - How do you lose it?", "  - text: Lose it\n    1: x\n    b: y"),
        6,
        "questions[1]: unknown field(s) 1, b",
        id="unknown-question-fields-of-mixed-types",
    ),
    pytest.param(
        GOOD.replace("hosts:", "date: 2026-12-08\nhosts:"),
        3,
        "date: appears twice in the same mapping (first on line 2)",
        id="duplicate-key",
    ),
    pytest.param(
        GOOD.replace("Trust at work", '"Trust\\a at work"'),
        1,
        "title: control character U+0007 (BEL) is not allowed",
        id="control-character",
    ),
    # Found by the review of issue 13: each said "is required" or "is empty", or echoed it all.
    pytest.param(
        GOOD.replace("Trust at work", ".nan"),
        1,
        "title: must be text, not a number (put it in quotes)",
        id="title-nan",
    ),
    pytest.param(
        GOOD.replace("Trust at work", "!!binary aGVsbG8="),
        1,
        "title: must be text, not binary data",
        id="title-binary",
    ),
    pytest.param(
        GOOD.replace("How do you lose it?", "42"),
        6,
        "questions[1]: must be text, not a number",
        id="question-a-number",
    ),
    pytest.param(
        GOOD.replace("Trust at work", '"\\u200b\\u2060 "'),
        1,
        "title: is required and cannot be empty (it holds only invisible characters)",
        id="title-invisible-only",
    ),
    pytest.param(
        GOOD.replace("Trust at work", '"Trust \\u202eat work"'),
        1,
        "title: holds U+202E (RIGHT-TO-LEFT OVERRIDE), which changes the order",
        id="title-bidi-override",
    ),
    pytest.param(
        GOOD.replace("How do you lose it?", '"\\u2067How do you lose it?"'),
        6,
        "questions[1]: holds U+2067 (RIGHT-TO-LEFT ISOLATE)",
        id="question-bidi-isolate",
    ),
    pytest.param(
        GOOD.replace("[Ada Quill]", "[" + "9" * 5000 + "]"),
        3,
        "'9999999999999999999999999999999999999999'… (5,000 characters) is not a valid date or"
        " value (a number of 5,000 digits; at most 4,300)",
        id="host-a-5000-digit-number",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_TOPICS)
def test_bad_topic_is_reported_with_file_and_line(env, text, line, message):
    path = write_topic(env, "2026-12-01-trust.yaml", text)
    [problem] = catalog_for(env).errors
    assert str(problem).startswith(f"{path}:{line}: "), str(problem)
    assert message in str(problem)
    assert len(str(problem)) < len(str(path)) + 300, "a problem is one short line"


# These need the config (chat names, run of show), so only the catalog reports them.
NEEDS_CONFIG = {
    "offset-after-close",
    "offsets-out-of-order",
    "unknown-chat",
    "question-over-discord-limit",
}


@pytest.mark.parametrize(
    ("text", "line"),
    [(c.values[0], c.values[1]) for c in BAD_TOPICS if c.id not in NEEDS_CONFIG],
)
def test_load_topic_file_raises_with_every_problem(tmp_path, text, line):
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TopicFileError) as caught:
        load_topic_file(path)
    assert [p.line for p in caught.value.problems] == [line]


def test_several_problems_in_one_file_are_all_listed(env):
    text = "speaker: Bob\ndate: someday\nquestions: []\n"
    write_topic(env, "x.yaml", text)
    lines = sorted(p.line for p in catalog_for(env).errors)
    assert lines == [1, 1, 2, 3]  # unknown field, missing title (line 1), bad date, no questions


def test_same_date_twice_for_one_chat_is_an_error_in_the_second_file(env):
    first = write_topic(env, "2026-12-01-a.yaml", GOOD)
    second = write_topic(env, "2026-12-01-b.yaml", GOOD.replace("Trust at work", "Other"))
    catalog = catalog_for(env)
    assert [t.path for t in catalog.topics] == [first]
    [problem] = catalog.errors
    assert str(problem).startswith(f"{second}:2: date: 2026-12-01 already has a topic")
    assert str(first) in problem.message


def test_same_date_for_two_different_chats_is_fine(env):
    env.write_text(TWO_CHATS.replace("weekday: thursday", "weekday: tuesday"), encoding="utf-8")
    write_topic(env, "a.yaml", GOOD)
    write_topic(env, "b.yaml", GOOD.replace("hosts:", "chat: eveningchat\nhosts:"))
    settings = load_settings(env)
    catalog = load_catalog([settings.prompts_dir], settings)
    assert catalog.problems == []
    day = date(2026, 12, 1)
    assert catalog.for_date("leadershipchat", day, settings).chat is None
    assert catalog.for_date("eveningchat", day, settings).chat == "eveningchat"
    assert catalog.for_date("eveningchat", day + timedelta(days=7), settings) is None


def test_question_over_280_characters_is_a_warning_not_an_error(env):
    # "Q1: " + text + " #LeadershipChat" is len(text) + 20 characters.
    long_text = "W" * (POST_LIMIT - 20) + "?"
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", long_text))
    catalog = catalog_for(env)
    assert len(catalog.topics) == 1  # the chat can still run
    [problem] = catalog.problems
    assert problem.severity is Severity.WARNING
    assert "warning: questions[0]: posted as Q1 it is 281 characters" in str(problem)


def test_question_of_exactly_280_characters_is_fine(env):
    exact = "W" * (POST_LIMIT - 21) + "?"
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", exact))
    assert catalog_for(env).problems == []


def test_hashtag_of_the_chat_counts_towards_the_limit(env):
    # 266 + len("Q1: ") + len(" #EveningChat") = 283 > 280, while " #LeadershipChat" would be 286.
    text = "W" * 266
    write_topic(
        env,
        "t.yaml",
        GOOD.replace("How do you earn trust?", text)
        .replace("hosts:", "chat: eveningchat\nhosts:")
        .replace("2026-12-01", "2026-12-03"),  # a Thursday
    )
    [problem] = catalog_for(env).problems
    assert "283 characters" in problem.message


# ----------------------------------------------------------------------------- the CLI


def test_cli_validate_warning_exits_0(env, run_cli):
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", "W" * 300))
    result = run_cli("--config", env, "prompts", "validate")
    assert result.code == 0
    assert ":5: warning: questions[0]" in result.out
    assert "1 file(s) checked: 0 error(s), 1 warning(s)" in result.out


def test_cli_validate_errors_exit_2_and_name_each_file(env, run_cli):
    bad = write_topic(env, "a.yaml", GOOD.replace("title: Trust at work\n", ""))
    write_topic(env, "b.yaml", GOOD.replace("2026-12-01", "2026-12-08"))
    result = run_cli("--config", env, "prompts", "validate")
    assert result.code == 2
    assert f"{bad}:1: title: is required" in result.out
    assert "2 file(s) checked: 1 error(s), 0 warning(s)" in result.out
    assert "Traceback" not in result.out + result.err


def test_cli_validate_a_single_file_and_a_missing_path(env, run_cli, tmp_path):
    good = write_topic(env, "t.yaml", GOOD)
    assert run_cli("--config", env, "prompts", "validate", good).code == 0
    result = run_cli("--config", env, "prompts", "validate", tmp_path / "nope.yaml")
    assert result.code == 2
    assert "nope.yaml: no such file or folder" in result.out


def test_cli_list_shows_topics_and_upcoming_weeks_without_one(env, run_cli):
    settings = load_settings(env)
    chat = settings.chats[0]
    upcoming = chat_dates(chat.schedule, datetime.now(UTC), 8)
    covered = upcoming[1]
    write_topic(
        env,
        f"{covered.isoformat()}-trust.yaml",
        GOOD.replace("2026-12-01", covered.isoformat()),
    )
    write_topic(
        env,
        "evening.yaml",
        GOOD.replace("hosts:", "chat: eveningchat\nhosts:")
        .replace("Trust at work", "Evenings")
        .replace("2026-12-01", "2026-12-03"),
    )

    result = run_cli("--config", env, "prompts", "list")
    assert result.code == 0
    rows = result.out.splitlines()
    assert rows[0].split() == ["date", "chat", "questions", "title"]
    assert f"{covered.isoformat()}  leadershipchat" in result.out
    topic_rows = [r for r in rows if r.startswith(("2026", "2027", "2028", "2029"))]
    assert any(
        r.split()[1:3] == ["leadershipchat", "2"] and r.endswith("Trust at work")
        for r in topic_rows
    )
    assert any(
        r.split()[1:3] == ["eveningchat", "2"] and r.endswith("Evenings") for r in topic_rows
    )

    [missing] = [r for r in rows if r.startswith("leadershipchat: no topic yet for ")]
    missing_dates = missing.removeprefix("leadershipchat: no topic yet for ").split(", ")
    assert missing_dates == [d.isoformat() for d in upcoming if d != covered]
    assert any(r.startswith("eveningchat: no topic yet for ") for r in rows)


def test_cli_list_mentions_broken_files(env, run_cli):
    write_topic(env, "bad.yaml", "title: x\n")
    result = run_cli("--config", env, "prompts", "list")
    assert result.code == 0
    assert "topic file problem(s); run `leadershipchat prompts validate`" in result.out


def test_topic_with_a_question_after_the_close_is_reported_and_never_scheduled(tmp_path, settings):
    from datetime import date

    from bot.topics import load_catalog

    path = tmp_path / "late.yaml"
    path.write_text(
        "title: Too late\ndate: 2026-12-01\nquestions:\n  - text: Asked after the close?\n    at: 70m\n",
        encoding="utf-8",
    )
    catalog = load_catalog([tmp_path], settings)
    assert [p.line for p in catalog.errors] == [4]
    assert catalog.for_date("leadershipchat", date(2026, 12, 1), settings) is None


# ----------------------------------------------------------------------------- hostile input


def test_a_date_with_a_time_never_stops_validate_list_or_schedule(env, run_cli):
    """It used to pass validation, then crash list, schedule and run comparing datetimes."""
    bad = write_topic(env, "a.yaml", GOOD.replace("2026-12-01", "2027-02-16 20:00:00"))
    write_topic(env, "b.yaml", GOOD.replace("2026-12-01", "2027-02-23"))
    validated = run_cli("--config", env, "prompts", "validate")
    assert validated.code == 2
    assert f"{bad}:2: date: 2027-02-16 20:00:00 has a time" in validated.out
    listed = run_cli("--config", env, "prompts", "list")
    assert listed.code == 0 and "topic file problem(s)" in listed.out
    assert "2027-02-23  leadershipchat" in listed.out
    scheduled = run_cli("--config", env, "schedule")
    assert scheduled.code == 0, scheduled.err
    assert "1 topic file problem(s); run `leadershipchat prompts validate`" in scheduled.out, (
        "schedule shows an open discussion for that week: it must say a topic file was left out"
    )
    catalog = catalog_for(env)
    assert [t.date for t in catalog.topics] == [date(2027, 2, 23)]


def test_a_question_of_exactly_2000_characters_as_posted_is_allowed(env):
    text = "W" * (2000 - len("Q1:  #LeadershipChat"))
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", text))
    catalog = catalog_for(env)
    assert catalog.errors == [] and len(catalog.topics) == 1


def test_a_date_on_another_weekday_is_a_warning_that_names_the_rehearsal(env, run_cli):
    # A host may write a topic for a one-off rehearsal (`run --start-in`) on another day, so the
    # file is kept; `prompts validate` says it will not run on the chat's own day.
    write_topic(env, "t.yaml", GOOD.replace("2026-12-01", "2026-12-02"))
    catalog = catalog_for(env)
    [problem] = catalog.problems
    assert problem.severity is Severity.WARNING and problem.line == 2
    assert "2026-12-02 is a Wednesday and leadershipchat meets on Tuesdays" in problem.message
    assert "rehearsal" in problem.message
    assert len(catalog.topics) == 1
    result = run_cli("--config", env, "prompts", "validate")
    assert result.code == 0 and ":2: warning: date: 2026-12-02 is a Wednesday" in result.out


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/prep?week=3#q",
        "http://blog.example.com/",
        "https://xn--bcher-kva.example/",
    ],
)
def test_web_addresses_are_fine_as_prep_posts(env, url):
    write_topic(env, "t.yaml", GOOD.replace("hosts:", f"prep_post: '{url}'\nhosts:"))
    [topic] = catalog_for(env).topics
    assert topic.prep_post == url


def test_every_post_of_the_longest_topic_fits_in_a_discord_message(tmp_path):
    """The field limits are what keeps reminders, welcome, heads-ups and close postable."""
    from bot.config import Settings
    from bot.engine import render
    from bot.engine.planning import snapshot
    from bot.topics import MAX_HOSTS, MAX_LENGTH, MESSAGE_LIMIT, Question, Topic

    hashtag = "#" + "H" * 99
    settings = Settings.model_validate(
        {
            "chats": [
                {
                    "name": "c",
                    "hashtag": hashtag,
                    "guild_id": 1,
                    "notify_role_id": 2**63 - 1,
                    "channels": {"chat": 2**63 - 1},
                }
            ]
        }
    )
    chat = settings.chats[0]
    longest = "Q" * (MESSAGE_LIMIT - len(f"Q12:  {hashtag}"))
    topic = snapshot(
        Topic(
            title="T" * MAX_LENGTH["title"],
            date=date(2026, 12, 1),
            questions=tuple(Question(longest) for _ in range(12)),
            hosts=tuple("@" * MAX_LENGTH["host"] for _ in range(MAX_HOSTS)),
            prep_post="https://" + "p" * (MAX_LENGTH["prep_post"] - 8),
        )
    )
    when = datetime(9999, 12, 31, tzinfo=UTC)
    with_texts = replace(topic, welcome="w" * MAX_LENGTH["welcome"], closing="c" * 1500)
    posts = [
        render.reminder(chat, topic, when, notify=True, before="24h"),
        render.welcome(chat, topic),
        render.welcome(chat, with_texts),
        render.close(chat, topic, "N" * MAX_LENGTH["title"], when),
        render.close(chat, with_texts, "N" * MAX_LENGTH["title"], when),
        *(render.question(chat, topic, n) for n in range(1, 13)),
        *(render.heads_up(chat, topic, n, when) for n in range(1, 13)),
    ]
    assert max(len(p) for p in posts) <= MESSAGE_LIMIT
    assert render.heads_up(chat, topic, 12, when).endswith("to change it.")


def test_one_file_that_breaks_the_reader_does_not_stop_the_others(env, monkeypatch):
    import bot.topics as topics

    write_topic(env, "a.yaml", GOOD)
    write_topic(env, "b.yaml", GOOD.replace("2026-12-01", "2026-12-08"))
    real = topics.load_topic_file

    def odd(path):
        if path.name == "a.yaml":
            raise MemoryError("as if the file were enormous")
        return real(path)

    monkeypatch.setattr(topics, "load_topic_file", odd)
    catalog = catalog_for(env)
    assert [t.date for t in catalog.topics] == [date(2026, 12, 8)]
    [problem] = catalog.errors
    assert problem.path.name == "a.yaml" and "could not be read (MemoryError" in problem.message


def test_an_alias_bomb_topic_is_refused_with_its_line(env):
    bomb = "title: x\ndate: 2026-12-01\nlol: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 9):
        bomb += f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    bomb += "questions: [*a8]\n"
    write_topic(env, "bomb.yaml", bomb)
    [problem] = catalog_for(env).errors
    assert "aliases (*name) repeat more than" in problem.message


# ----------------------------------------------------------------------------- properties

TOPIC_WORDS = ["2026-12-01", "2026-12-01 20:00:00", "2026-13-01", "20:00", "off", ".inf", "1e9"]
TOPIC_WORDS += ["https://example.org", "javascript:x", "\x1b", "W" * 2100, "5m", "99999999999d"]
topic_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.text(max_size=40),
    st.sampled_from(TOPIC_WORDS),
)
topic_values = st.recursive(
    topic_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["text", "at", "x", "1"]), inner, max_size=3)
    ),
    max_leaves=10,
)
topic_docs = st.dictionaries(
    st.sampled_from(
        ["title", "date", "chat", "hosts", "prep_post", "welcome", "closing", "questions", "odd"]
    ),
    topic_values,
    max_size=9,
)


@settings(
    max_examples=100,
    deadline=timedelta(seconds=5),
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(topic_docs)
def test_any_topic_file_loads_or_lists_its_problems(tmp_path, data):
    import yaml

    from bot.config import load_settings

    config = tmp_path / "config.yaml"
    if not config.exists():
        config.write_text(TWO_CHATS, encoding="utf-8")
        (tmp_path / "prompts").mkdir()
    path = tmp_path / "prompts" / "t.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = load_settings(config)
    catalog = load_catalog([settings.prompts_dir], settings)
    for problem in catalog.problems:
        assert problem.path == path and problem.line >= 1 and problem.message
        assert len(problem.message) < 1000
    for topic in catalog.topics:
        assert type(topic.date) is date
        assert 1 <= len(topic.questions) <= 12


# ----------------------------------------------------------------------------- Bluesky


def _with_bluesky(config: Path, extra: str = "") -> None:
    text = config.read_text(encoding="utf-8").replace(
        "      chat: 222\n", f"      chat: 222\n    bluesky:\n      handle: lc.bsky.social\n{extra}"
    )
    config.write_text(text, encoding="utf-8")


def test_a_question_over_300_graphemes_is_a_bluesky_warning_when_mirrored(env):
    # "Q1: " + text + " #LeadershipChat" = 301 graphemes
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", "W" * 280 + "?"))
    assert [p.message for p in catalog_for(env).problems] == [
        "questions[0]: posted as Q1 it is 301 characters; over 280 it will not fit on X"
    ]
    _with_bluesky(env)
    catalog = catalog_for(env)
    assert len(catalog.topics) == 1
    assert [(p.line, p.severity, p.message) for p in catalog.problems][1:] == [
        (
            5,
            Severity.WARNING,
            "questions[0]: posted as Q1 it is 301 graphemes (characters as Bluesky counts"
            " them); a Bluesky post takes at most 300, so it will not fit there",
        )
    ]


def test_bluesky_counts_graphemes_not_code_points(env):
    _with_bluesky(env)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji of 5 code points
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", f"'{family * 100}'"))
    [problem] = catalog_for(env).problems  # 520 code points: too long for X, fine on Bluesky
    assert problem.message.endswith("over 280 it will not fit on X")


def test_no_bluesky_warning_when_questions_are_not_mirrored(env):
    _with_bluesky(env, "      mirror: [welcome, close]\n")
    write_topic(env, "t.yaml", GOOD.replace("How do you earn trust?", "W" * 290 + "?"))
    assert [p.message.split(";")[1] for p in catalog_for(env).problems] == [
        " over 280 it will not fit on X"
    ]
