"""activity.png: messages per minute with the questions marked, plus its alt text.

matplotlib through Figure + FigureCanvasAgg only (no pyplot global state), so it is safe in a
running bot's thread and needs no display.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

from bot.recap.display import clock, plural, zone_abbr
from bot.recap.model import Recap

BAR = "#2b6cb0"
MARK = "#c05621"
MAX_BARS = 240
_TICK_STEPS = (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)  # minutes between x labels


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def activity(recap: Recap) -> tuple[datetime, list[int]]:
    """First minute and message counts per minute, from the start to the close (late: left out)."""
    first = _minute(min([recap.start_at, *(q.posted_at for q in recap.questions if q.posted_at)]))
    last = _minute(recap.end_at)
    counts = Counter(
        _minute(m.created_at) for m in recap.messages if first <= m.created_at < recap.end_at
    )
    size = max(1, int((last - first).total_seconds() // 60))
    return first, [counts.get(first + timedelta(minutes=i), 0) for i in range(size)]


def describe_activity(recap: Recap) -> str:
    """The chart in words (alt text): range, when each question came, the busiest minute."""
    tz = recap.timezone
    text = (
        f"Bar chart of messages per minute from {clock(recap.start_at, tz)} to"
        f" {clock(recap.end_at, tz)} {zone_abbr(recap.start_at, tz)}."
    )
    asked = [f"Q{q.number} at {clock(q.posted_at, tz)}" for q in recap.questions if q.posted_at]
    if asked:
        shown = asked if len(asked) <= 12 else [*asked[:12], f"{len(asked) - 12} more"]
        text += " Questions: " + ", ".join(shown) + "."
    if recap.stats.busiest_minute:
        b = recap.stats.busiest_minute
        text += f" Busiest minute: {clock(b.at, tz)} with {plural(b.messages, 'message')}."
    late = sum(1 for m in recap.messages if m.created_at >= recap.end_at)
    if late:
        text += f" Not shown: {plural(late, 'message')} after the chat."
    return text


def render_activity_png(recap: Recap) -> bytes:
    # imported here: matplotlib costs ~50 MB and half a second, paid by a recap, not by start-up
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    first, counts = activity(recap)
    tz = recap.timezone
    fig = Figure(figsize=(10, 3.6), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if len(counts) <= MAX_BARS:
        ax.bar(range(len(counts)), counts, width=0.85, color=BAR, align="edge")
    else:  # one patch instead of thousands: long sessions stay fast to draw
        ax.stairs(counts, range(len(counts) + 1), fill=True, color=BAR)
    top = max(counts) if any(counts) else 1
    ax.set_ylim(0, top * 1.25 + 0.5)
    for q in recap.questions:
        if q.posted_at is None:
            continue
        x = (q.posted_at - first).total_seconds() / 60
        if 0 <= x <= len(counts):
            ax.axvline(x, color=MARK, linewidth=1.2, linestyle="--")
            ax.text(x + 0.3, top * 1.18 + 0.4, f"Q{q.number}", color=MARK, fontsize=9, va="top")
    step = next((s for s in _TICK_STEPS if len(counts) / s <= 13), 1440 * 7)
    ticks = list(range(0, len(counts) + 1, step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([clock(first + timedelta(minutes=t), tz) for t in ticks], fontsize=8)
    ax.set_xlim(0, len(counts))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("messages")
    ax.set_title(
        f"Messages per minute ({zone_abbr(recap.start_at, tz)}); dashed lines: questions",
        fontsize=11,
        loc="left",
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
