"""The demo: a complete chat, offline, leaving every recap file behind."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from bot.cli.main import main
from bot.demo import run_demo
from bot.demo_bluesky import BLUESKY_CAST
from bot.demo_script import CAST
from bot.topics import load_topic_file

REPO = Path(__file__).resolve().parent.parent
TOPIC = REPO / "prompts" / "2026-12-01-serving-leadership.yaml"
NEXT = REPO / "prompts" / "2026-12-08-getting-others-to-follow.yaml"


async def test_demo_runs_a_whole_chat_and_writes_every_recap_file(tmp_path: Path) -> None:
    out = io.StringIO()
    topic = load_topic_file(TOPIC)
    # 300x, not the fastest 1200x: a heads-up is skipped once its question is due, 60 s of the
    # evening later, which at 1200x is 50 ms of a loaded machine (it went missing once in CI's
    # three workers); 300x gives every step 200 ms.
    files = await run_demo(topic, tmp_path, speed=300, upcoming=[load_topic_file(NEXT)], stream=out)
    names = {f.name for f in files}
    assert {"recap.md", "recap.html", "recap.json", "messages.csv", "activity.png"} <= names
    printed = out.getvalue()
    # The chat as it happened: reminder, welcome, every question, close with next week's topic, recap.
    assert "#announce" in printed and "starts in 10 minutes" in printed
    for n, q in enumerate(topic.questions, start=1):
        assert f"Q{n}: {q.text} #LeadershipChat" in printed
    # Timestamps read as a Discord client shows them: a date with the time, "in a minute".
    assert (
        "Next week Tuesday, December 8, 2026 20:00: **Getting others to follow your lead**"
        in printed
    )
    assert "Heads-up: Q1 goes out in a minute:" in printed and "1 minutes" not in printed
    assert "A warm welcome to **Chen Wei**" in printed  # the one newcomer during the hour, by name
    assert "#recap" in printed
    recap = json.loads((tmp_path / "recap.json").read_text(encoding="utf-8"))
    by_text = {m["text"]: m for m in recap["messages"]}
    assert not [t for t in by_text if "oops wrong channel" in t]  # the deleted message is gone
    edited = next(
        m for t, m in by_text.items() if "I hold that line" in t
    )  # the edit is what shows
    assert edited["edited"] and edited["questions"] == [1]
    late = next(m for t, m in by_text.items() if "Late from Nairobi" in t)
    assert late["late"] and late["questions"] == [6]
    # Question and answer links point at the same (demo) server.
    discord = [m for m in recap["messages"] if m["platform"] == "discord"]
    links = [q["jump_url"] for q in recap["questions"]] + [m["jump_url"] for m in discord]
    assert links and all(link.startswith("https://discord.com/channels/9000/") for link in links)
    # Bluesky members took part beside them, each quote linked to its post on bsky.app.
    bluesky = [m for m in recap["messages"] if m["platform"] == "bluesky"]
    assert {m["author"] for m in bluesky} == {m.handle for m in BLUESKY_CAST}
    assert all(m["jump_url"].startswith("https://bsky.app/profile/did:plc:") for m in bluesky)
    reply = next(m for m in bluesky if m["text"].startswith("My first coach"))
    assert reply["kind"] == "answer" and reply["questions"] == [2]  # a reply to Q2 there
    assert re.search(r"bluesky +leadershipchat.bsky.social: Q1: ", printed)
    # The bot's own Bluesky posts: welcome, last call and the recap link (to the Discord recap).
    on_bluesky = re.findall(r"bluesky +leadershipchat.bsky.social: (.*)", printed)
    assert any("#LeadershipChat" in t and "A1" in t for t in on_bluesky[:1]), on_bluesky[:1]
    assert any(t.startswith("Last call") for t in on_bluesky), on_bluesky
    assert re.search(r"recap of .*: https://discord.com/channels/9000/\d+/\d+$", on_bluesky[-1])
    assert recap["stats"]["participants"] == len(CAST) + len(BLUESKY_CAST)
    # the Bluesky members are new to the chat: newcomers too (no welcome post on Discord)
    assert recap["stats"]["newcomers"] == sum(not m.returning for m in CAST) + len(BLUESKY_CAST)


def test_demo_command_rejects_a_silly_speed(capsys: object) -> None:
    assert main(["demo", "--speed", "5"]) == 2  # a clear message, not a 12-minute wait
