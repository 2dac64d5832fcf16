"""Day-two jobs of the running bot on the same scheduler as the chat: the daily retention purge,
redoing published copies (at start-up, then every minute: a `leadershipchat forget` or `purge`
run from the command line leaves the Discord posts to the bot) and, when configured, the nightly
backup (all from bot.maintenance). Each is a timer of the trigger (`every`, `daily`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.engine.triggers import Trigger
from bot.maintenance.backup import BackupError, nightly_backup
from bot.maintenance.forget import Republisher
from bot.maintenance.retention import purge_expired
from bot.store import Store

log = logging.getLogger(__name__)

FIRST_PURGE_AFTER = timedelta(minutes=5)  # not in the middle of start-up
REPUBLISH_EVERY = timedelta(minutes=1)


def schedule_upkeep(
    trigger: Trigger,
    settings: Settings,
    store: Store,
    clock: Clock,
    republisher: Republisher,
) -> None:
    async def purge() -> None:
        try:
            n = await purge_expired(store, settings, clock.now())
        except Exception:
            log.exception("retention purge failed; it runs again tomorrow")
            return
        log.info("retention purge: %d message text(s) dropped", n)
        await republish()

    async def republish() -> None:
        try:
            await republisher.run_if_pending()
        except Exception:
            log.exception("redoing published copies failed; it is tried again in a minute")

    async def backup() -> None:
        try:
            path = await nightly_backup(settings, clock.now())
        except BackupError as exc:
            log.error("nightly backup failed: %s", exc)
            return
        log.info("nightly backup written to %s", path)

    trigger.every(
        "upkeep:retention-purge", timedelta(days=1), purge, first=clock.now() + FIRST_PURGE_AFTER
    )
    trigger.every("upkeep:republish", REPUBLISH_EVERY, republish, first=clock.now())
    nightly = settings.backup.nightly_at
    if nightly is not None:
        trigger.daily("upkeep:nightly-backup", nightly, backup)
