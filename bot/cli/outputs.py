"""Where commands write files (`--out`, `site DIR`, `stats --png`): checked before the work
starts, and any write that fails on the way is a message naming the path, never a traceback."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from bot.cli.common import CliError
from bot.cli.user_paths import reason, shown


def _nearest_existing(path: Path) -> Path:
    return next((p for p in (path, *path.parents) if p.exists()), Path("."))


def output_folder(path: Path, what: str) -> Path:
    """Make sure `path` is, or can become, a folder we may write in; CliError saying why not.

    Nothing is created here: a command that stops on another error leaves no empty folder."""
    if path.exists() and not path.is_dir():
        raise CliError(f"{what} {path} is a file, not a folder: give a folder (it is created)")
    base = _nearest_existing(path)
    if not base.is_dir():
        raise CliError(f"{what} {path}: {base} is a file, so no folder can be made under it")
    if not os.access(base, os.W_OK | os.X_OK):
        raise CliError(f"{what} {path}: {base} is read-only: give a folder you can write to")
    return path


def output_file(path: Path, what: str) -> Path:
    """Make sure `path` can be written as a file (its folder is created); CliError if not."""
    if path.is_dir():
        raise CliError(f"{what} {path} is a folder: give a file name")
    output_folder(path.parent, what)
    if path.exists() and not os.access(path, os.W_OK):
        raise CliError(f"{what} {path} is read-only: give a file you can write")
    return path


@contextlib.contextmanager
def writing(what: str, path: Path) -> Iterator[None]:
    """An OSError while writing (disk full, permissions, a name taken by a folder) -> CliError."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or path
        raise CliError(
            f"{what} {shown(path)}: could not write {shown(where)}: {reason(exc)}"
        ) from None
