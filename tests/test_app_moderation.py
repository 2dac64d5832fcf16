"""The moderation log and "Hide from recap": a row in the store and a line in the mod-log
channel, through the transport; hiding and logging commit together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.app.moderation import Enforcement, Flagged, Hidden, ModerationLog, Where, Who
from bot.clock import ManualClock
from bot.config import ChatSettings, Settings
from bot.domain.messages import Attributed, MessageRow
from bot.domain.sessions import SessionStatus
from bot.domain.topics import SessionQuestion, SessionTopic
from bot.memory_transport import MemoryTransport
from bot.moderation import Rule, Verdict
from bot.store import Store

AT = datetime(2026, 12, 2, 1, 5, tzinfo=UTC)
MOD_LOG = 60


def chat(tmp_path: Path) -> ChatSettings:
    settings = Settings.model_validate(
        {
            "database": str(tmp_path / "m.db"),
            "chats": [
                {
                    "name": "leadershipchat",
                    "guild_id": 10,
                    "channels": {"chat": 20, "announce": 30, "recap": 40, "mod_log": MOD_LOG},
                    "host_role_id": 50,
                }
            ],
        }
    )
    return settings.chats[0]


async def test_hiding_a_message_marks_it_and_logs_it_once(tmp_path: Path) -> None:
    clock = ManualClock(AT)
    transport = MemoryTransport(clock)
    async with Store(tmp_path / "m.db") as store:
        await store.messages.add(
            MessageRow(1, None, 20, 7, "Al", "A1: @here look", AT, Attributed("answer"))
        )
        mod_log = ModerationLog(store, transport, clock)
        who, where = Who(7, "Al"), Where(1, "https://discord.com/channels/10/20/1", "@here look")
        assert await mod_log.hide(chat(tmp_path), None, who, where, by="Hana")
        stored = await store.messages.get(1)
        assert stored is not None and stored.hidden
        [action] = await store.moderation.for_user(7)
        assert action.action == "hide-from-recap"
        assert action.reason == "hidden from the recap by Hana"
        [line] = transport.posts_in(MOD_LOG)
        assert line.content.startswith("**hide-from-recap**: Al (`7`)")
        assert "@here" not in line.content  # quoted member text pings nobody

        assert not await mod_log.hide(chat(tmp_path), None, who, Where(99), by="Hana")
        assert len(await store.moderation.for_user(7)) == 1
        assert len(transport.posts_in(MOD_LOG)) == 1


async def test_hiding_a_message_of_a_published_recap_queues_its_copies_for_redoing(
    tmp_path: Path,
) -> None:
    """A host who hides a message after the recap went out expects the recap to follow: its
    files, site and posts are redone without it (before, only later recaps left it out)."""
    clock = ManualClock(AT)
    transport = MemoryTransport(clock)
    async with Store(tmp_path / "m.db") as store:
        topic = SessionTopic("Serving", (SessionQuestion("Why?"),))
        live = await store.sessions.create("leadershipchat", date(2026, 12, 8), AT, topic, AT)
        done = await store.sessions.create("leadershipchat", date(2026, 12, 1), AT, topic, AT)
        await store.sessions.set_status(done.id, SessionStatus.RECAPPED)
        for mid, session in ((1, done.id), (2, live.id)):
            await store.messages.add(
                MessageRow(mid, session, 20, 7, "Al", "A1: spam", AT, Attributed("answer"))
            )
        mod_log = ModerationLog(store, transport, clock)
        who = Who(7, "Al")
        assert await mod_log.hide(chat(tmp_path), None, who, Where(2), by="Hana") is Hidden.HIDDEN
        assert not await store.redo.any_pending()  # that chat's recap is not out: nothing to redo
        hidden = await mod_log.hide(chat(tmp_path), live.id, who, Where(1), by="Hana")
        assert hidden is Hidden.HIDDEN_AND_REDONE
        [work] = await store.redo.pending_files()
        assert (work.session_id, work.reason) == (done.id, "hide")


async def test_a_verdict_is_carried_out_through_the_transport_and_logged(tmp_path: Path) -> None:
    """Delete, warn by DM (or, with DMs closed, a notice in the channel that goes away), time
    out: each through the platform's transport, then one log row and one mod-log line."""
    clock = ManualClock(AT)
    transport = MemoryTransport(clock)
    async with Store(tmp_path / "m.db") as store:
        enforcement = Enforcement(transport, ModerationLog(store, transport, clock))
        flagged = Flagged(10, 20, "https://discord.com/channels/10/20", Where(5, None, "spam"))
        verdict = Verdict(Rule.FLOOD, "3 messages in 1s", warn=True, timeout=timedelta(minutes=1))
        await enforcement.act(chat(tmp_path), None, Who(7, "Al_*"), flagged, verdict)
        assert transport.deleted == [5]
        assert transport.timeouts == [(7, timedelta(minutes=1))]
        [(user, dm)] = transport.dms
        assert user == 7 and dm.startswith("About https://discord.com/channels/10/20: you're")

        async def dms_closed(user_id: int, content: str) -> bool:
            return False

        transport.direct_message = dms_closed  # type: ignore[method-assign]
        again = Verdict(Rule.DUPLICATE, "the same text twice", warn=True)
        await enforcement.act(chat(tmp_path), None, Who(7, "Al_*"), flagged, again)
        [notice] = transport.posts_in(20)
        assert notice.content.startswith("Al\\_\\*, the same message again was removed")
        assert notice.outgoing.delete_after == 60
        logged = [(a.action, a.reason) for a in await store.moderation.for_user(7)]
        assert logged == [
            ("flood", "3 messages in 1s; deleted, warned by DM, timed out for 0:01:00"),
            ("duplicate", "the same text twice; deleted, warned in the channel"),
        ]
        assert len(transport.posts_in(MOD_LOG)) == 2
