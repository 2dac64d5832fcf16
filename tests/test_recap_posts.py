"""The Discord version of the recap: what the recap channel shows, always inside Discord's limits,
never pinging anyone."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.messages import Attributed, MessageRow
from bot.domain.topics import SessionQuestion
from bot.recap.build import build_recap
from bot.recap.inputs import RecapInput
from bot.recap.model import Recap
from bot.recap.posts import RecapPost, discord_posts
from tests.fakediscord.limits import validate_message
from tests.fixtures.recap import scenario as sc

FILES = [("t.md", b"# transcript"), ("activity.png", b"\x89PNG")]
PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>", re.IGNORECASE)


def check_limits(posts: list[RecapPost]) -> None:
    for post in posts:
        payload = post.payload()
        validate_message(payload, new_files=len(post.files))
        for embed in payload["embeds"]:
            assert embed.get("description") or embed.get("fields"), "no empty embeds"
        assert post.thread_name is None or 1 <= len(post.thread_name) <= 100


def all_text(posts: list[RecapPost]) -> str:
    parts = []
    for p in posts:
        parts.append(p.content)
        for e in p.embeds:
            parts += [e.get("title", ""), e.get("description", "")]
            parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
            parts.append(e.get("footer", {}).get("text", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def scenario_posts() -> list[RecapPost]:
    return discord_posts(build_recap(sc.stored_input()), files=FILES)


def test_summary_first_with_stats_newcomers_files_and_chart(
    scenario_posts: list[RecapPost],
) -> None:
    summary = scenario_posts[0]
    assert summary.files == tuple(FILES)
    embed = summary.embeds[0]
    assert "Leading through change" in embed["title"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Participants"] == "7" and fields["Newcomers"] == "1"
    assert fields["Answers"] == "24" and fields["Late answers"] == "2"
    assert "Welcome to our newcomers:** Fay" in embed["description"]
    assert "<t:1715126400:F>" in embed["description"], "start shown in each reader's time zone"
    assert embed["image"] == {"url": "attachment://activity.png"}
    assert "t.md" in embed["footer"]["text"]
    check_limits(scenario_posts)


def test_one_embed_per_question_with_its_top_answers(scenario_posts: list[RecapPost]) -> None:
    embeds = [e for p in scenario_posts[1:] for e in p.embeds]
    questions = [e for e in embeds if e["title"].startswith("Q")]
    assert [e["title"] for e in questions] == [f"Q{n}: {q}" for n, q in enumerate(sc.QUESTIONS, 1)]
    q1 = questions[0]
    assert q1["url"] == sc.jump_url(sc.question_post_id(1))
    names = [f["name"] for f in q1["fields"]]
    assert names == ["Ana · 5 reactions", "Ben · 5 reactions", "Chen · 2 reactions"]
    assert q1["fields"][0]["value"].startswith("> A1: Leaders listen first")
    assert sc.jump_url(sc.message_id("a1_ana")) in q1["fields"][0]["value"]
    assert "6 answers · 4 replies and comments" in q1["description"]
    late = next(f for f in questions[5]["fields"] if f["name"].startswith("Chen"))
    assert "late" in late["name"]


def test_participants_are_listed_by_name_without_pinging(scenario_posts: list[RecapPost]) -> None:
    embeds = [e for p in scenario_posts for e in p.embeds]
    people = next(e for e in embeds if e["title"].startswith("Who took part"))
    assert people["title"] == "Who took part (7)"
    assert people["description"] == "Ana · Ben · Chen · Dee · Fay 🌱 · Gus · Hana (host)"
    assert not PING.search(all_text(scenario_posts))
    assert all(p.payload()["allowed_mentions"] == {"parse": []} for p in scenario_posts)


def test_unmatched_labels_are_listed_for_the_hosts(scenario_posts: list[RecapPost]) -> None:
    embeds = [e for p in scenario_posts for e in p.embeds]
    unmatched = next(e for e in embeds if e["title"].startswith("Labels for questions"))
    assert unmatched["description"].splitlines()[:3] == [
        f"A1 from Ben ([message]({sc.jump_url(sc.message_id('jump_gun'))}))",
        f"A9 from Dee ([message]({sc.jump_url(sc.message_id('a2_a9_dee'))}))",
        f"A4 from Ana ([message]({sc.jump_url(sc.message_id('too_early'))}))",
    ]


def test_quoted_answers_are_escaped_and_cannot_ping() -> None:
    rows = sc.stored_rows()
    loud = sc.message_id("everyone")
    rows = [
        replace(r, reactions=50, content="A2: @everyone **read** the `charter` <@&5> ||now||")
        if r.id == loud
        else r
        for r in rows
    ]
    posts = discord_posts(build_recap(sc.stored_input(rows)), files=FILES)
    q2 = next(e for p in posts for e in p.embeds if e["title"].startswith("Q2"))
    value = q2["fields"][0]["value"]
    assert value.startswith(
        "> A2: @\u200beveryone \\*\\*read\\*\\* the \\`charter\\` @role \\|\\|now"
    )
    assert not PING.search(all_text(posts))


def test_embed_dicts_load_into_discord_embeds_unchanged(scenario_posts: list[RecapPost]) -> None:
    for post in scenario_posts:
        for embed in post.embeds:
            loaded = discord.Embed.from_dict(embed).to_dict()
            assert loaded.get("title") == embed.get("title")
            assert loaded.get("description") == embed.get("description")
            assert [f["value"] for f in loaded.get("fields", [])] == [
                f["value"] for f in embed.get("fields", [])
            ]


def test_thread_for_long_recaps_only() -> None:
    short = discord_posts(build_recap(sc.stored_input()), files=FILES)
    assert short[0].thread_name is None and not any(p.in_thread for p in short)
    forced = discord_posts(build_recap(sc.stored_input()), files=FILES, thread=True)
    assert forced[0].thread_name == "Recap: Leading through change"
    assert all(p.in_thread for p in forced[1:]) and not forced[0].in_thread
    big = random_recap(random.Random(7), 1500, ["A1: " + "word " * 200], ["Name"] * 3, 12, 300)
    long = discord_posts(big, files=FILES)
    assert long[0].thread_name and all(p.in_thread for p in long[1:])
    check_limits(long)


def test_default_files_are_the_transcript_and_the_chart() -> None:
    recap = build_recap(sc.stored_input())
    posts = discord_posts(recap)
    names = [n for n, _ in posts[0].files]
    assert names == ["leadershipchat-2024-05-07-transcript.md", "activity.png"]
    transcript = posts[0].files[0][1].decode()
    assert "Leaders listen first" in transcript
    assert posts[0].files[1][1].startswith(b"\x89PNG")


def test_files_over_discords_size_limit_are_left_off_with_a_note() -> None:
    huge = [("big.md", b"x" * (10 * 1024 * 1024 + 1)), ("activity.png", b"\x89PNG")]
    post = discord_posts(build_recap(sc.stored_input()), files=huge)[0]
    assert [n for n, _ in post.files] == ["activity.png"]
    assert "too large" in post.embeds[0]["footer"]["text"]


# --------------------------------------------------------------------------- property test

SPICE = ["@everyone", "@here", "**", "__", "`", "```", "> ", "# ", "<@123>", "<@!9>", "\\", "||"]
SPICE += ["https://x.example/a_b*c", "🚀", "👩\u200d👩\u200d👧", "\u0301", "\n", "[x](https://e.x)"]


def random_recap(
    rnd: random.Random, n: int, texts: list[str], names: list[str], questions: int, people: int
) -> Recap:
    """A recap of ``n`` messages mixing ``texts`` and markdown/mention spice, via build_recap."""
    base = sc.stored_input()
    qs = tuple(SessionQuestion(rnd.choice(texts) + rnd.choice(SPICE)) for _ in range(questions))
    session = replace(base.session, topic=replace(base.session.topic, questions=qs))
    rows = []
    for i in range(n):
        text = rnd.choice(texts) + "".join(rnd.choices(SPICE, k=rnd.randint(0, 4)))
        kind = rnd.choice(["answer", "answer", "discussion", "intro", "unmatched"])
        q = (rnd.randint(1, questions),) if questions and kind in ("answer", "discussion") else ()
        author = rnd.randrange(people)
        rows.append(
            MessageRow(
                id=100_000 + i,
                session_id=sc.SESSION,
                channel_id=sc.CHANNEL,
                author_id=1000 + author,
                author_name=names[author % len(names)] + str(author),
                content=text,
                created_at=sc.START + timedelta(seconds=rnd.randint(0, 4000)),
                attribution=Attributed(kind, q, ("A1",), ("A9",) if kind == "unmatched" else ()),
                reply_to=100_000 + rnd.randrange(i) if i and rnd.random() < 0.3 else None,
                reactions=rnd.randint(0, 5),
                jump_url=sc.jump_url(100_000 + i),
            )
        )
    inp = RecapInput(session=session, steps=base.steps[:1], messages=rows, hashtag="#T")
    return build_recap(inp)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    n=st.integers(0, 2000),
    texts=st.lists(st.text(max_size=300), min_size=1, max_size=6),
    long_len=st.integers(0, 8000),
    long_char=st.characters(),
    names=st.lists(
        st.one_of(st.text(min_size=1, max_size=64), st.sampled_from(SPICE)), min_size=1, max_size=4
    ),
    questions=st.integers(0, 12),
    people=st.integers(1, 800),
    title=st.text(max_size=400),
    seed=st.integers(0, 2**32),
)
def test_any_recap_fits_discords_limits(
    n: int,
    texts: list[str],
    long_len: int,
    long_char: str,
    names: list[str],
    questions: int,
    people: int,
    title: str,
    seed: int,
) -> None:
    texts = [*texts, long_char * long_len, ("word " * long_len)[:long_len]]
    recap = random_recap(random.Random(seed), n, texts, names, questions, people)
    recap = replace(recap, title=title or "t", hosts=tuple(names))
    posts = discord_posts(recap, files=FILES)
    check_limits(posts)
    assert not PING.search(all_text(posts))
    assert sum(1 for p in posts for e in p.embeds if e["title"].startswith("Q")) >= len(
        recap.questions
    )
    people_listed: Any = [e for p in posts for e in p.embeds if e["title"].startswith("Who took")]
    listed = sum(len(e["description"].split(" · ")) for e in people_listed)
    assert listed >= len(recap.participants) or any(" · " in name for name in names)
