"""Paths the file system refuses (a name over 255 bytes, a symbolic link loop) are the user's to
fix, whichever command meets them: one line `PATH: what`, exit 2, never "this is a bug"."""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import user_paths
from bot.store import Store
from tests.conftest import CliResult
from tests.fixtures.recap import scenario as sc
from tests.test_recap_cli import CONFIG

LONG = "a" * 300


@pytest.fixture
def config(tmp_path: Path, write_config: Callable[..., Path]) -> Path:
    async def fill() -> None:
        async with await Store.open(tmp_path / "test.db") as store:
            await sc.fill_store(store)

    asyncio.run(fill())
    return write_config(CONFIG)


def _commands(config: Path, tmp_path: Path, bad: Path) -> dict[str, list[str | Path]]:
    post = tmp_path / "post.txt"
    post.write_text("# Trust\n\nHow do you build trust on a new team?\n", encoding="utf-8")
    return {
        "config": ["--config", bad.with_suffix(".yaml"), "prompts", "list"],
        "validate": ["--config", config, "prompts", "validate", bad.with_suffix(".yaml")],
        "recap --out": ["--config", config, "recap", "--last", "--out", bad],
        "stats --png": ["--config", config, "stats", "--png", bad.with_suffix(".png")],
        "site": ["--config", config, "site", bad],
        "draft -o": ["--config", config, "prompts", "draft", post, "-o", bad.with_suffix(".yaml")],
        "restore": ["--config", config, "restore", bad.with_suffix(".db")],
        "backup": ["--config", config, "backup", bad],
    }


@pytest.mark.parametrize(
    "command",
    ["config", "validate", "recap --out", "stats --png", "site", "draft -o", "restore", "backup"],
)
def test_a_name_too_long_is_a_user_error(
    command: str, config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli(*_commands(config, tmp_path, tmp_path / LONG)[command])
    assert result.code == 2, result.err
    assert "name too long" in result.err and "bug" not in result.err, result.err
    assert LONG not in result.err, "a 300-character name is shortened in the message"


@pytest.mark.parametrize("command", ["recap --out", "site", "stats --png", "draft -o", "restore"])
def test_a_symbolic_link_loop_is_a_user_error(
    command: str, config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    argv = _commands(config, tmp_path, loop)[command]
    argv[-1] = loop  # the loop itself, not loop.png
    result = run_cli(*argv)
    assert result.code == 2, result.err
    assert str(loop) in result.err and "symbolic link loop" in result.err, result.err
    assert "bug" not in result.err


def test_a_recap_dir_in_the_config_that_loops(
    config: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    text = config.read_text(encoding="utf-8").replace("recap_dir: recaps", "recap_dir: loop/r")
    config.write_text(text, encoding="utf-8")
    result = run_cli("--config", config, "recap", "--last")
    assert result.code == 2 and "symbolic link loop" in result.err, result.err


def _args(**paths: object) -> argparse.Namespace:
    return argparse.Namespace(**paths)


def test_an_error_on_a_path_nobody_named_stays_a_bug(tmp_path: Path) -> None:
    mine = tmp_path / "out"
    elsewhere = OSError(errno.EACCES, "Permission denied", "/usr/share/leadershipchat/x")
    assert user_paths.path_problem(elsewhere, _args(out=mine)) is None
    inside = OSError(errno.EACCES, "Permission denied", str(mine / "recap.md"))
    shown = user_paths.shown(str(mine / "recap.md"))  # cut in the middle when tmp_path is long
    assert user_paths.path_problem(inside, _args(out=mine)) == f"{shown}: permission denied"
    assert user_paths.path_problem(ValueError("x"), _args(out=mine)) is None
    assert user_paths.path_problem(RuntimeError("other"), _args(out=mine)) is None


def test_a_path_is_shown_safely() -> None:
    assert user_paths.shown("a\x1b[31mb") == "a\\x1b[31mb"
    long = user_paths.shown("x" * 5000)
    assert len(long) < 100 and "5000 characters" in long


def test_a_full_disk_is_said_with_exit_1_so_run_is_restarted(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., CliResult],
) -> None:
    """A full disk or an I/O error on the database is no usage error: it may pass, and exit 2
    tells systemd (RestartPreventExitStatus=2, docs/hosting.md) never to start the bot again."""
    import bot.cli.run

    monkeypatch.setenv("DISCORD_TOKEN", "x" * 24 + ".abcdef." + "y" * 27)
    for code, said in ((errno.ENOSPC, "no space left"), (errno.EIO, "input/output error")):

        def full(path: Path, *, code: int = code, **_: object) -> None:
            raise OSError(code, os.strerror(code), str(path))

        monkeypatch.setattr(bot.cli.run, "check_database", full)
        result = run_cli("--config", config, "run")
        assert result.code == 1, result.err
        assert said in result.err and "test.db" in result.err and "bug" not in result.err
