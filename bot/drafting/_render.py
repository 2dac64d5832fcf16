"""Draft -> topic YAML that a host edits: plain values where safe, and comments where unsure."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from bot.drafting._model import Candidate, Draft

# Characters YAML will not read raw inside a double-quoted scalar: controls and line separators.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _scalar(text: str) -> str:
    """Plain YAML when it reads back unchanged, else a JSON string (valid YAML)."""
    try:
        plain_ok = yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok and text == text.strip() and "\n" not in text and " #" not in text:
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def _comment(text: str) -> str:
    return " ".join(text.split())


def _item(candidate: Candidate, prefix: str) -> list[str]:
    lines = [f"{prefix}  # {_comment(candidate.note)}"] if candidate.note else []
    lines.append(f"{prefix}  - {_scalar(candidate.text)}")
    return lines


def render_draft_yaml(draft: Draft) -> str:
    """The topic file text; `prompts validate` accepts it as written (date is always set)."""
    out = [
        "# Draft topic made by `leadershipchat prompts draft` from a prep post.",
        '# Lines marked "check" are guesses: edit them, then run `leadershipchat prompts validate`.',
    ]
    out += [f"# NOTE: {_comment(note)}" for note in draft.notes]

    def field(key: str, value: str, note: str | None) -> None:
        out.append(f"{key}: {value}" + (f"  # {_comment(note)}" if note else ""))

    field("title", _scalar(draft.title), draft.title_note)
    field("date", draft.date.isoformat(), draft.date_note)
    if draft.chat:
        field("chat", _scalar(draft.chat), None)
    field("hosts", json.dumps(list(draft.hosts), ensure_ascii=False), draft.hosts_note)
    if draft.prep_post:
        field("prep_post", _scalar(draft.prep_post), draft.prep_post_note)
    else:
        out.append("# prep_post: https://...  (the post's address; it goes in the reminders)")
    out.append(f"questions:  # posted as `Q1: <text> {draft.hashtag}`, in the post's order")
    for candidate in draft.questions:
        out += _item(candidate, "")
    if draft.extra_questions:
        out.append(f"# More questions (swap any in; the chat hour has room for {draft.room}):")
        for candidate in draft.extra_questions:
            out += _item(candidate, "#")
    return "\n".join(out) + "\n"


def draft_as_data(draft: Draft) -> dict[str, Any]:
    """The values of the draft as the topic file would hold them (comments left out)."""
    data: dict[str, Any] = {"title": draft.title, "date": draft.date}
    if draft.chat:
        data["chat"] = draft.chat
    data["hosts"] = list(draft.hosts)
    if draft.prep_post:
        data["prep_post"] = draft.prep_post
    data["questions"] = draft.question_texts
    return data
