"""HTML pages -> the post's own blocks and metadata, by trafilatura (main-content extraction that
leaves out navigation, sidebars, comments and related posts) plus a look at the page itself for
the canonical link, the byline and the title right above the article.

trafilatura and lxml are imported here, on first use, so the bot does not load them until a
host drafts a page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.drafting._boiler import clean_blocks, is_furniture
from bot.drafting._meta import find_byline, person_name
from bot.drafting._model import Block, ParsedPost
from bot.drafting._source import clean_text

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# Elements that hold no post text; removed before parsing (their contents can be megabytes).
_HEAVY = ("script", "style", "svg", "noscript", "template", "math", "canvas")
# trafilatura's time grows faster than linearly with the number of elements on a page; past
# this many tags, the rest of a page is not read (a long post page has a few thousand).
MAX_TAGS = 25_000
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|source)$", re.I)
_HEADINGS = ("h1", "h2", "h3", "h4")
_NOT_TITLE = re.compile(
    r"site-(?:title|name|header|branding|description)|logo|brand|widget|sidebar|menu|\bnav|"
    r"footer|comment|masthead",
    re.I,
)
_LOOK_BACK = 12  # elements between a post's title and its first paragraph (byline, date, image)
# Markup that reached the text: a parser reads what follows a stray <title> or <textarea> in a
# body as plain text, so `<p>` can arrive as characters. Text from HTML never keeps a tag.
_TAG_LIKE = re.compile(r"</?[A-Za-z!?][^<>]{0,2000}>|</?[A-Za-z][\w:-]*")


def _strip_heavy(page: str) -> str:
    """The page without script/style/svg... elements and comments, in one linear pass."""
    lower = page.lower()
    out: list[str] = []
    pos = 0
    while True:
        starts = [(lower.find(f"<{tag}", pos), tag) for tag in _HEAVY]
        starts.append((lower.find("<!--", pos), "!--"))
        found = [(i, tag) for i, tag in starts if i >= 0]
        if not found:
            out.append(page[pos:])
            return "".join(out)
        start, tag = min(found)
        out.append(page[pos:start])
        close = "-->" if tag == "!--" else f"</{tag}"
        end = lower.find(close, start + len(tag) + 1)
        if end < 0:
            return "".join(out)
        pos = lower.find(">", end) + 1 if tag != "!--" else end + 3
        if pos <= 0:
            return "".join(out)


_CHAR_REF = re.compile(r"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});?")


def _drop_control_refs(page: str) -> str:
    """`&#27;`, `&#0;`, `&#x202e;`... removed: lxml refuses control characters, and no draft may
    carry them (other character references stay for the parser)."""

    def replace(match: re.Match[str]) -> str:
        ref = match.group(1)
        code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or clean_text(chr(code)) != chr(code):
            return ""
        return match.group(0)

    return _CHAR_REF.sub(replace, page)


def _cap_tags(page: str) -> tuple[str, bool]:
    """The page up to its MAX_TAGS-th tag; True when it was cut there."""
    pos = -1
    for _ in range(MAX_TAGS):
        pos = page.find("<", pos + 1)
        if pos < 0:
            return page, False
    return page[:pos], True


def clean_url(url: str | None) -> str | None:
    """An absolute http(s) address without tracking parameters or fragment, else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", url):
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def _text(element: HtmlElement) -> str:
    return " ".join("".join(element.itertext()).split())


def _blocks(element: Any) -> list[Block]:
    """trafilatura's output tree (head, p, list/item, quote, table...) -> blocks in order."""
    found: list[Block] = []
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "head":
            rend = re.match(r"h([1-6])", child.get("rend") or "")
            found.append(Block(_text(child), "heading", int(rend.group(1)) if rend else 2))
        elif tag in ("list", "quote", "div", "table", "row") and len(child):
            found.extend(_blocks(child))
        elif tag == "item":
            nested = [c for c in child if c.tag == "list"]
            for c in nested:
                child.remove(c)
            found.append(Block(_text(child), "item"))
            for c in nested:
                found.extend(_blocks(c))
        elif tag:
            found.append(Block(_text(child)))
    return [b for b in found if b.text]


