"""The recap as Discord messages: plain data, every message inside Discord's limits.

No discord import here (the adapter turns each embed dict into `discord.Embed.from_dict` and sends
with allowed_mentions=none). User text is escaped and cannot ping even if the sender forgot that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.recap.chart import render_activity_png
from bot.recap.display import names_list, plural, unix
from bot.recap.markdown import platforms_sentence, render_transcript
from bot.recap.model import Recap, RecapMessage, RecapQuestion
from bot.recap.text import clip, dlen, escape_discord, quote, safe_url

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_TOTAL = 6000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_THREAD_NAME = 100
THREAD_AFTER = 4  # more posts than this go into a thread under the summary
COLOR = 0x2B6CB0
_LINK = "\n[Jump to message]({})"


@dataclass(frozen=True)
class RecapPost:
    """One message to send, in order. ``files``: (filename, bytes) attachments."""

    content: str = ""
    embeds: tuple[dict[str, Any], ...] = ()
    files: tuple[tuple[str, bytes], ...] = ()
    thread_name: str | None = None  # open a thread with this name under this post
    in_thread: bool = False  # send into the thread opened under the first post

    def payload(self) -> dict[str, Any]:
        """Discord API message body (without files)."""
        return {
            "content": self.content,
            "embeds": [dict(e) for e in self.embeds],
            "allowed_mentions": {"parse": []},
        }


def embed_size(embed: dict[str, Any]) -> int:
    """Characters that count toward the 6000 per message (UTF-16 units, to be safe)."""
    total = dlen(embed.get("title") or "") + dlen(embed.get("description") or "")
    for f in embed.get("fields") or ():
        total += dlen(f["name"]) + dlen(f["value"])
    return total + dlen((embed.get("footer") or {}).get("text") or "")


def _safe(text: str, limit: int) -> str:
    return clip(escape_discord(text), limit) or "\u200b"


def _top_field(m: RecapMessage) -> dict[str, Any]:
    bits = [m.author, plural(m.reactions, "reaction")] if m.reactions else [m.author]
    if m.late:
        bits.append("late")
    url = safe_url(m.jump_url)
    link = _LINK.format(url) if url and dlen(url) < 300 else ""
    body = quote(escape_discord(m.text)) if m.text.strip() else "*(no text)*"
    return {
        "name": _safe(" · ".join(bits), MAX_FIELD_NAME),
        "value": clip(body, MAX_FIELD_VALUE - dlen(link)) + link,
        "inline": False,
    }


def _question_embed(q: RecapQuestion) -> dict[str, Any]:
    parts = [plural(q.answers, "answer")]
    if q.discussion:
        parts.append(plural(q.discussion, "reply", "replies and comments"))
    if q.late:
        parts.append(f"{q.late:,} late")
    people = sorted(
        {m.author for t in q.threads for m in (t.message, *t.replies)}, key=str.casefold
    )
    description = " · ".join(parts)
    if people:
        description += "\nFrom " + _capped_names([escape_discord(p) for p in people], 700)
    if not q.top:
        description += "\nNo answers to this one."
    elif any(m.reactions for m in q.top):
        description += "\n\n**Top answers**"
    else:
        description += "\n\n**First answers**"
    embed: dict[str, Any] = {
        "title": _safe(f"Q{q.number}: {q.text}", MAX_TITLE),
        "description": description,
        "fields": [_top_field(m) for m in q.top[:3]],
        "color": COLOR,
    }
    if (url := safe_url(q.jump_url)) and dlen(url) < 500:
        embed["url"] = url
    return embed


def _summary_embed(recap: Recap, chart: str | None, footer: str) -> dict[str, Any]:
    s = recap.stats
    lines = [f"<t:{unix(recap.start_at)}:F>"]
    if recap.hosts:
        lines.append("Hosted by " + escape_discord(names_list(list(recap.hosts))))
    lines.append(
        f"{plural(s.participants, 'person', 'people')} shared {plural(s.answers, 'answer')}"
        f" to {plural(len(recap.questions), 'question')}."
    )
    if s.platforms > 1:
        lines.append(escape_discord(platforms_sentence(recap)))
    if recap.intros:
        lines.append(f"{plural(len(recap.intros), 'introduction')} at the start.")
    if recap.newcomers:
        names = [escape_discord(p.name) for p in recap.newcomers]
        lines.append("🌱 **Welcome to our newcomers:** " + _capped_names(names, 1500))
    if (url := safe_url(recap.prep_post)) and dlen(url) < 500:
        lines.append(f"[Prep post]({url})")
    fields = [
        ("Participants", f"{s.participants:,}"),
        ("Newcomers", f"{s.newcomers:,}" if recap.history_known else "unknown"),
        ("Messages", f"{s.messages:,}"),
        ("Answers", f"{s.answers:,}"),
        ("Late answers", f"{s.late_answers:,}"),
        ("Median answers per person", f"{s.median_answers_per_participant:g}"),
    ]
    if s.busiest_minute:
        b = s.busiest_minute
        fields.append(("Busiest minute", f"<t:{unix(b.at)}:t> · {plural(b.messages, 'message')}"))
    embed: dict[str, Any] = {
        "title": _safe(f"Recap: {recap.display_title}", MAX_TITLE),
        "description": clip("\n".join(lines), 2500),
        "fields": [{"name": n, "value": v, "inline": True} for n, v in fields],
        "footer": {"text": clip(footer, 300)},
        "color": COLOR,
    }
    if chart:
        embed["image"] = {"url": f"attachment://{chart}"}
    return embed


def _capped_names(names: Sequence[str], limit: int) -> str:
    """Names joined until ``limit``, then "and N more" (never a name cut in half)."""
    shown: list[str] = []
    used = 0
    for i, name in enumerate(names):
        name = clip(name, 100)
        rest = f" and {len(names) - i:,} more"
        if used + dlen(name) + 2 + dlen(rest) > limit:
            return ", ".join(shown) + rest
        shown.append(name)
        used += dlen(name) + 2
    return ", ".join(shown)


def _participant_embeds(recap: Recap) -> list[dict[str, Any]]:
    """Everyone who took part, as plain names (no mention syntax: nobody is pinged)."""
    entries = []
    for p in recap.participants:
        tag = " 🌱" if p.newcomer else (" (host)" if p.host else "")
        entries.append(clip(escape_discord(p.name), 100) + tag)
    chunks: list[list[str]] = [[]]
    size = 0
    for entry in entries:
        if chunks[-1] and size + dlen(entry) + 3 > MAX_DESCRIPTION:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += dlen(entry) + 3
    title = f"Who took part ({len(entries):,})"
    return [
        {
            "title": title if i == 0 else title + " continued",
            "description": " · ".join(chunk),
            "color": COLOR,
        }
        for i, chunk in enumerate(chunks)
        if chunk
    ]


def _unmatched_embed(recap: Recap) -> dict[str, Any] | None:
    if not recap.unmatched:
        return None
    lines: list[str] = []
    used = 0
    for m in recap.unmatched:
        line = f"{_safe(', '.join(m.unmatched_labels) or '?', 100)} from {_safe(m.author, 100)}"
        if (url := safe_url(m.jump_url)) and dlen(url) < 300:
            line += f" ([message]({url}))"
        if used + dlen(line) + 1 > 3800:
            lines.append(f"… and {len(recap.unmatched) - len(lines):,} more")
            break
        lines.append(line)
        used += dlen(line) + 1
    return {
        "title": "Labels for questions that were not asked (yet)",
        "description": "\n".join(lines),
        "color": COLOR,
    }


def _pack(embeds: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Greedy: as many embeds per message as fit 10 embeds and 6000 characters."""
    groups: list[list[dict[str, Any]]] = []
    size = MAX_TOTAL + 1
    for embed in embeds:
        n = embed_size(embed)
        if not groups or len(groups[-1]) >= MAX_EMBEDS or size + n > MAX_TOTAL:
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += n
    return groups


