"""Statement shapes a host turns into a question of their own, rather than "Agree or disagree":

- "Clarity is not the same as certainty." -> "What is the difference between clarity and
  certainty?"
- "The best managers I worked for protected their calendars." -> "How do you protect your
  calendars?" (what good leaders do, asked of the reader)
- "Leading Through Ambiguity" -> "How do you lead through ambiguity?" (a heading or title that
  names an activity)
- "The Leader Who Speaks Last" -> "What does it take to be a leader who speaks last?" (a title
  that names a kind of leader or team)
- "Nine Habits for Remote One-on-Ones" -> "What habits for remote one-on-ones work best for
  you?", "7 Ways to Build Trust" -> "How do you build trust?" (a list post's title)
- "The Night the Release Went Wrong" -> "What did you learn from a night when a release went
  wrong?" (a story's title)
- "A leader who owns the failure in public makes it safe ..." -> "How do you own a failure in
  public?" (what the post's leader does, asked of the reader)
- "Team Rituals That Actually Stick" -> "Which team rituals actually stick on your team?"
- a question the author asks themselves, “Why am I here?” -> "How would you answer “Why am I
  here?” for yourself?"

Each returns None when the text is not of its shape; the caller checks the result like any
generated question (well formed, not leaning on context)."""

from __future__ import annotations

import re

from bot.drafting._verbs import base_of, is_gerund

