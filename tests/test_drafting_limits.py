"""Hostile and careless prep posts (issue 13): any text, Markdown or HTML gives a draft or the
documented DraftError, never another exception; control characters never reach a draft;
sources over the size limit are refused before any work.

Bounded work is asserted by what each stage is handed, not by the clock: no more than
MAX_TAGS tags reach trafilatura, no more than MAX_POST_CHARS of text and no sentence over
MAX_SENTENCE characters reach the question, date and co-host rules, no more than
_MAX_CANDIDATES questions are judged. How long the largest inputs take is a benchmark's
question (docs/drafting.md has the figures)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.drafting import (
    MAX_SOURCE_BYTES,
    DraftError,
    _core,
    draft_as_data,
    draft_topic,
    render_draft_yaml,
)
from bot.drafting._extract import MAX_TAGS
from bot.drafting._model import MAX_POST_CHARS, SourceKind
from bot.drafting._questions import _MAX_CANDIDATES, MAX_SENTENCE
from tests.drafting_score import CHAT_DATES, fragment_reason

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARKUP = re.compile(r"</?(?:p|br|div|li|b|i|em|strong|span|a)\b[^<>]*>", re.I)
_TAG = re.compile(r"<[A-Za-z/!?]")


def check(text: str, kind: SourceKind | None) -> None:
    """The property: a clean draft or the documented error."""
    try:
        draft = draft_topic(text, kind, chat_dates=CHAT_DATES)
    except DraftError as exc:
        assert str(exc)
        return
    assert 1 <= len(draft.questions) <= 8 and len(draft.extra_questions) <= 12
    assert not _MARKUP.search(draft.title), draft.title
    for question in (*draft.questions, *draft.extra_questions):
        assert fragment_reason(question.text) is None, question.text
        assert not _MARKUP.search(question.text), question.text
    rendered = render_draft_yaml(draft)
    assert not _CONTROL.search(rendered)
    assert yaml.safe_load(rendered) == draft_as_data(draft)


WORDS = st.sampled_from(
    [
        "How",
        "what",
        "why",
        "do",
        "you",
        "your",
        "team",
        "lead",
        "trust",
        "Leaders",
        "serve",
        "first,",
        "right?",
        "isn't",
        "it.",
        "I",
        "my",
        "we",
        "Jane",
        "Doe",
        "co-host",
        "Tuesday",
        "8",
        "pm",
        "ET",
        "#LeadershipChat",
        "–",
        "—",
        "“",
        "”",
        '"',
        "'",
        ":",
        ";",
        "(",
        ")",
        "…",
        "?",
        "!",
        ".",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "\t",
        "By",
        "Posted",
        "on",
        "November",
        "3,",
        "2026",
        "Related",
        "Comments",
        "Reply",
        "<p>",
        "</p>",
        "<br>",
        "<b>",
    ]
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=25).map(" ".join)


@given(st.text(max_size=1500))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text(text: str) -> None:
    check(text, "text")


@given(st.lists(SENTENCE, max_size=30).map("\n".join))
@example("Leaders serve first and trust the team to lead.\nHow <p>How do you lead your team?")
@settings(max_examples=120, deadline=None)
def test_post_like_text(text: str) -> None:
    check(text, None)


MARKDOWN_BLOCK = st.one_of(
    SENTENCE,
    st.builds(lambda n, s: "#" * n + " " + s, st.integers(1, 7), SENTENCE),
    st.builds(lambda s: f"- {s}", SENTENCE),
    st.builds(lambda s: f"1. {s}", SENTENCE),
    st.builds(lambda s: f"> {s}", SENTENCE),
    st.builds(lambda s: f"```\n{s}\n```", SENTENCE),
    st.builds(lambda s: f"---\ntitle: {s}\nauthor: {s}\ncanonical_url: {s}\n---", SENTENCE),
    st.builds(lambda s, u: f"[{s}]({u}) **{s}** _{s}_ ![img]({u})", SENTENCE, st.text(max_size=20)),
    st.just("---"),
    st.just("***"),
)


@given(st.lists(MARKDOWN_BLOCK, max_size=25).map("\n\n".join))
@settings(max_examples=120, deadline=None)
def test_any_markdown(text: str) -> None:
    check(text, "markdown")


TAGS = st.sampled_from(
    [
        "p",
        "div",
        "article",
        "main",
        "section",
        "aside",
        "nav",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "ul",
        "ol",
        "li",
        "a",
        "span",
        "em",
        "blockquote",
        "table",
        "tr",
        "td",
        "script",
        "style",
        "svg",
        "noscript",
        "form",
        "button",
        "br",
        "hr",
        "img",
        "time",
        "title",
        "head",
        "body",
    ]
)
ATTRS = st.sampled_from(
    [
        "",
        ' class="comments"',
        ' class="sidebar widget"',
        ' class="entry-content"',
        ' class="byline"',
        ' id="main"',
        ' role="navigation"',
        ' rel="canonical" href="javascript:alert(1)"',
        ' hidden aria-hidden="true"',
        ' class="x" data-x="<p>"',
    ]
)
TEXT = st.one_of(SENTENCE, st.sampled_from(["&amp;", "&#27;", "&#0;", "&nbsp;", "&#x202e;", "&"]))
HTML = st.recursive(
    TEXT,
    lambda inner: st.builds(
        lambda tag, attrs, children, closed: (
            f"<{tag}{attrs}>{''.join(children)}" + (f"</{tag}>" if closed else "")
        ),
        TAGS,
        ATTRS,
        st.lists(inner, max_size=5),
        st.booleans(),
    ),
    max_leaves=40,
)


@given(st.lists(HTML, max_size=6).map("".join))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_html(text: str) -> None:
    check(f"<!DOCTYPE html><html><head><title>T</title></head><body>{text}</body></html>", "html")


BODY = (
    "Trust is built in small moments, long before anyone needs it. "
    "Leaders who keep small promises every week find that people bring them bad news early. "
    "Teams that see a promise broken start guessing, and guessing costs more than the truth."
)
PASTED_MARKUP = {
    "text": f"{BODY}\n\nHow <p>How do you build trust with a new team?\n\n"
    "What does <b>trust</b> look like on a team that <br>never meets?\n",
    "markdown": f"# Trust\n\n{BODY}\n\nHow <p>How do you build trust with a new team?\n\n"
    "What does <b>trust</b> look like on a team that <br>never meets?\n",
    "html": f"<html><body><article><h1>Trust</h1><p>{BODY}</p>"
    "<p>How <p>How do you build trust with a new team?</p>"
    "<p>What does <b>trust</b> look like on a team that <br>never meets?</p></article></body></html>",
}


@pytest.mark.parametrize("kind", sorted(PASTED_MARKUP))
def test_markup_in_a_paste_never_reaches_a_question(kind: SourceKind) -> None:
    """HTML copied into a text or Markdown paste: a block tag ends a paragraph, an inline tag
    goes; no question shows a tag or the words before a tag run into the next paragraph
    ("How How do you ...")."""
    draft = draft_topic(PASTED_MARKUP[kind], kind, chat_dates=CHAT_DATES)
    offered = [c.text for c in (*draft.questions, *draft.extra_questions)]
    assert "How do you build trust with a new team?" in offered
    assert any(
        q.startswith("What does trust look like on a team that never meets") for q in offered
    )
    for question in offered:
        assert "<" not in question and ">" not in question, question
        assert not re.search(r"\b(\w+) \1\b", question, re.I), question


def test_nul_esc_and_bidi_characters_never_reach_a_draft() -> None:
    body = (
        "Trust \x1b[31mIs Built\x1b[0m Here\n\n"
        + "Leaders earn trust in small moments, every single day of the week.\x00 " * 3
        + "\n\nWhat is one small habit\x1b[2J that would make you more \u202etrustworthy? "
        "How do you keep\x07 a promise you made in a hurry?\n"
    )
    for text, kind in (
        (body, "text"),
        (body, "markdown"),
        (
            "<html><head><title>Trust&#27;&#0; Is Built Here</title></head><body><article><p>"
            + body.replace("\x00", "&#0;").replace("\u202e", "&#x202e;").replace("\n\n", "</p><p>")
            + "&#27;&#x1b;&#155;</p></article></body></html>",
            "html",
        ),
    ):
        draft = draft_topic(text, kind, chat_dates=CHAT_DATES)  # type: ignore[arg-type]
        rendered = render_draft_yaml(draft)
        assert not _CONTROL.search(rendered), kind
        assert "What is one small habit that would make you more trustworthy?" in rendered
        assert "How do you keep a promise you made in a hurry?" in rendered
        assert draft.title.startswith("Trust Is Built Here"), kind


def worst_html() -> str:
    """Tens of thousands of tiny elements and distinct questions: the slowest page shape for
    main-content extraction, at the size limit."""
    unit = "<div><p>What does team {0} do when trust runs low on day {0}?</p></div>"
    parts, size, i = [], 0, 0
    while size < MAX_SOURCE_BYTES - 100:
        piece = unit.format(i)
        parts.append(piece)
        size += len(piece)
        i += 1
    return "<html><body>" + "".join(parts)[: MAX_SOURCE_BYTES - 100] + "</body></html>"


class Handed:
    """What the drafting stages were handed during one draft (spies on _core's collaborators
    and on trafilatura)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.pages: list[str] = []  # to trafilatura
        self.texts: list[str] = []  # to the text and Markdown parsers
        self.sentences: list[str] = []  # to the date, co-host and question rules
        self.judged = 0  # questions the post's own questions came to
        import trafilatura

        def spy(name: str, record: Callable[..., None], module: Any = _core) -> None:
            real = getattr(module, name)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                result = real(*args, **kwargs)
                record(args, result)
                return result

            monkeypatch.setattr(module, name, wrapper)

        spy("bare_extraction", lambda a, r: self.pages.append(a[0]), trafilatura)
        spy("parse_text", lambda a, r: self.texts.append(a[0]))
        spy("parse_markdown", lambda a, r: self.texts.append(a[0]))
        spy("choose_date", lambda a, r: self.sentences.extend(a[0]))
        spy("own_questions", lambda a, r: self._judged(a[0], r))

    def _judged(self, sentences: Iterable[tuple[int, str]], result: Any) -> None:
        self.sentences.extend(s for _, s in sentences)
        self.judged += len(result[0]) + len(result[1])