def discord_posts(
    recap: Recap,
    *,
    files: Sequence[tuple[str, bytes]] | None = None,
    thread: bool | None = None,
) -> list[RecapPost]:
    """The recap channel's messages, in order: summary (with files), questions, participants.

    ``files`` default: the Markdown transcript and the activity chart. ``thread``: None puts
    everything after the summary in a thread only when there are many posts.
    """
    recap = recap.printable()
    if files is None:
        files = [
            (f"{recap.slug}-transcript.md", render_transcript(recap).encode()),
            ("activity.png", render_activity_png(recap)),
        ]
    attached = tuple((n, b) for n, b in files if len(b) <= MAX_FILE_BYTES)
    chart = next((n for n, _ in attached if n.endswith(".png")), None)
    transcript = next((n for n, _ in attached if n.endswith(".md")), None)
    footer = f"Full transcript attached: {transcript}" if transcript else "leadershipchat recap"
    if len(attached) < len(files):
        footer += " (some files were too large to attach)"
    summary = RecapPost(
        content=f"📝 **{_safe(recap.display_title, 1900)}**: the recap is here",
        embeds=(_summary_embed(recap, chart, footer),),
        files=attached,
    )
    rest: list[dict[str, Any]] = [_question_embed(q) for q in recap.questions]
    rest += _participant_embeds(recap)
    if (unmatched := _unmatched_embed(recap)) is not None:
        rest.append(unmatched)
    groups = _pack(rest)
    use_thread = len(groups) + 1 > THREAD_AFTER if thread is None else thread
    if use_thread and groups:
        name = clip(f"Recap: {recap.title}", MAX_THREAD_NAME)
        summary = RecapPost(summary.content, summary.embeds, summary.files, thread_name=name)
    return [summary, *(RecapPost(embeds=tuple(g), in_thread=use_thread) for g in groups)]
