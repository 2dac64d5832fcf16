"""Shared fixtures. Keep each one small and documented; module-specific helpers and constants
stay in their test file (test modules do not import this file)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio
from hypothesis import settings as hypothesis_settings

from bot.cli.main import main as cli_main
from bot.config import Settings, load_settings
from bot.store import Store

if TYPE_CHECKING:
    from tests.test_engine import Harness

# Property tests are deterministic in `make test` (CI must not go red on a new random draw);
# `HYPOTHESIS_PROFILE=explore` draws fresh examples, to hunt for new bugs by hand.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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


@pytest_asyncio.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine on a manual clock with the in-memory transport (tests/test_engine.py), its
    one-minute chat planned by the test; the store is closed after the test."""
    from tests.test_engine import TOPIC, Harness, compressed_settings

    h = Harness(tmp_path, compressed_settings(tmp_path), [TOPIC])
    yield h
    if h.store is not None:
        await h.store.close()


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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a bot test called a Discord operation that the coverage list of
    docs/discord-conformance.md does not name (tests/fakediscord/spec/coverage.py)."""
    from tests.fakediscord.spec.coverage import undocumented_uses

    found = undocumented_uses()
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        "Discord operations the bot's tests called that docs/discord-conformance.md does not "
        "list under 'REST: the bot':",
        *(f"  - {op}" for op in found),
    ]
    if reporter is not None:
        reporter.ensure_newline()
        for line in lines:
            reporter.write_line(line, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
