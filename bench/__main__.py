"""`python -m bench` (make bench): capture throughput and latency, posting accuracy, recap scale
and memory, measured through the real code paths against a fake Discord on 127.0.0.1; prints
one summary table (see docs/benchmarks.md). `--quick` is the smoke run (under 30 s)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bench import bluesky, capture, memory, posting, recap
from bench.plan import FULL, QUICK, Ctx, Plan
from bench.report import Row, dump, machine, machine_line, table
from bench.world import SeededDatabase, world


async def run(plan: Plan, tmp: Path, profile: bool) -> tuple[list[Row], Ctx]:
    """Every benchmark in turn. The smoke run overlaps the recap subprocesses with the rest to
    stay under 30 s (its figures only prove that everything still runs)."""
    async with world(tmp, plan.members) as w:
        ctx = Ctx(plan=plan, world=w, seeded=SeededDatabase(w, tmp), tmp=tmp)
        if profile:
            from bench.profile import profile_burst

            print(await profile_burst(ctx), flush=True)
        overlapped = asyncio.create_task(recap.measure(ctx)) if plan.overlap_recap else None
        started = time.monotonic()
        await capture.measure(ctx)
        ctx.raw["seconds_capture"] = time.monotonic() - started
        await posting.measure(ctx)
        started = time.monotonic()
        await bluesky.measure(ctx)
        ctx.raw["seconds_bluesky"] = time.monotonic() - started
    started = time.monotonic()
    await (overlapped if overlapped is not None else recap.measure(ctx))
    ctx.raw["seconds_recap"] = time.monotonic() - started
    rows = capture.rows(ctx) + posting.rows(ctx) + recap.rows(ctx) + memory.rows(ctx)
    rows += bluesky.rows(ctx)
    return rows, ctx


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, one run each")
    parser.add_argument("--out", type=Path, help="also write every measurement as JSON here")
    parser.add_argument(
        "--profile", action="store_true", help="first sample the bot under a burst with py-spy"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    info = machine()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="leadershipchat-bench-") as tmp:
        rows, ctx = asyncio.run(run(plan, Path(tmp), args.profile))
    elapsed = time.monotonic() - began
    info["load_average_after"] = machine()["load_average"]
    print(
        f"\nleadershipchat benchmarks ({plan.label}, medians of {plan.runs} run(s)), {elapsed:.0f} s"
    )
    print(f"machine: {machine_line(info)}; after: load average {info['load_average_after']}\n")
    print(table(rows))
    missed = [r for r in rows if r.ok is False]
    print(
        f"\n{len(rows)} figures, {len(missed)} goal(s) missed"
        + (": see docs/benchmarks.md" if missed else "")
    )
    if args.out:
        dump(args.out, rows, ctx.raw, info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
