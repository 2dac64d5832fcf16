"""Key phrases of a post ("psychological safety", "saying no"): runs of content words scored by
how often they recur, whether the title or a heading uses them, and how early they appear.

A small statistical extractor in the spirit of YAKE and RAKE, written here because the
maintained packages are either GPL/AGPL-licensed (yake) or need a model or corpus download
(rake-nltk, KeyBERT); no network and no model at run time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.drafting._model import words

STOPWORDS = words(
    "a about above after again against all almost also although always am among an and another"
    " any anyone anything are aren't around as at away back be became because become been before"
    " being below between both but by can can't cannot could couldn't did didn't do does doesn't"
    " doing don't done down during each either else enough even ever every everyone everything"
    " few first for from further get gets getting give given go goes going gone got had hadn't"
    " has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself"
    " his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself just keep"
    " kept know last least less let let's like likely made make makes making many may maybe me"
    " might mine more most mostly much must my myself need needs never new next no nobody none"
    " nor not nothing now of off often oh ok okay on once one ones only onto or other others"
    " otherwise our ours ourselves out over own per perhaps put quite rather really right said"
    " same say says see seem seems several shall she she'd she'll she's should shouldn't since so"
    " some somebody someone something sometimes soon still such sure take takes than that that's"
    " the their theirs them themselves then there there's these they they'd they'll they're"
    " they've thing things think this those though through thus to today together told too"
    " took toward towards try two under until up upon us use used very via want wanted wants was"
    " wasn't way we we'd we'll we're we've well went were weren't what what's whatever when"
    " where where's whether which while who who's whole whom whose why will with within without"
    " won't would wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves"
    " week weeks day days year years time times month months lot lots kind sort part bit"
    " three four five six seven eight nine ten hundred thousand"
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]|[^\sA-Za-z]+")
_MAX_WORDS = 3


@dataclass(frozen=True)
class KeyPhrase:
    """A phrase as the post writes it, its score, and the sentence index where it first appears."""

    text: str
    score: float
    position: int


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _content(word: str) -> bool:
    low = word.lower().replace("’", "'")
    return (
        len(low) >= 3
        and low not in STOPWORDS
        and not low.endswith(("ly", "'s", "'t"))
        and bool(re.fullmatch(r"[a-z][a-z'-]*", low))
    )


def _runs(sentence: str) -> list[list[str]]:
    """Maximal runs of content words, broken by punctuation and stop words."""
    runs: list[list[str]] = [[]]
    for token in _TOKEN.findall(sentence):
        if _content(token):
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def key_phrases(
    sentences: Sequence[tuple[int, str]], emphasised: Sequence[str] = (), limit: int = 10
) -> list[KeyPhrase]:
    """The post's key phrases, best first. `sentences` are (position, text); `emphasised` are the
    title and headings, whose words count for more."""
    counts: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], int] = {}
    surface: dict[tuple[str, ...], Counter[str]] = {}
    for position, sentence in sentences:
        for run in _runs(sentence):
            for size in range(1, min(_MAX_WORDS, len(run)) + 1):
                for i in range(len(run) - size + 1):
                    gram = run[i : i + size]
                    stems = tuple(_stem(w) for w in gram)
                    counts[stems] += 1
                    first.setdefault(stems, position)
                    shown = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in gram)
                    surface.setdefault(stems, Counter())[shown] += 1
    bold = {_stem(w) for text in emphasised for w in _TOKEN.findall(text) if _content(w)}
    found: list[KeyPhrase] = []
    spread = max(first.values(), default=0) + 1
    for stems, count in counts.items():
        marked = sum(s in bold for s in stems)
        if count < (3 if len(stems) == 1 else 2) and not marked:
            continue
        if stems[-1].endswith("ed"):
            continue  # "team disappeared": a verb, not a topic
        value = count * (1.0, 1.6, 1.8)[len(stems) - 1] * (1 + marked)
        value *= 1.5 - first[stems] / spread / 2  # earlier is more central
        found.append(KeyPhrase(surface[stems].most_common(1)[0][0], value, first[stems]))
    found.sort(key=lambda p: -p.score)
    chosen: list[KeyPhrase] = []
    for phrase in found:
        inside = [c for c in chosen if f" {phrase.text} " in f" {c.text} "]
        around = [c for c in chosen if f" {c.text} " in f" {phrase.text} "]
        if inside or around:
            continue
        chosen.append(phrase)
        if len(chosen) == limit:
            break
    return chosen
