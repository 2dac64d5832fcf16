"""Which key phrases are topics a chat can discuss ("psychological safety", "remote
one-on-ones", "delegation"), and the questions they make.

The templates ("What does {p} look like on your team?", "What gets in the way of {p} for
you?") read as English only with an idea or a plural: "What does meeting look like ...",
"What gets in the way of biggest release ..." and "... of teams treat meetings ..." are what a
host deletes. Times ("thursday night") are no topic either."""

from __future__ import annotations

import re
from itertools import pairwise

from bot.drafting._model import words
from bot.drafting._verbs import VERBS, base_of, is_gerund

ADJECTIVES = words(
    "small big good bad great hard easy new old best better worse real true long short high low"
    " little first second third last own right wrong whole next early late different same"
)
# Nouns of ideas rather than things, the only single words that make a topic on their own.
_ABSTRACT = re.compile(
    r"(?:ity|ness|ship|ance|ence|ism|dom|ment|cy|ation|tion|sion|ing|ure|ty|ics|ledge|ogy)$|"
    r"^(?:trust|feedback|change|growth|purpose|vision|strategy|culture|power|conflict|blame|"
    r"failure|care|courage|clarity|focus|respect|time|energy|work|fear|risk|truth)$",
    re.I,
)
_TIME = words(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may"
    " june july august september october november december night nights morning mornings"
    " evening evenings afternoon midnight noon today tonight yesterday tomorrow hour hours"
    " minute minutes week weeks month months year years weekend weekends quarter"
)
_PHRASE_FORMS = (
    "What gets in the way of {p} for you?",
    "Where have you seen {p} make a difference?",
)


def _plural(word: str) -> bool:
    return bool(re.search(r"[^su]s$", word)) and not word.endswith(("ness", "ics", "ship"))


def _verb_s(word: str) -> bool:
    """ "rotates", "matters": a verb's third-person form (also a plural noun, "needs")."""
    base = base_of(word)
    return word.endswith("s") and base is not None and base != word


def _idea(word: str) -> bool:
    """An idea, not a thing: "delegation", "listening" (not "meeting", a thing)."""
    if not _ABSTRACT.search(word):
        return False
    return not word.endswith("ing") or is_gerund(word)


def reads_as_topic(phrase: str) -> bool:
    """A phrase the templates can take: an idea or a plural at its head, no time, no clause
    ("teams treat meetings"), no superlative without its article ("biggest release")."""
    parts = phrase.lower().split()
    if not parts or any(p in _TIME for p in parts):
        return False
    first, last = parts[0], parts[-1]
    if len(parts) == 1:
        return _idea(first)  # "delegation", not "tasks"
    if first in ADJECTIVES or first in ("most", "least") or re.search(r"\w{3}est$", first):
        return False
    if any(p in VERBS and _plural(before) for before, p in pairwise(parts)):
        return False  # "teams treat meetings": a clause
    if any(_idea(before) and _verb_s(p) for before, p in pairwise(parts)):
        return False  # "ownership rotates": a clause too
    return _plural(last) or _idea(last)


def looks_like(phrase: str) -> str:
    plural = _plural(phrase.split()[-1])
    return f"What {'do' if plural else 'does'} {phrase} look like on your team?"


def phrase_question(phrase: str, turn: int) -> str:
    """The turn-th template for a topic phrase: varied, so a draft does not repeat one form."""
    forms = len(_PHRASE_FORMS) + 1
    if turn % forms == 0:
        return looks_like(phrase)
    return _PHRASE_FORMS[turn % forms - 1].format(p=phrase)
