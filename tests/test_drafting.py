"""Drafting topic files from prep posts: fixtures with exact expectations, rules, CLI, errors."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import prompts_draft
from bot.config import Settings
from bot.drafting import (
    MAX_SOURCE_BYTES,
    Draft,
    DraftError,
    decode_source,
    detect_kind,
    draft_as_data,
    draft_topic,
    render_draft_yaml,
)
from bot.drafting import _core as drafting_core
from bot.drafting._judge import leans_on_context
from bot.drafting._meta import find_hosts, strip_site_suffix
from bot.drafting._model import SourceKind
from bot.drafting._questions import fit, own_questions
from bot.drafting._render import _scalar
from bot.drafting.for_chat import question_room
from bot.topics import POST_LIMIT, Severity, check_topic, load_catalog, load_topic_file
from tests.conftest import CliResult
from tests.drafting_score import (
    CHAT_DATES,
    FIXTURES,
    draft_fixture,
    fragment_reason,
    generated_flaw,
    load_expected,
    same_generated,
    same_question,
    score,
    table,
)

TAKEN = {date(2026, 11, 3)}
NEXT_FREE = date(2026, 11, 10)
SETTINGS = Settings.model_validate(
    {"chats": [{"name": "leadershipchat", "guild_id": 1, "channels": {"chat": 2}}]}
)
ROOM = question_room(SETTINGS.chats[0])  # 7 with the default run of show
EXPECTED = load_expected()
# The floor the drafter reached on the fixtures (tests/drafting_score.py): usable questions in
# the main list summed over all posts. A change that drafts fewer fails here.
USABLE_FLOOR = 107


def draft_file(name: str, **overrides: object) -> Draft:
    return draft_fixture(name, **overrides)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_metadata(name: str) -> None:
    want = EXPECTED[name]
    draft = draft_file(name)
    if want["title"] is None:
        assert draft.title_note is not None and draft.title_note.startswith("check: no title")
    else:
        assert draft.title == want["title"]
    assert draft.date == want["date"]
    assert list(draft.hosts) == want["hosts"]
    assert draft.prep_post == want.get("prep_post")
    if "date_note" in want:
        assert draft.date_note is not None and want["date_note"] in draft.date_note


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_questions_a_host_would_keep(name: str) -> None:
    """Five or more usable questions, no fragments, rhetoric, outside text or leaning ones in
    the main list, in the post's order; every question the host keeps is offered somewhere."""
    want = EXPECTED[name]
    draft = draft_file(name)
    result = score(name, want, draft)
    report = table([result])
    assert len(result.usable) >= 5, report
    assert not (result.fragments or result.rhetorical or result.outside), report
    assert not (result.context or result.unlisted or result.flawed), report
    assert result.order_ok, report
    assert [c.position for c in draft.questions] == sorted(c.position for c in draft.questions)
    offered = [c.text for c in (*draft.questions, *draft.extra_questions)]
    for kept in want["keep"]:
        assert any(same_question(kept, q) for q in offered), f"{kept!r} missing\n{report}"
    for kept in want.get("generated_keep", []):
        assert any(same_generated(kept, q) for q in offered), f"{kept!r} missing\n{report}"
    for candidate in (*draft.questions, *draft.extra_questions):
        assert fragment_reason(candidate.text) is None, candidate.text
        assert "“”" not in candidate.text and "““" not in candidate.text


def test_the_floor_across_all_fixtures() -> None:
    scores = [score(name, want, draft_file(name)) for name, want in EXPECTED.items()]
    assert sum(len(s.usable) for s in scores) >= USABLE_FLOOR, table(scores)


ARTICLE = "Our host Jane Doe runs the Tuesday chat on LinkedIn. Trust is built in small moments."


