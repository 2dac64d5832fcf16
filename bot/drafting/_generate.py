"""Questions made from a post's key ideas when it asks too few of its own: its headings, list
items, claims (the statements that carry its argument) and key phrases, each put into a
question form a Twitter-chat host would recognise ("What does trust look like on your team?",
"Agree or disagree: ... Why?"). Every one is marked as generated for the host to check."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.drafting._casing import Vocabulary, lower_start
from bot.drafting._judge import key, leans_on_context
from bot.drafting._keyphrases import KeyPhrase
from bot.drafting._model import Block, Candidate, words
from bot.drafting._phrase_topics import looks_like, phrase_question, reads_as_topic
from bot.drafting._questions import split_sentences, well_formed
from bot.drafting._transform import (
    activity,
    difference,
    listicle,
    own_answer,
    practice,
    relative,
    role,
    story,
    which_ones,
)
from bot.drafting._verbs import VERBS, has_verb

# Verbs that open an instruction ("Say the hard thing early", "Listen first").
_IMPERATIVE = words(
    "ask admit agree assume avoid be build celebrate check choose clarify coach communicate"
    " create define delegate decide design do don't encourage end explain find focus follow"
    " get give go hold invite keep know lead learn let listen make measure model name never"
    " own pause plan practice practise praise protect put reward say see serve set share show"
    " slow speak start stay stop take tell thank treat trust try use write always"
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|isn't|aren't|be|been|has|have|had|do|does|did|doesn't|don't|can|"
    r"cannot|can't|will|won't|would|should|must|makes?|means?|starts?|needs?|takes?|builds?|"
    r"becomes?|gets?|comes?|goes?|feels?|works?|grows?|shrinks?|costs?|matters?|beats?|belongs?|"
    r"lives?|sounds?|looks?|moves?|waits?|says?|tells?|shows?|counts?|depends?|happens?|helps?|"
    r"hurts?|keeps?|leads?|lets?|wins?|fails?|stays?|turns?|wants?|changes?|decides?|settles?|"
    r"saves?|earns?|loses?|breaks?|kills?|creates?|drives?|follows?|holds?|runs?|seems?|gives?)\b",
    re.I,
)
_EMBEDDED = re.compile(
    r"^what\s+(?P<np>.+?)\s+(?P<verb>looks|sounds|feels)\s+like$|^how\s+to\s+(?P<vp>.+)$", re.I
)
_OPENER = re.compile(
    r"^(?:finally|ultimately|in short|in the end|of course|still|instead|again|first|second|"
    r"third|last|lastly|then|so|and|but|yet|also|often|sometimes|today|now)\b[,:]?\s+",
    re.I,
)
# The author's own voice: "I" by its capital (not "i.e."), the rest in any case ("My answer
# used to be charisma" is an anecdote, not a claim to discuss).
_FIRST_PERSON = r"\b(?-i:I|I'm|I've|I'd|I'll)\b|\b(?:me|my|mine|myself|we|us|our|ours|ourselves)\b"
_NOT_A_CLAIM = re.compile(
    r"^(?:it|this|that|these|those|they|he|she|there|here|but|and|so|or|because|then|when|if|"
    r"as|after|before|while|once|since|not|by|come|join|see|bring|you|your)\b|"
    + _FIRST_PERSON
    + r"|[\"“”()\[\]:;#@]|\d|\b(?:chat|join|tuesday|pm|et)\b"
    + r"|\b(?:says|said|writes|wrote|claims)\b",  # reported speech: whose claim is it?
    re.I,
)
# A claim that ends on a noun needing its complement leans on what came before: "Comfort is a
# poor proxy." (for what?), "That is the real test." (of what?).
_NEEDS_COMPLEMENT = re.compile(
    r"^the\s+(?:(?:hardest|easiest|best|worst|first|last|real|main|only|next|other|whole)\s+)?"
    r"(?:part|thing|step|question|problem|trick|key|lesson|point|idea|goal|answer|secret)\b|"
    r"\b(?:proxy|substitute|stand-in|replacement|cure|antidote|opposite|precondition|"
    r"prerequisite|symptom|sign|signal|side effect|by-product|byproduct|price|result|reason|"
    r"cause|answer|solution|test|point|difference|problem|mistake|trap|alternative|version|"
    r"example|case|exception|rule|one)\W*$|"
    r"\b(?:qualify|qualifies|apply|applies|do|does|did|too|either|as well|also)\W*$",
    re.I,
)
# "People read it, and ...": "it" is in the sentence before.
_EARLY_PRONOUN = re.compile(r"^(?:\S+\s+){0,2}(?:it|them)\b", re.I)
# "... is a leadership act, not a scheduling one.": the "one" is named in the sentence.
_CONTRASTED_ONE = re.compile(r",\s+not\s+an?\s+[\w-]+\s+one\W*$", re.I)
# Headings that label the post's parts rather than say anything.
_LABEL = re.compile(
    r"\b(?:chat|questions?|conclusion|introduction|intro|summary|takeaways?|thoughts|join|"
    r"resources|references|notes?|update|tl;?dr|faq|bonus|p\.?s)\b|^(?:for|to|on|in|at|with|about|"
    r"from|by|of|the|a|an)\b|" + _FIRST_PERSON,
    re.I,
)
# A short denial sets up the next sentence ("People do not buy a roadmap. They buy a reason.").
_NEGATION = re.compile(r"\b(?:not|never|no)\b|n['’]t\b", re.I)
_TITLE_MIN, _CLAIM_MAX = 5, 28
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")


@dataclass(frozen=True)
class Idea:
    """A key idea of the post and where it sits."""

    text: str
    kind: str  # heading, item, claim, phrase
    position: int


def _bare(text: str) -> str:
    return text.strip().rstrip(".!:;,").strip("*_\"'“”‘’ ")


def _from_heading(text: str, vocabulary: Vocabulary) -> list[str]:
    """Questions from a heading (or the title): an activity or instruction becomes "How do you
    ...?", a claim is put to the chat, a short topic becomes "What does ... look like?"."""
    phrase = lower_start(_bare(text), vocabulary)
    if ":" in phrase:  # "Delegation: Letting Go Without Losing Sight": the part that says more
        phrase = max(phrase.split(":"), key=lambda part: len(part.split())).strip()
    for shape in (role, listicle, which_ones):
        if (made := shape(phrase)) is not None:
            return [made]
    if not phrase or phrase.endswith("?") or _LABEL.search(phrase) or _POINTS_BACK.search(phrase):
        return []
    embedded = _EMBEDDED.match(phrase)
    if embedded and embedded.group("vp"):
        return [f"How do you {embedded.group('vp')}?"]
    if embedded:
        verb = embedded.group("verb")[:-1]
        return [f"What does {embedded.group('np')} {verb} like on your team?"]
    first = phrase.split()[0].lower()
    if first in ("what", "how", "why", "when", "where", "who", "which"):
        return []
    if (made := activity(phrase)) is not None:
        return [made]
    if _imperative(phrase.split()):
        return [f"How do you {phrase[:1].lower()}{phrase[1:]}?"]
    if (made := difference(phrase)) is not None:
        return [made]
    if _VERBISH.search(phrase):
        return _from_claim(phrase)
    if len(phrase.split()) <= 6:
        if " and " in phrase:
            return [f"How do you balance {phrase}?"]
        if _subject_and_verb(phrase.split()):
            return []
        return [looks_like(phrase)]
    return []


