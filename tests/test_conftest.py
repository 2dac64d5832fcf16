"""The suite-wide guards of tests/conftest.py, seen from a test that runs under them."""

from __future__ import annotations

import threading
import time

import pytest


def test_a_thread_still_closing_when_its_test_ends_gets_the_whole_grace(
    request: pytest.FixtureRequest,
) -> None:
    """Threads a test leaves closing (an event loop's executor shut down without waiting, a
    store being closed) are not a leak if they end within the grace. One slow thread among
    several quick ones must get the whole grace, not its share of it (the guard failed this
    test, by chance of load, when the slow one needed more than grace / threads)."""
    go = threading.Event()

    def closing(seconds: float) -> None:
        go.wait()
        time.sleep(seconds)

    threads = [threading.Thread(target=closing, args=(1.0,), name="slow-to-close")]
    threads += [threading.Thread(target=closing, args=(0,), name=f"quick-{n}") for n in range(3)]
    for thread in threads:
        thread.start()
    request.addfinalizer(go.set)  # runs before the guard's check: all four are still alive then