@pytest.mark.parametrize(
    ("question", "flaw"),
    [
        ("What do nine habits for remote one-on-Ones look like on your team?", "stray capital"),
        ("What does thursday night look like on your team?", "lower case"),
        ("What gets in the way of biggest release for you?", "no article"),
        ("What does delegation habits look like on your team?", "agreement"),
        ("What do team ritual that sticks look like on your team?", "agreement"),
        ("What do Daily check-ins look like on your team?", "stray capital"),
        ("Agree or disagree: a apology is the leader's job. Why?", "article"),
        ("Is feedback a gift nobody wants?", "closed"),
        ("It is built in small moments. What has your experience been?", "leans"),
        ("How do you leads a team through a reorg?", "verb form"),
        ("How How do you lead through a reorg?", "doubled"),
        ("Feedback is a gift.", "not an open question"),
        ("What does trust look like on your team?", None),
        ("What would it take for you to protect time for career talk?", None),
        ("How do you build trust with a new team?", None),
        ("Agree or disagree: an hour of listening beats a week of guessing. Why?", None),
        ("What habits for remote one-on-ones work best for you?", None),
        ("Where have you seen Jane Doe's habit of asking last work on LinkedIn?", None),
        ("Is it worth it? Why or why not?", None),
    ],
)
def test_the_scorer_judges_generated_questions(question: str, flaw: str | None) -> None:
    found = generated_flaw(question, ARTICLE)
    assert (found is None) if flaw is None else (found is not None and flaw in found), found


def test_a_flawed_generated_question_is_not_counted_usable() -> None:
    draft = draft_file("story.txt")
    bad = dataclasses.replace(
        draft.questions[0], text="What gets in the way of biggest release for you?"
    )
    good = dataclasses.replace(draft.questions[0], text="How do you own a failure in public?")
    result = score(
        "story.txt", EXPECTED["story.txt"], dataclasses.replace(draft, questions=(bad, good))
    )
    assert result.usable == [good.text]
    assert len(result.flawed) == 1 and "biggest release" in result.flawed[0]


def test_enough_fixtures_of_every_shape() -> None:
    assert len(EXPECTED) >= 10
    assert {Path(name).suffix for name in EXPECTED} == {".txt", ".md", ".html"}
    shapes = {
        "questions all through": "first-90-days-copied.txt",
        "no questions at all": "psychological-safety.md",
        "a list-first post": "list-first.txt",
        "a post followed by comments": "saying-no-comments.html",
        "two posts on one page": "two-posts-page.html",
        "two posts pasted": "two-posts-pasted.txt",
        "HTML with sidebars": "vision-trust-energy.html",
        "a plain-text paste": "selling-the-vision.txt",
        "a short argument, no questions": "argument-only.txt",
        "a short list, no questions": "list-only.md",
        "a short story, no questions": "story.txt",
    }
    assert set(shapes.values()) <= set(EXPECTED)
    assert EXPECTED["psychological-safety.md"]["keep"] == []
    assert (FIXTURES / "list-first.txt").read_text().startswith("- ")
    assert all(len((FIXTURES / n).read_text().split()) >= 250 for n in EXPECTED)
    for short in ("argument-only.txt", "list-only.md", "story.txt"):  # ~250 words, no questions
        text = (FIXTURES / short).read_text()
        assert len(text.split()) <= 300 and "?" not in text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_draft_is_a_valid_topic_file(name: str, tmp_path: Path) -> None:
    draft = draft_file(name, prep_url="https://example.com/post")
    text = render_draft_yaml(draft)
    assert yaml.safe_load(text) == draft_as_data(draft)
    path = tmp_path / "prompts" / "draft.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    topic = load_topic_file(path)
    assert [q.text for q in topic.questions] == draft.question_texts
    assert check_topic(topic, SETTINGS.chats[0]) == []  # no errors, not even length warnings
    assert load_catalog([path.parent], SETTINGS).problems == []


