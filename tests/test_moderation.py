"""Moderation rules (bot.moderation): pure, time passed in, no Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import FloodControl, Moderation
from bot.moderation import (
    DuplicateTracker,
    FloodTracker,
    MessageFacts,
    Moderator,
    Rule,
    blocked_word,
    contains_link,
    is_new_member,
)

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_flood_tracker_flags_only_the_excess_inside_the_window() -> None:
    flood = FloodTracker(3, timedelta(seconds=10))
    assert [flood.observe(1, at(i)) for i in range(5)] == [False, False, False, True, True]
    assert flood.observe(2, at(4)) is False  # per member
    # 10 s after the first messages the window has slid past them
    assert flood.observe(1, at(14.5)) is False


def test_flood_window_edge_is_exclusive() -> None:
    flood = FloodTracker(2, timedelta(seconds=10))
    assert flood.observe(1, at(0)) is False
    assert flood.observe(1, at(5)) is False
    assert flood.observe(1, at(10)) is False  # the first one is exactly 10 s old: gone


def test_duplicates_ignore_case_spacing_and_short_replies() -> None:
    dup = DuplicateTracker(timedelta(minutes=1))
    assert dup.observe(1, "Buy cheap followers now", at(0)) is False
    assert dup.observe(1, "buy  cheap FOLLOWERS now ", at(5)) is True
    assert dup.observe(2, "Buy cheap followers now", at(6)) is False  # another member
    assert dup.observe(1, "+1", at(7)) is False and dup.observe(1, "+1", at(8)) is False
    assert dup.observe(1, "Buy cheap followers now", at(70)) is False  # a minute later


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("This is SPAM!", "spam"),
        ("spammer is not spam", "spam"),
        ("nothing here, spammy", None),
        ("free   crypto now", "free crypto"),
        ("", None),
    ],
)
def test_blocked_words_match_whole_words_any_case(text: str, found: str | None) -> None:
    assert blocked_word(text, ["spam", "free crypto"]) == found


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("see https://example.com/x", True),
        ("www.example.org", True),
        ("bit.ly/abc", True),
        ("A1: leaders listen. Really.", False),
        ("e.g. this", False),
    ],
)
def test_contains_link(text: str, link: bool) -> None:
    assert contains_link(text) is link


def test_new_member_rule() -> None:
    now = at(0)
    assert is_new_member(now - timedelta(hours=1), now, 24)
    assert not is_new_member(now - timedelta(hours=25), now, 24)
    assert not is_new_member(now - timedelta(minutes=1), now, 0)  # rule off
    assert not is_new_member(None, now, 24)


def moderator(**overrides: object) -> Moderator:
    base: dict[str, object] = {
        "flood": FloodControl(messages=3, seconds=timedelta(seconds=10)),
    }
    base.update(overrides)
    return Moderator(Moderation.model_validate(base))


def test_flood_verdict_warns_once_then_deletes_silently() -> None:
    mod = moderator()
    verdicts = [
        mod.check(MessageFacts(1, f"msg {i}", at(i * 0.5)), chat_running=True) for i in range(6)
    ]
    assert verdicts[:3] == [None, None, None]
    assert [v.rule if v else None for v in verdicts[3:]] == [Rule.FLOOD] * 3
    assert [v.warn for v in verdicts[3:] if v] == [True, False, False]
    assert all(v.timeout is None for v in verdicts if v)


def test_flood_only_counts_during_the_chat_and_never_for_hosts() -> None:
    mod = moderator()
    assert all(mod.check(MessageFacts(1, "x", at(i)), chat_running=False) is None for i in range(9))
    host = [
        mod.check(MessageFacts(2, "x", at(i * 0.1), is_host=True), chat_running=True)
        for i in range(9)
    ]
    assert host == [None] * 9


def test_repeat_flood_after_the_warning_times_out_once() -> None:
    mod = moderator(
        flood=FloodControl(messages=2, seconds=timedelta(seconds=10), timeout=timedelta(minutes=5))
    )
    burst = [mod.check(MessageFacts(1, "x", at(i * 0.1)), chat_running=True) for i in range(3)]
    assert burst[2] is not None and burst[2].warn and burst[2].timeout is None
    # still inside the window of the warning: deleted, not timed out yet
    quick = mod.check(MessageFacts(1, "x", at(0.5)), chat_running=True)
    assert quick is not None and quick.timeout is None
    later = [mod.check(MessageFacts(1, "x", at(20 + i * 0.1)), chat_running=True) for i in range(4)]
    timeouts = [v.timeout for v in later if v and v.timeout]
    assert timeouts == [timedelta(minutes=5)]


def test_duplicate_rule_is_off_by_default_and_on_when_configured() -> None:
    text = "Follow my page for leadership tips"
    off = moderator()
    assert off.check(MessageFacts(1, text, at(0)), chat_running=True) is None
    assert off.check(MessageFacts(1, text, at(1)), chat_running=True) is None
    on = moderator(duplicate_spam=True)
    assert on.check(MessageFacts(1, text, at(0)), chat_running=True) is None
    verdict = on.check(MessageFacts(1, text, at(1)), chat_running=True)
    assert verdict is not None and verdict.rule is Rule.DUPLICATE and verdict.warn


def test_blocked_words_and_new_member_links_apply_outside_the_chat_too() -> None:
    mod = moderator(blocked_words=("casino",), new_member_link_hours=24)
    word = mod.check(MessageFacts(1, "best CASINO in town", at(0)), chat_running=False)
    assert word is not None and word.rule is Rule.BLOCKED_WORD
    fresh = MessageFacts(2, "look https://x.test", at(0), joined_at=at(-60))
    link = mod.check(fresh, chat_running=False)
    assert link is not None and link.rule is Rule.NEW_MEMBER_LINK and link.warn
    old = MessageFacts(3, "look https://x.test", at(0), joined_at=at(-100 * 3600))
    assert mod.check(old, chat_running=False) is None


def test_reset_forgets_warnings() -> None:
    mod = moderator()
    for i in range(4):
        mod.check(MessageFacts(1, "x", at(i * 0.1)), chat_running=True)
    mod.reset()
    verdicts = [
        mod.check(MessageFacts(1, "x", at(1 + i * 0.1)), chat_running=True) for i in range(4)
    ]
    assert verdicts[3] is not None and verdicts[3].warn
