"""SIGTERM (what `docker stop` sends) becomes one clean-stop callback on the event loop."""

from __future__ import annotations

import asyncio
import os
import signal

from bot.maintenance.shutdown import stop_on_signals


async def test_sigterm_calls_stop_once_and_handlers_can_be_removed() -> None:
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    calls: list[int] = []

    def stop() -> None:
        calls.append(1)
        stopped.set()

    remove = stop_on_signals(loop, stop)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stopped.wait(), 10)
        stopped.clear()
        os.kill(os.getpid(), signal.SIGINT)  # a second signal while stopping: no second stop
        await asyncio.wait_for(_until_handled(loop), 10)
    finally:
        remove()
    assert calls == [1]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


async def _until_handled(loop: asyncio.AbstractEventLoop) -> None:
    """Give the loop a few turns to run the signal callback (no wall-clock sleeping)."""
    for _ in range(100):
        await asyncio.sleep(0)
