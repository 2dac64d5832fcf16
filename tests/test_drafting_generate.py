"""Generated questions: the statement shapes a host turns into a question of their own, and the
verb forms they need (bot/drafting/_transform.py, _verbs.py)."""

from __future__ import annotations

import pytest

from bot.drafting._phrase_topics import reads_as_topic
from bot.drafting._questions import fit
from bot.drafting._transform import (
    activity,
    difference,
    listicle,
    own_answer,
    practice,
    relative,
    role,
    story,
)
from bot.drafting._verbs import base_of, has_verb


@pytest.mark.parametrize(
    ("claim", "question"),
    [
        (
            "Clarity is not the same as certainty.",
            "What is the difference between clarity and certainty?",
        ),
        (
            "Speaking last is not the same as staying silent.",
            "What is the difference between speaking last and staying silent?",
        ),
        ("Feedback is not easy.", None),  # a quality, not two things to tell apart
        ("The point is not to remove friction.", None),  # the point of what?
    ],
)
def test_difference(claim: str, question: str | None) -> None:
    assert difference(claim) == question


@pytest.mark.parametrize(
    ("claim", "question"),
    [
        (
            "The best managers I worked for protected their calendars like a budget.",
            "How do you protect your calendars like a budget?",
        ),
        (
            "Good leaders admit their mistakes in front of the team.",
            "How do you admit your mistakes in front of the team?",
        ),
        ("The best leaders are humble.", None),  # "How do you be ...?"
        ("Good leaders told me my plan was wrong.", None),  # about the author
    ],
)
def test_practice(claim: str, question: str | None) -> None:
    assert practice(claim) == question


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("leading through a reorg", "How do you lead through a reorg?"),
        ("saying no without losing people", "How do you say no without losing people?"),
        ("selling the vision is part of the job", None),  # a claim about the activity
        ("meeting notes", None),
    ],
)
def test_activity(heading: str, question: str | None) -> None:
    assert activity(heading) == question


def test_role_and_own_answer() -> None:
    assert role("the leader who speaks last") == "What does it take to be a leader who speaks last?"
    assert role("the team that argues well") == "What does it take to be a team that argues well?"
    assert role("the leader who taught me") is None
    assert own_answer("Why am I here?") == "How would you answer “Why am I here?” for yourself?"
    assert own_answer("What was I thinking?") is None


@pytest.mark.parametrize(
    ("form", "base"),
    [
        ("Leading", "lead"),
        ("protected", "protect"),
        ("delegated", "delegate"),
        ("stopped", "stop"),
        ("tries", "try"),
        ("led", "lead"),
        ("builds", "build"),
        ("table", None),
    ],
)
def test_base_of(form: str, base: str | None) -> None:
    assert base_of(form) == base


def test_chained_questions_become_the_first() -> None:
    text = "What do you say first when you disagree, and how often do you say it, and who hears it?"
    assert fit(text, "#LeadershipChat") == (
        "What do you say first when you disagree?",
        "shortened to the first of the questions it chains together",
    )


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (
            "nine habits for remote one-on-ones",
            "What habits for remote one-on-ones work best for you?",
        ),
        ("7 ways to build trust", "How do you build trust?"),
        ("five questions that matter", None),
        ("ten ways to leadership", None),  # "How do you leadership?"
    ],
)
def test_listicle(title: str, question: str | None) -> None:
    assert listicle(title) == question


@pytest.mark.parametrize(
    ("title", "question"),
    [
        (
            "the night the release went wrong",
            "What did you learn from a night when a release went wrong?",
        ),
        (
            "the day I stopped fixing everything",
            "What did you learn from a day when you stopped fixing everything?",
        ),
        ("the day we lead", None),  # not a story's past
    ],
)
def test_story(title: str, question: str | None) -> None:
    assert story(title) == question


def test_relative() -> None:
    assert (
        relative("A leader who owns the failure in public makes it safe to tell the truth.")
        == "How do you own a failure in public?"
    )
    assert relative("A leader who is kind wins.") is None
    assert relative("The team that wins is lucky.") is None


@pytest.mark.parametrize(
    ("phrase", "topic"),
    [
        ("psychological safety", True),
        ("remote one-on-ones", True),
        ("delegation", True),
        ("listening", True),
        ("meeting", False),  # "What does meeting look like ...?"
        ("tasks", False),
        ("thursday night", False),
        ("biggest release", False),  # "What gets in the way of biggest release ...?"
        ("teams treat meetings", False),
    ],
)
def test_key_phrases_that_read_as_a_topic(phrase: str, topic: bool) -> None:
    assert reads_as_topic(phrase) is topic


@pytest.mark.parametrize(
    ("sentence", "verb"),
    [
        ("Every recurring meeting deserves a purpose.", True),
        ("Most teams treat meetings as weather.", True),
        ("Blame travels downhill fast.", True),
        ("The needs of the many.", False),
    ],
)
def test_has_verb(sentence: str, verb: bool) -> None:
    assert has_verb(sentence) is verb
