"""The scheduled event follows the ledger (bot/engine/events.py), on the engine's controllable
clock and the in-memory transport, which keeps Discord's rules for events (a future start,
status moves, nothing changes once finished)."""

from __future__ import annotations

from datetime import timedelta

from bot.transport import EventEdit, EventState
from tests.test_engine import START, Harness, plan

CHAT = "leadershipchat"
LENGTH = timedelta(seconds=60)  # the compressed chat closes 60 s after its start


def the_event(h: Harness) -> EventState:
    (event,) = h.transport.events.values()
    return event


async def test_the_event_is_planned_with_the_session_and_follows_a_pause_before_the_start(
    harness: Harness,
) -> None:
    await plan(harness)
    assert harness.engine is not None
    event = the_event(harness)
    assert (event.status, event.start_at, event.end_at) == ("scheduled", START, START + LENGTH)
    assert event.name == "#LeadershipChat · Serving leadership"
    await harness.run_until(START - timedelta(minutes=3))
    await harness.engine.controls.pause(CHAT, "Hana")
    assert "Paused by the hosts" in the_event(harness).description
    await harness.run_until(START + timedelta(minutes=7))  # ten minutes later
    await harness.engine.controls.resume(CHAT, "Hana")
    event = the_event(harness)
    later = timedelta(minutes=10)
    assert (event.status, event.start_at, event.end_at) == (
        "scheduled",
        START + later,
        START + LENGTH + later,
    )
    assert "Paused" not in event.description


async def test_start_now_extend_pause_and_end_move_the_event_with_the_chat(
    harness: Harness,
) -> None:
    await plan(harness)
    engine = harness.engine
    assert engine is not None
    early = START - timedelta(minutes=4)
    await harness.run_until(early)
    await engine.controls.start_now(CHAT, "Hana")
    event = the_event(harness)
    # Discord wants a future start: just ahead of now, until the welcome makes it live
    assert early < event.start_at <= early + timedelta(seconds=5)
    assert event.end_at == early + LENGTH
    await harness.run_until(early + timedelta(seconds=1))
    assert the_event(harness).status == "active"
    await engine.controls.extend(CHAT, 5, "Hana")
    assert the_event(harness).end_at == early + LENGTH + timedelta(minutes=5)
    await harness.run_until(early + timedelta(seconds=20))
    await engine.controls.pause(CHAT, "Hana")
    await harness.run_until(early + timedelta(minutes=2, seconds=20))
    await engine.controls.resume(CHAT, "Hana")
    event = the_event(harness)
    assert event.end_at == early + LENGTH + timedelta(minutes=7)
    assert event.start_at <= early + timedelta(seconds=5)  # a live event keeps its start
    await harness.run_until(early + timedelta(minutes=3))
    await engine.controls.end_now(CHAT, "Hana")
    await harness.run_until(early + timedelta(minutes=3, seconds=1))
    assert the_event(harness).status == "completed"
    # scheduled -> active, then only the end moved, then completed: never a start on a live event
    edits = [edit for _, edit in harness.transport.event_edits]
    assert [e.status for e in edits if e.status] == ["active", "completed"]


async def test_cancelling_the_chat_cancels_its_event(harness: Harness) -> None:
    await plan(harness)
    assert harness.engine is not None
    await harness.engine.controls.cancel(CHAT, "Hana")
    assert the_event(harness).status == "cancelled"


async def test_a_chat_the_bot_missed_entirely_still_completes_its_event(harness: Harness) -> None:
    """Down from before the start to after the close: the welcome is stale and skipped, the
    close goes out late, and the event goes live then completed (Discord has no shorter way)."""
    await plan(harness)
    await harness.crash()
    harness.clock.set(START + LENGTH + timedelta(seconds=5))
    await harness.boot()
    await harness.run_until(START + LENGTH + timedelta(seconds=6))
    assert the_event(harness).status == "completed"


async def test_a_restart_repairs_an_edited_or_deleted_event(harness: Harness) -> None:
    await plan(harness)
    first = the_event(harness)
    await harness.transport.edit_event(
        0,
        first.event_id,
        EventEdit(
            name="Renamed",
            start_at=START + timedelta(hours=1),
            end_at=START + timedelta(hours=2),
        ),
    )
    await harness.crash()
    await harness.boot()
    fixed = the_event(harness)
    assert (fixed.event_id, fixed.name, fixed.start_at, fixed.end_at) == (
        first.event_id,
        first.name,
        START,
        START + LENGTH,
    )
    await harness.crash()
    del harness.transport.events[first.event_id]  # someone deleted it
    engine = await harness.boot()
    again = the_event(harness)
    assert again.event_id != first.event_id and again.start_at == START
    session = await engine.current_session(CHAT)
    assert session is not None and session.event_id == again.event_id


async def test_an_event_discord_refuses_to_change_does_not_stop_the_chat(
    harness: Harness,
) -> None:
    """A finished event (ended by someone in Discord) cannot change: the chat goes on and
    gets a new event, since it still has to happen."""
    await plan(harness)
    assert harness.engine is not None
    first = the_event(harness)
    await harness.transport.edit_event(0, first.event_id, EventEdit(status="cancelled"))
    await harness.engine.controls.extend(CHAT, 10, "Hana")
    live = [e for e in harness.transport.events.values() if e.status == "scheduled"]
    assert [e.end_at for e in live] == [START + LENGTH + timedelta(minutes=10)]
    await harness.run_until(START + timedelta(seconds=6))
    assert any(p.content.startswith("Q1:") for p in harness.transport.posts)