_NOUNISH = r"[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*){0,3}"
_DIFFERENCE = re.compile(
    rf"^(?P<x>{_NOUNISH})\s+(?:is|are)\s+not\s+(?:the\s+same\s+(?:thing\s+)?as\s+)?"
    rf"(?P<y>(?:an?\s+|the\s+)?{_NOUNISH})\.?$",
    re.I,
)
# Words that make "X is not Y" about a quality, not two things to tell apart ("is not easy").
_NOT_A_THING = re.compile(
    r"\b(?:easy|hard|enough|optional|free|simple|new|possible|impossible|about|only|always|"
    r"never|just|simply|merely|really|very|what|how|why|who|that|this|it|they|you|we|i|my|our|"
    r"your|their|because|when|if)\b|(?:able|ible|ful|ous|ive|ic|less|ish|ly|ed)$",
    re.I,
)
_PRACTICE = re.compile(
    r"^(?:the\s+best|the\s+most\s+effective|good|great|strong|effective|wise|the)\s+"
    r"(?:leaders|managers|bosses|coaches|mentors|teams)"
    r"(?:\s+(?:that\s+)?(?:I|we)\s+(?:know|knew|have\s+known|'ve\s+known|’ve\s+known|admire|"
    r"(?:have\s+|'ve\s+|’ve\s+)?(?:met|worked\s+(?:for|with)|had)))?"
    r"\s+(?:(?:also|always|usually|often|quietly)\s+)?(?P<verb>[a-z]+)\s+(?P<rest>[^.;:!?]{3,120})\.?$",
    re.I,
)
_THEIR = [
    (re.compile(r"\bthemselves\b", re.I), "yourself"),
    (re.compile(r"\btheir\b", re.I), "your"),
    (re.compile(r"\btheirs\b", re.I), "yours"),
    (re.compile(r"\bthey\b", re.I), "you"),
    (re.compile(r"\bthem\b", re.I), "you"),
]
_FINITE = re.compile(
    r"\b(?:is|are|was|were|isn't|aren't|has|have|does|do|can|will|won't|should|must|beats?|"
    r"means?|matters?|starts?|takes?|makes?)\b",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself)\b|\bI['’]")


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def difference(claim: str) -> str | None:
    """ "X is not (the same as) Y" -> "What is the difference between X and Y?"."""
    found = _DIFFERENCE.match(claim.strip())
    if not found:
        return None
    x, y = found.group("x").strip(), found.group("y").strip()
    if _NOT_A_THING.search(x) or _NOT_A_THING.search(y) or x.lower() == y.lower():
        return None
    if re.match(r"the\b", x, re.I) or re.match(r"to\b", y, re.I):
        return None  # "The point is not to remove friction": the point of what?
    return f"What is the difference between {_lower(x)} and {_lower(y)}?"


def practice(claim: str) -> str | None:
    """ "The best managers I worked for protected their calendars like a budget." -> "How do
    you protect your calendars like a budget?"."""
    found = _PRACTICE.match(claim.strip())
    if not found:
        return None
    verb = base_of(found.group("verb"))
    rest = found.group("rest").strip().rstrip(",")
    if verb is None or verb in ("be", "have", "do") or _FIRST_PERSON.search(rest):
        return None
    for pattern, replacement in _THEIR:
        rest = pattern.sub(replacement, rest)
    return f"How do you {verb} {rest}?"


def activity(phrase: str) -> str | None:
    """A heading or title naming an activity ("Leading Through a Reorg", "Saying No Without
    Losing People") -> "How do you lead through a reorg?"."""
    parts = phrase.split()
    if len(parts) < 2 or not is_gerund(parts[0]) or len(parts) > 10:
        return None
    verb = base_of(parts[0])
    if verb in (None, "be", "have", "do", "get"):
        return None
    rest = " ".join(parts[1:])
    if _FIRST_PERSON.search(rest) or _FINITE.search(rest):
        return None  # "Selling the Vision Is Part of the Job": a claim about the activity
    if re.match(r"(?:it|them|this|that|these|those)\b", rest, re.I):
        return None  # "Making It Routine": it is in the paragraph below
    return f"How do you {verb} {rest}?"


def own_answer(question: str) -> str | None:
    """A first-person question the author asks themselves (“Why am I here?”) -> the reader is
    asked how they would answer it."""
    text = question.strip().strip("“”\"'‘’ ")
    if not text.endswith("?") or not _FIRST_PERSON.search(text) or len(text.split()) > 8:
        return None
    if not re.match(r"(?:what|why|how|who|where|when|which)\b", text, re.I):
        return None
    if re.search(r"\b(?:was|were|did|had)\b", text, re.I):
        return None  # "What was I thinking?": looking back, not a question to live by
    return f"How would you answer “{text[:1].upper()}{text[1:]}” for yourself?"


# People (and groups) a post says what the good ones do.
_LEADERS = r"leader|manager|boss|coach|mentor|founder|executive|teammate|colleague|team|person"
_ROLE = re.compile(
    rf"^the\s+(?P<role>{_LEADERS}|organi[sz]ation|company|meeting)\s+(?P<rel>who|that)\s+"
    r"(?P<rest>[a-z][^.;:!?]{2,80})$",
    re.I,
)


def role(phrase: str) -> str | None:
    """ "The Leader Who Speaks Last" -> "What does it take to be a leader who speaks last?"."""
    found = _ROLE.match(phrase.strip())
    if not found or _FIRST_PERSON.search(found.group("rest")):
        return None
    noun = found.group("role").lower()
    article = "an" if noun[0] in "aeiou" else "a"
    return f"What does it take to be {article} {noun} {found.group('rel').lower()} {found.group('rest')}?"


_COUNT = r"(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|some|my|our)"
_LISTICLE = re.compile(
    rf"^{_COUNT}\s+(?:(?P<adj>[a-z]+)\s+)??(?P<noun>habits|tips|rules|practices|rituals|"
    r"questions|ways|steps)\s+(?P<prep>for|to|that)\s+(?P<rest>[^.;:!?]{3,80})$",
    re.I,
)


def listicle(phrase: str) -> str | None:
    """A list post's title: "Nine Habits for Remote One-on-Ones" -> "What habits for remote
    one-on-ones work best for you?"; "7 Ways to Build Trust" -> "How do you build trust?"."""
    found = _LISTICLE.match(phrase.strip())
    if not found or _FIRST_PERSON.search(found.group("rest")):
        return None
    noun, prep, rest = found.group("noun").lower(), found.group("prep").lower(), found.group("rest")
    if prep == "to":
        first = rest.split()[0]
        verb = base_of(first)
        if noun not in ("ways", "steps") or verb is None or verb != first.lower():
            return None
        return f"How do you {rest[:1].lower()}{rest[1:]}?"
    if prep == "that":
        return None
    adj = f"{found.group('adj')} " if found.group("adj") else ""
    return f"What {adj}{noun} for {rest} work best for you?"


_STORY = re.compile(
    r"^the\s+(?P<when>night|day|morning|week|year|time|meeting|call|moment)\s+"
    r"(?:when\s+|that\s+)?(?P<who>the\s+\w+|a\s+\w+|my\s+\w+|our\s+\w+|i|we)\s+"
    r"(?P<rest>[a-z][^.;:!?]{2,60})$",
    re.I,
)


def story(title: str) -> str | None:
    """A story's title: "The Night the Release Went Wrong" -> "What did you learn from a night
    when a release went wrong?", "The Day I Stopped Fixing Everything" -> "... a day when you
    stopped fixing everything?"."""
    found = _STORY.match(title.strip())
    if not found:
        return None
    rest = found.group("rest")
    verb = rest.split()[0]
    if base_of(verb) is None or verb.lower() == base_of(verb) or verb.lower().endswith("ing"):
        return None  # the story's past: "went", "stopped" (not "The Day We Lead")
    who = found.group("who").split()
    if len(who) == 1:
        subject = "you"
    else:
        noun = who[1].lower()
        subject = f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
    if _FIRST_PERSON.search(rest):
        return None
    return f"What did you learn from a {found.group('when').lower()} when {subject} {rest.lower()}?"


_RELATIVE = re.compile(
    rf"^(?:a|the|every|any)\s+(?:good\s+|great\s+)?(?:{_LEADERS})\s+who\s+(?P<rest>.+)$", re.I
)


def relative(claim: str) -> str | None:
    """ "A leader who owns the failure in public makes it safe ..." -> "How do you own a
    failure in public?": the relative clause, up to the main verb, asked of the reader."""
    found = _RELATIVE.match(claim.strip().rstrip("."))
    if not found:
        return None
    tokens = found.group("rest").split()
    verb = base_of(tokens[0])
    if verb is None or verb in ("be", "have", "do") or not tokens[0].lower().endswith("s"):
        return None
    ends = [
        i
        for i, word in enumerate(tokens[1:], start=1)
        if word.lower().endswith("s") and base_of(word.strip(",")) not in (None, word.lower())
    ]
    if not ends:
        return None
    obj = tokens[1 : ends[0]]  # up to "makes": the sentence's own verb
    if not 1 <= len(obj) <= 8 or _FIRST_PERSON.search(" ".join(obj)):
        return None
    if obj[0].lower() == "the":
        obj[0] = "a"  # "the failure" is the post's; the reader's is any failure
    text = " ".join(obj).rstrip(",")
    for pattern, replacement in _THEIR:
        text = pattern.sub(replacement, text)
    return f"How do you {verb} {text}?"


_WHICH = re.compile(
    r"^(?P<np>(?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*[^su\W]s)\s+(?:that|who)\s+(?P<vp>[a-z][^.;:!?]{2,60})$",
    re.I,
)


def which_ones(phrase: str) -> str | None:
    """A heading naming the kind of thing that works: "Team Rituals That Actually Stick" ->
    "Which team rituals actually stick on your team?" (a plural and a verb that agrees)."""
    found = _WHICH.match(phrase.strip())
    if not found or _FIRST_PERSON.search(phrase) or found.group("np").lower().startswith("the "):
        return None
    vp = found.group("vp")
    verbs = [w for w in vp.split()[:3] if base_of(w) is not None]
    if not verbs or verbs[0].lower() != base_of(verbs[0]):
        return None  # the plural's verb in its base form: "stick", not "sticks" or "stuck"
    where = "" if re.search(r"\bteams?\b", vp, re.I) else " on your team"
    return f"Which {found.group('np')} {vp}{where}?"
