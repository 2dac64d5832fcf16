"""recap.json (versioned, documented in docs/recap-schema.md) and messages.csv.

Ids are strings in JSON: Discord snowflakes do not fit a JavaScript number. Times are UTC ISO 8601.
CSV cells that a spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from typing import Any

from bot.recap.display import local
from bot.recap.model import Participant, Recap, RecapMessage, RecapQuestion

SCHEMA = "leadershipchat-recap"
SCHEMA_VERSION = 1
CSV_COLUMNS = (
    "id",
    "created_at",
    "local_time",
    "author_id",
    "author",
    "kind",
    "questions",
    "labels",
    "unmatched_labels",
    "late",
    "reply_to",
    "reactions",
    "edited",
    "text",
    "jump_url",
    "platform",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _t(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


def _id(value: int | None) -> str | None:
    return str(value) if value is not None else None


def message_dict(m: RecapMessage) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "author_id": str(m.author_id),
        "author": m.author,
        "text": m.text,
        "created_at": _t(m.created_at),
        "kind": m.kind,
        "questions": list(m.questions),
        "labels": list(m.labels),
        "unmatched_labels": list(m.unmatched_labels),
        "late": m.late,
        "reactions": m.reactions,
        "reply_to": _id(m.reply_to),
        "edited": m.edited,
        "jump_url": m.jump_url,
        "author_is_host": m.author_is_host,
        "platform": m.platform,
    }


def _question(q: RecapQuestion) -> dict[str, Any]:
    return {
        "number": q.number,
        "text": q.text,
        "posted_at": _t(q.posted_at),
        "jump_url": q.jump_url,
        "answers": q.answers,
        "discussion": q.discussion,
        "late": q.late,
        "top": [str(m.id) for m in q.top],
        "threads": [
            {"id": str(t.message.id), "replies": [str(r.id) for r in t.replies]} for t in q.threads
        ],
    }


def _participant(p: Participant) -> dict[str, Any]:
    return {
        "user_id": str(p.user_id),
        "name": p.name,
        "messages": p.messages,
        "answers": p.answers,
        "newcomer": p.newcomer,
        "streak": p.streak,
        "host": p.host,
        "talked_with": [str(u) for u in p.talked_with],
        "platforms": list(p.platforms),
    }


def recap_dict(recap: Recap) -> dict[str, Any]:
    """The recap as JSON-ready data (see docs/recap-schema.md)."""
    s = recap.stats
    busiest = s.busiest_minute
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "source": recap.source,
        "chat": recap.chat,
        "hashtag": recap.hashtag,
        "title": recap.title,
        "session_id": recap.session_id,
        "date": recap.chat_date.isoformat(),
        "timezone": recap.timezone,
        "start_at": _t(recap.start_at),
        "end_at": _t(recap.end_at),
        "late_until": _t(recap.late_until),
        "hosts": list(recap.hosts),
        "prep_post": recap.prep_post,
        "history_known": recap.history_known,
        "stats": {
            "participants": s.participants,
            "newcomers": s.newcomers,
            "returning": s.returning,
            "messages": s.messages,
            "answers": s.answers,
            "late_answers": s.late_answers,
            "replies": s.replies,
            "answers_per_question": {str(n): c for n, c in s.answers_per_question.items()},
            "busiest_minute": (
                {"at": _t(busiest.at), "messages": busiest.messages} if busiest else None
            ),
            "median_answers_per_participant": s.median_answers_per_participant,
        },
        "questions": [_question(q) for q in recap.questions],
        "intros": [str(m.id) for m in recap.intros],
        "unmatched": [str(m.id) for m in recap.unmatched],
        "participants": [_participant(p) for p in recap.participants],
        "pairs": [
            {
                "a": str(p.a),
                "b": str(p.b),
                "a_name": recap.name_of(p.a),
                "b_name": recap.name_of(p.b),
                "replies": p.replies,
            }
            for p in recap.pairs
        ],
        "messages": [message_dict(m) for m in recap.messages],
    }


def render_json(recap: Recap) -> str:
    """Indented, with one message per line: readable and diff-friendly, and the messages (all
    but a few hundred bytes of a big recap) go through the fast C encoder, which indent=2
    would turn off (3x slower for 10,000 messages)."""
    data = recap_dict(recap)
    messages = data.pop("messages")
    head = json.dumps(data, ensure_ascii=False, indent=2)
    if not messages:
        return _escaped(head[:-2] + ',\n  "messages": []\n}\n')
    lines = ",\n".join("    " + json.dumps(m, ensure_ascii=False) for m in messages)
    return _escaped(head[:-2] + ',\n  "messages": [\n' + lines + "\n  ]\n}\n")


# What JSON leaves raw with ensure_ascii=False but no terminal or editor should get raw: DEL,
# C1 controls, bidi overrides, line separators. They only occur inside strings, as `\uXXXX`.
_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def _escaped(text: str) -> str:
    """recap.json keeps every text as stored, with the unsafe characters escaped as JSON can."""
    return _RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def render_csv(recap: Recap) -> str:
    """One row per visible message, in posting order (UTF-8; open with "UTF-8" in a spreadsheet)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for m in recap.messages:
        writer.writerow(
            (
                m.id,
                _t(m.created_at),
                local(m.created_at, recap.timezone).strftime("%Y-%m-%d %H:%M:%S"),
                m.author_id,
                _cell(m.author),
                m.kind,
                ";".join(map(str, m.questions)),
                ";".join(m.labels),
                ";".join(m.unmatched_labels),
                "yes" if m.late else "no",
                m.reply_to or "",
                m.reactions,
                "yes" if m.edited else "no",
                _cell(m.text),
                m.jump_url or "",
                m.platform,
            )
        )
    return buf.getvalue()
