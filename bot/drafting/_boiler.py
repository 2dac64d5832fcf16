"""Page furniture recognised by its words (share rows, comment sections, subscribe boxes) and
where the article ends: comments, related posts, a post footer, or a second post's title and
byline.

trafilatura cleans HTML pages by their structure (see `_extract`), but text copied from a browser
and Markdown exports carry the same furniture as plain lines, so every source goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.drafting._model import Block, words

_SOCIAL = (
    r"(?:twitter|x|facebook|linkedin|reddit|pinterest|whatsapp|threads|bluesky|email|mastodon)"
)

# A whole short block that is furniture, never prose.
_FURNITURE = re.compile(
    r"""^(?:
      skip\ to\ (?:main\ )?content | (?:main\ |open\ |close\ )?menu | search(?:\ for)?:? |
      toggle\ navigation | home | about | contact | blog | archives? | back\ to\ top |
      share(?:\ this)?(?:\ post|\ article|\ page)?(?:\ on\ \w+)?:? | share\ via\ .* |
      (?:click\ to\ )?(?:share|tweet|email|print|pin|post)(?:\ (?:this|it))?(?:\ on\ \w+)?
        (?:\ \(opens\ in\ new\ window\))? |
      """
    + _SOCIAL
    + r"""(?:\ \W?\s*"""
    + _SOCIAL
    + r""")* |
      like\ this:? | like | liked\ by\ .* | loading\W* | be\ the\ first\ to\ like\ this\W* |
      related(?:\ posts|\ articles|\ reading|\ stories)?:? | you\ (?:may|might)\ also\ (?:like|enjoy):? |
      more\ from\ .{0,60} | read\ more.{0,40} | continue\ reading.{0,60} |
      (?:leave|post|add|write)\ a\ (?:reply|comment|response).* | cancel\ reply |
      \d+\ (?:comments?|responses?|replies|thoughts?\ on\ .*) | comments?(?:\ \(\d+\))? |
      no\ comments(?:\ yet)?\W* | reply(?:\ ↓)? | (?:log\ in|sign\ in)\ to\ (?:reply|comment).* |
      post\ navigation | (?:previous|next|older|newer)\ (?:post|entry|article)s?:?.* |
      subscribe.{0,80} | follow(?:\ (?:me|us|this\ blog|blog\ via\ email))?(?:\ on\ .{0,40})? |
      join\ \d[\d,]*\ other\ (?:followers|subscribers|readers).* | enter\ your\ email.* |
      sign\ me\ up.* | get\ (?:new\ )?posts\ (?:by|in\ your)\ .* |
      (?:posted|published|written|filed)\ (?:in|on|by|under):?\ .{0,100} |
      (?:tags?|categor(?:y|ies)):\ .{0,100} | tagged\ .{0,100} | by\ \w+(?:\ \w+){0,3} |
      (?:copyright|©).* | all\ rights\ reserved.* | (?:proudly\ )?powered\ by\ .* |
      (?:website\ )?theme\ by\ .* | privacy(?:\ policy)?(?:\ \W\ terms.*)? | terms\ of\ (?:use|service) |
      accept(?:\ all)?(?:\ cookies)? | reject(?:\ all)? | got\ it!? | i\ agree | ok(?:ay)? | dismiss |
      (?:manage|cookie)\ (?:cookies|settings|preferences) |
      about\ the\ author:?.* | about\ me | (?:photo|image)\ (?:by|credit|courtesy).{0,120}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT = re.compile(
    r"\b(?:accept|consent|privacy|policy|settings|agree|experience|we use|this (?:site|website))\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_CONTACT = re.compile(
    r"^(?:(?:contact|e-?mail|phone|tel|website|web|twitter|linkedin|instagram|facebook)\s*:"
    r"|(?:contact|connect\ with|find|reach|follow|email|hire|work\ with)\ (?:me|us)\b"
    r"|book\ a\ (?:call|session))",
    re.IGNORECASE | re.VERBOSE,
)
_NAV_WORDS = words(
    "home about contact blog archive archives podcast speaking books book events shop store"
    " services resources newsletter subscribe search menu courses coaching media press work"
    " with me start here"
)

# Headings or lines after which the rest of a page is comments, related posts, a bio, the post's
# footer (categories, tags) or other posts.
_TERMINAL = re.compile(
    r"""^(?:
      related(?:\ posts|\ articles|\ reading)?:? | you\ (?:may|might)\ also\ (?:like|enjoy):? |
      (?:leave|post|add)\ a\ (?:reply|comment|response).* | \d+\ (?:comments?|responses?|replies)
      | \d+\ (?:thoughts?|responses?|comments?|replies)\ (?:on|to)\ .* | comments?(?:\ \(\d+\))?
      | discussion | about\ the\ author:?.* | share\ this(?:\ post|\ article)?:? | like\ this:?
      | post\ navigation | (?:posted|filed)\ (?:in|under)\ .* | (?:tags?|labels?|categor(?:y|ies)):.*
      | «?\ ?(?:older|newer|previous|next)\ (?:posts?|entries|entry|articles?)\ ?»?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = rf"(?:(?:\w+day,?\s+)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s+\d{{4}})"
# The line under a post's title: "Posted on November 1, 2026 by Helen", "November 15, 2026 ·
# Anneke de Vries", "By Marcus Bell", "6 min read".
_POST_META = re.compile(
    rf"""^(?:
      (?:posted|published|written|updated)\b.{{0,80}} |
      by\ (?-i:[A-Z][^\s,·|•]*)(?:\ [^\s,·|•]+){{0,3}}(?:\s*[,·|•—–-].{{0,60}})? |
      {_DATE}(?:\s*(?:[·|•—–-]|by)\s*.{{0,80}})? | .{{0,60}}[·|•—–-]\s*{_DATE}.{{0,40}} |
      \d+\ min(?:ute)?s?\ read
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

_MAX_FURNITURE_CHARS = 160


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t|•·-–—:")


def is_furniture(text: str) -> bool:
    """True for a block that is page furniture (share row, cookie notice, contact line...)."""
    line = _norm(text)
    if not line:
        return True
    if len(line) <= _MAX_FURNITURE_CHARS and not line.endswith("?") and _FURNITURE.match(line):
        return True
    words = re.findall(r"[a-z]+", line.lower())
    if len(words) >= 2 and len(line) <= 120 and all(w in _NAV_WORDS for w in words):
        return True
    if len(line) <= 400 and _COOKIE.search(line) and _COOKIE_CONTEXT.search(line):
        return True
    return len(line) <= 200 and bool(_EMAIL.search(line) or _CONTACT.match(line))


def is_terminal(text: str) -> bool:
    """True for a line that starts the comments / related posts / bio part of a page."""
    line = _norm(text)
    return len(line) <= 120 and bool(_TERMINAL.match(line))


def is_post_meta(text: str) -> bool:
    """True for a dateline or byline, the line under a post's title."""
    line = _norm(text.strip("*_"))
    return len(line) <= 140 and not line.endswith((".", "!", "?")) and bool(_POST_META.match(line))


def is_prose(text: str) -> bool:
    """A sentence or more of running text (a long title is not prose)."""
    size = len(text.split())
    return size > 20 or (size > 8 and text.rstrip().endswith((".", "!", "?", '"', "”", ")")))


def is_title_like(block: Block) -> bool:
    """A heading, or a short line without a full stop: what a post's title looks like."""
    text = block.text.strip()
    return block.kind == "heading" or (
        block.kind == "para" and 0 < len(text.split()) <= 16 and not text.endswith((".", ",", ";"))
    )


# "Jane Doe is an executive coach and the author of ...": the bio that closes many posts.
_BIO = re.compile(
    r"^(?:[A-Z][\w'’.-]+\s+){1,3}(?:is|writes|coaches|helps|has\s+(?:been|spent|led)|leads|"
    r"works|speaks|teaches)\b",
)
_BIO_WORDS = re.compile(
    r"\b(?:author|coach(?:es|ing)?|speaker|consultant|founder|writer|blog|book|podcast|keynotes?|"
    r"workshops?|clients|newsletter|website)\b",
    re.IGNORECASE,
)
_BIO_TAIL = 3  # bios sit among the last few blocks


def is_bio(text: str) -> bool:
    """A short third-person author bio (name + "is a coach/author/speaker ...")."""
    return len(text) <= 600 and bool(_BIO.match(text.strip("*_ ")) and _BIO_WORDS.search(text))


def clean_blocks(blocks: Iterable[Block]) -> list[Block]:
    """Drop furniture, cut the page where the article ends (a terminal marker, or a second
    post's title and byline after some prose), drop a closing bio."""
    out: list[Block] = []
    prose = False
    for block in blocks:
        if prose and is_terminal(block.text):
            break
        if prose and is_post_meta(block.text) and out and is_title_like(out[-1]):
            out.pop()  # the next post's title
            break
        if not is_furniture(block.text) and not is_post_meta(block.text):
            out.append(block)
            prose = prose or (block.kind != "heading" and is_prose(block.text))
    tail = max(0, len(out) - _BIO_TAIL)
    return out[:tail] + [b for b in out[tail:] if b.kind == "heading" or not is_bio(b.text)]
