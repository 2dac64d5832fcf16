"""A static archive of every recap: index.html (newest first), one folder per session, feed.xml.

Plain files that any static host or blog can serve. The index and feed are pure functions of
`SiteEntry` values; `load_site_recaps` reads (a `RecapSource`) and `write_site` writes everything.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.damaged_row import DamagedRow
from bot.domain.sessions import HELD
from bot.recap.build import build_recap
from bot.recap.display import span
from bot.recap.files import head, small_json, write_recap_files
from bot.recap.html import environment
from bot.recap.inputs import load_recap_input
from bot.recap.markdown import summary_sentence
from bot.recap.model import Recap
from bot.recap.source import RecapSource
from bot.unsafe_text import printable

if TYPE_CHECKING:
    from bot.config import Settings

log = logging.getLogger(__name__)

PAGE = "recap.html"
SITE_FORMATS = ("md", "html", "json", "csv", "png")
SITE_MARKER = ".leadershipchat-site.json"  # rewrites after a forget touch only marked sites
_SITE_KIND = "leadershipchat archive site"


@dataclass(frozen=True)
class SiteEntry:
    """One session as the index and feed list it."""

    slug: str
    title: str
    heading: str  # hashtag (or chat) + title
    when: str  # "Tuesday, May 7, 2024, 8:00 pm – 9:00 pm EDT"
    start_at: datetime
    updated: datetime
    participants: int
    answers: int
    questions: tuple[str, ...]
    summary: str


def entry_for(recap: Recap, updated: datetime | None = None) -> SiteEntry:
    recap = recap.printable()
    return SiteEntry(
        slug=recap.slug,
        title=recap.title,
        heading=recap.display_title,
        when=span(recap.start_at, recap.end_at, recap.timezone),
        start_at=recap.start_at,
        updated=updated or recap.late_until or recap.end_at,
        participants=recap.stats.participants,
        answers=recap.stats.answers,
        questions=tuple(f"Q{q.number}: {q.text}" for q in recap.questions),
        summary=summary_sentence(recap),
    )


def _newest_first(entries: Sequence[SiteEntry]) -> list[SiteEntry]:
    return sorted(entries, key=lambda e: (e.start_at, e.slug), reverse=True)


def render_index(entries: Sequence[SiteEntry], title: str = "Chat archive") -> str:
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            page_title=title,
            entries=_newest_first(entries),
            page=PAGE,
            home_url=None,
        )
    )


# Characters XML 1.0 does not allow at all, even escaped: a feed holding one is not well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_feed(entries: Sequence[SiteEntry], title: str, base_url: str | None = None) -> str:
    """Atom 1.0. Links are absolute when ``base_url`` is given, else relative to the feed.

    Titles and summaries come from hosts and members, so characters XML forbids are dropped."""
    base = (base_url.rstrip("/") + "/") if base_url else ""
    ordered = _newest_first(entries)
    updated = max((e.updated for e in ordered), default=None)
    return _NOT_XML.sub(
        "",
        environment()
        .get_template("feed.xml.j2")
        .render(
            title=title,
            base=base,
            feed_id=base or "urn:leadershipchat:archive",
            updated=updated,
            entries=ordered,
            page=PAGE,
        ),
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def load_site_recaps(
    source: RecapSource, settings: Settings, chat: str | None = None
) -> list[tuple[Recap, datetime | None]]:
    """Every held session's recap (with when its Discord recap went out), newest first.

    A session whose rows cannot be read (a damaged database) is left out with a warning, so
    one bad session does not stop the archive."""
    chats = {c.name: c for c in settings.chats}
    sessions = [s for s in await source.sessions(chat) if s.status in HELD]
    recaps = []
    for s in sessions:
        try:
            recap = build_recap(
                await load_recap_input(source, s.id, chats.get(s.chat)), public=True
            )
        except DamagedRow as exc:
            log.warning(
                "session %d left out of the archive, the database is damaged: %s", s.id, exc
            )
            continue
        recaps.append((recap, s.recap_posted_at))
    return recaps


def write_site(
    recaps: Sequence[tuple[Recap, datetime | None]],
    out_dir: Path,
    title: str,
    *,
    base_url: str | None = None,
    only: Collection[str] | None = None,
) -> list[Path]:
    """One folder per recap (all formats, the page links home), then index.html and feed.xml.
    ``only``: rewrite just these sessions' folders (by slug); the index and feed list them all."""
    title = printable(title)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    entries = []
    for recap, posted in recaps:
        folder = out_dir / recap.slug
        if folder.resolve().parent != out_dir.resolve():  # one folder below, never elsewhere
            raise ValueError(f"recap folder name {recap.slug!r} leaves {out_dir}")
        if only is None or recap.slug in only:
            written += write_recap_files(recap, folder, SITE_FORMATS, home_url="../index.html")
        entries.append(entry_for(recap, posted))
    written.append(_write(out_dir / "index.html", render_index(entries, title)))
    written.append(_write(out_dir / "feed.xml", render_feed(entries, title, base_url)))
    _write(out_dir / SITE_MARKER, json.dumps({"kind": _SITE_KIND}))
    return written


def is_site(folder: Path) -> bool:
    """An archive site this code wrote: its marker, or (from before markers) its index and a
    feed this code generated."""
    marker = small_json(folder / SITE_MARKER, 4096)
    if isinstance(marker, dict):
        return marker.get("kind") == _SITE_KIND
    return (folder / "index.html").is_file() and (
        b"<generator>leadershipchat</generator>" in head(folder / "feed.xml")
    )
