"""Retention: message text older than a chat's `privacy.retention_days` is purged.

Only the text goes. The rows stay with their kind, question, reactions and time, so counts,
streaks and trends still add up. The sessions that lost text are queued for redoing, so their
published copies (recap folders, archive sites, the bot's recap posts) are rebuilt without it
(`bot/maintenance/republish.py`; README, "Forgetting reaches the published copies"). Messages of
no session (or of a chat no longer configured) get the shortest retention of all chats.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config import Settings
from bot.store import Store

log = logging.getLogger(__name__)


async def purge_expired(store: Store, settings: Settings, now: datetime) -> int:
    """Purge expired message text for every chat; return how many messages lost their text.

    Idempotent and cheap when there is nothing to do: run it daily (and from `leadershipchat
    purge`)."""
    total = 0
    for chat in settings.chats:
        cutoff = now - timedelta(days=chat.privacy.retention_days)
        n = await store.privacy.purge_chat_text_before(chat.name, cutoff)
        if n:
            log.info(
                "retention: purged the text of %d messages of %s before %s", n, chat.name, cutoff
            )
        total += n
    shortest = min(chat.privacy.retention_days for chat in settings.chats)
    n = await store.privacy.purge_other_text_before(
        [chat.name for chat in settings.chats], now - timedelta(days=shortest)
    )
    if n:
        log.info("retention: purged the text of %d messages outside any configured chat", n)
    return total + n
