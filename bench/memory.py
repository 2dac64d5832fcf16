"""Benchmark 4, memory: resident set size (VmRSS from /proc) of the bot process idle after
start-up (connected, commands synced, history backfilled, nothing else happening) and after a
session of `paced` messages once its recap has been posted. Both come from runs made for the
other benchmarks (the idle posting runs and the paced capture runs); the peak during the
full-speed burst is reported too."""

from __future__ import annotations

from bench.plan import Ctx
from bench.report import Row, median

IDLE_GOAL_MB = 120.0
AFTER_GOAL_MB = 200.0


def _mb(kb: float) -> float:
    return kb / 1024


def rows(ctx: Ctx) -> list[Row]:
    plan = ctx.plan
    idle_runs = ctx.raw["posting_idle"] + ctx.raw["capture"]["paced"]
    idle = _mb(median([r["rss_idle_kb"] for r in idle_runs]))
    after = _mb(median([r["rss_end_kb"] for r in ctx.raw["capture"]["paced"]]))
    burst = _mb(median([p["peak_kb"] for p in ctx.raw["capture"]["pairs"]]))
    return [
        Row("memory", "RSS idle after start-up", idle, "MB", f"< {IDLE_GOAL_MB:g} MB", idle < IDLE_GOAL_MB),
        Row("memory", f"RSS after a {plan.paced:,}-message session (recap posted)", after, "MB",
            f"< {AFTER_GOAL_MB:g} MB", after < AFTER_GOAL_MB),
        Row("memory", f"peak RSS, {plan.burst:,} at full speed", burst, "MB"),
    ]  # fmt: skip
