"""recap.json (versioned, ids as strings) and messages.csv (opens safely in a spreadsheet)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from bot.recap.build import build_recap
from bot.recap.export import CSV_COLUMNS, SCHEMA_VERSION, recap_dict, render_csv, render_json
from bot.recap.model import Recap
from tests.fixtures.recap import scenario as sc


@pytest.fixture(scope="module")
def recap() -> Recap:
    return build_recap(sc.stored_input())


def test_json_has_schema_and_version_and_string_ids(recap: Recap) -> None:
    doc = json.loads(render_json(recap))
    assert (doc["schema"], doc["version"]) == ("leadershipchat-recap", SCHEMA_VERSION)
    assert all(
        isinstance(m["id"], str) and isinstance(m["author_id"], str) for m in doc["messages"]
    )
    assert doc["messages"][0]["created_at"].endswith("Z")


def test_json_reads_one_message_per_line_and_holds_exactly_the_recap(recap: Recap) -> None:
    """Readers diff and grep recap.json: the summary is indented, each message is one line."""
    text = render_json(recap)
    assert json.loads(text) == recap_dict(recap)
    lines = text.splitlines()
    message_lines = [ln for ln in lines if ln.startswith('    {"id": ')]
    assert len(message_lines) == len(recap.messages) > 0
    assert all(json.loads(ln.strip().rstrip(",")) for ln in message_lines)
    empty = replace(recap, messages=())
    assert json.loads(render_json(empty))["messages"] == []


def test_json_keeps_unicode_readable(recap: Recap) -> None:
    assert "日本語で答えます 🚀" in render_json(recap)


def test_csv_has_one_row_per_message_in_order(recap: Recap) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(recap))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["id"] for r in rows] == [str(m.id) for m in recap.messages]
    ana = next(r for r in rows if r["id"] == str(sc.message_id("a1a2_chen")))
    assert (ana["author"], ana["kind"], ana["questions"], ana["labels"]) == (
        "Chen",
        "answer",
        "1;2",
        "A1;A2",
    )
    late = next(r for r in rows if r["id"] == str(sc.message_id("late_dee")))
    assert (late["late"], late["local_time"]) == ("yes", "2024-05-07 22:00:00")


def test_csv_cells_that_look_like_formulas_are_defused(recap: Recap) -> None:
    m = replace(recap.messages[0], text='=HYPERLINK("http://evil")', author="@admin")
    rows = list(csv.DictReader(io.StringIO(render_csv(replace(recap, messages=(m,))))))
    assert rows[0]["text"] == '\'=HYPERLINK("http://evil")' and rows[0]["author"] == "'@admin"


def test_csv_keeps_multiline_text_in_one_cell(recap: Recap) -> None:
    m = replace(recap.messages[0], text="line one\nline two, with comma")
    rows = list(csv.DictReader(io.StringIO(render_csv(replace(recap, messages=(m,))))))
    assert rows[0]["text"] == "line one\nline two, with comma"
