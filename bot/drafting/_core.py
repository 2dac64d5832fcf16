"""Prep post text -> Draft: the pure function the CLI and the Discord command both call."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date

from bot.drafting._dates import choose_date
from bot.drafting._html import parse_html
from bot.drafting._meta import find_hosts, strip_site_suffix
from bot.drafting._model import (
    FEW_QUESTIONS,
    MAX_QUESTIONS,
    Candidate,
    Draft,
    DraftError,
    ParsedPost,
    SourceKind,
)
from bot.drafting._questions import candidates, rank, split_sentences
from bot.drafting._text import parse_markdown, parse_text

_MIN_WORDS = 6  # a block this long is prose, not a button or a menu entry
_EXTENSIONS: dict[str, SourceKind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


def decode_source(data: bytes, name: str = "the input") -> str:
    """UTF-8 bytes -> text; anything else is a DraftError that says how to fix it."""
    if b"\x00" in data[:4096]:
        raise DraftError(f"{name} looks like a binary file, not a text, Markdown or HTML post")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None


def detect_kind(text: str, filename: str | None = None) -> SourceKind:
    """Source kind from the file name's extension, else from what the text looks like."""
    if filename:
        suffix = re.search(r"\.[A-Za-z]+$", filename.split("?")[0])
        if suffix and suffix.group(0).lower() in _EXTENSIONS:
            return _EXTENSIONS[suffix.group(0).lower()]
    head = text.lstrip()[:2000].lower()
    if re.match(r"#{1,6} \S", head):
        return "markdown"
    if (
        head.startswith(("<!doctype html", "<html", "<?xml"))
        or len(re.findall(r"</?(?:p|div|body|article|h[1-6]|br|span|a)\b", head)) >= 3
    ):
        return "html"
    markdown_signs = re.findall(
        r"(?m)^(?:#{1,6}\s|---\s*$|[-*]\s|>\s|```)|\[[^\]]+\]\([^)]+\)|\*\*[^*]+\*\*", text
    )
    return "markdown" if len(markdown_signs) >= 2 else "text"


def parse_post(text: str, kind: SourceKind) -> tuple[ParsedPost, str | None]:
    """The post's title and blocks; the second value is the site name when the page gives one."""
    if kind == "html":
        return parse_html(text)
    if kind == "markdown":
        return parse_markdown(text), None
    return parse_text(text), None


def _title(post: ParsedPost, site: str | None) -> tuple[str, str | None]:
    if post.title:
        title = strip_site_suffix(post.title, site)
        if title:
            return title, None
    first = " ".join(post.blocks[0].text.split()[:8]).rstrip(".,;:!?")
    return first, "check: no title found in the post; these are its first words"


def draft_topic(
    source_text: str,
    source_kind: SourceKind | None = None,
    *,
    chat_dates: Sequence[date],
    taken_dates: Collection[date] = (),
    hashtag: str = "#LeadershipChat",
    prep_url: str | None = None,
    date_override: date | None = None,
    chat_name: str | None = None,
    max_questions: int = MAX_QUESTIONS,
) -> Draft:
    """Draft a topic from a prep post. Pure: no I/O, no clock (`chat_dates` are the upcoming ones).

    `max_questions` is how many fit the chat's hour (the CLI works it out from the run of show);
    the rest become comments. Raises DraftError for empty input or a page with no post text.
    """
    room = max(1, min(max_questions, MAX_QUESTIONS))
    text = source_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise DraftError("the post is empty")
    kind = source_kind or detect_kind(text)
    post, site = parse_post(text, kind)
    if not any(len(b.text.split()) >= _MIN_WORDS for b in post.blocks):
        raise DraftError(
            "no post text found"
            + (" (only navigation, share buttons, comments and the like)" if kind == "html" else "")
        )
    sentences = [s for block in post.blocks for s in split_sentences(block.text)]
    title, title_note = _title(post, site)
    choice = choose_date(sentences, chat_dates, taken_dates, date_override)
    hosts = tuple(find_hosts(sentences))
    ranked = rank(candidates(sentences, hashtag))
    chosen, extra = ranked[:room], ranked[room:]
    notes: list[str] = []
    if not chosen:
        notes.append(
            "the post asks no questions; the one below is a placeholder made from the title. "
            "Write 5-8 questions of your own."
        )
        chosen = [
            Candidate(f"What does “{title}” mean to you?", "", 0, "check: placeholder; replace it")
        ]
    elif len(chosen) < FEW_QUESTIONS:
        notes.append(
            f"the post asks only {len(chosen)} real question{'s' if len(chosen) > 1 else ''}; "
            "a chat usually has 5-8, so add your own."
        )
    return Draft(
        title=title,
        date=choice.date,
        questions=tuple(chosen),
        extra_questions=tuple(extra),
        hosts=hosts,
        prep_post=prep_url,
        chat=chat_name,
        hashtag=hashtag,
        notes=tuple(notes),
        title_note=title_note,
        date_note=choice.note,
        hosts_note=None if hosts else "check: no co-hosts named in the post; add them if any",
        room=room,
    )
