"""Reading a file the user named, bounded in size and never stuck waiting for a writer.

A path on the command line may be a named pipe (FIFO), `/dev/zero` or a huge file. Opening a FIFO
for reading waits until some program opens it for writing, for ever if none does; so it is opened
without waiting (a FIFO nobody writes to then reads as empty) and made blocking again, so a pipe a
program is still writing (`<(cat post.md)`) is read whole. At most `limit` bytes are read.
"""

from __future__ import annotations

import os
from pathlib import Path


def read_at_most(path: Path, limit: int) -> bytes:
    """Up to `limit` bytes of `path` (the caller reads `limit + 1` to tell "too big");
    OSError as `open` raises it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as file:
        os.set_blocking(fd, True)
        return file.read(limit)
