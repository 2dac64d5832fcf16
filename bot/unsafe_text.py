"""Characters that text meant for people must not carry, found and removed in one place.

Members, hosts and other tools write text that ends up in files a host opens with `cat`, pages a
reader opens in a browser and messages the bot posts. A NUL, an ESC sequence (`cat recap.md`
runs it in the terminal), other C0 and C1 controls, and the bidirectional overrides and isolates
(which make a line read differently from what it says) never belong there. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls but tab and newline, DEL, C1 controls, bidirectional overrides and isolates, and
# non-characters.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")  # terminal colour and cursor codes


def printable(text: str) -> str:
    """Line breaks made `\\n`; terminal escape sequences, controls, bidi overrides and
    non-characters removed. Text without any comes back as the same object (cheap to call)."""
    if CONTROLS.search(text) is None and "\u2028" not in text and "\u2029" not in text:
        return text
    return CONTROLS.sub("", _ANSI.sub("", _LINE_BREAKS.sub("\n", text)))


def escaped(text: str) -> str:
    """Every character that is not printable shown as its Python escape (`\\x1b`, `\\n`,
    `\\u202e`): for names a person must still be able to find, such as a folder path from a
    database, where removing characters would name another folder."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def bidi_control(text: str) -> str | None:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)` for the first bidi override or isolate, or None."""
    found = BIDI.search(text)
    if found is None:
        return None
    return f"U+{ord(found.group()):04X} ({unicodedata.name(found.group())})"


def invisible(text: str) -> bool:
    """Nothing a reader would see: only spaces and format characters (zero-width space, joiners,
    direction marks)."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)
