"""The moderation log and "Hide from recap": a row in the store and a line in the mod-log
channel, through the transport; hiding and logging commit together."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app.moderation import ModerationLog, Where, Who
from bot.clock import ManualClock
from bot.config import ChatSettings, Settings
from bot.domain.messages import Attributed, MessageRow
from bot.memory_transport import MemoryTransport
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
