"""Across weeks: participants, newcomers, returning rate and top contributors (this month too)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.members import MemberRow, Participation
from bot.domain.sessions import SessionRow, SessionStatus
from bot.domain.topics import SessionTopic
from bot.recap.trends import TrendRows, build_trends, load_trend_rows, render_trend_png
from bot.store import Store
from tests.fixtures.recap import scenario as sc


def session(sid: int, day: date, status: SessionStatus = SessionStatus.RECAPPED) -> SessionRow:
    start = datetime(day.year, day.month, day.day, 0, 0, tzinfo=UTC)
    return SessionRow(
        sid,
        "lc",
        day,
        start,
        SessionTopic(f"Topic {sid}", ()),
        status,
        None,
        None,
        start,
        None,
        None,
    )


def member(uid: int, name: str, opted_out: bool = False) -> MemberRow:
    return MemberRow(uid, name, None, None, None, 0, opted_out)


def part(sid: int, uid: int, messages: int, answers: int, new: bool = False) -> Participation:
    return Participation(sid, uid, messages, answers, new, False)


ROWS = TrendRows(
    sessions=[
        session(1, date(2024, 4, 23)),
        session(2, date(2024, 4, 30)),
        session(3, date(2024, 5, 7)),
        session(4, date(2024, 5, 14), SessionStatus.CANCELLED),
        session(5, date(2024, 5, 21), SessionStatus.PLANNED),
    ],
    participation={
        1: [part(1, 1, 30, 20, new=True), part(1, 2, 10, 6, new=True), part(1, 9, 99, 99, True)],
        2: [part(2, 1, 5, 3), part(2, 3, 8, 6, new=True)],
        3: [part(3, 2, 12, 6), part(3, 3, 9, 5), part(3, 4, 3, 1, new=True)],
    },
    members={
        1: member(1, "Ana"),
        2: member(2, "Ben"),
        3: member(3, "Chen"),
        4: member(4, "Dee"),
        9: member(9, "Eve", opted_out=True),
    },
)


def test_one_row_per_held_session_oldest_first() -> None:
    t = build_trends(ROWS, today=date(2024, 5, 20))
    assert [w.session_id for w in t.weeks] == [1, 2, 3]  # cancelled and future ones left out
    assert [(w.participants, w.newcomers, w.returning) for w in t.weeks] == [
        (2, 2, 0),  # Eve opted out: not counted
        (2, 1, 1),
        (3, 1, 2),
    ]
    assert [w.returning_rate for w in t.weeks] == [0.0, 0.5, 2 / 3]
    assert [w.retained for w in t.weeks] == [None, 0.5, 0.5]  # Ana came back; then Chen
    assert t.weeks[2].answers == 12


def test_weeks_limits_the_table_not_the_all_time_ranking() -> None:
    t = build_trends(ROWS, today=date(2024, 5, 20), weeks=1)
    assert [w.session_id for w in t.weeks] == [3]
    assert [c.name for c in t.top_all_time][:1] == ["Ana"]


def test_top_contributors_this_month_and_all_time() -> None:
    t = build_trends(ROWS, today=date(2024, 5, 20))
    assert t.month == date(2024, 5, 1)
    assert [(c.name, c.answers, c.sessions) for c in t.top_month] == [
        ("Ben", 6, 1),
        ("Chen", 5, 1),
        ("Dee", 1, 1),
    ]
    assert [(c.name, c.answers, c.sessions) for c in t.top_all_time] == [
        ("Ana", 23, 2),
        ("Ben", 12, 2),
        ("Chen", 11, 2),
        ("Dee", 1, 1),
    ]
    assert "Eve" not in {c.name for c in (*t.top_month, *t.top_all_time)}


def test_trend_chart_is_a_png() -> None:
    png = render_trend_png(build_trends(ROWS, today=date(2024, 5, 20)))
    assert png.startswith(b"\x89PNG")
    assert render_trend_png(build_trends(TrendRows([], {}, {}), today=date(2024, 5, 20)))


async def test_rows_load_from_the_store(store: Store) -> None:
    await sc.fill_store(store)
    rows = await load_trend_rows(store.recap_source, "leadershipchat")
    t = build_trends(rows, today=sc.START.date() + timedelta(days=1))
    # Eve (opted out) never counts. Participation is counted at capture time, so Ivy (deleted
    # her message later) and Jon (hidden by a host) took part although the recap quotes neither.
    assert [w.participants for w in t.weeks] == [4, 4, 9]
    assert t.weeks[-1].newcomers == 3


def test_the_stats_table_runs_no_escape_a_member_or_a_restored_database_typed() -> None:
    """`leadershipchat stats` prints names and chat names from the database to a terminal: a
    display name with an escape sequence (retitling the terminal, hiding text) or a bidi
    override must not reach it, as it does not reach a recap."""
    from dataclasses import replace

    from bot.recap.trends import format_trends

    hostile = "\x1b]0;pwned\x07Ana\u202e\x1b[8m"
    rows = replace(
        ROWS,
        sessions=[replace(s, chat="lc\x1b[2J") for s in ROWS.sessions],
        members={**ROWS.members, 1: member(1, hostile)},
    )
    text = format_trends(build_trends(rows, today=date(2024, 5, 20)))
    assert "Ana" in text and "lc" in text
    assert not [c for c in text if c not in "\n" and not c.isprintable()]
