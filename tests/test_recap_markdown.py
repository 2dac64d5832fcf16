"""recap.md (what a host pastes into a blog) and the chronological transcript."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.recap.build import build_recap
from bot.recap.markdown import md_text, render_markdown, render_transcript
from bot.recap.model import Recap
from tests.fixtures.recap import scenario as sc


@pytest.fixture(scope="module")
def recap() -> Recap:
    return build_recap(sc.stored_input())


def test_title_meta_summary_and_chart(recap: Recap) -> None:
    md = render_markdown(recap)
    lines = md.splitlines()
    assert lines[0] == "# #LeadershipChat: Leading through change"
    assert "Tuesday, May 7, 2024, 8:00 pm – 9:00 pm EDT · hosted by Hana" in md
    assert "[prep post](<https://example.org/prep>)" in md
    assert "7 people took part (1 for the first time), sharing 24 answers to 6 questions" in md
    assert "![Bar chart of messages per minute from 8:00 pm to 9:00 pm EDT." in md
    assert "](activity.png)" in md
    assert "activity.png" not in render_markdown(recap, chart=None)


def test_a_heading_per_question_in_order(recap: Recap) -> None:
    md = render_markdown(recap)
    heads = [line for line in md.splitlines() if line.startswith("## ") and "Q" in line]
    assert [h.split("</a>")[1] for h in heads] == [
        f"Q{n}: {q}" for n, q in enumerate(sc.QUESTIONS, 1)
    ]
    assert md.index("Q1: What does") < md.index("Q2: How do you") < md.index("Q6: One thing")
    assert "- [Q3: Which habit helped you most through a reorg?](#q3)" in md


def test_answers_are_quoted_with_author_reactions_and_discord_link(recap: Recap) -> None:
    md = render_markdown(recap)
    url = sc.jump_url(sc.message_id("a1_ana"))
    assert (
        "> A1: Leaders listen first, then explain the why.\n>\n"
        f"> — **Ana** · 8:06 pm · 5 reactions · [on Discord](<{url}>)"
    ) in md
    assert "### Top answers" in md and "### All answers and discussion" in md


def test_replies_are_nested_under_the_answer(recap: Recap) -> None:
    md = render_markdown(recap)
    block = md[md.index("### All answers and discussion") :]
    ana = block.index("> A1: Leaders listen first")
    assert block.index("> > Totally agree, the why matters") > ana
    assert block.index("> > Thanks Dee!") > block.index("> > Totally agree")


def test_late_and_edited_answers_are_marked(recap: Recap) -> None:
    md = render_markdown(recap)
    assert "**Chen** · 9:30 pm · 1 reaction · *late*" in md
    assert "**Ana** · 8:21 pm · *edited*" in md


def test_people_table_newcomers_pairs_intros_and_unmatched(recap: Recap) -> None:
    md = render_markdown(recap)
    assert "## Who took part (7)" in md
    assert "Welcome to our newcomers: **Fay**" in md
    assert "| Ana | 8 | 5 | 3 |" in md and "| Fay (new) | 5 | 3 | 1 |" in md
    assert "| Hana (host) | 2 | 1 | 3 |" in md
    assert "- Ana and Dee: 2 replies" in md
    assert "## Introductions" in md and "Fay, engineering manager in Nairobi" in md
    assert "- A9 from **Dee**: A2 & A9: async standups" in md


def test_user_text_cannot_inject_html_links_or_headings() -> None:
    assert md_text("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>"
    assert md_text("[click](javascript:alert(1))") == "\\[click\\](javascript:alert(1))"
    assert md_text("# not a heading\n> not a quote") == "\\# not a heading\n\\> not a quote"
    assert md_text("*kept emphasis* & AT&amp;T") == "*kept emphasis* & AT&amp;amp;T"


def test_names_with_markdown_are_escaped(recap: Recap) -> None:
    people = tuple(replace(p, name="*Ana*|x") if p.name == "Ana" else p for p in recap.participants)
    md = render_markdown(replace(recap, participants=people))
    assert "| \\*Ana\\*\\|x | 8 | 5 | 3 |" in md


def test_transcript_is_in_posting_order_with_questions_where_asked(recap: Recap) -> None:
    text = render_transcript(recap)
    order = [
        "*intro*",
        "## Q1: What does",
        "A1: Leaders listen first",
        "## Q2: How do you",
        "## Q6: One thing",
        "## After the chat (late answers)",
        "A6: late answer",
        "A3: catching up on the replay",
    ]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    assert "**Ana** · 8:08 pm · reply to Dee" in text
    assert text.count("\n> ") >= len(recap.messages)
