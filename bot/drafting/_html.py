"""HTML pages -> the post's own blocks, with the page furniture (nav, share rows, comments,
cookie banners, author bios) left out by element, role and class name before any text is read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from bot.drafting._boiler import clean_blocks
from bot.drafting._model import Block, ParsedPost, words

_VOID = words("area base br col embed hr img input link meta param source track wbr keygen")
_SKIP_TAGS = words(
    "head script style noscript template svg nav aside footer form button iframe select"
    " textarea dialog figcaption pre canvas object label menu"
)
_BLOCK_TAGS = words(
    "p div section article main header footer aside nav h1 h2 h3 h4 h5 h6 li ul ol blockquote"
    " pre table thead tbody tr td th dl dt dd figure figcaption form address details summary"
    " body html center"
)
_AUTO_CLOSE = words("p li dt dd tr td th option")
_SKIP_ROLES = words(
    "navigation banner contentinfo complementary dialog alertdialog search menu menubar"
)
_FURNITURE_WORDS = words(
    "nav navbar navigation menu breadcrumb breadcrumbs share shares sharing sharedaddy"
    " social related relatedposts comment comments respond reply replies disqus subscribe"
    " subscription newsletter signup follow followers cookie cookies consent gdpr bio author"
    " byline meta sidebar widget widgets footer pagination pager advert advertisement ads ad"
    " promo popup modal branding logo masthead skip tags categories likes"
)
_CONTAINERS = frozenset({"html", "body", "main", "article"})


@dataclass
class _Open:
    tag: str
    skip: bool
    article: int | None
    main: bool


def _words(value: str | None) -> set[str]:
    return set(re.split(r"[^a-z0-9]+", (value or "").lower())) - {""}


class _PageParser(HTMLParser):
    """Collects text blocks outside furniture, each tagged with its article and <main>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.skip_depth = 0
        self.articles = 0
        self.entries: list[tuple[Block, int | None, bool]] = []
        self.buf: list[str] = []
        self.title: list[str] = []
        self.in_title = False
        self.meta: dict[str, str] = {}

    def _furniture(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if tag in _SKIP_TAGS or "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        if tag == "header" and not any(o.article or o.main for o in self.stack):
            return True
        if (attrs.get("role") or "").lower() in _SKIP_ROLES:
            return True
        if tag in _CONTAINERS:
            return False
        return bool((_words(attrs.get("class")) | _words(attrs.get("id"))) & _FURNITURE_WORDS)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta":
            key = (found.get("property") or found.get("name") or "").lower()
            if key in ("og:title", "og:site_name", "twitter:title"):
                self.meta.setdefault(key, (found.get("content") or "").strip())
            return
        if tag in ("br", "hr"):
            self._flush()
        if tag in _VOID:
            return
        if tag == "title" and not self.title and not any(o.tag == "svg" for o in self.stack):
            self.in_title = True  # the page's <title>, not an SVG icon's
        if tag in _AUTO_CLOSE and self.stack and self.stack[-1].tag == tag:
            self.handle_endtag(tag)
        if tag in _BLOCK_TAGS:
            self._flush()
        skip = self._furniture(tag, found)
        article = self.stack[-1].article if self.stack else None
        if tag == "article" and not skip and not self.skip_depth:
            self.articles += 1
            article = self.articles
        main = (
            (bool(self.stack) and self.stack[-1].main)
            or tag == "main"
            or found.get("role") == "main"
        )
        self.stack.append(_Open(tag, skip, article, main))
        self.skip_depth += skip

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if not any(o.tag == tag for o in self.stack):
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        while self.stack:
            opened = self.stack.pop()
            self.skip_depth -= opened.skip
            if opened.tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip_depth:
            self.buf.append(data)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.buf)).strip()
        self.buf.clear()
        if not text or self.skip_depth:
            return
        block = next((o.tag for o in reversed(self.stack) if o.tag in _BLOCK_TAGS), "p")
        if re.fullmatch(r"h[1-6]", block):
            entry = Block(text, "heading", int(block[1]))
        else:
            entry = Block(text, "item" if block == "li" else "para")
        top = self.stack[-1] if self.stack else None
        self.entries.append((entry, top.article if top else None, bool(top and top.main)))


def parse_html(text: str) -> tuple[ParsedPost, str | None]:
    """The post's blocks and title; also returns og:site_name to strip from titles."""
    parser = _PageParser()
    parser.feed(text)
    parser.close()
    parser._flush()
    entries = parser.entries
    articles = {a for _, a, _ in entries if a is not None}
    if articles:
        best = max(articles, key=lambda a: sum(len(b.text) for b, x, _ in entries if x == a))
        scope = [b for b, a, _ in entries if a == best]
    elif any(m for _, _, m in entries):
        scope = [b for b, _, m in entries if m]
    else:
        scope = [b for b, _, _ in entries]
    site = parser.meta.get("og:site_name") or None
    h1s = [b.text for b in scope if b.kind == "heading" and b.level == 1]
    h1s += [b.text for b, _, _ in entries if b.kind == "heading" and b.level == 1]
    h1s = [h for h in h1s if h != site]
    page_title = re.sub(r"\s+", " ", "".join(parser.title)).strip()
    options = [
        *h1s[:1],
        parser.meta.get("og:title", ""),
        parser.meta.get("twitter:title", ""),
        page_title,
    ]
    title = next((t for t in options if t), None)
    if title is None:
        title = next((b.text for b in scope if b.kind == "heading"), None)
    if title is not None:
        for i, b in enumerate(scope):
            if b.kind == "heading" and b.text == title:
                del scope[i]
                break
    return ParsedPost(title, tuple(clean_blocks(scope))), site
