"""Across weeks: participants per session, newcomers, returning rate, top contributors.

`build_trends` is pure over stored rows; `leadershipchat stats` (bot/cli/stats.py) prints it
with a PNG chart. `load_trend_rows` is the only part that reads (a `RecapSource`). (On Discord a member
sees only their own numbers, with `/chat mystats`.)
Counts come from session_members (kept after message text is purged); opted-out members are left
out everywhere, as in recaps.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.members import MemberRow, Participation
from bot.domain.sessions import HELD, SessionRow
from bot.recap.source import RecapSource
from bot.unsafe_text import printable


@dataclass(frozen=True)
class WeekStat:
    session_id: int
    chat: str
    chat_date: date
    title: str
    participants: int
    newcomers: int
    returning: int  # took part before (not newcomers)
    returning_rate: float  # returning / participants (0 when nobody came)
    retained: float | None  # share of the previous session's people who came again
    messages: int
    answers: int


@dataclass(frozen=True)
class Contributor:
    user_id: int
    name: str
    sessions: int
    messages: int
    answers: int


@dataclass(frozen=True)
class Trends:
    weeks: tuple[WeekStat, ...]  # oldest first
    month: date  # first day of the month "this month" means
    top_month: tuple[Contributor, ...]
    top_all_time: tuple[Contributor, ...]


@dataclass(frozen=True)
class TrendRows:
    sessions: Sequence[SessionRow]
    participation: Mapping[int, Sequence[Participation]]  # session id -> rows
    members: Mapping[int, MemberRow]


def _rank(
    rows: Sequence[Participation], members: Mapping[int, MemberRow], top: int
) -> tuple[Contributor, ...]:
    sessions: dict[int, set[int]] = defaultdict(set)
    messages: dict[int, int] = defaultdict(int)
    answers: dict[int, int] = defaultdict(int)
    for p in rows:
        sessions[p.user_id].add(p.session_id)
        messages[p.user_id] += p.messages
        answers[p.user_id] += p.answers

    def name(uid: int) -> str:
        m = members.get(uid)
        return m.display_name if m else "member"

    people = [Contributor(u, name(u), len(s), messages[u], answers[u]) for u, s in sessions.items()]
    people.sort(key=lambda c: (-c.answers, -c.messages, -c.sessions, c.name.casefold(), c.user_id))
    return tuple(people[:top])


def build_trends(rows: TrendRows, *, today: date, weeks: int = 12, top: int = 10) -> Trends:
    """The last ``weeks`` held sessions up to ``today`` and this month's / all-time top people."""
    hidden = {uid for uid, m in rows.members.items() if m.opted_out}
    held = sorted(
        (s for s in rows.sessions if s.status in HELD and s.chat_date <= today),
        key=lambda s: s.start_at,
    )
    people = {
        s.id: [p for p in rows.participation.get(s.id, ()) if p.user_id not in hidden] for s in held
    }
    stats = []
    previous: set[int] | None = None
    for s in held:
        ps = people[s.id]
        who = {p.user_id for p in ps}
        new = sum(1 for p in ps if p.newcomer)
        stats.append(
            WeekStat(
                session_id=s.id,
                chat=s.chat,
                chat_date=s.chat_date,
                title=s.topic.title,
                participants=len(who),
                newcomers=new,
                returning=len(who) - new,
                returning_rate=(len(who) - new) / len(who) if who else 0.0,
                retained=len(who & previous) / len(previous) if previous else None,
                messages=sum(p.messages for p in ps),
                answers=sum(p.answers for p in ps),
            )
        )
        previous = who
    month = today.replace(day=1)
    this_month = [p for s in held if s.chat_date >= month for p in people[s.id]]
    return Trends(
        weeks=tuple(stats[-weeks:]) if weeks > 0 else (),
        month=month,
        top_month=_rank(this_month, rows.members, top),
        top_all_time=_rank([p for ps in people.values() for p in ps], rows.members, top),
    )


async def load_trend_rows(source: RecapSource, chat: str | None = None) -> TrendRows:
    """Every session (of one chat, or all) with its participation and the members involved."""
    sessions = [s for s in await source.sessions(chat) if s.status in HELD]
    participation = {s.id: await source.participation(s.id) for s in sessions}
    users = sorted({p.user_id for ps in participation.values() for p in ps})
    return TrendRows(sessions, participation, await source.members(users))


def render_trend_png(trends: Trends, title: str = "Participants per chat") -> bytes:
    """Participants (line) and newcomers (bars) per session, for `leadershipchat stats`."""
    # imported here: matplotlib costs ~50 MB and half a second, paid by a recap, not by start-up
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(10, 4), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(trends.weeks)))
    ax.bar(xs, [w.newcomers for w in trends.weeks], color="#9ae6b4", label="newcomers")
    ax.plot(
        xs,
        [w.participants for w in trends.weeks],
        color="#2b6cb0",
        marker="o",
        label="participants",
    )
    ax.plot(
        xs,
        [w.returning for w in trends.weeks],
        color="#c05621",
        marker=".",
        linestyle="--",
        label="returning",
    )
    ax.set_xticks(xs)
    ax.set_xticklabels(
        [w.chat_date.strftime("%b %d") for w in trends.weeks], fontsize=8, rotation=45, ha="right"
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    if not xs:
        ax.text(0.5, 0.5, "no chats yet", transform=ax.transAxes, ha="center", color="#4a5568")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _people(title: str, people: tuple[Contributor, ...]) -> list[str]:
    lines = [f"\n{title}"]
    if not people:
        return [*lines, "  nobody yet"]
    for i, c in enumerate(people, start=1):
        lines.append(
            f"  {i:>2}. {printable(c.name):<24} {c.answers:>5} answers {c.messages:>6} messages"
            f" {c.sessions:>4} chats"
        )
    return lines


def format_trends(trends: Trends) -> str:
    """Plain-text table: what `leadershipchat stats` prints."""
    lines = [
        f"{'date':<11} {'chat':<16} {'people':>6} {'new':>4} {'returning':>9} {'came back':>9}"
        f" {'answers':>7}  title"
    ]
    for w in trends.weeks:
        back = f"{w.retained:.0%}" if w.retained is not None else "-"
        lines.append(
            f"{w.chat_date.isoformat():<11} {printable(w.chat):<16} {w.participants:>6} {w.newcomers:>4}"
            f" {w.returning_rate:>9.0%} {back:>9} {w.answers:>7}  {printable(w.title)}"
        )
    if not trends.weeks:
        lines.append("no chats yet")
    else:
        people = sum(w.participants for w in trends.weeks)
        returning = sum(w.returning for w in trends.weeks)
        lines.append(
            f"\nreturning rate over these chats: {returning / people:.0%}" if people else ""
        )
    lines += _people(f"Top contributors in {trends.month:%B %Y}", trends.top_month)
    lines += _people("Top contributors of all time", trends.top_all_time)
    return "\n".join(lines)
