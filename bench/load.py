"""Member load: a deterministic mix of labelled answers, replies and chatter, pushed through the
fake server's member API (each post dispatches MESSAGE_CREATE on the gateway) either as fast as
the gateway takes them or paced at an offered rate. Bounded in count and in time."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field

from tests.fakediscord import FakeDiscord

_QUESTION = re.compile(r"^Q(\d+):")
_VOCABULARY = (
    "trust listen serve team coach feedback clarity purpose growth care decide delegate "
    "example culture honest humble vision support time people questions learn patience"
)
WORDS = tuple(_VOCABULARY.split())
TEXTS = 997  # distinct message texts (prime, so texts and authors do not repeat in step)
YIELD_EVERY = 16  # posts between yields at full speed, so the gateway writer keeps sending


@dataclass
class Push:
    """What was sent: message id -> the time the fake handed its MESSAGE_CREATE to the gateway."""

    sent: dict[int, float] = field(default_factory=dict)
    first_at: float = 0.0
    last_at: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    complete: bool = True

    @property
    def count(self) -> int:
        return len(self.sent)


class Mix:
    """45% labelled answers to the latest question, 20% replies to the question post (replies to
    a recent member message while there is none), 15% replies to a recent member message, 20%
    chatter; 20-200 characters of text each."""

    def __init__(self, fake: FakeDiscord, channel: int, members: list[str], seed: int = 7) -> None:
        self.fake = fake
        self.channel = channel
        self.members = members
        self.rng = random.Random(seed)
        self.recent: deque[int] = deque(maxlen=50)
        self.texts = [self._text(20, 200) for _ in range(TEXTS)]
        self.question = 0
        self.question_post: int | None = None
        self._seen_posts = 0

    def _text(self, low: int = 40, high: int = 200) -> str:
        size = self.rng.randint(low, high)
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < size:
            words.append(self.rng.choice(WORDS))
        return " ".join(words)

    def refresh(self) -> None:
        """Follow the bot's question posts (cheap: only new records are read)."""
        posts = self.fake.posts
        for post in posts[self._seen_posts :]:
            m = _QUESTION.match(post.content or "")
            if m and post.channel_id == self.channel:
                self.question, self.question_post = int(m[1]), post.message_id
        self._seen_posts = len(posts)

    async def post_one(self, i: int) -> tuple[int, str]:
        author = self.members[i % len(self.members)]
        roll = self.rng.random()
        body = self.texts[i % TEXTS]
        reply_to: int | None = None
        if roll < 0.45:
            kind, text = "answer", f"A{max(self.question, 1)}: {body}"
        elif roll < 0.65 and self.question_post is not None:
            kind, text, reply_to = "reply-to-question", body, self.question_post
        elif roll < 0.80 and self.recent:
            kind, text = "reply", body
            reply_to = self.recent[self.rng.randrange(len(self.recent))]
        else:
            kind, text = "chatter", body
        message = await self.fake.post(author, self.channel, text, reply_to=reply_to)
        self.recent.append(message.id)
        return message.id, kind


async def push(mix: Mix, count: int, *, rate: float | None, max_seconds: float) -> Push:
    """Post `count` messages: as fast as possible (`rate=None`), or at `rate` per second on an
    open-loop schedule (a late slot is sent at once, never skipped). Stops at `max_seconds`."""
    out = Push()
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + max_seconds
    for i in range(count):
        if i % 64 == 0:
            mix.refresh()
        if rate is not None:
            due = start + i / rate
            if due > loop.time():
                await asyncio.sleep(due - loop.time())
        elif i % YIELD_EVERY == 0:
            await asyncio.sleep(0)
        if loop.time() > deadline:
            out.complete = False
            break
        message_id, kind = await mix.post_one(i)
        now = time.time()
        out.sent[message_id] = now
        out.kinds[kind] = out.kinds.get(kind, 0) + 1
        if i == 0:
            out.first_at = now
        out.last_at = now
    return out
