"""Topic files (prompts/*.yaml): the shipped examples are clean, every mistake is reported with its
file and line, long questions only warn, and `prompts validate` / `prompts list` say so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

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
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_TOPICS)
def test_bad_topic_is_reported_with_file_and_line(env, text, line, message):
    path = write_topic(env, "2026-12-01-trust.yaml", text)
    [problem] = catalog_for(env).errors
    assert str(problem).startswith(f"{path}:{line}: "), str(problem)
    assert message in str(problem)


# These need the config (chat names, run of show), so only the catalog reports them.
NEEDS_CONFIG = {"offset-after-close", "offsets-out-of-order", "unknown-chat"}


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
        GOOD.replace("How do you earn trust?", text).replace("hosts:", "chat: eveningchat\nhosts:"),
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
        GOOD.replace("hosts:", "chat: eveningchat\nhosts:").replace("Trust at work", "Evenings"),
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
