"""Forgetting reaches every copy: after `forget`, an opt-out or the retention purge, the recap
folder, the archive site and the bot's own posts (recap parts, newcomer welcomes) are rebuilt from
the database, what was redone is recorded, and a SIGKILL at any point of it is finished later.

A compressed chat runs on the engine with the in-memory platform and the real recap publisher;
then every file and every bot post is searched for the member's name, id and words.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml

from bot.engine import recap_publisher
from bot.engine.recap_publisher import publish_recap
from bot.maintenance import redo_lock as redo_lock_module
from bot.maintenance.forget import Republisher, finish_pending, forget_member
from bot.maintenance.retention import purge_expired
from bot.recap.files import MARKER, written_for
from bot.recap.site import load_site_recaps, write_site
from bot.store import Store
from bot.transport import Outgoing, Posted
from tests.test_engine import CHAT, RECAP, START, TOPIC, Harness, compressed_settings, plan

REPO = Path(__file__).resolve().parent.parent
ZED, BOB, CARA = 424242424242424242, 515151515151515151, 626262626262626262
NAME, WORDS = "Zephyrine", "zebra-secret"


@dataclass
class Published:
    h: Harness
    store: Store
    session_id: int
    site: Path

    @property
    def folders(self) -> list[Path]:
        return [self.h.settings.recap_dir, self.site]


async def chatted(tmp_path: Path) -> tuple[Harness, int]:
    """A chat where Zephyrine (a newcomer) answered and was answered; its recap not yet due."""
    h = Harness(tmp_path, compressed_settings(tmp_path), [TOPIC])
    h.recap = publish_recap  # type: ignore[assignment]
    session = await plan(h)
    await h.run_until(START + timedelta(seconds=6))
    zed = await h.transport.member_post(ZED, NAME, f"A1: my {WORDS} answer", channel_id=CHAT)
    await h.transport.member_post(
        BOB, "Bob", f"A1: agree with <@{ZED}>", channel_id=CHAT, reply_to=zed.message_id
    )
    await h.transport.member_post(CARA, "Cara", "A1: listening first", channel_id=CHAT)
    await h.transport.member_react(zed.message_id, BOB)
    return h, session.id


@pytest_asyncio.fixture
async def chat_before_recap(tmp_path: Path) -> AsyncIterator[tuple[Harness, int]]:
    """`chatted`, its store closed after the test."""
    h, session_id = await chatted(tmp_path)
    yield h, session_id
    if h.store is not None:
        await h.store.close()


@asynccontextmanager
async def published(tmp_path: Path) -> AsyncIterator[Published]:
    """`chatted`, its recap published (files and posts) and an archive site written, the way
    `leadershipchat site` records it."""
    h, session_id = await chatted(tmp_path)
    await h.run_until(START + timedelta(minutes=3))
    assert h.store is not None
    site = tmp_path / "site"
    write_site(
        await load_site_recaps(h.store.recap_source, h.settings), site, "#LeadershipChat archive"
    )
    await h.store.redo.record_output("site", site.resolve(), START, title="#LeadershipChat archive")
    try:
        yield Published(h, h.store, session_id, site)
    finally:
        if h.store is not None:
            await h.store.close()


def traces(p: Published, needles: Iterable[str]) -> list[str]:
    """Where any needle is still found: every file under the recap and site folders, every bot
    post as it is now (text, embeds, attached files)."""
    found = []
    wanted = [n.encode() for n in needles]
    for folder in p.folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                found += [f"{path}: {n.decode()}" for n in wanted if n in data]
    for post in p.h.transport.posts:
        blobs = [post.content.encode(), json.dumps(post.outgoing.embeds).encode()]
        blobs += [f.data for f in post.outgoing.files]
        found += [
            f"post {post.message_id}: {n.decode()}" for n in wanted if any(n in b for b in blobs)
        ]
    return found


ZED_TRACES = (NAME, str(ZED), WORDS)


async def test_forget_after_the_recap_leaves_no_trace_in_files_or_posts(tmp_path: Path) -> None:
    async with published(tmp_path) as p:
        assert len(traces(p, ZED_TRACES)) >= 8  # the search sees the member before
        welcome = next(x for x in p.h.transport.posts_in(CHAT) if "first time" in x.content)
        assert NAME in welcome.content

        await forget_member(p.store, ZED)
        redone = await finish_pending(p.store, p.h.settings, START, p.h.transport)

        assert traces(p, ZED_TRACES) == []
        # Everyone else is still in every copy, the member's mention as a former member.
        recap_md = (p.h.settings.recap_dir / "leadershipchat-2026-12-01" / "recap.md").read_text()
        assert "agree with @former-member" in recap_md and "listening first" in recap_md
        assert "Bob" in welcome.content and "Cara" in welcome.content
        site_page = (p.site / "leadershipchat-2026-12-01" / "recap.html").read_text()
        assert "listening first" in site_page
        # What was redone is recorded, per stage.
        notes = {(r.stage, r.session_id): r.note for r in redone}
        assert "file(s) rewritten" in notes[("files", p.session_id)]
        assert "archive site" in notes[("files", p.session_id)]
        assert "recap post(s) edited" in notes[("posts", p.session_id)]
        assert "1 newcomer welcome(s) edited" in notes[("posts", p.session_id)]
        rows = await p.store.redo.recent()
        assert rows[0].reason == "forget" and rows[0].files_at and rows[0].posts_at
        assert await finish_pending(p.store, p.h.settings, START, p.h.transport) == []


async def test_opt_out_takes_the_member_out_of_published_recaps(tmp_path: Path) -> None:
    async with published(tmp_path) as p:
        await p.store.members.set_opted_out(ZED, NAME, True)
        assert await p.store.privacy.opt_out(ZED) == 1
        await finish_pending(p.store, p.h.settings, START, p.h.transport)

        recap_posts = p.h.transport.posts_in(p.h.settings.chats[0].recap_channel)
        assert all(WORDS not in json.dumps(x.outgoing.embeds) for x in recap_posts)
        for folder in p.folders:
            assert not any(WORDS.encode() in f.read_bytes() for f in folder.rglob("*.*"))
        (row,) = await p.store.redo.recent()
        assert row.reason == "optout" and "recap post(s) edited" in (row.posts_note or "")


async def test_retention_purge_rewrites_the_copies_and_keeps_the_counts(tmp_path: Path) -> None:
    async with published(tmp_path) as p:
        later = START + timedelta(days=p.h.settings.chats[0].privacy.retention_days + 1)
        assert await purge_expired(p.store, p.h.settings, later) == 3
        await finish_pending(p.store, p.h.settings, later, p.h.transport)

        for words in (WORDS, "listening first"):
            assert not any(words.encode() in f.read_bytes() for f in p.site.rglob("*.*"))
        data = json.loads(
            (p.h.settings.recap_dir / "leadershipchat-2026-12-01" / "recap.json").read_text()
        )
        assert data["stats"]["answers"] == 3 and data["stats"]["participants"] == 3
        (row,) = await p.store.redo.recent()
        assert row.reason == "retention" and row.files_at and row.posts_at


# -- a forget while the recap is being published ---------------------------------------------


async def test_a_forget_while_the_recap_is_posted_reaches_the_parts_not_posted_yet(
    tmp_path: Path, chat_before_recap: tuple[Harness, int]
) -> None:
    """`/chat forgetme` lands while the recap's second part is on its way: the bot's redo waits
    for the recap (the session's lock), then finds its folder and every part it posted."""
    h, session_id = chat_before_recap
    held, go = asyncio.Event(), asyncio.Event()
    post = h.transport.post

    async def slow_second_part(message: Outgoing) -> Posted:
        if message.channel_id == RECAP and not message.content:  # the questions' embeds
            held.set()
            await go.wait()
        return await post(message)

    h.transport.post = slow_second_part  # type: ignore[method-assign]
    recap = asyncio.create_task(h.run_until(START + timedelta(minutes=3)))
    await held.wait()
    assert h.store is not None and h.engine is not None
    engine, asked = h.engine, asyncio.Event()

    def session_lock(session_id: int) -> asyncio.Lock:
        asked.set()
        return engine.lock(session_id)

    republisher = Republisher(h.store, h.settings, h.transport, h.clock, session_lock)
    await forget_member(h.store, ZED)
    redo = asyncio.create_task(republisher.run())
    waiting = asyncio.create_task(asked.wait())
    # the redo asks for the session's lock (held by the recap), or runs to its end without it
    await asyncio.wait([redo, waiting], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    go.set()
    await recap
    redone = await redo

    assert traces(Published(h, h.store, session_id, tmp_path / "site"), ZED_TRACES) == []
    notes = {r.stage: r.note for r in redone}
    assert "file(s) rewritten" in notes["files"] and "2 recap post(s) edited" in notes["posts"]


async def test_a_forget_from_the_command_line_while_the_recap_is_built_is_redone_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chat_before_recap: tuple[Harness, int]
) -> None:
    """`leadershipchat forget` (another process, without the bot's locks) erases and rewrites
    while the running bot builds the recap from the rows before: the bot redoes the copies once
    more after publishing."""
    h, session_id = chat_before_recap
    held, go = asyncio.Event(), asyncio.Event()
    load = recap_publisher.load_recap_input

    async def slow_build(*args: Any, **kwargs: Any) -> Any:
        found = await load(*args, **kwargs)
        held.set()
        await go.wait()
        return found

    monkeypatch.setattr(recap_publisher, "load_recap_input", slow_build)
    recap = asyncio.create_task(h.run_until(START + timedelta(minutes=3)))
    await held.wait()
    async with Store(h.settings.database) as command_line:
        await forget_member(command_line, ZED)
        await finish_pending(command_line, h.settings, START)
    go.set()
    await recap
    assert h.store is not None and h.engine is not None
    p = Published(h, h.store, session_id, tmp_path / "site")
    assert traces(p, ZED_TRACES)  # published from the rows read before the erasure

    republisher = Republisher(h.store, h.settings, h.transport, h.clock, h.engine.lock)
    redone = await republisher.run_if_pending()  # the running bot's minute check

    assert traces(p, ZED_TRACES) == []
    assert {r.stage for r in redone} == {"files", "posts"}


async def test_the_bots_redo_waits_for_a_command_line_redo_running_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`leadershipchat forget` rewriting the copies while the bot's minute check finds the same
    work: the bot waits for the command line's redo instead of writing the files from another
    state of the database at the same time."""
    async with published(tmp_path) as p:
        assert p.h.engine is not None
        tried = asyncio.Event()
        try_lock = redo_lock_module._try_lock

        def observed(fd: int) -> bool:
            got = try_lock(fd)
            if not got:
                tried.set()
            return got

        monkeypatch.setattr(redo_lock_module, "_try_lock", observed)
        republisher = Republisher(p.store, p.h.settings, p.h.transport, p.h.clock, p.h.engine.lock)
        pending = "SELECT COUNT(*) FROM redo_work WHERE files_at IS NULL OR posts_at IS NULL"
        async with redo_lock_module.redo_lock(p.h.settings.database):  # the command line's
            await forget_member(p.store, ZED)
            redo = asyncio.create_task(republisher.run_if_pending())
            waiting = asyncio.create_task(tried.wait())
            await asyncio.wait([redo, waiting], return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            assert not redo.done() and count(p.h.settings.database, pending) == 1
        redone = await redo
        assert {r.stage for r in redone} == {"files", "posts"}
        assert traces(p, ZED_TRACES) == []


# -- a SIGKILL during forgetting --------------------------------------------------------------

KILLER = """
import os, signal, sys
point = sys.argv[1]

async def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "mid-erasure":  # inside the transaction, after the deletions
    import bot.store.privacy
    bot.store.privacy._Erasure._scrub = die
elif point == "after-erasure":  # committed, nothing rewritten yet
    import bot.cli.privacy
    bot.cli.privacy.finish_pending = die
elif point == "mid-files":  # the recap folder rewritten, the site not yet
    import bot.maintenance.republish
    bot.maintenance.republish.load_site_recaps = die
from bot.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def config_file(p: Published) -> Path:
    chat = p.h.settings.chats[0].model_dump(mode="json")
    data = {
        "database": str(p.h.settings.database),
        "recap_dir": str(p.h.settings.recap_dir),
        "prompts_dir": str(p.h.tmp_path / "prompts"),
        "chats": [chat],
    }
    path = p.h.tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


@pytest.mark.parametrize("point", ["mid-erasure", "after-erasure", "mid-files"])
async def test_a_kill_during_forget_is_finished_at_the_next_start(
    tmp_path: Path, point: str
) -> None:
    async with published(tmp_path) as p:
        config = config_file(p)
        await p.h.crash()  # the bot is not running: `forget` is run from the command line
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            KILLER,
            point,
            "--config",
            str(config),
            "forget",
            str(ZED),
            "--yes",
            cwd=REPO,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == -signal.SIGKILL, stderr.decode()[-2000:]

        db = p.h.settings.database
        messages = f"SELECT COUNT(*) FROM messages WHERE author_id = {ZED}"
        requested = "SELECT COUNT(*) FROM erasure_requests"
        files_left = "SELECT COUNT(*) FROM redo_work WHERE files_at IS NULL"
        if point == "mid-erasure":  # rolled back whole, the request kept
            assert (count(db, messages), count(db, requested)) == (1, 1)
        else:  # erased, and the copies to redo recorded with it
            assert (count(db, messages), count(db, requested), count(db, files_left)) == (0, 0, 1)
        assert traces(p, ZED_TRACES)  # the copies still hold the member

        await p.h.boot()  # the restarted bot's start-up work
        assert p.h.store is not None
        p.store = p.h.store
        await finish_pending(p.store, p.h.settings, datetime.now(UTC), p.h.transport)
        assert count(db, messages) == 0 and count(db, requested) == 0
        assert count(db, "SELECT COUNT(*) FROM redo_work WHERE posts_at IS NULL") == 0
        assert traces(p, ZED_TRACES) == []


async def test_recap_folders_written_by_hand_are_rewritten_too(tmp_path: Path) -> None:
    """`leadershipchat recap N --out DIR` notes DIR; a later `forget` rewrites it (in the
    formats it was written in) and says so; a folder deleted meanwhile is left alone."""
    from bot.cli.main import main as cli

    async with published(tmp_path) as p:
        config = config_file(p)
        by_hand, gone = tmp_path / "by-hand", tmp_path / "gone"
        for out, formats in ((by_hand, "md,json"), (gone, "md")):
            argv = ["--config", str(config), "recap", str(p.session_id), "--out", str(out)]
            assert await asyncio.to_thread(cli, [*argv, "--format", formats]) == 0
        assert WORDS in (by_hand / "recap.md").read_text()
        for path in gone.iterdir():
            path.unlink()
        gone.rmdir()

        argv = ["--config", str(config), "forget", str(ZED), "--yes"]
        assert await asyncio.to_thread(cli, argv) == 0

        assert sorted(f.name for f in by_hand.iterdir()) == [
            ".leadershipchat-recap.json",  # the marker that lets a forget rewrite this folder
            "leadershipchat-2026-12-01-transcript.md",
            "recap.json",
            "recap.md",
        ]
        for path in by_hand.iterdir():
            assert WORDS not in path.read_text() and NAME not in path.read_text()
        assert written_for(by_hand) == p.session_id
        assert not gone.exists()
        (row,) = await p.store.redo.recent()
        assert f"{by_hand.resolve()}: 3 file(s) rewritten" in (row.files_note or "")
        assert f"{gone.resolve()}: no longer there" in (row.files_note or "")
        assert row.posts_at is None  # the command line leaves the Discord posts to the bot


async def test_recap_folders_written_before_markers_without_recap_json_are_rewritten(
    tmp_path: Path,
) -> None:
    """A `recap --out DIR --format md` (or html, or csv) folder from before folders had a marker
    has no recap.json to say whose it is; it holds the session's transcript, or this code's
    messages.csv or recap.html, and must still lose a forgotten member's words."""
    from bot.cli.main import main as cli

    async with published(tmp_path) as p:
        config = config_file(p)
        folders = {fmt: tmp_path / f"old-{fmt}" for fmt in ("md", "html", "csv")}
        for fmt, out in folders.items():
            argv = ["--config", str(config), "recap", str(p.session_id), "--out", str(out)]
            assert await asyncio.to_thread(cli, [*argv, "--format", fmt]) == 0
            (out / MARKER).unlink()  # as written before markers
            assert any(WORDS in f.read_text(encoding="utf-8-sig") for f in out.iterdir())

        argv = ["--config", str(config), "forget", str(ZED), "--yes"]
        assert await asyncio.to_thread(cli, argv) == 0

        (row,) = await p.store.redo.recent()
        for out in folders.values():
            for path in out.iterdir():
                text = path.read_text(encoding="utf-8-sig")
                assert WORDS not in text and NAME not in text, path
            assert f"{out.resolve()}: " in (row.files_note or "")
            assert "rewritten" in (row.files_note or "").split(f"{out.resolve()}: ")[1]


async def test_paths_in_the_database_that_are_not_the_bots_folders_are_never_written(
    tmp_path: Path,
) -> None:
    """A damaged or foreign database may point a session's recap folder, a `recap --out` row or
    a site row anywhere. Only the configured recap folder and folders marked for the session
    are rewritten; the others are reported and left as they were."""
    async with published(tmp_path) as p:
        victims = {name: tmp_path / "elsewhere" / name for name in ("dir", "out", "site")}
        for folder in victims.values():
            folder.mkdir(parents=True)
            (folder / "recap.md").write_text("keep me\n", encoding="utf-8")
        page = victims["site"] / "leadershipchat-2026-12-01"
        page.mkdir()
        (page / "recap.md").write_text("keep me too\n", encoding="utf-8")
        for name in ("index.html", "feed.xml"):
            (victims["site"] / name).write_text("mine\n", encoding="utf-8")
        marked_for_another = tmp_path / "other-session"
        marked_for_another.mkdir()
        (marked_for_another / MARKER).write_text(
            json.dumps({"kind": "leadershipchat recap folder", "session_id": 999}), "utf-8"
        )
        await p.store.conn.execute(
            "UPDATE sessions SET recap_dir = ? WHERE id = ?", (str(victims["dir"]), p.session_id)
        )
        for out in (victims["out"], marked_for_another):
            await p.store.redo.record_output("recap", out, START, session_id=p.session_id)
        await p.store.redo.record_output("site", victims["site"], START)

        await forget_member(p.store, ZED)
        done = await finish_pending(p.store, p.h.settings, START, p.h.transport)
        (redone,) = [r for r in done if r.stage == "files"]

        for folder in victims.values():
            assert (folder / "recap.md").read_text() == "keep me\n"
            assert not (folder / MARKER).exists()
        assert (page / "recap.md").read_text() == "keep me too\n"
        assert (victims["site"] / "index.html").read_text() == "mine\n"
        assert sorted(f.name for f in marked_for_another.iterdir()) == [MARKER]
        for folder in (victims["dir"], victims["out"], marked_for_another):
            skipped = f"{folder}: skipped: not a recap folder leadershipchat wrote for session"
            assert skipped in redone.note
        assert f"archive site {victims['site']}" not in redone.note
        # The bot's own copies were still redone: its recap folder is found from the config.
        assert traces(p, ZED_TRACES) == []


def test_recap_paths_are_absolute_whatever_folder_the_bot_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recap folder is stored with the session; a relative one would be read against the
    folder a later command (a forget) runs in."""
    from bot.config import load_settings
    from bot.demo import demo_settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text(
        "recap_dir: recaps\nchats:\n  - name: c\n    guild_id: 1\n    channels: {chat: 2}\n",
        encoding="utf-8",
    )
    settings = load_settings(Path("config.yaml"))
    assert settings.recap_dir == tmp_path / "recaps" and settings.database.is_absolute()
    assert demo_settings(Path("demo-out")).recap_dir == tmp_path / "demo-out"


def test_a_welcome_keeps_everyone_else_and_its_count_of_more() -> None:
    from bot.engine.render import newcomers, newcomers_without

    chat = compressed_settings(Path("unused")).chats[0]
    text = newcomers(chat, ["Ann_e", NAME, "Bob"])
    assert newcomers_without(chat, text, ["Ann_e", "Bob", NAME]) is None  # nobody to take out
    assert newcomers_without(chat, text, ["Ann_e", "Bob"]) == newcomers(chat, ["Ann_e", "Bob"])
    crowd = newcomers(chat, [NAME, *(f"Member {i}" for i in range(200))])
    assert "more" in crowd
    kept = newcomers_without(chat, crowd, [f"Member {i}" for i in range(200)])
    assert kept is not None and NAME not in kept and kept.endswith(crowd[crowd.index(" and ") :])
    alone = newcomers_without(chat, newcomers(chat, [NAME]), [])
    assert alone is not None and NAME not in alone and "for the first time" in alone
