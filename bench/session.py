"""One measured run of the real bot: start it, wait for the rehearsal session's welcome, push member
load, wait until every message is committed (and the session has ended, when asked), then read
commit times, the step ledger and the process's memory."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.load import Mix, Push, push
from bench.world import RunOfShow, SeededDatabase, World, proc_status, spawn
from bot.domain.steps import StepStatus
from bot.store import Store

READY_SETTLE = 0.3  # seconds after READY before the idle memory reading


@dataclass(frozen=True)
class StepDelay:
    """A step's due time and when the fake received its post; a step that was due but not
    posted when the bot was stopped counts with the stop time (a lower bound of its delay)."""

    key: str
    due_at: float
    received_at: float
    posted: bool = True

    @property
    def delay(self) -> float:
        return self.received_at - self.due_at


@dataclass
class BotRun:
    push: Push
    commits: dict[int, float] = field(default_factory=dict)
    delays: list[StepDelay] = field(default_factory=list)
    recap_delay: float | None = None
    rss_idle_kb: int = 0
    rss_end_kb: int = 0
    peak_kb: int = 0
    wall: float = 0.0
    complete: bool = True  # every pushed message was committed within the time allowed
    cut_count: int = 0  # when not: rows committed by the cut
    cut_at: float = 0.0
    first_commit: float | None = None  # seconds from the first send to the first commit
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def latencies(self) -> list[float]:
        """Gateway hand-off to commit, in seconds, for each pushed message that was committed."""
        return [self.commits[i] - t for i, t in self.push.sent.items() if i in self.commits]

    @property
    def missing(self) -> int:
        return sum(1 for i in self.push.sent if i not in self.commits)

    def throughput(self) -> float:
        """Committed messages per second, first gateway send to last commit (for a run cut
        short: rows counted in the database by the cut, over the time to the cut)."""
        if not self.complete:
            return self.cut_count / max(self.cut_at - self.push.first_at, 1e-9)
        done = [self.commits[i] for i in self.push.sent if i in self.commits]
        if not done:
            return 0.0
        return len(done) / max(max(done) - self.push.first_at, 1e-9)


def _count_messages(db: Path) -> int:
    """Rows committed so far (read-only, WAL lets it read beside the bot)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5.0) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0])


@dataclass
class Progress:
    """Rows committed as seen by polling the database every 0.1 s."""

    done: bool = False
    rows: int = 0
    first_row_at: float | None = None  # time.time() when the first row was seen


async def _wait_committed(db: Path, count: int, timeout: float) -> Progress:  # noqa: ASYNC109
    """Poll until `count` rows are committed or `timeout` runs out."""
    deadline = time.monotonic() + timeout
    seen = Progress()
    while time.monotonic() < deadline:
        seen.rows = await asyncio.to_thread(_count_messages, db)
        if seen.rows and seen.first_row_at is None:
            seen.first_row_at = time.time()
        if seen.rows >= count:
            seen.done = True
            break
        await asyncio.sleep(0.1)
    return seen


async def _step_delays(
    db: Path, w: World, stopped_at: float
) -> tuple[list[StepDelay], float | None]:
    by_id = {p.message_id: p.received_at for p in w.fake.posts}
    out: list[StepDelay] = []
    recap: float | None = None
    async with Store(db) as store:
        for session in await store.sessions.recent(limit=5):
            for step in await store.steps.for_session(session.id):
                due = _ts(step.due_at)
                if step.status is StepStatus.SENT and step.message_id in by_id:
                    d = StepDelay(step.key, due, by_id[step.message_id])
                elif step.status is not StepStatus.SKIPPED and due < stopped_at:
                    d = StepDelay(step.key, due, stopped_at, posted=False)
                else:
                    continue
                if step.key == "recap":
                    recap = d.delay
                else:
                    out.append(d)
    return out, recap


def _ts(at: datetime) -> float:
    return at.timestamp()


