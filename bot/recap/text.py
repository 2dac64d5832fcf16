"""Text helpers shared by the renderers: mentions, Discord escaping, clipping to a limit.

Discord counts some characters twice (astral ones, e.g. most emoji, are two UTF-16 units), so
lengths here are measured in UTF-16 units: never less than Python's len(), so a text that fits
here fits Discord whichever way it counts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import UTC, datetime

ELLIPSIS = "…"
ZWSP = "\u200b"

_TOKEN = re.compile(
    r"<@!?(?P<user>\d{1,20})>|<@&(?P<role>\d{1,20})>|<#(?P<channel>\d{1,20})>"
    r"|<a?:(?P<emoji>\w{1,64}):\d{1,20}>|</(?P<command>[\w -]{1,64}):\d{1,20}>"
    r"|<t:(?P<ts>-?\d{1,12})(?::[tTdDfFR])?>"
)
_URL = re.compile(r"https?://[^\s<>]+")
# Inline markdown that Discord renders anywhere in a line.
_INLINE = re.compile(r"([\\*_~`|\[\]])")
# Block markdown that Discord renders at the start of a line: quotes, headings, lists, subtext.
_LINE_START = re.compile(
    r"(?m)^([ \t]*)(>(?=\s)|#(?=#{0,2}\s)|-(?=[\s#])|\+(?=\s))|^([ \t]*\d+)([.)])(?=\s)"
)
_PINGS = re.compile(r"@(everyone|here)", re.IGNORECASE)
_RAW_MENTION = re.compile(r"<(?=[@#])")


def resolve_mentions(
    text: str, names: Mapping[int, str], hidden: Collection[int] = frozenset()
) -> str:
    """Discord's raw mention syntax as a reader would see it: `<@123>` -> `@Ana`.

    Members in ``hidden`` (opted out) and unknown members become `@member`, so a recap never
    names someone who asked not to be in it.
    """

    def one(m: re.Match[str]) -> str:
        if m["user"] is not None:
            uid = int(m["user"])
            return "@" + (names.get(uid, "member") if uid not in hidden else "member")
        if m["role"] is not None:
            return "@role"
        if m["channel"] is not None:
            return "#channel"
        if m["emoji"] is not None:
            return f":{m['emoji']}:"
        if m["command"] is not None:
            return "/" + m["command"]
        try:
            return datetime.fromtimestamp(int(m["ts"]), UTC).strftime("%Y-%m-%d %H:%M UTC")
        except (OverflowError, OSError, ValueError):
            return m.group()

    return _TOKEN.sub(one, text)


def neutralise_pings(text: str) -> str:
    """`@everyone` -> `@\u200beveryone` and `<@...>` -> `<\u200b@...>`: text that cannot ping."""
    return _RAW_MENTION.sub("<" + ZWSP, _PINGS.sub("@" + ZWSP + r"\1", text))


def escape_discord(text: str) -> str:
    """User text made literal for Discord: markdown escaped (links left intact), pings defused."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return neutralise_pings("".join(out))


def _escape_plain(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(escape_line_start, text)


def escape_line_start(m: re.Match[str]) -> str:
    """`# x` -> `\\# x`; `1. x` -> `1\\. x` (a backslash before a digit would show)."""
    return f"{m[1]}\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"


def dlen(text: str) -> int:
    """Length as Discord may count it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """``text`` if it fits ``limit``, else cut at a word boundary when one is near, plus "…".

    Never leaves a dangling escape backslash or a half emoji sequence before the ellipsis.
    """
    if dlen(text) <= limit:
        return text
    if limit < 1:
        return ""
    budget = limit - 1
    cut = min(len(text), budget)
    while cut > 0 and (excess := dlen(text[:cut]) - budget) > 0:
        cut -= max(1, excess // 2)
    head = text[:cut]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= cut * 0.6:
        head = head[:space]
    head = head.rstrip().rstrip("\u200d\ufe0f")
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        head = head[:-1]
    return head + ELLIPSIS


def quote(text: str) -> str:
    """Every line as a Discord/Markdown block quote line."""
    return "\n".join("> " + line for line in text.split("\n"))


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are ever written into a recap (no javascript:, data:, ...)."""
    if url and url.startswith(("https://", "http://")) and not any(c in url for c in ' <>"\n'):
        return url
    return None