def _subject_and_verb(parts: list[str]) -> bool:
    """ "Ownership Rotates", "Clarity wins": an idea and then a verb, not a topic. Also an
    instruction whose verb the lexicon lacks ("Retire rituals on purpose": a base form first,
    then a plural)."""
    if len(parts) == 2 and reads_as_topic(parts[0]) and parts[0][-1:] != "s":
        return parts[1].endswith("s")
    return len(parts) > 2 and parts[0].lower() in VERBS


def _from_title(text: str, vocabulary: Vocabulary) -> list[str]:
    """The title as a question: a question the author asks themselves, else as a heading."""
    bare = text.strip()
    if bare.endswith("?"):
        made = own_answer(lower_start(bare, vocabulary))
        return [made] if made else []
    if (made := story(lower_start(bare, vocabulary))) is not None:
        return [made]
    return _from_heading(bare, vocabulary)


_ITEM_FORMS = ("How do you {x}?", "What would it take for you to {x}?")


def _from_item(text: str, vocabulary: Vocabulary, turn: int = 0) -> list[str]:
    """A list item as a question; a long item by its lead sentence ("**Keep the slot
    sacred.** Moving a one-on-one tells ..."). Instructions alternate between the forms."""
    lead = split_sentences(text)[0] if text.strip() else ""
    if len(text.split()) > 16 and len(lead.split()) <= 10:
        text = lead
    phrase = lower_start(_bare(text), vocabulary)
    size = len(phrase.split())
    if not phrase or phrase.endswith("?") or size > 16:
        return []
    if _imperative(phrase.split()):
        x = phrase[:1].lower() + phrase[1:]
        forms = _ITEM_FORMS[turn % 2 :] + _ITEM_FORMS[: turn % 2]
        return [form.format(x=x) for form in forms]
    if size <= 5 and not _VERBISH.search(phrase) and not _LABEL.search(phrase):
        return [phrase_question(phrase, turn)]  # varied: a list of topics is not one question
    return _from_claim(phrase)


