"""Write a recap's files into one folder (the engine uses `settings.recap_dir / recap.slug`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.recap.chart import render_activity_png
from bot.recap.export import render_csv, render_json
from bot.recap.html import render_html
from bot.recap.markdown import render_markdown, render_transcript
from bot.recap.model import Recap

FORMATS = ("md", "html", "json", "csv", "png")
ALL = frozenset(FORMATS)


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
        "json": [("recap.json", lambda: render_json(recap).encode())],
        "csv": [("messages.csv", lambda: render_csv(recap).encode("utf-8-sig"))],
        "png": [("activity.png", chart)],
    }
    written = []
    for fmt in FORMATS:
        if fmt in wanted:
            written += [_write(out_dir / name, make()) for name, make in jobs[fmt]]
    return written
