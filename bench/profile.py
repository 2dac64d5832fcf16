"""`python -m bench --profile`: where the bot's time goes under a full-speed burst, sampled with
py-spy (`pip install py-spy`; it attaches to the bot subprocess, which needs ptrace rights) while
the burst is being processed. Prints the share of event-loop and database-thread samples per
part of the code path."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.plan import Ctx
from bench.session import bot_run

# (label, marker in a frame) in the order a sample is attributed: the first match wins, so more
# specific parts come first
PARTS = (
    ("capture: engine (attribution, rows, SQL parameters)", "bot/engine/capture.py"),
    ("capture cog: intake hook + worker", "bot/discord/cogs/capture.py"),
    ("moderation cog: intake hook + rules", "bot/discord/cogs/moderation.py"),
    ("steps being posted", "bot/engine/"),
    ("store: building statements", "bot/store/"),
    ("discord.py: websocket, zlib, JSON, Message objects", "discord/"),
    ("aiosqlite hand-offs", "aiosqlite/"),
    ("asyncio: waiting (idle)", "EpollSelector.select"),
    ("asyncio: scheduling tasks and callbacks", "asyncio/"),
)


def summarize(raw: str) -> str:
    loop: Counter[str] = Counter()
    db: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        if "_connection_worker_thread" in stack:
            db["waiting for work" if "core.py:59" in stack else "running statements"] += n
        elif "run_forever" in stack:
            label = next((lbl for lbl, marker in PARTS if marker in stack), "other")
            loop[label] += n
    lines = ["event loop thread:"]
    total = sum(loop.values()) or 1
    lines += [f"  {n / total * 100:5.1f}%  {label}" for label, n in loop.most_common()]
    lines.append("database thread (aiosqlite):")
    total = sum(db.values()) or 1
    lines += [f"  {n / total * 100:5.1f}%  {label}" for label, n in db.most_common()]
    return "\n".join(lines)


async def profile_burst(ctx: Ctx) -> str:
    """One tuned burst run with py-spy sampling the bot while the burst is processed."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is None:
        return "profile: py-spy is not installed (pip install py-spy)"
    with tempfile.TemporaryDirectory(prefix="bench-spy-") as tmp:
        return await _sampled(ctx, spy, Path(tmp) / "samples.txt")


async def _sampled(ctx: Ctx, spy: str, out: Path) -> str:
    sampler: list[subprocess.Popen[bytes]] = []

    def start(pid: int) -> None:
        cmd = [spy, "record", "-p", str(pid), "-o", str(out), "-f", "raw", "-r", "100"]
        sampler.append(
            subprocess.Popen(
                [*cmd, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )

    plan = ctx.plan
    run = await bot_run(
        ctx.world,
        ctx.seeded,
        ctx.folder("profile"),
        plan.burst_show,
        count=plan.burst,
        rate=None,
        start_in=plan.start_in,
        on_load=start,
    )
    for proc in sampler:
        await asyncio.to_thread(proc.wait, 30)
    if not await asyncio.to_thread(out.exists):
        return "profile: py-spy wrote nothing (ptrace not permitted?)"
    title = f"profile of the bot under a {plan.burst:,}-message burst ({run.throughput():.0f} msg/s"
    title += ")"
    samples = await asyncio.to_thread(out.read_text)
    return title + ", py-spy 100 Hz while the burst was processed:\n" + summarize(samples)
