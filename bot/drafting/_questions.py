"""The post's own questions -> chat questions: cleaned of lead-ins, rhetoric and calls to action
left out, made open and addressed to the reader, de-duplicated, and shortened at a clause
boundary where needed so `Q12: <text> #Hashtag` fits one 280-character post (never cut
mid-sentence: a question that cannot be shortened cleanly is left out)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.drafting._judge import (
    is_rhetorical,
    key,
    leans_on_context,
    open_up,
    score,
    to_second_person,
    word_count,
)
from bot.drafting._model import POST_LIMIT, Candidate


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
# "Leadership comes down to one question – how do we get others to follow?"
_DASH_LEAD = re.compile(r"^(?P<lead>[^?]{3,200}?)\s+[–—-]+\s+(?P<q>\S[^–—]*\?)$")
_QUESTION_WORD = re.compile(
    r"^(?:what|how|why|which|who|whom|whose|where|when|do|does|did|is|are|was|were|can|could|"
    r"would|should|will|have|has|had|may|might|if)\b",
    re.I,
)
MAX_SENTENCE = 1_000  # longer "sentences" are run-on text, never one chat question
_MAX_CANDIDATES = 200  # a post asks far fewer; this bounds the work on a pathological one
_PIVOT = re.compile(
    r"[,;:—–]\s+(?=(?:what|how|why|which|who|where|when|do|does|did|is|are|can|could|would|"
    r"should|will|have|has)\b)",
    re.I,
)


def split_sentences(text: str) -> list[str]:
    """Sentences of one block; abbreviations like "Dr." and initials do not end a sentence.

    A run of more than MAX_SENTENCE characters without a sentence end is not a sentence anyone
    wrote for a chat: it is cut into pieces of that size, which bounds the work done on each."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = _TRAILING_EMOJI.sub("", text[max(start, match.end() - 80) : match.end()])
        if _ABBREV.search(end.rstrip(_CLOSERS)):
            continue
        out.extend(_pieces(text[start : match.end()].strip()))
        start = match.end()
    out.extend(_pieces(text[start:].strip()))
    return out


def _pieces(sentence: str) -> list[str]:
    if len(sentence) <= MAX_SENTENCE:
        return [sentence] if sentence else []
    pieces = []
    while len(sentence) > MAX_SENTENCE:
        cut = sentence.rfind(" ", 0, MAX_SENTENCE)
        cut = cut if cut > 0 else MAX_SENTENCE
        pieces.append(sentence[:cut])
        sentence = sentence[cut:].strip()
    return [*pieces, sentence] if sentence else pieces


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def clean_question(sentence: str) -> str | None:
    """A sentence ending in "?" -> the question alone (lead-ins, bullets, quotes and dashes
    gone), or None for non-questions, fragments and too-short asides."""
    if len(sentence) > MAX_SENTENCE:
        return None
    text = _TRAILING_EMOJI.sub("", re.sub(r"\s+", " ", sentence).strip())
    bare = text.rstrip(_CLOSERS)
    if not bare.endswith("?") or re.search(r"\?[?!]|[!]\?$", bare):
        return None
    text = _BULLET.sub("", bare)
    if "…" in text or "..." in text:  # "So… what now?" keeps what follows; else it trails off
        tail = re.split(r"…|\.\.\.+", text)[-1].strip()
        if not _QUESTION_WORD.match(tail) or len(tail.split()) < 3:
            return None
        text = tail
    quoted = _QUOTED_TAIL.match(text + ('"' if text.count('"') % 2 else ""))
    if quoted and quoted.group("lead").strip():
        text = quoted.group("q")
    previous = None
    while previous != text:
        previous = text
        text = text.lstrip("\"'“‘”’*_ –—-")
        for pattern in (_LEAD_WORDS, _LEAD_COMMA, _LEAD_CLAUSE, _LEAD_BEFORE_Q):
            text = pattern.sub("", text)
        colon = _COLON_LEAD.match(text)
        if colon and len(colon.group("lead").split()) <= 10 and len(colon.group("q").split()) >= 3:
            text = colon.group("q")
        dash = _DASH_LEAD.match(text)
        if dash and _QUESTION_WORD.match(dash.group("q")) and len(dash.group("q").split()) >= 3:
            text = dash.group("q")
    if text[:1].islower() and not _QUESTION_WORD.match(text):
        return None  # a piece of a sentence ("– and then some?")
    text = re.sub(r"\s+([?,;:])", r"\1", _capitalize(text.strip()))
    text = re.sub(r"\?+$", "?", text)
    if word_count(text) < 3 or text.count("(") != text.count(")"):
        return None
    if not re.match(r"[“\"‘]?[^\W_]", text):
        return None  # "#Chat how...?", "@jane what...?": not a question someone would post
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return None
    return text


