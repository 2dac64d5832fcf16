"""Plain data shared by the drafting modules (no parsing logic here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

SourceKind = Literal["text", "markdown", "html"]
BlockKind = Literal["heading", "para", "item"]

POST_LIMIT = 280  # a question is mirrored on X / Bluesky as "Q1: <text> #Hashtag"
MAX_QUESTIONS = 8  # a one-hour chat has room for 5-8 questions (7 with the default timing)
FEW_QUESTIONS = 4  # below this the draft says the host must write more


class DraftError(ValueError):
    """Input that cannot become a draft (not UTF-8, empty, no post text); the CLI exits 2."""


@dataclass(frozen=True)
class Block:
    """One paragraph, heading or list item of the post, as plain text."""

    text: str
    kind: BlockKind = "para"
    level: int = 0


@dataclass(frozen=True)
class ParsedPost:
    """The post's own content once page furniture is gone; `title` may be unknown."""

    title: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Candidate:
    """A chat question taken from one of the post's sentences."""

    text: str
    source: str
    score: int
    note: str | None = None


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
    room: int = MAX_QUESTIONS  # questions that fit the chat's hour

    @property
    def question_texts(self) -> list[str]:
        """The chosen questions as they go into `questions:`."""
        return [q.text for q in self.questions]


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, so long vocabularies stay readable."""
    return frozenset(text.split())
