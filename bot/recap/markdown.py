"""recap.md (blog-ready, per question) and the chronological transcript attached on Discord.

User text keeps its Markdown emphasis but cannot inject HTML, headings, links or images into the
host's blog: `<`, line-start `#` and `[` are escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.recap.chart import describe_activity
from bot.recap.display import clock, names_list, plural, span
from bot.recap.model import Recap, RecapMessage, RecapQuestion, Thread, platform_name
from bot.recap.text import escape_line_start, safe_url

_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"(?m)^([ \t]*)([>#\-+=])|^([ \t]*\d+)([.)])")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # only an "&" that would start an HTML entity


def md_text(text: str) -> str:
    """User text for a Markdown blog: emphasis kept, HTML/links/headings neutralised."""
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")
    return _LINE_START.sub(escape_line_start, text)


def md_name(name: str) -> str:
    """A display name inside our own emphasis: every Markdown character escaped."""
    return _INLINE.sub(r"\\\1", name).replace("\n", " ")


def _quote(text: str, depth: int = 1) -> str:
    prefix = "> " * depth
    return "\n".join((prefix + line).rstrip() for line in text.split("\n"))


def _byline(m: RecapMessage, recap: Recap, *, reply: bool = False) -> str:
    bits = [f"**{md_name(m.author)}**"]
    if not reply:
        bits.append(clock(m.created_at, recap.timezone))
    if m.reactions:
        bits.append(plural(m.reactions, "reaction"))
    if m.late:
        bits.append("*late*")
    if m.edited:
        bits.append("*edited*")
    if url := safe_url(m.jump_url):
        bits.append(f"[on {m.where}](<{url}>)")
    return " · ".join(bits)


def _thread(t: Thread, recap: Recap) -> str:
    m = t.message
    out = [_quote(md_text(m.text) or "*(no text)*"), ">", "> — " + _byline(m, recap)]
    for r in t.replies:
        out += [">", _quote(_byline(r, recap, reply=True) + ":", 2), _quote(md_text(r.text), 2)]
    return "\n".join(out)


def anchor(q: RecapQuestion) -> str:
    return f"q{q.number}"


def _question(q: RecapQuestion, recap: Recap) -> Iterator[str]:
    yield f'## <a id="{anchor(q)}"></a>Q{q.number}: {md_name(q.text)}'
    facts = [plural(q.answers, "answer")]
    if q.discussion:
        facts.append(plural(q.discussion, "reply", "replies and comments"))
    if q.late:
        facts.append(f"{q.late:,} late")
    line = "*" + " · ".join(facts) + "*"
    if q.posted_at:
        line += f" · asked at {clock(q.posted_at, recap.timezone)}"
    if url := safe_url(q.jump_url):
        line += f" · [question on Discord](<{url}>)"
    yield line
    if q.top:
        yield "### Top answers" if any(m.reactions for m in q.top) else "### First answers"
        for m in q.top:
            yield _thread(Thread(m), recap)
    if q.threads:
        yield "### All answers and discussion"
        for t in q.threads:
            yield _thread(t, recap)


def platforms_sentence(recap: Recap) -> str:
    """Each platform's share, e.g. "On Discord: 5 people, 12 answers; on Bluesky: ..."."""
    parts = [
        f"on {platform_name(name)}: {plural(p.participants, 'person', 'people')},"
        f" {plural(p.answers, 'answer')}"
        for name, p in recap.stats.per_platform.items()
    ]
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def summary_sentence(recap: Recap) -> str:
    s = recap.stats
    text = f"{plural(s.participants, 'person', 'people')} took part"
    if recap.history_known and s.newcomers:
        text += f" ({s.newcomers:,} for the first time)"
    text += (
        f", sharing {plural(s.answers, 'answer')} to {plural(len(recap.questions), 'question')}"
        f" in {plural(s.messages, 'message')}."
    )
    if s.platforms > 1:
        text += " " + platforms_sentence(recap)
    if s.late_answers:
        text += f" {plural(s.late_answers, 'answer')} came in after the chat."
    if s.busiest_minute:
        b = s.busiest_minute
        text += (
            f" The busiest minute was {clock(b.at, recap.timezone)}"
            f" with {plural(b.messages, 'message')}."
        )
    return text