def test_drafts_comment_what_is_unsure() -> None:
    text = render_draft_yaml(draft_file("psychological-safety.md"))
    assert "# NOTE: the post asks no questions a chat can use as they stand; 7 more were" in text
    assert "  # generated from the heading “High standards and high safety”; check\n" in text
    assert "  - How do you balance high standards and high safety?\n" in text
    assert (
        'hosts: ["Lena Okonkwo", "Jordan Blake"]  # check: “Lena Okonkwo” is the post\'s author'
        in text
    )
    assert "prep_post: https://lenaokonkwo.example/blog/safety-is-not-comfort  # check:" in text
    plain = render_draft_yaml(draft_file("no-questions.txt"))
    assert "date: 2026-11-10  # check: no chat date found in the post" in plain
    assert "hosts: []  # check: no author or co-hosts named in the post" in plain
    assert "# prep_post:" in plain
    long = render_draft_yaml(draft_file("first-90-days-copied.txt"))
    assert "  # check: shortened to fit a 280-character post (lead-in dropped)\n" in long
    assert "# More questions (swap any in; the chat hour has room for 7):" in long
    assert "#  # check: leans on the sentence before it in the post\n" in long
    assert "“Why or why not?” added to a yes/no question\n#  - Do you owe your former" in long


def test_a_post_without_a_title_is_not_titled_by_its_first_list_item() -> None:
    draft = draft_file("list-first.txt")
    assert draft.title == "Accountability without blame"
    assert draft.title_note is not None and "the topic its invitation names" in draft.title_note
    bare = "- Say the hard thing early.\n- Name the owner.\n\n" + "Owners move work forward. " * 9
    made = draft_topic(bare, "text", chat_dates=CHAT_DATES)
    assert not made.title.startswith("Say the hard") and made.title_note is not None


def test_room_for_questions() -> None:
    assert ROOM == 7  # 5m, 14m, ... 59m: an 8th question would come after the close
    assert len(draft_file("first-90-days-copied.txt", max_questions=8).questions) == 8
    assert len(draft_file("first-90-days-copied.txt", max_questions=20).questions) == 8
    tight = SETTINGS.chats[0].model_copy(
        update={
            "run_of_show": SETTINGS.chats[0].run_of_show.model_copy(
                update={"spacing": timedelta(minutes=15)}
            )
        }
    )
    assert question_room(tight) == 4


def test_date_override_and_chat_name_and_url() -> None:
    draft = draft_file(
        "reorg-names-date.txt",
        date_override=date(2027, 1, 5),
        chat_name="leadershipchat",
        prep_url="https://example.com/reorg",
        hashtag="#LeadChat",
    )
    data = yaml.safe_load(render_draft_yaml(draft))
    assert data["date"] == date(2027, 1, 5) and draft.date_note is None
    assert data["chat"] == "leadershipchat" and data["prep_post"] == "https://example.com/reorg"
    assert "`Q1: <text> #LeadChat`" in render_draft_yaml(draft)


def dated(sentence: str, taken: set[date] | None = None) -> tuple[date, str | None]:
    body = f"Title\n\nA paragraph long enough to count as the post's own prose here. {sentence}"
    draft = draft_topic(body, "text", chat_dates=CHAT_DATES, taken_dates=taken or set())
    return draft.date, draft.date_note


def test_dates_named_in_the_post() -> None:
    assert dated("Join us on 11/24 at 8 pm ET.")[0] == date(2026, 11, 24)
    assert dated("Join us Tuesday, Dec. 8th, 2026 for the chat.")[0] == date(2026, 12, 8)
    assert dated("See you on the 17th of November at 8pm ET.")[0] == date(2026, 11, 17)
    assert dated("The chat is on 2027-03-02.")[0] == date(2027, 3, 2)
    assert dated("Join us next Tuesday!", {date(2026, 11, 3)})[0] == date(2026, 11, 10)
    day, note = dated("Join us on 11/25 at 8 pm ET.")  # a Wednesday: not a chat date
    assert day == date(2026, 11, 3) and note is not None and '"11/25"' in note
    # Dates in anecdotes do not count, even when they fall on a chat day.
    assert dated("On November 24 my team shipped.")[1] == (
        "check: no chat date found in the post; this is the next chat date without a topic"
    )
    assert dated("This Tuesday, November 24, we talk trust.")[0] == date(2026, 11, 24)
    day, note = dated("Join us on 11/3 at 8 pm ET.", {date(2026, 11, 3)})
    assert day == date(2026, 11, 3) and note is not None and "already has this date" in note


