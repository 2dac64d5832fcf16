"""Benchmark 2, posting accuracy: for every step of a compressed session with 12 questions
(welcome, heads-ups, questions, last call, close, newcomer welcomes), the delay from its due time
to the fake server receiving the post. Idle (no member load), under the offered load (the paced
capture runs) and under the full-speed burst (the ceiling-vs-bot runs). The recap is reported
apart: its delay is the recap's build time (benchmark 3)."""

from __future__ import annotations

from typing import Any

from bench.plan import Ctx
from bench.report import Row, median, percentile
from bench.session import bot_run

P99_GOAL_S = 1.0


async def measure(ctx: Ctx) -> list[dict[str, Any]]:
    """Idle runs: the bot alone with its session (also the idle-memory reading)."""
    plan = ctx.plan
    out = []
    for _ in range(plan.runs):
        run = await bot_run(
            ctx.world,
            ctx.seeded,
            ctx.folder("idle"),
            plan.idle_show,
            count=0,
            rate=None,
            start_in=plan.start_in,
            until_recap=True,
        )
        out.append(
            {
                "steps": [(d.key, d.delay, d.posted) for d in run.delays],
                "recap_delay": run.recap_delay,
                "rss_idle_kb": run.rss_idle_kb,
                "rss_end_kb": run.rss_end_kb,
                "wall": run.wall,
            }
        )
    ctx.raw["posting_idle"] = out
    return out


def _stats(runs: list[dict[str, Any]]) -> tuple[float, float, float, str]:
    """Per-run p50/p99/max, then the median of each across runs; and a note on the steps."""
    per = [[d for _, d, _ in r["steps"]] for r in runs if r["steps"]]
    if not per:
        return float("nan"), float("nan"), float("nan"), "no steps"
    unposted = sum(not posted for r in runs for _, _, posted in r["steps"])
    note = f"{round(median([len(d) for d in per]))} steps/run"
    if unposted:
        note += f"; {unposted} still unposted at stop, counted until then"
    return (
        median([percentile(d, 50) for d in per]),
        median([percentile(d, 99) for d in per]),
        median([max(d) for d in per]),
        note,
    )


def rows(ctx: Ctx) -> list[Row]:
    plan = ctx.plan
    out: list[Row] = []
    loads = [
        ("idle", ctx.raw["posting_idle"]),
        (f"under {plan.rate:g}/s", ctx.raw["capture"]["paced"]),
        ("under the full-speed burst", ctx.raw["capture"]["pairs"]),
    ]
    for label, runs in loads:
        p50, p99, worst, note = _stats(runs)
        out.append(Row("posting", f"{label}: p50 due -> received", p50, "s", note=note))
        out.append(
            Row("posting", f"{label}: p99", p99, "s", f"< {P99_GOAL_S:g} s", p99 < P99_GOAL_S)
        )
        out.append(Row("posting", f"{label}: max", worst, "s"))
    recaps = [r["recap_delay"] for r in ctx.raw["capture"]["paced"] if r["recap_delay"] is not None]
    out.append(
        Row(
            "posting",
            f"recap of a {plan.paced:,}-message session: due -> posted",
            median(recaps),
            "s",
        )
    )
    return out
