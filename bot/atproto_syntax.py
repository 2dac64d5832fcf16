"""AT Protocol identifiers and timestamps (pure): handles, DIDs, AT-URIs, datetimes, and the
bsky.app address of a post.

Written from the protocol's syntax specs (atproto.com/specs: handle, did, at-uri-scheme, lexicon
datetime) and checked against its interop test vectors (tests/test_atproto_syntax.py). No atproto
import: the config, the topic checks and the fake Bluesky use these without loading the SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

POST_COLLECTION = "app.bsky.feed.post"
MAX_HANDLE_LENGTH = 253
MAX_DID_LENGTH = 2048
MAX_AT_URI_LENGTH = 8 * 1024
MAX_NSID_LENGTH = 317

_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NSID = re.compile(
    r"^[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+"
    r"\.[a-zA-Z][a-zA-Z0-9]{0,62}$"
)
_RECORD_KEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_AT_URI = re.compile(
    r"^at://(?P<authority>[^/?#\s]+)(?:/(?P<collection>[^/?#\s]+)(?:/(?P<rkey>[^/?#\s]+))?)?$"
)
_DATETIME = re.compile(
    r"^(?P<y>[0-9]{4})-(?P<mo>[01][0-9])-(?P<d>[0-3][0-9])"
    r"T(?P<h>[0-2][0-9]):(?P<mi>[0-6][0-9]):(?P<s>[0-6][0-9])(?:\.(?P<frac>[0-9]{1,20}))?"
    r"(?P<tz>Z|[+-][0-2][0-9]:[0-5][0-9])$"
)


def is_handle(text: str) -> bool:
    """A syntactically valid handle (a DNS name of 2+ labels whose last label starts with a
    letter, at most 253 characters). Whether it resolves is another question."""
    return len(text) <= MAX_HANDLE_LENGTH and _HANDLE.match(text) is not None


def normalize_handle(text: str) -> str:
    """Handles are case-insensitive; the protocol's normal form is lower case (a leading `@`,
    as people write handles in posts, is dropped)."""
    return text.strip().removeprefix("@").lower()


def is_did(text: str) -> bool:
    """`did:method:identifier`: a lower-case method, allowed characters only, `%` followed by two
    hex digits, not ending in `:` or `%`, at most 2 KB."""
    return (
        len(text) <= MAX_DID_LENGTH
        and _DID.match(text) is not None
        and _BAD_PERCENT.search(text) is None
    )


def is_at_identifier(text: str) -> bool:
    """A handle or a DID (the `at-identifier` format of lexicons)."""
    return is_did(text) if text.startswith("did:") else is_handle(text)


def is_nsid(text: str) -> bool:
    """A namespaced identifier like `app.bsky.feed.post`."""
    return len(text) <= MAX_NSID_LENGTH and _NSID.match(text) is not None


def is_record_key(text: str) -> bool:
    return _RECORD_KEY.match(text) is not None and text not in (".", "..")


@dataclass(frozen=True)
class AtUri:
    """`at://AUTHORITY[/COLLECTION[/RKEY]]`: the authority is a DID or a handle."""

    authority: str
    collection: str | None = None
    rkey: str | None = None

    def __str__(self) -> str:
        parts = [self.authority, self.collection, self.rkey]
        return "at://" + "/".join(p for p in parts if p is not None)


def parse_at_uri(text: str) -> AtUri | None:
    """The parts of an AT-URI in the restricted form lexicons use (no query, no fragment), or
    None when it is not one."""
    if len(text) > MAX_AT_URI_LENGTH:
        return None
    match = _AT_URI.match(text)
    if match is None:
        return None
    authority, collection, rkey = match.group("authority", "collection", "rkey")
    if not is_at_identifier(authority):
        return None
    if collection is not None and not is_nsid(collection):
        return None
    if rkey is not None and not is_record_key(rkey):
        return None
    return AtUri(authority, collection, rkey)


def is_at_uri(text: str) -> bool:
    return parse_at_uri(text) is not None


def parse_datetime(text: str) -> datetime | None:
    """An AT Protocol datetime as an aware datetime in UTC, or None when it is not one: RFC 3339
    with upper-case `T`, seconds, and a `Z` or `±hh:mm` zone (not `-00:00`), a real calendar
    time, not before year 1 once in UTC. Fractions beyond microseconds are dropped."""
    match = _DATETIME.match(text)
    if match is None or match["tz"] == "-00:00":
        return None
    if match["tz"] == "Z":
        zone = UTC
    else:
        sign = 1 if match["tz"][0] == "+" else -1
        hours, minutes = int(match["tz"][1:3]), int(match["tz"][4:6])
        if hours > 23:
            return None
        zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    micros = int((match["frac"] or "0")[:6].ljust(6, "0"))
    try:
        local = datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"]),
            micros,
            tzinfo=zone,
        )
        return local.astimezone(UTC)
    except (ValueError, OverflowError):  # month 13, 25 o'clock, or before year 1 in UTC
        return None


def is_datetime(text: str) -> bool:
    return parse_datetime(text) is not None


def format_datetime(when: datetime) -> str:
    """The preferred form: UTC, milliseconds, `Z` (`2026-11-24T01:00:00.000Z`)."""
    if when.tzinfo is None:
        raise ValueError("a naive datetime has no zone; give an aware one")
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bsky_app_url(uri: str) -> str:
    """The address of a post on bsky.app, from its AT-URI. The DID form is kept (handles
    change; a link by DID keeps working)."""
    parsed = parse_at_uri(uri)
    if parsed is None or parsed.collection != POST_COLLECTION or parsed.rkey is None:
        raise ValueError(f"{uri!r} is not the AT-URI of a post")
    return f"https://bsky.app/profile/{parsed.authority}/post/{parsed.rkey}"
