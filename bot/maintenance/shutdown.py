"""A clean stop on SIGTERM (what `docker stop` sends) as well as on Ctrl-C.

Python's default SIGTERM kills the process without running `finally` blocks, so the bot would
never close its Discord session or its database. `stop_on_signals` turns the signal into a
callback on the event loop; the caller cancels its tasks and closes things in order.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_on_signals(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], object]
) -> Callable[[], None]:
    """Call `stop()` once on the first SIGTERM/SIGINT; return a function that removes the handlers.

    Where the loop cannot take signal handlers (Windows), nothing is installed."""
    fired = False

    def handler(sig: signal.Signals) -> None:
        nonlocal fired
        if fired:
            log.warning("%s again: still shutting down", sig.name)
            return
        fired = True
        log.info("%s received: shutting down cleanly", sig.name)
        stop()

    installed = []
    for sig in SIGNALS:
        try:
            loop.add_signal_handler(sig, handler, sig)
        except (NotImplementedError, RuntimeError):
            continue
        installed.append(sig)

    def remove() -> None:
        for sig in installed:
            loop.remove_signal_handler(sig)

    return remove
