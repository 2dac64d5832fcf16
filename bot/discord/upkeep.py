"""Day-two jobs of the running bot on the same scheduler as the chat: the daily retention purge,
redoing published copies (at start-up, then every minute: a `leadershipchat forget` or `purge`
run from the command line leaves the Discord posts to the bot) and, when configured, the nightly
backup (all from bot.maintenance)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.engine.triggers import SchedulerTrigger
from bot.maintenance.backup import BackupError, nightly_backup
from bot.maintenance.forget import Republisher
from bot.maintenance.retention import purge_expired
from bot.store import Store

log = logging.getLogger(__name__)

FIRST_PURGE_AFTER = timedelta(minutes=5)  # not in the middle of start-up
REPUBLISH_EVERY = timedelta(minutes=1)


def schedule_upkeep(
    trigger: SchedulerTrigger,
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

    trigger.scheduler.add_job(
        purge,
        "interval",
        days=1,
        next_run_time=clock.now() + FIRST_PURGE_AFTER,
        id="upkeep:retention-purge",
        replace_existing=True,
        coalesce=True,
    )
    trigger.scheduler.add_job(
        republish,
        "interval",
        seconds=REPUBLISH_EVERY.total_seconds(),
        next_run_time=clock.now(),
        id="upkeep:republish",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    nightly = settings.backup.nightly_at
    if nightly is not None:
        trigger.scheduler.add_job(
            backup,
            "cron",
            hour=nightly.hour,
            minute=nightly.minute,
            timezone="UTC",
            id="upkeep:nightly-backup",
            replace_existing=True,
            coalesce=True,
        )