_CLAIM_FORMS = (
    "Agree or disagree: {claim}. Why?",
    "“{Claim}.” How true is that where you work?",
    "{Claim}. What has your experience been?",
)


_PAST = re.compile(r"\b(?:was|were|had|did|wasn't|weren't|hadn't|didn't)\b", re.I)  # anecdotes
_COMPARATIVE = re.compile(
    r"\b(?:better|worse|longer|shorter|faster|slower|more|less|bigger|smaller|harder|easier)\b",
    re.I,
)


# Words that follow a verb, not a noun: "Accept a different result", "Let them present it".
_OBJECT_START = words("a an the your their them it others people what how yourself one this that")


def _imperative(words_: list[str]) -> bool:
    """ "Say the hard thing early", "Accept a different result", not "Trust is a ledger" (many
    verbs are nouns too)."""
    if not words_ or (len(words_) > 1 and _VERBISH.fullmatch(words_[1])):
        return False
    first = words_[0].lower()
    return first in _IMPERATIVE or (
        first in VERBS and len(words_) > 1 and words_[1].lower() in _OBJECT_START
    )


def _maxim(claim: str) -> bool:
    """A short saying with an idea for its subject: "Consistency beats intensity."."""
    parts = claim.split()
    return 3 <= len(parts) < _TITLE_MIN and parts[0][:1].isupper() and reads_as_topic(parts[0])


# "Making It Routine": what "it" is, is in the paragraph below the heading.
_POINTS_BACK = re.compile(r"^(?:\S+\s+)?(?:it|them|this|these|those)\b", re.I)


def is_claim(text: str) -> bool:
    """A self-contained general statement: 5-28 words, a verb in the present, no "I", no
    anecdote or date, no pointing back, no comparison with something unnamed, not an
    instruction or an invitation to the chat."""
    claim = _OPENER.sub("", _bare(text))
    return (
        (_TITLE_MIN <= len(claim.split()) <= _CLAIM_MAX or _maxim(claim))
        and not _NOT_A_CLAIM.search(claim)
        and not _imperative(claim.split())
        and (bool(_VERBISH.search(claim)) or has_verb(claim))
        and not (_COMPARATIVE.search(claim) and " than " not in claim)
        and not _PAST.search(claim)
        and not (_NEEDS_COMPLEMENT.search(claim) and not _CONTRASTED_ONE.search(claim))
        # a set-up: "X is not Y." (not "X is a practice, not a poster.")
        and not (_NEGATION.search(claim) and len(claim.split()) < 8 and ", not " not in claim)
        and not _EARLY_PRONOUN.search(claim)
        and claim.lower().count(", the ") < 2  # "The retro that ..., the demo ..., the ...": a list
        and not leans_on_context(claim + "?")
    )


def transformable(text: str) -> bool:
    """A statement with a question of its own (a difference, what good leaders do)."""
    claim = _OPENER.sub("", _bare(text))
    return practice(claim) is not None or difference(claim) is not None


