"""The one place where an OSError on a path the user named becomes a user error (exit 2).

Any command may meet a path it cannot use: a name over 255 bytes, a symbolic link loop, a folder
that is a file, no permission, a full disk. Each command checks what it can up front
(`outputs.py`, `database.py`), but the file system has more ways to say no than any check knows,
so the top-level guard asks `path_problem` before calling an error a bug: an OSError (or
pathlib's symlink-loop RuntimeError) on a path given on the command line or in the config is the
user's to fix, and is told as `PATH: what`. Errors on other paths stay bugs.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.unsafe_text import escaped

_LOOP = re.compile(r"^Symlink loop from '(?P<path>.*)'$", re.DOTALL)  # pathlib before 3.13
SHOWN = 80  # characters of a path shown in a message; a 5,000-character name is cut

# Errors that always mean the name itself cannot be used, whoever built it.
_NAME_ERRORS = {errno.ENAMETOOLONG, errno.ELOOP}

_REASONS = {
    errno.ENAMETOOLONG: "name too long (a file or folder name may have at most 255 bytes, "
    "a whole path 4,095)",
    errno.ELOOP: "symbolic link loop (a link that leads back to itself)",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EEXIST: "already exists",
    errno.EINVAL: "not a usable name here",
}


def shown(path: str | os.PathLike[str]) -> str:
    """A path as a message shows it: control characters escaped, long ones cut in the middle."""
    text = escaped(os.fspath(path))
    if len(text) <= SHOWN:
        return text
    return f"{text[:40]}…{text[-30:]} ({len(text)} characters)"


def _named(values: Iterable[object]) -> Iterator[str]:
    for value in values:
        if isinstance(value, Path):
            yield os.path.abspath(value)
        elif isinstance(value, list | tuple):
            yield from _named(value)


def named_paths(args: argparse.Namespace) -> list[str]:
    """Every path in the parsed command line, and the config's paths once it was loaded
    (`common.load_config` keeps them in `args.config_paths`), made absolute."""
    return list(_named(vars(args).values()))


def _related(found: str, named: str) -> bool:
    """`found` is `named`, inside it, or a folder on the way to it."""
    return found == named or found.startswith(named + os.sep) or named.startswith(found + os.sep)


def _failed_path(exc: BaseException) -> tuple[str, int | None] | None:
    if isinstance(exc, OSError) and exc.filename is not None:
        return os.fsdecode(exc.filename), exc.errno
    if isinstance(exc, RuntimeError) and (m := _LOOP.match(str(exc))):
        return m["path"], errno.ELOOP
    return None


# Errors that may pass on their own (space freed, a disk back): said the same way, but exit 1,
# so a service manager restarts `run` (exit 2 tells it not to).
_MAY_PASS = {errno.ENOSPC, errno.EDQUOT, errno.EIO}


def may_pass(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _MAY_PASS


def reason(exc: OSError) -> str:
    """What an OSError means, in the words of this project's messages."""
    return _REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def path_problem(exc: BaseException, args: argparse.Namespace) -> str | None:
    """`PATH: what` for an error on a path the user can change; None for anything else (a bug)."""
    failed = _failed_path(exc)
    if failed is None:
        return None
    path, code = failed
    absolute = os.path.abspath(path)
    if code not in _NAME_ERRORS and not any(_related(absolute, p) for p in named_paths(args)):
        return None
    what = reason(exc) if isinstance(exc, OSError) else _REASONS[errno.ELOOP]
    return f"{shown(path)}: {what}"
