"""Stored rows -> Recap: who said what under which question, the best answers, who took part.

Pure and O(n log n): one pass to filter and index the visible messages, one pass per concern.
The attribution itself (kind, questions, late) was decided by bot.answers when the message was
captured or imported; this module only groups, ranks and counts.
"""

from __future__ import annotations

import heapq
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.messages import MessageRow
from bot.domain.steps import StepRow
from bot.domain.topics import SessionQuestion
from bot.recap.inputs import RecapInput
from bot.recap.model import (
    HOME_PLATFORM,
    BusiestMinute,
    Pair,
    Participant,
    PlatformStats,
    Recap,
    RecapMessage,
    RecapQuestion,
    Stats,
    Thread,
)
from bot.recap.text import resolve_mentions

TOP_ANSWERS = 3
# Kinds a reader sees; "question" (a host's own Qn post) and "outside" are not member talk.
_SHOWN = {"answer", "discussion", "intro", "unmatched"}
_GUILD = re.compile(r"/channels/(\d+|@me)/")


@dataclass(frozen=True)
class _Posted:
    at: datetime
    jump_url: str | None


def visible(row: MessageRow, excluded: frozenset[int] | set[int]) -> bool:
    """Whether a stored message may appear in a recap (docs/attribution.md, rules 10 and 11). One
    whose text the retention purge dropped still counts, without its words, so a recap rebuilt
    after the purge keeps its numbers and who took part."""
    return (
        not row.author_is_bot
        and row.author_id not in excluded
        and not row.hidden
        and row.deleted_at is None
        and row.attribution.kind in _SHOWN
    )


WITHHELD = "(not shown here: the author's Bluesky account is for logged-in readers only)"
UNNAMED = "a Bluesky member"


def build_recap(inp: RecapInput, *, top_n: int = TOP_ANSWERS, public: bool = False) -> Recap:
    """The recap of one session. Deterministic: the same rows always give the same recap.

    `public`: for files anyone may read (the archive site): the posts of a Bluesky account that
    asks not to be shown to logged-out readers (`!no-unauthenticated`) count, but their text,
    link and name are left out."""
    session = inp.session
    excluded = {uid for uid, m in inp.members.items() if m.opted_out} | inp.excluded_authors
    rows = sorted(
        (
            r
            for r in inp.messages
            if visible(r, excluded) and inp.links.get(r.author_id) not in excluded
        ),
        key=lambda r: (r.created_at, r.id),
    )
    names = _names(inp)
    if public:
        names |= {r.author_id: UNNAMED for r in rows if r.origin and not r.origin.public}
    ids = {r.id for r in rows}
    messages = tuple(_message(r, names, excluded, ids, inp.links, public) for r in rows)

    posted = _question_posts(inp, excluded)
    numbers = sorted(set(posted) | {n for m in messages for n in m.questions if n >= 1})
    by_question: dict[int, list[RecapMessage]] = defaultdict(list)
    for m in messages:
        if m.kind in ("answer", "discussion"):
            for n in m.questions:
                by_question[n].append(m)
    topic = session.topic
    questions = tuple(
        _question(n, _question_text(topic.questions, n), posted.get(n), by_question[n], top_n)
        for n in numbers
    )
    participants = _participants(inp, messages, names)
    pairs = _pairs(messages)
    participants = _with_partners(participants, pairs)
    close, late_until = _close_times(inp.steps, session.start_at, posted)
    return Recap(
        chat=session.chat,
        title=topic.title,
        chat_date=session.chat_date,
        start_at=session.start_at,
        end_at=close,
        timezone=inp.timezone,
        hashtag=inp.hashtag,
        session_id=session.id if inp.source == "store" else None,
        late_until=late_until,
        hosts=topic.hosts,
        prep_post=topic.prep_post,
        questions=questions,
        intros=tuple(m for m in messages if m.kind == "intro"),
        unmatched=tuple(m for m in messages if m.unmatched_labels or m.kind == "unmatched"),
        participants=participants,
        pairs=pairs,
        stats=_stats(messages, participants, questions, inp.earlier_sessions is not None),
        messages=messages,
        history_known=inp.earlier_sessions is not None,
        source=inp.source,
    )