def test_titles_lose_site_names() -> None:
    assert strip_site_suffix("Serving Leadership – Jane's Blog") == "Serving Leadership"
    assert strip_site_suffix("Trust at Work | Site") == "Trust at Work"
    assert strip_site_suffix("Northwind | Real Title", "Northwind") == "Real Title"
    assert strip_site_suffix("Leading Up - What Your Boss Needs") == (
        "Leading Up - What Your Boss Needs"
    )
    assert strip_site_suffix("Leading Up - janedoe.com") == "Leading Up"
    page = (
        "<html><head><title>Trust at Work | Site</title></head><body><p><svg><title>Share</title>"
        "</svg>A paragraph long enough to be the post's own prose.</p></body></html>"
    )
    assert draft_topic(page, None, chat_dates=CHAT_DATES).title == "Trust at Work"
    markdown = "# Leading Up – Jane's Blog\n\nA paragraph long enough to be the post's own prose."
    assert draft_topic(markdown, None, chat_dates=CHAT_DATES).title == "Leading Up"


@pytest.mark.parametrize(
    ("sentence", "hosts"),
    [
        ("This week my co-host Jane Doe and I want to talk.", ["Jane Doe"]),
        (
            "Co-hosts Jane Doe, Sam Lee, and Ana Ruiz will join.",
            ["Jane Doe", "Sam Lee", "Ana Ruiz"],
        ),
        (
            "My co-host and good friend, the amazing Priya Raman (@priya), picked it.",
            ["Priya Raman"],
        ),
        ("This week, Marcus O'Neill, my co-host, picked the topic.", ["Marcus O'Neill"]),
        ("With our guest host Dr. Lee. Then we chat.", ["Dr. Lee"]),
        ("Join Sam Lee and me at #LeadershipChat this Tuesday!", ["Sam Lee"]),
        ("My co-host and I will be there on Tuesday.", []),
        ("I will host it on Tuesday with Jane.", []),
    ],
)
def test_co_hosts(sentence: str, hosts: list[str]) -> None:
    assert find_hosts([sentence]) == hosts


