"""Generated questions: the statement shapes a host turns into a question of their own, and the
verb forms they need (bot/drafting/_transform.py, _verbs.py)."""

from __future__ import annotations

import pytest

from bot.drafting import draft_topic
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
from tests.drafting_score import CHAT_DATES, generated_flaw


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


# More posts that ask nothing, not in the scored set: Title Case headings of activities
# ("Asking Before Telling", "Making It Routine"), an argument with a colon after a list,
# headings that are claims and a numbered list of topics, a post written all in lower case.
POSTS = {
    "rituals.md": """# Team Rituals That Actually Stick

Most team rituals die within a month. The retro that became a status meeting, the Friday demo nobody attends, the kudos channel that went quiet in March.

## Why Rituals Matter

Rituals give a team a shared rhythm. They make the important things happen without anyone having to remember them, and they tell newcomers what the team cares about.

## Small Beats Big

A five-minute ritual that happens every week outlasts a two-hour offsite that happens once a year. Teams remember what they repeat.

## Ownership Rotates

When one person owns a ritual, it dies when they go on holiday. Rotating the facilitator spreads the skill and keeps the format fresh.

## Retire Rituals on Purpose

A ritual that no longer serves the team should end with a short goodbye, not a slow fade. Ending one well makes room for the next.

1. Daily check-ins
2. Weekly wins
3. Monthly retros
4. Quarterly resets

Join us on Tuesday at #LeadershipChat to swap the rituals that work for your teams and the ones you quietly retired.
""",
    "lowercase.txt": """hiring for potential

most hiring processes reward people who have already done the job. that sounds sensible until you notice who gets left out: career changers, people returning from caregiving, and anyone whose last title undersells what they can do.

hiring for potential means asking what someone could do in a year, not only what they did last year. it takes more work from the interviewer. the questions get harder to write and the answers get harder to score.

structured interviews help. the same questions for every candidate, scored against the same rubric, reduce the pull of the familiar résumé. work samples help more, because they show the skill instead of describing it.

potential is not a guess. it shows up in how fast someone learns in the interview itself, how they handle a hint, and whether they ask good questions back. interviewers who notice learning speed hire people who grow.

the risk is real, and managers who hire for potential have to invest in onboarding. a new hire who is learning fast still needs a map, a mentor and a few early wins. bring your stories to the chat.
""",
    "headings.md": """# Building a Feedback Culture

Feedback cultures do not happen by accident. They are designed by leaders who model the behaviour they want to see, week after week, in small ways that add up.

## Asking Before Telling

Leaders who ask for feedback before giving it earn the right to be heard. The request signals that the feedback loop runs both ways, and it lowers the stakes for everyone involved in the conversation.

## Making It Routine

Feedback that arrives only at review time feels like a verdict. Feedback that arrives every week feels like coaching. The difference is frequency, not content, and frequency is a choice a leader makes.

## Celebrating the Messenger

The person who brings bad news deserves thanks in public. Teams watch what happens to the first person who speaks up, and they decide from that moment whether speaking up is safe. Psychological safety grows from these small public moments more than from any workshop or poster on the wall.

## Closing the Loop

Nothing kills feedback faster than silence afterwards. When people see their input change something, even something small, they give more of it. When nothing changes, they stop, and they stop quietly. Join us Tuesday for #LeadershipChat.
""",
    "values.txt": """Values Are Verbs

Every company has a values page. Integrity, Excellence, Teamwork, Customer Focus. The words are fine; the trouble is that nobody can see a noun. Values become real only when they describe what people do on an ordinary Tuesday afternoon.

Take integrity. As a noun it hangs on the wall. As a verb it means telling a customer about a delay before they find it, even when the delay is embarrassing. Take teamwork. As a verb it means giving credit in the meeting where the credit is being handed out, not afterwards in a private message.

Leaders translate values into verbs every day, whether they mean to or not. The promotion decision, the project that gets cancelled, the person who gets the difficult assignment: each one tells the team what the values actually are. Culture is the sum of what leaders tolerate.

The most useful exercise I know takes twenty minutes. Ask the team to write down three things that happened last month that showed a value in action, and three that contradicted one. The second list is always longer, and it is always more honest.

Accountability is a practice, not a poster. Consistency beats intensity. Small signals repeated beat big speeches delivered once. Come and share your own values-as-verbs at the chat this Tuesday, 8 pm ET.
""",
}


@pytest.mark.parametrize("name", sorted(POSTS))
def test_generated_questions_pass_the_scorers_checks_on_other_posts(name: str) -> None:
    text = POSTS[name]
    draft = draft_topic(text, "markdown" if name.endswith(".md") else "text", chat_dates=CHAT_DATES)
    generated = [c.text for c in (*draft.questions, *draft.extra_questions) if c.generated]
    assert len(draft.questions) >= 5
    assert [(q, generated_flaw(q, text)) for q in generated if generated_flaw(q, text)] == []
    assert not any(q.startswith("The promotion decision") for q in generated)  # a list, no claim
