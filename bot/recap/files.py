"""Write a recap's files into one folder (the engine uses `settings.recap_dir / recap.slug`).

Every folder written gets a small marker, `.leadershipchat-recap.json`, naming the session, so
that rewriting a session's copies later (after a forget) touches only folders this code wrote
for that session, never a path a damaged or foreign database points at.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.recap.chart import render_activity_png
from bot.recap.export import CSV_COLUMNS, SCHEMA, render_csv, render_json
from bot.recap.html import render_html
from bot.recap.markdown import render_markdown, render_transcript
from bot.recap.model import Recap

FORMATS = ("md", "html", "json", "csv", "png")
ALL = frozenset(FORMATS)
MARKER = ".leadershipchat-recap.json"
_MARKER_KIND = "leadershipchat recap folder"
_LEGACY_JSON_BYTES = 64 * 2**20  # a recap.json read to recognise a folder from before markers
_LEGACY_PEEK = 8192  # the head of a messages.csv or recap.html from before markers


def transcript_name(recap: Recap) -> str:
    """`leadershipchat-2024-05-07-transcript.md`: the same name on disk and on Discord."""
    return f"{recap.slug}-transcript.md"


def parse_formats(text: str) -> frozenset[str]:
    """`md,html` -> {"md", "html"}; raises ValueError naming the known formats."""
    wanted = {f.strip().lower() for f in text.split(",") if f.strip()}
    unknown = wanted - ALL
    if unknown or not wanted:
        raise ValueError(
            f"unknown format(s) {', '.join(sorted(unknown)) or '(none)'}; pick from {','.join(FORMATS)}"
        )
    return frozenset(wanted)


def _write(path: Path, data: bytes) -> Path:
    """Atomic: write a temporary file and rename, so a reader never sees half a recap."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def write_recap_files(
    recap: Recap, out_dir: Path, formats: Iterable[str] = ALL, *, home_url: str | None = None
) -> list[Path]:
    """Write the chosen formats; returns the paths written, in FORMATS order.

    md: recap.md and CHAT-DATE-transcript.md; html: recap.html; json: recap.json; csv: messages.csv;
    png: activity.png. The chart is rendered once and shared by png, md (linked) and html.
    ``home_url``: the page links back to an archive index (the static site sets it).
    """
    wanted = set(formats)
    if unknown := wanted - ALL:
        raise ValueError(f"unknown format(s): {', '.join(sorted(unknown))}")
    out_dir.mkdir(parents=True, exist_ok=True)
    png: bytes | None = None
    faithful, recap = recap, recap.printable()  # recap.json keeps the text as stored

    def chart() -> bytes:
        nonlocal png
        if png is None:
            png = render_activity_png(recap)
        return png

    jobs: dict[str, list[tuple[str, Callable[[], bytes]]]] = {
        "md": [
            (
                "recap.md",
                lambda: render_markdown(
                    recap, "activity.png" if "png" in wanted else None
                ).encode(),
            ),
            (transcript_name(recap), lambda: render_transcript(recap).encode()),
        ],
        "html": [
            (
                "recap.html",
                lambda: render_html(recap, chart_png=chart(), home_url=home_url).encode(),
            )
        ],
        "json": [("recap.json", lambda: render_json(faithful).encode())],
        "csv": [("messages.csv", lambda: render_csv(recap).encode("utf-8-sig"))],
        "png": [("activity.png", chart)],
    }
    written = []
    for fmt in FORMATS:
        if fmt in wanted:
            written += [_write(out_dir / name, make()) for name, make in jobs[fmt]]
    marker = {"kind": _MARKER_KIND, "session_id": recap.session_id, "slug": recap.slug}
    _write(out_dir / MARKER, json.dumps(marker).encode())
    return written


def small_json(path: Path, limit: int) -> object:
    """A regular file's JSON, or None (missing, a link, a FIFO, too big, not JSON)."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None


def _named_session(folder: Path) -> tuple[bool, int | None]:
    """Whether the folder says whose it is (its marker, or, from before markers, its recap.json),
    and the session it names (None when that is not a session id)."""
    marker = small_json(folder / MARKER, 4096)
    if isinstance(marker, dict) and marker.get("kind") == _MARKER_KIND:
        found = marker.get("session_id")
    else:
        legacy = small_json(folder / "recap.json", _LEGACY_JSON_BYTES)
        if not (isinstance(legacy, dict) and legacy.get("schema") == SCHEMA):
            return False, None
        found = legacy.get("session_id")
    return True, found if type(found) is int else None


def written_for(folder: Path) -> int | None:
    """The session a recap folder was written for by this code: its marker says so, or, for a
    folder from before markers, its recap.json. None when it is not such a folder."""
    return _named_session(folder)[1]


def _names(recap: Recap, formats: Iterable[str]) -> list[str]:
    by_format = {
        "md": ["recap.md", transcript_name(recap)],
        "html": ["recap.html"],
        "json": ["recap.json"],
        "csv": ["messages.csv"],
        "png": ["activity.png"],
    }
    return [name for fmt in FORMATS if fmt in set(formats) for name in by_format[fmt]]


def files_of_others(folder: Path, recap: Recap, formats: Iterable[str]) -> list[str]:
    """The files that writing the recap into `folder` would replace though this code did not
    write them (a host's own recap.md): none in a new folder or one this code wrote, for any
    session (its marker or recap.json), or for this session before markers."""
    if not folder.is_dir() or _named_session(folder)[0] or is_recap_folder_of(folder, recap):
        return []
    return [name for name in _names(recap, formats) if (folder / name).exists()]


def head(path: Path) -> bytes:
    """The first bytes of a regular file (not a link, FIFO or device), or b""."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return b""
        with path.open("rb") as f:
            return f.read(_LEGACY_PEEK)
    except OSError:
        return b""


def is_recap_folder_of(folder: Path, recap: Recap) -> bool:
    """Whether this code wrote `folder` for the recap's session. A marker decides when there is
    one. A folder from before markers is known by its recap.json, or, when it was written
    without json (`recap --out DIR --format md`), by the session's transcript (named for the
    chat and date), this code's messages.csv header, or a recap.html of that date."""
    says, session = _named_session(folder)
    if says:
        return session == recap.session_id
    if (folder / "recap.json").exists():
        return False  # someone else's recap.json: not this code's folder
    try:
        if stat.S_ISREG((folder / transcript_name(recap)).lstat().st_mode):
            return True
    except OSError:
        pass
    header = ",".join(CSV_COLUMNS).encode()
    if head(folder / "messages.csv").removeprefix(b"\xef\xbb\xbf").startswith(header + b"\r\n"):
        return True
    page = head(folder / "recap.html")
    return page.startswith(b"<!doctype html>") and (
        f"({recap.chat_date.isoformat()})</title>".encode() in page
    )
