"""bot/atproto_syntax.py against the protocol's interop test vectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.atproto_syntax import (
    AtUri,
    bsky_app_url,
    format_datetime,
    is_at_identifier,
    is_at_uri,
    is_datetime,
    is_did,
    is_handle,
    is_nsid,
    is_record_key,
    normalize_handle,
    parse_at_uri,
    parse_datetime,
)
from tests.fakebluesky.vectors import parse_invalid, vectors

CHECKS = {
    "handle": is_handle,
    "did": is_did,
    "aturi": is_at_uri,
    "datetime": is_datetime,
    "atidentifier": is_at_identifier,
    "nsid": is_nsid,
    "recordkey": is_record_key,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_valid_vector_is_accepted(name: str) -> None:
    examples = vectors(name, valid=True)
    assert examples
    assert [e for e in examples if not CHECKS[name](e)] == []


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_invalid_vector_is_refused(name: str) -> None:
    examples = vectors(name, valid=False)
    assert examples
    assert [e for e in examples if CHECKS[name](e)] == []


def test_datetimes_with_valid_syntax_but_no_real_time_are_refused() -> None:
    examples = parse_invalid("datetime")
    assert examples
    assert [e for e in examples if is_datetime(e)] == []


def test_a_datetime_parses_to_utc_keeping_microseconds() -> None:
    assert parse_datetime("1985-04-12T23:20:50.1235678912345Z") == datetime(
        1985, 4, 12, 23, 20, 50, 123567, tzinfo=UTC
    )
    assert parse_datetime("1985-04-12T23:20:50.123-07:00") == datetime(
        1985, 4, 13, 6, 20, 50, 123000, tzinfo=UTC
    )


def test_format_datetime_is_the_preferred_form_and_round_trips() -> None:
    when = datetime(2026, 11, 24, 20, 5, 1, 250_000, tzinfo=timezone(timedelta(hours=-5)))
    text = format_datetime(when)
    assert text == "2026-11-25T01:05:01.250Z"
    assert parse_datetime(text) == when
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2026, 11, 24))


def test_at_uri_parts_and_the_bsky_app_link() -> None:
    uri = "at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3k44deefqdk2g"
    assert parse_at_uri(uri) == AtUri(
        "did:plc:ewvi7nxzyoun6zhxrhs64oiz", "app.bsky.feed.post", "3k44deefqdk2g"
    )
    assert str(parse_at_uri(uri)) == uri
    assert bsky_app_url(uri) == (
        "https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3k44deefqdk2g"
    )
    with pytest.raises(ValueError, match="not the AT-URI of a post"):
        bsky_app_url("at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.actor.profile/self")
    with pytest.raises(ValueError):
        bsky_app_url("https://bsky.app/profile/alice.bsky.social")


def test_handles_are_normalised_as_people_write_them() -> None:
    assert normalize_handle(" @Alice.Bsky.Social ") == "alice.bsky.social"
