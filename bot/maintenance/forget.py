"""Erasure of one member on request (`leadershipchat forget`, `/chat forgetme`).

Everything the database holds about the member goes in one transaction: their messages, their
reactions, their stats, their settings (opt-out, reminders) and moderation entries, and their id
and mentions are scrubbed from any text. Nothing is regenerated: recaps already published (files,
Discord posts) are not edited, and older backups still hold the data until they age out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.store import Store

log = logging.getLogger(__name__)

NOT_TOUCHED = (
    "Recaps already published (the files in the recap folder and the posts on Discord) were "
    "not edited, and backups made before now still contain this member until they are "
    "rotated out. Their settings went too, opt-out included: new messages they post in a chat "
    "are recorded again unless they run /chat optout again."
)


@dataclass(frozen=True)
class ForgetReport:
    """What was erased, table by table; `total` is 0 when nothing was known about the member."""

    user_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.scrubbed.values())

    def lines(self) -> list[str]:
        """The report in words, for the CLI and for the member's ephemeral reply."""
        if not self.total:
            return [f"Nothing was stored about member {self.user_id}: nothing to erase."]
        out = [f"Erased everything stored about member {self.user_id}:"]
        out += [f"  {table}: {n} row(s) deleted" for table, n in sorted(self.deleted.items())]
        out += [
            f"  {column}: mentions removed from {n} row(s)"
            for column, n in sorted(self.scrubbed.items())
        ]
        out.append(NOT_TOUCHED)
        return out


async def forget_member(store: Store, user_id: int) -> ForgetReport:
    """Erase one member (all or nothing), then fold the WAL so the old pages do not linger."""
    erased = await store.privacy.erase_member(user_id)
    try:
        await store.upkeep.checkpoint()
    except Exception as exc:  # a busy reader only delays the fold; the data is already gone
        log.debug("checkpoint after erasure deferred: %s", exc)
    report = ForgetReport(user_id, dict(erased.deleted), dict(erased.scrubbed))
    # The id is deliberately not logged: the log would otherwise remember whom we forgot.
    log.info("forgot a member on request: %d rows deleted", sum(report.deleted.values()))
    return report
