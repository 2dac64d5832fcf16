"""Recaps: build a Recap from stored rows (or a DiscordChatExporter export) and render it.

Public API (what the engine and CLI use):
    load_recap_input(source, session_id, chat=None) -> RecapInput     (async, reads a RecapSource)
    build_recap(RecapInput, top_n=3) -> Recap                         (pure)
    write_recap_files(recap, out_dir, formats=ALL) -> list[Path]
    discord_posts(recap, files=None, thread=None) -> list[RecapPost]  (no discord import)
"""

from bot.recap.build import build_recap
from bot.recap.files import ALL, FORMATS, parse_formats, write_recap_files
from bot.recap.inputs import RecapInput, load_recap_input
from bot.recap.model import Recap
from bot.recap.posts import RecapPost, discord_posts
from bot.recap.source import RecapSource

__all__ = [
    "ALL",
    "FORMATS",
    "Recap",
    "RecapInput",
    "RecapPost",
    "RecapSource",
    "build_recap",
    "discord_posts",
    "load_recap_input",
    "parse_formats",
    "write_recap_files",
]
