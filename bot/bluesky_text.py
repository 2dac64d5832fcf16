"""Bluesky's text rules (pure): the 300-grapheme post limit and rich-text facets.

A Bluesky post is at most 300 graphemes (user-perceived characters: a family emoji or a flag is
one) and 3,000 UTF-8 bytes. Hashtags and links are only clickable when the post carries a
*facet* for them: a feature (tag or link) over a slice of the text given in UTF-8 *byte*
offsets. The detection follows the rules of Bluesky's own apps (the `@atproto/api` rich-text
detection): a tag starts after whitespace or at the start, is not only digits, loses trailing
punctuation and is at most 64 graphemes; a link starts with http(s):// and loses a trailing
`.,;:!?` and an unbalanced `)`. Bare domains (`example.com`) are not linked: write links in full.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

POST_GRAPHEMES = 300
POST_BYTES = 3000
TAG_GRAPHEMES = 64
TAG_BYTES = 640

_GRAPHEME = regex.compile(r"\X")
# Whitespace as the TypeScript rules see it, and the invisible characters a tag may not hold.
_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ZERO_WIDTH = r"\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(
    rf"(?:^|[{_SPACE}])[#＃]((?!\ufe0f)[^{_SPACE}{_ZERO_WIDTH}]*"
    rf"[^0-9{_SPACE}\p{{P}}{_ZERO_WIDTH}]+[^{_SPACE}{_ZERO_WIDTH}]*)?",
    regex.VERSION1,
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_LINK = regex.compile(rf"(?:^|[{_SPACE}(])(https?://[^{_SPACE}]+)", regex.IGNORECASE)


def grapheme_count(text: str) -> int:
    """User-perceived characters (Unicode extended grapheme clusters), as Bluesky counts them."""
    if text.isascii():  # every ASCII character is its own cluster, except CR LF
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def post_fits(text: str) -> bool:
    """Whether `text` fits in one Bluesky post (300 graphemes and 3,000 bytes)."""
    return grapheme_count(text) <= POST_GRAPHEMES and len(text.encode()) <= POST_BYTES


@dataclass(frozen=True)
class Facet:
    """One clickable span: `byte_start`..`byte_end` (UTF-8, end exclusive) of the post's text is
    a hashtag (`tag`, without `#`) or a link (`uri`)."""

    byte_start: int
    byte_end: int
    tag: str | None = None
    uri: str | None = None


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _tags(text: str) -> list[Facet]:
    found = []
    for match in _TAG.finditer(text):
        tag = match.group(1)
        if not tag:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", tag)
        if not tag or grapheme_count(tag) > TAG_GRAPHEMES or len(tag.encode()) > TAG_BYTES:
            continue
        start = match.start(1) - 1  # the `#`
        found.append(
            Facet(_byte_offset(text, start), _byte_offset(text, start + 1 + len(tag)), tag=tag)
        )
    return found


def _links(text: str) -> list[Facet]:
    found = []
    for match in _LINK.finditer(text):
        uri = match.group(1)
        start, end = match.span(1)
        if uri[-1] in ".,;:!?":
            uri, end = uri[:-1], end - 1
        if uri.endswith(")") and "(" not in uri:
            uri, end = uri[:-1], end - 1
        found.append(Facet(_byte_offset(text, start), _byte_offset(text, end), uri=uri))
    return found


def facets(text: str) -> tuple[Facet, ...]:
    """The hashtag and link facets of `text`, in order."""
    return tuple(sorted([*_tags(text), *_links(text)], key=lambda f: f.byte_start))


def bluesky_tag(hashtag: str) -> str | None:
    """The tag Bluesky sees in `#LeadershipChat` (`LeadershipChat`), or None when Bluesky would
    not make it a hashtag (only digits, punctuation at the end, too long)."""
    found = _tags(hashtag)
    if len(found) != 1 or found[0].byte_end != len(hashtag.encode()):
        return None
    return found[0].tag
