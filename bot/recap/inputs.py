"""What a recap is built from: the stored rows of one session, gathered by one async call.

`build_recap` stays pure (rows in, Recap out) so the engine, the CLI, the archive site and the
DiscordChatExporter import share one code path; only `load_recap_input` reads, from a
`RecapSource` (the store provides one).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.domain.members import MemberRow, Participation
from bot.domain.messages import MessageRow
from bot.domain.sessions import HELD, SessionRow
from bot.domain.steps import StepRow
from bot.recap.source import RecapSource

if TYPE_CHECKING:
    from bot.config import ChatSettings


@dataclass(frozen=True)
class RecapInput:
    """Everything `build_recap` needs; plain rows so tests and the export importer can make one."""

    session: SessionRow
    steps: Sequence[StepRow]
    messages: Sequence[MessageRow]
    members: Mapping[int, MemberRow] = field(default_factory=dict)
    participation: Sequence[Participation] = ()
    # Ids of this chat's earlier held sessions, oldest first; None when history is unknown.
    earlier_sessions: Sequence[int] | None = None
    attended: Mapping[int, Collection[int]] = field(default_factory=dict)  # user -> session ids
    hashtag: str | None = None
    timezone: str = "UTC"
    guild_id: int | None = None  # for links to question posts
    excluded_authors: frozenset[int] = frozenset()  # beyond opted-out members (export --exclude)
    # authors on another platform a host linked to a home member: their id -> the member's
    links: Mapping[int, int] = field(default_factory=dict)
    source: str = "store"


async def load_recap_input(
    source: RecapSource, session_id: int, chat: ChatSettings | None = None
) -> RecapInput:
    """Read one session's rows (and the history needed for newcomers and streaks).

    ``chat`` supplies the hashtag, time zone and guild; without it times are shown in UTC.
    Raises LookupError for an unknown session.
    """
    session = await source.session(session_id)
    if session is None:
        raise LookupError(f"no session with id {session_id}")
    steps = await source.steps(session_id)
    messages = await source.messages(session_id)
    authors = sorted({m.author_id for m in messages if not m.author_is_bot})
    links = await source.links(session_id)
    members = await source.members(sorted({*authors, *links.values()}))
    participation = await source.participation(session_id)
    earlier = [
        s
        for s in await source.sessions(session.chat)
        if s.start_at < session.start_at and s.status in HELD
    ]
    history = await source.attendance(sorted({links.get(a, a) for a in authors}))
    return RecapInput(
        session=session,
        steps=steps,
        messages=messages,
        members=members,
        participation=participation,
        earlier_sessions=[s.id for s in sorted(earlier, key=lambda s: s.start_at)],
        attended={user: frozenset(ids) for user, ids in history.items()},
        hashtag=chat.hashtag if chat else None,
        timezone=chat.schedule.timezone if chat else "UTC",
        guild_id=chat.guild_id if chat else None,
        links=links,
    )
