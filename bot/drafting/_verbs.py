"""A small verb lexicon: enough to tell "Accept a different result" (an instruction) from "Trust
a ledger", and to turn "Leading", "protected" or "builds" back into "lead", "protect", "build"
when a heading or a claim becomes a "How do you ...?" question. No model, no download: the
verbs leadership posts use, and the rules of English inflection for them."""

from __future__ import annotations

import re
from itertools import pairwise

from bot.drafting._model import words

VERBS = words(
    "accept achieve act adapt add address admit agree align allow answer apologise apologize"
    " appreciate approve argue ask assign assume attend avoid balance be become begin believe"
    " belong break bring build call care carry catch celebrate challenge change check choose"
    " clarify close coach collaborate commit communicate compare complain connect consider"
    " continue control convince cover create criticise criticize cut deal debate decide define"
    " delegate deliver depend describe design develop disagree discover discuss do drive earn"
    " empower enable encourage end engage enjoy ensure escalate establish evaluate expect"
    " experiment explain explore face fail feel fight find finish fire fix focus follow forget"
    " forgive foster gain get give go grow guide handle happen hear help hide hire hold hope"
    " ignore imagine improve include inspire invest invite involve keep know lead learn leave"
    " let listen live look lose love make manage matter mean measure meet mentor miss model"
    " motivate move name need negotiate notice offer onboard open own pause plan play practice"
    " practise praise prepare present prevent prioritise prioritize promote protect prove push"
    " put question raise reach read rebuild recognise recognize recover reduce reflect reject"
    " remember remove repair replace report respect respond rest restore retain return review"
    " reward run save say see seek sell send separate serve set settle share show shrink sit"
    " slow solve speak spend stand start stay step stop support take talk teach tell test thank"
    " think track train transform treat trust try turn understand use value wait walk want"
    " watch welcome win work worry write deserve travel spread waste cost earn retire rotate"
    " repeat remind refuse release renew rethink schedule simplify skip stick stretch thrive"
)
_IRREGULAR = {
    "said": "say", "made": "make", "took": "take", "taken": "take", "gave": "give",
    "given": "give", "kept": "keep", "led": "lead", "held": "hold", "built": "build",
    "brought": "bring", "told": "tell", "thought": "think", "felt": "feel", "found": "find",
    "knew": "know", "known": "know", "left": "leave", "lost": "lose", "met": "meet",
    "ran": "run", "saw": "see", "seen": "see", "sold": "sell", "sent": "send", "spent": "spend",
    "spoke": "speak", "spoken": "speak", "stood": "stand", "taught": "teach",
    "understood": "understand", "won": "win", "wrote": "write", "written": "write",
    "began": "begin", "begun": "begin", "chose": "choose", "chosen": "choose", "did": "do",
    "done": "do", "got": "get", "had": "have", "went": "go", "gone": "go", "became": "become",
    "fought": "fight", "heard": "hear", "hid": "hide", "paid": "pay", "sat": "sit",
    "forgave": "forgive", "forgot": "forget", "grew": "grow", "grown": "grow", "dealt": "deal",
    "meant": "mean", "broke": "break", "broken": "break", "caught": "catch", "has": "have",
    "does": "do", "goes": "go", "is": "be", "are": "be", "was": "be", "were": "be",
}  # fmt: skip


def base_of(word: str) -> str | None:
    """The base form of a verb form ("Leading" -> "lead", "protected" -> "protect",
    "delegated" -> "delegate", "stopped" -> "stop", "tries" -> "try"), or None when the word
    is not a form of a known verb."""
    low = word.lower().replace("’", "'")
    if low in VERBS:
        return low
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    for ending, stems in (
        ("ing", lambda s: (s, s + "e", s[:-1] if len(s) > 2 and s[-1] == s[-2] else "")),
        ("ied", lambda s: (s + "y",)),
        ("ed", lambda s: (s, s + "e", s[:-1] if len(s) > 2 and s[-1] == s[-2] else "")),
        ("ies", lambda s: (s + "y",)),
        ("es", lambda s: (s, s + "e")),
        ("s", lambda s: (s,)),
    ):
        if low.endswith(ending) and len(low) > len(ending) + 1:
            for stem in stems(low[: -len(ending)]):
                if stem in VERBS:
                    return stem
            return None
    return None


# -ing words that name a thing, not an activity ("Meeting notes", "Setting the scene" aside).
_ING_NOUNS = words("meeting feeling warning beginning ending morning evening ceiling offering")


def has_verb(text: str) -> bool:
    """A finite verb of the lexicon: a third-person form ("deserves", "travels") or a base form
    after a plural subject ("Most teams treat meetings ...")."""
    tokens = re.findall(r"[A-Za-z][\w'’-]*", text)
    for before, word in pairwise(tokens):
        low = word.lower()
        third_person = low.endswith("s") and not low.endswith("ss")
        if third_person and base_of(low) not in (None, low) and before.lower() not in _DETERMINERS:
            return True  # not "the needs of", "his works"
        if low in VERBS and re.search(
            r"[^su]s$|^(?:people|they|we|you|men|women|children)$", before.lower()
        ):
            return True
    return False


_DETERMINERS = words("a an the this that these those my our your their his her its every each")


def is_gerund(word: str) -> bool:
    """`Leading`, `Saying`: a verb's -ing form (not "Meeting", a thing)."""
    low = word.lower()
    return low.endswith("ing") and low not in _ING_NOUNS and base_of(word) is not None
