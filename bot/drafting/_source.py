"""Reading a prep post before any parsing: bytes -> text, its kind, size limits, and the
characters no draft may carry (NUL, ESC and other controls end up in a YAML file a host edits
and in messages the bot posts)."""

from __future__ import annotations

import re

from bot.drafting._model import MAX_SOURCE_BYTES, DraftError, SourceKind
from bot.unsafe_text import printable

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
_MB = MAX_SOURCE_BYTES // 1_000_000


def too_big(name: str) -> DraftError:
    """The one message for any source over the limit (file, upload, stdin or page)."""
    return DraftError(
        f"{name} is larger than {_MB} MB; a prep post is far smaller. "
        "Save just the post's page or text and try again"
    )


def decode_source(data: bytes, name: str = "the input") -> str:
    """UTF-8 bytes -> text; anything else (too big, binary, other encodings) is a DraftError."""
    if len(data) > MAX_SOURCE_BYTES:
        raise too_big(name)
    if b"\x00" in data[:4096]:
        raise DraftError(f"{name} looks like a binary file, not a text, Markdown or HTML post")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DraftError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None


def clean_text(text: str) -> str:
    """Line breaks made `\\n`; terminal escape sequences, control, bidi-override and
    non-characters removed (`bot.unsafe_text`: the recap removes the same)."""
    return printable(text)


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
        r"(?m)^(?:#{1,6}\s|---\s*$|[-*]\s|>\s|```)|\[[^\]]+\]\([^)]+\)|\*\*[^*]+\*\*",
        text[:200_000],
    )
    return "markdown" if len(markdown_signs) >= 2 else "text"
