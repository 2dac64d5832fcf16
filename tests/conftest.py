"""Shared fixtures. Keep each one small and documented; module-specific helpers and constants
stay in their test file (test modules do not import this file)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
def no_writer() -> Callable[[Path, Callable[[], Any]], Any]:
    """`no_writer(fifo, call)`: what `call()` returns (or raises) on a FIFO nobody writes to;
    the test fails if it blocks there (opening the FIFO for writing then lets it go)."""

    def run(fifo: Path, call: Callable[[], Any]) -> Any:
        returned: list[Any] = []
        raised: list[BaseException] = []

        def attempt() -> None:
            try:
                returned.append(call())
            except BaseException as exc:  # re-raised in the test's thread
                raised.append(exc)

        thread = threading.Thread(target=attempt, daemon=True)
        thread.start()
        thread.join(10)
        if thread.is_alive():
            os.close(os.open(fifo, os.O_WRONLY))
            thread.join(10)
            pytest.fail(f"blocked on {fifo.name}, a FIFO nobody writes to")
        if raised:
            raise raised[0]
        return returned[0]

    return run


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
    docs/discord-conformance.md does not name, and, after the whole suite, when the list names
    something no test validated (tests/fakediscord/spec/coverage.py)."""
    from tests.fakediscord.spec.coverage import VALIDATED, never_validated, undocumented_uses

    session.config._leadershipchat_status = session.exitstatus  # type: ignore[attr-defined]
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: the controller checks the whole
        worker_output["conformance_validated"] = {m: sorted(n) for m, n in VALIDATED.items()}
        return
    found = undocumented_uses()
    title = "not listed under 'REST: the bot' though a bot test called them"
    if not found and VALIDATED and _whole_suite_passed(session):
        found = never_validated(_passed - _not_passed)
        title = "listed as validated though no test validated them"
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_line(f"docs/discord-conformance.md: Discord operations {title}:", red=True)
        for line in found:
            reporter.write_line(f"  - {line}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    session.config._leadershipchat_status = session.exitstatus  # type: ignore[attr-defined]


_passed: set[tuple[str, str]] = set()  # (file, test) of each test that passed a report
_not_passed: set[tuple[str, str]] = set()  # ... and of each that was skipped or failed one


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Which tests ran and passed (under xdist the controller sees every worker's reports): the
    coverage list holds a row to the run only when the tests it names passed."""
    from tests.fakediscord.spec.coverage import test_ref

    if report.passed and report.when == "call":
        _passed.add(test_ref(report.nodeid))
    elif not report.passed:
        _not_passed.add(test_ref(report.nodeid))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist: what a worker's fakes validated comes home to the controller."""
    from tests.fakediscord.spec.coverage import VALIDATED

    for module, names in getattr(node, "workeroutput", {}).get("conformance_validated", {}).items():
        VALIDATED[module] |= set(names)


def _whole_suite_passed(session: pytest.Session) -> bool:
    """The run was `make test`'s: all of tests/, nothing deselected, nothing failed."""
    config = session.config
    return (
        session.exitstatus == pytest.ExitCode.OK
        and config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not config.option.keyword
        and not config.option.markexpr
        and not getattr(config.option, "deselect", None)
        and not getattr(config.option, "lf", False)
        and not config.option.collectonly
    )


# -- threads left behind ----------------------------------------------------------------------
# A non-daemon thread still running when the suite ends (an aiosqlite connection never closed
# is one) keeps the interpreter from exiting: pytest hangs after "N passed". The fixture below
# fails the test that left one, by name; should one still be alive at the very end, the run
# says which and exits instead of hanging.

# Seconds the new threads of a test get, together, to finish after it (closing takes a moment,
# more on a loaded machine); only a test that really leaves one waits it out.
THREAD_GRACE = 10.0
_left_behind: list[tuple[str, threading.Thread]] = []  # (test, thread) of each leak found


def _running_non_daemon() -> set[threading.Thread]:
    main = threading.main_thread()
    return {t for t in threading.enumerate() if t is not main and not t.daemon and t.is_alive()}


@pytest.fixture(autouse=True)
def no_thread_left_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test that leaves a non-daemon thread running (autouse fixtures are set up first,
    so this check runs after the test's own fixtures have closed what they opened)."""
    before = _running_non_daemon()
    yield
    new = _running_non_daemon() - before
    deadline = time.monotonic() + THREAD_GRACE
    for thread in new:
        thread.join(max(0.0, deadline - time.monotonic()))
    left = sorted((t for t in new if t.is_alive()), key=lambda t: t.name)
    if left:
        _left_behind.extend((request.node.nodeid, t) for t in left)
        pytest.fail(
            f"left non-daemon thread(s) running: {', '.join(t.name for t in left)} (an aiosqlite "
            "connection never closed? close the store in a fixture or `async with`)",
            pytrace=False,
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    """Last hook of the run (of each xdist worker): with a thread a test left behind still
    alive, the interpreter would wait on it forever; say which test left it and exit with the
    run's status instead (the test itself has failed already)."""
    alive = [(test, t) for test, t in _left_behind if t.is_alive()]
    if not alive:
        return
    print(
        "\nthreads left behind still running at the end of the run:",
        *(f"  {t.name}, left by {test}" for test, t in alive),
        "exiting without waiting for them",
        sep="\n",
        file=sys.stderr,
    )
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(int(getattr(config, "_leadershipchat_status", 1)) or 1)
