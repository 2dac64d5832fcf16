"""Prep blog post (text, Markdown or HTML) -> draft topic file, so hosts need not write the
chat questions by hand. The core is pure (`draft_topic`, `render_draft_yaml`); fetching a URL
lives in `bot.drafting.fetch` so the Discord command and the CLI can share it."""

from bot.drafting._core import draft_topic, parse_post
from bot.drafting._model import MAX_SOURCE_BYTES, Candidate, Draft, DraftError, SourceKind
from bot.drafting._render import draft_as_data, render_draft_yaml
from bot.drafting._source import decode_source, detect_kind

__all__ = [
    "MAX_SOURCE_BYTES",
    "Candidate",
    "Draft",
    "DraftError",
    "SourceKind",
    "decode_source",
    "detect_kind",
    "draft_as_data",
    "draft_topic",
    "parse_post",
    "render_draft_yaml",
]