def _names(inp: RecapInput) -> dict[int, str]:
    """Display names: the member's current one, else the latest one seen on a message."""
    names = {m.author_id: m.author_name for m in sorted(inp.messages, key=lambda r: r.created_at)}
    names.update({uid: m.display_name for uid, m in inp.members.items() if m.display_name})
    return names


def _message(
    row: MessageRow,
    names: Mapping[int, str],
    excluded: set[int],
    ids: set[int],
    links: Mapping[int, int],
    public: bool = False,
) -> RecapMessage:
    """`links`: a linked author's posts elsewhere count as the home member's (one person)."""
    a = row.attribution
    author = links.get(row.author_id, row.author_id)
    shown = not public or row.origin is None or row.origin.public
    return RecapMessage(
        id=row.id,
        author_id=author,
        author=names.get(author, row.author_name),
        text=resolve_mentions(row.content or "", names, excluded) if shown else WITHHELD,
        created_at=row.created_at,
        kind=a.kind,
        questions=a.questions,
        labels=a.labels,
        unmatched_labels=a.unmatched_labels,
        late=a.late,
        reactions=row.reactions,
        reply_to=row.reply_to if row.reply_to in ids else None,
        edited=row.edited_at is not None,
        jump_url=row.jump_url if shown else None,
        author_is_host=row.author_is_host,
        platform=row.platform,
        public=row.origin.public if row.origin is not None else True,
    )


def _question_posts(inp: RecapInput, excluded: set[int]) -> dict[int, _Posted]:
    """When each question was actually posted: the sent step, else a host's own `Qn:` post."""
    guild = inp.guild_id
    if guild is None:
        for r in inp.messages:
            if r.jump_url and (m := _GUILD.search(r.jump_url)):
                guild = int(m[1]) if m[1].isdigit() else None
                break
    posted: dict[int, _Posted] = {}
    for r in inp.messages:
        a = r.attribution
        if a.kind == "question" and a.questions and r.deleted_at is None:
            posted.setdefault(a.questions[0], _Posted(r.created_at, r.jump_url))
    for s in inp.steps:
        if s.kind == "question" and s.question is not None and s.status == "sent":
            url = None
            if guild is not None and s.channel_id and s.message_id:
                url = f"https://discord.com/channels/{guild}/{s.channel_id}/{s.message_id}"
            posted[s.question] = _Posted(s.sent_at or s.due_at, url)
    return posted


def _question_text(questions: Sequence[SessionQuestion], n: int) -> str:
    if 1 <= n <= len(questions):
        return questions[n - 1].text or f"Question {n}"
    return f"Question {n}"


def _question(
    n: int, text: str, posted: _Posted | None, talk: list[RecapMessage], top_n: int
) -> RecapQuestion:
    """Group a question's messages into reply threads (one level deep) and rank its answers."""
    root_of: dict[int, int] = {}
    threads: dict[int, list[RecapMessage]] = {}
    for m in talk:
        parent = m.reply_to
        root = root_of.get(parent, m.id) if parent is not None else m.id
        root_of[m.id] = root
        threads.setdefault(root, []).append(m)
    answers = [m for m in talk if m.kind == "answer"]
    top = heapq.nsmallest(top_n, answers, key=lambda m: (-m.reactions, m.created_at, m.id))
    return RecapQuestion(
        number=n,
        text=text,
        posted_at=posted.at if posted else None,
        jump_url=posted.jump_url if posted else None,
        threads=tuple(Thread(msgs[0], tuple(msgs[1:])) for msgs in threads.values()),
        top=tuple(top),
        answers=len(answers),
        discussion=len(talk) - len(answers),
        late=sum(1 for m in answers if m.late),
    )


