"""The post's own questions -> chat questions: cleaned, asides dropped, de-duplicated, ranked,
and shortened where needed so `Q12: <text> #Hashtag` fits one 280-character post."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.drafting._model import POST_LIMIT, Candidate, words


def _rx(pattern: str) -> re.Pattern[str]:
    """Case-blind pattern in which every ' also matches a typographic apostrophe (’)."""
    return re.compile(pattern.replace("'", "['’]"), re.IGNORECASE)


_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|etc|Inc|Ltd|Co|No|Vol|approx|Gen|Col|Capt|Lt)\.|"
    r"\b(?:e\.g|i\.e|a\.m|p\.m|U\.S)\.|\b[A-Z]\.|"
    r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Mon|Tue|Tues|Wed|Thu|Thurs|Fri|Sat|Sun)\.)$"
)
# Emoji and pictographs a writer puts after a question mark ("nothing? 🤔 How ...").
_EMOJI = "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]"
_BOUNDARY = re.compile(rf"[.!?…]+[\"'”’)\]]*(?:\s*{_EMOJI}+)*(?=\s+[\"'“‘(\[]?[A-Z0-9@#¿¡])")
_TRAILING_EMOJI = re.compile(rf"(?:\s*{_EMOJI})+$")
_CLOSERS = "\"'”’)]*_ \u00a0"
_BULLET = re.compile(r"^(?:[-*•·]\s+|\d{1,2}[.)]\s+|Q\d{1,2}\s*[:.)-]\s*)", re.I)
_QUOTED_TAIL = re.compile(r"^(?P<lead>.*?[,:]?\s*)[\"“‘'](?P<q>[^\"“”]+\?)[\"”’']$")
_LEAD_WORDS = _rx(r"^(?:so|and|but|well|ok|okay|anyway|plus|now(?!\s+that\b))\b[,;:]?\s+")
_LEAD_COMMA = _rx(
    r"^(?:then|also|finally|lastly|first|second|third|next|honestly|seriously|really|friends|"
    r"leaders|folks|everyone|readers?|dear readers?|so now|and so|but really|and now)\s*[,;:]\s*"
)
_LEAD_CLAUSE = _rx(
    r"^(?:let me ask(?: you)?(?: this)?|i(?:'ll| will| want to| would like to|'d)? ask you"
    r"(?: this)?|i wonder|i'?m wondering|i am wondering|i'?m curious|i am curious|tell me|"
    r"ask yourself(?: this)?|here'?s|here is|(?:here'?s |here is )?my question(?: for you| to you)?"
    r"(?: is)?(?: this)?|the (?:real |big )?question(?: is)?|question|q|consider this|"
    r"think about (?:it|this)|be honest|quick question)\s*[,;:—–-]+\s*"
)
_LEAD_BEFORE_Q = _rx(
    r"^(?:then|also|or|and then|but then|so then)\s+(?=(?:what|how|why|when|where|who|which|do|"
    r"does|did|is|are|can|could|would|should|will)\b)"
)
_COLON_LEAD = re.compile(r"^(?P<lead>[^:;?]{3,80}):\s+(?P<q>\S.*\?)$")
_TAG_QUESTION = _rx(
    r",\s*(?:right|isn'?t it|aren'?t they|aren'?t we|don'?t you think|wouldn'?t you agree|no|eh|huh|"
    r"yes|you know|correct|don'?t we|doesn'?t it|didn'?t it|isn'?t that right|am i right|agreed|"
    r"ok|okay|see|true|yeah)\?$"
)
_RHETORICAL = frozenset(
    """right|anybody know|anyone know|does anybody know|does anyone know|who knew|why not|so what|
    now what|what gives|sound familiar|sounds familiar|make sense|makes sense|get it|see|you know|
    know what i mean|you know what i mean|am i right|can you relate|ring a bell|does that ring a
    bell|remember|who doesn't|what could go wrong|what was i thinking|how hard could it be|what's
    not to love|how cool is that|how great is that|isn't it|can you imagine|imagine that|guess what|
    really|seriously|why|how|what|huh|eh|ever been there|been there|agreed|true|what else is new|
    who would have thought|who'd have thought|what happened|how about you|what about you|and you""".replace(
        "\n", " "
    ).split("|")
)
_ASIDE_PREFIX = _rx(
    r"^(?:anybody know|anyone know|does anybody know|does anyone (?:else )?know|guess|"
    r"can you believe|how (?:cool|great|awesome|crazy) is|isn'?t that|who knew|enjoyed this|"
    r"liked this|like this post|want (?:more|to (?:learn|read) more))\b"
)
_CALL_TO_ACTION = re.compile(
    r"\b(?:subscribe|newsletter|sign up|signup|download|click|join us|join the chat|see you|"
    r"book a call|work with me|free (?:e-?book|guide|course))\b",
    re.I,
)
_SECOND = re.compile(r"\b(?:you|your|yours|yourself|yourselves|y'all)\b", re.I)
_WE = re.compile(r"\b(?:we|our|ours|us|ourselves)\b", re.I)
_FIRST = re.compile(r"\b(?:i|me|my|mine|myself)\b", re.I)
_WH_TOP = {"what", "how", "why"}
_WH_OTHER = {"which", "who", "whom", "whose", "where", "when"}
_AUX = words(
    "do does did is are was were am can could would should will shall have has had may"
    " might must ever don't doesn't didn't isn't aren't wasn't weren't can't couldn't"
    " wouldn't shouldn't won't haven't hasn't"
)
_PIVOT = re.compile(
    r"[,;:—–]\s+(?=(?:what|how|why|which|who|where|when|do|does|did|is|are|can|could|would|"
    r"should|will|have|has)\b)",
    re.I,
)


