"""The naive baseline: capture as it was before the write path was tuned (commit 5ad9669), kept
here so every benchmark run shows the gain. Per member message: a sessions query, a member read
(a cursor: three round trips), the insert, three participation writes and a read back, each
statement its own transaction (one commit per statement, so several per message).

`install()` patches `Capture.on_message(s)` in the bot subprocess (`python -m bench.botproc
--naive`), and notes the store the bot opens (the old path wrote through its connection);
nothing else changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers import Kind
from bot.domain.members import Participation
from bot.domain.messages import MessageRow
from bot.engine.capture import _CAPTURING, Capture
from bot.engine.session_view import build_view, stored_attribution
from bot.store import Store
from bot.store.codec import to_db
from bot.store.members import _participation
from bot.transport import MessageCreated

_opened: list[Store] = []  # the bot's store, noted by `install()`


async def _record_message(
    store: Store, session_id: int, msg: MessageCreated, *, answer: bool
) -> Participation:
    conn = store.conn
    at = to_db(msg.created_at)
    await conn.execute(
        "INSERT INTO members (user_id, display_name, first_seen_at, last_seen_at, first_session_id)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
        " display_name = excluded.display_name, last_seen_at = excluded.last_seen_at,"
        " first_seen_at = COALESCE(members.first_seen_at, excluded.first_seen_at),"
        " first_session_id = COALESCE(members.first_session_id, excluded.first_session_id)",
        (msg.author_id, msg.author_name, at, at, session_id),
    )
    await conn.execute(
        "INSERT INTO session_members (session_id, user_id, messages, answers, newcomer)"
        " SELECT ?, ?, 1, ?, (first_session_id = ?) FROM members WHERE user_id = ?"
        " ON CONFLICT (session_id, user_id) DO UPDATE SET messages = messages + 1,"
        " answers = answers + excluded.answers",
        (session_id, msg.author_id, int(answer), session_id, msg.author_id),
    )
    await conn.execute(
        "UPDATE members SET sessions_count ="
        " (SELECT COUNT(*) FROM session_members WHERE user_id = ?) WHERE user_id = ?",
        (msg.author_id, msg.author_id),
    )
    async with conn.execute(
        "SELECT * FROM session_members WHERE session_id = ? AND user_id = ?",
        (session_id, msg.author_id),
    ) as cur:
        r = await cur.fetchone()
    assert r is not None
    return _participation(r)


async def naive_on_message(self: Capture, msg: MessageCreated) -> bool:
    """The pre-tuning `Capture.on_message`, statement for statement."""
    if msg.author_is_bot:
        return False
    chat = self._chat_by_channel.get(msg.channel_id)
    if chat is None:
        return False
    store = _opened[-1]
    sessions = [
        s for s in await store.sessions.active() if s.chat == chat.name and s.status in _CAPTURING
    ]
    if not sessions:
        return False
    session = sessions[-1]
    view = self._views.get(session.id)
    if view is None or view.session.status != session.status:
        view = build_view(session, chat, await store.steps.for_session(session.id))
        if view is None:
            return False
        self._views[session.id] = view
    async with store.conn.execute(
        "SELECT opted_out FROM members WHERE user_id = ?", (msg.author_id,)
    ) as cur:
        found = await cur.fetchone()
    opted_out = bool(found and found[0])
    parents = {}
    if msg.reply_to is not None and msg.reply_to not in view.question_posts:
        parent = await store.messages.get(msg.reply_to)
        if parent is not None:
            parents[parent.id] = parent.attribution.questions
    result = self._attribute(view, msg, msg.content, opted_out, parents)
    if result.kind is Kind.OUTSIDE:
        return False
    row = MessageRow(
        id=msg.message_id,
        session_id=view.session.id,
        channel_id=msg.channel_id,
        thread_id=msg.thread_id,
        author_id=msg.author_id,
        author_name=msg.author_name,
        author_is_host=msg.author_is_host,
        content=None if opted_out else msg.content,
        created_at=msg.created_at,
        attribution=stored_attribution(result),
        reply_to=msg.reply_to,
        jump_url=msg.jump_url,
    )
    if not await store.messages.add(row):
        return False
    part = await _record_message(store, view.session.id, msg, answer=result.kind is Kind.ANSWER)
    if (
        part.newcomer
        and not part.welcomed
        and not opted_out
        and chat.welcome_newcomers
        and not msg.author_is_host
    ):
        self._newcomers.forget(view.session.id)  # the old code read the ledger each time
        await self.queue_newcomer_welcome(view.session, chat)
    return True


async def naive_on_messages(self: Capture, msgs: Sequence[MessageCreated]) -> int:
    """The pre-tuning path took messages one at a time."""
    return sum([await naive_on_message(self, msg) for msg in msgs])


def install() -> None:
    Capture.on_message = naive_on_message  # type: ignore[method-assign]
    init = Store.__init__

    def noting_init(self: Store, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        _opened.append(self)

    Store.__init__ = noting_init  # type: ignore[method-assign]
    Capture.on_messages = naive_on_messages  # type: ignore[method-assign]
