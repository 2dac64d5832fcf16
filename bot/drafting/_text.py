"""Plain text and Markdown posts -> blocks (paragraphs, headings, list items), a title, and the
author and address when a byline or front matter gives them."""

from __future__ import annotations

import html
import re

from bot.drafting._boiler import clean_blocks, is_furniture, is_post_meta, is_prose, is_terminal
from bot.drafting._extract import clean_url
from bot.drafting._meta import find_byline, person_name
from bot.drafting._model import Block, ParsedPost

_ITEM = re.compile(r"^\s*(?:[-*+•·▪]|\d{1,2}[.)])\s+(.*)$")
_END_PUNCT = re.compile(r"[.!?:;,\"'”’)…]$")
_FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)\s*\n(.*?)\n(?:---|\+\+\+|\.\.\.)\s*(?:\n|\Z)", re.S)
_FM_TITLE = re.compile(r"^title\s*[:=]\s*(.+?)\s*$", re.M)
_FM_AUTHOR = re.compile(r"^author\s*[:=]\s*(.+?)\s*$", re.M)
_FM_URL = re.compile(r"^(?:canonical(?:_?url)?|url|link|permalink)\s*[:=]\s*(.+?)\s*$", re.M | re.I)
_BYLINE_LINES = 8  # a byline sits within the first lines of a post
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
# HTML copied into a text or Markdown paste. A block tag ends a paragraph (else "How <p>How do
# you ...?" reads as one question, "How How do you ...?"), <br> a line; an inline tag goes.
# Only element names count: "a < b and c > d" in prose stays.
_LINE_TAG = re.compile(r"<br\s*/?>", re.I)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|hr|li|ul|ol|h[1-6]|blockquote|section|article|header|footer|aside|nav|"
    r"main|table|thead|tbody|tr|td|th|pre|dl|dt|dd|figure|figcaption|form|body|html|head)"
    r"(?:\s[^<>]{0,500})?/?>",
    re.I,
)
_INLINE_TAG = re.compile(
    r"</?(?:a|b|i|u|s|em|strong|span|font|small|big|sub|sup|code|mark|abbr|cite|q|img|time|"
    r"del|ins|kbd|var|wbr|label|button|input|textarea|title|meta|link|svg|path|iframe|"
    r"script|style|noscript|center)(?:\s[^<>]{0,500})?/?>",
    re.I,
)


def loose_markup(text: str) -> str:
    """The text of a paste without the HTML tags copied into it (comments too)."""
    if "<" not in text:
        return text
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return _INLINE_TAG.sub("", _BLOCK_TAG.sub("\n\n", _LINE_TAG.sub("\n", text)))


_TITLE_MAX = 120


def _title_like(line: str) -> bool:
    """A first line short enough, and without a full stop, to be the post's title."""
    return 0 < len(line) <= _TITLE_MAX and not line.endswith((".", ",", ";", ":"))


def _group(lines: list[str]) -> list[Block]:
    """One blank-line-separated chunk -> blocks; short unpunctuated lines stand alone."""
    blocks: list[Block] = []
    para: list[str] = []
    width = max((len(line) for line in lines), default=0)

    def flush() -> None:
        if para:
            blocks.append(Block(" ".join(para)))
            para.clear()

    for i, line in enumerate(lines):
        item = _ITEM.match(line)
        if item:
            flush()
            blocks.append(Block(item.group(1).strip(), "item"))
            continue
        last = i == len(lines) - 1
        if not last and not _END_PUNCT.search(line) and len(line) < 0.6 * width:
            flush()
            blocks.append(Block(line))
            continue
        if blocks and blocks[-1].kind == "item" and not para and line[:1].islower():
            blocks[-1] = Block(f"{blocks[-1].text} {line}", "item")
            continue
        para.append(line)
    flush()
    return blocks


def _chunks(lines: list[str]) -> list[list[str]]:
    """Split lines on blank lines, dropping furniture and datelines, and everything from a
    terminal line or a second post (a title followed by a dateline) on."""
    chunks: list[list[str]] = [[]]
    seen_prose = False
    for raw in lines:
        line = raw.strip()
        if not line:
            if chunks[-1]:
                chunks.append([])
            continue
        if seen_prose and is_terminal(line):
            break
        if is_post_meta(line):
            previous = chunks[-1] or (chunks[-2] if len(chunks) > 1 else [])
            if seen_prose and previous and _title_like(previous[-1]):
                previous.pop()
                break
            continue
        if is_furniture(line):
            continue
        seen_prose = seen_prose or is_prose(line)
        chunks[-1].append(line)
    return [c for c in chunks if c]