def chat_question(sentence: str, following: str = "") -> str | None:
    """What the drafter makes of one sentence of a post (None: left out)."""
    usable, leaning = own_questions([(0, sentence), (100, following)], "#LeadershipChat")
    found = [c.text for c in (*usable, *leaning) if c.source == sentence]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        ("So, what do you think about the new plan?", "What do you think about the new plan?"),
        ("Now how do you lead a team of peers?", "How do you lead a team of peers?"),
        ("Let me ask you; what is your why?", "What is your why?"),
        ("“Why does trust matter to you?”", "Why does trust matter to you?"),
        ('She asked, "What would you do differently?"', "What would you do differently?"),
        ("Q3: How do you build trust?", "How do you build trust?"),
        ("Here’s my question: what’s your first move?", "What’s your first move?"),
        (
            "Leadership comes down to one question – how do we get others to follow our lead?",
            "How do you get others to follow your lead?",
        ),
        (  # the author's "My", "We", "Our": rewritten whatever their case
            "What Would My Team Say About Our Meetings?",
            "What Would Your Team Say About Your Meetings?",
        ),
        (
            "Why do We wait so long to give feedback to our best people?",
            "Why do you wait so long to give feedback to your best people?",
        ),
        (
            "WHAT WOULD MY TEAM SAY IF WE ASKED THEM ABOUT OUR MEETINGS?",
            "WHAT WOULD YOUR TEAM SAY IF YOU ASKED THEM ABOUT YOUR MEETINGS?",
        ),
        (
            "What does Our team owe the US office when we miss a date?",
            "What does your team owe the US office when you miss a date?",
        ),
        (
            "Have you ever delegated too much, too fast?",
            "When have you delegated too much, too fast?",
        ),
        (
            "Should feedback ever be anonymous?",
            "Should feedback ever be anonymous? Why or why not?",
        ),
        (
            "If my team disappeared for a week, would the obstacles I removed still be gone?",
            "If your team disappeared for a week, would the obstacles you removed still be gone?"
            " Why or why not?",
        ),
        ("Anybody know??", None),
        ("Anybody know a good book on this?", None),
        ("Leadership is hard, right?", None),
        ("That's your ultimate goal – right?", None),
        ("Leading is hard, isn’t it?", None),
        ("Isn't that the hardest kind of service?", None),
        ("What do you think?", None),
        ("Package together Vision, Trust and Energy, and what do you have?", None),
        ("Sound familiar?", None),
        ("Who knew?", None),
        ("What was I thinking?", None),
        ("Who wants a team where nothing important is said?", None),
        ("Want to subscribe to the newsletter?", None),
        ("Ready to lead a team that actually follows you?", None),
        ("Do you want weekly prompts in your inbox?", None),
        ("This is not a question.", None),
        ("Really?!", None),
        ("– and then some?", None),
    ],
)
def test_question_cleaning(sentence: str, question: str | None) -> None:
    assert chat_question(sentence) == question


@pytest.mark.parametrize(
    ("question", "following"),
    [
        ("Can I sell?", "Of course I can."),
        ("Is it worth the effort?", "Yes, every time."),
        ("What is the secret?", "Here's the thing: there is none."),
    ],
)
def test_questions_the_post_answers_at_once_stay_out(question: str, following: str) -> None:
    assert chat_question(question, following) is None
    assert chat_question(question, "A different thought entirely.") is not None


@pytest.mark.parametrize(
    ("question", "leans"),
    [
        ("How do you build habits like that?", True),
        ("Why does it so often feel like a summons?", True),
        ("What should they keep doing, even if it feels like the old job?", True),
        ("Is ninety days even the right way to do this?", True),
        ("Which of the four comes most naturally to you?", True),
        ("What would your team say if I asked them tomorrow?", True),
        ("Why is it so hard to stop doing the work yourself?", False),
        ("What does it take to earn trust on a new team?", False),
        ("Where is the line between serving people and rescuing them?", False),
        ("How do you ask for feedback so people actually give it?", False),
        ("What should a new manager stop doing on day one?", False),
        ("When did a leader turn you down in a way that made you trust them more?", False),
    ],
)
def test_questions_that_lean_on_the_sentence_before(question: str, leans: bool) -> None:
    assert leans_on_context(question) is leans


def test_and_at_the_start_with_a_pronoun_leans_on_the_sentence_before() -> None:
    usable, leaning = own_questions(
        [(0, "And how do your people know you'll keep them?")], "#LeadershipChat"
    )
    assert not usable and [c.text for c in leaning] == ["How do your people know you'll keep them?"]
    assert leaning[0].note == "check: leans on the sentence before it in the post"


def test_overlong_questions_are_shortened_at_a_clause_or_left_out() -> None:
    room = 280 - len("Q12:  #LeadershipChat")
    lead = "When you think back to your first weeks in charge, after " + "the long days, " * 12
    fitted = fit(lead + "what advice do you wish you had been given?", "#LeadershipChat")
    assert fitted == (
        "What advice do you wish you had been given?",
        "shortened to fit a 280-character post (lead-in dropped)",
    )
    tail = "What did you learn in your first year as a manager, " + "and then " * 30 + "more?"
    head = fit(tail, "#LeadershipChat")
    assert head is not None and head[0] == "What did you learn in your first year as a manager?"
    assert head[1] is not None and "trailing clause dropped" in head[1]
    run_on = "Why " + "do we keep on " * 30 + "doing this?"
    assert len(run_on) > room and fit(run_on, "#LeadershipChat") is None


