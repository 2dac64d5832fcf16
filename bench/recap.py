"""Benchmark 3, recap scale: load from the store, build, and render every format (recap.md, the
transcript, recap.html with its chart, recap.json, messages.csv, activity.png, the Discord posts)
for sessions of three sizes, each in a fresh process (`bench.recapproc`) so its peak memory is
its own. Each size is seeded once (`--seed`), then measured `runs` times. Seconds are medians;
peak memory is the process's peak RSS above its RSS before loading (after the imports), so it
covers the loaded rows, the recap and every rendering."""

from __future__ import annotations

from typing import Any

from bench.plan import Ctx
from bench.report import Row, median
from bench.world import spawn

GOAL_10K_S = 2.0
GROWTH_GOAL = 15.0  # "about 10x, not 100x" for ten times the messages


async def _child(ctx: Ctx, name: str, args: list[str]) -> dict[str, Any]:
    folder = ctx.folder(name)
    child = await spawn("bench.recapproc", args, folder / "recap.json", {})
    try:
        return await child.stop(timeout=10, grace=300)
    except BaseException:
        await child.kill()
        raise


async def measure(ctx: Ctx) -> dict[str, list[dict[str, Any]]]:
    """Seed each size once, then measure it `runs` times, each in a new process (the middle
    size's first run also times each format alone)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for n, size in enumerate(ctx.plan.recap_sizes):
        db = ctx.tmp / f"recap-{size}.db"
        seeded = await _child(ctx, f"seed-{size}", ["--seed", str(db), "--messages", str(size)])
        args = ["--db", str(db), "--session", str(seeded["session_id"])]
        out[str(size)] = [
            await _child(
                ctx, f"recap-{size}", args + (["--breakdown"] if i == 0 and n == 1 else [])
            )
            for i in range(ctx.plan.runs)
        ]
    ctx.raw["recap"] = out
    return out


def _k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def rows(ctx: Ctx) -> list[Row]:
    data = ctx.raw["recap"]
    sizes = ctx.plan.recap_sizes
    seconds = {n: median([r["total"] for r in data[str(n)]]) for n in sizes}
    peak = {
        n: median([(r["peak_kb"] - r["rss_before_kb"]) / 1024 for r in data[str(n)]]) for n in sizes
    }
    out: list[Row] = []
    for i, n in enumerate(sizes):
        goal, ok = ("", None)
        if i == 1:
            goal, ok = (
                (f"< {GOAL_10K_S:g} s", seconds[n] < GOAL_10K_S) if n == 10_000 else ("", None)
            )
        out.append(
            Row("recap", f"{_k(n)} messages: load + build + all formats", seconds[n], "s", goal, ok)
        )
        out.append(Row("recap", f"{_k(n)} messages: peak memory above start", peak[n], "MB"))
    first = median([r["matplotlib_import"] for n in sizes for r in data[str(n)]])
    out.append(
        Row("recap", "first chart after start-up: matplotlib import", first, "s", note="once")
    )
    mid, big = sizes[1], sizes[2]
    factor = big / mid
    t_growth = seconds[big] / seconds[mid] if seconds[mid] else float("nan")
    m_growth = peak[big] / peak[mid] if peak[mid] else float("nan")
    want = f"~{factor:g}x (<= {GROWTH_GOAL * factor / 10:g}x)"
    out.append(
        Row(
            "recap",
            f"time growth {_k(mid)} -> {_k(big)}",
            t_growth,
            "x",
            want,
            t_growth <= GROWTH_GOAL * factor / 10,
        )
    )
    out.append(
        Row(
            "recap",
            f"memory growth {_k(mid)} -> {_k(big)}",
            m_growth,
            "x",
            want,
            m_growth <= GROWTH_GOAL * factor / 10,
        )
    )
    return out
