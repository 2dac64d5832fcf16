"""The topic a session runs on: a snapshot of the topic file (or an open discussion), taken when
the session is planned, so editing a file later never changes a chat that has started."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SessionQuestion:
    text: str
    at_seconds: float | None = None  # from the start, when the topic file sets it


@dataclass(frozen=True)
class SessionTopic:
    """What the session runs on, copied from the topic file when it was planned."""

    title: str
    questions: tuple[SessionQuestion, ...]
    hosts: tuple[str, ...] = ()
    prep_post: str | None = None
    welcome: str | None = None
    closing: str | None = None
    open_discussion: bool = False  # no topic file was found: an open-discussion session

    def with_question(self, n: int, text: str) -> SessionTopic:
        questions = list(self.questions)
        questions[n - 1] = replace(questions[n - 1], text=text)
        return replace(self, questions=tuple(questions))
