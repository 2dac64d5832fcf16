"""Shared reporting: statistics, one summary row per figure (with its goal), the table, machine
facts and the JSON dump of everything measured."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass(frozen=True)
class Row:
    """One figure of the summary: `value` in `unit`, judged against `goal` when there is one."""

    bench: str
    metric: str
    value: float
    unit: str
    goal: str = ""
    ok: bool | None = None
    note: str = ""

    def shown(self) -> str:
        v = self.value
        if v != v:  # NaN
            return "n/a"
        if self.unit in ("x", "ratio"):
            return f"{v:.2f}"
        if self.unit == "msgs":
            return f"{v:,.0f}"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        return f"{v:.2f}" if abs(v) >= 1 else f"{v:.3f}"


def verdict(row: Row) -> str:
    return "" if row.ok is None else ("ok" if row.ok else "MISSED")


def table(rows: Sequence[Row]) -> str:
    """The summary table (Markdown, readable as plain text too)."""
    head = ("benchmark", "figure", "value", "unit", "goal", "", "note")
    body = [(r.bench, r.metric, r.shown(), r.unit, r.goal, verdict(r), r.note) for r in rows]
    widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]

    def fmt(line: Sequence[str]) -> str:
        cells = [
            str(c).rjust(w) if i == 2 else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(head), rule, *(fmt(line) for line in body)])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import aiosqlite
    import discord

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": round(_memory_gb(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "discord.py": discord.__version__,
        "aiosqlite": getattr(aiosqlite, "__version__", "?"),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in load],
    }


def machine_line(info: dict[str, Any]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {info['os']}; "
        f"Python {info['python']}, discord.py {info['discord.py']}, SQLite {info['sqlite']}; "
        f"load average {info['load_average']}"
    )


def dump(path: Path, rows: Sequence[Row], raw: dict[str, Any], info: dict[str, Any]) -> None:
    """Everything measured, for the docs and for comparing runs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"machine": info, "rows": [asdict(r) for r in rows], "raw": raw}
    path.write_text(json.dumps(data, indent=1, default=str))
