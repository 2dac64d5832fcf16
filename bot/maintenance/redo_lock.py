"""One redo of published copies at a time across processes: the running bot's `Republisher`
and a `leadershipchat forget`/`purge` run beside it would otherwise rewrite the same files
from two states of the database, and the one that read first could write last.

An advisory `flock` on a file beside the database: the kernel drops it when its holder dies, so
a SIGKILL never leaves it held. Polled without blocking, so a waiting coroutine stays
cancellable and the event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".redo.lock")


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@asynccontextmanager
async def redo_lock(database: Path, poll: float = POLL_SECONDS) -> AsyncIterator[None]:
    """Held while copies are redone; waits for another process's redo to finish first."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        locked = _try_lock(fd)
        if not locked:
            log.info("another process is redoing published copies; waiting for it to finish")
        while not locked:  # held by another process: there is no event to await
            await asyncio.sleep(poll)
            locked = _try_lock(fd)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
