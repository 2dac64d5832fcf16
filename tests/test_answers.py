"""Tests for bot.answers: label parsing and the attribution rules of docs/attribution.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import (
    Attribution,
    ChatClock,
    Incoming,
    Kind,
    Label,
    ReplyTarget,
    attribute,
    parse_labels,
    parse_question_label,
)

# --------------------------------------------------------------------------- parse_labels

# (text, expected labels as (raw, question, part))
POSITIVE: list[tuple[str, list[tuple[str, int, str]]]] = [
    ("A1: answer", [("A1", 1, "")]),
    ("a1: lower case", [("a1", 1, "")]),
    ("A 1: spaced", [("A 1", 1, "")]),
    ("a 2 - spaced, dash", [("a 2", 2, "")]),
    ("A\t3: tab between", [("A\t3", 3, "")]),
    ("A 1 : space before colon", [("A 1", 1, "")]),
    ("A1a: part", [("A1a", 1, "a")]),
    ("A1B) upper-case part is lower-cased", [("A1B", 1, "b")]),
    ("A3b. part with dot", [("A3b", 3, "b")]),
    ("A1 answer after a space", [("A1", 1, "")]),
    ("A1\nanswer on the next line", [("A1", 1, "")]),
    ("A1", [("A1", 1, "")]),
    ("a7", [("a7", 7, "")]),
    ("A1.", [("A1", 1, "")]),
    ("A1. dot", [("A1", 1, "")]),
    ("A1) paren", [("A1", 1, "")]),
    ("A1- dash", [("A1", 1, "")]),
    ("A1 – en dash", [("A1", 1, "")]),
    ("A1— em dash", [("A1", 1, "")]),
    ("A1：full-width colon", [("A1", 1, "")]),
    ("A1:no space", [("A1", 1, "")]),
    ("A1: 日本語の答え", [("A1", 1, "")]),
    ("A1: 🚀 emoji after", [("A1", 1, "")]),
    ("A1 🚀", [("A1", 1, "")]),
    ("A10: two digits", [("A10", 10, "")]),
    ("A0: no question zero, still a label", [("A0", 0, "")]),
    ("A007: leading zeros", [("A007", 7, "")]),
    ("A999999999: nine digits is the limit", [("A999999999", 999_999_999, "")]),
    ("**A1:** bold", [("A1", 1, "")]),
    ("**A1**: bold label only", [("A1", 1, "")]),
    ("**A1** bold then space", [("A1", 1, "")]),
    ("*A1*: italic", [("A1", 1, "")]),
    ("_A1_: underscore italic", [("A1", 1, "")]),
    ("__A1__ underline", [("A1", 1, "")]),
    ("~~A1~~: strike", [("A1", 1, "")]),
    ("||A1: spoiler||", [("A1", 1, "")]),
    ("> A1: quote", [("A1", 1, "")]),
    (">>> A1: block quote", [("A1", 1, "")]),
    ("> **A1:** quoted bold", [("A1", 1, "")]),
    ("   A1: leading spaces", [("A1", 1, "")]),
    ("\n\t A1: leading newline and tab", [("A1", 1, "")]),
    ("<@123> A1: user mention", [("A1", 1, "")]),
    ("<@!123> A1: nickname mention", [("A1", 1, "")]),
    ("<@&123> A1: role mention", [("A1", 1, "")]),
    ("<#55> A1: channel mention", [("A1", 1, "")]),
    ("<@1><@2> A1: two mentions", [("A1", 1, "")]),
    ("<@1> <@2>  A1: two mentions, spaces", [("A1", 1, "")]),
    ("<@123>A1: no space after mention", [("A1", 1, "")]),
    ("<@123>, A1: comma after mention", [("A1", 1, "")]),
    ("@bob A1: exported mention", [("A1", 1, "")]),
    ("@bob: A1: exported mention with colon", [("A1", 1, "")]),
    ("@everyone A1: x", [("A1", 1, "")]),
    ("@jöhn.doe-2 A1: unicode name", [("A1", 1, "")]),
    ("@bob **A1:** mention then bold", [("A1", 1, "")]),
    ("A1/A2: both", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1 / A2: spaced slash", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1 & A2: ampersand", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1&A2: tight ampersand", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1, A2: comma", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1+A2 plus", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1 and A2: and", [("A1", 1, ""), ("A2", 2, "")]),
    ("a1 / a 2 - mixed forms", [("a1", 1, ""), ("a 2", 2, "")]),
    ("A1/A2/A3 three", [("A1", 1, ""), ("A2", 2, ""), ("A3", 3, "")]),
    ("**A1** & **A2**: bold both", [("A1", 1, ""), ("A2", 2, "")]),
    ("A1a/A1b: parts", [("A1a", 1, "a"), ("A1b", 1, "b")]),
    ("A2/A1: order as written", [("A2", 2, ""), ("A1", 1, "")]),
    ("A1/A1: duplicates kept as written", [("A1", 1, ""), ("A1", 1, "")]),
    ("A1 & A2C levels: last one is not a label", [("A1", 1, "")]),
    ("A1 and also more", [("A1", 1, "")]),
    ("A1 A2: only the first (no separator)", [("A1", 1, "")]),
    ("A1 - A2: dash is a terminator, not a separator", [("A1", 1, "")]),
    ("A1: A1: mid-text repeat is text", [("A1", 1, "")]),
]

NEGATIVE: list[str] = [
    "",
    "   ",
    "\n",
    "Also, I think so",
    "also a1: no",
    "As a leader",
    "A+ answer",
    "a lot of people",
    "A leader listens",
    "A1C levels matter",
    "a1c levels",
    "A1c levels",
    "a 1 on 1 helps",
    "A 1 text (spaced form needs punctuation)",
    "A1a text (part form needs punctuation)",
    "I think A1: is the best",
    "My A1: answer",
    "HbA1c",
    "A1.5 million",
    "A1-2 years",
    "A12345678901: more than nine digits",
    "A99999999999999999999999999999999999999999: huge",
    "A1🚀",
    "🚀 A1: emoji before",
    "Q1: question label",
    "#A1 hashtag",
    "A: no number",
    "A : no number",
    "A  1: two spaces",
    "A\n1: newline inside",
    "Ａ１： full-width letters",
    "A١: Arabic-Indic digit",
    "A¹: superscript",
    "<@abc> A1: malformed mention",
    "<@123 A1: unclosed mention",
    "A1/",
    "A1/ text",
    "A1/A2C levels",
    "AA1: x",
    "BA1: x",
    "A1x2",
    "A1ab: two letters",
    "A1_b",
    "x A1: not at the start",
    "- A1: list item",
    "\u200bA1: zero-width space is not whitespace",
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE, ids=[t for t, _ in POSITIVE])
def test_parse_labels_positive(text: str, expected: list[tuple[str, int, str]]) -> None:
    assert parse_labels(text) == tuple(Label(raw, q, part) for raw, q, part in expected)


@pytest.mark.parametrize("text", NEGATIVE, ids=[repr(t) for t in NEGATIVE])
def test_parse_labels_negative(text: str) -> None:
    assert parse_labels(text) == ()


def test_many_labels() -> None:
    text = "/".join(f"A{n}" for n in range(1, 501)) + ": all of them"
    assert [label.question for label in parse_labels(text)] == list(range(1, 501))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q3: what is leadership?", 3),
        ("q3: lower", 3),
        ("Q3 - dash", 3),
        ("**Q3:** bold", 3),
        ("**Q3**: bold", 3),
        ("Q3 What do you think", 3),
        ("Q 3: spaced", 3),
        ("Q10: two digits", 10),
        ("Q0: zero", 0),
        ("<@&1> Q2: with role ping", 2),
        ("> Q4. quoted", 4),
        ("Q5", 5),
        ("Question 3: spelled out", None),
        ("Q&A time", None),
        ("Q3a: parts are not question labels", None),
        ("FAQ3: no", None),
        ("A1: an answer", None),
        ("Quick thought", None),
        ("Q 3 spaced needs punctuation", None),
        ("Q99999999999: too long", None),
        ("Q3.5 no", None),
        ("see Q3: mid-text", None),
        ("", None),
    ],
)
def test_parse_question_label(text: str, expected: int | None) -> None:
    assert parse_question_label(text) == expected


# --------------------------------------------------------------------------- attribution

T0 = datetime(2025, 1, 7, 1, 0, tzinfo=UTC)  # 8:00 pm ET welcome


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


US = timedelta(microseconds=1)
Q_AT = {1: at(5), 2: at(15), 3: at(25)}  # Q4 and Q5 exist but are not posted yet
CLOCK = ChatClock(
    welcome_at=T0,
    question_posted_at=Q_AT,
    question_count=5,
    close_at=at(60),
    late_until=at(120),
)


def run(text: str, when: datetime, clock: ChatClock = CLOCK, **kw: object) -> Attribution:
    return attribute(Incoming(text, when, **kw), clock)  # type: ignore[arg-type]


def test_label_matched_is_answer() -> None:
    a = run("A1: listen first", at(7))
    assert a == Attribution(Kind.ANSWER, (1,), ("A1",), (), late=False, excluded=False)


def test_multi_label_answers_several() -> None:
    a = run("A2/A1: same answer", at(20))
    assert (a.kind, a.questions, a.labels) == (Kind.ANSWER, (1, 2), ("A2", "A1"))


def test_parts_collapse_to_one_question() -> None:
    a = run("A1a/A1b: both parts", at(7))
    assert (a.kind, a.questions, a.labels) == (Kind.ANSWER, (1,), ("A1a", "A1b"))


@pytest.mark.parametrize(
    ("text", "unmatched"),
    [
        ("A4: exists, not posted yet", ("A4",)),
        ("A9: does not exist", ("A9",)),
        ("A0: there is no question zero", ("A0",)),
        ("a 4 - spaced, kept as written", ("a 4",)),
        ("A4/A9: both unmatched", ("A4", "A9")),
    ],
)
def test_unmatched_labels_are_kept_never_dropped(text: str, unmatched: tuple[str, ...]) -> None:
    a = run(text, at(30))
    assert (a.kind, a.questions, a.labels, a.unmatched_labels) == (
        Kind.UNMATCHED,
        (),
        unmatched,
        unmatched,
    )


def test_partly_matched_multi_label_is_answer_with_flags() -> None:
    a = run("A1/A4: early", at(30))
    assert (a.kind, a.questions, a.labels, a.unmatched_labels) == (
        Kind.ANSWER,
        (1,),
        ("A1", "A4"),
        ("A4",),
    )


def test_label_exactly_at_question_post_time_matches() -> None:
    assert run("A2: fast", Q_AT[2]).questions == (2,)
    early = run("A2: too fast", Q_AT[2] - US)
    assert (early.kind, early.unmatched_labels) == (Kind.UNMATCHED, ("A2",))


def test_skipped_question_label_is_unmatched() -> None:
    clock = ChatClock(T0, {1: at(5), 3: at(25)}, 3, at(60), at(120))
    assert run("A2: skipped", at(30), clock).kind is Kind.UNMATCHED
    assert run("just talk", at(30), clock).questions == (3,)


def test_posted_question_beyond_count_does_not_exist() -> None:
    clock = ChatClock(T0, {1: at(5), 7: at(15)}, 5, at(60), at(120))
    assert run("A7: ghost", at(20), clock).kind is Kind.UNMATCHED
    assert run("talk", at(20), clock).questions == (1,)


def test_label_beats_reply_and_thread() -> None:
    reply_q2 = ReplyTarget(question=2, is_question_post=True)
    assert run("A1: late to Q1", at(30), reply_to=reply_q2).questions == (1,)
    assert run("A2: in Q3 thread", at(30), thread_question=3).questions == (2,)
    a = run("A4: early", at(30), reply_to=reply_q2, thread_question=3)
    assert (a.kind, a.questions) == (Kind.UNMATCHED, ())


def test_reply_to_question_post_is_answer() -> None:
    a = run("Listening more than talking", at(30), reply_to=ReplyTarget(1, is_question_post=True))
    assert (a.kind, a.questions) == (Kind.ANSWER, (1,))


def test_reply_to_answer_is_discussion_of_its_question() -> None:
    a = run("So true!", at(30), reply_to=ReplyTarget(1))
    assert (a.kind, a.questions) == (Kind.DISCUSSION, (1,))


def test_reply_beats_thread() -> None:
    a = run("agreed", at(30), reply_to=ReplyTarget(1), thread_question=3)
    assert (a.kind, a.questions) == (Kind.DISCUSSION, (1,))


def test_reply_to_unattributed_message_falls_back_to_timeline() -> None:
    assert run("hi back", at(20), reply_to=ReplyTarget(None)).questions == (2,)
    assert run("hi back", at(2), reply_to=ReplyTarget(None)).kind is Kind.INTRO


def test_thread_message_is_answer_to_its_question() -> None:
    a = run("unlabelled, in the thread", at(30), thread_question=2)
    assert (a.kind, a.questions) == (Kind.ANSWER, (2,))


@pytest.mark.parametrize(
    ("when", "kind", "questions"),
    [
        (T0, Kind.INTRO, ()),
        (at(1), Kind.INTRO, ()),
        (Q_AT[1] - US, Kind.INTRO, ()),
        (Q_AT[1], Kind.DISCUSSION, (1,)),
        (at(10), Kind.DISCUSSION, (1,)),
        (Q_AT[2] - US, Kind.DISCUSSION, (1,)),
        (Q_AT[2], Kind.DISCUSSION, (2,)),
        (Q_AT[3], Kind.DISCUSSION, (3,)),
        (at(59), Kind.DISCUSSION, (3,)),
        (at(90), Kind.DISCUSSION, (3,)),
    ],
)
def test_unlabelled_follows_the_timeline(
    when: datetime, kind: Kind, questions: tuple[int, ...]
) -> None:
    a = run("Hello everyone, Jane from Ohio", when)
    assert (a.kind, a.questions, a.labels) == (kind, questions, ())


def test_latest_posted_question_wins_when_out_of_order() -> None:
    clock = ChatClock(T0, {1: at(5), 3: at(15), 2: at(25)}, 3, at(60), at(120))
    assert run("talk", at(20), clock).questions == (3,)
    assert run("talk", at(30), clock).questions == (2,)


def test_simultaneous_questions_tie_goes_to_higher_number() -> None:
    clock = ChatClock(T0, {1: at(5), 2: at(5)}, 2, at(60), at(120))
    assert run("talk", at(6), clock).questions == (2,)


def test_member_q_prefix_is_discussion_not_question() -> None:
    a = run("Q1: what did everyone mean?", at(20))
    assert (a.kind, a.questions) == (Kind.DISCUSSION, (2,))
    in_thread = run("Q1: huh", at(30), thread_question=3)
    assert (in_thread.kind, in_thread.questions) == (Kind.DISCUSSION, (3,))
    replying = run("Q2 is hard", at(30), reply_to=ReplyTarget(2, is_question_post=True))
    assert (replying.kind, replying.questions) == (Kind.DISCUSSION, (2,))
    assert run("Q1: before it starts?", at(2)).kind is Kind.INTRO


def test_host_q_post_is_question() -> None:
    a = run("Q2: How do you give feedback?", Q_AT[2], author_is_host=True)
    assert (a.kind, a.questions) == (Kind.QUESTION, (2,))
    unknown = run("Q4: not in the clock", at(30), author_is_host=True)
    assert (unknown.kind, unknown.questions) == (Kind.QUESTION, ())


def test_host_labelled_answer_is_an_answer() -> None:
    a = run("A1: as a host, I think...", at(7), author_is_host=True)
    assert (a.kind, a.questions, a.excluded) == (Kind.ANSWER, (1,), False)


def test_bot_messages_are_excluded_but_still_classified() -> None:
    q = run("**Q1:** What makes a leader? #LeadershipChat", Q_AT[1], author_is_bot=True)
    assert (q.kind, q.questions, q.excluded) == (Kind.QUESTION, (1,), True)
    welcome = run("Welcome! Answer with A1:", T0, author_is_bot=True)
    assert (welcome.kind, welcome.excluded) == (Kind.INTRO, True)
    outside = run("reminder", T0 - timedelta(hours=1), author_is_bot=True)
    assert (outside.kind, outside.excluded) == (Kind.OUTSIDE, True)


def test_opted_out_member_is_excluded() -> None:
    a = run("A1: private", at(7), author_opted_out=True)
    assert (a.kind, a.questions, a.excluded) == (Kind.ANSWER, (1,), True)


@pytest.mark.parametrize(
    ("when", "kind", "late"),
    [
        (T0 - US, Kind.OUTSIDE, False),
        (T0 - timedelta(days=1), Kind.OUTSIDE, False),
        (T0, Kind.ANSWER, False),
        (at(60) - US, Kind.ANSWER, False),
        (at(60), Kind.ANSWER, True),
        (at(90), Kind.ANSWER, True),
        (at(120) - US, Kind.ANSWER, True),
        (at(120), Kind.OUTSIDE, False),
        (at(120) + timedelta(days=3), Kind.OUTSIDE, False),
    ],
)
def test_window_boundaries(when: datetime, kind: Kind, late: bool) -> None:
    clock = ChatClock(T0, {1: T0}, 1, at(60), at(120))
    a = run("A1: x", when, clock)
    assert (a.kind, a.late) == (kind, late)


def test_outside_keeps_labels_as_written_but_attributes_nothing() -> None:
    a = run("A1/A2: after the window", at(200))
    assert a == Attribution(Kind.OUTSIDE, (), ("A1", "A2"), (), late=False, excluded=False)


def test_no_late_window_means_outside_at_close() -> None:
    clock = ChatClock(T0, {1: at(5)}, 1, at(60), at(60))
    assert run("A1: x", at(60), clock).kind is Kind.OUTSIDE
    assert run("A1: x", at(60) - US, clock).kind is Kind.ANSWER


def test_late_unlabelled_and_unmatched_are_marked_late() -> None:
    assert run("talk", at(70)) == Attribution(Kind.DISCUSSION, (3,), (), (), True, False)
    assert run("A5: x", at(70)).late is True


def test_other_time_zones_compare_as_instants() -> None:
    eastern = at(7).astimezone(ZoneInfo("America/New_York"))
    assert run("A1: x", eastern).questions == (1,)
    plus_14 = at(7).astimezone(timezone(timedelta(hours=14)))
    assert run("A1: x", plus_14) == run("A1: x", at(7))


def test_deterministic_and_edit_reruns() -> None:
    original = Incoming("great point", at(7))
    assert attribute(original, CLOCK) == attribute(original, CLOCK)
    edited = Incoming("A1: great point", original.created_at)
    assert attribute(original, CLOCK).kind is Kind.DISCUSSION
    assert attribute(edited, CLOCK).kind is Kind.ANSWER


def test_clock_snapshots_its_mapping() -> None:
    posted = {1: at(5)}
    clock = ChatClock(T0, posted, 2, at(60), at(120))
    posted[2] = at(6)
    assert run("A2: x", at(10), clock).kind is Kind.UNMATCHED


def test_naive_and_disordered_times_are_refused() -> None:
    naive = datetime(2025, 1, 7, 1, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        Incoming("x", naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        ChatClock(naive, {}, 0, at(60), at(120))
    with pytest.raises(ValueError, match="timezone-aware"):
        ChatClock(T0, {1: naive}, 1, at(60), at(120))
    with pytest.raises(ValueError, match="welcome_at <= close_at <= late_until"):
        ChatClock(T0, {}, 0, at(60), at(30))
    with pytest.raises(ValueError, match="welcome_at <= close_at <= late_until"):
        ChatClock(at(61), {}, 0, at(60), at(120))


# --------------------------------------------------------------------------- properties

TOKENS = [
    "A",
    "a",
    "Q",
    "1",
    "2",
    "0",
    "9",
    " ",
    "\n",
    "\t",
    ":",
    "-",
    ".",
    ")",
    "/",
    "&",
    "+",
    ",",
    "*",
    "_",
    "~",
    ">",
    "|",
    "<@1>",
    "<@!2>",
    "<@&3>",
    "<",
    "@",
    "@bob",
    "and",
    "c",
    "C",
    "ā",
    "：",
    "—",
    "🚀",
    "\x00",
    "\u200b",
    "A1",
    "A1:",
    "a 2 -",
    "A1a)",
    "Q3:",
    "A1/",
    "A99999999999",
]
tricky_text = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
long_text = st.builds(lambda s, n: s * n, st.text(max_size=12), st.integers(0, 3000))
any_text = st.one_of(st.text(), tricky_text, long_text)


def _check_labels(text: str, labels: tuple[Label, ...]) -> None:
    pos = 0
    for label in labels:
        found = text.find(label.raw, pos)
        assert found >= 0, (label, text)
        pos = found + len(label.raw)
        digits = "".join(ch for ch in label.raw if ch.isdigit())
        assert label.question == int(digits)
        assert label.part == label.part.lower() and len(label.part) <= 1


@given(any_text)
def test_parse_never_raises_and_labels_appear_in_order(text: str) -> None:
    labels = parse_labels(text)
    _check_labels(text, labels)
    question = parse_question_label(text)
    assert question is None or question >= 0


@given(any_text)
def test_leading_mention_and_markdown_do_not_change_labels(text: str) -> None:
    assert parse_labels("<@1> ** " + text) == parse_labels(text)


@given(any_text)
def test_labels_only_at_the_start(text: str) -> None:
    assert parse_labels("x " + text) == ()


PATHOLOGICAL = [
    "A1/",
    "A1 & ",
    "A1, ",
    "A1 and ",
    " ",
    "*",
    "*_~",
    "<@",
    "<@1",
    "@",
    "@a",
    "> ",
    "A",
    "A1",
    "a 1 ",
    "A1a",
    "1",
    "**A1** / ",
    ":",
    "Q1",
]


@settings(deadline=timedelta(seconds=2), max_examples=60)
@given(st.sampled_from(PATHOLOGICAL), st.sampled_from(["", ":", "x", "A1:", "*"]))
def test_parsing_is_linear_on_pathological_input(unit: str, tail: str) -> None:
    """100k+ characters; catastrophic backtracking would blow the (generous) deadline."""
    text = unit * (100_000 // len(unit) + 1) + tail
    _check_labels(text, parse_labels(text))
    parse_question_label(text)
    parse_labels("A1" + unit * (100_000 // len(unit)) + tail)


def test_hundred_thousand_chars_of_a1_slash() -> None:
    assert parse_labels("A1/" * 33_334) == ()
    assert len(parse_labels("A1/" * 33_333 + "A1:")) == 33_334


aware_zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=14)), ZoneInfo("Europe/Paris")]
)
instants = st.builds(
    lambda minutes, zone: at(minutes).astimezone(zone),
    st.integers(-200, 400) | st.floats(-1e4, 1e4, allow_nan=False),
    aware_zones,
)


@st.composite
def clocks(draw: st.DrawFn) -> ChatClock:
    welcome, close, late = sorted(draw(st.lists(instants, min_size=3, max_size=3)))
    posted = draw(st.dictionaries(st.integers(-3, 12), instants, max_size=8))
    return ChatClock(welcome, posted, draw(st.integers(-1, 10)), close, late)


messages = st.builds(
    Incoming,
    text=any_text,
    created_at=instants,
    author_is_bot=st.booleans(),
    author_is_host=st.booleans(),
    author_opted_out=st.booleans(),
    reply_to=st.none() | st.builds(ReplyTarget, st.none() | st.integers(-2, 12), st.booleans()),
    thread_question=st.none() | st.integers(-2, 12),
)


@given(messages, clocks())
def test_attribute_never_raises_and_keeps_invariants(msg: Incoming, clock: ChatClock) -> None:
    a = attribute(msg, clock)
    assert a == attribute(msg, clock)
    assert a.labels == tuple(label.raw for label in parse_labels(msg.text))
    assert list(a.questions) == sorted(set(a.questions))
    assert a.excluded == (msg.author_is_bot or msg.author_opted_out)
    inside = clock.welcome_at <= msg.created_at < clock.late_until
    assert (a.kind is not Kind.OUTSIDE) == inside
    assert a.late == (inside and msg.created_at >= clock.close_at)
    if a.kind is Kind.OUTSIDE:
        assert a.questions == () and a.unmatched_labels == ()
    assert set(a.unmatched_labels) <= set(a.labels)
    if a.labels and inside:
        assert a.kind is (Kind.ANSWER if a.questions else Kind.UNMATCHED)
        assert all(clock.is_posted(q, msg.created_at) for q in a.questions)
        assert a.unmatched_labels or a.kind is Kind.ANSWER
    if a.kind in (Kind.INTRO, Kind.UNMATCHED):
        assert a.questions == ()


@settings(max_examples=200, deadline=timedelta(seconds=2), derandomize=True)
@given(any_text)
def test_label_numbers_stay_within_nine_digits(text: str) -> None:
    """A label is at most nine digits, so nothing sized by a question number can be made huge
    by a member writing A99999999999 or Q99999999999."""
    assert all(0 <= label.question <= 999_999_999 for label in parse_labels(text))
    question = parse_question_label(text)
    assert question is None or 0 <= question <= 999_999_999


def test_a_ten_digit_number_is_not_a_label() -> None:
    assert parse_labels("A1234567890: too long") == ()
    assert parse_question_label("Q1234567890: too long") is None