def _page_facts(page: str, first_words: str) -> tuple[str | None, str | None, str | None]:
    """(canonical URL, the heading right above the article, the byline's author) from the page."""
    import lxml.html
    from lxml.etree import ParserError

    try:
        tree = lxml.html.document_fromstring(page)
    except (ParserError, ValueError):
        return None, None, None
    canonical = next(
        (
            link.get("href")
            for link in tree.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split()
        ),
        None,
    ) or next((m.get("content") for m in tree.iter("meta") if m.get("property") == "og:url"), None)
    elements = [e for e in tree.iter() if isinstance(e.tag, str)]
    start = next(
        (
            i
            for i, e in enumerate(elements)
            if (e.tag == "div" and " ".join((e.text or "").split()).startswith(first_words))
            or (e.tag in ("p", "li", "td", "blockquote") and _text(e).startswith(first_words))
        ),
        None,
    )
    if start is None:
        return clean_url(canonical), None, None
    heading = None
    above: list[str] = []
    for e in reversed(elements[max(0, start - _LOOK_BACK) : start]):
        if e.tag in _HEADINGS:
            furniture = any(
                _NOT_TITLE.search(f"{a.get('class') or ''} {a.get('id') or ''}")
                or a.tag in ("nav", "aside", "footer")
                for a in [e, *e.iterancestors()]
            )
            if not furniture:
                heading = _text(e)
            break
        above.append(_text(e))
    return clean_url(canonical), heading, find_byline(reversed(above))


def _title(doc_title: str | None, heading: str | None, blocks: list[Block]) -> str | None:
    """The post's title: the heading right above the article, unless it is one of the post's
    own section headings; else the page's title.

    On a blog's front page the page's title is the blog's name and each post's title is a
    heading, so the heading above the article is the better guess."""
    sections = {b.text for b in blocks[1:] if b.kind == "heading"}
    if (
        heading
        and 3 <= len(heading) <= 200
        and heading not in sections
        and not is_furniture(heading)
    ):
        return heading
    return doc_title or heading


def parse_html(page: str) -> ParsedPost:
    """The article's blocks and the page's metadata (title, author, canonical URL, site)."""
    from lxml.etree import LxmlError
    from trafilatura import bare_extraction, baseline

    page, truncated = _cap_tags(_drop_control_refs(_strip_heavy(page)))
    try:
        doc = bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            fast=True,
            # No extensive date search: it loads dateparser's language data on first use (15 s
            # on a hostile page) for a date the draft does not use.
            date_extraction_params={"extensive_search": False, "original_date": False},
        )
    except (LxmlError, ValueError):
        doc = None  # markup lxml cannot read at all: fall back to its text
    if doc is None or isinstance(doc, dict) or doc.body is None or not len(doc.body):
        blocks = _fallback_blocks(page, baseline)
        title = site = author = url = None
    else:
        for br in doc.body.iter("lb"):
            br.tail = "\n" + (br.tail or "")
        blocks = _blocks(doc.body)
        title, site, author, url = doc.title, doc.sitename, doc.author, doc.url
    first = next((b.text for b in blocks if b.kind != "heading" and len(b.text) >= 20), "")
    canonical, heading, byline = _page_facts(page, first[:40])
    title = _title(title, heading, blocks)
    if title and blocks and blocks[0].kind == "heading" and blocks[0].text == title:
        blocks = blocks[1:]
    blocks = [Block(_untagged(b.text), b.kind, b.level) for b in blocks]
    return ParsedPost(
        title=_untagged(title) if title else None,
        blocks=tuple(clean_blocks([b for b in blocks if b.text])),
        author=byline or person_name(author),
        url=canonical or clean_url(url),
        site=site,
        truncated=truncated,
    )


def _untagged(text: str) -> str:
    """The text with anything tag-like taken out."""
    return " ".join(_TAG_LIKE.sub(" ", text).split()) if "<" in text else text


def _fallback_blocks(page: str, baseline: Any) -> list[Block]:
    """The page's text line by line, when trafilatura finds no main content."""
    from lxml.etree import LxmlError

    try:
        body, _, _ = baseline(page)
        lines = "\n".join(body.itertext()).split("\n")
    except (LxmlError, ValueError):
        lines = re.sub(r"<[^>]*>", "\n", page).split("\n")
    return [Block(" ".join(line.split())) for line in lines if line.strip()]
