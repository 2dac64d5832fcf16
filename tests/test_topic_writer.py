"""Topics sent from Discord (`/chathost topic new`, `/chathost topic import`, `/chathost topic show`): what a
host types or uploads is validated exactly like a file in the prompts folder; a bad one is
refused with its reasons and nothing is written."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.topic_writer import TopicRejected, describe_topic, form_yaml, read_topic, save_topic


def settings_in(folder: Path) -> Settings:
    return Settings.model_validate(
        {
            "prompts_dir": str(folder / "prompts"),
            "chats": [{"name": "leadershipchat", "guild_id": 1, "channels": {"chat": 2}}],
        }
    )


def test_import_refuses_a_date_with_a_time_and_writes_nothing(tmp_path: Path) -> None:
    text = "title: T\ndate: 2027-02-16 20:00:00\nquestions:\n  - Why?\n"
    with pytest.raises(TopicRejected) as caught:
        save_topic(text, settings_in(tmp_path))
    assert caught.value.problems == [
        "line 2: date: 2027-02-16 20:00:00 has a time; write only the day, like 2027-02-16"
        " (the time comes from the chat's schedule in the config)"
    ]
    assert not (tmp_path / "prompts").exists()


def test_import_refuses_an_alias_bomb_quickly(tmp_path: Path) -> None:
    text = "title: T\ndate: 2027-02-16\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    text += "questions: [Why]\n"
    assert len(text.encode()) < 600
    with pytest.raises(TopicRejected) as caught:
        save_topic(text, settings_in(tmp_path))
    [problem] = caught.value.problems
    assert problem.startswith("line ") and "aliases (*name) repeat more than" in problem


def test_import_refuses_a_question_discord_cannot_post(tmp_path: Path) -> None:
    text = "title: T\ndate: 2027-02-16\nquestions:\n  - " + "W" * 1990 + "\n"
    with pytest.raises(TopicRejected) as caught:
        save_topic(text, settings_in(tmp_path))
    assert "Discord takes at most 2000" in caught.value.problems[0]


def test_a_topic_for_another_weekday_is_saved_with_a_warning(tmp_path: Path) -> None:
    saved = save_topic(
        "title: Rehearsal\ndate: 2027-02-17\nquestions: [Why]\n", settings_in(tmp_path)
    )
    assert saved.path.exists()
    [warning] = saved.warnings
    assert warning.startswith("line 2: date: 2027-02-17 is a Wednesday")


def test_topic_show_lists_the_problems_of_a_file_naming_an_unknown_chat(tmp_path: Path) -> None:
    """It used to raise KeyError, and the host got "something went wrong"."""
    config = settings_in(tmp_path)
    config.prompts_dir.mkdir()
    text = "title: T\ndate: 2027-02-17\nchat: evening\nquestions: [Why]\n"
    (config.prompts_dir / "t.yaml").write_text(text, encoding="utf-8")
    shown = describe_topic(config, "t.yaml").splitlines()
    assert shown[0] == "**T** · 2027-02-17 · `t.yaml`"
    assert shown[-1] == "error: line 3: chat: no chat named 'evening'"


def test_topic_show_gives_warnings_with_their_lines(tmp_path: Path) -> None:
    config = settings_in(tmp_path)
    save_topic("title: T\ndate: 2027-02-17\nquestions: [Why]\n", config)
    shown = describe_topic(config, "2027-02-17-t.yaml")
    assert "\nwarning: line 2: date: 2027-02-17 is a Wednesday" in shown


# ----------------------------------------------------------------------------- properties

# What hosts type into the `/chathost topic new` form, including the careless and the hostile.
FORM_WORDS = ["2027-02-16", "2027-02-16 20:00:00", "2027-13-01", "16/02/2027", "", " ", "\x00"]
FORM_WORDS += ["https://example.org/p", "ftp://x", "*a", "&a [", "{x: 1}", "'", '"', "\x1b[2J"]
form_text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(FORM_WORDS),
    st.lists(st.sampled_from([*FORM_WORDS, "Q1:", "\n", "- ", "W" * 300]), max_size=8).map("".join),
)


@settings(max_examples=60, deadline=timedelta(seconds=5), derandomize=True)
@given(
    st.one_of(st.dates().map(date.isoformat), form_text),
    st.one_of(st.just("Trust at work"), form_text),
    st.one_of(st.just(""), st.just("https://example.org/prep"), form_text),
    form_text,
    st.one_of(st.just("Q1: Why?\nQ2: How?"), form_text),
    st.booleans(),
)
def test_the_topic_form_saves_or_says_why_not(day, title, prep, hosts, questions, replace):
    with tempfile.TemporaryDirectory() as tmp:
        config = settings_in(Path(tmp))
        chat = config.chats[0]
        text = form_yaml(
            chat, config, day=day, title=title, prep_post=prep, hosts=hosts, questions=questions
        )
        try:
            saved = save_topic(text, config, replace=replace)
        except TopicRejected as exc:
            assert exc.problems and all(p for p in exc.problems)
            assert not list((Path(tmp) / "prompts").glob("*.yaml"))
        else:
            assert saved.path.parent == config.prompts_dir and saved.path.exists()
            assert saved.topic.title.strip() == saved.topic.title
            assert read_topic(config, saved.path.name) == saved.topic


@settings(max_examples=60, deadline=timedelta(seconds=5), derandomize=True)
@given(st.one_of(st.text(max_size=40), st.sampled_from(["../config.yaml", "/etc/passwd", ".", ""])))
def test_topic_show_finds_a_file_of_the_folder_or_says_it_is_not_there(name):
    with tempfile.TemporaryDirectory() as tmp:
        config = settings_in(Path(tmp))
        save_topic("title: T\ndate: 2027-02-16\nquestions: [Why]\n", config)
        try:
            topic = read_topic(config, name)
        except TopicRejected as exc:
            assert "no topic file named" in exc.problems[0]
        else:
            assert name == "2027-02-16-t.yaml" and topic.title == "T"