def _people(recap: Recap) -> Iterator[str]:
    yield f"## Who took part ({len(recap.participants):,})"
    if recap.newcomers:
        yield "Welcome to our newcomers: " + names_list(
            [f"**{md_name(p.name)}**" for p in recap.newcomers]
        )
    streak = recap.history_known
    yield "| Name | Messages | Answers |" + (" Weeks in a row |" if streak else "")
    yield "| --- | ---: | ---: |" + (" ---: |" if streak else "")
    for p in recap.participants:
        tag = " (new)" if p.newcomer else (" (host)" if p.host else "")
        tag += f" · {p.elsewhere}" if p.elsewhere else ""
        row = f"| {md_name(p.name)}{tag} | {p.messages:,} | {p.answers:,} |"
        yield row + (f" {p.streak} |" if streak else "")
    if recap.pairs:
        yield "### Who talked with whom"
        yield "\n".join(
            f"- {md_name(recap.name_of(p.a))} and {md_name(recap.name_of(p.b))}:"
            f" {plural(p.replies, 'reply', 'replies')}"
            for p in recap.pairs[:20]
        )


def render_markdown(recap: Recap, chart: str | None = "activity.png") -> str:
    """The blog-ready recap; ``chart`` is the PNG's file name next to it (None: no chart)."""
    parts = [f"# {md_name(recap.display_title)}"]
    meta = [span(recap.start_at, recap.end_at, recap.timezone)]
    if recap.hosts:
        meta.append("hosted by " + names_list([md_name(h) for h in recap.hosts]))
    if url := safe_url(recap.prep_post):
        meta.append(f"[prep post](<{url}>)")
    parts += ["*" + " · ".join(meta) + "*", summary_sentence(recap)]
    if chart:
        parts.append(f"![{chart_alt(recap)}]({chart})")
    if recap.questions:
        parts.append(
            "\n".join(f"- [Q{q.number}: {md_name(q.text)}](#{anchor(q)})" for q in recap.questions)
        )
    for q in recap.questions:
        parts.extend(_question(q, recap))
    if recap.intros:
        parts.append("## Introductions")
        parts.extend(_thread(Thread(m), recap) for m in recap.intros)
    parts.extend(_people(recap))
    if recap.unmatched:
        parts.append("## Labels for questions that were not asked (yet)")
        parts.extend(
            f"- {', '.join(map(md_name, m.unmatched_labels or m.labels))} from"
            f" **{md_name(m.author)}**: {md_text(m.text).replace(chr(10), ' ')}"
            for m in recap.unmatched
        )
    return "\n\n".join(parts) + "\n"


def chart_alt(recap: Recap) -> str:
    """Alt text for the activity chart: what a sighted reader takes from it."""
    return md_name(describe_activity(recap))


def render_transcript(recap: Recap) -> str:
    """Every visible message in posting order, with the questions where they were asked."""
    tz = recap.timezone
    out = [
        f"# Transcript: {md_name(recap.display_title)}",
        "*" + span(recap.start_at, recap.end_at, recap.timezone) + "*",
    ]
    markers = sorted(
        (
            (q.posted_at, f"## Q{q.number}: {md_name(q.text)}")
            for q in recap.questions
            if q.posted_at
        ),
        key=lambda x: x[0],
    )
    markers.append((recap.end_at, "## After the chat (late answers)"))
    i = 0
    for m in recap.messages:
        while i < len(markers) and markers[i][0] <= m.created_at:
            out.append(markers[i][1])
            i += 1
        head = f"**{md_name(m.author)}** · {clock(m.created_at, tz)}"
        if m.reply_to is not None:
            head += f" · reply to {md_name(_author(recap, m.reply_to))}"
        if m.kind in ("intro", "unmatched"):
            head += f" · *{m.kind}*"
        if m.late:
            head += " · *late*"
        out.append(head + "\n" + _quote(md_text(m.text) or "*(no text)*"))
    out.extend(text for _, text in markers[i:-1])  # questions nobody answered
    return "\n\n".join(out) + "\n"


def _author(recap: Recap, message_id: int) -> str:
    return recap.author_of.get(message_id, "someone")
