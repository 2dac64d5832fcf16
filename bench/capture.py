"""Benchmark 1, capture throughput and latency.

* Ceiling vs bot: `burst` MESSAGE_CREATE events pushed as fast as the fake's gateway sends them,
  into a bare discord.py client (`on_message` only counts) and into the real bot during a live
  session; events/s is first gateway send to last arrival (bare) or last commit (bot). Each run
  is a pair, bare then bot, so the ratio is measured within one run.
* Write path A/B: the same burst (`ab` messages) into the bot with the pre-tuning capture path
  (`bench.naive`) and the current one.
* Latency: `paced` messages offered at `rate`/s; for each, gateway hand-off to committed row.
"""

from __future__ import annotations

from typing import Any

from bench.load import Mix, Push, push
from bench.plan import Ctx
from bench.report import Row, median, percentile
from bench.session import BotRun, bot_run
from bench.world import spawn

P99_GOAL_MS = 50.0
RATIO_GOAL = 0.8


async def bare_run(ctx: Ctx, count: int) -> tuple[Push, float]:
    """Push `count` messages into a bare client; returns the push and the arrival rate."""
    w = ctx.world
    folder = ctx.folder("bare")
    args = ["--api-base", w.fake.api_base, "--gateway", w.fake.gateway_url]
    args += ["--expect", str(count), "--timeout", "120"]
    child = await spawn(
        "bench.bareclient", args, folder / "bare.json", {"DISCORD_TOKEN": w.fake.token}
    )
    try:
        await child.wait_ready()
        pushed = await push(Mix(w.fake, w.chat_id, w.members), count, rate=None, max_seconds=60)
        result = await child.stop(timeout=10, grace=120)
    except BaseException:
        await child.kill()
        raise
    arrived = [t for i, t in result["arrivals"] if int(i) in pushed.sent]
    if not arrived:
        return pushed, 0.0
    return pushed, len(arrived) / max(max(arrived) - pushed.first_at, 1e-9)


async def burst_run(ctx: Ctx, count: int, *, naive: bool = False) -> BotRun:
    plan = ctx.plan
    return await bot_run(
        ctx.world,
        ctx.seeded,
        ctx.folder("naive" if naive else "bot"),
        plan.burst_show,
        count=count,
        rate=None,
        naive=naive,
        start_in=plan.start_in,
        commit_within=plan.burst_within,
    )


async def paced_run(ctx: Ctx) -> BotRun:
    """The offered-load run: also the posting-under-load and memory-after-a-session run."""
    plan = ctx.plan
    count = plan.paced
    return await bot_run(
        ctx.world,
        ctx.seeded,
        ctx.folder("paced"),
        plan.paced_show(count),
        count=count,
        rate=plan.rate,
        start_in=plan.start_in,
        until_recap=True,
    )


def _push_rate(p: Push) -> float:
    return p.count / max(p.last_at - p.first_at, 1e-9)


def summarize_run(run: BotRun) -> dict[str, Any]:
    lat = run.latencies
    return {
        "throughput": run.throughput(),
        "pushed": run.push.count,
        "missing": run.missing,
        "push_rate": _push_rate(run.push),
        "p50_ms": percentile(lat, 50) * 1000,
        "p99_ms": percentile(lat, 99) * 1000,
        "max_ms": max(lat, default=float("nan")) * 1000,
        "kinds": run.push.kinds,
        "wall": run.wall,
        "complete": run.complete,
        "committed": len(run.commits) if run.complete else run.cut_count,
        "first_commit_s": run.first_commit,
    }


async def measure(ctx: Ctx) -> dict[str, Any]:
    """Every capture run of the plan, in pairs, medians later."""
    plan = ctx.plan
    out: dict[str, Any] = {
        "pairs": [],
        "naive": [],
        "tuned": [],
        "paced": [],
    }
    for _ in range(plan.runs):
        pushed, bare = await bare_run(ctx, plan.burst)
        bot = await burst_run(ctx, plan.burst)
        out["pairs"].append(
            {
                "bare": bare,
                "bare_push_rate": _push_rate(pushed),
                "bot": summarize_run(bot),
                "ratio": bot.throughput() / bare if bare else float("nan"),
                "steps": [(d.key, d.delay, d.posted) for d in bot.delays],
                "peak_kb": bot.peak_kb,
            }
        )
        if plan.ab == plan.burst:
            out["tuned"].append(summarize_run(bot))
    for _ in range(plan.runs):
        out["naive"].append(summarize_run(await burst_run(ctx, plan.ab, naive=True)))
        if plan.ab != plan.burst:
            out["tuned"].append(summarize_run(await burst_run(ctx, plan.ab)))
    for _ in range(plan.runs):
        run = await paced_run(ctx)
        out["paced"].append(
            {
                **summarize_run(run),
                "steps": [(d.key, d.delay, d.posted) for d in run.delays],
                "recap_delay": run.recap_delay,
                "rss_idle_kb": run.rss_idle_kb,
                "rss_end_kb": run.rss_end_kb,
                "peak_kb": run.peak_kb,
            }
        )
    ctx.raw["capture"] = out
    return out


def _k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def rows(ctx: Ctx) -> list[Row]:
    plan, data = ctx.plan, ctx.raw["capture"]
    pairs, paced = data["pairs"], data["paced"]
    n, rate = _k(plan.burst), f"{plan.rate:g}/s"
    ratio = median([p["ratio"] for p in pairs])
    bare = median([p["bare"] for p in pairs])
    fake = median([p["bare_push_rate"] for p in pairs])
    naive = median([r["throughput"] for r in data["naive"]])
    tuned = median([r["throughput"] for r in data["tuned"]])
    p99 = median([r["p99_ms"] for r in paced])
    bound = bare >= 0.9 * fake
    cut = sum(not p["bot"]["complete"] for p in pairs)
    committed = median([p["bot"]["committed"] for p in pairs])
    stall = median([p["bot"]["first_commit_s"] or plan.burst_within for p in pairs])
    return [
        Row("capture", f"ceiling: bare client, {n} at full speed", bare, "msg/s",
            note="fake-bound: b/a is an upper bound" if bound else "client-bound"),
        Row("capture", "fake gateway send rate (same runs)", fake, "msg/s"),
        Row("capture", f"bot in a live session, {n} at full speed", median([p["bot"]["throughput"] for p in pairs]), "msg/s",
            note=f"{cut}/{len(pairs)} runs cut at {plan.burst_within:g} s" if cut else ""),
        Row("capture", f"bot: messages committed (of {n})", committed, "msgs",
            note=f"within {plan.burst_within:g} s" if cut else "all"),
        Row("capture", "bot: first send -> first commit", stall, "s",
            note="stalled" if stall > 5 else ""),
        Row("capture", "ratio bot/ceiling (within each run)", ratio, "ratio", f">= {RATIO_GOAL}", ratio >= RATIO_GOAL),
        Row("capture", f"naive write path, {_k(plan.ab)} at full speed", naive, "msg/s"),
        Row("capture", f"tuned write path, {_k(plan.ab)} at full speed", tuned, "msg/s"),
        Row("capture", "gain tuned/naive", tuned / naive if naive else float("nan"), "x"),
        Row("capture", f"throughput at {rate} offered ({_k(plan.paced)})", median([r["throughput"] for r in paced]), "msg/s"),
        Row("capture", f"p50 gateway send -> row committed, {rate}", median([r["p50_ms"] for r in paced]), "ms"),
        Row("capture", f"p99 gateway send -> row committed, {rate}", p99, "ms", f"< {P99_GOAL_MS:g} ms", p99 < P99_GOAL_MS),
    ]  # fmt: skip
