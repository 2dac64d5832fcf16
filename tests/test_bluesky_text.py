"""bot/bluesky_text.py: Bluesky's grapheme limit and facets with UTF-8 byte offsets."""

from __future__ import annotations

import pytest
from atproto_client.utils.facet_detection import detect_facets
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bluesky_text import (
    POST_GRAPHEMES,
    Facet,
    bluesky_tag,
    facets,
    grapheme_count,
    post_fits,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # one emoji, 7 code points
FLAG = "\U0001f1fa\U0001f1f8"  # two regional indicators, one flag
THUMBS = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("Q1: trust #LeadershipChat", 25),
        ("line\r\nbreak", 10),  # CR LF is one cluster
        (FAMILY, 1),
        (FLAG + FLAG, 2),
        (THUMBS, 1),
        ("e\u0301te\u0301", 3),  # combining accents
        ("\u1100\u1161\u11a8", 1),  # Hangul jamo L V T: one syllable
        ("नमस्ते", 3),  # Devanagari conjuncts (Unicode 15.1 rules)
        ("日本語", 3),
    ],
)
def test_graphemes_are_user_perceived_characters(text: str, count: int) -> None:
    assert grapheme_count(text) == count


def test_the_limit_counts_graphemes_not_code_points_or_bytes() -> None:
    assert len(FAMILY * POST_GRAPHEMES) == 7 * POST_GRAPHEMES
    assert grapheme_count(FAMILY * 300) == 300
    # 300 family emoji are 7,500 bytes: over Bluesky's 3,000-byte cap although 300 graphemes
    assert not post_fits(FAMILY * 300)
    assert post_fits("é" * 300)
    assert not post_fits("a" * 301)
    assert post_fits("a" * 300)


def _slice(text: str, facet: Facet) -> str:
    return text.encode()[facet.byte_start : facet.byte_end].decode()


def test_hashtag_and_link_facets_use_utf8_byte_offsets() -> None:
    text = f"{FAMILY} Q1: what builds trust? https://example.org/recap/1. #LeadershipChat"
    found = facets(text)
    assert [(f.tag, f.uri) for f in found] == [
        (None, "https://example.org/recap/1"),
        ("LeadershipChat", None),
    ]
    assert [_slice(text, f) for f in found] == ["https://example.org/recap/1", "#LeadershipChat"]
    assert found[0].byte_start == len(f"{FAMILY} Q1: what builds trust? ".encode())


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#LeadershipChat!", ["LeadershipChat"]),  # trailing punctuation is not part of it
        ("#2024 #2024goals", ["2024goals"]),  # only digits is not a tag
        ("a#b #c", ["c"]),  # a tag starts at the start or after whitespace
        ("＃全角 tag", ["全角"]),  # full-width hash sign
        ("#" + "x" * 65, []),  # over 64 graphemes
        ("#\ufe0f1", []),  # keycap emoji, not a tag
        ("# alone", []),
    ],
)
def test_tag_rules_follow_bluesky(text: str, tags: list[str]) -> None:
    assert [f.tag for f in facets(text) if f.tag] == tags


def test_link_punctuation_rules() -> None:
    assert [f.uri for f in facets("see https://en.wikipedia.org/wiki/Trust_(social)")] == [
        "https://en.wikipedia.org/wiki/Trust_(social)"
    ]
    assert [f.uri for f in facets("(https://example.org/x)")] == ["https://example.org/x"]
    assert [f.uri for f in facets("at https://example.org/x).")] == ["https://example.org/x"]
    assert facets("example.org without a scheme") == ()


def test_bluesky_tag_of_a_chat_hashtag() -> None:
    assert bluesky_tag("#LeadershipChat") == "LeadershipChat"
    assert bluesky_tag("#Café_Chat") == "Café_Chat"
    assert bluesky_tag("#2026") is None
    assert bluesky_tag("#" + "a" * 65) is None


ALPHABET = st.sampled_from(
    [
        *"abcXYZ019#＃ .,!?:;()_-/\n",
        "https://",
        "http://",
        "é",
        "日",
        FAMILY,
        FLAG,
        "\u200b",
        "\ufe0f",
        "\u00a0",
        "'",
        "’",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_facets_agree_with_the_atproto_sdk(text: str) -> None:
    """Cross-check against the SDK's port of Bluesky's detection (its bare-domain links and
    $cashtags are features we do not make)."""
    theirs = []
    for facet in detect_facets(text):
        feature = facet.features[0]
        span = (facet.index.byte_start, facet.index.byte_end)
        if getattr(feature, "tag", "").startswith("$"):
            continue
        uri = getattr(feature, "uri", None)
        if uri is not None and not text.encode()[span[0] : span[1]].decode().lower().startswith(
            ("http://", "https://")
        ):
            continue
        theirs.append((*span, getattr(feature, "tag", None), uri))
    ours = [(f.byte_start, f.byte_end, f.tag, f.uri) for f in facets(text)]
    assert ours == theirs
