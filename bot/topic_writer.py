"""Topic files written from Discord (`/chathost topic new`, `/chathost topic import`), so hosts without
shell access can plan weeks. A topic is validated by bot.topics exactly as `prompts validate`
does, then written atomically into the prompts folder. No discord import (plain, testable)."""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.config import ChatSettings, Settings
from bot.topics import (
    Severity,
    Topic,
    TopicFileError,
    chat_of,
    check_topic,
    load_catalog,
    load_topic_file,
    topic_files,
)

MAX_BYTES = 200_000
_NUMBERING = re.compile(r"^\s*(?:[-*•]\s*|Q?\d{1,2}\s*[:.)-]\s*)", re.IGNORECASE)


class TopicRejected(Exception):
    """The topic cannot be saved; `problems` says why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("That topic was not saved:\n" + "\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class SavedTopic:
    path: Path
    topic: Topic
    chat: ChatSettings
    warnings: tuple[str, ...]
    replaced: bool


def slug(title: str) -> str:
    """`Trust Is Built in Small Moments` -> `trust-is-built-in-small-moments`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower()))[:60].rstrip("-") or "topic"


def split_questions(text: str) -> list[str]:
    """One question per line; list markers and `Q1:`-style numbering are dropped."""
    out = []
    for line in text.splitlines():
        cleaned = _NUMBERING.sub("", line).strip()
        if cleaned:
            out.append(cleaned)
    return out


def topic_yaml(
    *,
    day: str,
    title: str,
    questions: Sequence[str],
    hosts: Sequence[str] = (),
    prep_post: str | None = None,
    chat: str | None = None,
) -> str:
    """A topic file as a host would write it (field order as in prompts/)."""
    data: dict[str, object] = {"title": title.strip(), "date": day.strip()}
    if chat:
        data["chat"] = chat
    if hosts:
        data["hosts"] = list(hosts)
    if prep_post:
        data["prep_post"] = prep_post.strip()
    data["questions"] = list(questions)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def form_yaml(
    chat: ChatSettings,
    settings: Settings,
    *,
    day: str,
    title: str,
    prep_post: str,
    hosts: str,
    questions: str,
) -> str:
    """The `/chathost topic new` form as a topic file (the chat is named unless it is the first)."""
    return topic_yaml(
        day=day,
        title=title,
        questions=split_questions(questions),
        hosts=[h.strip() for h in re.split(r"[,;\n]", hosts) if h.strip()],
        prep_post=prep_post or None,
        chat=None if chat.name == settings.chats[0].name else chat.name,
    )


def _validate(text: str) -> Topic:
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise TopicRejected([f"the file is larger than {MAX_BYTES // 1000} kB"])
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / "topic.yaml"
        candidate.write_text(text, encoding="utf-8")
        try:
            return load_topic_file(candidate)
        except TopicFileError as exc:
            raise TopicRejected([f"line {p.line}: {p.message}" for p in exc.problems]) from None


def save_topic(text: str, settings: Settings, *, replace: bool = False) -> SavedTopic:
    """Validate a topic file's text and write it into the prompts folder; TopicRejected if not."""
    topic = _validate(text)
    chat = chat_of(topic, settings)
    if chat is None:
        raise TopicRejected([f"chat: no chat named {topic.chat!r} in the config"])
    problems = check_topic(topic, chat)
    errors = [f"line {p.line}: {p.message}" for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise TopicRejected(errors)
    warnings = tuple(
        f"line {p.line}: {p.message}" for p in problems if p.severity is Severity.WARNING
    )
    folder = settings.prompts_dir
    existing = load_catalog([folder], settings).topics if folder.is_dir() else []
    clash = next(
        (
            t
            for t in existing
            if t.date == topic.date and (c := chat_of(t, settings)) and c.name == chat.name
        ),
        None,
    )
    target = folder / f"{topic.date.isoformat()}-{slug(topic.title)}.yaml"
    if clash is not None and clash.path is not None:
        target = clash.path
    if target.exists() and not replace:
        what = f"{clash.path.name if clash and clash.path else target.name}"
        title = f" (“{clash.title}”)" if clash else ""
        raise TopicRejected(
            [
                f"{topic.date} already has a topic for {chat.name}: {what}{title}; use replace to overwrite it"
            ]
        )
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.incoming")
    partial.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    replaced = target.exists()
    os.replace(partial, target)
    return SavedTopic(target, dataclasses.replace(topic, path=target), chat, warnings, replaced)


def list_topic_files(settings: Settings) -> list[Path]:
    folder = settings.prompts_dir
    return topic_files([folder]) if folder.is_dir() else []


def read_topic(settings: Settings, name: str) -> Topic:
    """A topic file of the prompts folder by file name (never a path outside it)."""
    for path in list_topic_files(settings):
        if path.name == name:
            return load_topic_file(path)
    raise TopicRejected([f"no topic file named {name!r} in the prompts folder"])


def describe_topic(settings: Settings, name: str) -> str:
    """`/chathost topic show`: a topic file of the prompts folder and every problem in it."""
    topic = read_topic(settings, name)
    lines = [f"**{topic.title}** · {topic.date} · `{name}`"]
    if topic.hosts:
        lines.append("Hosts: " + ", ".join(topic.hosts))
    if topic.prep_post:
        lines.append(f"Prep post: <{topic.prep_post}>")
    lines += [f"Q{i}: {q.text}" for i, q in enumerate(topic.questions, start=1)]
    owner = chat_of(topic, settings)
    if owner is None:
        problems = [f"error: line {topic.lines.get('chat', 1)}: chat: no chat named {topic.chat!r}"]
    else:
        problems = [
            f"{p.severity.value}: line {p.line}: {p.message}" for p in check_topic(topic, owner)
        ]
    return "\n".join(lines + problems)


def taken_dates(settings: Settings, chat: ChatSettings) -> set[date]:
    """Dates that already have a topic for this chat (drafts pick another)."""
    folder = settings.prompts_dir
    if not folder.is_dir():
        return set()
    return {
        t.date
        for t in load_catalog([folder], settings).topics
        if (c := chat_of(t, settings)) is not None and c.name == chat.name
    }
