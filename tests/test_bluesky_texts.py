"""The bot's Bluesky posts: plain text, the hashtag always in, never over 300 graphemes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from bot import bluesky_wording as texts
from bot.bluesky_text import grapheme_count, post_fits
from bot.config import ChatSettings
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.steps import StepRow, StepStatus
from bot.domain.topics import SessionQuestion, SessionTopic
from tests.test_engine import compressed_settings


def chat(tmp_path: Path, **bluesky: object) -> ChatSettings:
    return compressed_settings(tmp_path, bluesky={"handle": "chat.example.org", **bluesky}).chats[0]


def test_a_question_too_long_for_bluesky_is_shortened_and_keeps_its_hashtag(
    tmp_path: Path,
) -> None:
    long = "Which of these " + "habits " * 60 + "matters most?"
    emoji = "Which of these " + "👩‍👩‍👧‍👦 " * 200 + "matters most?"  # 25 bytes each
    topic = SessionTopic("Trust", (SessionQuestion(long), SessionQuestion(emoji)))
    text = texts.question(chat(tmp_path), topic, 1)
    assert post_fits(text) and grapheme_count(text) == 300
    assert text.startswith("Q1: Which of these") and text.endswith("… #LeadershipChat")
    text = texts.question(chat(tmp_path), topic, 2)  # within Bluesky's 3,000 bytes too
    assert post_fits(text) and text.endswith("… #LeadershipChat")


def test_discord_formatting_does_not_reach_bluesky(tmp_path: Path) -> None:
    stamp = int(datetime(2026, 12, 8, 1, 0, tzinfo=UTC).timestamp())
    closing = f"**Thank you**, see you <t:{stamp}:F> for _more_."
    topic = SessionTopic("Trust", (), closing=closing)
    text = texts.close(chat(tmp_path), topic)
    assert text == (
        "Thank you, see you 01:00 UTC, 08 December for more. Late answers still count for a"
        " while. #LeadershipChat"
    )


def test_the_recap_link_follows_the_configured_address(tmp_path: Path) -> None:
    settings_chat = chat(tmp_path, recap_url="https://example.org/recaps/{folder}/")
    url = texts.recap_link(settings_chat, _session(), _step(None))
    assert url == "https://example.org/recaps/leadershipchat-2026-12-01/"
    default = texts.recap_link(chat(tmp_path), _session(), _step(555))
    assert default == "https://discord.com/channels/10/40/555"
    assert texts.recap_link(chat(tmp_path), _session(), _step(None)) is None


def _session() -> SessionRow:
    at = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    topic = SessionTopic("Trust", ())
    return SessionRow(
        1,
        "leadershipchat",
        date(2026, 12, 1),
        at,
        topic,
        SessionStatus.CLOSED,
        None,
        None,
        at,
        None,
        None,
    )


def _step(message_id: int | None) -> StepRow:
    at = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    return StepRow(
        1, "recap", "recap", None, at, StepStatus.SENT, message_id, 40, None, 1, None, at
    )
