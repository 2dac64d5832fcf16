"""Shared fixtures. Keep each one small and documented; module-specific helpers and constants
stay in their test file (test modules do not import this file)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.cli.main import main as cli_main
from bot.config import Settings, load_settings
from bot.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "config.example.yaml"


@pytest.fixture
def settings() -> Settings:
    """The shipped config.example.yaml, loaded (its prompts_dir is the repo's prompts/)."""
    return load_settings(EXAMPLE_CONFIG)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """`write_config(text, name="config.yaml")` writes a config file into tmp_path and returns it."""

    def write(text: str, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A fresh, fully migrated database in tmp_path; closed after the test."""
    opened = await Store.open(tmp_path / "test.db")
    try:
        yield opened
    finally:
        await opened.close()


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """`run_cli("prompts", "list", ...)` runs `leadershipchat` in-process and captures its output."""

    def run(*argv: str | Path) -> CliResult:
        capsys.readouterr()  # drop anything printed before
        code = cli_main([str(a) for a in argv])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