def well_formed(text: str, room: int) -> bool:
    """The last gate for any drafted question: whole, balanced, clean, within the room."""
    return bool(
        len(text) <= room
        and text.endswith("?")
        and re.match(r"[“\"‘]?[A-Z0-9]", text)
        and "…" not in text
        and "..." not in text
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
        and text.count("“") == text.count("”")
        and text.count('"') % 2 == 0
        and not re.search(r"[“”\"]{2}|[‘’]{2}", text)
        and word_count(text) >= 3
    )


def _similar(a: str, b: str) -> bool:
    wa, wb = set(key(a).split()), set(key(b).split())
    return a == b or (min(len(wa), len(wb)) >= 4 and len(wa & wb) / len(wa | wb) >= 0.8)


def budget(hashtag: str) -> int:
    """Characters a question may have so that `Q12: <question> #Hashtag` fits one post."""
    return POST_LIMIT - len(f"Q12:  {hashtag}")


_CLAUSE_END = re.compile(
    r"(?:,\s+|\s+[–—]\s+|;\s+|\s+(?=(?:before|after|when|while|because|although|though|since|"
    r"unless|until|especially|even if|so that|without|instead of|rather than)\b))",
    re.I,
)


# ", and how often do you say it, and who do you tell first": questions chained into one.
_CHAINED = re.compile(
    r",\s+and\s+(?=(?:what|how|why|which|who|where|when|do|does|did|is|are|can|would|should)\b)",
    re.I,
)
_CHAIN_LIMIT = 2  # more chained questions than this: a chat asks the first one


def fit(text: str, hashtag: str) -> tuple[str, str | None] | None:
    """The question as it fits a post: whole, else its question after a lead-in clause, else its
    main clause without a trailing one; None when no clean cut fits (never cut mid-clause).
    Several questions chained with ", and ..." become the first of them."""
    room = budget(hashtag)
    chain = list(_CHAINED.finditer(text))
    if len(chain) >= _CHAIN_LIMIT:
        first = text[: chain[0].start()].rstrip(" ,;:—–-")
        if len(first.split()) >= 5 and len(first) + 1 <= room:
            return first + "?", "shortened to the first of the questions it chains together"
    if len(text) <= room:
        return text, None
    for match in reversed(list(_PIVOT.finditer(text))):
        tail = _capitalize(text[match.end() :])
        if len(tail) <= room and len(tail.split()) >= 5:
            return tail, f"shortened to fit a {POST_LIMIT}-character post (lead-in dropped)"
    for match in reversed(list(_CLAUSE_END.finditer(text))):
        head = text[: match.start()].rstrip(" ,;:—–-")
        if len(head) + 1 <= room and len(head.split()) >= 5 and "?" not in head:
            return head + "?", (
                f"shortened to fit a {POST_LIMIT}-character post (a trailing clause dropped)"
            )
    return None


def _note(*notes: str | None) -> str | None:
    found = [n.removeprefix("check: ").removesuffix("; check") for n in notes if n]
    return "check: " + "; ".join(found) if found else None


def own_questions(
    sentences: Sequence[tuple[int, str]], hashtag: str
) -> tuple[list[Candidate], list[Candidate]]:
    """The post's questions in its order: (usable ones, ones that lean on the sentence before).

    `sentences` are (position, sentence) pairs; the next sentence decides whether a question is
    answered at once (rhetorical)."""
    usable: list[Candidate] = []
    leaning: list[Candidate] = []
    for i, (position, sentence) in enumerate(sentences):
        if len(usable) + len(leaning) >= _MAX_CANDIDATES:
            break
        text = clean_question(sentence)
        if text is None:
            continue
        following = sentences[i + 1][1] if i + 1 < len(sentences) else ""
        if is_rhetorical(text, following):
            continue
        text, converted = to_second_person(text)
        if is_rhetorical(text):
            continue
        fitted = fit(text, hashtag)
        if fitted is None:
            continue
        text, fit_note = fitted
        text, open_note = open_up(text, budget(hashtag))
        if not well_formed(text, budget(hashtag)):
            continue
        if any(_similar(text, c.text) for c in (*usable, *leaning)):
            continue
        note = _note(
            "rewritten from the post's own voice (“I/my”, “we/our”) to the reader's (“you/your”)"
            if converted
            else None,
            fit_note,
            open_note,
        )
        if leans_on_context(text, sentence):
            note = _note("leans on the sentence before it in the post", note)
            leaning.append(Candidate(text, sentence, score(text), note, position))
        else:
            usable.append(Candidate(text, sentence, score(text), note, position))
    return usable, leaning
