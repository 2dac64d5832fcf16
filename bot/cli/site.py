"""`leadershipchat site DIR`: a static archive of every recap (index, pages, Atom feed)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, load_config
from bot.cli.database import with_store
from bot.cli.outputs import output_folder, writing
from bot.cli.user_paths import shown
from bot.config import Settings
from bot.recap.model import Recap
from bot.recap.site import is_site, load_site_recaps, write_site
from bot.store import Store


def register(sub: Any) -> None:
    p = sub.add_parser("site", help="write a static archive of all recaps (publish anywhere)")
    p.add_argument("dir", type=Path, help="output folder")
    p.add_argument("--chat", help="only this chat (default: every chat)")
    p.add_argument("--base-url", help="where the site will live, for absolute links in the feed")
    p.add_argument("--title", help="archive title (default: '<hashtag> archive')")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_config(args, read_only=True)
    try:
        chat = settings.chat(args.chat)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    if args.base_url and not args.base_url.startswith(("https://", "http://")):
        raise CliError("--base-url must start with https:// or http://")
    output_folder(args.dir, "DIR")
    _not_someone_elses(args.dir)
    title = args.title or f"{chat.hashtag} archive"
    folder = args.dir.resolve()
    recaps = with_store(
        settings.database, lambda store: _load(store, settings, args, folder, title)
    )
    with writing("DIR", args.dir):
        written = write_site(recaps, args.dir, title, base_url=args.base_url)
    print(f"{len(recaps)} recap(s); open {args.dir / 'index.html'} ({len(written)} files written)")
    return 0


def _not_someone_elses(folder: Path) -> None:
    """Refuse a folder whose index.html or feed.xml this command did not write (a web server's
    own page): the site would replace it."""
    for name in ("index.html", "feed.xml"):
        if (folder / name).exists() and not is_site(folder):
            raise CliError(
                f"DIR {shown(folder)} holds {name} that leadershipchat did not write (nothing was "
                "written): give an empty folder, or the folder of an earlier `leadershipchat site`"
            )


async def _load(
    store: Store, settings: Settings, args: argparse.Namespace, folder: Path, title: str
) -> list[tuple[Recap, datetime | None]]:
    """The recaps, and a note of where the site goes: forgetting a member rewrites it. The note
    is written once the recaps could be read (never into a database that cannot be)."""
    recaps = await load_site_recaps(
        store.recap_source, settings, args.chat
    )  # a damaged one: a warning
    await store.redo.record_output(
        "site", folder, datetime.now(UTC), chat=args.chat, title=title, base_url=args.base_url
    )
    return recaps
