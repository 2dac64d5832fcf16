"""Judging a question the post asks: rhetorical or a call to action, leaning on the sentence
before, yes/no; and the rewrites that make it a chat question (first person -> "you", a
yes/no question opened up)."""

from __future__ import annotations

import re

from bot.drafting._model import words


def _rx(pattern: str) -> re.Pattern[str]:
    """Case-blind pattern in which every ' also matches a typographic apostrophe (’)."""
    return re.compile(pattern.replace("'", "['’]"), re.IGNORECASE)


def key(text: str) -> str:
    """Lower-case words only, for comparing questions."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")))


def word_count(text: str) -> int:
    """Words as a reader counts them ("isn't" is one)."""
    return len(re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text))


_TAG_QUESTION = _rx(
    r"(?:,|\s[–—-])\s*(?:right|isn't it|aren't they|aren't we|don't you think|wouldn't you agree|"
    r"no|eh|huh|yes|you know|correct|don't we|doesn't it|didn't it|isn't that right|am i right|"
    r"agreed|ok|okay|see|true|yeah)\?$"
)
_RHETORICAL = frozenset(
    """right|anybody know|anyone know|does anybody know|does anyone know|who knew|why not|so what|
    now what|what gives|sound familiar|sounds familiar|make sense|makes sense|get it|see|you know|
    know what i mean|you know what i mean|am i right|can you relate|ring a bell|does that ring a
    bell|remember|who doesn't|what could go wrong|what was i thinking|how hard could it be|what's
    not to love|how cool is that|how great is that|isn't it|can you imagine|imagine that|guess what|
    really|seriously|why|how|what|huh|eh|ever been there|been there|agreed|true|what else is new|
    who would have thought|who'd have thought|what happened|how about you|what about you|and you|
    what do you think|what do you think about it|what do you think about that|what do you think
    about this|any thoughts|thoughts|what say you|who's with me|are you with me|are you in|
    ready|what are you waiting for|you in|what do you have|what do you get""".replace(
        "\n", " "
    ).split("|")
)
_RHETORICAL = frozenset(" ".join(r.split()) for r in _RHETORICAL)
_ASIDE_PREFIX = _rx(
    r"^(?:anybody know|anyone know|(?:did|does|has|do) (?:anybody|anyone|any of you) (?:else )?"
    r"(?:know|notice|care)|guess|can you believe|how (?:cool|great|awesome|crazy) is|isn't that|"
    r"who knew|enjoyed this|liked this|like this post|want (?:more|to (?:learn|read) more|to work)|"
    r"ready to|looking for|need (?:a|help)|interested in|curious (?:about|how)|who else|"
    r"who (?:wants|needs|would want|doesn't|wouldn't|has time|among us|cares))\b"
)
_CALL_TO_ACTION = re.compile(
    r"\b(?:subscribe|newsletter|sign up|signup|download|click|join us|join the chat|see you|"
    r"book a (?:call|session|demo)|discovery call|work with me|free (?:e-?book|guide|course|trial)|"
    r"inbox|webinar|enrol+|register|coupon|discount|cookies?)\b",
    re.I,
)
# Negative questions expect agreement ("Isn't that the hardest kind of service?").
_NEGATIVE_START = _rx(
    r"^(?:isn't|aren't|wasn't|weren't|don't|doesn't|didn't|won't|wouldn't|can't|couldn't|"
    r"shouldn't|haven't|hasn't|hadn't|ain't)\b"
)
# "... and what do you have? A leader people follow." / "Can I sell? Of course I can."
_ANSWER_START = _rx(
    r"^(?:yes|no|nope|yep|of course|absolutely|sure|certainly|definitely|not really|not at all|"
    r"never|exactly|obviously|probably not|probably|maybe not|the answer|it turns out|turns out|"
    r"here's (?:why|how|the thing|what)|simple|easy|short answer|spoiler)\b"
)
_SELF_TALK = re.compile(r"^(?:what|how|who|why|where|when)\s+(?:was|am|did|do|were)\s+i\b", re.I)

_AUX = words(
    "do does did is are was were am can could would should will shall have has had may might must"
)
_WH = words("what how why which who whom whose where when")
_SUBORDINATE = re.compile(
    r"^(?:if|when|once|after|before|as|since|while|given)\b[^,?]{3,}?,\s+", re.I
)
_OR_CHOICE = re.compile(r"\bor\b(?!\s+not\b)", re.I)
_EVER = re.compile(r"^(Have|Do|Did|Has)\s+(you|they|we)\s+ever\s+", re.I)
OPEN_UP = "Why or why not?"

# Words that point back to something the question does not name.
_PRONOUN_START = _rx(
    r"^(?:(?:(?:what|how|why|when|where|who|which)\s+)?(?:" + "|".join(sorted(_AUX)) + r")\s+)?"
    r"(?:it|this|that|they|these|those|he|she|them|such)\b(?!\s+(?:who|which|that|of)\b)"
)
_DEMONSTRATIVE_VERB = _rx(
    r"\b(?:this|that|these|those)\s+(?:is|was|are|were|'s|does|do|did|can|could|would|should|"
    r"will|has|have|had|mean|means|matter|matters|work|works|look|looks|feel|feels|sound|sounds|"
    r"happen|happens|change|changes)\b"
)
_DANGLING_END = _rx(
    r"\b(?:this|that|these|those|him|her|so|too|either|else|(?:this|that|which|each|other) one)\?$"
)
_THEM_END = _rx(r"\bthem\?$")
_IT_END = _rx(r"\bit\?$")
_NOUN_BEFORE = _rx(
    r"\b(?:a|an|the|your|our|their|each|every|for|about|of|with|on|from|to)\s+(?!(?:it|them|this|"
    r"that|you|me|us|do|be|get|make|have)\b)[a-z]{3,}"
)
_EXTRAPOSED_IT = _rx(r"\bit(?:\s+\S+){0,4}?\s+(?:to|when|that|if|for)\b")
_BACK_POINTERS = _rx(
    r"\b(?:like (?:that|this|those|these)|such (?:a|an)\b|the (?:same(?! as)|former|latter|other one)|"
    r"(?:of|between) the (?:two|three|four|five|six|seven|eight|nine|ten)\b|these (?:two|three|four)"
    r"|what else|which of (?:these|those|the)\b|that kind|this kind|in that case|if so|if not)"
)
_THIRD_PERSON = _rx(r"\b(?:he|she|him|his|her|they|them|their)\b")
_PEOPLE = _rx(
    r"\b(?:someone|somebody|anyone|anybody|everyone|people|person|team|leader|manager|boss|"
    r"employee|colleague|peer|report|member|teammate|customer|client|hire|engineer|friend|partner|"
    r"who)\b|\b[a-z]{3,}s\b"
)
_QUOTED = re.compile(r"(\"[^\"]*\"|“[^”]*”)")


def is_rhetorical(text: str, next_sentence: str = "") -> bool:
    """Rhetorical, filler or a call to action: a host would not post it as a chat question."""
    k = key(text)
    return bool(
        k in _RHETORICAL
        or _TAG_QUESTION.search(text)
        or _ASIDE_PREFIX.match(text)
        or _CALL_TO_ACTION.search(text)
        or _NEGATIVE_START.match(text)
        or _SELF_TALK.match(text)
        or re.search(r"\bwhat do you (?:have|get)\?$", text, re.I)
        or (next_sentence and _ANSWER_START.match(next_sentence.lstrip("\"'“‘*_ ")))
    )


_CONTINUES = re.compile(r"^\W*(?:and|but|or|so|then)\b", re.I)
_ANY_PRONOUN = _rx(r"\b(?:it|they|them|their|this|that|these|those)\b")


def leans_on_context(text: str, sentence: str = "") -> bool:
    """True when the question points back at something it does not name ("How do you build
    habits like that?", "Why does it feel like a summons?", "And how do they know you'll keep
    them?"). `sentence` is the question as the post writes it, lead-in and all."""
    if _CONTINUES.match(sentence) and _ANY_PRONOUN.search(text):
        return True
    bare = _QUOTED.sub("", text)
    if re.search(r"\bI\b", bare) and re.search(r"\byou(?:r|rs)?\b", bare, re.I):
        return True  # the author and the reader: "What would you say if I asked you?"
    start = _PRONOUN_START.match(text)
    if start and not _EXTRAPOSED_IT.match(text, start.end() - len(start.group(0).split()[-1])):
        return True
    if _BACK_POINTERS.search(text) or _DANGLING_END.search(text):
        return True
    if _IT_END.search(text) and not _NOUN_BEFORE.search(text):
        return True
    if _THEM_END.search(text) and not _PEOPLE.search(text[: -len("them?")]):
        return True
    demonstrative = _DEMONSTRATIVE_VERB.search(text)
    if demonstrative and not re.search(
        r"\w+\s+$", text[: demonstrative.start()].lower().replace("’", "'")
    ):
        return True
    if demonstrative and re.search(
        r"\b(?:" + "|".join(sorted(_AUX | _WH)) + r")\s+$", text[: demonstrative.start()], re.I
    ):
        return True
    third = _THIRD_PERSON.search(text)
    return bool(third and not _PEOPLE.search(text[: third.start()]))


def main_clause(text: str) -> str:
    """The question after a leading "If/When ..., " clause."""
    return _SUBORDINATE.sub("", text, count=1)


def is_yes_no(text: str) -> bool:
    """A question that starts with an auxiliary (and offers no either/or choice)."""
    first = re.findall(r"[a-z']+", main_clause(text).lower().replace("’", "'"))[:1]
    return bool(first) and first[0] in _AUX and not _OR_CHOICE.search(text)


def open_up(text: str, budget: int) -> tuple[str, str | None]:
    """A yes/no question made open: "Have you ever X?" -> "When have you X?", else "Why or why
    not?" added. Returns the text and a note for the host (None when nothing changed)."""
    if not is_yes_no(text):
        return text, None
    ever = _EVER.match(text)
    if ever and ever.group(1).lower() in ("have", "has"):
        return f"When {ever.group(1).lower()} {ever.group(2)} {text[ever.end() :]}", (
            "made open (the post asks a yes/no question)"
        )
    if ever:
        return f"When do {ever.group(2)} {text[ever.end() :]}", (
            "made open (the post asks a yes/no question)"
        )
    opened = f"{text} {OPEN_UP}"
    if len(opened) <= budget:
        return opened, f"“{OPEN_UP}” added to a yes/no question"
    return text, None


# The author's own voice, singular and plural, and what the reader says instead. A chat asks
# the reader: "How do we get others to follow our lead?" is the author's "we" (their team, or
# leaders like them), so it becomes "you" as "I" does. Matched whatever the case ("My", "OUR").
_FIRST_PERSON = [
    (_rx(r"\bam I\b"), "are you"),
    (_rx(r"\bI am\b"), "you are"),
    (_rx(r"\bwas I\b"), "were you"),
    (_rx(r"\bI was\b"), "you were"),
    (_rx(r"\bI'm\b"), "you're"),
    (_rx(r"\bI've\b"), "you've"),
    (_rx(r"\bI'd\b"), "you'd"),
    (_rx(r"\bI'll\b"), "you'll"),
    (_rx(r"\bwe're\b"), "you're"),
    (_rx(r"\bwe've\b"), "you've"),
    (_rx(r"\bwe'd\b"), "you'd"),
    (_rx(r"\bwe'll\b"), "you'll"),
    (_rx(r"\bmyself\b"), "yourself"),
    (_rx(r"\bourselves\b"), "yourselves"),
    (_rx(r"\bmine\b"), "yours"),
    (_rx(r"\bours\b"), "yours"),
    (_rx(r"\bmy\b"), "your"),
    (_rx(r"\bour\b"), "your"),
    (_rx(r"\bme\b"), "you"),
    (_rx(r"\bwe\b"), "you"),
    (re.compile(r"\b(?:us|Us)\b"), "you"),  # not "US", the country, in a text not in capitals
    (re.compile(r"\bI\b"), "you"),  # not "i" (as in "i.e.")
]
_OWN_VOICE = _rx(r"\b(?:I|my|me|mine|myself|we|our|ours|ourselves)\b|\bI'|\bwe'|\bus\b")


def _in_case_of(word: str, replacement: str, shouting: bool, title_case: bool) -> str:
    """The replacement written as the word it replaces is: "MY" -> "YOUR" (a question in
    capitals), "My" -> "Your" in a Title Case question, else lower case ("We" mid-sentence)."""
    if shouting:
        return replacement.upper()
    if title_case and word[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def to_second_person(text: str) -> tuple[str, bool]:
    """The author's "I/my" and "we/our" made the reader's "you/your", outside quotes and
    whatever their case, when the question has no "you" of its own ("If my team disappeared,
    would the obstacles I removed be gone?", "How do we get others to follow our lead?")."""
    if re.search(r"\b(?:you|your|yours|yourself)\b", text, re.I) or not _OWN_VOICE.search(
        _QUOTED.sub("", text)
    ):
        return text, False
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) > 3 and all(c.isupper() for c in letters)
    long = re.findall(r"[^\W\d_]{4,}", text)
    title_case = len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)
    parts = _QUOTED.split(text)
    for i in range(0, len(parts), 2):
        for pattern, replacement in _FIRST_PERSON:
            parts[i] = pattern.sub(
                lambda m, r=replacement: _in_case_of(m.group(0), r, shouting, title_case),
                parts[i],
            )
    out = "".join(parts)
    return out[:1].upper() + out[1:], True


_SECOND = re.compile(r"\b(?:you|your|yours|yourself|yourselves|y'all)\b", re.I)
_WE = re.compile(r"\b(?:we|our|ours|us|ourselves)\b", re.I)


def score(text: str) -> int:
    """Higher first: questions to the reader ("you") and open ones (what/how/why) over yes/no."""
    value = 4 if _SECOND.search(text) else 2 if _WE.search(text) else 0
    first = re.findall(r"[a-z']+", main_clause(text).lower().replace("’", "'"))[:1]
    head = first[0].split("'")[0] if first else ""
    if head in ("what", "how", "why"):
        return value + 3
    if head in _WH:
        return value + 2
    return value + (0 if head in _AUX else 1)
