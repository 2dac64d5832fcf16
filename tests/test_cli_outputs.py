"""Where commands write: a file where a folder should be, a path under a file, a read-only place,
or a file name taken by a folder, each a clear message (exit 2) before or instead of a traceback."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import Store
from tests.conftest import CliResult
from tests.fixtures.recap import scenario as sc
from tests.test_recap_cli import CONFIG


@pytest.fixture
def config(tmp_path: Path, write_config: Callable[..., Path]) -> Path:
    async def fill() -> None:
        async with Store(tmp_path / "test.db") as store:
            await sc.fill_store(store)

    asyncio.run(fill())
    return write_config(CONFIG)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(sc.dce_exports()[0]), encoding="utf-8")
    return path


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("keep me\n", encoding="utf-8")
    return path


@pytest.fixture
def read_only(tmp_path: Path) -> Path:
    """A folder nobody may write in (root may write anywhere it owns: /sys is read-only to root)."""
    if os.geteuid() == 0:
        return Path("/sys/kernel")
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    return folder


def recap_cmd(export: Path, out: Path) -> list[str | Path]:
    return ["recap", "--from-export", export, "--host", "Hana", "--out", out]


def test_recap_out_that_is_a_file(
    export: Path, a_file: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli(*recap_cmd(export, a_file))
    assert result.code == 2 and "--out" in result.err and "is a file" in result.err
    assert a_file.read_text() == "keep me\n"


def test_recap_out_under_a_file(
    export: Path, a_file: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli(*recap_cmd(export, a_file / "recaps" / "week1"))
    assert result.code == 2, result.err
    assert f"{a_file} is a file, so no folder can be made under it" in result.err


def test_recap_out_read_only(
    export: Path, read_only: Path, run_cli: Callable[..., CliResult]
) -> None:
    for out in (read_only, read_only / "new"):
        result = run_cli(*recap_cmd(export, out))
        assert result.code == 2, result.err
        assert "--out" in result.err and "Traceback" not in result.err
        assert "read-only" in result.err or "could not write" in result.err, result.err


def test_a_recap_file_name_taken_by_a_folder(
    export: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "out"
    (out / "recap.md").mkdir(parents=True)
    result = run_cli(*recap_cmd(export, out))
    assert result.code == 2, result.err
    # refused before writing anything: it is no recap.md leadershipchat wrote
    assert "holds recap.md that leadershipchat did not write" in result.err
    assert sorted(p.name for p in out.iterdir()) == ["recap.md"]


def test_site_dir_that_is_a_file_or_under_one(
    config: Path, a_file: Path, run_cli: Callable[..., CliResult]
) -> None:
    for target in (a_file, a_file / "site"):
        result = run_cli("--config", config, "site", target)
        assert result.code == 2 and "is a file" in result.err, result.err


def test_stats_png_under_a_file_or_a_folder(
    config: Path, a_file: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", config, "stats", "--png", a_file / "chart.png")
    assert result.code == 2 and f"{a_file} is a file" in result.err, result.err
    result = run_cli("--config", config, "stats", "--png", tmp_path)
    assert result.code == 2 and "is a folder: give a file name" in result.err, result.err


def test_demo_out_that_is_a_file(a_file: Path, run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("demo", "--out", a_file)
    assert result.code == 2 and "is a file" in result.err


def test_a_command_that_stops_early_leaves_no_empty_folder(
    export: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    out = tmp_path / "new" / "recap"
    result = run_cli(*recap_cmd(export, out), "--tz", "Mars/Base")
    assert result.code == 2 and "not a known time zone" in result.err
    assert not (tmp_path / "new").exists()