def test_emoji_after_a_question_and_author_bios() -> None:
    body = (
        "Going Quiet\n\nWhen pressure rises, many leaders stop talking to their teams.\n\n"
        "What does your team hear when you say nothing? 🤔 How long can a team run on silence? 😅"
        "\n\nJane Doe is a leadership coach and the author of Loud Enough. Looking for a speaker"
        " for your next offsite?\n"
    )
    draft = draft_topic(body, "text", chat_dates=CHAT_DATES)
    assert [c.text for c in draft.questions if not c.generated] == [
        "What does your team hear when you say nothing?",
        "How long can a team run on silence?",
    ]


def test_duplicates_keep_the_first_wording() -> None:
    body = (
        "Title\n\nHow do you build trust on a new team? How do you build trust on a new team?"
        " So, how do you build trust on a brand new team?"
    )
    draft = draft_topic(body, "text", chat_dates=CHAT_DATES)
    own = [c.text for c in draft.questions if not c.generated]
    assert own == ["How do you build trust on a new team?"]


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("<!DOCTYPE html><html><p>x</p></html>", None, "html"),
        ("# Title\n\n- a\n- b\n", None, "markdown"),
        ("Just some words.\n\nMore words.", None, "text"),
        ("# Title", "post.txt", "text"),
        ("plain", "post.HTML", "html"),
        ("plain", "https://example.com/p.md?x=1", "markdown"),
    ],
)
def test_detect_kind(text: str, name: str | None, kind: str) -> None:
    assert detect_kind(text, name) == kind


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_yaml_scalars_read_back_unchanged(text: str) -> None:
    assert yaml.safe_load(f"q: {_scalar(text)}")["q"] == text


@given(st.text(alphabet=st.sampled_from(list("ab ?.!,;:'\"\n#<>-*Q1")), max_size=400))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_a_draft_or_a_clear_error(text: str) -> None:
    try:
        draft = draft_topic(text, None, chat_dates=CHAT_DATES)
    except DraftError as exc:
        assert str(exc)
        return
    assert 1 <= len(draft.questions) <= 8
    for q in draft.questions:
        assert q.text.endswith("?") and len(f"Q12: {q.text} {draft.hashtag}") <= POST_LIMIT


# Errors and the CLI


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-utf8.txt", "not-utf8.txt is not UTF-8 text (byte 0xe9 at offset 3)"),
        ("empty.txt", "the post is empty"),
        ("only-boilerplate.html", "no post text found (only navigation, share buttons"),
    ],
)
def test_unusable_input_is_a_clear_error(name: str, message: str) -> None:
    with pytest.raises(DraftError, match=message.replace("(", r"\(").replace(")", r"\)")):
        draft_file(name)


@pytest.mark.parametrize(
    ("kind", "title"), [("text", "Trust at work"), ("markdown", "# Trust at work")]
)
def test_a_short_post_that_holds_text_is_drafted(kind: SourceKind, title: str) -> None:
    """A host's own three-line post has no page furniture to tell apart: it was refused with
    "no post text found" because no paragraph had six words."""
    post = f"{title}\n\nTrust matters.\n\nHow do you earn trust?\n"
    draft = draft_topic(post, kind, chat_dates=CHAT_DATES)
    assert draft.title == "Trust at work"
    assert "How do you earn trust?" in [q.text for q in draft.questions]
    assert any("could be drafted; a chat usually has 5-8" in note for note in draft.notes)


