"""How big and how often: the full benchmark (`python -m bench`) and the smoke run (`--quick`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.world import RunOfShow, SeededDatabase, World


@dataclass(frozen=True)
class Plan:
    runs: int  # repetitions of every timed measurement (figures are medians)
    members: int  # community size (flood control would need ~1 member per 2 messages/s)
    burst: int  # messages pushed at full speed: ceiling vs bot
    ab: int  # messages pushed at full speed: naive vs tuned write path
    paced: int  # messages at the offered rate (latency, posting under load, memory)
    rate: float  # offered load, messages/s
    recap_sizes: tuple[int, int, int]
    start_in: float  # seconds from the bot's start-up to the rehearsal's welcome
    burst_within: float  # a full-speed run stops waiting for commits this long after its start
    idle_show: RunOfShow = field(
        default_factory=lambda: RunOfShow(first=1.0, spacing=0.25, late_window=0.5)
    )
    burst_show: RunOfShow = field(default_factory=lambda: RunOfShow(first=2.0, spacing=30.0))
    overlap_recap: bool = False  # run the recap subprocesses beside the rest (smoke run only)
    bluesky_posts: int = 100  # hashtag answers on Bluesky during the busy chat
    bluesky_rate: float = 5.0  # of them per second

    def paced_show(self, count: int) -> RunOfShow:
        """Twelve questions spread over `count` messages at the offered rate (the load starts at
        the welcome)."""
        seconds = count / self.rate
        spacing = round(max(seconds - 1.0, 1.2) / 11, 2)
        return RunOfShow(first=1.0, spacing=spacing, late_window=min(2.0, 2 * spacing))

    @property
    def label(self) -> str:
        return "quick" if self.runs == 1 else "full"


FULL = Plan(
    runs=3,
    members=1000,
    burst=20_000,
    ab=1_500,
    paced=10_000,
    rate=500.0,
    recap_sizes=(1_000, 10_000, 100_000),
    start_in=3.0,
    burst_within=45.0,
)
QUICK = Plan(
    runs=1,
    members=200,
    burst=400,
    ab=400,
    paced=400,
    rate=500.0,
    recap_sizes=(100, 1_000, 2_000),
    start_in=0.7,
    burst_within=20.0,
    idle_show=RunOfShow(first=0.4, spacing=0.1, late_window=0.2),
    burst_show=RunOfShow(first=1.0, spacing=5.0),
    overlap_recap=True,
    bluesky_posts=4,  # the smoke run's chat lasts about 2.5 s
    bluesky_rate=4.0,
)


@dataclass
class Ctx:
    """Shared by the benchmark modules during one `python -m bench` run."""

    plan: Plan
    world: World
    seeded: SeededDatabase
    tmp: Path
    raw: dict[str, Any] = field(default_factory=dict)
    _runs: int = 0

    def folder(self, name: str) -> Path:
        """A fresh folder for one measured run."""
        self._runs += 1
        path = self.tmp / f"{self._runs:02d}-{name}"
        path.mkdir(parents=True)
        return path
