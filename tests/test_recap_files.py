"""write_recap_files: the folder a host opens (or the engine attaches from) after a chat."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.recap.build import build_recap
from bot.recap.files import FORMATS, MARKER, parse_formats, write_recap_files, written_for
from bot.recap.model import Recap
from bot.recap.posts import discord_posts
from bot.recap.site import write_site
from tests.fixtures.recap import scenario as sc


def test_all_formats_are_written(tmp_path: Path) -> None:
    recap = build_recap(sc.stored_input())
    paths = write_recap_files(recap, tmp_path / "out")
    assert [p.name for p in paths] == [
        "recap.md",
        "leadershipchat-2024-05-07-transcript.md",
        "recap.html",
        "recap.json",
        "messages.csv",
        "activity.png",
    ]
    assert all(p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [MARKER, *(p.name for p in paths)]
    )
    assert written_for(tmp_path / "out") == recap.session_id
    assert "](activity.png)" in (tmp_path / "out" / "recap.md").read_text(encoding="utf-8")


def test_only_the_chosen_formats(tmp_path: Path) -> None:
    recap = build_recap(sc.stored_input())
    paths = write_recap_files(recap, tmp_path, {"md", "json"})
    assert [p.name for p in paths] == [
        "recap.md",
        "leadershipchat-2024-05-07-transcript.md",
        "recap.json",
    ]
    assert "activity.png" not in (tmp_path / "recap.md").read_text(encoding="utf-8")


def test_formats_are_parsed_and_unknown_ones_named() -> None:
    assert parse_formats("md, HTML") == {"md", "html"}
    with pytest.raises(ValueError, match="pdf"):
        parse_formats("md,pdf")
    with pytest.raises(ValueError, match=",".join(FORMATS)):
        parse_formats("")


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EVIL = "nul\x00 bell\x07 esc\x1b[31mred\x1b[0m cr\r over\u202eride"


def evil_recap() -> Recap:
    """Control characters, a terminal escape and a bidi override in a member's message, a
    member's name and the title: text a member or a restored database can hold."""
    rows = sc.stored_rows()
    i = next(i for i, r in enumerate(rows) if r.content.startswith("A1: Leaders listen"))
    rows[i] = replace(rows[i], content=f"A1: {EVIL}")
    data = sc.stored_input(rows)
    members = dict(data.members)
    members[rows[i].author_id] = replace(members[rows[i].author_id], display_name=f"Ana{EVIL}")
    topic = replace(data.session.topic, title=f"Title \x1b[2J{EVIL}")
    session = replace(data.session, topic=topic)
    return build_recap(replace(data, messages=rows, members=members, session=session))


def test_no_control_character_reaches_a_file_people_read(tmp_path: Path) -> None:
    recap = evil_recap()
    write_recap_files(recap, tmp_path / "out")
    write_site([(recap, None)], tmp_path / "site", "Archive \x1b[31m")
    readable = [p for p in (*(tmp_path / "out").iterdir(), *(tmp_path / "site").rglob("*"))]
    readable = [p for p in readable if p.suffix in (".md", ".html", ".csv", ".xml")]
    assert len(readable) >= 7
    for path in readable:
        text = path.read_text(encoding="utf-8-sig")
        assert UNSAFE.findall(text) == [], path.name
        assert "[31mred" not in text, f"{path.name}: the whole escape sequence goes"
    md = (tmp_path / "out" / "recap.md").read_text(encoding="utf-8")
    assert "nul bell escred" in md and "Title" in md
    for post in discord_posts(recap):
        assert UNSAFE.findall(post.content + json.dumps(post.embeds, ensure_ascii=False)) == []


def test_recap_json_keeps_the_text_as_stored_escaped(tmp_path: Path) -> None:
    recap = evil_recap()
    write_recap_files(recap, tmp_path, ["json"])
    raw = (tmp_path / "recap.json").read_text(encoding="utf-8")
    assert UNSAFE.findall(raw) == [], "escaped as \\uXXXX, never raw"
    doc = json.loads(raw)
    assert doc["title"] == f"Title \x1b[2J{EVIL}"
    assert f"A1: {EVIL}" in [m["text"] for m in doc["messages"]]
