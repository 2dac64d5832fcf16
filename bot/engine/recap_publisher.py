"""The engine's recap step: build the recap from its source, write its files, return the posts.

File rendering (matplotlib, jinja2) is CPU and disk work, so it runs in a worker thread and the
event loop keeps capturing messages meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from bot.config import ChatSettings
from bot.domain.sessions import SessionRow
from bot.recap.build import build_recap
from bot.recap.files import write_recap_files
from bot.recap.inputs import load_recap_input
from bot.recap.model import Recap
from bot.recap.posts import RecapPost, discord_posts
from bot.recap.source import RecapSource

ATTACHED = ("-transcript.md", "activity.png")  # files that go with the Discord recap


def _render(recap: Recap, out_dir: Path) -> list[RecapPost]:
    paths = write_recap_files(recap, out_dir)
    attached = [(p.name, p.read_bytes()) for p in paths if p.name.endswith(ATTACHED)]
    return discord_posts(recap, files=attached or None)


async def publish_recap(
    source: RecapSource, session: SessionRow, chat: ChatSettings, out_dir: Path
) -> Sequence[RecapPost]:
    """Write recap.md/.html/.json, messages.csv and activity.png to `out_dir`; return the posts."""
    recap = build_recap(await load_recap_input(source, session.id, chat))
    return await asyncio.to_thread(_render, recap, out_dir)
