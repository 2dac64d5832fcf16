"""The demo's Bluesky side, with no account and no network: members on Bluesky take part beside
the Discord ones.

`DemoBluesky` is the engine's mirror for the demo: it "posts" the mirrored steps by
printing them as a Bluesky post in the real mirror's words (with an AT-URI of its own, as the real mirror records), and
`play` feeds the scripted Bluesky members' posts to the engine's capture as the real poller
does (`bot.bluesky.collector`): messages from another platform, named by DID and AT-URI, with
their bsky.app links. The real client, texts and poller need the network (tests run them
against tests/fakebluesky).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.atproto_syntax import POST_COLLECTION, bsky_app_url
from bot.bluesky_wording import KINDS, for_step
from bot.clock import ScaledClock
from bot.config import ChatSettings
from bot.config_bluesky import DEFAULT_MIRROR
from bot.domain.messages import PostOrigin
from bot.domain.steps import StepKind
from bot.engine import ChatEngine
from bot.engine.mirrors import MirrorCall
from bot.store import Store
from bot.transport import MessageCreated

PLATFORM = "bluesky"
BOT_DID = "did:plc:demo2leadershipchat2bsky"
Show = Callable[[str, str], None]  # (who, text) printed as a line of the chat


@dataclass(frozen=True)
class BlueskyMember:
    handle: str
    did: str


BLUESKY_CAST = (
    BlueskyMember("jordan.bsky.social", "did:plc:demo2jordan2bsky2social"),
    BlueskyMember("priya.example.org", "did:plc:demo2priya2example2org2"),
)


@dataclass(frozen=True)
class BlueskyLine:
    """A post on Bluesky at `minute`: with the hashtag, or a reply to a question ("Q2")."""

    minute: float
    handle: str
    text: str
    reply_to: str = ""


BLUESKY_SCRIPT = (
    BlueskyLine(1.2, "jordan.bsky.social", "Jordan here, joining from Bluesky! #LeadershipChat"),
    BlueskyLine(
        6.2, "priya.example.org", "A1 Guarding my team's time from meetings. #LeadershipChat"
    ),
    BlueskyLine(16.2, "jordan.bsky.social", "My first coach, who asked before telling.", "Q2"),
    BlueskyLine(
        33.8,
        "priya.example.org",
        "A4 I ask 'what would make next week easier?' #LeadershipChat",
    ),
)


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


class DemoBluesky:
    """The demo's Bluesky mirror: the default mirrored steps (welcome, questions, last call,
    close, recap link) in the real mirror's words, printed; AT-URIs recorded."""

    name = PLATFORM

    def __init__(self, show: Show) -> None:
        self.show = show
        self.questions: dict[str, str] = {}  # "Q1" -> the AT-URI of the bot's post
        self.recap_posted = asyncio.Event()  # the demo ends once the recap link is out here too

    def kinds(self, chat: ChatSettings) -> Collection[StepKind]:
        return {KINDS[m] for m in DEFAULT_MIRROR}

    async def post(self, call: MirrorCall) -> str | None:
        chat, session, step = call.step.chat, call.step.session, call.step.step
        text = for_step(chat, session, step)
        if text is None:
            return None
        uri = post_uri(BOT_DID, f"demo{step.key.replace('-', '')}")
        if step.question is not None:
            self.questions[f"Q{step.question}"] = uri
        self.show("leadershipchat.bsky.social", text)
        if step.kind == StepKind.RECAP.value:
            self.recap_posted.set()
        return uri


async def play(
    engine: ChatEngine,
    store: Store,
    chat: ChatSettings,
    mirror: DemoBluesky,
    clock: ScaledClock,
    start: datetime,
    show: Show,
) -> None:
    """The Bluesky members post at their minutes; each post reaches capture as a poll would."""
    members = {m.handle: m for m in BLUESKY_CAST}
    for n, line in enumerate(BLUESKY_SCRIPT):
        await asyncio.sleep(clock.real_seconds_until(start + timedelta(minutes=line.minute)))
        member = members[line.handle]
        uri = post_uri(member.did, f"demo{n:04d}")
        ids = await store.platform_ids.ids(PLATFORM, [uri, member.did])
        parent = mirror.questions.get(line.reply_to) if line.reply_to else None
        show(member.handle, line.text + (" ↩ (reply)" if parent else ""))
        await engine.capture.handle_many(
            [
                MessageCreated(
                    message_id=ids[uri],
                    channel_id=0,
                    author_id=ids[member.did],
                    author_name=member.handle,
                    content=line.text,
                    created_at=clock.now(),
                    jump_url=bsky_app_url(uri),
                    origin=PostOrigin(PLATFORM, uri, member.did, member.handle),
                    chat=chat.name,
                    reply_ref=parent,
                )
            ]
        )
