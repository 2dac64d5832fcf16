"""Plain data shared by the drafting modules (no parsing logic here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

SourceKind = Literal["text", "markdown", "html"]
BlockKind = Literal["heading", "para", "item"]

POST_LIMIT = 280  # a question is mirrored on X / Bluesky as "Q1: <text> #Hashtag"
MAX_QUESTIONS = 8  # a one-hour chat has room for 5-8 questions (7 with the default timing)
MIN_QUESTIONS = 5  # below this many of the post's own questions, more are generated
MAX_SOURCE_BYTES = 5_000_000  # files, uploads and pages alike; a blog post page is far smaller
MAX_POST_CHARS = 200_000  # article text read for questions (a long post is ~30,000 characters)


class DraftError(ValueError):
    """Input that cannot become a draft (not UTF-8, empty, too big, no post text); exit 2."""


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or list item of the post, as plain text."""

    text: str
    kind: BlockKind = "para"
    level: int = 0


@dataclass(frozen=True)
class ParsedPost:
    """The post's own content once page furniture is gone, and what the page says about it."""

    title: str | None
    blocks: tuple[Block, ...]
    author: str | None = None  # from a byline or the page's metadata
    url: str | None = None  # the page's canonical address
    site: str | None = None  # the site's name, to strip from titles
    truncated: bool = False  # only the first part of a very large source was read


@dataclass(frozen=True)
class Candidate:
    """A chat question: one of the post's own, or generated from one of its key ideas."""

    text: str
    source: str  # the sentence, heading, list item or phrase it came from
    score: int
    note: str | None = None
    position: int = 0  # where its source sits in the post (questions keep the post's order)
    generated: bool = False


@dataclass(frozen=True)
class Draft:
    """Everything a topic file draft says, with the notes that become YAML comments."""

    title: str
    date: date
    questions: tuple[Candidate, ...]
    extra_questions: tuple[Candidate, ...] = ()
    hosts: tuple[str, ...] = ()
    prep_post: str | None = None
    chat: str | None = None
    hashtag: str = "#LeadershipChat"
    notes: tuple[str, ...] = ()
    title_note: str | None = None
    date_note: str | None = None
    hosts_note: str | None = None
    prep_post_note: str | None = None
    room: int = MAX_QUESTIONS  # questions that fit the chat's hour

    @property
    def question_texts(self) -> list[str]:
        """The chosen questions as they go into `questions:`."""
        return [q.text for q in self.questions]


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, so long vocabularies stay readable."""
    return frozenset(text.split())
