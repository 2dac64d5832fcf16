"""`python -m bench --quick` still runs end to end and prints every benchmark's figures (the full
`make bench` takes minutes and is not part of CI; see docs/benchmarks.md)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Every figure the summary table must carry, by benchmark (prefixes; sizes vary with --quick).
EXPECTED = {
    "capture": (
        "ceiling: bare client",
        "fake gateway send rate",
        "bot in a live session",
        "bot: messages committed",
        "bot: first send -> first commit",
        "ratio bot/ceiling",
        "naive write path",
        "tuned write path",
        "gain tuned/naive",
        "throughput at 500/s offered",
        "p50 gateway send -> row committed",
        "p99 gateway send -> row committed",
    ),
    "posting": (
        "idle: p50",
        "idle: p99",
        "idle: max",
        "under 500/s: p50",
        "under 500/s: p99",
        "under 500/s: max",
        "under the full-speed burst: p50",
        "under the full-speed burst: p99",
        "under the full-speed burst: max",
        "recap of a",
    ),
    "recap": (
        "100 messages: load + build + all formats",
        "100 messages: peak memory",
        "1k messages: load + build + all formats",
        "1k messages: peak memory",
        "2k messages: load + build + all formats",
        "2k messages: peak memory",
        "first chart after start-up",
        "time growth",
        "memory growth",
    ),
    "memory": ("RSS idle after start-up", "RSS after a", "peak RSS"),
    "bluesky": (
        "posts stored / posted",
        "hashtag post -> row committed (poll 2s, 500/s on Discord): p50",
        "hashtag post -> row committed (poll 2s, 500/s on Discord): p99",
        "hashtag post -> row committed (poll 2s, 500/s on Discord): max",
        "requests: searchPosts + getPostThread",
    ),
}


def test_quick_benchmark_prints_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    rows = json.loads(out.read_text())["rows"]
    for bench, metrics in EXPECTED.items():
        for metric in metrics:
            found = [r for r in rows if r["bench"] == bench and r["metric"].startswith(metric)]
            assert len(found) == 1, (bench, metric, [r["metric"] for r in rows])
            value = found[0]["value"]
            assert isinstance(value, int | float) and math.isfinite(value), (bench, metric, value)
            assert f"| {bench}" in done.stdout and found[0]["metric"] in done.stdout
    assert len(rows) == sum(len(m) for m in EXPECTED.values()), "a figure without a test entry"
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert len(table) == len(rows) + 1  # the header, then one line per figure
