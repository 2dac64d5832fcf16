"""The static archive: index (newest first), one page per session, an Atom feed."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from bot.recap.build import build_recap
from bot.recap.site import entry_for, render_feed, render_index, write_site
from bot.store import Store
from tests.conftest import CliResult
from tests.fixtures.recap import scenario as sc

ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = """
database: test.db
recap_dir: recaps
chats:
  - name: leadershipchat
    guild_id: 777
    channels: {chat: 555}
"""


def recaps() -> list:
    latest = build_recap(sc.stored_input())
    older = replace(latest, title="Feedback that lands", chat_date=latest.chat_date.replace(day=1))
    older = replace(
        older,
        start_at=latest.start_at.replace(day=1),
        end_at=latest.end_at.replace(day=1),
        late_until=None,
    )
    return [(older, None), (latest, latest.end_at)]


def test_index_lists_sessions_newest_first_with_date_people_and_links() -> None:
    html = render_index([entry_for(r, at) for r, at in recaps()], "#LeadershipChat archive")
    titles = re.findall(r'<h2><a href="([^"]+)">([^<]+)</a></h2>', html)
    assert titles == [
        ("leadershipchat-2024-05-07/recap.html", "#LeadershipChat: Leading through change"),
        ("leadershipchat-2024-05-01/recap.html", "#LeadershipChat: Feedback that lands"),
    ]
    assert "Tuesday, May 7, 2024, 8:00 pm – 9:00 pm EDT" in html
    assert "7 participants · 24 answers" in html
    assert 'type="application/atom+xml"' in html and "prefers-color-scheme" in html


def test_feed_is_valid_atom_with_absolute_links_when_given_a_base_url() -> None:
    entries = [entry_for(r, at) for r, at in recaps()]
    feed = ET.fromstring(render_feed(entries, "Archive & more", "https://blog.example/chat"))
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Archive & more"
    items = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in items] == [
        "#LeadershipChat: Leading through change",
        "#LeadershipChat: Feedback that lands",
    ]
    link = items[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == "https://blog.example/chat/leadershipchat-2024-05-07/recap.html"
    assert items[0].findtext(f"{ATOM}id") == "urn:leadershipchat:leadershipchat-2024-05-07"
    assert "Q1: What does a leader do first" in (items[0].findtext(f"{ATOM}summary") or "")
    assert feed.findtext(f"{ATOM}updated") == "2024-05-08T01:00:00+00:00"


def test_write_site_links_resolve(tmp_path: Path) -> None:
    write_site(recaps(), tmp_path, "Archive")
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="([^"#:]+)"', index):
        assert (tmp_path / href).exists(), href
    page = (tmp_path / "leadershipchat-2024-05-07" / "recap.html").read_text(encoding="utf-8")
    assert '<a href="../index.html">← All chats</a>' in page
    assert (tmp_path / "feed.xml").exists()


def test_site_cli_builds_the_archive_from_the_database(
    tmp_path: Path,
    write_config: Callable[..., Path],
    run_cli: Callable[..., CliResult],
) -> None:
    config = write_config(CONFIG)
    asyncio.run(_fill(tmp_path / "test.db"))
    out = tmp_path / "site"
    result = run_cli("--config", config, "site", out, "--base-url", "https://x.example/")
    assert result.code == 0, result.err
    assert "3 recap(s)" in result.out
    dirs = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert dirs == [
        "leadershipchat-2024-04-23",
        "leadershipchat-2024-04-30",
        "leadershipchat-2024-05-07",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("2024-05-07") < index.index("2024-04-30")
    assert "#LeadershipChat archive" in index


def test_site_cli_never_overwrites_a_web_folder_it_did_not_write(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., CliResult]
) -> None:
    """`leadershipchat site /var/www/html` must not replace the server's own index.html (or a
    feed.xml) with the archive's: the folder is refused, nothing in it touched. A folder the
    command wrote before is written again."""
    config = write_config(CONFIG)
    asyncio.run(_fill(tmp_path / "test.db"))
    for name in ("index.html", "feed.xml"):
        www = tmp_path / f"www-{name}"
        www.mkdir()
        (www / name).write_text("my own page\n", encoding="utf-8")
        result = run_cli("--config", config, "site", www)
        assert result.code == 2, result.err
        assert f"{name} that leadershipchat did not write" in result.err
        assert sorted(p.name for p in www.iterdir()) == [name]
        assert (www / name).read_text(encoding="utf-8") == "my own page\n"
    ours = tmp_path / "site"
    assert run_cli("--config", config, "site", ours).code == 0
    assert run_cli("--config", config, "site", ours).code == 0


def test_site_cli_rejects_a_base_url_that_is_not_a_web_address(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("--config", write_config(CONFIG), "site", tmp_path, "--base-url", "ftp://x")
    assert result.code == 2 and "--base-url" in result.err


async def _fill(path: Path) -> None:
    async with Store(path) as store:
        await sc.fill_store(store)


def test_feed_stays_well_formed_with_control_characters_in_titles() -> None:
    (older, at), (latest, posted) = recaps()
    odd = replace(
        latest, title="Bells\x07 and\x00 nulls\x1b[31m and \ufffe", hashtag="#Lead\x0bership"
    )
    feed = render_feed([entry_for(odd, posted), entry_for(older, at)], "Archive\x01")
    root = ET.fromstring(feed)  # raises on anything not well-formed
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles[0].rstrip() == "#Leadership: Bells and nulls and"  # the escape goes whole
    assert root.findtext(f"{ATOM}title") == "Archive"


def test_a_chat_name_from_a_restored_database_stays_inside_the_folders(
    tmp_path: Path, write_config: Callable[..., Path], run_cli: Callable[..., CliResult]
) -> None:
    config = write_config(CONFIG)
    db = tmp_path / "test.db"
    asyncio.run(_fill(db))
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE sessions SET chat = '../../escaped'")
    site = tmp_path / "deep" / "site"
    assert run_cli("--config", config, "site", site).code == 0
    recap = run_cli("--config", config, "recap", "--last")
    assert recap.code == 0, recap.err
    assert (site / "escaped-2024-05-07" / "recap.html").is_file()
    assert (tmp_path / "recaps" / "escaped-2024-05-07" / "recap.md").is_file()
    for base in (site, tmp_path / "recaps"):  # where `../../` would have led
        assert not (base / "../../escaped-2024-05-07").resolve().exists()