def worst_markdown() -> str:
    unit = "## Heading {0}\n\n- item {0} with a few words\n\nWhy is {0} so hard for you?\n\n"
    return "".join(unit.format(i) for i in range(MAX_SOURCE_BYTES // 60))[:MAX_SOURCE_BYTES]


@pytest.mark.parametrize("shape", ["html", "markdown"])
def test_the_largest_allowed_post_is_read_only_up_to_the_caps(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5 MB page of tiny elements (74 s before the caps) or of Markdown: each stage sees no
    more than its cap, and the draft says only the first part was read."""
    text = worst_html() if shape == "html" else worst_markdown()
    assert len(text) > 10 * MAX_POST_CHARS
    handed = Handed(monkeypatch)
    draft = draft_topic(text, shape, chat_dates=CHAT_DATES)  # type: ignore[arg-type]
    assert draft.questions and any("only its first part was read" in n for n in draft.notes)
    if shape == "html":
        assert len(handed.pages) == 1 and len(_TAG.findall(handed.pages[0])) <= MAX_TAGS
    else:
        assert handed.texts and all(len(t) <= 2 * MAX_POST_CHARS for t in handed.texts)
    assert 0 < sum(len(s) for s in set(handed.sentences)) <= MAX_POST_CHARS
    assert max(len(s) for s in handed.sentences) <= MAX_SENTENCE
    assert handed.judged <= _MAX_CANDIDATES


@pytest.mark.parametrize(
    "run_on",
    [
        "my co-host Jane Doe, ",
        "join the team and ",
        "Jane Doe and I will co-host, ",
        "we know that leaders matter and ",
        "Join us on Tuesday, November 24 at 8 pm ET, ",
        "Dr. ",
    ],
)
def test_run_on_text_reaches_the_rules_in_sentence_sized_pieces(
    run_on: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One "sentence" of 300,000 characters repeating what the co-host, date and claim rules
    look for: each rule used to rescan the rest of the sentence at every repeat. The rules are
    handed pieces of at most MAX_SENTENCE characters (and no more than MAX_POST_CHARS in all), so
    their work grows with the text, once."""
    text = "A title\n\n" + run_on * (300_000 // len(run_on))
    handed = Handed(monkeypatch)
    draft_topic(text, "text", chat_dates=CHAT_DATES)
    assert handed.sentences and max(len(s) for s in handed.sentences) <= MAX_SENTENCE
    assert sum(len(s) for s in set(handed.sentences)) <= MAX_POST_CHARS
