"""The last line of defence: an unexpected exception becomes one line and a crash log, exit 1.

A host who hits a bug should see what failed and where the details are, not forty lines of
traceback (and not a token or a member's words pasted into a chat when they ask for help). The
traceback goes to a private file in the temporary folder, redacted like every log line; `--debug`
prints it instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bot.logs import RedactSecrets, token_values

EXIT_UNEXPECTED = 1


def crash_log_dir() -> Path:
    return Path(tempfile.gettempdir())


def write_crash_log(command: str, exc: BaseException) -> Path | None:
    """The redacted traceback in a new 0600 file; None when no file could be written."""
    now = datetime.now(UTC)
    text = "".join(traceback.format_exception(exc))
    body = (
        f"leadershipchat {command} failed at {now.isoformat(timespec='seconds')}\n"
        f"argv: {' '.join(sys.argv[1:])}\n\n{text}"
    )
    body = RedactSecrets(token_values(None)).redact(body)
    path = crash_log_dir() / f"leadershipchat-crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as out:
            out.write(body)
    except OSError:
        return None
    return path


def report_crash(command: str, exc: BaseException, *, debug: bool) -> int:
    """Tell the user in one line (or, with --debug, the whole traceback); exit status 1."""
    what = f"leadershipchat {command} failed unexpectedly ({type(exc).__name__})"
    if debug:
        text = "".join(traceback.format_exception(exc))
        print(RedactSecrets(token_values(None)).redact(text), file=sys.stderr, end="")
        print(f"error: {what}", file=sys.stderr)
        return EXIT_UNEXPECTED
    log = write_crash_log(command, exc)
    where = f"the traceback is in {log}" if log else "no crash log could be written"
    print(
        f"error: {what}; {where} (or run again with --debug to see it). "
        "This is a bug: please report it with that file.",
        file=sys.stderr,
    )
    return EXIT_UNEXPECTED
