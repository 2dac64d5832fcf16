"""The command line's top level: one guard for the unexpected (exit 1, one line, a crash log),
user errors exit 2, and the options every command shares work before or after its name."""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import schedule
from tests.conftest import EXAMPLE_CONFIG, CliResult

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def crash_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def explode(*_: Any, **__: Any) -> Any:
    raise RuntimeError(f"boom with {TOKEN} inside")


def test_an_unexpected_error_is_one_line_with_a_private_crash_log(
    crash_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., CliResult],
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setattr(schedule, "next_starts", explode)
    result = run_cli("--config", EXAMPLE_CONFIG, "schedule")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "leadershipchat schedule failed unexpectedly (RuntimeError)" in lines[0]
    assert "--debug" in lines[0] and "Traceback" not in result.err
    (log,) = crash_dir.glob("leadershipchat-crash-*.log")
    assert str(log) in lines[0]
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text
    assert TOKEN not in text and "[redacted]" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_debug_shows_the_traceback_instead(
    crash_dir: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., CliResult]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setattr(schedule, "next_starts", explode)
    result = run_cli("schedule", "--config", EXAMPLE_CONFIG, "--debug")
    assert result.code == 1
    assert "Traceback" in result.err and "RuntimeError: boom" in result.err
    assert TOKEN not in result.err
    assert not list(crash_dir.iterdir())


def test_the_shared_options_work_after_the_command_name_too(
    run_cli: Callable[..., CliResult],
) -> None:
    before = run_cli("--config", EXAMPLE_CONFIG, "schedule", "--weeks", "1")
    after = run_cli("schedule", "--weeks", "1", "--config", EXAMPLE_CONFIG)
    assert after.code == 0, after.err
    assert after.out == before.out and "#LeadershipChat" in after.out
    nested = run_cli("prompts", "validate", "--config", EXAMPLE_CONFIG)
    assert nested.code == 0, nested.err
    # given before the command, a value is not reset by the command's own default
    missing = run_cli("--config", "missing.yaml", "schedule")
    assert missing.code == 2 and "missing.yaml not found" in missing.err


@pytest.mark.parametrize("command", [["schedule"], ["prompts", "list"], ["stats"]])
@pytest.mark.parametrize("weeks", ["100000000", "0", "-3", "many"])
def test_weeks_out_of_range_is_a_usage_error(
    command: list[str], weeks: str, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", EXAMPLE_CONFIG, *command, "--weeks", weeks)
    assert result.code == 2
    assert "argument --weeks" in result.err and "Traceback" not in result.err


def test_the_longest_schedule_allowed_works(run_cli: Callable[..., CliResult]) -> None:
    result = run_cli("--config", EXAMPLE_CONFIG, "schedule", "--weeks", "520")
    assert result.code == 0, result.err
    assert result.out.count("#LeadershipChat on") == 520


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "-1", "soon"])
@pytest.mark.parametrize("option", [["run", "--start-in"], ["health", "--stale-after"]])
def test_seconds_that_are_no_time_are_usage_errors(
    option: list[str], value: str, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", EXAMPLE_CONFIG, *option, value)
    assert result.code == 2, result.err
    assert f"argument {option[1]}" in result.err and "Traceback" not in result.err
