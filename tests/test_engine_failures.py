"""The engine when things go wrong underneath it: the database stays locked while a step runs, a
post is one Discord cannot take, a topic file is broken. No step is lost silently, the chat goes
on, and hosts are told in their channel."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.domain.steps import StepStatus
from bot.engine import ChatEngine
from bot.topics import MESSAGE_LIMIT, Question, TopicCatalog, load_catalog
from tests.test_engine import CHAT, HOST, START, TOPIC, Harness, compressed_settings, plan


@pytest_asyncio.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The engine tests' harness: a compressed chat on a manual clock (as in test_engine)."""
    h = Harness(tmp_path, compressed_settings(tmp_path), [TOPIC])
    yield h
    if h.store is not None:
        await h.store.close()


@contextmanager
def write_locked(database: Path) -> Iterator[None]:
    """Another process holds the database's write lock (a backup, a stuck sqlite3 shell)."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def short_busy_timeout(h: Harness) -> None:
    """Give up on the lock after 50 ms instead of 5 s (the behaviour is the same, sooner)."""
    assert h.store is not None
    await h.store.conn.execute("PRAGMA busy_timeout = 50")


# ----------------------------------------------------------------------------- a locked database


async def test_a_step_whose_failure_cannot_be_recorded_is_retried(harness: Harness) -> None:
    """The welcome's first write and its failure handler both hit the lock: it used to stay
    pending with no job, so it never went out (and the questions after it were late)."""
    session = await plan(harness)
    assert harness.store is not None and harness.engine is not None
    await harness.run_until(START - timedelta(seconds=1))
    await short_busy_timeout(harness)
    with write_locked(harness.settings.database):
        await harness.run_until(START)
        welcome = await harness.store.steps.get(session.id, "welcome")
        assert welcome is not None and welcome.status is StepStatus.PENDING
        job = ChatEngine.job_id(session.id, "welcome")
        assert harness.trigger.due_at(job) == START + timedelta(seconds=1)  # the first delay
    await harness.run_until(START + timedelta(minutes=5))
    ledger = {s.key: s for s in await harness.store.steps.for_session(session.id)}
    assert all(s.status is StepStatus.SENT for s in ledger.values()), ledger
    posts = [p for p in harness.transport.posts_in(CHAT) if p.content.startswith("Welcome")]
    assert len(posts) == 1 and posts[0].created_at == START + timedelta(seconds=1)
    assert ledger["q1"].sent_at == START + timedelta(seconds=5)  # on time once the lock is gone


async def test_hosts_hear_of_a_lock_that_outlasts_the_retries_and_the_step_still_runs(
    harness: Harness,
) -> None:
    session = await plan(harness)
    assert harness.store is not None
    await harness.run_until(START - timedelta(seconds=1))
    await short_busy_timeout(harness)
    with write_locked(harness.settings.database):
        await harness.run_until(START + timedelta(seconds=4))  # runs at 0, 1, 3 s: all fail
        told = [p.content for p in harness.transport.posts_in(HOST)]
        assert any(
            t.startswith("I could not run `welcome` for #LeadershipChat (OperationalError")
            for t in told
        ), told
    await harness.run_until(START + timedelta(minutes=5))
    welcome = await harness.store.steps.get(session.id, "welcome")
    assert welcome is not None and welcome.status is StepStatus.SENT
    assert [p.content.startswith("Welcome") for p in harness.transport.posts_in(CHAT)].count(
        True
    ) == 1


# ----------------------------------------------------------------------------- posts too long


async def test_a_question_discord_cannot_take_is_reported_and_the_chat_goes_on(
    tmp_path: Path,
) -> None:
    """A session planned before the 2,000-character rule (or by an older version) still holds
    such a question: hosts are told why it did not go out, and the other questions do."""
    long = "Why " * 520  # 2,080 characters: 2,100 as posted
    topic = replace(TOPIC, questions=(TOPIC.questions[0], Question(long), TOPIC.questions[2]))
    h = Harness(tmp_path, compressed_settings(tmp_path), [topic])
    try:
        session = await plan(h)
        await h.run_until(START + timedelta(minutes=5))
        assert h.store is not None
        ledger = {s.key: s for s in await h.store.steps.for_session(session.id)}
        assert ledger["q2"].status is StepStatus.FAILED
        assert ledger["q1"].status is ledger["q3"].status is StepStatus.SENT
        host_posts = [p.content for p in h.transport.posts_in(HOST)]
        assert any(
            t.startswith("I could not post `q2` for #LeadershipChat: it is 2100 characters")
            and f"at most {MESSAGE_LIMIT}" in t
            for t in host_posts
        ), host_posts
        heads_up = next(t for t in host_posts if t.startswith("Heads-up: Q2"))
        assert len(heads_up) <= MESSAGE_LIMIT and heads_up.endswith("to change it.")
        assert all(len(p.content) <= MESSAGE_LIMIT for p in h.transport.posts)
    finally:
        if h.store is not None:
            await h.store.close()


# ----------------------------------------------------------------------------- broken topic files


def _folder_source(h: Harness, folder: Path):
    async def topics() -> TopicCatalog:
        return load_catalog([folder], h.settings)

    return topics


async def test_a_broken_topic_file_is_skipped_told_to_hosts_once_and_the_rest_planned(
    harness: Harness,
) -> None:
    folder = harness.tmp_path / "prompts"
    folder.mkdir()
    good = "title: Serving leadership\ndate: 2026-12-01\nquestions:\n  - What does serving mean?\n"
    (folder / "2026-12-01-serving.yaml").write_text(good, encoding="utf-8")
    broken = "title: Next week\ndate: 2026-12-08 20:00:00\nquestions:\n  - Why?\n"
    (folder / "2026-12-08-next.yaml").write_text(broken, encoding="utf-8")
    harness._topics = _folder_source(harness, folder)  # type: ignore[method-assign]
    engine = await harness.boot()
    session = await engine.plan_session("leadershipchat", START)
    assert session.topic.title == "Serving leadership"
    [alert] = [p.content for p in harness.transport.posts_in(HOST)]
    assert alert.startswith("These topic files have problems, so I leave them out")
    assert "\n• `2026-12-08-next.yaml` line 2: date: 2026-12-08 20:00:00 has a time" in alert
    assert str(folder) not in alert  # the server's paths stay private

    await engine.plan_all()  # the hourly planner: nothing new, nothing repeated
    assert len(harness.transport.posts_in(HOST)) == 1
    (folder / "bomb.yaml").write_text("a: &a [*a]\n", encoding="utf-8")
    await engine.plan_all()
    [_, second] = [p.content for p in harness.transport.posts_in(HOST)]
    assert "`bomb.yaml` line 1" in second and "2026-12-08-next.yaml" not in second