def test_a_page_of_only_short_fragments_says_why_it_is_not_drafted() -> None:
    """A web page's short fragments may be menus and buttons; the error says what it found,
    what a draft needs, and how to draft a short post anyway."""
    page = "<html><body><p>Log in</p><p>Forgot password?</p></body></html>"
    with pytest.raises(DraftError) as caught:
        draft_topic(page, "html", chat_dates=CHAT_DATES)
    said = str(caught.value)
    assert said.startswith("no post text found: the page's longest paragraph has 2 words")
    assert "at least 6" in said and ".txt" in said


def test_a_post_of_only_numbers_and_symbols_says_so() -> None:
    with pytest.raises(DraftError, match="no post text found: no words, only numbers and symbols"):
        draft_topic("---\n\n1. 2. 3.\n", "text", chat_dates=CHAT_DATES)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.yaml").write_text(
        "prompts_dir: prompts\n"
        "chats:\n  - name: leadershipchat\n    guild_id: 1\n    channels: {chat: 2}\n",
        encoding="utf-8",
    )
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "2026-11-03-taken.yaml").write_text(
        "title: Taken\ndate: 2026-11-03\nquestions:\n  - What now for you?\n", encoding="utf-8"
    )
    monkeypatch.setattr(prompts_draft, "_now", lambda: datetime(2026, 11, 1, tzinfo=UTC))
    return tmp_path


def cli(workdir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path)
    prompts = parser.add_subparsers().add_parser("prompts").add_subparsers()
    prompts_draft.add_parser(prompts)
    args = parser.parse_args(["--config", str(workdir / "config.yaml"), "prompts", *argv])
    args.config_given = True
    code: int = args.func(args)
    return code


