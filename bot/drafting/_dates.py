"""Which chat date a prep post is for: "Tuesday night, November 10th", "11/10", "next Tuesday".

Only dates of the configured schedule count: a post names many days (anecdotes, deadlines), so a
mention must land on a scheduled chat date. Sentences that talk about the chat ("join us", "8 pm
ET") are read first; elsewhere a date counts only with its weekday ("Tuesday, November 24") and a
bare weekday only as "next/this Tuesday".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_WEEKDAY = r"(?:(?P<weekday>(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?),?\s+(?:(?:night|evening),?\s+)?(?:the\s+)?)?"
_FULL_DATES = (
    re.compile(rf"\b{_WEEKDAY}{_MONTH}\s+{_DAY}\b{_YEAR}"),
    re.compile(rf"\b{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}"),
    re.compile(
        r"(?<![\d/])(?P<month>1[0-2]|0?[1-9])/(?P<day>3[01]|[12]\d|0?[1-9])(?:/(?P<year>\d{4}|\d{2}))?(?![\d/])"
    ),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
)
_WEEKDAY_ONLY = re.compile(
    r"\b(?:(?P<rel>next|this|this coming|coming)\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?!s)",
    re.I,
)
_CUE = re.compile(
    r"join\b|\bchat\b|#\w+|\b\d{1,2}(?::\d{2})?\s*(?:pm|p\.m\.)|\b(?:ET|EST|EDT|CT|PT)\b|\beastern\b|\bhost",
    re.I,
)


@dataclass(frozen=True)
class DateChoice:
    """The chosen date and the comment that explains it (None when there is nothing to check)."""

    date: date
    note: str | None
    from_post: bool


def _weekday_index(word: str) -> int | None:
    word = word.lower()
    return next((i for i, name in enumerate(_WEEKDAYS) if name.startswith(word[:3])), None)


def _month_index(word: str) -> int | None:
    return _MONTHS.get(word.lower().rstrip("."))


def _full_matches(sentence: str) -> list[tuple[str, int, int, int | None, int | None]]:
    """(phrase, month, day, year, weekday) for each calendar date written in the sentence."""
    found = []
    for pattern in _FULL_DATES:
        for m in pattern.finditer(sentence):
            month = m.group("month")
            number = int(month) if month.isdigit() else _month_index(month)
            if number is None:
                continue
            year = m.group("year")
            full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
            names = m.groupdict()
            weekday = _weekday_index(names["weekday"]) if names.get("weekday") else None
            found.append((m.group(0).strip(), number, int(m.group("day")), full_year, weekday))
    return found


def _first_free(dates: Sequence[date], taken: Collection[date], weekday: int | None = None) -> date:
    matching = [d for d in dates if weekday is None or d.weekday() == weekday]
    return next((d for d in matching if d not in taken), matching[0] if matching else dates[0])


def choose_date(
    sentences: Sequence[str],
    chat_dates: Sequence[date],
    taken_dates: Collection[date],
    date_override: date | None = None,
) -> DateChoice:
    """Date from --date, else from the post (chat-talk sentences first), else the next free one."""
    if not chat_dates:
        raise ValueError("chat_dates must list at least one upcoming chat date")
    if date_override is not None:
        note = None if date_override in chat_dates else "check: not a date of the chat's schedule"
        if date_override in taken_dates:
            note = "check: another topic already has this date"
        return DateChoice(date_override, note, False)
    weekdays = {d.weekday() for d in chat_dates}
    ordered = sorted(range(len(sentences)), key=lambda i: not _CUE.search(sentences[i]))
    for i in ordered:
        sentence = sentences[i]
        cue = bool(_CUE.search(sentence))
        for phrase, month, day, year, weekday in _full_matches(sentence):
            hits = [
                d
                for d in chat_dates
                if (d.month, d.day) == (month, day)
                and (year is None or d.year == year)
                and (cue or d.weekday() == weekday)  # elsewhere: only "Tuesday, Nov 24"
            ]
            if hits:
                taken = (
                    " (another topic already has this date; check)"
                    if hits[0] in taken_dates
                    else ""
                )
                return DateChoice(hits[0], f'from "{phrase}" in the post{taken}', True)
            if cue and month <= 12:
                fallback = _first_free(chat_dates, taken_dates)
                return DateChoice(
                    fallback,
                    f'check: the post names "{phrase}", which is not a chat date; '
                    "this is the next chat date without a topic",
                    False,
                )
        for m in _WEEKDAY_ONLY.finditer(sentence):
            index = _weekday_index(m.group("weekday"))
            if index in weekdays and (m.group("rel") or cue):
                chosen = _first_free(chat_dates, taken_dates, index)
                return DateChoice(
                    chosen,
                    f'check: from "{m.group(0)}" in the post: the next free chat date on a '
                    f"{_WEEKDAYS[index].title()}",
                    True,
                )
    return DateChoice(
        _first_free(chat_dates, taken_dates),
        "check: no chat date found in the post; this is the next chat date without a topic",
        False,
    )
