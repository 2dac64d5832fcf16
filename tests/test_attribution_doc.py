"""The examples in docs/attribution.md are what bot.answers does.

Hosts read that document to learn how to answer; every example table in it is run here against
the document's example chat (welcome 8:00 pm, Q1 8:05, then every 9 minutes, close 9:00 pm,
12 h late window), so the document cannot drift from the code.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.answers import Attribution, ChatClock, Incoming, ReplyTarget, attribute, parse_labels

DOC = Path(__file__).resolve().parent.parent / "docs" / "attribution.md"
WELCOME = datetime(2025, 3, 4, 20, 0, tzinfo=ZoneInfo("America/New_York"))
CLOCK = ChatClock(
    welcome_at=WELCOME,
    question_posted_at={n: WELCOME + timedelta(minutes=5 + 9 * (n - 1)) for n in range(1, 7)},
    question_count=6,
    close_at=WELCOME + timedelta(hours=1),
    late_until=WELCOME + timedelta(hours=13),
)
# What the "message" column may say in brackets after the text: the message's context.
CONTEXT = {
    r"in the thread of Q(\d+)": lambda n: {"thread_question": n},
    r"reply to the bot's Q(\d+) post": lambda n: {"reply_to": ReplyTarget(n, True)},
    r"reply to someone's `A(\d+):[^`]*`": lambda n: {"reply_to": ReplyTarget(n)},
    r"reply to an introduction": lambda: {"reply_to": ReplyTarget(None)},
}


def tables(header: str) -> list[list[str]]:
    """Rows (cells stripped) of every table in the document with this header row."""
    rows: list[list[str]] = []
    inside = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.strip() == header:
            inside = True
        elif inside and line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set(cells[0]) <= {"-", " "}:
                rows.append(cells)
        else:
            inside = False
    return rows


def message(cell: str) -> tuple[str, dict[str, object]]:
    m = re.fullmatch(r"`([^`]*)`(?: \((.*)\))?", cell)
    assert m, f"not `text` (context): {cell}"
    if m[2] is None:
        return m[1], {}
    for pattern, make in CONTEXT.items():
        if found := re.fullmatch(pattern, m[2]):
            return m[1], make(*map(int, found.groups()))
    raise AssertionError(f"unknown context in docs/attribution.md: {m[2]}")


def written(cell: str) -> datetime:
    m = re.match(r"(\d+):(\d\d)(?: (am|pm))?( next day)?", cell)
    assert m, f"not a time: {cell}"
    hour = int(m[1]) % 12 + (0 if m[3] == "am" else 12)
    day = WELCOME + timedelta(days=1 if m[4] else 0)
    return day.replace(hour=hour, minute=int(m[2]))


def verdict(a: Attribution) -> str:
    """The result column as the document words it."""
    text = f"`{a.kind.value}`"
    if a.questions:
        linked = "to" if a.kind.value == "answer" else "of"
        text += f" {linked} " + " and ".join(f"Q{n}" for n in a.questions)
    text += "".join(f", `{label}` flagged" for label in a.unmatched_labels)
    return text + (", late" if a.late else "")


LABELS = tables("| message | labels |")
RULES = tables("| message | written | result |")


def test_the_document_has_its_examples() -> None:
    assert len(LABELS) >= 10 and len(RULES) >= 15


@pytest.mark.parametrize(("cell", "expected"), LABELS, ids=[r[0] for r in LABELS])
def test_label_examples(cell: str, expected: str) -> None:
    text, context = message(cell)
    assert context == {}
    words = expected.split(" (")[0]
    wanted = () if words == "none" else tuple(re.findall(r"`([^`]*)`", words))
    assert tuple(label.raw for label in parse_labels(text)) == wanted


@pytest.mark.parametrize(("cell", "when", "expected"), RULES, ids=[r[0] for r in RULES])
def test_rule_examples(cell: str, when: str, expected: str) -> None:
    text, context = message(cell)
    got = attribute(Incoming(text, written(when), **context), CLOCK)  # type: ignore[arg-type]
    assert verdict(got) == expected.split(" (")[0]
