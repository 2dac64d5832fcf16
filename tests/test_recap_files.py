"""write_recap_files: the folder a host opens (or the engine attaches from) after a chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.recap.build import build_recap
from bot.recap.files import FORMATS, MARKER, parse_formats, write_recap_files, written_for
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
