"""Text helpers: what a quoted answer looks like once escaped and clipped for Discord."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.recap.text import clip, dlen, escape_discord, neutralise_pings, resolve_mentions, safe_url


def test_clip_keeps_text_that_fits() -> None:
    assert clip("short answer", 20) == "short answer"


def test_clip_cuts_at_a_word_boundary_and_says_so() -> None:
    text = "Leaders listen first, then explain the why of every change"
    out = clip(text, 30)
    assert out == "Leaders listen first, then…"
    assert len(out) <= 30


def test_clip_cuts_a_single_long_word_only_with_an_ellipsis() -> None:
    out = clip("x" * 50, 10)
    assert out == "x" * 9 + "…"


def test_clip_counts_emoji_as_two_units() -> None:
    out = clip("🚀" * 10, 10)
    assert dlen(out) <= 10 and out.endswith("…")


def test_clip_never_leaves_a_dangling_escape() -> None:
    # Cutting "aaaaaaaa\\*bold" after the backslash would escape the ellipsis instead.
    assert clip(escape_discord("a" * 8 + "*bold*"), 10) == "a" * 8 + "…"


@given(st.text(max_size=500), st.integers(1, 300))
def test_clip_always_fits(text: str, limit: int) -> None:
    out = clip(text, limit)
    assert dlen(out) <= limit
    assert out == text or out.endswith("…")


def test_escape_discord_makes_markdown_literal_but_keeps_links() -> None:
    text = "**bold** _it_ `code` ||spoiler|| [x](y) see https://ex.org/a_b*c"
    assert escape_discord(text) == (
        "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\|\\|spoiler\\|\\| \\[x\\](y) see https://ex.org/a_b*c"
    )
    assert escape_discord("> quote\n# heading\n- item\n1. first\n-# small") == (
        "\\> quote\n\\# heading\n\\- item\n1\\. first\n\\-# small"
    )
    # Only what Discord would render as a block is escaped: no stray backslashes elsewhere.
    assert (
        escape_discord("#LeadershipChat -5 degrees 3.5 >_>")
        == "#LeadershipChat -5 degrees 3.5 >\\_>"
    )


def test_pings_are_defused() -> None:
    assert neutralise_pings("hi @everyone and @Here") == "hi @\u200beveryone and @\u200bHere"
    assert neutralise_pings("<@123>") == "<\u200b@123>"


def test_mentions_are_written_as_names() -> None:
    names = {1: "Ana", 2: "Eve"}
    text = "<@1> <@!1> <@2> <@3> <@&9> <#4> <:party:55> </chat stats:6> <t:0:F>"
    assert resolve_mentions(text, names, hidden={2}) == (
        "@Ana @Ana @member @member @role #channel :party: /chat stats 1970-01-01 00:00 UTC"
    )


def test_only_web_links_are_kept() -> None:
    assert safe_url("https://discord.com/channels/1/2/3") == "https://discord.com/channels/1/2/3"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url('https://x.org/"onmouseover') is None
    assert safe_url(None) is None