def _from_claim(text: str, turn: int = 0) -> list[str]:
    claim = _OPENER.sub("", _bare(text))
    made = practice(claim) or difference(claim)
    if made is not None:  # a question of its own beats "Agree or disagree"
        return [made]
    if not is_claim(claim):
        return []
    lowered = claim[:1].lower() + claim[1:] if not claim.startswith("I ") else claim
    forms = _CLAIM_FORMS[turn % len(_CLAIM_FORMS) :] + _CLAIM_FORMS[: turn % len(_CLAIM_FORMS)]
    return [form.format(claim=lowered, Claim=claim[:1].upper() + claim[1:]) for form in forms]


def ideas(
    blocks: Sequence[tuple[int, Block]], claims: Sequence[tuple[int, str]], title: str | None
) -> list[Idea]:
    """The title, headings, list items and claims, in the post's order within each kind."""
    found = [Idea(title, "title", -1)] if title else []
    found += [
        Idea(b.text, "heading", p)
        for p, b in blocks
        if b.kind == "heading" and b.text != title and len(b.text.split()) <= 10
    ]
    found += [Idea(b.text, "item", p) for p, b in blocks if b.kind == "item"]
    found += [Idea(text, "claim", p) for p, text in claims]
    # The claim about what a good leader does, asked as practice too: after every other idea.
    found += [Idea(text, "relative", p) for p, text in claims if relative(_bare(text))]
    return found


def generate(
    found: Sequence[Idea],
    phrases: Sequence[KeyPhrase],
    vocabulary: Vocabulary,
    taken: Sequence[str],
    wanted: int,
    room: int,
) -> list[Candidate]:
    """Up to `wanted` questions, key ideas first (headings, items, claims, then phrases), each
    within `room` characters and unlike the questions already `taken`."""
    out: list[Candidate] = []
    seen = {key(t) for t in taken}
    claims_used = items_used = 0

    def add(text: str, idea: Idea, label: str) -> bool:
        k = key(text)
        if not well_formed(text, room) or k in seen or any(_overlap(k, s) for s in seen):
            return False
        if leans_on_context(text) or re.search(_FIRST_PERSON, _QUOTED.sub("", text), re.I):
            return False  # "How do you let them present it?": about something not named
        seen.add(k)
        note = f"generated from {label} “{_bare(idea.text)}”; check"
        out.append(Candidate(text, idea.text, 0, note, idea.position, generated=True))
        return True

    used: set[str] = set()
    for idea in found:
        if len(out) >= wanted:
            break
        seen_as = key(idea.text) + (" (practice)" if idea.kind == "relative" else "")
        if seen_as in used:
            continue
        used.add(seen_as)
        if idea.kind == "title":
            options = _from_title(idea.text, vocabulary)
        elif idea.kind == "heading":
            options = _from_heading(idea.text, vocabulary)
        elif idea.kind == "relative":
            options = [q for q in [relative(_bare(idea.text))] if q]
        elif idea.kind == "item":
            options = _from_item(idea.text, vocabulary, items_used)
        else:
            options = _from_claim(idea.text, claims_used)
        label = {
            "title": "the title",
            "heading": "the heading",
            "item": "the list item",
            "claim": "the post's line",
            "relative": "the post's line",
        }
        for option in options:
            if add(option, idea, label[idea.kind]):
                claims_used += option.startswith(("Agree", "“")) or option.endswith("been?")
                items_used += idea.kind == "item"
                break
    turn = 0
    for phrase in phrases:
        if len(out) >= wanted:
            break
        parts = phrase.text.split()
        if len(parts) < 2 and phrase.score < 8:
            continue  # a lone word is a topic only when the post keeps coming back to it
        if not reads_as_topic(phrase.text):
            continue  # "tasks", "thursday night", "biggest release": no question reads well
        if len(parts) > 1 and (
            parts[0] in _IMPERATIVE or any(_VERBISH.fullmatch(w) for w in parts)
        ):
            continue  # "build trust", "leaders earn trust": a verb phrase, not a topic
        idea = Idea(phrase.text, "phrase", phrase.position)
        text = phrase_question(phrase.text, turn)
        turn += add(text, idea, "the key phrase")
    return out


def _overlap(a: str, b: str) -> bool:
    wa, wb = set(a.split()), set(b.split())
    return min(len(wa), len(wb)) >= 3 and len(wa & wb) / len(wa | wb) >= 0.7