def split_sentences(text: str) -> list[str]:
    """Sentences of one block; abbreviations like "Dr." and initials do not end a sentence."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        piece = text[start : match.end()]
        if _ABBREV.search(_TRAILING_EMOJI.sub("", piece).rstrip(_CLOSERS)):
            continue
        out.append(piece.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'")))


def clean_question(sentence: str) -> str | None:
    """A sentence ending in "?" -> a standalone chat question, or None for asides and non-questions."""
    text = _TRAILING_EMOJI.sub("", re.sub(r"\s+", " ", sentence).strip())
    bare = text.rstrip(_CLOSERS)
    if not bare.endswith("?") or re.search(r"\?[?!]|[!]\?$", bare):
        return None
    text = _BULLET.sub("", bare)
    quoted = _QUOTED_TAIL.match(text + ('"' if text.count('"') % 2 else ""))
    if quoted and quoted.group("lead").strip():
        text = quoted.group("q")
    previous = None
    while previous != text:
        previous = text
        text = text.lstrip("\"'“‘”’*_ ")
        for pattern in (_LEAD_WORDS, _LEAD_COMMA, _LEAD_CLAUSE, _LEAD_BEFORE_Q):
            text = pattern.sub("", text)
        colon = _COLON_LEAD.match(text)
        if colon and len(colon.group("lead").split()) <= 10 and len(colon.group("q").split()) >= 3:
            text = colon.group("q")
    text = re.sub(r"\s+([?,;:])", r"\1", _capitalize(text.strip()))
    text = re.sub(r"\?+$", "?", text)
    key = _key(text)
    if (
        len(key.split()) < 3
        or key in _RHETORICAL
        or _TAG_QUESTION.search(text)
        or _ASIDE_PREFIX.match(text)
        or _CALL_TO_ACTION.search(text)
    ):
        return None
    return text


def score(text: str) -> int:
    """Higher first: questions to the reader ("you") and open ones (what/how/why) over yes/no."""
    words = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
    clause = re.split(r"[,;:—–]\s+", text.lower().replace("’", "'"))[-1].split()
    value = 4 if _SECOND.search(text) else 2 if _WE.search(text) else 0
    if _FIRST.search(text) and value == 0:
        value -= 3
    for first in ([words[0]] if words else []) + clause[:1]:
        head = first.split("'")[0]
        if head in _WH_TOP:
            return value + 3
        if head in _WH_OTHER:
            return value + 2
        if first in _AUX:
            return value
    return value + 1


def _similar(a: str, b: str) -> bool:
    wa, wb = set(_key(a).split()), set(_key(b).split())
    return a == b or (min(len(wa), len(wb)) >= 4 and len(wa & wb) / len(wa | wb) >= 0.8)


def fit(text: str, hashtag: str) -> tuple[str, str | None]:
    """Make `Q12: <text> #Hashtag` fit a post: keep the question after its lead-in, else cut."""
    budget = POST_LIMIT - len(f"Q12:  {hashtag}")
    if len(text) <= budget:
        return text, None
    for match in reversed(list(_PIVOT.finditer(text))):
        tail = _capitalize(text[match.end() :])
        if len(tail) <= budget and len(tail.split()) >= 5:
            return tail, f"shortened to fit a {POST_LIMIT}-character post (lead-in dropped); check"
    cut = text[: budget - 2].rsplit(" ", 1)[0].rstrip(" ,;:—–-")
    return cut + "…?", f"cut to fit a {POST_LIMIT}-character post; rewrite it shorter"


def candidates(sentences: Iterable[str], hashtag: str) -> list[Candidate]:
    """All usable questions in post order, de-duplicated (the first wording wins)."""
    found: list[Candidate] = []
    for sentence in sentences:
        text = clean_question(sentence)
        if text is None or any(_similar(_key(text), _key(c.text)) for c in found):
            continue
        fitted, note = fit(text, hashtag)
        found.append(Candidate(fitted, sentence, score(fitted), note))
    return found


def rank(found: Sequence[Candidate]) -> list[Candidate]:
    """Best first; equal scores keep the post's order (stable sort)."""
    return sorted(found, key=lambda c: -c.score)
