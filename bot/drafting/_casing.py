"""How a post writes its words, so text taken from a heading or list item can sit inside a
question in sentence case: "Nine Habits for Remote One-on-Ones" -> "nine habits for remote
one-on-ones", "Daily check-ins" -> "daily check-ins", while names ("LinkedIn", "Jane") keep
their capitals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    """How the post writes its words: `lower` in lower case somewhere, `names` with a capital
    in the middle of a sentence (names, brands: kept as written)."""

    lower: frozenset[str]
    names: frozenset[str] = frozenset()


def vocabulary_of(sentences: Sequence[str]) -> Vocabulary:
    """Names are read from prose only: a Title Case heading capitalises every word."""
    lower = {w for s in sentences for w in re.findall(r"\b[a-z][\w'’-]*", s)}
    prose = [s for s in sentences if not _title_case(s)]
    names = {w for s in prose for w in re.findall(r"(?<=[\w,;] )[A-Z][\w'’-]*", s)}
    return Vocabulary(frozenset(lower), frozenset(names - {"I"}))


def lower_start(text: str, vocabulary: Vocabulary) -> str:
    """Sentence case for text put inside a question: words the post also writes in lower case
    lose their capital ("High Standards" -> "high standards"), and so does every word of a
    Title Case heading that the post does not write as a name; names and acronyms keep it."""
    title_case = _title_case(text)
    out = []
    for i, word in enumerate(text.split()):
        bare = word.strip(_PUNCT)
        if word[:1].isupper() and not bare.isupper():
            known = bare.lower() in vocabulary.lower
            # the first word's capital is the sentence's ("Daily check-ins"), not a name's
            if known or ((title_case or i == 0) and bare not in vocabulary.names):
                # "One-on-Ones" -> "one-on-ones": each part of a hyphenated word
                word = "-".join(
                    p if p.isupper() else p[:1].lower() + p[1:] for p in word.split("-")
                )
        out.append(word)
    return " ".join(out)


_PUNCT = ".,;:!?\"'“”‘’()*_"


def _title_case(text: str) -> bool:
    long = [w for w in text.split() if len(w.strip(_PUNCT)) > 3]
    return len(long) >= 2 and all(w[:1].isupper() for w in long)