def _participants(
    inp: RecapInput, messages: Sequence[RecapMessage], names: Mapping[int, str]
) -> tuple[Participant, ...]:
    counts: Counter[int] = Counter(m.author_id for m in messages)
    answers: Counter[int] = Counter(m.author_id for m in messages if m.kind == "answer")
    hosts = {m.author_id for m in messages if m.author_is_host}
    where: dict[int, set[str]] = defaultdict(set)
    for m in messages:
        where[m.author_id].add(m.platform)
    flagged = {p.user_id: p.newcomer for p in inp.participation}
    known = inp.earlier_sessions is not None
    earlier = list(inp.earlier_sessions or ())
    out = []
    for uid in counts:
        attended = set(inp.attended.get(uid, ()))
        member = inp.members.get(uid)
        if uid in flagged:
            newcomer = flagged[uid]
        elif member is not None and member.first_session_id is not None:
            newcomer = member.first_session_id == inp.session.id
        else:
            newcomer = known and not attended.intersection(earlier)
        out.append(
            Participant(
                user_id=uid,
                name=names.get(uid, "member"),
                messages=counts[uid],
                answers=answers[uid],
                newcomer=newcomer,
                streak=_streak(earlier, attended) if known else None,
                host=uid in hosts,
                platforms=_home_first(where[uid]),
            )
        )
    return tuple(sorted(out, key=lambda p: (p.name.casefold(), p.user_id)))


def _home_first(platforms: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(platforms, key=lambda p: (p != HOME_PLATFORM, p)))


def _per_platform(messages: Sequence[RecapMessage]) -> dict[str, PlatformStats]:
    """Counts per platform (a person linked across two counts on both)."""
    out: dict[str, PlatformStats] = {}
    for platform in _home_first({m.platform for m in messages}):
        mine = [m for m in messages if m.platform == platform]
        out[platform] = PlatformStats(
            participants=len({m.author_id for m in mine}),
            messages=len(mine),
            answers=sum(1 for m in mine if m.kind == "answer"),
        )
    return out


def _streak(earlier: Sequence[int], attended: set[int]) -> int:
    """This session plus the unbroken run of earlier sessions attended right before it."""
    run = 1
    for session_id in reversed(earlier):
        if session_id not in attended:
            break
        run += 1
    return run


def _pairs(messages: Sequence[RecapMessage]) -> tuple[Pair, ...]:
    author = {m.id: m.author_id for m in messages}
    counts: Counter[tuple[int, int]] = Counter()
    for m in messages:
        other = author.get(m.reply_to) if m.reply_to is not None else None
        if other is not None and other != m.author_id:
            counts[(min(other, m.author_id), max(other, m.author_id))] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Pair(a, b, n) for (a, b), n in ranked)


def _with_partners(
    participants: Iterable[Participant], pairs: Sequence[Pair]
) -> tuple[Participant, ...]:
    partners: dict[int, list[int]] = defaultdict(list)
    for p in pairs:  # already most replies first
        partners[p.a].append(p.b)
        partners[p.b].append(p.a)
    return tuple(replace(p, talked_with=tuple(partners.get(p.user_id, ()))) for p in participants)


def _close_times(
    steps: Sequence[StepRow], start: datetime, posted: Mapping[int, _Posted]
) -> tuple[datetime, datetime | None]:
    """End of the chat hour (the close step) and of the late window (the recap step)."""
    by_kind = {s.kind: s for s in steps}
    close = by_kind.get("close")
    if close is not None:
        end = close.sent_at or close.due_at
    else:
        end = max([start + timedelta(hours=1), *(p.at for p in posted.values())])
    recap = by_kind.get("recap")
    return end, (recap.due_at if recap is not None else None)


def _stats(
    messages: Sequence[RecapMessage],
    participants: Sequence[Participant],
    questions: Sequence[RecapQuestion],
    history_known: bool,
) -> Stats:
    answers = [m for m in messages if m.kind == "answer"]
    minutes = Counter(m.created_at.replace(second=0, microsecond=0) for m in messages)
    busiest = min(minutes.items(), key=lambda kv: (-kv[1], kv[0]), default=None)
    newcomers = sum(1 for p in participants if p.newcomer)
    return Stats(
        participants=len(participants),
        newcomers=newcomers,
        returning=len(participants) - newcomers if history_known else 0,
        messages=len(messages),
        answers=len(answers),
        late_answers=sum(1 for m in answers if m.late),
        replies=sum(1 for m in messages if m.reply_to is not None),
        answers_per_question={q.number: q.answers for q in questions},
        busiest_minute=BusiestMinute(*busiest) if busiest else None,
        median_answers_per_participant=(
            float(statistics.median(p.answers for p in participants)) if participants else 0.0
        ),
        per_platform=_per_platform(messages),
    )