async def bot_run(
    w: World,
    seeded: SeededDatabase,
    folder: Path,
    show: RunOfShow,
    *,
    count: int,
    rate: float | None,
    naive: bool = False,
    start_in: float = 4.0,
    until_closed: bool = False,
    until_recap: bool = False,
    max_seconds: float = 180.0,
    commit_within: float | None = None,
    on_load: Callable[[int], None] | None = None,
    config_hook: Callable[[Path], None] | None = None,
    env: dict[str, str] | None = None,
    beside: Callable[[], Awaitable[object]] | None = None,
) -> BotRun:
    """Run the bot through one rehearsal session with `count` member messages at `rate`/s (None:
    as fast as possible). Every wait is bounded by `max_seconds` in total; `commit_within` cuts
    the wait for commits that many seconds after the load began (the rate is then what was
    committed by then). `config_hook` edits the config file, `env` adds to the bot's
    environment, `beside` runs alongside the load (the Bluesky benchmark's posts)."""
    began = time.monotonic()
    config = await seeded.fresh(folder, show)
    if config_hook is not None:
        config_hook(config)
    db = folder / "chat.db"
    fake = w.fake
    posts_before = len(fake.posts)
    args = ["--config", str(config), "--start-in", str(start_in)]
    if naive:
        args.append("--naive")
    child = await spawn(
        "bench.botproc", args, folder / "bot.json", {"DISCORD_TOKEN": fake.token, **(env or {})}
    )
    try:
        await child.wait_ready()
        t_ready = time.monotonic() - began
        await asyncio.sleep(READY_SETTLE)
        idle = proc_status(child.pid)
        await fake.wait_for_post(
            lambda p: p.channel_id == w.chat_id and p.content.startswith("Welcome"),
            timeout=start_in + 30,
            after=posts_before,
        )
        t_welcome = time.monotonic() - began
        mix = Mix(fake, w.chat_id, w.members)
        if on_load is not None:
            on_load(child.pid)
        load_began = time.monotonic()
        alongside = asyncio.create_task(beside()) if beside is not None else None
        pushed = await push(mix, count, rate=rate, max_seconds=max_seconds / 2)
        if alongside is not None:
            await alongside
        left = max_seconds - (time.monotonic() - began)
        if commit_within is not None:
            left = min(left, commit_within - (time.monotonic() - load_began))
        progress = await _wait_committed(db, pushed.count, max(left, 0.1))
        complete, cut_at = progress.done, time.time()
        if until_closed or until_recap:
            want = "recaps" if until_recap else "chat"
            channel = w.guild.channel(want)
            left = max(max_seconds - (time.monotonic() - began), 1.0)
            await fake.wait_for_post(
                lambda p: (
                    p.channel_id == channel
                    and (until_recap or p.content.startswith("That's a wrap"))
                ),
                timeout=left,
                after=posts_before,
            )
        end = proc_status(child.pid)
        t_done = time.monotonic() - began
        stopped_at = time.time()
        if complete:
            result = await child.stop()
        else:  # a clean stop would first wait for the backlog; its commit times are not needed
            await child.kill()
            result = {"commits": []}
    except BaseException:
        await child.kill()
        raise
    run = BotRun(push=pushed, complete=complete and pushed.complete)
    run.cut_count, run.cut_at = progress.rows, cut_at
    run.commits = {int(i): float(t) for i, t in result["commits"]}
    if progress.first_row_at is not None:
        run.first_commit = (
            min(run.commits.values(), default=progress.first_row_at)
        ) - pushed.first_at
    run.delays, run.recap_delay = await _step_delays(db, w, stopped_at)
    run.rss_idle_kb = idle.get("VmRSS", 0)
    run.rss_end_kb = end.get("VmRSS", 0)
    run.peak_kb = end.get("VmHWM", 0)
    run.wall = time.monotonic() - began
    run.phases = {"ready": t_ready, "welcome": t_welcome, "done": t_done, "stopped": run.wall}
    return run
