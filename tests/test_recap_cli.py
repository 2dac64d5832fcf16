"""`leadershipchat recap` (from the database or a DiscordChatExporter export) and `stats`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import CliResult
from tests.fixtures.recap import scenario as sc

CONFIG = """
database: test.db
recap_dir: recaps
chats:
  - name: leadershipchat
    guild_id: 777
    channels: {chat: 555}
"""
FILES = [
    "recap.md",
    "leadershipchat-2024-05-07-transcript.md",
    "recap.html",
    "recap.json",
    "messages.csv",
    "activity.png",
]


@pytest.fixture
def config(tmp_path: Path, write_config: Callable[..., Path]) -> Path:
    path = write_config(CONFIG)

    async def fill() -> None:
        async with Store(tmp_path / "test.db") as store:
            await sc.fill_store(store)

    asyncio.run(fill())
    return path


def test_recap_last_regenerates_every_file(
    config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "out"
    result = run_cli("--config", config, "recap", "--last", "--out", out)
    assert result.code == 0, result.err
    assert [Path(line).name for line in result.out.splitlines()] == FILES
    doc = json.loads((out / "recap.json").read_text(encoding="utf-8"))
    assert (doc["session_id"], doc["stats"]["participants"]) == (3, 7)
    assert doc["timezone"] == "America/New_York", "the chat's zone comes from the config"


def test_recap_by_id_goes_to_the_recap_dir_by_default(
    config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", config, "recap", "3", "--format", "json")
    assert result.code == 0, result.err
    assert (tmp_path / "recaps" / "leadershipchat-2024-05-07" / "recap.json").exists()


def test_recap_out_never_overwrites_files_it_did_not_write(
    config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    """`--out notes` where notes/ holds the host's own recap.md: refused, nothing touched. A
    folder the command wrote (this session or another) is written again."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "recap.md").write_text("my own notes\n", encoding="utf-8")
    result = run_cli("--config", config, "recap", "3", "--out", notes)
    assert result.code == 2, result.err
    assert "recap.md that leadershipchat did not write" in result.err
    assert sorted(p.name for p in notes.iterdir()) == ["recap.md"]
    assert (notes / "recap.md").read_text(encoding="utf-8") == "my own notes\n"
    ours = tmp_path / "ours"
    for session in ("3", "2", "2"):
        result = run_cli("--config", config, "recap", session, "--out", ours)
        assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "which session?"),
        (("99",), "no session with id 99"),
        (("3", "--format", "md,pdf"), "--format: unknown format(s) pdf"),
        (("3", "--from-export", "x.json"), "not both"),
    ],
)
def test_recap_usage_errors(
    config: Path, run_cli: Callable[..., CliResult], args: tuple[str, ...], message: str
) -> None:
    result = run_cli("--config", config, "recap", *args)
    assert result.code == 2 and message in result.err


def test_recap_from_export(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    main, thread = sc.dce_exports()
    (tmp_path / "chat.json").write_text(json.dumps(main), encoding="utf-8")
    (tmp_path / "thread.json").write_text(json.dumps(thread), encoding="utf-8")
    topic = tmp_path / "topic.yaml"
    questions = "\n".join(f"  - {json.dumps(q)}" for q in sc.QUESTIONS)
    topic.write_text(
        f"title: {sc.TITLE}\ndate: 2024-05-07\nhosts: [Hana]\nquestions:\n{questions}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli(
        "recap",
        "--from-export",
        tmp_path / "chat.json",
        tmp_path / "thread.json",
        "--host",
        "Hana",
        "--exclude",
        "105",
        "--hide",
        str(sc.message_id("hidden")),
        "--topic",
        topic,
        "--tz",
        "America/New_York",
        "--out",
        out,
    )
    assert result.code == 0, result.err
    doc = json.loads((out / "recap.json").read_text(encoding="utf-8"))
    expected = json.loads(_stored_json())
    assert doc["messages"] == expected["messages"] and doc["questions"] == expected["questions"]
    assert doc["title"] == sc.TITLE and doc["timezone"] == "America/New_York"
    assert "8:06 pm" in (out / "recap.md").read_text(encoding="utf-8")


def _stored_json() -> str:
    from bot.recap.build import build_recap
    from bot.recap.export import render_json

    return render_json(build_recap(sc.stored_input()))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ((), "--from-export needs --out DIR"),
        (("--out", "o", "--tz", "Mars/Base"), "not a known time zone"),
        (("--out", "o", "--start", "20:00"), "not an ISO 8601 time"),
        (("--out", "o", "--start", "2024-05-07T20:00"), "needs a UTC offset"),
        (("--out", "o", "--duration", "soon"), "is not a duration"),
        (("--out", "o", "--start", "9999-12-31", "--tz", "UTC"), "not a time a chat can have"),
        (("--out", "o", "--start", "9999-12-31T23:00-05:00"), "not a time a chat can have"),
        (("--out", "o", "--late-window", "400d"), "--late-window: '400d' is too long"),
        (
            ("--out", "o", "--duration", "8d"),
            "--duration 8d: a chat lasts more than 0s and at most 7d",
        ),
        (("--out", "o", "--duration", "366d"), "--duration 366d: a chat lasts more than 0s"),
    ],
)
def test_recap_from_export_errors_say_what_to_fix(
    tmp_path: Path, run_cli: Callable[..., CliResult], extra: tuple[str, ...], message: str
) -> None:
    main, _ = sc.dce_exports()
    (tmp_path / "chat.json").write_text(json.dumps(main), encoding="utf-8")
    result = run_cli("recap", "--from-export", tmp_path / "chat.json", *extra)
    assert result.code == 2 and message in result.err, result.err


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('"author": "Ana"', "author: expected an object, got text"),
        ('"reactions": ["x"]', "reactions[0]: expected an object, got text"),
        ('"mentions": 5', "mentions: expected a list, got a number"),
        ('"timestamp": "9999-12-31T23:59:59-05:00"', "is not a time a Discord message can have"),
    ],
)
def test_recap_from_an_export_with_a_broken_field_names_file_message_and_field(
    tmp_path: Path, run_cli: Callable[..., CliResult], broken: str, message: str
) -> None:
    main, _ = sc.dce_exports()
    member = next(m for m in main["messages"] if not m["author"]["isBot"])
    key = broken.split(":")[0].strip('"')
    member[key] = "SENTINEL"
    text = json.dumps(main).replace(f'"{key}": "SENTINEL"', broken)
    (tmp_path / "chat.json").write_text(text, encoding="utf-8")
    result = run_cli("recap", "--from-export", tmp_path / "chat.json", "--out", tmp_path / "o")
    assert result.code == 2, result.err
    assert f"{tmp_path / 'chat.json'}: messages[" in result.err and message in result.err
    assert "Traceback" not in result.err


def test_recap_from_a_missing_export(tmp_path: Path, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("recap", "--from-export", tmp_path / "nope.json", "--out", tmp_path)
    assert result.code == 2 and "cannot read a JSON export" in result.err


def test_stats_prints_weeks_and_top_contributors_and_writes_a_chart(
    config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", config, "stats", "--weeks", "2", "--png", tmp_path / "t.png")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == [
        "date",
        "chat",
        "people",
        "new",
        "returning",
        "came",
        "back",
        "answers",
        "title",
    ]
    assert [line.split()[0] for line in lines[1:3]] == ["2024-04-30", "2024-05-07"]
    assert "Top contributors of all time" in result.out and "Ana" in result.out
    assert "Eve" not in result.out
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


def test_stats_needs_a_database(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", write_config(CONFIG), "stats")
    assert result.code == 2 and "no database" in result.err