def _top_lines(text: str) -> list[str]:
    return [line for line in text.split("\n")[:40] if line.strip()][:_BYLINE_LINES]


_LOWER_START = re.compile(r"^[\W_]*[a-z]")
_SENTENCE_START = re.compile(r"(^|[.!?][”’\"')]*\s+)([a-z])")


def sentence_case(post: ParsedPost) -> ParsedPost:
    """A post written all in lower case ("most hiring processes reward ... that sounds
    sensible") gets capitals where its sentences start, and "I" for "i": the sentence and
    question rules read capitals. Other posts are returned as they are."""
    prose = [b for b in post.blocks if b.kind == "para"]
    lower = [b for b in prose if _LOWER_START.match(b.text)]
    if len(prose) < 3 or len(lower) < 0.8 * len(prose):
        return post

    def fix(text: str) -> str:
        text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
        return re.sub(r"\bi(?=\b|['’])", "I", text)

    blocks = tuple(Block(fix(b.text), b.kind, b.level) for b in post.blocks)
    title = post.title[:1].upper() + post.title[1:] if post.title else post.title
    return ParsedPost(title, blocks, post.author, post.url, post.site, post.truncated)


def parse_text(text: str) -> ParsedPost:
    """Plain text: the first short line is the title; blank lines separate paragraphs."""
    text = loose_markup(text)
    blocks = [b for chunk in _chunks(text.split("\n")) for b in _group(chunk)]
    title = None
    if blocks and blocks[0].kind == "para" and _title_like(blocks[0].text):
        title = blocks[0].text
        blocks = blocks[1:]
    author = find_byline(_top_lines(text))
    return ParsedPost(title, tuple(clean_blocks(blocks)), author=author)


def inline_markdown(text: str) -> str:
    """Markdown inline syntax -> the words a reader sees."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"<[^>\n]+>", "", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)", r"\1", text)
    text = re.sub(r"~~(.+?)~~", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>])", r"\1", text)
    return html.unescape(text)


def _markdown_blocks(lines: list[str]) -> list[Block]:
    """Block structure of Markdown: ATX/setext headings, rules, fences, lists, quotes, paragraphs."""
    blocks: list[Block] = []
    para: list[str] = []
    fenced = False

    def flush() -> None:
        if para:
            blocks.extend(_group(para))
            para.clear()

    for raw in lines:
        if _FENCE.match(raw):
            fenced = not fenced
            flush()
            continue
        if fenced or _REF_DEF.match(raw):
            continue
        line = re.sub(r"^\s*(?:>\s?)+", "", raw).rstrip()
        atx = _ATX.match(line)
        if atx:
            flush()
            blocks.append(Block(atx.group(2), "heading", len(atx.group(1))))
        elif _SETEXT.match(line) and len(para) == 1:
            blocks.append(Block(para.pop(), "heading", 1 if line.startswith("=") else 2))
        elif _RULE.match(line) or not line.strip():
            flush()
        else:
            para.append(line.strip())
    flush()
    return blocks


def parse_markdown(text: str) -> ParsedPost:
    """Markdown: front matter or first level-1 heading is the title; furniture is dropped."""
    title = author = url = None
    front = _FRONT_MATTER.match(text)
    if front:
        found = _FM_TITLE.search(front.group(1))
        if found:
            title = found.group(1).strip().strip("\"'")
        found = _FM_AUTHOR.search(front.group(1))
        author = person_name(found.group(1).strip("\"'[]")) if found else None
        found = _FM_URL.search(front.group(1))
        url = clean_url(found.group(1).strip("\"'")) if found else None
        text = text[front.end() :]
    text = loose_markup(text)
    blocks = [
        Block(inline_markdown(b.text).strip(), b.kind, b.level)
        for b in _markdown_blocks(text.split("\n"))
    ]
    blocks = clean_blocks(b for b in blocks if b.text)
    headings = [b for b in blocks if b.kind == "heading"]
    if title is None:
        first = next((b for b in headings if b.level == 1), headings[0] if headings else None)
        if first is not None and blocks.index(first) <= 1:
            title = first.text
        elif blocks and blocks[0].kind == "para" and _title_like(blocks[0].text):
            title = blocks[0].text
    if title is not None and blocks and blocks[0].text == title:
        blocks = blocks[1:]
    elif title is not None:
        blocks = [b for b in blocks if not (b.kind == "heading" and b.text == title)]
    author = author or find_byline(inline_markdown(line) for line in _top_lines(text))
    return ParsedPost(title, tuple(blocks), author=author, url=url)