def test_cli_writes_a_draft_that_validates(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(FIXTURES / "no-questions.txt")
    assert cli(workdir, "draft", source, "-o", str(workdir / "prompts")) == 0
    written = workdir / "prompts" / "2026-11-10-the-leader-who-speaks-last.yaml"
    assert "wrote" in capsys.readouterr().err
    assert load_topic_file(written).date == date(2026, 11, 10)  # 11-03 is taken
    catalog = load_catalog([workdir / "prompts"], SETTINGS)
    assert [p for p in catalog.problems if p.severity is Severity.ERROR] == []
    assert cli(workdir, "draft", source, "-o", str(written)) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli(workdir, "draft", source, "-o", str(written), "--force", "--date", "2026-12-08") == 0
    assert load_topic_file(written).date == date(2026, 12, 8)


def test_cli_prints_to_stdout_with_url(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = str(FIXTURES / "serving-first.html")
    assert (
        cli(workdir, "draft", source, "--url", "https://example.com/s", "--chat", "leadershipchat")
        == 0
    )
    data = yaml.safe_load(capsys.readouterr().out)
    assert data["prep_post"] == "https://example.com/s" and data["chat"] == "leadershipchat"
    assert data["date"] == date(2026, 11, 10)


def test_cli_warns_of_a_date_that_is_not_the_chats_weekday(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--date` on a Thursday for a Tuesday chat was drafted without a word; it warns as
    `prompts validate` does (a rehearsal may use the topic, so it is still written)."""
    source = str(FIXTURES / "no-questions.txt")
    assert cli(workdir, "draft", source, "--date", "2026-12-10") == 0
    captured = capsys.readouterr()
    assert yaml.safe_load(captured.out)["date"] == date(2026, 12, 10)
    assert (
        "warning: --date 2026-12-10 is a Thursday and leadershipchat meets on Tuesdays, so only"
        " a rehearsal (`leadershipchat run --start-in`) on that day would use this topic"
    ) in captured.err
    assert cli(workdir, "draft", source, "--date", "2026-12-08") == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://x.example/p"])
def test_cli_refuses_a_prep_post_url_that_is_not_http(
    workdir: Path, run_cli: Callable[..., CliResult], url: str
) -> None:
    """What `prompts validate` would refuse never reaches a draft with exit 0."""
    source = FIXTURES / "serving-first.html"
    result = run_cli("--config", workdir / "config.yaml", "prompts", "draft", source, "--url", url)
    assert result.code == 2 and result.out == ""
    assert f"argument --url: {url!r} is not a web address (https://...)" in result.err


def test_cli_output_dash_is_standard_output(
    workdir: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(workdir)
    source = FIXTURES / "serving-first.html"
    result = run_cli("--config", workdir / "config.yaml", "prompts", "draft", source, "-o", "-")
    assert result.code == 0, result.err
    assert yaml.safe_load(result.out)["title"]
    assert not (workdir / "-").exists(), "no file named '-'"


def test_cli_a_fifo_nobody_writes_to_is_an_empty_post_not_a_hang(
    workdir: Path, capsys: pytest.CaptureFixture[str], no_writer: Callable[..., Any]
) -> None:
    """`prompts draft some-fifo` with no program writing to it waited for ever in open()."""
    import os

    fifo = workdir / "post.md"
    os.mkfifo(fifo)
    assert no_writer(fifo, lambda: cli(workdir, "draft", str(fifo))) == 2
    assert "error: the post is empty" in capsys.readouterr().err


def test_cli_reads_a_pipe_a_program_writes_and_standard_input(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`prompts draft <(cat post.md)` and `cat post.md | prompts draft -` still read the post."""
    import io
    import os
    import threading

    post = (FIXTURES / "feedback-gift.md").read_bytes()
    fifo = workdir / "post.md"
    os.mkfifo(fifo)
    # A program that opened the pipe and is still writing (as `cat post.md > fifo` does once
    # it runs): a second reader end lets the test open the writer's end without waiting.
    keep = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    pipe = os.open(fifo, os.O_WRONLY)
    gate = threading.Event()

    def write() -> None:
        os.write(pipe, post[:100])
        gate.wait(0.2)  # the rest comes later: the draft must wait for it, not stop at 100 bytes
        os.write(pipe, post[100:])
        os.close(pipe)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert cli(workdir, "draft", str(fifo)) == 0
    finally:
        writer.join(10)
        os.close(keep)
    from_fifo = capsys.readouterr().out
    assert yaml.safe_load(from_fifo)["questions"]

    stdin = io.TextIOWrapper(io.BytesIO(post))
    monkeypatch.setattr("sys.stdin", stdin)
    assert cli(workdir, "draft", "-") == 0
    assert capsys.readouterr().out == from_fifo


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["draft", str(FIXTURES / "not-utf8.txt")], "is not UTF-8 text"),
        (["draft", str(FIXTURES / "empty.txt")], "the post is empty"),
        (["draft", str(FIXTURES / "only-boilerplate.html")], "no post text found"),
        (["draft", "missing.txt"], "missing.txt: no such file"),
        (["draft", str(FIXTURES / "feedback-gift.md"), "--chat", "nope"], "no chat named 'nope'"),
    ],
)
def test_cli_errors_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli(workdir, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_a_file_over_the_size_limit_is_refused_at_once(
    tmp_path: Path,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.test_drafting_limits import worst_html

    big = tmp_path / "post.html"
    big.write_text(worst_html() + " " * (MAX_SOURCE_BYTES // 4), encoding="utf-8")
    assert big.stat().st_size > MAX_SOURCE_BYTES
    parsed: list[str] = []
    monkeypatch.setattr(drafting_core, "parse_post", lambda text, kind: parsed.append(text))
    assert cli(workdir, "draft", str(big)) == 2
    assert "post.html is larger than 5 MB" in capsys.readouterr().err
    assert parsed == []  # refused before any parsing
    with pytest.raises(DraftError, match="larger than 5 MB"):
        decode_source(b"x" * (MAX_SOURCE_BYTES + 1), "upload.txt")
    with pytest.raises(DraftError, match="larger than 5 MB"):
        draft_topic("x" * (MAX_SOURCE_BYTES + 1), "text", chat_dates=CHAT_DATES)
